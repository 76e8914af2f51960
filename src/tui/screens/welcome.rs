//! The first screen: what the installer found (CPU, memory, firmware, disks, NICs).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::human_bytes;
use crate::tui::app::App;
use crate::tui::{text, ui};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let hw = &app.hw;
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = vec![Line::from(text::WELCOME_INTRO), Line::from("")];
    let row = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<10}"), ui::heading()),
            Span::raw(v),
        ])
    };
    lines.push(row(
        text::CPU,
        format!(
            "{} x {}",
            hw.cpu_count,
            hw.cpu_model.as_deref().unwrap_or(text::UNKNOWN)
        ),
    ));
    lines.push(row(text::MEMORY, human_bytes(hw.memory_bytes)));
    lines.push(row(text::FIRMWARE, hw.firmware.name().into()));
    lines.push(Line::from(Span::styled(
        format!("  {}", text::DISKS),
        ui::heading(),
    )));
    for d in &hw.disks {
        let busy = if d.usage.is_empty() {
            String::new()
        } else {
            format!(" [{}]", text::BUSY)
        };
        let s = format!(
            "    {:<9} {:>10}  {}{busy}",
            d.name,
            human_bytes(d.size_bytes),
            d.model.as_deref().unwrap_or(text::UNKNOWN)
        );
        lines.push(Line::from(ui::cut(&s, w)));
    }
    if hw.disks.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("    {}", text::NO_DISKS),
            ui::error(),
        )));
    }
    lines.push(Line::from(Span::styled(
        format!("  {}", text::NICS),
        ui::heading(),
    )));
    for n in hw.nics.iter().filter(|n| !n.is_virtual) {
        let s = format!(
            "    {:<9} {:<5} {}  {}",
            n.name,
            text::link(n.carrier),
            n.mac.as_deref().unwrap_or("-"),
            n.driver.as_deref().unwrap_or("")
        );
        lines.push(Line::from(ui::cut(&s, w)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(text::WELCOME_NEXT));
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::WELCOME_TITLE)),
        area,
    );
}

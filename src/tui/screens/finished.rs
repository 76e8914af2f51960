//! The end: how long it took, where the log is, and what to do next (reboot, power off, a
//! shell), returned to the caller as an `Outcome`; the TUI performs none of them itself.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::Finish;
use crate::events::Step;
use crate::tui::app::{Action, App, Effect};
use crate::tui::widgets::clock;
use crate::tui::{Outcome, text, ui};

const CHOICES: [Outcome; 3] = [Outcome::Reboot, Outcome::PowerOff, Outcome::Shell];

#[derive(Debug, Clone, Default)]
pub struct FinishedState {
    pub elapsed: Duration,
    pub failed: Option<(Step, String)>,
    pub aborted: bool,
    pub cursor: usize,
}

impl FinishedState {
    /// `finish` is what the answer (and the target) asked for: it is the preselected choice.
    pub fn new(
        elapsed: Duration,
        failed: Option<(Step, String)>,
        aborted: bool,
        finish: Finish,
    ) -> Self {
        // After a failure the next thing is usually a look at the log: a shell.
        let cursor = match (&failed, finish) {
            (Some(_), _) | (None, Finish::None) => 2,
            (None, Finish::Poweroff) => 1,
            (None, Finish::Reboot) => 0,
        };
        FinishedState {
            elapsed,
            failed,
            aborted,
            cursor,
        }
    }
}

pub fn update(app: &mut App, key: Action) -> Option<Effect> {
    let st = &mut app.finished;
    match key {
        Action::Up | Action::BackTab => st.cursor = st.cursor.saturating_sub(1),
        Action::Down | Action::Tab => st.cursor = (st.cursor + 1).min(CHOICES.len() - 1),
        Action::Enter => return CHOICES.get(st.cursor).map(|o| Effect::Quit(*o)),
        _ => {}
    }
    None
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let st = &app.finished;
    let w = area.width.saturating_sub(4) as usize;
    let t = clock(st.elapsed);
    let head = match (&st.failed, st.aborted) {
        (Some(_), true) => text::aborted(&t),
        (Some((step, _)), false) => text::failed(step.title(), &t),
        (None, _) => text::finished(&t),
    };
    let style = if st.failed.is_some() {
        ui::error()
    } else {
        ui::heading()
    };
    let mut lines = vec![Line::from(Span::styled(head, style)), Line::from("")];
    if let Some((_, e)) = &st.failed {
        lines.extend(
            ui::wrap(e, w)
                .into_iter()
                .take(6)
                .map(|l| Line::from(format!("  {l}"))),
        );
        lines.push(Line::from(""));
    }
    let log = app.log_path.as_ref().map(|p| p.display().to_string());
    for l in ui::wrap(&text::log_at(log.as_deref(), st.failed.is_none()), w) {
        lines.push(Line::from(l));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(text::WHAT_NOW));
    for (i, o) in CHOICES.iter().enumerate() {
        let on = i == st.cursor;
        let s = format!("{} {}", if on { ">" } else { " " }, text::outcome(*o));
        let style = if on {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(format!("  {s}"), style)));
    }
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::FINISHED_TITLE)),
        area,
    );
}

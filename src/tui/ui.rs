//! The frame around every screen (step header, help line, notices, popups) and the styles:
//! 16 colours and plain ASCII borders when the console needs them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Popup, Screen};
use super::{screens, text};
use crate::answer::Issue;

/// `+`, `-` and `|`: for serial consoles and fonts without box-drawing characters.
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub fn focus() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn heading() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn error() -> Style {
    Style::new().fg(Color::LightRed)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn block(app: &App, title: &str) -> Block<'static> {
    let b = Block::bordered().title(format!(" {title} "));
    if app.ascii {
        b.border_set(ASCII_BORDER)
    } else {
        b
    }
}

/// An issue as `  ! message (hint)` lines, wrapped at `width`.
pub fn issue_lines(issue: &Issue, width: usize) -> Vec<Line<'static>> {
    let mut msg = format!("! {}", issue.message);
    if let Some(h) = &issue.hint {
        msg.push_str(&format!(" ({h})"));
    }
    wrap(&msg, width.saturating_sub(4).max(10))
        .into_iter()
        .map(|l| Line::from(Span::styled(format!("    {l}"), error())))
        .collect()
}

/// An issue no field shows: the key path says what it is about.
pub fn loose_issue_lines(issue: &Issue, width: usize) -> Vec<Line<'static>> {
    let mut i = issue.clone();
    if !i.path.is_empty() {
        i.message = format!("{}: {}", i.path, i.message);
    }
    issue_lines(&i, width)
}

/// Word-wraps `s` at `width` characters (long words are cut).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in s.split(' ') {
        let cur = lines.last_mut().map_or(0, |l| l.chars().count());
        if cur > 0 && cur + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines
}

/// Cuts `s` to `n` characters, marking the cut with `~`.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('~');
        t
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let [head, body, notice, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(if app.notice.is_some() { 1 } else { 0 }),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header(app)), head);
    screens::draw(frame, body, app);
    if let Some(n) = &app.notice {
        frame.render_widget(Paragraph::new(Span::styled(n.clone(), heading())), notice);
    }
    frame.render_widget(Paragraph::new(Span::styled(text::help(app), dim())), help);
    if let Some(p) = &app.popup {
        popup(frame, app, p);
    }
}

fn header(app: &App) -> Line<'static> {
    let mut spans = vec![Span::styled(text::TITLE, heading()), Span::raw(" ")];
    let current = match app.screen {
        Screen::Progress | Screen::Finished => {
            let name = format!("[{}]", text::screen_name(app.screen));
            spans.push(Span::styled(name, focus().fg(Color::Yellow)));
            return Line::from(spans);
        }
        s => s,
    };
    for (i, s) in Screen::WIZARD.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(">", dim()));
        }
        let name = text::screen_name(*s);
        if *s == current {
            spans.push(Span::styled(format!("[{name}]"), focus().fg(Color::Yellow)));
        } else {
            spans.push(Span::styled(format!(" {name} "), dim()));
        }
    }
    Line::from(spans)
}

fn popup(frame: &mut Frame, app: &App, p: &Popup) {
    const WIDTH: u16 = 64;
    let (title, lines) = screens::popup::lines(app, p);
    // As tall as its lines wrapped at words (several disks to name), at least 9 rows.
    let inner = usize::from(WIDTH - 2);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner.saturating_sub(10)).max(1))
        .sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).max(9);
    let area = centered(frame.area(), WIDTH, height);
    frame.render_widget(Clear, area);
    let para = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block(app, title).border_style(Style::new().fg(Color::Yellow)));
    frame.render_widget(para, area);
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

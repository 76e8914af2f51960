//! The install running: a gauge per step and overall, the current package (the payload
//! step's latest log line), elapsed time, and the log on `l`. Fed by the engine's events.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::events::{Event, Level, Step};
use crate::plan::{Plan, describe_disk};
use crate::tui::app::{Action, App, Effect, Screen};
use crate::tui::widgets::{bar, clock};
use crate::tui::{text, ui};

/// The log pane keeps this many lines.
const LOG_KEEP: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Pending,
    Running,
    Done,
    Failed,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub step: Step,
    pub status: Status,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ProgressState {
    pub target: String,
    pub rows: Vec<Row>,
    pub current: Option<String>,
    pub log: Vec<String>,
    pub show_log: bool,
    pub elapsed: Duration,
    pub failed: Option<(Step, String)>,
    pub aborting: bool,
}

impl ProgressState {
    pub fn start(&mut self, plan: &Plan) {
        *self = ProgressState {
            target: describe_disk(&plan.target().disk),
            rows: Step::ALL
                .iter()
                .map(|&step| Row {
                    step,
                    status: Status::Pending,
                    done: 0,
                    total: 0,
                })
                .collect(),
            ..Default::default()
        };
    }

    fn row(&mut self, step: Step) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.step == step)
    }

    /// Finished steps plus the running step's share, over all steps.
    pub fn overall(&self) -> f64 {
        let n = self.rows.len().max(1) as f64;
        let done: f64 = self
            .rows
            .iter()
            .map(|r| match r.status {
                Status::Done => 1.0,
                Status::Running if r.total > 0 => r.done as f64 / r.total as f64,
                _ => 0.0,
            })
            .sum();
        done / n
    }
}

pub fn event(app: &mut App, e: Event) -> Option<Effect> {
    let p = &mut app.progress;
    match e {
        Event::Started { step } => {
            if let Some(r) = p.row(step) {
                r.status = Status::Running;
            }
        }
        Event::Progress { step, done, total } => {
            if let Some(r) = p.row(step) {
                r.status = Status::Running;
                (r.done, r.total) = (done, total);
            }
        }
        Event::Finished { step } => {
            if let Some(r) = p.row(step) {
                r.status = Status::Done;
                r.done = r.total;
            }
        }
        Event::Failed { step, error } => {
            if let Some(r) = p.row(step) {
                r.status = Status::Failed;
            }
            p.log.push(text::failed_line(step.title(), &error));
            p.failed = Some((step, error));
        }
        Event::Log {
            step,
            level,
            message,
        } => {
            if level == Level::Debug {
                return None;
            }
            if step == Some(Step::Payload) {
                p.current = Some(message.clone());
            }
            let prefix = match level {
                Level::Warn => "warning: ",
                Level::Error => "error: ",
                _ => "",
            };
            p.log.push(format!("{prefix}{message}"));
            if p.log.len() > LOG_KEEP {
                p.log.drain(..p.log.len() - LOG_KEEP);
            }
        }
        // The TUI learns the end from the engine's result, not from an event.
        Event::Ended { .. } => {}
    }
    None
}

/// The engine's thread ended: on to the finished screen.
pub fn done(app: &mut App) -> Option<Effect> {
    let p = &app.progress;
    // An image or loop-device target is not booted from: no reboot offered first.
    let finish = match &app.plan {
        Some(Ok(plan)) => crate::engine::finish_action(plan),
        _ => crate::answer::Finish::None,
    };
    app.finished =
        super::finished::FinishedState::new(p.elapsed, p.failed.clone(), p.aborting, finish);
    app.popup = None;
    app.screen = Screen::Finished;
    None
}

pub fn update(app: &mut App, key: Action) -> Option<Effect> {
    if let Action::Char('l') = key {
        app.progress.show_log = !app.progress.show_log;
    }
    None
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let p = &app.progress;
    let w = area.width.saturating_sub(2) as usize;
    let h = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = ui::wrap(&text::installing_onto(&p.target), w)
        .into_iter()
        .map(Line::from)
        .collect();
    let pct = (p.overall() * 100.0).round();
    lines.push(Line::from(vec![
        Span::styled(format!("{:<10}", text::OVERALL), ui::heading()),
        Span::styled(
            bar(p.overall(), 40, app.ascii),
            Style::new().fg(Color::Green),
        ),
        Span::raw(format!(
            " {pct:>3}%   {} {}",
            text::ELAPSED,
            clock(p.elapsed)
        )),
    ]));
    lines.push(Line::from(""));
    if p.show_log {
        lines.push(Line::from(Span::styled(text::LOG_HEAD, ui::heading())));
        let room = h.saturating_sub(lines.len() + 1);
        let start = p.log.len().saturating_sub(room);
        lines.extend(p.log[start..].iter().map(|l| Line::from(ui::cut(l, w))));
    } else {
        for r in &p.rows {
            let (mark, style) = match r.status {
                Status::Pending => ("    ", ui::dim()),
                Status::Running => (" >> ", Style::new().fg(Color::Yellow)),
                Status::Done => ("done", Style::new().fg(Color::Green)),
                Status::Failed => ("FAIL", ui::error()),
            };
            let mut spans = vec![Span::styled(
                format!("{mark}  {:<27}", r.step.title()),
                style,
            )];
            if r.total > 0 && r.status != Status::Pending {
                let ratio = r.done as f64 / r.total as f64;
                spans.push(Span::raw(format!(
                    "{} {}/{}",
                    bar(ratio, 22, app.ascii),
                    r.done,
                    r.total
                )));
            }
            lines.push(Line::from(spans));
        }
        if let Some(c) = &p.current {
            lines.push(Line::from(""));
            lines.push(Line::from(ui::cut(&format!("{}{c}", text::NOW), w)));
        }
    }
    if p.aborting {
        lines.push(Line::from(Span::styled(text::ABORTING, ui::error())));
    }
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::PROGRESS_TITLE)),
        area,
    );
}

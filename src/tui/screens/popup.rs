//! The dialogs over a screen: quit?, abort the install?, and the erase confirmation, which
//! names every disk the install writes (and what it keeps on each) and starts the install
//! only when the word "erase" was typed (Enter alone never does).

use ratatui::text::{Line, Span};

use crate::tui::app::{Action, App, Effect, Popup};
use crate::tui::widgets::input::Handled;
use crate::tui::{Outcome, text, ui};

pub fn update(app: &mut App, key: Action) -> Option<Effect> {
    let popup = app.popup.as_mut()?;
    match popup {
        // A second Ctrl-C means it: nothing has been written yet, so quitting is safe.
        Popup::Quit => match key {
            Action::Char('y' | 'Y') | Action::Interrupt => {
                app.popup = None;
                Some(Effect::Quit(Outcome::Quit))
            }
            Action::Char('n' | 'N') | Action::Esc => {
                app.popup = None;
                None
            }
            _ => None,
        },
        Popup::Abort => match key {
            Action::Char('y' | 'Y') => {
                app.popup = None;
                app.progress.aborting = true;
                Some(Effect::AbortInstall)
            }
            Action::Char('n' | 'N') | Action::Esc => {
                app.popup = None;
                None
            }
            _ => None,
        },
        Popup::Confirm { input, wrong } => match key {
            Action::Esc | Action::Interrupt => {
                app.popup = None;
                None
            }
            Action::Enter => {
                if input.text().trim() != text::ERASE_WORD {
                    *wrong = true;
                    return None;
                }
                app.popup = None;
                match &app.plan {
                    Some(Ok(plan)) => {
                        app.progress.start(plan);
                        app.screen = crate::tui::app::Screen::Progress;
                        Some(Effect::StartInstall(Box::new(plan.clone())))
                    }
                    _ => None,
                }
            }
            key => {
                if input.handle(&key) == Handled::Changed {
                    *wrong = false;
                }
                None
            }
        },
    }
}

pub fn lines(app: &App, popup: &Popup) -> (&'static str, Vec<Line<'static>>) {
    match popup {
        Popup::Quit => (
            text::QUIT_TITLE,
            vec![
                Line::from(text::QUIT_BODY),
                Line::from(""),
                Line::from(text::QUIT_KEYS),
            ],
        ),
        Popup::Abort => (
            text::ABORT_TITLE,
            vec![
                Line::from(text::ABORT_BODY),
                Line::from(""),
                Line::from(text::YES_NO),
            ],
        ),
        Popup::Confirm { input, wrong } => {
            let (title, body) = match &app.plan {
                Some(Ok(p)) if p.disks.len() > 1 => {
                    (text::CONFIRM_TITLE_DISKS, text::confirm_lines(p))
                }
                Some(Ok(p)) => (text::CONFIRM_TITLE, text::confirm_lines(p)),
                _ => (text::CONFIRM_TITLE, Vec::new()),
            };
            let mut v: Vec<Line> = body.into_iter().map(Line::from).collect();
            v.extend([
                Line::from(""),
                Line::from({
                    let mut s = vec![Span::raw(text::CONFIRM_PROMPT)];
                    s.extend(input.spans(false, true, 20));
                    s
                }),
            ]);
            if *wrong {
                v.push(Line::from(Span::styled(text::CONFIRM_WRONG, ui::error())));
            }
            (title, v)
        }
    }
}

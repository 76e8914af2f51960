//! Terminal input -> `Action`. The only place that knows crossterm's key codes.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::Action;

pub fn map(event: Event) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(k),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(..) => Some(Action::Resize),
        _ => None,
    }
}

fn key(k: KeyEvent) -> Option<Action> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char('c') if ctrl => Action::Interrupt,
        // Other control chords mean nothing here; never insert them as text.
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char(c) => Action::Char(c),
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::Left => Action::Left,
        KeyCode::Right => Action::Right,
        KeyCode::Tab => Action::Tab,
        KeyCode::BackTab => Action::BackTab,
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Esc,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Delete => Action::Delete,
        KeyCode::Home => Action::Home,
        KeyCode::End => Action::End,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_c_interrupts_and_other_chords_are_dropped() {
        let k = |c, m| Event::Key(KeyEvent::new(c, m));
        assert!(matches!(
            map(k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Interrupt)
        ));
        assert!(map(k(KeyCode::Char('x'), KeyModifiers::CONTROL)).is_none());
        assert!(matches!(
            map(k(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Action::Char('c'))
        ));
        assert!(matches!(
            map(Event::Paste("k".into())),
            Some(Action::Paste(_))
        ));
    }
}

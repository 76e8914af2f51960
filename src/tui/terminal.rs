//! Taking over the terminal and always giving it back: raw mode, the alternate screen and
//! bracketed paste on; restored by a guard on return or error, and by the panic hook before
//! the panic message is printed (so that the message is readable).

use std::io::{self, Stdout};
use std::sync::Once;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal into the TUI's mode; the returned guard restores it.
pub fn setup() -> io::Result<(Term, Guard)> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
    enable_raw_mode()?;
    // From here on, any error still restores the terminal through the guard.
    let guard = Guard;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    Ok((term, guard))
}

/// Best effort: each step is tried even when an earlier one failed.
pub fn restore() {
    let _ = execute!(io::stdout(), DisableBracketedPaste, LeaveAlternateScreen);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), ratatui::crossterm::cursor::Show);
}

/// ASCII borders and bars for consoles that may lack box-drawing glyphs: the Linux console,
/// serial terminals, or when `AZL_ASCII=1`.
pub fn ascii_wanted() -> bool {
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    ascii_for(&env("TERM"), &env("AZL_ASCII"))
}

fn ascii_for(term: &str, forced: &str) -> bool {
    match forced {
        "1" | "yes" | "true" => return true,
        "0" | "no" | "false" => return false,
        _ => {}
    }
    matches!(term, "" | "linux" | "vt100" | "vt102" | "vt220" | "dumb")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ascii_for_consoles_and_when_asked() {
        assert!(super::ascii_for("linux", ""));
        assert!(super::ascii_for("vt220", ""));
        assert!(!super::ascii_for("xterm-256color", ""));
        assert!(super::ascii_for("xterm-256color", "1"));
        assert!(!super::ascii_for("linux", "0"));
    }
}

//! Readable progress on stderr for a person: a redrawn bar per step when stderr is a
//! terminal, and a few plain lines (every quarter) when it is a serial console or a file.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use super::{Event, Level, Sink};

const BAR_WIDTH: usize = 30;

pub struct Console {
    terminal: bool,
    /// A bar is drawn on the current line (it must be ended before other output).
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    bar_open: bool,
    /// Last quarter printed for the current step (plain output).
    quarter: u64,
}

impl Console {
    pub fn new() -> Console {
        Console {
            terminal: std::io::stderr().is_terminal(),
            state: Mutex::new(State::default()),
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

/// `[#########---------------------]  9/30` for `done` of `total`.
pub fn bar(done: u64, total: u64) -> String {
    let filled = (done.min(total) * BAR_WIDTH as u64 / total.max(1)) as usize;
    format!(
        "[{}{}] {done}/{total}",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled)
    )
}

impl Sink for Console {
    fn send(&self, event: &Event) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        let mut err = std::io::stderr().lock();
        let line = match event {
            Event::Progress { step, done, total } if *total > 0 => {
                if self.terminal {
                    let _ = write!(err, "\r    {:<26} {}", step.title(), bar(*done, *total));
                    let _ = err.flush();
                    st.bar_open = true;
                    return;
                }
                let q = done * 4 / total;
                if q <= st.quarter {
                    return;
                }
                st.quarter = q;
                format!("    {}: {done}/{total}", step.title())
            }
            // The command prints its own last words after Ended.
            Event::Progress { .. } | Event::Finished { .. } | Event::Ended { .. } => return,
            Event::Started { step } => {
                st.quarter = 0;
                format!("==> {}", step.title())
            }
            Event::Log { level, message, .. } => match level {
                Level::Debug => return,
                Level::Info => format!("    {message}"),
                Level::Warn => format!("    warning: {message}"),
                Level::Error => format!("    error: {message}"),
            },
            Event::Failed { step, error } => format!("!!> {} failed: {error}", step.title()),
        };
        if std::mem::take(&mut st.bar_open) {
            let _ = writeln!(err);
        }
        let _ = writeln!(err, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bar_fills_in_proportion() {
        assert_eq!(bar(0, 10), format!("[{}] 0/10", "-".repeat(30)));
        assert_eq!(
            bar(5, 10),
            format!("[{}{}] 5/10", "#".repeat(15), "-".repeat(15))
        );
        assert_eq!(bar(12, 10), format!("[{}] 12/10", "#".repeat(30)));
        assert_eq!(bar(0, 0), format!("[{}] 0/0", "-".repeat(30)));
    }
}

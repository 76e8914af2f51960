//! dnf's stdout, line by line, turned into events: the transaction's "Installing : X  i/N"
//! lines become `Progress { step: Payload, done: i, total: N }`, downloads
//! "(i/N): X.rpm  rate | size" become Info log lines, the rest Debug log lines.
//! This is dnf 4's format; dnf 5 prints "[i/N] ..." and would get its own `parse`.

use crate::events::{Event, Level, Sink, Step};

/// What one line of dnf output means.
#[derive(Debug, Clone, PartialEq)]
pub enum Line<'a> {
    /// "(3/11): bash-5.2.37-1.azl4.x86_64.rpm  87 MB/s | 1.0 MB  00:00".
    Downloaded {
        done: u64,
        total: u64,
        file: &'a str,
        size: Option<&'a str>,
    },
    /// "  Installing       : setup-2.15.0-1.azl4.noarch    1/17".
    Transaction {
        action: &'a str,
        what: &'a str,
        done: u64,
        total: u64,
    },
    Other(&'a str),
}

/// Actions that advance the transaction (not "Verifying" or "Running scriptlet", which
/// repeat the counter).
const ADVANCING: [&str; 6] = [
    "Installing",
    "Upgrading",
    "Reinstalling",
    "Downgrading",
    "Erasing",
    "Obsoleting",
];

pub fn parse(line: &str) -> Line<'_> {
    parse_download(line)
        .or_else(|| parse_transaction(line))
        .unwrap_or(Line::Other(line))
}

fn fraction(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn parse_download(line: &str) -> Option<Line<'_>> {
    let rest = line.strip_prefix('(')?;
    let (frac, rest) = rest.split_once("): ")?;
    let (done, total) = fraction(frac)?;
    let file = rest.split_whitespace().next()?;
    // "| 1.0 MB     00:00": the size is the two words after the bar.
    let size = rest.split_once('|').and_then(|(_, r)| {
        let r = r.trim_start();
        let mut end = 0;
        for (n, w) in r.split_whitespace().take(2).enumerate() {
            let start = r[end..].find(w).map(|i| i + end)?;
            end = start + w.len();
            if n == 1 {
                return Some(&r[..end]);
            }
        }
        None
    });
    Some(Line::Downloaded {
        done,
        total,
        file,
        size,
    })
}

fn parse_transaction(line: &str) -> Option<Line<'_>> {
    let (action, rest) = line.split_once(':')?;
    let action = action.trim();
    if action.is_empty() || action.len() > 24 {
        return None;
    }
    let rest = rest.trim();
    let (what, frac) = rest.rsplit_once(char::is_whitespace)?;
    let (done, total) = fraction(frac)?;
    Some(Line::Transaction {
        action,
        what: what.trim(),
        done,
        total,
    })
}

/// Turns lines into events; keeps the transaction's count monotonic.
pub struct Tracker<'a> {
    events: &'a dyn Sink,
    /// Prefix for log lines ("prefetch: " for the background download).
    prefix: &'static str,
    /// Send Progress events (the transaction does; the prefetch does not).
    progress: bool,
    done: u64,
    total: u64,
}

impl<'a> Tracker<'a> {
    pub fn new(events: &'a dyn Sink, prefix: &'static str, progress: bool) -> Self {
        Tracker {
            events,
            prefix,
            progress,
            done: 0,
            total: 0,
        }
    }

    pub fn line(&mut self, raw: &str) {
        if raw.trim().is_empty() {
            return;
        }
        match parse(raw) {
            Line::Downloaded {
                done,
                total,
                file,
                size,
            } => self.log(
                Level::Info,
                format!(
                    "downloaded {done}/{total} {file}{}",
                    size.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
            ),
            Line::Transaction {
                action,
                what,
                done,
                total,
            } if ADVANCING.contains(&action) => {
                self.log(Level::Debug, format!("{action} {what} ({done}/{total})"));
                if self.progress && total > 0 && (done > self.done || total != self.total) {
                    self.done = done.min(total);
                    self.total = total;
                    self.send_progress();
                }
            }
            _ => self.log(Level::Debug, raw.trim_end().to_owned()),
        }
    }

    /// After a successful transaction: the count ends at total even if the last line
    /// was a scriptlet or verification.
    pub fn finish(&mut self) {
        if self.progress && self.total > 0 && self.done < self.total {
            self.done = self.total;
            self.send_progress();
        }
    }

    pub fn log(&self, level: Level, message: String) {
        self.events.send(&Event::Log {
            step: Some(Step::Payload),
            level,
            message: format!("{}{message}", self.prefix),
        });
    }

    fn send_progress(&self) {
        self.events.send(&Event::Progress {
            step: Step::Payload,
            done: self.done,
            total: self.total,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Recorder;

    #[test]
    fn download_lines() {
        assert_eq!(
            parse(
                "(2/11): bash-5.2.37-1.azl4.x86_64.rpm            87 MB/s | 1.0 MB     00:00    "
            ),
            Line::Downloaded {
                done: 2,
                total: 11,
                file: "bash-5.2.37-1.azl4.x86_64.rpm",
                size: Some("1.0 MB")
            }
        );
    }

    #[test]
    fn transaction_lines() {
        assert_eq!(
            parse(
                "  Installing       : vim-common-9.1.866-1.azl4.x86_64                     10/17 "
            ),
            Line::Transaction {
                action: "Installing",
                what: "vim-common-9.1.866-1.azl4.x86_64",
                done: 10,
                total: 17
            }
        );
        assert_eq!(parse("Total size: 1.2 M"), Line::Other("Total size: 1.2 M"));
        assert_eq!(
            parse("Install  17 Packages"),
            Line::Other("Install  17 Packages")
        );
    }

    #[test]
    fn progress_is_monotonic_and_ends_at_total() {
        let rec = Recorder::default();
        let mut t = Tracker::new(&rec, "", true);
        for l in [
            "  Preparing        :                                          1/1 ",
            "  Installing       : a-1-1.x86_64     1/3 ",
            "  Running scriptlet: a-1-1.x86_64     1/3 ",
            "  Installing       : b-1-1.x86_64     2/3 ",
            "  Verifying        : a-1-1.x86_64     1/3 ",
        ] {
            t.line(l);
        }
        t.finish();
        let p: Vec<(u64, u64)> = rec
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Progress { done, total, .. } => Some((done, total)),
                _ => None,
            })
            .collect();
        assert_eq!(p, [(1, 3), (2, 3), (3, 3)]);
    }
}

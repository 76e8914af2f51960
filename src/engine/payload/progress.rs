//! dnf's output, line by line, turned into events: transaction lines become
//! `Progress { step: Payload, done: i, total: N }`, finished downloads Info log lines, the
//! rest Debug log lines. Both dnf 4 ("(i/N): X.rpm ...", "  Installing : X  i/N") and
//! dnf 5 ("[i/N] X  100% | speed | size | time", printed once per finished item when not on
//! a terminal) are understood; neither format can be mistaken for the other.

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
    /// dnf 5: a bar of the transaction that is no package ("[ 1/29] Verify package files").
    Step {
        done: u64,
        name: &'a str,
    },
    /// dnf 5, after a download bar: the package came from the cache.
    Cached,
    Other(&'a str),
}

/// Actions that advance the transaction (not dnf 4's "Verifying" or "Running scriptlet",
/// which repeat the counter). "Removing" and "Cleanup" are dnf 5's words.
const ADVANCING: [&str; 8] = [
    "Installing",
    "Upgrading",
    "Reinstalling",
    "Downgrading",
    "Erasing",
    "Obsoleting",
    "Removing",
    "Cleanup",
];

/// dnf 5's bars that are steps of the transaction without a package ("[1/N] Verify package
/// files"), and the "Total" bar after the downloads.
const DNF5_STEPS: [&str; 4] = [
    "Verify package files",
    "Prepare transaction",
    "Running scriptlets",
    "Total",
];

/// What dnf 5 prints under the download bar of a package it found in the cache.
const DNF5_CACHED: &str = ">>> Already downloaded";

pub fn parse(line: &str) -> Line<'_> {
    if line.trim() == DNF5_CACHED {
        return Line::Cached;
    }
    parse_download(line)
        .or_else(|| parse_transaction(line))
        .or_else(|| parse_dnf5(line))
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

/// "[ 3/30] Installing bash-0:5.2.37-1.azl4.x86_64  100% | 1.2 MiB/s | 1.0 MiB | 00m01s":
/// a transaction item; the same with only a NEVRA is a finished download. Columns after the
/// description are separated by " | "; the size is the third.
fn parse_dnf5(line: &str) -> Option<Line<'_>> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (frac, rest) = rest.split_once(']')?;
    let (done, total) = fraction(frac)?;
    let mut cols = rest.split(" | ");
    let first = cols.next()?.trim();
    // The percentage ends the first column.
    let what = match first.rsplit_once(char::is_whitespace) {
        Some((d, pct)) if pct.ends_with('%') => d.trim_end(),
        _ => first,
    };
    if DNF5_STEPS.contains(&what) {
        return Some(Line::Step { done, name: what });
    }
    if what.is_empty() {
        return Some(Line::Other(line));
    }
    if let Some((action, nevra)) = what.split_once(' ')
        && ADVANCING.contains(&action)
    {
        return Some(Line::Transaction {
            action,
            what: nevra.trim(),
            done,
            total,
        });
    }
    let size = cols.nth(1).map(str::trim).filter(|s| !s.is_empty());
    Some(Line::Downloaded {
        done,
        total,
        file: what,
        size,
    })
}

/// Turns lines into events; keeps the transaction's count monotonic.
pub struct Tracker<'a> {
    events: &'a dyn Sink,
    done: u64,
    total: u64,
    /// dnf 5 numbers the steps before the first package ("Verify package files", "Prepare
    /// transaction") with the packages: "[3/29]" is the first of 27 packages.
    steps_before: u64,
    in_packages: bool,
    /// A finished download is logged when the next line is read: dnf 5 says whether it
    /// came from the cache on the line after.
    pending: Option<String>,
}

impl<'a> Tracker<'a> {
    pub fn new(events: &'a dyn Sink) -> Self {
        Tracker {
            events,
            done: 0,
            total: 0,
            steps_before: 0,
            in_packages: false,
            pending: None,
        }
    }

    pub fn line(&mut self, raw: &str) {
        if raw.trim().is_empty() {
            return;
        }
        let line = parse(raw);
        if line == Line::Cached {
            if let Some(item) = self.pending.take() {
                self.log(Level::Info, format!("from the package cache {item}"));
            }
            return;
        }
        self.flush();
        match line {
            Line::Downloaded {
                done,
                total,
                file,
                size,
            } => {
                self.pending = Some(format!(
                    "{done}/{total} {file}{}",
                    size.map(|s| format!(" ({s})")).unwrap_or_default()
                ))
            }
            Line::Step { done, name } => {
                if !self.in_packages && name != "Total" {
                    self.steps_before = done;
                }
                self.log(Level::Debug, raw.trim_end().to_owned());
            }
            Line::Transaction {
                action,
                what,
                done,
                total,
            } if ADVANCING.contains(&action) => {
                self.in_packages = true;
                let done = done.saturating_sub(self.steps_before);
                let total = total.saturating_sub(self.steps_before);
                self.log(Level::Debug, format!("{action} {what} ({done}/{total})"));
                if total > 0 && (done > self.done || total != self.total) {
                    self.done = done.min(total);
                    self.total = total;
                    self.send_progress();
                }
            }
            _ => self.log(Level::Debug, raw.trim_end().to_owned()),
        }
    }

    /// Logs the download held back for a possible "Already downloaded".
    fn flush(&mut self) {
        if let Some(item) = self.pending.take() {
            self.log(Level::Info, format!("downloaded {item}"));
        }
    }

    /// After a successful transaction: the count ends at total even if the last line
    /// was a scriptlet or verification.
    pub fn finish(&mut self) {
        self.flush();
        if self.total > 0 && self.done < self.total {
            self.done = self.total;
            self.send_progress();
        }
    }

    pub fn log(&self, level: Level, message: String) {
        self.events.log(Step::Payload, level, message);
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

    /// Lines as dnf 5 prints them when stdout is not a terminal (libdnf5-cli's
    /// DownloadProgressBar: number, description, percent, then " | " columns).
    #[test]
    fn dnf5_lines() {
        assert_eq!(
            parse(
                "[ 2/11] bash-0:5.2.37-1.azl4.x86_64          100% |  87.0 MiB/s |   1.0 MiB |  00m00s"
            ),
            Line::Downloaded {
                done: 2,
                total: 11,
                file: "bash-0:5.2.37-1.azl4.x86_64",
                size: Some("1.0 MiB")
            }
        );
        assert_eq!(
            parse(
                "[10/19] Installing vim-common-2:9.1.866-1.azl4.x86_64 100% |  12.0 MiB/s |  8.1 MiB |  00m01s"
            ),
            Line::Transaction {
                action: "Installing",
                what: "vim-common-2:9.1.866-1.azl4.x86_64",
                done: 10,
                total: 19
            }
        );
        assert_eq!(
            parse(
                "[ 2/19] Prepare transaction                  100% | 850.0   B/s |  17.0   B |  00m00s"
            ),
            Line::Step {
                done: 2,
                name: "Prepare transaction"
            }
        );
        assert_eq!(parse(">>> Already downloaded"), Line::Cached);
        for other in [
            "fixture                                100% |   1.2 MiB/s |   3.4 KiB |  00m00s",
            "Running transaction",
        ] {
            assert_eq!(parse(other), Line::Other(other), "{other}");
        }
    }

    #[test]
    fn dnf5_transaction_counts_through_to_the_last_package() {
        let rec = Recorder::default();
        let mut t = Tracker::new(&rec);
        for l in [
            "[1/2] a-0:1-1.x86_64      100% | 1.0 MiB/s | 10.0 KiB | 00m00s",
            "[2/2] b-0:1-1.x86_64      100% | 1.0 MiB/s | 10.0 KiB | 00m00s",
            "[1/4] Verify package files 100% | 1.0 KiB/s | 2.0   B | 00m00s",
            "[2/4] Prepare transaction  100% | 1.0 KiB/s | 2.0   B | 00m00s",
            "[3/4] Installing a-0:1-1.x86_64 100% | 1.0 MiB/s | 10.0 KiB | 00m00s",
            "[4/4] Installing b-0:1-1.x86_64 100% | 1.0 MiB/s | 10.0 KiB | 00m00s",
        ] {
            t.line(l);
        }
        t.finish();
        let ev = rec.events();
        let p: Vec<(u64, u64)> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Progress { done, total, .. } => Some((*done, *total)),
                _ => None,
            })
            .collect();
        assert_eq!(p, [(1, 2), (2, 2)]);
        let downloads = ev
            .iter()
            .filter(|e| matches!(e, Event::Log { level: Level::Info, message, .. } if message.starts_with("downloaded ")))
            .count();
        assert_eq!(downloads, 2);
    }

    /// Feeds a captured dnf 5 run (tests/fixtures/capture-dnf5-output) line by line.
    fn track(output: &str) -> Vec<Event> {
        let rec = Recorder::default();
        let mut t = Tracker::new(&rec);
        for l in output.lines() {
            t.line(l);
        }
        t.finish();
        rec.events()
    }

    fn progress(ev: &[Event]) -> Vec<(u64, u64)> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Progress { done, total, .. } => Some((*done, *total)),
                _ => None,
            })
            .collect()
    }

    fn info_logs(ev: &[Event], prefix: &str) -> Vec<String> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Log {
                    level: Level::Info,
                    message,
                    ..
                } if message.starts_with(prefix) => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    /// The 9 packages of `dnf5 install selinux-policy-targeted tmux` (its stdout's summary).
    const PACKAGES: u64 = 9;

    #[test]
    fn real_dnf5_install_counts_packages_with_whole_names() {
        let stdout = include_str!("testdata/dnf5-install.stdout");
        assert!(stdout.contains(&format!("Installing:         {PACKAGES} packages")));
        let ev = track(include_str!("testdata/dnf5-install.stderr"));
        let p = progress(&ev);
        assert_eq!(p, (1..=PACKAGES).map(|i| (i, PACKAGES)).collect::<Vec<_>>());
        let downloads = info_logs(&ev, "downloaded ");
        assert_eq!(downloads.len() as u64, PACKAGES, "{downloads:?}");
        assert!(
            downloads
                .iter()
                .any(|d| d.contains(" selinux-policy-targeted-0:41.27-1.azl4.noarch (")),
            "{downloads:?}"
        );
        assert!(info_logs(&ev, "from the package cache").is_empty());
        let debug: Vec<String> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Log { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect();
        assert!(
            debug.contains(
                &"Installing selinux-policy-targeted-0:41.27-1.azl4.noarch (7/9)".to_owned()
            ),
            "{debug:#?}"
        );
    }

    #[test]
    fn real_dnf5_install_from_the_cache_says_so() {
        let ev = track(include_str!("testdata/dnf5-cached.stderr"));
        assert_eq!(progress(&ev).last(), Some(&(PACKAGES, PACKAGES)));
        let cached = info_logs(&ev, "from the package cache ");
        assert_eq!(cached.len() as u64, PACKAGES, "{cached:?}");
        assert!(
            cached
                .iter()
                .any(|c| c.contains(" tmux-0:3.5a-1.azl4.x86_64"))
        );
        assert!(info_logs(&ev, "downloaded ").is_empty());
    }

    #[test]
    fn progress_is_monotonic_and_ends_at_total() {
        let rec = Recorder::default();
        let mut t = Tracker::new(&rec);
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

//! Downloads the payload's package files in the background while the disk is partitioned
//! and formatted (and, in the TUI, while the admin answers), straight into the directory
//! where dnf looks for them (`payload::dnf_packages_dir`), so the transaction finds them
//! there and downloads only what the prefetch did not get.
//!
//! Why not `dnf --downloadonly`: a second dnf run loads and resolves everything twice, and
//! its downloads were slower than the transaction they were meant to save (measured over
//! HTTP with 50 ms per request, tests/bench). Here the file list comes from the plan (the
//! dependency closure of the verified primary), several files download at once, and each
//! is checked against primary's checksum and size before it gets its final name: a killed
//! or failed download leaves nothing the transaction could take for a package. dnf checks
//! every cached package again anyway, and downloads what is missing or differs.

mod download;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::answer::human_bytes;
use crate::events::{Level, Sink, Step};
use crate::plan::Payload;

use super::payload::dnf_packages_dir;
use download::{DownloadError, Job};

/// Files downloading at once (as many as dnf itself is told to: `max_parallel_downloads`).
const PARALLEL: usize = 10;
/// Failures in a row after which the prefetch stops (a dead mirror): the install downloads.
const GIVE_UP_AFTER: usize = 4;

/// Why the prefetch did not get every file; the install works whatever this says.
#[derive(Debug, thiserror::Error)]
pub enum PrefetchError {
    #[error("cancelled")]
    Cancelled,
    #[error("{failed} of {total} files not downloaded (the install downloads them): {first}")]
    Incomplete {
        failed: usize,
        total: usize,
        first: String,
    },
    #[error("{0}")]
    Setup(String),
    #[error("the download thread ended abnormally")]
    Panicked,
}

/// A running background download. Dropping it cancels it.
pub struct Prefetch {
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), PrefetchError>>>,
}

impl Prefetch {
    /// Starts downloading `payload`'s remote package files into the dnf cache at `cache`.
    pub fn start(payload: &Payload, cache: &Path, events: Arc<dyn Sink>) -> Prefetch {
        let cancel = Arc::new(AtomicBool::new(false));
        let jobs = jobs(payload, cache);
        let stop = cancel.clone();
        let thread = std::thread::Builder::new()
            .name("prefetch".into())
            .spawn(move || {
                let r = run(jobs, &stop, &events);
                match &r {
                    Ok(()) | Err(PrefetchError::Cancelled) => {}
                    Err(e) => log(events.as_ref(), Level::Warn, e.to_string()),
                }
                r
            });
        // A thread that cannot start leaves a prefetch that is already over.
        Prefetch {
            cancel,
            thread: thread.ok(),
        }
    }

    /// Stops the downloads without waiting: a download blocked on a stalled mirror ends at
    /// its next read (or read timeout), removes its temporary file and reports nothing.
    pub fn cancel(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.thread.take();
    }

    /// Waits for the downloads to end.
    pub fn wait(mut self) -> Result<(), PrefetchError> {
        match self.thread.take() {
            Some(t) => t.join().unwrap_or(Err(PrefetchError::Panicked)),
            None => Err(PrefetchError::Cancelled),
        }
    }

    /// True while the downloads are still running (and not cancelled).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.cancel();
    }
}

fn log(events: &dyn Sink, level: Level, message: String) {
    events.log(Step::Payload, level, format!("prefetch: {message}"));
}

/// The files to fetch: those of http(s) repositories (dnf reads local ones in place) that
/// are not in the cache yet with their full size (a cached file dnf checks itself).
fn jobs(payload: &Payload, cache: &Path) -> Vec<Job> {
    payload
        .files
        .iter()
        .filter_map(|f| {
            let repo = payload.repos.iter().find(|r| r.name == f.repo)?;
            let remote = ["http://", "https://"].iter().any(|s| {
                repo.url
                    .get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s))
            });
            let name = f.location.rsplit('/').next().filter(|n| !n.is_empty())?;
            let dest = dnf_packages_dir(cache, repo).join(name);
            let cached = std::fs::metadata(&dest).is_ok_and(|m| m.len() == f.size);
            (remote && !cached).then(|| Job {
                url: crate::repo::join_url(&repo.url, &f.location),
                dest,
                file: f.clone(),
            })
        })
        .collect()
}

fn run(
    jobs: Vec<Job>,
    cancel: &Arc<AtomicBool>,
    events: &Arc<dyn Sink>,
) -> Result<(), PrefetchError> {
    if jobs.is_empty() {
        log(
            events.as_ref(),
            Level::Info,
            "nothing to download (local repositories, or all in the cache)".into(),
        );
        return Ok(());
    }
    let client = download::client().map_err(PrefetchError::Setup)?;
    let started = Instant::now();
    let total = jobs.len();
    let shared = Arc::new(Shared {
        jobs,
        next: AtomicUsize::new(0),
        tally: Mutex::new(Tally::default()),
        cancel: cancel.clone(),
        events: events.clone(),
    });
    // Threads of their own, not scoped: a cancelled prefetch must not wait for a read.
    let workers: Vec<_> = (0..PARALLEL.min(total))
        .filter_map(|_| {
            let (shared, client) = (shared.clone(), client.clone());
            std::thread::Builder::new()
                .name("prefetch-file".into())
                .spawn(move || shared.work(&client))
                .ok()
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    if cancel.load(Ordering::SeqCst) {
        return Err(PrefetchError::Cancelled);
    }
    let t = shared.tally.lock().map_err(|_| PrefetchError::Panicked)?;
    if t.done < total {
        return Err(PrefetchError::Incomplete {
            failed: total - t.done,
            total,
            first: t.first_error.clone().unwrap_or_else(|| "stopped".into()),
        });
    }
    let secs = started
        .elapsed()
        .max(Duration::from_millis(1))
        .as_secs_f64();
    log(
        events.as_ref(),
        Level::Info,
        format!(
            "all packages are in the cache: {total} files, {} in {secs:.1} s ({}/s)",
            human_bytes(t.bytes),
            human_bytes((t.bytes as f64 / secs) as u64)
        ),
    );
    Ok(())
}

/// What the download threads share: the list, the next file to take, the tally.
struct Shared {
    jobs: Vec<Job>,
    next: AtomicUsize,
    tally: Mutex<Tally>,
    cancel: Arc<AtomicBool>,
    events: Arc<dyn Sink>,
}

impl Shared {
    fn work(&self, client: &reqwest::blocking::Client) {
        loop {
            let i = self.next.fetch_add(1, Ordering::SeqCst);
            let Some(job) = self.jobs.get(i) else { break };
            if self.stopped() {
                break;
            }
            let r = job.fetch(client, &self.cancel);
            // After a cancel the install has moved on: nothing more is reported.
            if self.cancel.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut t) = self.tally.lock() else { break };
            t.record(job, r, self.jobs.len(), self.events.as_ref());
        }
    }

    /// Cancelled, or too many failures in a row (a dead mirror).
    fn stopped(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
            || self
                .tally
                .lock()
                .map_or(true, |t| t.failures_in_a_row >= GIVE_UP_AFTER)
    }
}

/// What the workers have done so far.
#[derive(Default)]
struct Tally {
    done: usize,
    bytes: u64,
    failures_in_a_row: usize,
    first_error: Option<String>,
}

impl Tally {
    fn record(&mut self, job: &Job, r: Result<(), DownloadError>, total: usize, events: &dyn Sink) {
        match r {
            Ok(()) => {
                self.done += 1;
                self.bytes += job.file.size;
                self.failures_in_a_row = 0;
                log(
                    events,
                    Level::Info,
                    format!(
                        "downloaded {}/{total} {} ({})",
                        self.done,
                        job.file.nevra,
                        human_bytes(job.file.size)
                    ),
                );
            }
            Err(DownloadError::Cancelled) => {}
            Err(e) => {
                self.failures_in_a_row += 1;
                let what = format!("{}: {e}", job.file.nevra);
                log(events, Level::Warn, what.clone());
                self.first_error.get_or_insert(what);
            }
        }
    }
}

/// Where a job's file goes while it downloads: a name of its own, since a cancelled
/// prefetch may still be writing when the next one starts on the same cache.
fn part_path(dest: &Path) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".azl-part-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    ));
    dest.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::RepoSource;
    use crate::repo::PackageFile;

    fn payload(url: &str) -> Payload {
        Payload {
            repos: vec![RepoSource {
                name: "r".into(),
                url: url.into(),
                gpg_keys: vec![],
                gpg_check: true,
            }],
            releasever: "4.0".into(),
            files: vec![PackageFile {
                repo: "r".into(),
                nevra: "bash-5.2-1.x86_64".into(),
                location: "Packages/b/bash-5.2-1.x86_64.rpm".into(),
                checksum: ("sha256".into(), "00".repeat(32)),
                size: 3,
            }],
            download_bytes: 3,
            ..Default::default()
        }
    }

    #[test]
    fn only_remote_files_not_yet_cached_are_fetched() {
        let cache = tempfile::tempdir().unwrap();
        assert!(jobs(&payload("file:///srv/repo"), cache.path()).is_empty());
        let p = payload("HTTPS://user:secret@mirror.example/repo/");
        let j = jobs(&p, cache.path());
        assert_eq!(j.len(), 1);
        assert_eq!(
            j[0].url,
            "HTTPS://user:secret@mirror.example/repo/Packages/b/bash-5.2-1.x86_64.rpm"
        );
        assert!(j[0].dest.ends_with("packages/bash-5.2-1.x86_64.rpm"));
        // A file of the full size is left to dnf's own check; a shorter one is fetched.
        std::fs::create_dir_all(j[0].dest.parent().unwrap()).unwrap();
        std::fs::write(&j[0].dest, "ab").unwrap();
        assert_eq!(jobs(&p, cache.path()).len(), 1);
        std::fs::write(&j[0].dest, "abc").unwrap();
        assert!(jobs(&p, cache.path()).is_empty());
    }
}

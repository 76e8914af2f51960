//! Everything the TUI needs from the rest of the installer, behind one trait so that tests
//! (and a demo) can run the whole TUI on a fake machine. The real backend uses the probe,
//! the plan and the engine; the TUI itself never touches a disk or runs a program.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use crate::answer::Answer;
use crate::engine::prefetch::Prefetch;
use crate::events::{Event, JournalFile, Sink, Traced};
use crate::plan::Payload;
use crate::plan::{Plan, Refused};
use crate::probe::{self, Hardware, Roots, Transport};
use crate::repo::RepoIndex;

pub trait Backend {
    /// The machine as probed.
    fn hardware(&self) -> Result<Hardware, String>;
    /// The verified metadata of the answer's repositories (the install media's when none).
    fn load_repos(&self, answer: &Answer) -> Result<RepoIndex, String>;
    /// The preflight: pure, writes nothing.
    fn resolve(&self, answer: &Answer, hw: &Hardware, index: &RepoIndex) -> Result<Plan, Refused> {
        Plan::resolve(answer, hw, index)
    }
    /// Runs the engine on a worker thread; its events arrive on `events`, and the sender is
    /// dropped when the engine is done (whether it succeeded or not).
    fn start_install(&self, plan: Plan, events: Sender<Event>);
    /// Asks a running install to stop (after the user confirmed).
    fn abort_install(&self) {}
    /// Starts downloading the plan's packages in the background while the admin is still
    /// answering; a plan with a different package set cancels and restarts it.
    fn start_prefetch(&self, _plan: &Plan) {}
    /// A crypt(3) hash of `plain` for the answer file.
    fn hash_password(&self, plain: &str) -> Result<String, String>;
}

/// Forwards engine events to the TUI's channel (and the journal file), remembering whether
/// a step failed.
struct ChannelSink {
    tx: std::sync::Mutex<Sender<Event>>,
    journal: Option<JournalFile>,
    failed: AtomicBool,
}

impl Sink for ChannelSink {
    fn send(&self, event: &Event) {
        if matches!(event, Event::Failed { .. }) {
            self.failed.store(true, Ordering::SeqCst);
        }
        if let Some(j) = &self.journal {
            j.send(event);
        }
        // The TUI may have gone away (terminal closed): the install goes on regardless.
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(event.clone());
        }
    }
}

/// The installer on this machine.
#[derive(Default)]
pub struct RealBackend {
    /// A disk image file offered as a disk besides the probed ones (demo and tests).
    pub image: Option<PathBuf>,
    /// Set once the engine's signal handlers are in place.
    handlers: AtomicBool,
    /// How the engine runs (mount point, package cache, logs to save).
    pub run_options: crate::engine::RunOptions,
    /// The download running for the latest plan's package set.
    prefetch: std::sync::Mutex<Option<(Payload, Prefetch)>>,
    /// Where the events are written, one JSON object a line, as `install` writes them; the
    /// save-logs step copies it onto the target.
    pub journal: Option<PathBuf>,
}

impl RealBackend {
    pub fn new(image: Option<PathBuf>, run_options: crate::engine::RunOptions) -> RealBackend {
        RealBackend {
            image,
            handlers: AtomicBool::new(false),
            run_options,
            prefetch: std::sync::Mutex::new(None),
            journal: None,
        }
    }

    pub fn with_journal(mut self, journal: Option<PathBuf>) -> RealBackend {
        self.journal = journal;
        self
    }
}

impl Backend for RealBackend {
    fn hardware(&self) -> Result<Hardware, String> {
        let mut hw = probe::probe(&Roots::host()).map_err(|e| e.to_string())?;
        // Loop devices are the live system's own images or somebody's scratch files, never
        // an admin's disk (`probe` hides them too without --all): an image is offered
        // through --disk-image instead.
        hw.disks.retain(|d| d.transport != Transport::Loop);
        if let Some(img) = &self.image {
            hw.disks
                .push(probe::image_disk(img).map_err(|e| e.to_string())?);
        }
        Ok(hw)
    }

    fn load_repos(&self, answer: &Answer) -> Result<RepoIndex, String> {
        // Fetched and verified against the configured keys, exactly as `install` does.
        crate::repo::load(&crate::plan::repo_sources(answer))
            .map(|l| l.index)
            .map_err(|e| e.to_string())
    }

    fn start_prefetch(&self, plan: &Plan) {
        let Ok(mut running) = self.prefetch.lock() else {
            return;
        };
        if running.as_ref().is_some_and(|(p, _)| *p == plan.payload) {
            return;
        }
        // Replacing the old one drops it, which cancels its download; what it finished
        // stays in the cache for the next.
        let p = Prefetch::start(&plan.payload, &self.run_options.cache, Arc::new(Traced));
        *running = Some((plan.payload.clone(), p));
    }

    fn start_install(&self, plan: Plan, events: Sender<Event>) {
        // The engine runs its own prefetch on the same cache: one dnf at a time on it.
        if let Ok(mut running) = self.prefetch.lock() {
            running.take();
        }
        crate::engine::handle_interrupts();
        self.handlers.store(true, Ordering::SeqCst);
        let mut opts = self.run_options.clone();
        let journal = self
            .journal
            .as_deref()
            .and_then(|p| JournalFile::create(p).ok());
        if journal.is_none() {
            // No journal to save: the save-logs step must not look for one.
            opts.logs.retain(|(p, _)| Some(p) != self.journal.as_ref());
        }
        std::thread::spawn(move || {
            let sink = Arc::new(ChannelSink {
                tx: std::sync::Mutex::new(events),
                journal,
                failed: AtomicBool::new(false),
            });
            if let Err(e) = crate::engine::run(&plan, sink.clone(), &opts) {
                // Some errors (attaching an image) come before any step started.
                if !sink.failed.load(Ordering::SeqCst) {
                    sink.send(&Event::Failed {
                        step: e.step,
                        error: e.to_string(),
                    });
                }
            }
        });
    }

    fn abort_install(&self) {
        // Raw mode turned Ctrl-C into a key, so nothing was signalled. The engine's flag is
        // what a SIGINT would have set: the running step's program (dnf, a post script) is
        // killed and the engine unwinds. No signal to our process group: that would also hit
        // whatever started the TUI (a shell, a getty).
        if self.handlers.load(Ordering::SeqCst) {
            crate::engine::interrupt();
        }
    }

    fn hash_password(&self, plain: &str) -> Result<String, String> {
        crate::answer::hash_plain("the account", plain).map_err(|e| e.to_string())
    }
}

//! Everything the TUI needs from the rest of the installer, behind one trait so that tests
//! (and a demo) can run the whole TUI on a fake machine. The real backend uses the probe,
//! the plan and the engine; the TUI itself never touches a disk or runs a program.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use crate::answer::{Answer, Reporting};
use crate::engine::prefetch::Prefetch;
use crate::events::{Event, Exit, Fanout, JournalFile, SharedSink, Sink, Traced, Watch};
use crate::plan::Payload;
use crate::plan::Plan;
use crate::probe::{self, Hardware, Roots, Transport};
use crate::repo::RepoIndex;

/// Loads repository metadata; sent to a thread.
pub type RepoLoader = Box<dyn FnOnce() -> Result<RepoIndex, String> + Send>;

pub trait Backend {
    /// The machine as probed.
    fn hardware(&self) -> Result<Hardware, String>;
    /// The work that fetches and verifies the answer's repositories (the install media's
    /// when none): the runner does it on a thread of its own, so that a slow or dead mirror
    /// never freezes the screen or Ctrl-C.
    fn repo_loader(&self, answer: &Answer) -> RepoLoader;
    /// Runs the engine on a worker thread; its events arrive on `events`, and the sender is
    /// dropped when the engine is done (whether it succeeded or not).
    /// Runs the engine on `plan`, posting its events to the answer's webhook too.
    fn start_install(&self, plan: Plan, reporting: Reporting, events: Sender<Event>);
    /// Asks a running install to stop (after the user confirmed).
    fn abort_install(&self) {}
    /// Starts downloading the plan's packages in the background while the admin is still
    /// answering; a plan with a different package set cancels and restarts it.
    fn start_prefetch(&self, _plan: &Plan) {}
    /// Fills in what the answer only points at before it is planned: the passphrase of a
    /// `storage.encryption.passphrase_file` (the plan must carry it to make the containers).
    fn read_secrets(&self, _answer: &mut Answer) -> Result<(), crate::answer::Issue> {
        Ok(())
    }
}

/// Forwards engine events to the TUI's channel (and the journal file). `close` lets the TUI
/// go on before the webhook's last posts are done.
struct ChannelSink {
    tx: std::sync::Mutex<Option<Sender<Event>>>,
    journal: Option<JournalFile>,
}

impl ChannelSink {
    fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
    }
}

impl Sink for ChannelSink {
    fn send(&self, event: &Event) {
        if let Some(j) = &self.journal {
            j.send(event);
        }
        // The TUI may have gone away (terminal closed): the install goes on regardless.
        if let Ok(tx) = self.tx.lock()
            && let Some(tx) = tx.as_ref()
        {
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
    /// The engine's thread, which ends after the webhook's last posts: waited for on drop,
    /// so that leaving the TUI (to reboot) does not cut the deployment server's report short.
    worker: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for RealBackend {
    fn drop(&mut self) {
        if let Some(w) = self.worker.lock().ok().and_then(|mut w| w.take()) {
            // The webhook bounds its own wait (30 s); the engine is done by now.
            let _ = w.join();
        }
    }
}

impl RealBackend {
    pub fn new(image: Option<PathBuf>, run_options: crate::engine::RunOptions) -> RealBackend {
        RealBackend {
            image,
            handlers: AtomicBool::new(false),
            run_options,
            prefetch: std::sync::Mutex::new(None),
            journal: None,
            worker: std::sync::Mutex::new(None),
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
        // Before the loop devices are dropped: one holding the image makes it in use.
        let image = match &self.image {
            Some(img) => Some(crate::session::image_disk(img, &hw).map_err(|e| e.to_string())?),
            None => None,
        };
        // Loop devices are the live system's own images or somebody's scratch files, never
        // an admin's disk (`probe` hides them too without --all): an image is offered
        // through --disk-image instead.
        hw.disks.retain(|d| d.transport != Transport::Loop);
        hw.disks.extend(image);
        Ok(hw)
    }

    fn repo_loader(&self, answer: &Answer) -> RepoLoader {
        // Fetched and verified against the configured keys, exactly as `install` does: the
        // answer's network first when a repository is remote and the live system has no
        // route.
        let sources = crate::plan::repo_sources(answer);
        let connections = crate::plan::connections(answer).unwrap_or_default();
        Box::new(move || {
            if sources.iter().any(|s| crate::answer::is_remote(&s.url)) {
                crate::engine::live_network::ensure(&connections, &Traced)
                    .map_err(|e| format!("bringing up the live system's network: {e}"))?;
            }
            crate::repo::load(&sources)
                .map(|l| l.index)
                .map_err(|e| e.to_string())
        })
    }

    fn read_secrets(&self, answer: &mut Answer) -> Result<(), crate::answer::Issue> {
        crate::session::read_passphrase_file(answer)
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

    fn start_install(&self, plan: Plan, reporting: Reporting, events: Sender<Event>) {
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
        // The answer was checked; a certificate that cannot be read is said in the log.
        let webhook = crate::engine::start_webhook(&reporting, crate::engine::ANSWER_KEYS)
            .unwrap_or_else(|e| {
                tracing::warn!("webhook: {e}; events are not posted");
                None
            });
        let worker = std::thread::spawn(move || {
            let channel = Arc::new(ChannelSink {
                tx: std::sync::Mutex::new(Some(events)),
                journal,
            });
            let watch = Arc::new(Watch::default());
            let mut sinks: Vec<Box<dyn Sink>> = vec![
                Box::new(SharedSink(channel.clone())),
                Box::new(SharedSink(watch.clone())),
            ];
            if let Some(w) = &webhook {
                sinks.push(Box::new(SharedSink(w.clone())));
            }
            let sink = Arc::new(Fanout::new(sinks));
            let ended = match crate::engine::run(&plan, sink.clone(), &opts) {
                Ok(()) => watch.ended(Exit::Done, None, None),
                Err(e) => {
                    // Some errors (attaching an image) come before any step started.
                    if watch.failed_step().is_none() {
                        sink.send(&Event::Failed {
                            step: e.step,
                            error: e.to_string(),
                        });
                    }
                    watch.ended(e.exit(), Some(e.to_string()), Some(e.step))
                }
            };
            // As after an unattended install: the deployment server hears how it ended.
            sink.send(&ended);
            channel.close();
            if let Some(w) = &webhook {
                w.finish();
            }
        });
        if let Ok(mut w) = self.worker.lock() {
            *w = Some(worker);
        }
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
}

//! Downloads the payload in the background while the disk is partitioned and formatted:
//! dnf with the payload step's own configuration, `--downloadonly`, into a throwaway root
//! and the SAME package cache (keepcache), so the transaction later finds the packages
//! there. dnf verifies every download against primary's checksum and re-downloads a file
//! that does not match, so a killed prefetch can leave nothing the transaction would use;
//! and a failed prefetch only means the transaction downloads for itself.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::cmd::KillHandle;
use crate::events::{Event, Level, Sink, Step};
use crate::plan::Payload;

use super::payload::{self, PayloadError};

/// A running background download. Dropping it cancels it.
pub struct Prefetch {
    kill: KillHandle,
    thread: Option<JoinHandle<Result<(), PayloadError>>>,
}

impl Prefetch {
    /// Starts downloading `payload` into `cache` on a background thread.
    pub fn start(payload: &Payload, cache: &Path, events: Arc<dyn Sink>) -> Prefetch {
        let kill = KillHandle::new();
        let (payload, cache, k) = (payload.clone(), cache.to_owned(), kill.clone());
        let thread = std::thread::Builder::new()
            .name("prefetch".into())
            .spawn(move || {
                let r = payload::download_only(&payload, &cache, events.as_ref(), &k);
                let message = match &r {
                    Ok(()) => "prefetch: all packages are in the cache".to_owned(),
                    Err(PayloadError::Cancelled) => "prefetch: cancelled".to_owned(),
                    Err(e) => format!("prefetch failed, the install will download: {e}"),
                };
                events.send(&Event::Log {
                    step: Some(Step::Payload),
                    level: if matches!(&r, Ok(()) | Err(PayloadError::Cancelled)) {
                        Level::Info
                    } else {
                        Level::Warn
                    },
                    message,
                });
                r
            });
        // A thread that cannot start leaves a prefetch that is already over.
        Prefetch {
            kill,
            thread: thread.ok(),
        }
    }

    /// Stops the download (kills dnf and reaps it) and waits for the thread.
    pub fn cancel(&mut self) {
        self.kill.kill();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Waits for the download to end; the install works whatever this returns.
    pub fn wait(mut self) -> Result<(), PayloadError> {
        match self.thread.take() {
            Some(t) => t.join().unwrap_or(Err(PayloadError::Panicked)),
            None => Err(PayloadError::Panicked),
        }
    }

    /// True while the download is still running.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.cancel();
    }
}

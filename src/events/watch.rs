//! What the events of a run said about it, for the `ended` event every run finishes with:
//! the step that failed, and whether a destructive step began (the disk changed).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Event, Exit, Sink, Step};

#[derive(Default)]
pub struct Watch {
    failed: Mutex<Option<Step>>,
    destructive: AtomicBool,
}

impl Watch {
    /// The step a `failed` event named, if any.
    pub fn failed_step(&self) -> Option<Step> {
        self.failed.lock().ok().and_then(|f| *f)
    }

    /// The last event of a run that ended with `exit_code` (0 done) and `error`; `step` is
    /// the failed step when no `failed` event named one (a refusal before the engine ran).
    pub fn ended(&self, exit: Exit, error: Option<String>, step: Option<Step>) -> Event {
        Event::Ended {
            exit_code: exit.code(),
            failed_step: if exit == Exit::Done {
                None
            } else {
                self.failed_step().or(step)
            },
            error,
            disk_changed: self.destructive.load(Ordering::Relaxed),
        }
    }
}

impl Sink for Watch {
    fn send(&self, event: &Event) {
        match event {
            Event::Started { step } if *step != Step::Preflight => {
                self.destructive.store(true, Ordering::Relaxed)
            }
            Event::Failed { step, .. } => {
                if let Ok(mut f) = self.failed.lock() {
                    *f = Some(*step);
                }
            }
            _ => {}
        }
    }
}

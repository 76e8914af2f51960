//! The ordered steps of an install, each announced as events. Destructive work starts here
//! and only here, after the plan (preflight) has passed.

use std::path::Path;

use crate::events::{Event, Level, Sink, Step};
use crate::plan::Plan;
use crate::probe::Transport;

use super::disk::{self, DiskError};

/// A step failed; the message says which and what state it left behind.
#[derive(Debug, thiserror::Error)]
#[error("{} failed: {source}", .step.title())]
pub struct EngineError {
    pub step: Step,
    #[source]
    pub source: StepError,
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Disk(#[from] DiskError),
}

impl EngineError {
    /// True when the payload was already installed (exit code 5 rather than 4).
    pub fn after_payload(&self) -> bool {
        matches!(
            self.step,
            Step::Configure | Step::Bootloader | Step::PostScripts | Step::SaveLogs
        )
    }
}

/// Runs `f` as `step`: Started, then Finished or Failed.
fn step<T>(
    events: &dyn Sink,
    step: Step,
    f: impl FnOnce() -> Result<T, StepError>,
) -> Result<T, EngineError> {
    events.send(&Event::Started { step });
    match f() {
        Ok(v) => {
            events.send(&Event::Finished { step });
            Ok(v)
        }
        Err(source) => {
            events.send(&Event::Failed {
                step,
                error: source.to_string(),
            });
            Err(EngineError { step, source })
        }
    }
}

fn log(events: &dyn Sink, step: Step, message: String) {
    events.send(&Event::Log {
        step: Some(step),
        level: Level::Info,
        message,
    });
}

/// Carries out `plan`, stopping after `stop_after` when given.
pub fn run(plan: &Plan, events: &dyn Sink, stop_after: Option<Step>) -> Result<(), EngineError> {
    let done = |s: Step| stop_after == Some(s);
    step(events, Step::Preflight, || {
        log(
            events,
            Step::Preflight,
            format!(
                "target {} ({})",
                crate::plan::describe_disk(&plan.target.disk),
                plan.target.reason
            ),
        );
        Ok(())
    })?;
    if done(Step::Preflight) {
        return Ok(());
    }
    // An image file is attached to a loop device for the install and detached on return.
    let attached = match plan.target.disk.transport {
        Transport::Image => {
            Some(
                disk::attach_image(&plan.target.disk.path).map_err(|e| EngineError {
                    step: Step::Partition,
                    source: e.into(),
                })?,
            )
        }
        _ => None,
    };
    let device: &Path = match &attached {
        Some(a) => a.device(),
        None => &plan.target.disk.path,
    };
    step(events, Step::Partition, || {
        disk::partition(device, &plan.table, events)?;
        Ok(())
    })?;
    if let Some(a) = attached {
        a.detach().map_err(|e| EngineError {
            step: Step::Unmount,
            source: e.into(),
        })?;
    }
    Ok(())
}

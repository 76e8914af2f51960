//! What the events of a run said about it, for the `ended` event every run finishes with:
//! the step that failed, whether a destructive step began (the disk changed), and the final
//! report (each step's time; the machine and the plan as the front door tells it).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{Event, Exit, MachineId, Report, Sink, Step, StepTime};

/// A step as it began, and (seconds, finished) once it ended.
type Began = (Step, Instant, Option<(f64, bool)>);

pub struct Watch {
    failed: Mutex<Option<Step>>,
    destructive: AtomicBool,
    started: Instant,
    /// Steps in the order they began: when, and how long they took once they ended.
    steps: Mutex<Vec<Began>>,
    machine: Mutex<Option<MachineId>>,
    plan: Mutex<Option<String>>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            failed: Mutex::default(),
            destructive: AtomicBool::default(),
            started: Instant::now(),
            steps: Mutex::default(),
            machine: Mutex::default(),
            plan: Mutex::default(),
        }
    }
}

impl Watch {
    /// The step a `failed` event named, if any.
    pub fn failed_step(&self) -> Option<Step> {
        self.failed.lock().ok().and_then(|f| *f)
    }

    /// The machine the final report names (without it, `ended` has no report).
    pub fn set_machine(&self, id: MachineId) {
        if let Ok(mut m) = self.machine.lock() {
            *m = Some(id);
        }
    }

    /// What the plan installs, for the final report.
    pub fn set_plan(&self, summary: String) {
        if let Ok(mut p) = self.plan.lock() {
            *p = Some(summary);
        }
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
            report: self.report(),
        }
    }

    fn report(&self) -> Option<Report> {
        let machine = self.machine.lock().ok()?.clone()?;
        let steps = self
            .steps
            .lock()
            .map(|s| {
                s.iter()
                    .map(|(step, at, end)| {
                        let (seconds, ok) = end.unwrap_or((at.elapsed().as_secs_f64(), false));
                        StepTime {
                            step: *step,
                            seconds: round(seconds),
                            ok,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Report {
            machine,
            plan: self.plan.lock().ok().and_then(|p| p.clone()),
            steps,
            seconds: round(self.started.elapsed().as_secs_f64()),
        })
    }

    fn end_step(&self, step: Step, ok: bool) {
        if let Ok(mut steps) = self.steps.lock()
            && let Some((_, at, end)) = steps
                .iter_mut()
                .rev()
                .find(|(s, _, e)| *s == step && e.is_none())
        {
            *end = Some((at.elapsed().as_secs_f64(), ok));
        }
    }
}

/// Seconds to the millisecond: a report, not a benchmark.
fn round(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

impl Sink for Watch {
    fn send(&self, event: &Event) {
        match event {
            Event::Started { step } => {
                if *step != Step::Preflight {
                    self.destructive.store(true, Ordering::Relaxed);
                }
                if let Ok(mut steps) = self.steps.lock() {
                    steps.push((*step, Instant::now(), None));
                }
            }
            Event::Finished { step } => self.end_step(*step, true),
            Event::Failed { step, .. } => {
                if let Ok(mut f) = self.failed.lock() {
                    *f = Some(*step);
                }
                self.end_step(*step, false);
            }
            _ => {}
        }
    }
}

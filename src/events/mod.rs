//! Events: how the engine tells the front doors what it is doing. The engine never prints;
//! sinks turn events into console lines, JSON lines or webhook posts.

mod console;
mod watch;
mod webhook;

pub use console::Console;
pub use watch::Watch;

pub use webhook::Webhook;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The named steps of an install, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Preflight,
    Partition,
    Format,
    Mount,
    Payload,
    Configure,
    Bootloader,
    PostScripts,
    SaveLogs,
    Unmount,
    Finish,
}

impl Step {
    pub const ALL: [Step; 11] = [
        Step::Preflight,
        Step::Partition,
        Step::Format,
        Step::Mount,
        Step::Payload,
        Step::Configure,
        Step::Bootloader,
        Step::PostScripts,
        Step::SaveLogs,
        Step::Unmount,
        Step::Finish,
    ];

    /// The exit code when this step fails: refused before any write at preflight, 5 once
    /// the packages are in (the disk holds a system that only needs finishing), else 4.
    pub fn failure_exit(self) -> Exit {
        match self {
            Step::Preflight => Exit::Refused,
            Step::Configure
            | Step::Bootloader
            | Step::PostScripts
            | Step::SaveLogs
            | Step::Unmount => Exit::AfterPayload,
            _ => Exit::Destructive,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Preflight => "Checking",
            Step::Partition => "Partitioning",
            Step::Format => "Formatting",
            Step::Mount => "Mounting",
            Step::Payload => "Installing packages",
            Step::Configure => "Configuring",
            Step::Bootloader => "Installing the bootloader",
            Step::PostScripts => "Running post scripts",
            Step::SaveLogs => "Saving logs",
            Step::Unmount => "Unmounting",
            Step::Finish => "Finishing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

/// One event of `--progress json` (one JSON object per line), the events journal and the
/// webhook's posts. Stable: fields are only ever added (`schema --events` prints it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Started {
        step: Step,
    },
    Progress {
        step: Step,
        done: u64,
        total: u64,
    },
    Log {
        step: Option<Step>,
        level: Level,
        message: String,
    },
    Finished {
        step: Step,
    },
    Failed {
        step: Step,
        error: String,
    },
    /// The last event of every install, whatever happened: refused at preflight, failed,
    /// interrupted or done. A deployment server waits for this one.
    Ended {
        /// The exit code of the run (DESIGN.md): 0 done, 3 refused, 4, 5, 130.
        exit_code: u8,
        /// The step that failed, when one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failed_step: Option<Step>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Whether a destructive step had begun: false means the disk is as it was.
        disk_changed: bool,
        /// The run as a fleet's server files it: the machine, the plan, each step's time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        report: Option<Report>,
    },
}

/// The final report of an install (in its `ended` event).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Who the machine is.
    pub machine: MachineId,
    /// What the plan installs (disks, packages); none when no plan was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Each step that began, in order, with how long it took (to its end or failure).
    pub steps: Vec<StepTime>,
    /// The whole run, in seconds.
    pub seconds: f64,
}

/// The machine's identity as provisioning servers know it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct MachineId {
    /// Every NIC's MAC (lower case), the boot NIC's first.
    pub macs: Vec<String>,
    /// SMBIOS system serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// SMBIOS system UUID (lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

/// How long one step took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StepTime {
    pub step: Step,
    pub seconds: f64,
    /// It finished (false: it failed, or the run ended during it).
    pub ok: bool,
}

/// The JSON Schema of an event (`schema --events`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Event);
    // A schema always serialises.
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Where events go. Sinks must not fail the install: they swallow their own errors.
/// How a run of the installer ends: the exit codes of DESIGN.md, in one place, for the
/// process status and the `ended` event alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    /// Usage or answer file.
    BadInput = 2,
    /// Refused at preflight: nothing was written.
    Refused = 3,
    /// A destructive step failed.
    Destructive = 4,
    /// Configure, bootloader or scripts failed, after the payload.
    AfterPayload = 5,
    /// Ctrl-C or SIGTERM.
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

pub trait Sink: Send + Sync {
    fn send(&self, event: &Event);

    /// A log line of `step`: how every part of the engine says what it does.
    fn log(&self, step: Step, level: Level, message: String) {
        self.send(&Event::Log {
            step: Some(step),
            level,
            message,
        });
    }
}

/// A sink bound to the step that logs through it: how a step's code writes its log.
#[derive(Clone, Copy)]
pub struct StepLog<'a> {
    pub sink: &'a dyn Sink,
    pub step: Step,
}

impl<'a> StepLog<'a> {
    pub fn new(sink: &'a dyn Sink, step: Step) -> StepLog<'a> {
        StepLog { sink, step }
    }

    pub fn info(&self, message: impl Into<String>) {
        self.sink.log(self.step, Level::Info, message.into());
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.sink.log(self.step, Level::Warn, message.into());
    }
}

/// Sends every event to several sinks.
/// One event at a time: the engine sends from more than one thread (the prefetch logs
/// while the disk is partitioned), and every sink must hear the same order.
pub struct Fanout {
    sinks: Vec<Box<dyn Sink>>,
    order: std::sync::Mutex<()>,
}

impl Fanout {
    pub fn new(sinks: Vec<Box<dyn Sink>>) -> Fanout {
        Fanout {
            sinks,
            order: std::sync::Mutex::new(()),
        }
    }
}

impl Sink for Fanout {
    fn send(&self, event: &Event) {
        // A sink that panicked while holding the lock must not silence the others.
        let _one_at_a_time = self.order.lock().unwrap_or_else(|e| e.into_inner());
        for s in &self.sinks {
            s.send(event);
        }
    }
}

/// Every event into the detailed log (tracing target "event"), so the install log tells the
/// whole story: the steps and their messages between the commands they ran.
pub struct Traced;

impl Sink for Traced {
    fn send(&self, event: &Event) {
        match event {
            Event::Started { step } => tracing::info!(target: "event", "started {}", step.title()),
            Event::Finished { step } => {
                tracing::info!(target: "event", "finished {}", step.title())
            }
            Event::Progress { step, done, total } => {
                tracing::debug!(target: "event", "{}: {done}/{total}", step.title())
            }
            Event::Log { level, message, .. } => match level {
                Level::Debug => tracing::debug!(target: "event", "{message}"),
                Level::Info => tracing::info!(target: "event", "{message}"),
                Level::Warn => tracing::warn!(target: "event", "{message}"),
                Level::Error => tracing::error!(target: "event", "{message}"),
            },
            Event::Failed { step, error } => {
                tracing::error!(target: "event", "{} failed: {error}", step.title())
            }
            Event::Ended {
                exit_code,
                disk_changed,
                ..
            } => {
                tracing::info!(target: "event", "ended with exit code {exit_code} (disk changed: {disk_changed})")
            }
        }
    }
}

/// A sink shared with its owner, who keeps a handle to it (e.g. to flush it at the end).
pub struct SharedSink<S: Sink + ?Sized>(pub std::sync::Arc<S>);

impl<S: Sink + ?Sized> Sink for SharedSink<S> {
    fn send(&self, event: &Event) {
        self.0.send(event);
    }
}

/// One JSON object per line on stdout (`--progress json`).
pub struct JsonLines;

impl Sink for JsonLines {
    fn send(&self, event: &Event) {
        if let Ok(line) = serde_json::to_string(event) {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

/// Every event as a JSON line in a file: the event journal saved on the target.
pub struct JournalFile(std::sync::Mutex<std::fs::File>);

impl JournalFile {
    pub fn create(path: &std::path::Path) -> std::io::Result<JournalFile> {
        Ok(JournalFile(std::sync::Mutex::new(std::fs::File::create(
            path,
        )?)))
    }
}

impl Sink for JournalFile {
    fn send(&self, event: &Event) {
        use std::io::Write;
        if let (Ok(mut f), Ok(line)) = (self.0.lock(), serde_json::to_string(event)) {
            let _ = writeln!(f, "{line}");
        }
    }
}

/// Keeps every event; for tests and for the saved event log.
#[derive(Default)]
pub struct Recorder(pub std::sync::Mutex<Vec<Event>>);

impl Sink for Recorder {
    fn send(&self, event: &Event) {
        if let Ok(mut v) = self.0.lock() {
            v.push(event.clone());
        }
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A sink sharing a recorder, so the test keeps a handle on what it heard.
    struct Shared(Arc<Recorder>);

    impl Sink for Shared {
        fn send(&self, event: &Event) {
            self.0.send(event);
            // Between two sinks is where another thread's event could slip in.
            std::thread::yield_now();
        }
    }

    #[test]
    fn exit_codes_are_the_contract() {
        let all = [
            Exit::Done,
            Exit::BadInput,
            Exit::Refused,
            Exit::Destructive,
            Exit::AfterPayload,
            Exit::Interrupted,
        ];
        assert_eq!(all.map(Exit::code), [0, 2, 3, 4, 5, 130]);
    }

    #[test]
    fn every_sink_of_a_fanout_hears_one_order_from_many_threads() {
        let (a, b) = (Arc::new(Recorder::default()), Arc::new(Recorder::default()));
        let fan = Fanout::new(vec![
            Box::new(Shared(a.clone())),
            Box::new(Shared(b.clone())),
        ]);
        std::thread::scope(|s| {
            for t in 0..4 {
                let fan = &fan;
                s.spawn(move || {
                    for i in 0..2000 {
                        fan.log(Step::Payload, Level::Info, format!("{t}/{i}"));
                    }
                });
            }
        });
        let (a, b) = (a.events(), b.events());
        assert_eq!(a.len(), 8000);
        assert!(a == b, "the sinks heard different orders");
    }
}

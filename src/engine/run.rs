//! The ordered steps of an install, each announced as events. Destructive work starts here
//! and only here, after the plan (preflight) has passed. Every guard (prefetch, loop device,
//! mounts) unwinds on error, so nothing stays mounted or attached after a failure.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::events::{Event, Exit, Fanout, Level, SharedSink, Sink, Step, Traced};
use crate::plan::Plan;
use crate::plan::Transport;

use super::configure::{self, ConfigureError, Context, EfiVars};
use super::disk::{self, DiskError};
use super::format::{self, FormatError};
use super::layers::{self, LayerError, Nodes};
use super::mount::{self, MountError};
use super::payload::{self, PayloadError};
use super::prefetch::{Prefetch, PrefetchError};
use super::scripts::{self, ScriptError};
use super::target::{Formatted, SYSIMAGE};
use super::{fstab, interrupted, save_logs};

/// A step failed; the message says which and what state it left behind.
#[derive(Debug, thiserror::Error)]
#[error("{} failed: {source}", .step.title())]
pub struct EngineError {
    pub step: Step,
    #[source]
    pub source: Box<StepError>,
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Disk(#[from] DiskError),
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Mount(#[from] MountError),
    #[error(transparent)]
    Payload(#[from] PayloadError),
    #[error("writing /etc/fstab: {0}")]
    Fstab(#[from] fstab::FstabError),
    #[error(transparent)]
    Configure(#[from] ConfigureError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error(transparent)]
    SaveLogs(#[from] save_logs::SaveLogsError),
    #[error("interrupted")]
    Interrupted,
    #[error("{} is already in use (is another install running?); nothing was written", .0.display())]
    Busy(PathBuf),
    #[error(transparent)]
    Locked(#[from] super::lock::LockError),
    #[error(transparent)]
    Layers(#[from] LayerError),
    #[error(transparent)]
    Namespace(#[from] super::namespace::NamespaceError),
}

impl EngineError {
    /// True when the install stopped because of Ctrl-C or SIGTERM.
    pub fn interrupted(&self) -> bool {
        matches!(*self.source, StepError::Interrupted)
    }

    /// How the run ends: interrupted, else as its step's failure ends (`Step::failure_exit`).
    pub fn exit(&self) -> Exit {
        if self.interrupted() {
            Exit::Interrupted
        } else {
            self.step.failure_exit()
        }
    }
}

/// How to run the plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Stop after this step (staged testing).
    pub stop_after: Option<Step>,
    /// Where the target is mounted.
    pub root: PathBuf,
    /// The package cache the prefetch fills and the transaction reads.
    pub cache: PathBuf,
    /// Files saved into /var/log/azl-installer/ on the target: (source, name there).
    pub logs: Vec<(PathBuf, String)>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            stop_after: None,
            root: PathBuf::from(SYSIMAGE),
            cache: PathBuf::from("/run/azl-installer/cache"),
            logs: Vec::new(),
        }
    }
}

/// Runs `f` as `step`: Started, then Finished or Failed. Checks for Ctrl-C first.
fn step<T, E: Into<StepError>>(
    events: &dyn Sink,
    step: Step,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, EngineError> {
    if interrupted() {
        return Err(EngineError {
            step,
            source: Box::new(StepError::Interrupted),
        });
    }
    events.send(&Event::Started { step });
    match f().map_err(Into::into) {
        Ok(v) => {
            events.send(&Event::Finished { step });
            Ok(v)
        }
        Err(source) => {
            // A step whose program was killed by Ctrl-C failed because of it: report the
            // interrupt (exit code 130), with what the step said.
            let said = source.to_string();
            let (source, error) = if interrupted() {
                (StepError::Interrupted, format!("interrupted: {said}"))
            } else {
                (source, said)
            };
            events.send(&Event::Failed { step, error });
            Err(EngineError {
                step,
                source: Box::new(source),
            })
        }
    }
}

/// Carries out `plan`.
pub fn run(plan: &Plan, events: Arc<dyn Sink>, opts: &RunOptions) -> Result<(), EngineError> {
    // The install log gets every event too, whichever front door is listening.
    let events: Arc<dyn Sink> = Arc::new(Fanout::new(vec![
        Box::new(SharedSink(events)),
        Box::new(Traced),
    ]));
    let ev: &dyn Sink = events.as_ref();
    let done = |s: Step| opts.stop_after == Some(s);
    let _target_locks = step(ev, Step::Preflight, || {
        for d in &plan.disks {
            ev.log(
                Step::Preflight,
                Level::Info,
                format!(
                    "target {} ({})",
                    crate::plan::describe_disk(&d.disk),
                    d.reason
                ),
            );
        }
        // Before the first mount: the target is mounted for this install only.
        super::namespace::enter_private()?;
        // One install per target, held until the end (the guards drop last): a second
        // one, by whatever path or --sysimage, is refused before it writes anything.
        let locks = plan
            .disks
            .iter()
            .map(|d| super::lock::lock_target(&d.disk.path))
            .collect::<Result<Vec<_>, _>>()?;
        // A second install at the same time would mount over the first one's target.
        if mount::is_mount_point(&opts.root) {
            return Err(StepError::Busy(opts.root.clone()));
        }
        Ok::<_, StepError>(locks)
    })?;
    if done(Step::Preflight) {
        return Ok(());
    }
    // Downloads start now and overlap the storage work; the transaction reuses the cache.
    let prefetch = (!matches!(opts.stop_after, Some(Step::Partition | Step::Format)))
        .then(|| Prefetch::start(&plan.payload, &opts.cache, events.clone()));

    // Image files are attached to loop devices for the install and detached at the end
    // (also when a step fails: the guards detach on drop). Each disk is partitioned, then
    // the layers are made on the partitions (closed at the end, undone on failure).
    let (attached, devices, layers, nodes, facts) =
        step(ev, Step::Partition, || -> Result<_, StepError> {
            // What the old system left running on the disks is stopped before the wipe.
            layers::stop_old(plan, ev)?;
            let mut attached = Vec::new();
            let mut devices = Vec::new();
            let mut parts = Vec::new();
            for d in &plan.disks {
                let device: PathBuf = match d.disk.transport {
                    Transport::Image => {
                        let a = disk::attach_image(&d.disk.path)?;
                        let device = a.device().to_owned();
                        attached.push(a);
                        device
                    }
                    _ => d.disk.path.clone(),
                };
                parts.push(disk::partition(&device, &d.table, ev)?);
                devices.push(device);
            }
            let (made, nodes) = layers::build(plan, Nodes::of_partitions(plan, &parts), ev)?;
            let facts = layers::Facts::read(plan, &nodes)?;
            Ok((attached, devices, made, nodes, facts))
        })?;
    if done(Step::Partition) {
        return close_and_detach(ev, layers, attached);
    }
    let formatted = step(ev, Step::Format, || format::format(plan, &nodes, ev))?;
    if done(Step::Format) {
        return close_and_detach(ev, layers, attached);
    }
    // Removed on return, after everything that runs in the target.
    let (_dev_links, warnings) = super::devlinks::DevLinks::ensure(&formatted);
    for w in warnings {
        ev.log(Step::Format, Level::Warn, format!("no by-uuid link: {w}"));
    }
    let mut mounts = step(ev, Step::Mount, || {
        mount::mount_target(&formatted, &opts.root, ev)
    })?;
    let root = mounts.root().to_owned();

    let made = Made {
        formatted: &formatted,
        disks: &devices,
        storage: &facts,
    };
    let result = install_system(plan, ev, opts, prefetch, &root, &made);
    // The logs go onto the target also when a step failed, while it is still mounted.
    let saved = step(ev, Step::SaveLogs, || {
        save_logs::save(&root, &plan.system.saved_answer, &opts.logs)
    });
    result?;
    saved?;
    step(ev, Step::Unmount, || -> Result<(), StepError> {
        mounts.copy_deferred(ev)?;
        mounts.unmount_all()?;
        // Nothing stays open: the disks can be powered off or taken away.
        layers.close()?;
        Ok(())
    })?;
    drop(mounts);
    detach(ev, attached)
}

/// What the storage steps made, for the steps that write inside the target.
struct Made<'a> {
    formatted: &'a [Formatted],
    /// Every target disk's node, disk 1 first.
    disks: &'a [PathBuf],
    storage: &'a layers::Facts,
}

/// Payload, configure, bootloader, post scripts: everything that writes inside the target.
fn install_system(
    plan: &Plan,
    ev: &dyn Sink,
    opts: &RunOptions,
    prefetch: Option<Prefetch>,
    root: &Path,
    made: &Made,
) -> Result<(), EngineError> {
    let formatted = made.formatted;
    step(ev, Step::Payload, || {
        // Not fatal, and said already: the transaction downloads what the prefetch did not.
        if let Some(p) = prefetch
            && let Err(e @ PrefetchError::Panicked) = p.wait()
        {
            ev.log(Step::Payload, Level::Warn, format!("prefetch: {e}"));
        }
        payload::install(&plan.payload, root, &opts.cache, ev)
    })?;
    let ctx = Context {
        plan,
        root,
        formatted,
        disk: &made.disks[0],
        disks: made.disks,
        efivars: EfiVars::detect(),
        storage: made.storage,
    };
    step(ev, Step::Configure, || -> Result<(), StepError> {
        fstab::write(root, formatted)?;
        configure::system(&ctx, ev)?;
        Ok(())
    })?;
    step(ev, Step::Bootloader, || configure::bootloader(&ctx, ev))?;
    step(ev, Step::PostScripts, || -> Result<(), StepError> {
        scripts::run_post(&plan.system.post_scripts, root, ev)?;
        configure::relabel(&ctx, ev)?;
        Ok(())
    })
}

/// The end of a staged run (`--stop-after`): what the layers made is closed, images detached.
fn close_and_detach(
    ev: &dyn Sink,
    layers: layers::Layers<'_>,
    attached: Vec<disk::AttachedImage>,
) -> Result<(), EngineError> {
    step(ev, Step::Finish, || -> Result<(), StepError> {
        layers.close()?;
        attached.into_iter().try_for_each(|a| a.detach())?;
        Ok(())
    })
}

fn detach(ev: &dyn Sink, attached: Vec<disk::AttachedImage>) -> Result<(), EngineError> {
    step(ev, Step::Finish, || {
        attached
            .into_iter()
            .try_for_each(|a| a.detach())
            .map_err(StepError::from)
    })
}

//! The interactive front door: the TUI builds the answer and drives the engine; what the
//! admin chose at the end (reboot, power off) is carried out here.

use std::path::PathBuf;

use crate::session::{Failure, LogFiles};

/// What `azl-installer tui` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Interactive {
    /// Start from this answer file.
    pub answer: Option<PathBuf>,
    /// Also write the answer the TUI builds here.
    pub answer_out: Option<PathBuf>,
    /// Offer this disk image file as a disk too.
    pub disk_image: Option<PathBuf>,
    /// Mount the target here instead of /mnt/sysimage.
    pub sysimage: Option<PathBuf>,
}

/// Runs the TUI, then the admin's finish action; the exit code says how it went.
pub fn interactive(args: &Interactive, logs: &LogFiles) -> Result<(), Failure> {
    use crate::answer::Finish;
    use crate::tui::{Outcome, RealBackend, TuiOptions};
    // A bad starting answer is bad input (exit 2), reported before the terminal is taken.
    // Its own text already names the cause: no repeated error chain.
    // Loaded as `install` loads it: includes merged, this machine's [[machine]] section.
    let start = match &args.answer {
        Some(p) => Some(crate::session::load(&crate::session::Source::Path(
            p.clone(),
        ))?),
        None => None,
    };
    // Without a terminal the TUI cannot draw or read keys: say so, rather than fail
    // half-way through taking over a terminal that is not there.
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "the interactive installer needs a terminal (stdin and stdout); \
             for an unattended install use `azl-installer install ANSWER`"
        )));
    }
    let run = crate::session::engine_options(None, logs, args.sysimage.as_deref());
    let backend = RealBackend::new(args.disk_image.clone(), run).with_journal(logs.events.clone());
    let opts = TuiOptions {
        answer_out: args.answer_out.clone(),
        ascii: None,
        log_path: logs.install_log.clone(),
        answer: start,
    };
    let ended = crate::tui::run(opts, Box::new(backend)).map_err(Failure::Destructive)?;
    let action = match ended.outcome {
        // An image was the target: the machine does not boot from it.
        _ if args.disk_image.is_some() => Finish::None,
        Outcome::Reboot => Finish::Reboot,
        Outcome::PowerOff => Finish::Poweroff,
        Outcome::Shell | Outcome::Quit => Finish::None,
    };
    crate::engine::finish(action).map_err(|e| Failure::AfterPayload(e.into()))?;
    // The admin has seen the failure on the screen; the exit code still tells scripts (and
    // tests/demo) what `install` would have said.
    match ended.failed {
        _ if ended.aborted => Err(Failure::Interrupted),
        None => Ok(()),
        Some((step, error)) => {
            let e = anyhow::anyhow!("{}: {error}", step.title());
            Err(Failure::ending(step.failure_exit(), e))
        }
    }
}

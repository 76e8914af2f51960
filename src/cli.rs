//! The command line (DESIGN.md "CLI"): clap structs, one per subcommand, and dispatch.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::events::{Exit, Step};
use crate::unattended::{self, Failure};

#[derive(Debug, Parser)]
#[command(
    name = "azl-installer",
    version,
    about = "Install Azure Linux onto a disk"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Common {
    /// How progress is shown: readable lines, or one JSON event per line on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Progress::Console)]
    pub progress: Progress,
    /// Also write the detailed log (every command run) to this file.
    #[arg(long, global = true)]
    pub log: Option<PathBuf>,
    /// The kernel command line to read inst.answer= from (for tests).
    #[arg(long, global = true, hide = true, default_value = "/proc/cmdline")]
    pub cmdline: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Progress {
    Console,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install interactively in the text UI.
    Tui(TuiArgs),
    /// Install unattended from an answer file (a path or an http(s):// URL).
    Install(InstallArgs),
    /// Show what `install` would do on this machine; writes nothing.
    Plan {
        answer: String,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check answer files: schema and semantics only (no hardware, no network).
    Validate {
        #[arg(required = true)]
        answers: Vec<PathBuf>,
    },
    /// Show the disks and network interfaces as the installer sees them.
    Probe {
        #[arg(long)]
        json: bool,
        /// Also show loop devices.
        #[arg(long)]
        all: bool,
    },
    /// Print the JSON Schema of the answer file (for editors).
    Schema {
        /// The schema of `plan --json` instead.
        #[arg(long)]
        plan: bool,
    },
}

#[derive(Debug, Args, Default)]
pub struct TuiArgs {
    /// Start from this answer file instead of the defaults (its repositories, disk and
    /// settings are kept unless changed on the screens).
    #[arg(long)]
    pub answer: Option<PathBuf>,
    /// Also write the answer file the TUI builds here (passwords as hashes).
    #[arg(long)]
    pub answer_out: Option<PathBuf>,
    /// Offer this disk image file as a disk too (to try the installer without spare disks).
    #[arg(long)]
    pub disk_image: Option<PathBuf>,
    /// Mount the target here instead of /mnt/sysimage.
    #[arg(long, hide = true)]
    pub sysimage: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Path or http(s):// URL; without it, inst.answer= on the kernel command line.
    pub answer: Option<String>,
    /// Install this plan (written by `plan --json`) instead: checked against the machine
    /// again, and refused if the disk or anything else it relies on changed.
    #[arg(long, conflicts_with = "answer")]
    pub plan: Option<PathBuf>,
    /// Do not ask before erasing the disk.
    #[arg(long)]
    pub yes: bool,
    /// Stop after this step (for staged testing; later steps are not run).
    #[arg(long, value_enum, hide = true)]
    pub stop_after: Option<StopAfter>,
    /// Mount the target here instead of /mnt/sysimage (tests run installs side by side).
    #[arg(long, hide = true)]
    pub sysimage: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StopAfter {
    Preflight,
    Partition,
}

impl StopAfter {
    fn step(self) -> Step {
        match self {
            StopAfter::Preflight => Step::Preflight,
            StopAfter::Partition => Step::Partition,
        }
    }
}

/// Runs the command line; returns the process exit code (DESIGN.md "Exit codes").
pub fn run(cli: Cli) -> u8 {
    let installs = matches!(
        cli.command,
        Some(Command::Install(_)) | Some(Command::Tui(_)) | None
    );
    let tui = match &cli.command {
        Some(Command::Tui(_)) => true,
        None => unattended::locate(None, &cli.common.cmdline).is_err(),
        _ => false,
    };
    let logs = match unattended::init_logging(cli.common.log.as_deref(), installs, tui) {
        Ok(logs) => logs,
        Err(e) => {
            eprintln!("azl-installer: {e}");
            return Failure::BadInput(e.into()).exit().code();
        }
    };
    let json = cli.common.progress == Progress::Json;
    let cmdline = cli.common.cmdline.as_path();
    let result = match cli.command {
        Some(Command::Install(args)) => match &args.plan {
            Some(p) => Ok(unattended::Input::Plan(p.clone())),
            None => {
                unattended::locate(args.answer.as_deref(), cmdline).map(unattended::Input::Answer)
            }
        }
        .and_then(|input| {
            unattended::install(
                &input,
                &unattended::Options {
                    yes: args.yes,
                    json,
                    stop_after: args.stop_after.map(StopAfter::step),
                    logs: logs.clone(),
                    sysimage: args.sysimage.clone(),
                },
            )
        }),
        Some(Command::Plan { answer, json }) => unattended::locate(Some(&answer), cmdline)
            .and_then(|src| unattended::show_plan(&src, json)),
        Some(Command::Validate { answers }) => unattended::validate(&answers),
        Some(Command::Probe { json, all }) => unattended::show_probe(json, all),
        Some(Command::Schema { plan: false }) => {
            unattended::print_out(&crate::answer::schema_json());
            Ok(())
        }
        Some(Command::Schema { plan: true }) => {
            unattended::print_out(&crate::plan::schema_json());
            Ok(())
        }
        // On the ISO: unattended when the kernel command line names an answer, else the TUI.
        None => match unattended::locate(None, cmdline) {
            Ok(src) => unattended::install(
                &unattended::Input::Answer(src),
                &unattended::Options {
                    yes: false,
                    json,
                    stop_after: None,
                    logs: logs.clone(),
                    sysimage: None,
                },
            ),
            Err(_) => interactive(&TuiArgs::default(), &logs),
        },
        Some(Command::Tui(args)) => interactive(&args, &logs),
    };
    match result {
        Ok(()) => Exit::Done.code(),
        Err(f) => {
            eprintln!("azl-installer: {f}");
            f.exit().code()
        }
    }
}

/// The interactive front door: the TUI builds the answer and drives the engine; what the
/// admin chose at the end (reboot, power off) is carried out here.
fn interactive(args: &TuiArgs, logs: &unattended::LogFiles) -> Result<(), Failure> {
    use crate::answer::Finish;
    use crate::tui::{Outcome, RealBackend, TuiOptions};
    // A bad starting answer is bad input (exit 2), reported before the terminal is taken.
    // Its own text already names the cause: no repeated error chain.
    let start = match &args.answer {
        Some(p) => Some(
            crate::answer::load_file(p).map_err(|e| Failure::BadInput(anyhow::anyhow!("{e}")))?,
        ),
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
    let run = unattended::engine_options(None, logs, args.sysimage.as_deref());
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
            // The same split as EngineError::after_payload: exit 5 once packages are in.
            Err(match step {
                Step::Preflight => Failure::Refused(crate::plan::Refused {
                    problems: vec![crate::answer::Issue::new("install", e.to_string())],
                }),
                Step::Configure
                | Step::Bootloader
                | Step::PostScripts
                | Step::SaveLogs
                | Step::Unmount => Failure::AfterPayload(e),
                _ => Failure::Destructive(e),
            })
        }
    }
}

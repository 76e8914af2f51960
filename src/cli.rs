//! The command line (DESIGN.md "CLI"): clap structs, one per subcommand, and dispatch.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::events::{Exit, Step};
use crate::session::{self, Failure};
use crate::unattended;

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
    /// The kernel command line to read inst.answer= (or inst.ks=) from (for tests).
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
        /// Print the answer as this machine gets it instead (includes merged, its
        /// [[machine]] section applied), each value with the file and line it came from.
        #[arg(long, conflicts_with = "json")]
        show_answer: bool,
    },
    /// Check answer files (paths or http(s):// URLs): schema and semantics only (no hardware).
    Validate {
        #[arg(required = true)]
        answers: Vec<PathBuf>,
    },
    /// Convert a kickstart file (a path or http(s):// URL) into an answer file; what cannot
    /// be converted is listed on stderr with its line. Exit 2 when the result does not validate.
    ImportKickstart {
        kickstart: String,
        /// Write the answer here (mode 0600) instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Show the disks and network interfaces as the installer sees them.
    Probe {
        #[arg(long)]
        json: bool,
        /// Also show loop devices.
        #[arg(long)]
        all: bool,
    },
    /// At boot, before NetworkManager starts: profiles for the kernel command line's ip=,
    /// bond=, vlan= and bridge= (the live ISO's azl-installer-network.service runs it).
    #[command(hide = true)]
    BootNetwork {
        /// NetworkManager's run-time directory (profiles in system-connections/, conf.d/).
        #[arg(long, default_value = crate::engine::live_network::NM_RUN_DIR)]
        dir: PathBuf,
    },
    /// `inst.sshd`: sshd for remote access to the installer, with the keys of
    /// `inst.sshd.keys=` (the live ISO's azl-installer-sshd.service runs it).
    #[command(hide = true)]
    RemoteAccess,
    /// What each SSH login to the installer runs: the progress of the install under way,
    /// else the TUI.
    #[command(hide = true)]
    Attach {
        /// The installer's run directory (its logs and event journals).
        #[arg(long)]
        run_dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of the answer file (for editors).
    Schema {
        /// The schema of `plan --json` instead.
        #[arg(long, conflicts_with = "events")]
        plan: bool,
        /// The schema of one event of `--progress json` (and the journal, the webhook).
        #[arg(long)]
        events: bool,
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
    /// Partition, make the layers and filesystems, then close everything (nothing installed).
    Format,
}

impl StopAfter {
    fn step(self) -> Step {
        match self {
            StopAfter::Preflight => Step::Preflight,
            StopAfter::Partition => Step::Partition,
            StopAfter::Format => Step::Format,
        }
    }
}

impl TuiArgs {
    fn door(&self) -> crate::tui::door::Interactive {
        crate::tui::door::Interactive {
            answer: self.answer.clone(),
            answer_out: self.answer_out.clone(),
            disk_image: self.disk_image.clone(),
            sysimage: self.sysimage.clone(),
        }
    }
}

/// Runs the command line; returns the process exit code (DESIGN.md "Exit codes").
pub fn run(cli: Cli) -> u8 {
    let installs = matches!(
        cli.command,
        Some(Command::Install(_)) | Some(Command::Tui(_)) | None
    );
    // The kernel command line, read once: the answer, the webhook, SSH access, ...
    let kernel = session::KernelArgs::read(&cli.common.cmdline);
    // Without a subcommand (on the ISO): unattended when the kernel command line names an
    // answer, else the TUI.
    let bare = cli
        .command
        .is_none()
        .then(|| session::locate(None, &kernel));
    let tui = match &cli.command {
        Some(Command::Tui(_)) => true,
        None => !matches!(bare, Some(Ok(_))),
        _ => false,
    };
    let logs = match session::init_logging(cli.common.log.as_deref(), installs, tui) {
        Ok(logs) => logs,
        Err(e) => {
            eprintln!("azl-installer: {e}");
            return Failure::BadInput(e.into()).exit().code();
        }
    };
    let json = cli.common.progress == Progress::Json;
    let webhook = kernel.webhook();
    let result = match cli.command {
        Some(Command::Install(args)) => {
            let input = match &args.plan {
                Some(p) => Ok(unattended::Input::Plan(p.clone())),
                None => {
                    session::locate(args.answer.as_deref(), &kernel).map(unattended::Input::Answer)
                }
            };
            unattended::install(
                input,
                &unattended::Options {
                    yes: args.yes,
                    json,
                    stop_after: args.stop_after.map(StopAfter::step),
                    logs: logs.clone(),
                    sysimage: args.sysimage.clone(),
                    webhook: webhook.clone(),
                    bootif: kernel.bootif().map(str::to_string),
                },
            )
        }
        Some(Command::Plan {
            answer,
            show_answer: true,
            ..
        }) => session::locate(Some(&answer), &kernel).and_then(|src| unattended::show_answer(&src)),
        Some(Command::Plan { answer, json, .. }) => session::locate(Some(&answer), &kernel)
            .and_then(|src| unattended::show_plan(&src, json)),
        Some(Command::Validate { answers }) => unattended::validate(&answers),
        Some(Command::ImportKickstart { kickstart, output }) => {
            unattended::import_kickstart(&kickstart, output.as_deref())
        }
        Some(Command::Probe { json, all }) => unattended::show_probe(json, all),
        Some(Command::BootNetwork { dir }) => unattended::boot_network(&kernel, &dir),
        Some(Command::RemoteAccess) => unattended::remote_access(&kernel),
        Some(Command::Attach { run_dir }) => unattended::attach(run_dir.as_deref()),
        Some(Command::Schema { plan, events }) => {
            session::print_out(&match (plan, events) {
                (true, _) => crate::plan::schema_json(),
                (_, true) => crate::events::schema_json(),
                _ => crate::answer::schema_json(),
            });
            Ok(())
        }
        // On the ISO: unattended when the kernel command line names an answer, else the TUI.
        None => match bare {
            Some(Ok(src)) => unattended::install(
                Ok(unattended::Input::Answer(src)),
                &unattended::Options {
                    yes: false,
                    json,
                    stop_after: None,
                    logs: logs.clone(),
                    sysimage: None,
                    webhook: webhook.clone(),
                    bootif: kernel.bootif().map(str::to_string),
                },
            ),
            _ => crate::tui::door::interactive(&TuiArgs::default().door(), &logs),
        },
        Some(Command::Tui(args)) => crate::tui::door::interactive(&args.door(), &logs),
    };
    match result {
        Ok(()) => Exit::Done.code(),
        Err(f) => {
            eprintln!("azl-installer: {f}");
            f.exit().code()
        }
    }
}

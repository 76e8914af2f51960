//! The unattended front door: load an answer, check it, resolve the plan against this
//! machine, confirm, and run the engine with console or JSON progress.

mod install;
mod kickstart;
mod network;
mod remote;

pub use install::{Input, install};
pub use kickstart::import_kickstart;
pub use network::boot_network;
pub use remote::{attach, remote_access};

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, anyhow};

use crate::answer;
use crate::events::Step;
use crate::plan::{self, Plan};
use crate::probe::{self, Roots};
use crate::session::{Failure, LogFiles, Source, plan_for, print_out};

pub struct Options {
    /// The user agreed on the command line to erase the disk.
    pub yes: bool,
    /// One JSON event per line on stdout instead of readable progress.
    pub json: bool,
    /// Stop after this step (staged testing).
    pub stop_after: Option<Step>,
    /// Where this run's log and event journal are written.
    pub logs: LogFiles,
    /// Where to mount the target instead of /mnt/sysimage.
    pub sysimage: Option<PathBuf>,
    /// The kernel command line's `inst.webhook=` (and its token, certificate, key, CAs):
    /// used when the answer names no webhook, and from the start (it hears of an answer
    /// that fails).
    pub webhook: crate::answer::Reporting,
    /// The kernel command line's `BOOTIF=` (PXE): the boot NIC, first in the final report.
    pub bootif: Option<String>,
}

/// `validate`: checks each file (a path, or an http(s):// URL fetched as `install` fetches
/// it) and reports all problems; no hardware.
pub fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    let mut bad = 0;
    for f in files {
        let text = f.to_string_lossy();
        if let Some(result) = validate_composed(&text) {
            bad += usize::from(!result);
            continue;
        }
        let checked = if answer::is_remote(&text) {
            validate_url(&text)
        } else {
            answer::load_file(f).map(|_| ()).map_err(|e| e.to_string())
        };
        match checked {
            Ok(()) => print_out(&format!("{}: ok\n", answer::redact_url(&text))),
            Err(e) => {
                bad += 1;
                eprintln!("{e}");
            }
        }
    }
    match bad {
        0 => Ok(()),
        n => Err(Failure::BadInput(anyhow!(
            "{n} of {} answer file(s) have problems",
            files.len()
        ))),
    }
}

/// An answer with includes or `[[machine]]` sections: every branch checked (the answer
/// alone, or each section over it), each reported by name. `None` when it does not compose
/// (or cannot be read: the plain check says why).
fn validate_composed(arg: &str) -> Option<bool> {
    if arg.contains('{') {
        return None;
    }
    let source = crate::session::parse_source(arg).ok()?;
    let branches = match crate::session::branch_problems(&source) {
        Ok(Some(b)) => b,
        Ok(None) => return None,
        Err(e) => {
            eprintln!("{e}");
            return Some(false);
        }
    };
    let shown = answer::redact_url(arg);
    let mut ok = true;
    for (name, problems) in branches {
        // A section's name starts with its file.
        let what = if name.is_empty() {
            shown.to_string()
        } else {
            name
        };
        if problems.is_empty() {
            print_out(&format!("{what}: ok\n"));
        } else {
            ok = false;
            eprintln!("{what}:");
            for p in problems {
                eprintln!("  {p}");
            }
        }
    }
    Some(ok)
}

/// An answer at a URL: fetched as `install` fetches it (placeholders are this machine's to
/// fill, so a URL with one is refused here).
fn validate_url(url: &str) -> Result<(), String> {
    let shown = answer::redact_url(url).into_owned();
    if url.contains('{') {
        return Err(format!(
            "{shown}: has placeholders, which are filled on the machine being installed; \
             validate the files they lead to"
        ));
    }
    crate::session::load(&Source::Url(url.to_string(), Vec::new()))
        .map(|_| ())
        .map_err(|f| f.to_string())
}

/// `plan`: what install would do; writes nothing.
pub fn show_plan(source: &Source, json: bool) -> Result<(), Failure> {
    let plan = plan_for(source)?;
    if json {
        let text = serde_json::to_string_pretty(&plan)
            .map_err(|e| Failure::BadInput(anyhow!("serialising the plan: {e}")))?;
        print_out(&format!("{text}\n"));
    } else {
        print_out(&plan::render(&plan));
    }
    Ok(())
}

/// `plan --show-answer`: the answer as this machine gets it, each value with its origin.
pub fn show_answer(source: &Source) -> Result<(), Failure> {
    let facts = crate::session::machine_facts();
    let c = crate::session::composed(source, None, Some(&facts))?;
    print_out(&c.show());
    Ok(())
}

/// `probe`: the hardware as a table or JSON.
pub fn show_probe(json: bool, all: bool) -> Result<(), Failure> {
    let hw = probe::probe(&Roots::host())
        .context("probing the hardware")
        .map_err(Failure::BadInput)?;
    if json {
        let text = serde_json::to_string_pretty(&hw)
            .map_err(|e| Failure::BadInput(anyhow!("serialising the probe: {e}")))?;
        print_out(&format!("{text}\n"));
    } else {
        print_out(&probe::table(&hw, all));
    }
    Ok(())
}

/// Asks on the terminal before the first destructive step, naming the disk.
pub(super) fn confirm(plan: &Plan) -> Result<(), Failure> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::BadInput(anyhow!(
            "refusing to erase {} without confirmation: pass --yes or set [install] confirm = false",
            plan.describe_disks()
        )));
    }
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "\nThis ERASES {}.\nType \"yes\" to continue: ",
        plan.describe_disks()
    );
    let _ = err.flush();
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::BadInput(anyhow!("reading the confirmation: {e}")))?;
    if line.trim() == "yes" {
        Ok(())
    } else {
        Err(Failure::Interrupted)
    }
}

//! Remote access to the installer: `remote-access` (the ISO's azl-installer-sshd.service,
//! for `inst.sshd`), the answer's `[install] remote_ssh_keys`, and `attach`, what every SSH
//! login runs: the progress of the install under way, else the TUI.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::anyhow;

use crate::answer::{self, Answer};
use crate::engine::live_sshd::{self, LiveSshd};
use crate::events::{Console, Event, Level, Sink};
use crate::session::{Failure, KernelArgs, print_out, read_location, run_dir_path};

/// Tests listen on 127.0.0.1 and a port of theirs instead of port 22 on every address.
const LISTEN_ENV: &str = "AZL_SSHD_LISTEN";

/// `remote-access`: the keys of every `inst.sshd.keys=` (a path, media:/path or http(s)
/// URL of an authorized_keys file), the host key and configuration, where to connect
/// (on the console: the service's output goes there), then sshd in place of this process.
/// A key source that cannot be read is said and skipped: the answer's keys may follow.
pub fn remote_access(kernel: &KernelArgs) -> Result<(), Failure> {
    kernel.require()?;
    let mut keys = Vec::new();
    for loc in kernel.all("inst.sshd.keys=") {
        let shown = answer::redact_url(loc);
        match read_location(loc) {
            Ok(text) => keys.extend(public_keys(&text, &format!("inst.sshd.keys={shown}"))),
            Err(e) => {
                eprintln!("azl-installer: inst.sshd.keys={shown}: {e}; its keys are not used")
            }
        }
    }
    let sshd = LiveSshd::new(&run_dir_path());
    let allowed =
        start_or_allow(&sshd, &keys, false).map_err(|e| Failure::BadInput(anyhow!("{e}")))?;
    print_out(&announcement(&sshd, allowed));
    if allowed == 0 {
        print_out(
            "  no key may log in yet: give inst.sshd.keys= or the answer's [install] remote_ssh_keys\n",
        );
    }
    Err(Failure::BadInput(anyhow!("{}", sshd.exec())))
}

/// The answer's `[install] remote_ssh_keys`: they may log in from now on; the installer's
/// sshd is started unless `inst.sshd` started it. Where to connect goes to the events.
pub(super) fn allow_from_answer(answer: &Answer, events: &dyn Sink) -> Result<(), Failure> {
    let keys = &answer.install.remote_ssh_keys;
    if keys.is_empty() {
        return Ok(());
    }
    let sshd = LiveSshd::new(&run_dir_path());
    let allowed = start_or_allow(&sshd, keys, true).map_err(|e| {
        Failure::Refused(crate::plan::Refused {
            problems: vec![answer::Issue::new("install.remote_ssh_keys", e.to_string())],
        })
    })?;
    for line in announcement(&sshd, allowed).lines() {
        events.send(&Event::Log {
            step: None,
            level: Level::Info,
            message: line.trim().to_string(),
        });
    }
    Ok(())
}

/// Adds `keys`; prepares the configuration unless sshd runs already, and (`start`)
/// starts it in the background. Returns how many keys may log in.
fn start_or_allow(
    sshd: &LiveSshd,
    keys: &[String],
    start: bool,
) -> Result<usize, live_sshd::LiveSshdError> {
    let allowed = sshd.allow(keys)?;
    if sshd.running().is_none() {
        let attach = format!(
            "{} attach --run-dir {}",
            installer().display(),
            run_dir_path().display()
        );
        let listen = std::env::var(LISTEN_ENV).ok();
        sshd.prepare(listen.as_deref(), &attach)?;
        if start {
            sshd.start()?;
        }
    }
    Ok(allowed)
}

/// This program, for what sshd and the TUI hand-over run.
fn installer() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/usr/bin/azl-installer"))
}

/// Whether process `pid` still runs.
fn runs(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The public keys of an authorized_keys text; lines that are none are said and skipped.
fn public_keys(text: &str, source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match answer::check_ssh_key(line) {
            Ok(()) => keys.push(line.to_string()),
            Err(e) => eprintln!(
                "azl-installer: {source}: line {}: not an SSH public key ({e}); skipped",
                n + 1
            ),
        }
    }
    keys
}

/// "SSH access: ssh root@ADDRESS" for each address, and the host key's fingerprint to
/// check it by.
fn announcement(sshd: &LiveSshd, allowed: usize) -> String {
    let port = std::env::var(LISTEN_ENV)
        .ok()
        .and_then(|l| l.rsplit_once(':').map(|(_, p)| p.to_string()));
    let port = port.map_or(String::new(), |p| format!(" -p {p}"));
    let mut out = format!("SSH access to the installer ({allowed} key(s) may log in as root):\n");
    let addrs = live_sshd::addresses();
    if addrs.is_empty() {
        out.push_str("  no address yet: the network is not up\n");
    }
    for a in addrs {
        out.push_str(&format!("  ssh{port} root@{a}\n"));
    }
    if let Some(f) = sshd.fingerprint() {
        out.push_str(&format!("  host key {f}\n"));
    }
    out
}

/// `attach` (each SSH login): a command given to ssh runs as asked; else the installer
/// running here is followed (its events as the console shows them) until its install
/// ends, or the last one's events are shown; with no installer running and a terminal,
/// the TUI takes over (a process of its own, with its own log and journal).
pub fn attach(run_dir: Option<&Path>) -> Result<(), Failure> {
    if let Some(c) = std::env::var("SSH_ORIGINAL_COMMAND")
        .ok()
        .filter(|c| !c.trim().is_empty())
    {
        // scp, a look at the logs: the admin logged in with a key of root's.
        let e = crate::cmd::Cmd::new("/bin/sh").arg("-c").arg(c).exec();
        return Err(Failure::BadInput(anyhow!("{e}")));
    }
    let dir = run_dir.map_or_else(run_dir_path, Path::to_path_buf);
    let running = newest_installer(&dir);
    match &running {
        Some((pid, true)) => {
            print_out(&format!(
                "Following the installer running here (pid {pid}); Ctrl-C leaves, the install goes on.\n"
            ));
            follow(&dir.join(format!("events-{pid}.jsonl")), *pid);
        }
        Some((pid, false)) => {
            print_out("No installer runs here now; the last one's events:\n");
            follow(&dir.join(format!("events-{pid}.jsonl")), *pid);
        }
        None => print_out("No installer has run here yet.\n"),
    }
    let alive = matches!(running, Some((_, true)));
    if alive || !std::io::stdin().is_terminal() {
        return Ok(());
    }
    let e = crate::cmd::Cmd::new(installer()).arg("tui").exec();
    Err(Failure::BadInput(anyhow!("{e}")))
}

/// The newest installer's pid (by its log, install-PID.log) and whether it still runs.
fn newest_installer(dir: &Path) -> Option<(u32, bool)> {
    let newest = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid: u32 = name
                .strip_prefix("install-")?
                .strip_suffix(".log")?
                .parse()
                .ok()?;
            Some((e.metadata().ok()?.modified().ok()?, pid))
        })
        .max()?;
    let pid = newest.1;
    Some((pid, runs(pid)))
}

/// Shows the events of `journal` as the console does, following it while `pid` runs,
/// until the install's `ended` event.
fn follow(journal: &Path, pid: u32) {
    let console = Console::new();
    let mut reader = None;
    let mut idle_since = Instant::now();
    loop {
        if reader.is_none() {
            reader = std::fs::File::open(journal)
                .ok()
                .map(std::io::BufReader::new);
        }
        let mut line = String::new();
        let got = reader
            .as_mut()
            .map_or(0, |r| r.read_line(&mut line).unwrap_or(0));
        if got > 0 && line.ends_with('\n') {
            idle_since = Instant::now();
            if let Ok(event) = serde_json::from_str::<Event>(&line) {
                console.send(&event);
                if let Event::Ended {
                    exit_code,
                    error,
                    disk_changed,
                    ..
                } = &event
                {
                    print_out(&ended_line(*exit_code, error.as_deref(), *disk_changed));
                    return;
                }
            }
            continue;
        }
        // A line being written is read again whole (the journal is appended line by line).
        if got > 0
            && let Some(r) = reader.as_mut()
        {
            let _ = r.seek_relative(-(got as i64));
        }
        if !runs(pid) && idle_since.elapsed() > Duration::from_secs(1) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The install's last word, as the console's command prints it after `ended`.
fn ended_line(exit_code: u8, error: Option<&str>, disk_changed: bool) -> String {
    match (exit_code, error) {
        (0, _) => "The install finished (exit 0).\n".to_string(),
        (code, why) => format!(
            "The install ended with exit {code}: {}{}\n",
            why.unwrap_or("no reason given"),
            if disk_changed {
                ""
            } else {
                " (the disks are as they were)"
            }
        ),
    }
}

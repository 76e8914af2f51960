//! The one way to run an external program: every command is logged, and its error carries
//! the whole command line, the exit status and stderr.

mod stream;

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use stream::{KillHandle, Limits, Stream};

#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    #[error("running `{cmdline}`: {source}")]
    Spawn {
        cmdline: String,
        source: std::io::Error,
    },
    /// For `run_streaming`, `stderr` holds the last lines of both streams.
    #[error("`{cmdline}` failed ({status}){}", stderr_suffix(.stderr))]
    Failed {
        cmdline: String,
        status: String,
        stderr: String,
    },
    #[error("`{cmdline}` timed out after {}s and was killed{}", .after.as_secs(), stderr_suffix(.output))]
    TimedOut {
        cmdline: String,
        after: std::time::Duration,
        /// The last lines it printed, both streams.
        output: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    let t = stderr.trim();
    if t.is_empty() {
        String::new()
    } else {
        format!(": {t}")
    }
}

/// What a finished command printed.
#[derive(Debug, Clone)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// A command to run. Build it, then `run()`.
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    chroot: Option<PathBuf>,
    /// Arguments never written to logs or errors (secrets).
    redact: Vec<usize>,
    /// Start from an empty environment instead of the installer's.
    clear_env: bool,
}

/// Held (shared) by every spawn from fork to exec.
static SPAWNING: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Closes a file opened with O_EXCL (a whole disk, a partition) so that the claim is really
/// gone when this returns. A child forked by another thread holds a copy of every
/// descriptor until it execs, and with it the claim: the next `mkfs` on a partition would
/// fail with EBUSY. Waiting for the spawns under way is not enough: the kernel lets the
/// parent of a vfork go on before exec has closed the child's close-on-exec descriptors,
/// and the last close of a file is finished later still. So, with new spawns held off,
/// the device is opened exclusively once more (it succeeds only when no copy holds the
/// claim) and closed again, which no child can have copied.
pub fn close_exclusive(file: std::fs::File) {
    use std::os::fd::AsRawFd;
    let _no_spawns = SPAWNING.write().unwrap_or_else(|e| e.into_inner());
    let device = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()));
    drop(file);
    if let Ok(device) = device {
        wait_until_unclaimed(&device);
    }
}

/// Polls for up to half a second: a real holder (a mount) is reported by whoever opens
/// the device next, with its own error.
fn wait_until_unclaimed(device: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    loop {
        let probe = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_EXCL)
            .open(device);
        match probe {
            Ok(_) => return,
            Err(e)
                if e.raw_os_error() == Some(nix::libc::EBUSY)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(_) => return,
        }
    }
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            chroot: None,
            redact: Vec::new(),
            clear_env: false,
        }
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// An argument that must not appear in logs or errors.
    pub fn secret_arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.redact.push(self.args.len());
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Self {
        self.env
            .push((k.as_ref().to_owned(), v.as_ref().to_owned()));
        self
    }

    /// Start from an empty environment: only what `env` sets (and LC_ALL) is passed on.
    pub fn env_clear(mut self) -> Self {
        self.clear_env = true;
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    /// Run inside `root` (through chroot(8), so the program is the target's own).
    pub fn in_root(mut self, root: impl AsRef<Path>) -> Self {
        self.chroot = Some(root.as_ref().to_owned());
        self
    }

    /// The command line as logged: shell-quoted, secrets replaced.
    pub fn cmdline(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &self.chroot {
            parts.push(format!("chroot {}", quote(r.as_os_str())));
        }
        parts.push(quote(&self.program));
        for (i, a) in self.args.iter().enumerate() {
            if self.redact.contains(&i) {
                parts.push("<redacted>".into());
            } else {
                parts.push(quote(a));
            }
        }
        parts.join(" ")
    }

    fn command(&self) -> Command {
        let mut c = match &self.chroot {
            Some(root) => {
                let mut c = Command::new("chroot");
                c.arg(root).arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        c.args(&self.args);
        if self.clear_env {
            c.env_clear();
        }
        // Localised tool output would break the parsing of it (unless the caller sets LC_ALL).
        c.env("LC_ALL", "C");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Starts `c` with stdout and stderr piped, and stdin piped when there is input for it.
    fn spawn_piped(&self, mut c: Command) -> std::io::Result<std::process::Child> {
        // Shared with other spawns; `close_exclusive` waits for all of them (see there).
        let _spawning = SPAWNING.read().unwrap_or_else(|e| e.into_inner());
        c.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    }

    /// Replaces this process with the command (its stdin, stdout and stderr are ours):
    /// returns only when it cannot be started.
    pub fn exec(&self) -> CmdError {
        use std::os::unix::process::CommandExt;
        let cmdline = self.cmdline();
        tracing::info!(target: "cmd", "running {cmdline} (in place of the installer)");
        let source = self.command().exec();
        CmdError::Spawn { cmdline, source }
    }

    /// Run to completion; a non-zero exit is an error with stderr in it.
    pub fn run(&self) -> Result<Output, CmdError> {
        let cmdline = self.cmdline();
        tracing::info!(target: "cmd", "running {cmdline}");
        let spawn_err = |source| CmdError::Spawn {
            cmdline: cmdline.clone(),
            source,
        };
        let mut child = self.spawn_piped(self.command()).map_err(spawn_err)?;
        if let (Some(data), Some(mut pipe)) = (&self.stdin, child.stdin.take()) {
            // A program that exits without reading all of stdin is judged by its status.
            let _ = pipe.write_all(data);
        }
        let out = child.wait_with_output().map_err(spawn_err)?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !stderr.trim().is_empty() {
            tracing::debug!(target: "cmd", "stderr of {cmdline}: {}", stderr.trim());
        }
        if !out.status.success() {
            return Err(CmdError::Failed {
                cmdline,
                status: out.status.to_string(),
                stderr,
            });
        }
        Ok(Output { stdout, stderr })
    }
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Where `name` would be run from: an absolute name as it is, any other from the first
/// PATH directory holding an executable file of that name.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_in(name, &std::env::split_paths(&path).collect::<Vec<_>>())
}

fn find_in(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let runnable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.starts_with('/') {
        return runnable(Path::new(name)).then(|| PathBuf::from(name));
    }
    dirs.iter().map(|d| d.join(name)).find(|p| runnable(p))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_program_is_found_only_where_it_is_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let dirs = vec![dir.path().to_owned()];
        let prog = dir.path().join("mkfs.xfs");
        std::fs::write(&prog, "").unwrap();
        assert_eq!(super::find_in("mkfs.xfs", &dirs), None, "not executable");
        std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(super::find_in("mkfs.xfs", &dirs), Some(prog.clone()));
        assert_eq!(super::find_in("mkfs.ext4", &dirs), None);
        let abs = prog.display().to_string();
        assert_eq!(super::find_in(&abs, &[]), Some(prog));
    }

    use super::*;

    #[test]
    fn failure_names_the_whole_command_and_stderr() {
        let err = Cmd::new("sh")
            .args(["-c", "echo boom >&2; exit 3"])
            .run()
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`sh -c 'echo boom >&2; exit 3'`"), "{msg}");
        assert!(msg.contains("exit status: 3"), "{msg}");
        assert!(msg.ends_with(": boom"), "{msg}");
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = Cmd::new("/nonexistent/prog").run().unwrap_err();
        assert!(matches!(err, CmdError::Spawn { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/prog"));
    }

    #[test]
    fn stdin_and_stdout_pass_through() {
        let out = Cmd::new("cat").stdin("hello").run().unwrap();
        assert_eq!(out.stdout, "hello");
    }

    #[test]
    fn secrets_never_reach_the_command_line() {
        let c = Cmd::new("chpasswd").arg("-e").secret_arg("hunter2");
        assert_eq!(c.cmdline(), "chpasswd -e <redacted>");
    }

    #[test]
    fn streaming_sees_each_line_and_keeps_stderr() {
        let mut seen = Vec::new();
        let out = Cmd::new("sh")
            .args(["-c", "echo one; printf 'a\\rb\\n'; echo err >&2"])
            .run_streaming(Limits::default(), &mut |s, l| {
                if s == Stream::Stdout {
                    seen.push(l.to_owned())
                }
            })
            .unwrap();
        // A line redrawn with \r arrives once per state, as progress bars print them.
        assert_eq!(seen, ["one", "a", "b"]);
        assert_eq!(out.stderr.trim(), "err");
        let err = Cmd::new("sh")
            .args(["-c", "echo bad >&2; exit 4"])
            .run_streaming(Limits::default(), &mut |_, _| {})
            .unwrap_err();
        assert!(err.to_string().ends_with(": bad"), "{err}");
    }

    #[test]
    fn streaming_can_be_killed_from_another_thread() {
        let k = KillHandle::new();
        let k2 = k.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            k2.kill();
        });
        let start = std::time::Instant::now();
        let limits = Limits {
            kill: Some(&k),
            ..Limits::default()
        };
        let err = Cmd::new("sleep")
            .arg("30")
            .run_streaming(limits, &mut |_, _| {})
            .unwrap_err();
        t.join().unwrap();
        assert!(start.elapsed().as_secs() < 10);
        assert!(err.to_string().contains("killed on request"), "{err}");
    }

    static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

    #[test]
    fn streaming_stops_with_the_stop_flag_and_takes_the_group_along() {
        let t = std::thread::spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(200));
            STOP.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let start = std::time::Instant::now();
        let limits = Limits {
            stop: Some(|| STOP.load(std::sync::atomic::Ordering::SeqCst)),
            ..Limits::default()
        };
        // The shell's child holds the pipes: only killing the group ends the run early.
        let err = Cmd::new("sh")
            .args(["-c", "sleep 30; echo never"])
            .run_streaming(limits, &mut |_, _| {})
            .unwrap_err();
        t.join().unwrap();
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert!(err.to_string().contains("killed on request"), "{err}");
    }
}

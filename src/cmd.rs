//! The one way to run an external program: every command is logged, and its error carries
//! the whole command line, the exit status and stderr.

mod stream;

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub use stream::Stream;

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

    /// Run to completion; a non-zero exit is an error with stderr in it.
    pub fn run(&self) -> Result<Output, CmdError> {
        let cmdline = self.cmdline();
        tracing::info!(target: "cmd", "running {cmdline}");
        let mut c = self.command();
        c.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let spawn_err = |source| CmdError::Spawn {
            cmdline: cmdline.clone(),
            source,
        };
        let mut child = c.spawn().map_err(spawn_err)?;
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

/// Kills a command started by [`Cmd::run_streaming`] from another thread. Safe against pid
/// reuse: the child is only signalled while it has not been reaped (std's `Child::kill`
/// is a no-op once its exit status is known).
#[derive(Debug, Clone, Default)]
pub struct KillHandle(Arc<Mutex<KillState>>);

#[derive(Debug, Default)]
struct KillState {
    killed: bool,
    child: Option<Child>,
}

impl KillHandle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Kills the command if it is running, and any command started later with this handle.
    pub fn kill(&self) {
        if let Ok(mut st) = self.0.lock() {
            st.killed = true;
            if let Some(c) = st.child.as_mut() {
                let _ = c.kill();
            }
        }
    }

    pub fn is_killed(&self) -> bool {
        self.0.lock().map(|s| s.killed).unwrap_or(false)
    }
}

impl Cmd {
    /// Like `run`, but calls `on_line` with each line of stdout as it is printed (for
    /// progress), and can be killed through `kill`. Stdout and stderr are also returned
    /// whole; a failure carries the command line and stderr as with `run`.
    pub fn run_streaming(
        &self,
        kill: Option<&KillHandle>,
        mut on_line: impl FnMut(&str),
    ) -> Result<Output, CmdError> {
        let cmdline = self.cmdline();
        tracing::info!(target: "cmd", "running {cmdline} (streaming)");
        let spawn_err = |source| CmdError::Spawn {
            cmdline: cmdline.clone(),
            source,
        };
        let mut c = self.command();
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().map_err(spawn_err)?;
        let (Some(out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(spawn_err(std::io::Error::other("no pipes to the child")));
        };
        // Stderr is drained on its own thread so a chatty stderr cannot block the child.
        let err_thread = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        });
        let shared = kill.cloned().unwrap_or_default();
        {
            let mut st = shared.0.lock().map_err(|_| spawn_err(poisoned()))?;
            if st.killed {
                let _ = child.kill();
            }
            st.child = Some(child);
        }
        let mut stdout = String::new();
        let mut reader = BufReader::new(out);
        let mut raw = Vec::new();
        loop {
            raw.clear();
            match reader.read_until(b'\n', &mut raw) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&raw);
                    stdout.push_str(&line);
                    // dnf redraws progress with \r: the last segment is the current state.
                    for part in line.trim_end_matches(['\n', '\r']).split('\r') {
                        on_line(part);
                    }
                }
            }
        }
        // Stdout closed: wait for the exit without holding the lock, so kill() stays usable.
        let status = loop {
            let polled = {
                let mut st = shared.0.lock().map_err(|_| spawn_err(poisoned()))?;
                match st.child.as_mut() {
                    Some(c) => c.try_wait().map_err(spawn_err)?,
                    None => return Err(spawn_err(std::io::Error::other("child lost"))),
                }
            };
            match polled {
                Some(s) => break s,
                None => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        };
        if let Ok(mut st) = shared.0.lock() {
            st.child = None;
        }
        let stderr = err_thread.join().unwrap_or_default();
        if !stderr.trim().is_empty() {
            tracing::debug!(target: "cmd", "stderr of {cmdline}: {}", stderr.trim());
        }
        if !status.success() {
            let status = if shared.is_killed() {
                format!("{status}, killed on request")
            } else {
                status.to_string()
            };
            return Err(CmdError::Failed {
                cmdline,
                status,
                stderr,
            });
        }
        Ok(Output { stdout, stderr })
    }
}

fn poisoned() -> std::io::Error {
    std::io::Error::other("kill handle lock poisoned")
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

#[cfg(test)]
mod tests {
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
            .args(["-c", "echo one; echo two; echo err >&2"])
            .run_streaming(None, |l| seen.push(l.to_owned()))
            .unwrap();
        assert_eq!(seen, ["one", "two"]);
        assert_eq!(out.stderr.trim(), "err");
        let err = Cmd::new("sh")
            .args(["-c", "echo bad >&2; exit 4"])
            .run_streaming(None, |_| {})
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
        let err = Cmd::new("sleep")
            .arg("30")
            .run_streaming(Some(&k), |_| {})
            .unwrap_err();
        t.join().unwrap();
        assert!(start.elapsed().as_secs() < 10);
        assert!(err.to_string().contains("killed on request"), "{err}");
    }
}

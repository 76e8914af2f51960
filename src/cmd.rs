//! The one way to run an external program: every command is logged, and its error carries
//! the whole command line, the exit status and stderr.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// Which pipe a line of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How many lines of output a streamed command's error keeps.
const TAIL_LINES: usize = 20;
/// How long to keep reading after the program exits, when something it left behind still
/// holds its pipes open.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

impl Cmd {
    /// Start from an empty environment: only what `env` sets (and LC_ALL) is passed on.
    pub fn env_clear(mut self) -> Self {
        self.clear_env = true;
        self
    }

    /// Runs in its own process group, hands each output line to `on_line` as it comes, and
    /// kills the whole group (SIGKILL) when `timeout` passes or when the program exits:
    /// nothing it started outlives it. Errors carry the last lines of output.
    pub fn run_streaming(
        &self,
        timeout: Duration,
        on_line: &mut dyn FnMut(Stream, &str),
    ) -> Result<(), CmdError> {
        use std::os::unix::process::CommandExt;
        let cmdline = self.cmdline();
        tracing::info!(target: "cmd", "running {cmdline} (timeout {}s)", timeout.as_secs());
        let mut c = self.command();
        c.process_group(0)
            .stdin(if self.stdin.is_some() {
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
        let pgid = child.id();
        let (tx, rx) = mpsc::channel::<(Stream, String)>();
        if let Some(out) = child.stdout.take() {
            read_lines(out, Stream::Stdout, tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            read_lines(err, Stream::Stderr, tx.clone());
        }
        drop(tx);
        if let (Some(data), Some(mut pipe)) = (self.stdin.clone(), child.stdin.take()) {
            // In a thread: a program that prints before reading would deadlock us otherwise.
            std::thread::spawn(move || pipe.write_all(&data));
        }

        let deadline = Instant::now() + timeout;
        let mut tail: VecDeque<String> = VecDeque::new();
        let mut status = None;
        let mut timed_out = false;
        let mut drain_until = deadline;
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok((stream, line)) => {
                    on_line(stream, &line);
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                    continue;
                }
                // Both pipes closed and the program is gone: all output is in.
                Err(mpsc::RecvTimeoutError::Disconnected) if status.is_some() => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            let now = Instant::now();
            if status.is_none() {
                if now >= deadline {
                    // Killed before reaping, so the group id cannot have been reused yet.
                    kill_group(pgid);
                    timed_out = true;
                    status = Some(child.wait().map_err(spawn_err)?);
                    drain_until = now + DRAIN_GRACE;
                } else if let Some(st) = child.try_wait().map_err(spawn_err)? {
                    // Anything still in the group keeps the group id reserved.
                    kill_group(pgid);
                    status = Some(st);
                    drain_until = now + DRAIN_GRACE;
                }
            } else if now >= drain_until {
                break;
            }
        }
        let output = Vec::from(tail).join("\n");
        match status {
            _ if timed_out => Err(CmdError::TimedOut {
                cmdline,
                after: timeout,
                output,
            }),
            Some(st) if !st.success() => Err(CmdError::Failed {
                cmdline,
                status: st.to_string(),
                stderr: output,
            }),
            _ => Ok(()),
        }
    }
}

fn read_lines(
    pipe: impl Read + Send + 'static,
    stream: Stream,
    tx: mpsc::Sender<(Stream, String)>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line)
                .trim_end_matches('\r')
                .to_owned();
            if tx.send((stream, line)).is_err() {
                break;
            }
        }
    });
}

fn kill_group(pgid: u32) {
    let Ok(pgid) = nix::libc::pid_t::try_from(pgid) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; a negative pid
    // names the process group. ESRCH (nothing left) is the normal case after a clean exit.
    unsafe {
        nix::libc::kill(-pgid, nix::libc::SIGKILL);
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
    fn streaming_hands_over_lines_and_keeps_the_tail_in_errors() {
        let mut seen = Vec::new();
        let err = Cmd::new("sh")
            .args(["-c", "echo one; echo two >&2; exit 4"])
            .run_streaming(Duration::from_secs(10), &mut |s, l| {
                seen.push((s, l.to_owned()))
            })
            .unwrap_err();
        assert!(seen.contains(&(Stream::Stdout, "one".into())), "{seen:?}");
        assert!(seen.contains(&(Stream::Stderr, "two".into())), "{seen:?}");
        let msg = err.to_string();
        assert!(msg.contains("exit status: 4"), "{msg}");
        assert!(msg.contains("one") && msg.contains("two"), "{msg}");
    }

    #[test]
    fn streaming_timeout_kills_the_group() {
        let start = Instant::now();
        let err = Cmd::new("sh")
            .args(["-c", "sleep 30 & echo started; wait"])
            .run_streaming(Duration::from_secs(1), &mut |_, _| {})
            .unwrap_err();
        assert!(matches!(err, CmdError::TimedOut { .. }), "{err}");
        assert!(err.to_string().contains("started"), "{err}");
        // Without the timeout, `wait` would take 30 s.
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }
}

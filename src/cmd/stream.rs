//! Long-running commands: output handed over line by line as it comes (progress), an
//! optional timeout, a kill handle for another thread, and the whole process group killed
//! with it (dnf, post scripts: anything that may hang or spawn).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Cmd, CmdError, Output};

/// Stops a streamed command from another thread. The streaming loop, which owns the child,
/// notices within 50 ms and kills the process group before reaping it, so the signal can
/// never reach a reused pid.
#[derive(Debug, Clone, Default)]
pub struct KillHandle(Arc<AtomicBool>);

impl KillHandle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Kills the command if it is running, and any command started later with this handle.
    pub fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How a streamed command may be stopped early.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits<'a> {
    pub timeout: Option<Duration>,
    pub kill: Option<&'a KillHandle>,
    /// Polled like `kill`: the engine's Ctrl-C/SIGTERM flag. The command runs in a process
    /// group of its own, so a signal to the installer's group never reaches it.
    pub stop: Option<fn() -> bool>,
}

/// Which pipe a line of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How many lines of output a streamed command's error keeps.
const TAIL_LINES: usize = 40;
/// How long to keep reading after the program exits, when something it left behind still
/// holds its pipes open.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

impl Cmd {
    /// Runs in its own process group, hands each output line to `on_line` as it comes (a
    /// line redrawn with \r arrives once per redraw), and kills the whole group (SIGKILL)
    /// when the timeout passes, the kill handle fires, or the program exits: nothing it
    /// started outlives it. Returns all output; errors carry its last lines.
    pub fn run_streaming(
        &self,
        limits: Limits,
        on_line: &mut dyn FnMut(Stream, &str),
    ) -> Result<Output, CmdError> {
        use std::os::unix::process::CommandExt;
        let cmdline = self.cmdline();
        // Far enough away to never fire, without overflowing Instant arithmetic.
        let timeout = limits
            .timeout
            .unwrap_or(Duration::from_secs(100 * 365 * 86_400));
        tracing::info!(target: "cmd", "running {cmdline} (streaming)");
        let mut c = self.command();
        c.process_group(0);
        let spawn_err = |source| CmdError::Spawn {
            cmdline: cmdline.clone(),
            source,
        };
        let mut child = self.spawn_piped(c).map_err(spawn_err)?;
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
        let (mut stdout, mut stderr) = (String::new(), String::new());
        let mut killed = false;
        let mut status = None;
        let mut timed_out = false;
        let mut drain_until = deadline;
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok((stream, line)) => {
                    let whole = match stream {
                        Stream::Stdout => &mut stdout,
                        Stream::Stderr => &mut stderr,
                    };
                    whole.push_str(&line);
                    whole.push('\n');
                    // dnf redraws its progress with \r: each segment is a state.
                    for part in line.split('\r').filter(|p| !p.is_empty()) {
                        on_line(stream, part);
                    }
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
                if limits.kill.is_some_and(KillHandle::is_killed)
                    || limits.stop.is_some_and(|f| f())
                {
                    kill_group(pgid);
                    killed = true;
                    status = Some(child.wait().map_err(spawn_err)?);
                    drain_until = now + DRAIN_GRACE;
                } else if now >= deadline {
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
        if !stderr.trim().is_empty() {
            tracing::debug!(target: "cmd", "stderr of {cmdline}: {}", stderr.trim());
        }
        match status {
            _ if timed_out => Err(CmdError::TimedOut {
                cmdline,
                after: timeout,
                output,
            }),
            Some(st) if !st.success() => Err(CmdError::Failed {
                cmdline,
                status: if killed {
                    format!("{st}, killed on request")
                } else {
                    st.to_string()
                },
                stderr: output,
            }),
            _ => Ok(Output { stdout, stderr }),
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
            let line = String::from_utf8_lossy(&line).into_owned();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_hands_over_lines_and_keeps_the_tail_in_errors() {
        let mut seen = Vec::new();
        let err = Cmd::new("sh")
            .args(["-c", "echo one; echo two >&2; exit 4"])
            .run_streaming(
                Limits {
                    timeout: Some(Duration::from_secs(10)),
                    ..Limits::default()
                },
                &mut |s, l| seen.push((s, l.to_owned())),
            )
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
            .run_streaming(
                Limits {
                    timeout: Some(Duration::from_secs(1)),
                    ..Limits::default()
                },
                &mut |_, _| {},
            )
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

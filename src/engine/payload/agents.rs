//! dnf 4 checks `repomd.xml` signatures through gpgme, which starts a gpg-agent for the
//! keyring it keeps in the cache (`CACHE/REPO-HASH/pubring`). The agent daemonizes, so
//! killing dnf's process group misses it: it would outlive the install and hold files in
//! the cache (and, when the cache is on the target, the target's mount).

use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::cmd::Cmd;

/// How long an agent told to stop gets before it is killed.
const GRACE: Duration = Duration::from_secs(5);

/// Stops every gpg-agent that serves a keyring under `cache`, and returns once they are
/// gone: `gpgconf --kill` only asks, the agent exits a moment later.
pub fn stop_gpg_agents(cache: &Path) {
    let Ok(dirs) = std::fs::read_dir(cache) else {
        return;
    };
    for ring in dirs.flatten().map(|d| d.path().join("pubring")) {
        if !ring.is_dir() {
            continue;
        }
        // Without an agent for that keyring, gpgconf has nothing to do and says so quickly.
        let _ = Cmd::new("gpgconf")
            .arg("--homedir")
            .arg(&ring)
            .args(["--kill", "gpg-agent"])
            .run();
        let deadline = Instant::now() + GRACE;
        loop {
            let left = agents_of(&ring);
            if left.is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                for pid in left {
                    tracing::warn!(
                        "gpg-agent {pid} for {} did not stop; killing it",
                        ring.display()
                    );
                    let _ = kill(pid, Signal::SIGKILL);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The gpg-agents started with `--homedir RING`, found by their command lines.
fn agents_of(ring: &Path) -> Vec<Pid> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let ring = ring.as_os_str().as_encoded_bytes();
    procs
        .flatten()
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            serves(&cmdline, ring).then(|| Pid::from_raw(pid))
        })
        .collect()
}

/// Whether a NUL-separated command line is a gpg-agent's with `--homedir RING`.
fn serves(cmdline: &[u8], ring: &[u8]) -> bool {
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    let is_agent = args
        .first()
        .is_some_and(|a| a.rsplit(|b| *b == b'/').next() == Some(b"gpg-agent"));
    is_agent
        && args
            .windows(2)
            .any(|w| w[0] == b"--homedir" && w[1] == ring)
}

#[cfg(test)]
mod tests {
    use super::serves;

    #[test]
    fn an_agent_is_recognised_by_its_homedir_only() {
        let agent = b"gpg-agent\0--homedir\0/c/r/pubring\0--use-standard-socket\0--daemon\0";
        assert!(serves(agent, b"/c/r/pubring"));
        assert!(serves(
            b"/usr/bin/gpg-agent\0--homedir\0/c/r/pubring\0",
            b"/c/r/pubring"
        ));
        assert!(!serves(agent, b"/c/other/pubring"));
        assert!(!serves(agent, b"/c/r"));
        assert!(!serves(b"vim\0--homedir\0/c/r/pubring\0", b"/c/r/pubring"));
    }
}

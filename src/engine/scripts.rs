//! `[[scripts.post]]`: the user's shell scripts, run in order after the payload and the
//! configuration, inside the target (chroot) or in the installer's own environment. Each
//! runs with a clean, minimal environment and a timeout; its output goes to the log.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::answer::Script;
use crate::cmd::{Cmd, CmdError, Stream};
use crate::events::{Event, Level, Sink, Step};

const PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("writing {key} to {path}: {source}")]
    Write {
        key: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("running {key}: {source}")]
    Run { key: String, source: CmdError },
}

/// Runs `scripts` in order; the first failure (non-zero exit or timeout) stops the rest.
/// `root` is where the target is mounted.
pub fn run_post(scripts: &[Script], root: &Path, events: &dyn Sink) -> Result<(), ScriptError> {
    for (i, script) in scripts.iter().enumerate() {
        let key = format!("scripts.post[{i}]");
        let timeout = script.timeout.0;
        events.log(
            Step::PostScripts,
            Level::Info,
            format!(
                "running {key} {}, timeout {}s",
                if script.chroot {
                    "in the target"
                } else {
                    "in the installer environment"
                },
                timeout.as_secs()
            ),
        );
        let file = ScriptFile::write(&key, i, &script.run, script.chroot.then_some(root))?;
        let cmd = Cmd::new("/bin/sh")
            .arg(&file.inner_path)
            .env_clear()
            .env("PATH", PATH)
            .env("LANG", "C.UTF-8")
            // Cmd forces LC_ALL=C for parsing tool output; scripts get the UTF-8 locale.
            .env("LC_ALL", "C.UTF-8")
            .env("HOME", "/root");
        let cmd = if script.chroot {
            cmd.in_root(root)
        } else {
            cmd.env("AZL_INSTALLER_ROOT", root)
        };
        let mut on_line = |stream: Stream, line: &str| {
            let level = match stream {
                Stream::Stdout => Level::Info,
                Stream::Stderr => Level::Warn,
            };
            events.log(Step::PostScripts, level, format!("{key}: {line}"));
        };
        let result = cmd
            .run_streaming(
                crate::cmd::Limits {
                    timeout: Some(timeout),
                    kill: None,
                    stop: Some(super::interrupted),
                },
                &mut on_line,
            )
            .map(drop);
        drop(file);
        result.map_err(|source| ScriptError::Run {
            key: key.clone(),
            source,
        })?;
        events.log(Step::PostScripts, Level::Info, format!("{key} finished"));
        events.send(&Event::Progress {
            step: Step::PostScripts,
            done: i as u64 + 1,
            total: scripts.len() as u64,
        });
    }
    Ok(())
}

/// A script's text on disk, removed on drop. In the target's /tmp for chroot scripts (so the
/// target's /bin/sh can read it), in the installer's temp dir otherwise.
struct ScriptFile {
    /// Where it is on the host.
    outer_path: PathBuf,
    /// The path the shell is given (inside the chroot for chroot scripts).
    inner_path: PathBuf,
}

impl ScriptFile {
    fn write(
        key: &str,
        index: usize,
        text: &str,
        chroot: Option<&Path>,
    ) -> Result<ScriptFile, ScriptError> {
        // Unique per call as well: several runs may share a process (and /tmp).
        static CALLS: AtomicU64 = AtomicU64::new(0);
        let call = CALLS.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "azl-installer-post-{}-{call}-{index}.sh",
            std::process::id()
        );
        let (dir, inner_dir) = match chroot {
            Some(root) => (root.join("tmp"), PathBuf::from("/tmp")),
            None => (std::env::temp_dir(), std::env::temp_dir()),
        };
        let outer_path = dir.join(&name);
        let err = |source| ScriptError::Write {
            key: key.into(),
            path: outer_path.clone(),
            source,
        };
        if !dir.exists() {
            std::fs::create_dir_all(&dir).map_err(err)?;
            // A /tmp the payload did not create yet must still be a /tmp for the system.
            if chroot.is_some() {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777))
                    .map_err(err)?;
            }
        }
        // A leftover of an earlier, interrupted run with the same pid: ours now.
        if outer_path.exists() {
            std::fs::remove_file(&outer_path).map_err(err)?;
        }
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o700)
            .open(&outer_path)
            .map_err(err)?;
        let file = ScriptFile {
            outer_path: outer_path.clone(),
            inner_path: inner_dir.join(&name),
        };
        f.write_all(text.as_bytes()).map_err(err)?;
        Ok(file)
    }
}

impl Drop for ScriptFile {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.outer_path) {
            tracing::warn!("removing {}: {e}", self.outer_path.display());
        }
    }
}

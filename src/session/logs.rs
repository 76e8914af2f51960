//! Where an install's log and event journal are written while it runs: under
//! /run/azl-installer/ (kept there when the install fails before the target is mounted),
//! and copied onto the target by the save-logs step.

use std::path::{Path, PathBuf};

/// The run directory; `AZL_RUN_DIR` overrides it (tests, non-root runs).
pub const RUN_DIR: &str = "/run/azl-installer";

#[derive(Debug, Clone)]
pub struct LogFiles {
    /// The run directory (None when it could not be created).
    pub dir: Option<PathBuf>,
    /// The detailed log: every command run, with its output on failure.
    pub install_log: Option<PathBuf>,
    /// One JSON event per line.
    pub events: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "cannot write the log file {path}: {source} (--log needs a file in a directory that exists and is writable)"
)]
pub struct LogError {
    path: String,
    source: std::io::Error,
}

/// The run directory's path (`AZL_RUN_DIR`, else /run/azl-installer), made or not.
pub fn run_dir_path() -> PathBuf {
    std::env::var_os("AZL_RUN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(RUN_DIR))
}

fn run_dir() -> Result<PathBuf, (PathBuf, std::io::Error)> {
    let dir = run_dir_path();
    std::fs::create_dir_all(&dir).map_err(|e| (dir.clone(), e))?;
    // Logs name disks and users: keep them to root.
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    Ok(dir)
}

type Shared = std::sync::Mutex<std::fs::File>;

fn create(path: &Path) -> std::io::Result<Shared> {
    std::fs::File::create(path).map(std::sync::Mutex::new)
}

/// Sets up logging for this process: for installs (`journal`) the run directory's log
/// (when it can be created: a warning says when it cannot), `extra` (`--log FILE`) always,
/// and warnings on stderr. `quiet`: nothing on stderr (the TUI owns the terminal; warnings
/// would draw over it). A `--log` that cannot be written is an error: the admin asked for
/// that file and would find nothing.
pub fn init(extra: Option<&Path>, journal: bool, quiet: bool) -> Result<LogFiles, LogError> {
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    let other = match extra {
        Some(p) => Some(create(p).map_err(|source| LogError {
            path: p.display().to_string(),
            source,
        })?),
        None => None,
    };
    let pid = std::process::id();
    let mut trouble = None;
    let dir = if journal {
        run_dir().map_err(|(d, e)| trouble = Some((d, e))).ok()
    } else {
        None
    };
    let install_log = dir.as_ref().map(|d| d.join(format!("install-{pid}.log")));
    let events = dir.as_ref().map(|d| d.join(format!("events-{pid}.jsonl")));
    let main = install_log.as_deref().and_then(|p| {
        create(p)
            .map_err(|e| trouble = Some((p.to_owned(), e)))
            .ok()
    });
    // Warnings on stderr, but not the events: the console sink shows those already.
    let stderr = std::io::stderr
        .with_max_level(tracing::Level::WARN)
        .with_filter(move |meta| !quiet && meta.target() != "event");
    let builder = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG);
    // Each combination is its own type; the few arms keep that readable.
    let _ = match (main, other) {
        (Some(a), Some(b)) => builder.with_writer(stderr.and(a).and(b)).try_init(),
        (Some(a), None) => builder.with_writer(stderr.and(a)).try_init(),
        (None, Some(b)) => builder.with_writer(stderr.and(b)).try_init(),
        (None, None) => builder.with_writer(stderr).try_init(),
    };
    if let Some((path, e)) = trouble {
        tracing::warn!(
            "cannot write {}: {e}; this install keeps no log there (--log FILE keeps one elsewhere)",
            path.display()
        );
    }
    Ok(LogFiles {
        install_log: install_log.filter(|p| p.exists()),
        events,
        dir,
    })
}

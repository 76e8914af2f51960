//! The payload step: the plan's packages installed into the target root with dnf, from the
//! configured repositories only, signatures checked (packages and repomd.xml) against the
//! configured keys, which are imported into the target's rpmdb first. Afterwards the
//! target gets the repository file and keys so it can update itself.

mod agents;
mod config;
mod driver;
mod failure;
pub(crate) mod progress;

use std::path::{Path, PathBuf};

use crate::cmd::CmdError;
use crate::events::{Level, Sink, Step};
use crate::plan::Payload;

use config::{PrivateConfig, ResolvedRepo};
use driver::{DnfFailure, Flavor, Request, Tools};
use progress::Tracker;

pub use config::{RPM_MACROS, dnf_packages_dir};
pub use driver::request_specs;

#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error(
        "repository name {0:?} cannot be a dnf repository id (letters, digits, '-', '_', '.', ':')"
    )]
    BadRepoName(String),
    #[error("repository {repo}: URL {url:?} is empty or has a line break")]
    BadRepoUrl { repo: String, url: String },
    #[error("repository {repo}: key {url}: https:// keys are not supported yet; use a file:// key")]
    KeyNotYet { repo: String, url: String },
    #[error("repository {repo}: key {url} is neither file:// nor https://")]
    BadKeyUrl { repo: String, url: String },
    #[error("repository {repo}: key file {} does not exist", .path.display())]
    KeyMissing { repo: String, path: PathBuf },
    #[error("{action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no package manager: {0}")]
    NoDnf(String),
    #[error("preparing the rpm database in {}: {source}", .root.display())]
    Rpm { root: PathBuf, source: CmdError },
    /// `reason`: dnf's own words (failure.rs), shown before the command and its last lines;
    /// `repos`: where from ("fixture at http://…"), which dnf 5 does not say.
    #[error("installing packages into {} from {repos}: {}{source}", .root.display(), reason_prefix(.reason))]
    Transaction {
        root: PathBuf,
        repos: String,
        reason: String,
        source: Box<CmdError>,
    },
    #[error(
        "dnf finished, but {}/var/lib/rpm holds no rpm database{hint}; the installed system could not manage its packages",
        .root.display()
    )]
    RpmdbMissing { root: PathBuf, hint: String },
    #[error("listing installed packages in {}: {source}", .root.display())]
    Query { root: PathBuf, source: CmdError },
}

fn reason_prefix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!("{reason}\n")
    }
}

/// What the payload step installed.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    /// NEVRAs from the target's rpmdb, sorted (keys left out).
    pub packages: Vec<String>,
    /// Kernel versions as `uname -r` prints them (directories of /usr/lib/modules with a
    /// vmlinuz), sorted.
    pub kernels: Vec<String>,
}

/// Installs `payload` into `root` (already mounted), with dnf's package cache at `cache`
/// (where a `Prefetch` may have put the packages already). Sends Log and Progress events
/// for `Step::Payload`; the caller sends Started/Finished/Failed.
pub fn install(
    payload: &Payload,
    root: &Path,
    cache: &Path,
    events: &dyn Sink,
) -> Result<Installed, PayloadError> {
    let Setup {
        repos,
        private,
        tools,
    } = set_up(payload, cache, events)?;
    tools.init_root(root, &all_keys(&repos))?;
    let mut tracker = Tracker::new(events);
    let req = Request {
        payload,
        root,
        cache,
    };
    let result = tools.dnf(&private, &req, |l| tracker.line(l));
    let out = match result {
        Ok(out) => out,
        Err(DnfFailure { reason, source }) => {
            // Only dnf's reason is an error; dnf 5's bars were logged as they came.
            for l in reason.lines() {
                tracker.log(Level::Error, l.to_owned());
            }
            return Err(PayloadError::Transaction {
                root: root.to_owned(),
                repos: sources(&repos),
                reason,
                source: Box::new(source),
            });
        }
    };
    // dnf 5's stderr is its progress, already logged line by line.
    if tools.flavor() == Flavor::Dnf4 {
        log_stderr(&tracker, &out.stderr, Level::Info);
    }
    tracker.finish();
    verify_rpmdb(root)?;
    config::write_target_repos(root, &repos, payload.proxy.as_ref())?;
    let packages = tools.installed(root)?;
    let kernels = kernels(root);
    tracker.log(
        Level::Info,
        format!(
            "installed {} packages; kernel {}",
            packages.len(),
            if kernels.is_empty() {
                "none".to_owned()
            } else {
                kernels.join(", ")
            }
        ),
    );
    Ok(Installed { packages, kernels })
}

/// "fixture at http://127.0.0.1:8080/repo, updates at …", for errors.
fn sources(repos: &[ResolvedRepo]) -> String {
    repos
        .iter()
        .map(|r| {
            let url = crate::answer::redact_url(&r.source.url);
            format!("{} at {url}", r.source.name)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn all_keys(repos: &[ResolvedRepo]) -> Vec<PathBuf> {
    repos.iter().flat_map(|r| r.keys.iter().cloned()).collect()
}

fn warn_unchecked(repos: &[ResolvedRepo], events: &dyn Sink) {
    for r in repos.iter().filter(|r| !r.source.gpg_check) {
        events.log(
            Step::Payload,
            Level::Warn,
            format!(
                "repository {}: signature checks are off (gpg_check = false): packages and metadata are installed unverified",
                r.source.name
            ),
        );
    }
}

/// dnf's stderr into the log, without Debian rpm's advice to use Alien.
fn log_stderr(tracker: &Tracker, stderr: &str, level: Level) {
    for l in stderr.lines().map(str::trim_end) {
        if !l.trim().is_empty() && !l.contains("use Alien instead") {
            tracker.log(level, l.to_owned());
        }
    }
}

/// The installed system's rpm looks at /var/lib/rpm; a database anywhere else (Debian's
/// `~/.rpmdb` default) would leave it believing nothing is installed.
fn verify_rpmdb(root: &Path) -> Result<(), PayloadError> {
    let dir = root.join("var/lib/rpm");
    let has_db = ["rpmdb.sqlite", "Packages", "Packages.db"]
        .iter()
        .any(|f| dir.join(f).is_file());
    if has_db {
        return Ok(());
    }
    let stray = root.join("root/.rpmdb");
    let hint = if stray.exists() {
        format!(
            " (rpm wrote it to {}: its %_dbpath is not /var/lib/rpm)",
            stray.display()
        )
    } else {
        String::new()
    };
    Err(PayloadError::RpmdbMissing {
        root: root.to_owned(),
        hint,
    })
}

fn kernels(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("usr/lib/modules"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("vmlinuz").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// What every dnf run needs: the repositories with their keys, the private configuration
/// in front of the package cache, and the package manager found.
struct Setup {
    repos: Vec<ResolvedRepo>,
    private: PrivateConfig,
    tools: Tools,
}

/// Warns about repositories without checks.
fn set_up(payload: &Payload, cache: &Path, events: &dyn Sink) -> Result<Setup, PayloadError> {
    let repos = config::resolve_repos(payload)?;
    warn_unchecked(&repos, events);
    std::fs::create_dir_all(cache).map_err(|source| PayloadError::Io {
        action: "creating the package cache",
        path: cache.to_owned(),
        source,
    })?;
    let private = PrivateConfig::create(payload, &repos, cache)?;
    let tools = Tools::detect(&private)?;
    Ok(Setup {
        repos,
        private,
        tools,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_outside_var_lib_rpm_is_refused_with_a_hint() {
        let dir = std::env::temp_dir().join(format!("azl-rpmdb-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("root/.rpmdb")).unwrap();
        let e = verify_rpmdb(&dir).unwrap_err().to_string();
        assert!(e.contains("/var/lib/rpm holds no rpm database"), "{e}");
        assert!(e.contains("root/.rpmdb"), "{e}");
        std::fs::create_dir_all(dir.join("var/lib/rpm")).unwrap();
        std::fs::write(dir.join("var/lib/rpm/rpmdb.sqlite"), "").unwrap();
        assert!(verify_rpmdb(&dir).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

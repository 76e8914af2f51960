//! Configure the installed system, after the payload: host name and locale, network,
//! accounts, SSH, kernel command line and initramfs, the bootloader, and SELinux labels.
//! Where the distribution has a tool for a job (useradd, systemctl, kernel-install,
//! grub2-mkconfig, setfiles, ...), the target's own copy runs in a chroot; plain
//! configuration files are written directly. fstab is the mount step's business.

mod bootloader;
mod initramfs;
mod kernel;
pub mod keyfile;
mod network;
mod selinux;
pub mod services;
mod ssh;
mod storage;
mod system;
mod users;

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::cmd::CmdError;
use crate::events::{Sink, Step};
use crate::plan::Plan;

use super::target::Formatted;

pub use crate::plan::HARDENING_CMDLINE;
pub use bootloader::{EFI_LABEL, EFI_VENDOR, EfiVars};
pub use kernel::HARDENING_SYSCTL;

#[derive(Debug, thiserror::Error)]
pub enum ConfigureError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Cmd(#[from] CmdError),
    #[error("the target has no `{tool}` (package {package} not installed?)")]
    MissingTool {
        tool: &'static str,
        package: &'static str,
    },
    #[error("no installed kernel of series {want} (found: {})", found_list(.found))]
    KernelSeries { want: String, found: Vec<String> },
    #[error("no {what} partition among the formatted partitions")]
    NoPartition { what: &'static str },
    #[error("the {what} filesystem has no UUID")]
    NoUuid { what: &'static str },
    #[error("{0}")]
    Invalid(String),
    #[error("{path} is missing from the target ({why})")]
    MissingFile { path: String, why: &'static str },
}

fn found_list(found: &[String]) -> String {
    if found.is_empty() {
        "none".into()
    } else {
        found.join(", ")
    }
}

/// Everything the configure step works on besides the plan.
pub struct Context<'a> {
    pub plan: &'a Plan,
    /// Where the target's root filesystem is mounted, with the others below it.
    pub root: &'a Path,
    /// The formatted partitions (UUIDs for the kernel command line and the ESP's number).
    pub formatted: &'a [Formatted],
    /// The whole disk's device node, e.g. /dev/nvme0n1 or the loop device of an image.
    /// It must also exist inside the root (the mount step binds /dev): grub2-install and
    /// efibootmgr run there.
    pub disk: &'a Path,
    /// Every target disk's node, disk 1 first (`disk`): GRUB goes onto each disk with a
    /// bios-boot partition, and each ESP gets its firmware boot entry.
    pub disks: &'a [PathBuf],
    /// Whether the firmware's boot variables may be written (`EfiVars::detect()`; tests
    /// pass a fixed answer).
    pub efivars: EfiVars,
    /// What the installed system needs to know of the storage layers made.
    pub storage: &'a crate::engine::layers::Facts,
}

/// All of configure in order (system, bootloader, relabel), as one call.
pub fn configure_with(ctx: &Context, events: &dyn Sink) -> Result<(), ConfigureError> {
    system(ctx, events)?;
    bootloader(ctx, events)?;
    relabel(ctx, events)
}

/// Host name and locale, network, accounts, SSH, SELinux config, kernel command line and
/// initramfs: the `configure` step.
pub fn system(ctx: &Context, events: &dyn Sink) -> Result<(), ConfigureError> {
    let log = Log::new(events, Step::Configure);
    system::configure(ctx, &log)?;
    network::configure(ctx, &log)?;
    users::configure(ctx, &log)?;
    ssh::configure(ctx, &log)?;
    services::configure(ctx, &log)?;
    selinux::write_config(ctx, &log)?;
    kernel::configure(ctx, &log)
}

/// The `bootloader` step.
pub fn bootloader(ctx: &Context, events: &dyn Sink) -> Result<(), ConfigureError> {
    bootloader::install(ctx, &Log::new(events, Step::Bootloader))
}

/// SELinux labels for every file, last, so that files the post scripts wrote are labelled.
pub fn relabel(ctx: &Context, events: &dyn Sink) -> Result<(), ConfigureError> {
    selinux::relabel(ctx, &Log::new(events, Step::PostScripts))
}

/// The configure steps' log: a `StepLog` bound to the step running.
pub(crate) use crate::events::StepLog as Log;

/// `path` (absolute, as the installed system sees it) under `root`.
pub(crate) fn at(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

pub(crate) fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ConfigureError {
    let what = what.into();
    move |source| ConfigureError::Io { what, source }
}

/// Writes a file of the target with `mode`, owned by root, creating its directory. A
/// symlink in its place is removed first: an absolute link would lead out of the root.
pub(crate) fn write_file(
    root: &Path,
    path: &str,
    contents: &[u8],
    mode: u32,
) -> Result<(), ConfigureError> {
    let full = at(root, path);
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir)
            .map_err(io_err(format!("creating the directory of {path}")))?;
    }
    if full
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        std::fs::remove_file(&full).map_err(io_err(format!("removing the symlink {path}")))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&full)
        .map_err(io_err(format!("writing {path}")))?;
    f.write_all(contents)
        .map_err(io_err(format!("writing {path}")))?;
    // The mode given at creation is filtered by the umask and ignored for existing files.
    f.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(io_err(format!("setting the mode of {path}")))?;
    std::os::unix::fs::fchown(&f, Some(0), Some(0))
        .map_err(io_err(format!("setting the owner of {path}")))?;
    Ok(())
}

/// The target's own copy of a program, as a path inside the root, when it has one.
pub(crate) fn find_tool(root: &Path, name: &str) -> Option<String> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| at(root, p).is_file())
}

/// Like `find_tool`, but its absence is an error naming the package that provides it.
pub(crate) fn need_tool(
    root: &Path,
    tool: &'static str,
    package: &'static str,
) -> Result<String, ConfigureError> {
    find_tool(root, tool).ok_or(ConfigureError::MissingTool { tool, package })
}

/// `systemctl VERB UNIT` with the target's systemctl, in the target (enable, disable).
pub(crate) fn systemctl(root: &Path, verb: &str, unit: &str) -> Result<(), ConfigureError> {
    let systemctl = need_tool(root, "systemctl", "systemd")?;
    crate::cmd::Cmd::new(systemctl)
        .args([verb, unit])
        .in_root(root)
        .run()?;
    Ok(())
}

/// The first of `names` that the target ships as a unit file of its own (not an alias
/// link, which `systemctl enable` refuses): distributions name some services differently
/// (Fedora's sshd.service is Debian's ssh.service, with sshd.service an alias).
pub(crate) fn find_unit<'n>(root: &Path, names: &[&'n str]) -> Option<&'n str> {
    names.iter().copied().find(|n| {
        ["/usr/lib/systemd/system", "/lib/systemd/system"]
            .iter()
            .any(|d| {
                at(root, &format!("{d}/{n}"))
                    .symlink_metadata()
                    .is_ok_and(|m| m.is_file())
            })
    })
}

/// The formatted partition of `role`.
pub(crate) fn partition(formatted: &[Formatted], role: crate::plan::Role) -> Option<&Formatted> {
    formatted.iter().find(|f| f.role == role)
}

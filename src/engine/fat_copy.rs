//! When the running kernel has no vfat driver (seen on some build VMs), the ESP cannot be
//! mounted: its mount point stays a directory on the target's root while the payload and the
//! bootloader write into it, and its contents are copied into the real FAT filesystem with
//! mtools before unmounting. The installed system sees the same files either way.

use std::path::Path;

use crate::cmd::{Cmd, CmdError};

/// True when the running kernel can mount `fstype` (after trying to load its module).
pub fn kernel_supports(fstype: &str) -> bool {
    let listed = |t: &str| {
        std::fs::read_to_string("/proc/filesystems")
            .map(|s| s.lines().any(|l| l.split_whitespace().last() == Some(t)))
            .unwrap_or(false)
    };
    if listed(fstype) {
        return true;
    }
    // modprobe may be missing or have no modules: then the answer stays no.
    let _ = Cmd::new("modprobe").arg(fstype).run();
    listed(fstype)
}

#[derive(Debug, thiserror::Error)]
pub enum FatCopyError {
    #[error("reading {dir}: {source}")]
    Read { dir: String, source: std::io::Error },
    #[error("copying into the FAT filesystem: {0}")]
    Copy(#[from] CmdError),
    #[error("emptying {dir} after copying it: {source}")]
    Clear { dir: String, source: std::io::Error },
}

/// Copies everything below `dir` into the FAT filesystem on `device`, then empties `dir`
/// (it is the mount point of that filesystem on the installed system).
pub fn copy_into(device: &Path, dir: &Path) -> Result<usize, FatCopyError> {
    let entries = copy(device, dir)?;
    for p in &entries {
        let r = if p.is_dir() && !p.is_symlink() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        };
        r.map_err(|source| FatCopyError::Clear {
            dir: dir.display().to_string(),
            source,
        })?;
    }
    Ok(entries.len())
}

/// Copies everything below `dir` into the FAT filesystem on `device` (an ESP's copy).
pub fn copy_tree(device: &Path, dir: &Path) -> Result<usize, FatCopyError> {
    copy(device, dir).map(|e| e.len())
}

/// mcopy of `dir`'s entries into the root of the FAT on `device`; the entries copied.
fn copy(device: &Path, dir: &Path) -> Result<Vec<std::path::PathBuf>, FatCopyError> {
    let read = |source| FatCopyError::Read {
        dir: dir.display().to_string(),
        source,
    };
    let entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(read)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(read)?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    // -s recursive, -p keep times, -o overwrite, -Q stop at the first error.
    Cmd::new("mcopy")
        .args(["-s", "-p", "-o", "-Q", "-i"])
        .arg(device)
        .args(entries.iter().map(|e| e.path()))
        .arg("::/")
        .env("MTOOLS_SKIP_CHECK", "1")
        .run()?;
    Ok(entries.iter().map(|e| e.path()).collect())
}

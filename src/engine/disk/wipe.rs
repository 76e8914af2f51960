//! Erasing what was on the disk: signatures (through wipefs) and the first and last MiB.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use crate::cmd::{Cmd, CmdError};

use crate::units::MIB;

/// `wipefs --all --force NODE`: erases every signature libblkid finds (filesystems, RAID,
/// LVM, swap, partition tables). `--force` also skips wipefs' own O_EXCL open, which would
/// fail while we hold the disk exclusively. Returns what wipefs reports it erased.
pub fn wipefs(node: &Path) -> Result<Vec<String>, CmdError> {
    let out = Cmd::new("wipefs")
        .args(["--all", "--force"])
        .arg(node)
        .run()?;
    Ok(out
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// Zeroes the first and last MiB of the device: old GPT headers and entry arrays, MBR boot
/// code, and superblocks kept at the end (md 0.90/1.0, the old backup GPT) that wipefs may
/// not know about. Whole pages only, so no stale cached data is merged back in.
pub fn zero_ends(f: &mut File, size: u64) -> io::Result<()> {
    let len = size.min(MIB);
    let zeros = vec![0u8; usize::try_from(len).map_err(io::Error::other)?];
    f.seek(SeekFrom::Start(0))?;
    f.write_all(&zeros)?;
    f.seek(SeekFrom::Start(size - len))?;
    f.write_all(&zeros)?;
    f.sync_all()
}

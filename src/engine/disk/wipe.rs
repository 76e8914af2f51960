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
/// not know about; never a byte of the `spared` ranges (kept partitions, [start, end)).
pub fn zero_ends(f: &mut File, size: u64, spared: &[(u64, u64)]) -> io::Result<()> {
    let len = size.min(MIB);
    let head_end = spared.iter().map(|r| r.0).fold(len, u64::min);
    let tail_start = spared.iter().map(|r| r.1).fold(size - len, u64::max);
    zero(f, 0, head_end)?;
    zero(f, tail_start, size)?;
    f.sync_all()
}

fn zero(f: &mut File, start: u64, end: u64) -> io::Result<()> {
    if end <= start {
        return Ok(());
    }
    let zeros = vec![0u8; usize::try_from(end - start).map_err(io::Error::other)?];
    f.seek(SeekFrom::Start(start))?;
    f.write_all(&zeros)
}

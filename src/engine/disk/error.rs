//! What can go wrong while partitioning, and what state the disk was left in.

use std::io;
use std::path::PathBuf;

use nix::errno::Errno;

use super::GptWriteError;
use crate::cmd::CmdError;

/// What a failed partitioning left on the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskState {
    /// Refused before the first write.
    Unchanged,
    /// Wiped, then reset to a valid GPT with no partitions.
    EmptyTable,
    /// Writing failed and so did the reset.
    Damaged,
}

impl std::fmt::Display for DiskState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DiskState::Unchanged => "the disk was not changed",
            DiskState::EmptyTable => "the disk now has an empty partition table",
            DiskState::Damaged => {
                "the disk was partly wiped and no valid partition table could be written: \
                 treat its contents as lost"
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("opening {}: {source}; the disk was not changed", .device.display())]
    Open { device: PathBuf, source: io::Error },
    #[error(
        "{} is in use ({holders}): unmount its filesystems, turn off its swap and stop \
         device-mapper/md/LVM users of it first; the disk was not changed",
        .device.display()
    )]
    InUse { device: PathBuf, holders: String },
    #[error(
        "{} is not a block device (attach a disk image with attach_image first); \
         the disk was not changed",
        .device.display()
    )]
    NotBlockDevice { device: PathBuf },
    #[error("reading the size of {}: {source}; the disk was not changed", .device.display())]
    Geometry { device: PathBuf, source: Errno },
    #[error(
        "{} has {device_sector_size}-byte sectors but the partition table was planned for \
         {table_sector_size}-byte sectors; the disk was not changed",
        .device.display()
    )]
    SectorSizeMismatch {
        device: PathBuf,
        device_sector_size: u32,
        table_sector_size: u32,
    },
    #[error("the partition table does not fit {}: {reason}; the disk was not changed", .device.display())]
    DoesNotFit { device: PathBuf, reason: String },
    #[error("invalid partition table for {}: {reason}; the disk was not changed", .device.display())]
    BadTable { device: PathBuf, reason: String },
    #[error("wiping signatures on {}: {source}; {state}", .node.display())]
    Wipe {
        node: PathBuf,
        source: CmdError,
        state: DiskState,
    },
    #[error("zeroing the first and last MiB of {}: {source}; {state}", .device.display())]
    Zero {
        device: PathBuf,
        source: io::Error,
        state: DiskState,
    },
    #[error("writing the GPT to {}: {source}; {state}", .device.display())]
    WriteTable {
        device: PathBuf,
        source: GptWriteError,
        state: DiskState,
    },
    #[error("re-reading the partition table of {}: {why}; {state}", .device.display())]
    Reread {
        device: PathBuf,
        why: String,
        /// The kernel kept answering EBUSY.
        busy: bool,
        state: DiskState,
    },
    #[error(
        "waiting for the partition nodes of {}: {} did not appear within 10 s; {state}",
        .device.display(), .missing.join(", ")
    )]
    NodesMissing {
        device: PathBuf,
        missing: Vec<String>,
        state: DiskState,
    },
    #[error("attaching {} to a loop device: {source}", .image.display())]
    Attach { image: PathBuf, source: CmdError },
    #[error("attaching {} to a loop device: losetup printed {output:?}, not a device", .image.display())]
    AttachOutput { image: PathBuf, output: String },
    #[error("detaching {}: {source}", .device.display())]
    Detach { device: PathBuf, source: CmdError },
}

impl DiskError {
    /// The state the disk was left in (Unchanged for errors that never touch a disk).
    pub fn state(&self) -> DiskState {
        match self {
            DiskError::Wipe { state, .. }
            | DiskError::Zero { state, .. }
            | DiskError::WriteTable { state, .. }
            | DiskError::Reread { state, .. }
            | DiskError::NodesMissing { state, .. } => *state,
            _ => DiskState::Unchanged,
        }
    }
}

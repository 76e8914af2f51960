//! The partitioning step: wipe old signatures, write a fresh GPT, make the kernel and /dev
//! see it. Nothing is written until the device is opened exclusively and the table is
//! checked against it; after the first write, any failure resets the disk to an empty GPT,
//! and every error says which state the disk was left in.

mod check;
mod claim;
mod error;
mod gpt_write;
mod holders;
mod ioctl;
mod loopdev;
mod reread;
mod rewrite;
mod sysfs;
mod wipe;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::events::{Event, Level, Sink, Step};
use crate::plan::PartitionTable;
pub use check::Geometry;
pub use error::{DiskError, DiskState};
pub use gpt_write::GptWriteError;
pub use holders::describe as holders_of;
pub use loopdev::{AttachedImage, attach_image};
pub use reread::settle;
pub use wipe::wipefs;

/// Progress steps reported as Event::Progress.
const STAGES: u64 = 6;

struct Report<'a> {
    events: &'a dyn Sink,
    done: u64,
}

impl Report<'_> {
    fn log(&self, level: Level, message: String) {
        self.events.log(Step::Partition, level, message);
    }

    fn info(&self, message: String) {
        self.log(Level::Info, message);
    }

    fn advance(&mut self) {
        self.done += 1;
        self.events.send(&Event::Progress {
            step: Step::Partition,
            done: self.done,
            total: STAGES,
        });
    }
}

/// Replaces whatever is on `device` with `table` and returns the partition nodes in table
/// order (/dev/loop3p1, /dev/nvme0n1p1, /dev/sda1, ...).
pub fn partition(
    device: &Path,
    table: &PartitionTable,
    events: &dyn Sink,
) -> Result<Vec<PathBuf>, DiskError> {
    let mut out = Report { events, done: 0 };
    let mut c = claim::claim(device, table)?;
    out.info(format!(
        "partitioning {} (/dev/{}): {} sectors of {} bytes",
        device.display(),
        c.disk,
        c.geo.sectors,
        c.geo.sector_size
    ));
    out.advance();
    // The kept partitions' old entries, read (and checked) before anything is written.
    let kept = gpt_write::read_kept(&mut c.file, c.geo, &table.partitions).map_err(|source| {
        DiskError::WriteTable {
            device: device.to_owned(),
            source,
            state: DiskState::Unchanged,
        }
    })?;
    // From here on the disk changes: every failure resets it to a GPT holding only the
    // kept partitions (none: an empty one), here.
    let parts = match rewrite::rewrite(&mut c, table, &kept, &mut out) {
        Ok(parts) => parts,
        Err(failed) => {
            let state = if failed.wrote_nothing() {
                DiskState::Unchanged
            } else {
                recover(&mut c.file, &out, &c.disk, c.geo, &kept)
            };
            return Err(failed.into_error(device.to_owned(), state));
        }
    };
    out.info(format!(
        "partitions ready: {}",
        parts
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.advance();
    // The claim must be gone before the format step opens the partitions (cmd explains).
    crate::cmd::close_exclusive(c.file);
    Ok(parts)
}

/// After a failure past the first write: writes a GPT holding only the kept partitions'
/// old entries (usually none: an empty table) and lets the kernel drop stale partitions,
/// so the disk is in a known, valid state.
fn recover(
    f: &mut File,
    out: &Report,
    disk: &str,
    geo: Geometry,
    kept: &gpt_write::Kept,
) -> DiskState {
    out.log(
        Level::Warn,
        format!(
            "resetting /dev/{disk} to a partition table {} after the failure",
            if kept.is_empty() {
                "with nothing in it".to_string()
            } else {
                format!("with only the {} kept partitions", kept.len())
            }
        ),
    );
    match gpt_write::write(f, geo, &[], kept) {
        Ok(()) => {
            // Best effort: if a partition is busy the kernel keeps its old view until reboot.
            let _ = ioctl::reread_partitions(f);
            DiskState::EmptyTable
        }
        Err(_) => DiskState::Damaged,
    }
}

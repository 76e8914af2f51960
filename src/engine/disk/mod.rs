//! The partitioning step: wipe old signatures, write a fresh GPT, make the kernel and /dev
//! see it. Nothing is written until the device is opened exclusively and the table is
//! checked against it; after the first write, any failure resets the disk to an empty GPT,
//! and every error says which state the disk was left in.

mod check;
mod error;
mod gpt_write;
mod holders;
mod ioctl;
mod loopdev;
mod reread;
mod sysfs;
mod wipe;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::cmd::CmdError;
use crate::events::{Event, Level, Sink, Step};
use crate::plan::PartitionTable;
pub use check::Geometry;
pub use error::{DiskError, DiskState};
pub use gpt_write::GptWriteError;
pub use holders::describe as holders_of;
pub use loopdev::{AttachedImage, attach_image};

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
    let dev = device.to_owned();

    // O_EXCL on a block device fails with EBUSY while anything holds it or one of its
    // partitions: a mount, active swap, dm/md/LVM. It also keeps new holders away until we
    // are done.
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_EXCL)
        .open(device)
        .map_err(|source| match source.raw_os_error() {
            Some(nix::libc::EBUSY) => DiskError::InUse {
                device: dev.clone(),
                holders: holders::describe(device),
            },
            _ => DiskError::Open {
                device: dev.clone(),
                source,
            },
        })?;
    let is_block = f
        .metadata()
        .map_err(|source| DiskError::Open {
            device: dev.clone(),
            source,
        })?
        .file_type()
        .is_block_device();
    if !is_block {
        return Err(DiskError::NotBlockDevice { device: dev });
    }
    let disk = sysfs::kernel_name(&f).map_err(|source| DiskError::Open {
        device: dev.clone(),
        source,
    })?;
    let geo_err = |source| DiskError::Geometry {
        device: dev.clone(),
        source,
    };
    let size = ioctl::size_bytes(&f).map_err(geo_err)?;
    let sector_size = ioctl::logical_sector_size(&f).map_err(geo_err)?;
    let geo = Geometry {
        sector_size,
        sectors: size / u64::from(sector_size.max(1)),
    };
    check::check(table, geo).map_err(|p| match p {
        check::Problem::SectorSize { device, table } => DiskError::SectorSizeMismatch {
            device: dev.clone(),
            device_sector_size: device,
            table_sector_size: table,
        },
        check::Problem::DoesNotFit(reason) => DiskError::DoesNotFit {
            device: dev.clone(),
            reason,
        },
        check::Problem::BadTable(reason) => DiskError::BadTable {
            device: dev.clone(),
            reason,
        },
    })?;
    out.info(format!(
        "partitioning {} (/dev/{disk}): {} sectors of {} bytes",
        device.display(),
        geo.sectors,
        geo.sector_size
    ));
    out.advance();

    // From here on the disk changes: every failure resets it to an empty GPT (`recover`).
    let mut nodes: Vec<PathBuf> = sysfs::partitions(&disk)
        .iter()
        .map(|k| sysfs::dev_node(&k.name))
        .filter(|n| n.exists())
        .collect();
    nodes.push(PathBuf::from(format!("/dev/{disk}")));
    let mut touched = false;
    for node in &nodes {
        out.info(format!("wiping signatures on {}", node.display()));
        match wipe::wipefs(node) {
            Ok(lines) => {
                touched = true;
                lines.into_iter().for_each(|l| out.info(l));
            }
            Err(source) => {
                // A wipefs that never started wrote nothing: keep the old table then.
                let state = if !touched && matches!(source, CmdError::Spawn { .. }) {
                    DiskState::Unchanged
                } else {
                    recover(&mut f, &out, &disk, geo)
                };
                let node = node.clone();
                return Err(DiskError::Wipe {
                    node,
                    source,
                    state,
                });
            }
        }
    }
    // wipefs wrote through other file descriptors (partition nodes have their own cache):
    // drop our cached pages so nothing stale is written back or read.
    if let Err(e) = ioctl::flush_buffers(&f) {
        out.log(Level::Warn, format!("flushing buffers of /dev/{disk}: {e}"));
    }
    out.info(format!("zeroing the first and last MiB of /dev/{disk}"));
    if let Err(source) = wipe::zero_ends(&mut f, size) {
        let state = recover(&mut f, &out, &disk, geo);
        return Err(DiskError::Zero {
            device: dev,
            source,
            state,
        });
    }
    out.advance();

    out.info(format!(
        "writing GPT: {} partitions",
        table.partitions.len()
    ));
    if let Err(source) = gpt_write::write(&mut f, geo, &table.partitions) {
        let state = recover(&mut f, &out, &disk, geo);
        return Err(DiskError::WriteTable {
            device: dev,
            source,
            state,
        });
    }
    out.advance();

    out.info(format!("re-reading the partition table of /dev/{disk}"));
    let kernel = reread::reread(&f, &disk)
        .and_then(|()| reread::ensure_kernel_partitions(&f, &disk, geo, &table.partitions));
    match kernel {
        Ok(true) => out.info(format!(
            "the kernel did not list the partitions of /dev/{disk} after re-reading \
             (no GPT support built in?): added them with BLKPG"
        )),
        Ok(false) => {}
        Err(e) => {
            let state = recover(&mut f, &out, &disk, geo);
            return Err(DiskError::Reread {
                device: dev,
                why: e.why,
                busy: e.busy,
                state,
            });
        }
    }
    out.advance();

    match reread::settle() {
        None => out.log(
            Level::Debug,
            "udev is not running: waiting for the kernel's device nodes".into(),
        ),
        Some(Ok(())) => {}
        Some(Err(e)) => out.log(Level::Warn, format!("waiting for udev: {e}")),
    }
    let parts = match reread::wait_for_nodes(&disk, &table.partitions) {
        Ok(p) => p,
        Err(missing) => {
            let state = recover(&mut f, &out, &disk, geo);
            return Err(DiskError::NodesMissing {
                device: dev,
                missing,
                state,
            });
        }
    };
    out.advance();

    // Old filesystems may sit exactly where a new partition starts; the format step would
    // otherwise meet them (and blkid would report them until then).
    for node in &parts {
        if let Err(source) = wipe::wipefs(node) {
            let state = recover(&mut f, &out, &disk, geo);
            let node = node.clone();
            return Err(DiskError::Wipe {
                node,
                source,
                state,
            });
        }
    }
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
    crate::cmd::close_exclusive(f);
    Ok(parts)
}

/// After a failure past the first write: writes an empty GPT and lets the kernel drop stale
/// partitions, so the disk is in a known, valid state.
fn recover(f: &mut File, out: &Report, disk: &str, geo: Geometry) -> DiskState {
    out.log(
        Level::Warn,
        format!("resetting /dev/{disk} to an empty partition table after the failure"),
    );
    match gpt_write::write(f, geo, &[]) {
        Ok(()) => {
            // Best effort: if a partition is busy the kernel keeps its old view until reboot.
            let _ = ioctl::reread_partitions(f);
            DiskState::EmptyTable
        }
        Err(_) => DiskState::Damaged,
    }
}

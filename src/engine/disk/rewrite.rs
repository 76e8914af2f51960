//! After the first write: old signatures wiped, the ends zeroed, the new GPT written, the
//! kernel and /dev brought to see it. A step that fails returns what failed; `partition`
//! resets the disk once, in one place, and says which state it was left in.

use std::io;
use std::path::PathBuf;

use super::claim::Claimed;
pub(super) use super::gpt_write::Kept;
use super::{DiskError, DiskState, GptWriteError, Report, gpt_write, ioctl, reread, sysfs, wipe};
use crate::cmd::CmdError;
use crate::events::Level;
use crate::plan::PartitionTable;

/// The step that failed, before the disk is reset.
pub(super) enum Failed {
    Wipe {
        node: PathBuf,
        source: CmdError,
        /// Nothing had been written to the disk before this wipefs.
        first: bool,
    },
    Zero(io::Error),
    WriteTable(GptWriteError),
    Reread {
        why: String,
        busy: bool,
    },
    NodesMissing(Vec<String>),
}

impl Failed {
    /// A first wipefs that never started wrote nothing: the old table stays.
    pub fn wrote_nothing(&self) -> bool {
        matches!(
            self,
            Failed::Wipe {
                first: true,
                source: CmdError::Spawn { .. },
                ..
            }
        )
    }

    pub fn into_error(self, device: PathBuf, state: DiskState) -> DiskError {
        match self {
            Failed::Wipe { node, source, .. } => DiskError::Wipe {
                node,
                source,
                state,
            },
            Failed::Zero(source) => DiskError::Zero {
                device,
                source,
                state,
            },
            Failed::WriteTable(source) => DiskError::WriteTable {
                device,
                source,
                state,
            },
            Failed::Reread { why, busy } => DiskError::Reread {
                device,
                why,
                busy,
                state,
            },
            Failed::NodesMissing(missing) => DiskError::NodesMissing {
                device,
                missing,
                state,
            },
        }
    }
}

/// Replaces what is on the claimed disk with `table`, but for the partitions it keeps
/// (`kept`, their old entries: read by `partition` before anything is written); the
/// partition nodes in table order.
pub(super) fn rewrite(
    c: &mut Claimed,
    table: &PartitionTable,
    kept: &Kept,
    out: &mut Report,
) -> Result<Vec<PathBuf>, Failed> {
    let disk = c.disk.clone();
    wipe_old(c, kept, out)?;
    out.info(format!("zeroing the first and last MiB of /dev/{disk}"));
    let ss = u64::from(c.geo.sector_size);
    let spared: Vec<(u64, u64)> = kept
        .values()
        .map(|k| (k.entry.first_lba * ss, (k.entry.last_lba + 1) * ss))
        .collect();
    wipe::zero_ends(&mut c.file, c.size, &spared).map_err(Failed::Zero)?;
    out.advance();

    out.info(format!(
        "writing GPT: {} partitions{}",
        table.partitions.len(),
        match kept.len() {
            0 => String::new(),
            n => format!(" ({n} kept as they were)"),
        }
    ));
    gpt_write::write(&mut c.file, c.geo, &table.partitions, kept).map_err(Failed::WriteTable)?;
    out.advance();

    out.info(format!("re-reading the partition table of /dev/{disk}"));
    let added = reread::reread(&c.file, &disk)
        .and_then(|()| reread::ensure_kernel_partitions(&c.file, &disk, c.geo, &table.partitions))
        .map_err(|e| Failed::Reread {
            why: e.why,
            busy: e.busy,
        })?;
    if added {
        out.info(format!(
            "the kernel did not list the partitions of /dev/{disk} after re-reading \
             (no GPT support built in?): added them with BLKPG"
        ));
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
    let parts = reread::wait_for_nodes(&disk, &table.partitions).map_err(Failed::NodesMissing)?;
    out.advance();

    // Old filesystems may sit exactly where a new partition starts; the format step would
    // otherwise meet them (and blkid would report them until then). Kept ones stay.
    let new = parts
        .iter()
        .zip(&table.partitions)
        .filter(|(_, p)| !kept.contains_key(&p.number));
    for (node, _) in new {
        wipe::wipefs(node).map_err(|source| Failed::Wipe {
            node: node.clone(),
            source,
            first: false,
        })?;
    }
    Ok(parts)
}

/// Signatures of the old partitions (not the kept ones) and of the disk itself.
fn wipe_old(c: &mut Claimed, kept: &Kept, out: &Report) -> Result<(), Failed> {
    let mut nodes: Vec<PathBuf> = sysfs::partitions(&c.disk)
        .iter()
        .filter(|k| !kept.values().any(|e| e.old_number == k.number))
        .map(|k| sysfs::dev_node(&k.name))
        .filter(|n| n.exists())
        .collect();
    nodes.push(PathBuf::from(format!("/dev/{}", c.disk)));
    for (i, node) in nodes.iter().enumerate() {
        out.info(format!("wiping signatures on {}", node.display()));
        let lines = wipe::wipefs(node).map_err(|source| Failed::Wipe {
            node: node.clone(),
            source,
            first: i == 0,
        })?;
        lines.into_iter().for_each(|l| out.info(l));
    }
    // wipefs wrote through other file descriptors (partition nodes have their own cache):
    // drop our cached pages so nothing stale is written back or read.
    if let Err(e) = ioctl::flush_buffers(&c.file) {
        out.log(
            Level::Warn,
            format!("flushing buffers of /dev/{}: {e}", c.disk),
        );
    }
    Ok(())
}

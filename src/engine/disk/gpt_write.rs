//! Writing a fresh GPT (protective MBR, primary and backup headers and entry arrays), with
//! the entries of kept partitions carried over from the old one as they were.

use std::collections::BTreeMap;
use std::fs::File;

use gpt::disk::LogicalBlockSize;
use gpt::mbr::ProtectiveMBR;
use gpt::partition::Partition;
use gpt::partition_types::{OperatingSystem, Type};

use super::check::Geometry;
use crate::plan::PlannedPartition;

#[derive(Debug, thiserror::Error)]
pub enum GptWriteError {
    #[error("{0}")]
    Gpt(#[from] gpt::GptError),
    #[error("writing the protective MBR: {0}")]
    Mbr(#[from] gpt::mbr::MBRError),
    #[error("syncing: {0}")]
    Sync(#[from] std::io::Error),
    #[error(
        "partition {number} (UUID {uuid}), which the plan keeps, is not in the disk's table \
         where the plan saw it"
    )]
    KeptMoved { number: u32, uuid: String },
}

/// A kept partition's entry in the old table, and its number there.
#[derive(Debug, Clone)]
pub struct KeptEntry {
    pub old_number: u32,
    pub entry: Partition,
}

/// The kept partitions' old entries, by their number in the new table.
pub type Kept = BTreeMap<u32, KeptEntry>;

/// The old table's entries of the partitions `parts` keeps, read before anything is
/// written; each must be where the plan saw it, by the same partition UUID.
pub fn read_kept(
    f: &mut File,
    geo: Geometry,
    parts: &[PlannedPartition],
) -> Result<Kept, GptWriteError> {
    let mut out = BTreeMap::new();
    let kept: Vec<&PlannedPartition> = parts.iter().filter(|p| p.kept.is_some()).collect();
    if kept.is_empty() {
        return Ok(out);
    }
    let old = gpt::GptConfig::new()
        .writable(false)
        .logical_block_size(block_size(geo))
        .open_from_device(&mut *f)?;
    for p in kept {
        let (uuid, number_now) = p
            .kept
            .as_ref()
            .map_or(("", 0), |k| (k.part_uuid.as_str(), k.number_now));
        let found = old.partitions().iter().find(|(_, e)| {
            e.part_guid.to_string().eq_ignore_ascii_case(uuid)
                && e.first_lba == p.first_lba
                && e.last_lba == p.last_lba
        });
        let Some((&old_number, entry)) = found else {
            return Err(GptWriteError::KeptMoved {
                number: number_now,
                uuid: uuid.to_string(),
            });
        };
        out.insert(
            p.number,
            KeptEntry {
                old_number,
                entry: entry.clone(),
            },
        );
    }
    Ok(out)
}

fn block_size(geo: Geometry) -> LogicalBlockSize {
    match geo.sector_size {
        4096 => LogicalBlockSize::Lb4096,
        _ => LogicalBlockSize::Lb512,
    }
}

/// Writes a new table holding exactly `parts` (already checked against `geo`) with a random
/// disk GUID and random partition GUIDs, but for the kept partitions, whose old entries
/// (`kept`, by number: type, UUID, attributes, name) are written back as they were; then
/// syncs.
pub fn write(
    f: &mut File,
    geo: Geometry,
    parts: &[PlannedPartition],
    kept: &Kept,
) -> Result<(), GptWriteError> {
    let mut disk = gpt::GptConfig::new()
        .writable(true)
        .logical_block_size(block_size(geo))
        .create_from_device(&mut *f, None)?;
    for p in parts.iter().filter(|p| !kept.contains_key(&p.number)) {
        let part_type = Type {
            guid: p.type_guid,
            os: OperatingSystem::None,
        };
        // check() guarantees number >= 1, first <= last and that the range is free; the
        // crate's own free-space test is looser than that, so it is not relied on.
        disk.add_partition_at(
            &p.name,
            p.number,
            p.first_lba,
            p.last_lba - p.first_lba + 1,
            part_type,
            0,
        )?;
    }
    if !kept.is_empty() {
        let mut all = disk.take_partitions();
        all.extend(kept.iter().map(|(n, k)| (*n, k.entry.clone())));
        disk.update_partitions(all)?;
    }
    disk.write()?;
    // The crate writes no protective MBR by itself. Its size field covers the disk after
    // LBA 0, capped at 0xFFFFFFFF for disks beyond 2 TiB (as the UEFI spec says).
    let pmbr_len = u32::try_from(geo.sectors - 1).unwrap_or(u32::MAX);
    ProtectiveMBR::with_lb_size(pmbr_len).overwrite_lba0(&mut *f)?;
    f.sync_all()?;
    Ok(())
}

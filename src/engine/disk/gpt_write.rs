//! Writing a fresh GPT (protective MBR, primary and backup headers and entry arrays).

use std::fs::File;

use gpt::disk::LogicalBlockSize;
use gpt::mbr::ProtectiveMBR;
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
}

/// Writes a new table holding exactly `parts` (already checked against `geo`) with a random
/// disk GUID and random partition GUIDs, then syncs.
pub fn write(f: &mut File, geo: Geometry, parts: &[PlannedPartition]) -> Result<(), GptWriteError> {
    let lb = match geo.sector_size {
        4096 => LogicalBlockSize::Lb4096,
        _ => LogicalBlockSize::Lb512,
    };
    let mut disk = gpt::GptConfig::new()
        .writable(true)
        .logical_block_size(lb)
        .create_from_device(&mut *f, None)?;
    for p in parts {
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
    disk.write()?;
    // The crate writes no protective MBR by itself. Its size field covers the disk after
    // LBA 0, capped at 0xFFFFFFFF for disks beyond 2 TiB (as the UEFI spec says).
    let pmbr_len = u32::try_from(geo.sectors - 1).unwrap_or(u32::MAX);
    ProtectiveMBR::with_lb_size(pmbr_len).overwrite_lba0(&mut *f)?;
    f.sync_all()?;
    Ok(())
}

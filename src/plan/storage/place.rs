//! Placing one disk's partitions: in order from 1 MiB, 1 MiB aligned, at the disk's logical
//! sector size, "rest" up to the backup GPT.

use crate::answer::{FsType, Issue, Size, human_bytes};
use crate::plan::{PartitionTable, PlannedPartition, Role};
use crate::units::MIB;

/// Partitions start and end on 1 MiB boundaries, right for every sector and erase-block size.
const ALIGN_BYTES: u64 = MIB;
/// GPT keeps 128 entries of 128 bytes, plus one header sector, at each end of the disk.
const GPT_ENTRIES_BYTES: u64 = 128 * 128;

/// Smallest size each filesystem's mkfs accepts (xfs refuses below 300 MiB; FAT32 needs
/// 65525 clusters, which is 260 MiB at 4 KiB sectors).
pub(super) fn min_fs_bytes(fs: FsType, sector_size: u32) -> u64 {
    match fs {
        FsType::Xfs => 300 * MIB,
        FsType::Ext4 => 16 * MIB,
        FsType::Vfat if sector_size >= 4096 => 260 * MIB,
        FsType::Vfat => 33 * MIB,
        FsType::Swap => MIB,
        FsType::None => MIB,
    }
}

/// One partition before it is placed on the disk.
pub(super) struct Want {
    pub role: Role,
    pub size: Size,
    pub fs: FsType,
    /// For messages: its mount point, else its role.
    pub mount: Option<String>,
    pub label: Option<String>,
    /// Key path of the size in the answer, for messages.
    pub key: String,
    /// Smallest size accepted, when more than its filesystem's minimum (an auto layout's
    /// root).
    pub min: Option<u64>,
}

/// Rounded up to a multiple of `a`; a size too large to round stays too large to fit.
fn align_up(x: u64, a: u64) -> u64 {
    x.checked_next_multiple_of(a).unwrap_or(u64::MAX)
}

/// Places the partitions in order from 1 MiB; `rest` takes what is left up to the backup
/// GPT. `what` names the disk in messages ("the disk", "disk 2").
pub(super) fn place(
    wants: &[Want],
    disk_bytes: u64,
    sector_size: u32,
    what: &str,
) -> Result<PartitionTable, Vec<Issue>> {
    let ss = u64::from(sector_size);
    let disk_sectors = disk_bytes / ss;
    let (start, usable_end) = usable(disk_bytes, sector_size);

    // Bytes of every fixed-size partition, rounded up to the alignment.
    let fixed: Vec<Option<u64>> = wants
        .iter()
        .map(|w| {
            w.size
                .bytes_of(disk_bytes)
                .map(|b| align_up(b, ALIGN_BYTES))
        })
        .collect();
    // Saturating: sizes near 2^64 bytes are merely "does not fit", never an overflow.
    let fixed_total = fixed
        .iter()
        .flatten()
        .fold(0u64, |a, b| a.saturating_add(*b));
    let available = usable_end.saturating_sub(start) * ss;
    let has_rest = wants.iter().any(|w| w.size == Size::Rest);
    let rest_min = wants
        .iter()
        .find(|w| w.size == Size::Rest)
        .map(|w| min_size(w, sector_size))
        .unwrap_or(0);
    let needed = fixed_total.saturating_add(if has_rest { rest_min } else { 0 });
    if needed > available {
        let hint = format!(
            "the layout needs {} but {what} has {} usable; {} missing",
            human_bytes(needed),
            human_bytes(available),
            human_bytes(needed - available)
        );
        return Err(vec![
            Issue::new(
                "storage",
                format!("the partition layout does not fit {what}"),
            )
            .with_hint(hint),
        ]);
    }

    let mut problems = Vec::new();
    let mut partitions = Vec::new();
    let mut lba = start;
    for (i, (w, bytes)) in wants.iter().zip(fixed).enumerate() {
        let sectors = match bytes {
            Some(b) => b / ss,
            None => usable_end - lba,
        };
        let size = sectors * ss;
        let min = min_size(w, sector_size);
        if size < min {
            problems.push(
                Issue::new(
                    &w.key,
                    format!(
                        "{} for {} is too small for {}: at least {} is needed",
                        human_bytes(size),
                        w.mount.as_deref().unwrap_or(role_name(w.role)),
                        fs_name(w.fs),
                        human_bytes(min)
                    ),
                )
                .with_hint("make the partition larger or the disk bigger"),
            );
        }
        let number = i as u32 + 1;
        partitions.push(PlannedPartition {
            number,
            first_lba: lba,
            last_lba: lba + sectors - 1,
            role: w.role,
            type_guid: w.role.type_guid(),
            name: w.label.clone().unwrap_or_else(|| role_name(w.role).into()),
        });
        lba += sectors;
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let table = PartitionTable {
        sector_size,
        disk_sectors,
        partitions,
    };
    Ok(table)
}

/// The first LBA a partition may start at and the aligned end (exclusive) of the space
/// before the backup GPT.
fn usable(disk_bytes: u64, sector_size: u32) -> (u64, u64) {
    let ss = u64::from(sector_size);
    let disk_sectors = disk_bytes / ss;
    let align = ALIGN_BYTES / ss;
    // Last usable LBA: before the backup entries and the backup header.
    let tail = GPT_ENTRIES_BYTES.div_ceil(ss) + 1;
    (align, (disk_sectors.saturating_sub(tail) / align) * align)
}

/// The bytes a "rest" partition gets after partitions of `fixed` bytes (each rounded up to
/// the alignment), whole MiB.
pub(super) fn rest_bytes(disk_bytes: u64, sector_size: u32, fixed: &[u64]) -> u64 {
    let (start, end) = usable(disk_bytes, sector_size);
    let used = fixed
        .iter()
        .fold(0u64, |a, b| a.saturating_add(align_up(*b, ALIGN_BYTES)));
    ((end - start) * u64::from(sector_size)).saturating_sub(used)
}

fn min_size(w: &Want, sector_size: u32) -> u64 {
    min_fs_bytes(w.fs, sector_size).max(w.min.unwrap_or(0))
}

pub(super) fn role_name(r: Role) -> &'static str {
    match r {
        Role::Esp => "ESP",
        Role::BiosBoot => "BIOS-BOOT",
        Role::Boot => "boot",
        Role::Root => "root",
        Role::Swap => "swap",
        Role::Home => "home",
        Role::Srv => "srv",
        Role::Var => "var",
        Role::VarTmp => "var-tmp",
        Role::Usr => "usr",
        Role::Data => "data",
        Role::RaidMember => "raid",
        Role::LvmPv => "lvm",
        Role::Luks => "luks",
    }
}

/// For the plan's text: "none" reads better spelled out there.
pub(in crate::plan) fn fs_name(fs: FsType) -> &'static str {
    match fs {
        FsType::None => "no filesystem",
        other => other.as_str(),
    }
}

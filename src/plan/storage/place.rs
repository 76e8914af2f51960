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
    /// An existing partition kept where it is.
    pub kept: Option<super::keep::Found>,
}

/// Rounded up to a multiple of `a`; a size too large to round stays too large to fit.
fn align_up(x: u64, a: u64) -> u64 {
    x.checked_next_multiple_of(a).unwrap_or(u64::MAX)
}

/// Places the partitions in order from 1 MiB; `rest` takes what is left up to the backup
/// GPT, or up to the next kept partition. Kept partitions stay where they are; new ones
/// fill the space between them in the answer's order. Partitions are numbered in disk
/// order (a GPT's entries are written densely). `what` names the disk in messages ("the
/// disk", "disk 2").
pub(super) fn place(
    wants: &[Want],
    disk_bytes: u64,
    sector_size: u32,
    what: &str,
) -> Result<PartitionTable, Vec<Issue>> {
    let ss = u64::from(sector_size);
    let disk_sectors = disk_bytes / ss;
    let (start, usable_end) = usable(disk_bytes, sector_size);
    let align = ALIGN_BYTES / ss;
    let mut problems = Vec::new();
    // (want index, first LBA, last LBA) in disk order.
    let mut placed: Vec<(usize, u64, u64)> = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    let mut cursor = start;
    for (i, w) in wants.iter().enumerate() {
        let Some(k) = &w.kept else {
            run.push(i);
            continue;
        };
        if k.first_lba < cursor {
            problems.push(
                Issue::new(
                    &w.key,
                    format!(
                        "kept partition {} of {what} starts before the partitions listed \
                         before it can end",
                        k.number
                    ),
                )
                .with_hint("list the partitions in their order on the disk"),
            );
        }
        // New partitions end 1 MiB-aligned before the kept one.
        let end = (k.first_lba / align * align).max(cursor);
        let space = format!("the space before kept partition {} of {what}", k.number);
        match place_run(wants, &run, (cursor, end), disk_bytes, sector_size, &space) {
            Ok(v) => placed.extend(v),
            Err(p) => problems.extend(p),
        }
        placed.push((i, k.first_lba, k.last_lba));
        cursor = cursor.max(align_up(k.last_lba + 1, align));
        run.clear();
    }
    let space = if placed.is_empty() {
        what.to_string()
    } else {
        format!("the space after the kept partitions of {what}")
    };
    let last = (cursor, usable_end.max(cursor));
    match place_run(wants, &run, last, disk_bytes, sector_size, &space) {
        Ok(v) => placed.extend(v),
        Err(p) => problems.extend(p),
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let partitions = placed
        .into_iter()
        .zip(1u32..)
        .map(|((i, first_lba, last_lba), number)| {
            let w = &wants[i];
            PlannedPartition {
                number,
                first_lba,
                last_lba,
                role: w.role,
                type_guid: w.role.type_guid(),
                name: w.label.clone().unwrap_or_else(|| role_name(w.role).into()),
                kept: w.kept.as_ref().map(|k| k.kept.clone()),
            }
        })
        .collect();
    Ok(PartitionTable {
        sector_size,
        disk_sectors,
        partitions,
    })
}

/// Places the new partitions `run` (indices into `wants`) in order from `start` up to
/// `end` (exclusive, aligned): the LBAs of `span`; `rest` takes what is left. Shares
/// ("25%") are of the whole disk. `what` names the space.
fn place_run(
    wants: &[Want],
    run: &[usize],
    (start, end): (u64, u64),
    disk_bytes: u64,
    sector_size: u32,
    what: &str,
) -> Result<Vec<(usize, u64, u64)>, Vec<Issue>> {
    let ss = u64::from(sector_size);
    // Bytes of every fixed-size partition, rounded up to the alignment.
    let fixed: Vec<Option<u64>> = run
        .iter()
        .map(|&i| {
            wants[i]
                .size
                .bytes_of(disk_bytes)
                .map(|b| align_up(b, ALIGN_BYTES))
        })
        .collect();
    // Saturating: sizes near 2^64 bytes are merely "does not fit", never an overflow.
    let fixed_total = fixed
        .iter()
        .flatten()
        .fold(0u64, |a, b| a.saturating_add(*b));
    let available = end.saturating_sub(start) * ss;
    let rest = run.iter().find(|&&i| wants[i].size == Size::Rest);
    let rest_min = rest.map_or(0, |&i| min_size(&wants[i], sector_size));
    let needed = fixed_total.saturating_add(rest_min);
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
    let mut out = Vec::new();
    let mut lba = start;
    for (&i, bytes) in run.iter().zip(fixed) {
        let w = &wants[i];
        let sectors = match bytes {
            Some(b) => b / ss,
            None => end - lba,
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
        out.push((i, lba, lba + sectors - 1));
        lba += sectors;
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
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

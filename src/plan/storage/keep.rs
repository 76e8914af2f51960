//! Kept partitions: found on their disk, as the probe saw it, by the answer's `match`.

use crate::answer::{ExistingPartition, FsType, Issue, PartitionSpec, human_bytes};
use crate::plan::KeptPartition;
use crate::probe::{Disk, Partition};

/// A kept partition as found: where it is, its number and what is on it.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub number: u32,
    pub first_lba: u64,
    pub last_lba: u64,
    pub fs: FsType,
    pub kept: KeptPartition,
}

/// The partition of `disk` that `spec` (storage.partitions[i]) keeps.
pub(super) fn find(spec: &PartitionSpec, i: usize, disk: &Disk) -> Result<Found, Issue> {
    let key = format!("storage.partitions[{i}].match");
    let name = crate::plan::describe_disk(disk);
    let m = spec.existing.clone().unwrap_or_default();
    if disk.table.as_deref() != Some("gpt") {
        let has = disk
            .table
            .as_deref()
            .map_or("no partition table".to_string(), |t| format!("a {t} table"));
        return Err(Issue::new(
            &key,
            format!("{name} has {has}: only partitions of a GPT disk can be kept"),
        )
        .with_hint("copy the data away, or keep nothing on this disk"));
    }
    let hits: Vec<&Partition> = disk.partitions.iter().filter(|p| matches(&m, p)).collect();
    let p = match hits[..] {
        [p] => p,
        [] => {
            return Err(Issue::new(&key, format!("no partition of {name} has {m}"))
                .with_hint(format!("it has: {}", listing(disk))));
        }
        _ => {
            return Err(Issue::new(
                &key,
                format!("{} partitions of {name} have {m}", hits.len()),
            )
            .with_hint("match by number or uuid, which only one partition has"));
        }
    };
    let fs = match p.fs_type.as_deref() {
        Some("ext4") => FsType::Ext4,
        Some("xfs") => FsType::Xfs,
        Some("vfat") => FsType::Vfat,
        other => {
            return Err(Issue::new(
                &key,
                format!(
                    "partition {} of {name} holds {}: a kept partition is mounted, so it holds \
                     ext4, xfs or vfat",
                    p.number,
                    other.unwrap_or("no filesystem")
                ),
            ));
        }
    };
    let Some(part_uuid) = p.part_uuid.clone() else {
        return Err(Issue::new(
            &key,
            format!("partition {} of {name} has no partition UUID", p.number),
        ));
    };
    let ss = u64::from(disk.logical_sector.max(512));
    let first_lba = p.start_bytes / ss;
    let sectors = p.size_bytes / ss;
    if sectors == 0 {
        return Err(Issue::new(
            &key,
            format!("partition {} of {name} is empty", p.number),
        ));
    }
    Ok(Found {
        number: p.number,
        first_lba,
        last_lba: first_lba + sectors - 1,
        fs,
        kept: KeptPartition {
            found_by: m.to_string(),
            number_now: p.number,
            part_uuid,
            fs,
            fs_uuid: p.uuid.clone(),
            fs_label: p.label.clone(),
        },
    })
}

/// True when `m` (a kept partition's `match`) finds `p`.
pub fn matches(m: &ExistingPartition, p: &Partition) -> bool {
    let same =
        |a: &Option<String>, b: &str| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(b));
    m.number.is_some_and(|n| n == p.number)
        || m.label
            .as_deref()
            .is_some_and(|l| p.part_label.as_deref() == Some(l))
        || m.uuid
            .as_deref()
            .is_some_and(|u| same(&p.part_uuid, u) || same(&p.uuid, u))
        || m.fs_label
            .as_deref()
            .is_some_and(|l| p.label.as_deref() == Some(l))
}

/// "1 (vfat, 512 MiB), 2 (ext4 \"home\", 20 GiB)": what a hint offers to match.
fn listing(disk: &Disk) -> String {
    if disk.partitions.is_empty() {
        return "no partitions".into();
    }
    disk.partitions
        .iter()
        .map(|p| {
            let label = p
                .label
                .as_deref()
                .map(|l| format!(" {l:?}"))
                .unwrap_or_default();
            format!(
                "{} ({}{label}, {})",
                p.number,
                p.fs_type.as_deref().unwrap_or("no filesystem"),
                human_bytes(p.size_bytes)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

//! Turning the storage section into a GPT: auto layouts per firmware, custom layouts in disk
//! order, 1 MiB alignment, at the disk's logical sector size.

use crate::answer::{
    ESP_MOUNT, FsType, Layout, PartitionSpec, RootFs, Size, Storage, Swap, human_bytes,
};
use crate::probe::Firmware;

use super::{DeviceRef, FilesystemSetup, PartitionTable, PlannedPartition, Role};
use crate::answer::Issue;

use crate::units::{GIB, MIB};
/// Partitions start and end on 1 MiB boundaries, right for every sector and erase-block size.
const ALIGN_BYTES: u64 = MIB;
/// GPT keeps 128 entries of 128 bytes, plus one header sector, at each end of the disk.
const GPT_ENTRIES_BYTES: u64 = 128 * 128;
/// The smallest root filesystem an auto layout will make.
pub const MIN_AUTO_ROOT: u64 = 4 * GIB;
/// Disks smaller than this get no swap partition from `swap = "auto"`.
const AUTO_SWAP_MIN_DISK: u64 = 32 * GIB;

/// Smallest size each filesystem's mkfs accepts (xfs refuses below 300 MiB; FAT32 needs
/// 65525 clusters, which is 260 MiB at 4 KiB sectors).
fn min_fs_bytes(fs: FsType, sector_size: u32) -> u64 {
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
struct Want {
    role: Role,
    size: Size,
    fs: FsType,
    mount: Option<String>,
    label: Option<String>,
    options: Option<String>,
    /// Key path of the size in the answer, for messages.
    key: String,
}

/// The partition table for `storage` on a disk of `disk_bytes` with `sector_size` sectors.
pub(super) fn partition_table(
    storage: &Storage,
    firmware: Firmware,
    disk_bytes: u64,
    sector_size: u32,
    memory_bytes: u64,
) -> Result<(PartitionTable, Vec<FilesystemSetup>), Vec<Issue>> {
    let wants = match storage.layout {
        Layout::Auto => auto_layout(storage, firmware, disk_bytes, memory_bytes),
        Layout::Custom => custom_layout(&storage.partitions),
    };
    place(wants, disk_bytes, sector_size)
}

fn fs_of(root: RootFs) -> FsType {
    match root {
        RootFs::Xfs => FsType::Xfs,
        RootFs::Ext4 => FsType::Ext4,
    }
}

/// UEFI: ESP 600 MiB, /boot 1 GiB, swap, / rest. BIOS: bios-boot 1 MiB, /boot, swap, / rest.
fn auto_layout(storage: &Storage, firmware: Firmware, disk: u64, memory: u64) -> Vec<Want> {
    let fs = fs_of(storage.filesystem);
    let want = |role, size, fs, mount: Option<&str>, label: &str, options: Option<&str>| Want {
        role,
        size,
        fs,
        mount: mount.map(String::from),
        label: Some(label.to_string()),
        options: options.map(String::from),
        key: "storage.layout".into(),
    };
    let mut v = Vec::new();
    match firmware {
        Firmware::Uefi => v.push(want(
            Role::Esp,
            Size::Bytes(600 * MIB),
            FsType::Vfat,
            Some(ESP_MOUNT),
            "ESP",
            Some("umask=0077,shortname=winnt"),
        )),
        Firmware::Bios => v.push(want(
            Role::BiosBoot,
            Size::Bytes(MIB),
            FsType::None,
            None,
            "BIOS-BOOT",
            None,
        )),
    }
    v.push(want(
        Role::Boot,
        Size::Bytes(GIB),
        fs,
        Some("/boot"),
        "boot",
        None,
    ));
    let swap = match storage.swap {
        Swap::None => None,
        Swap::Size(s) => Some(s),
        Swap::Auto => auto_swap(disk, memory).map(Size::Bytes),
    };
    if let Some(size) = swap {
        let mut w = want(Role::Swap, size, FsType::Swap, None, "swap", None);
        w.key = "storage.swap".into();
        v.push(w);
    }
    v.push(want(Role::Root, Size::Rest, fs, Some("/"), "root", None));
    v
}

/// Swap as large as memory, between 1 and 8 GiB; none on disks under 32 GiB, where the
/// space is worth more to the root filesystem.
pub fn auto_swap(disk_bytes: u64, memory_bytes: u64) -> Option<u64> {
    if disk_bytes < AUTO_SWAP_MIN_DISK {
        return None;
    }
    let m = memory_bytes.clamp(GIB, 8 * GIB);
    Some(m.div_ceil(MIB) * MIB)
}

fn custom_layout(parts: &[PartitionSpec]) -> Vec<Want> {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let role = Role::for_mount(&p.mount);
            let mount = match role {
                Role::Swap | Role::BiosBoot => None,
                _ => Some(p.mount.clone()),
            };
            Want {
                role,
                size: p.size,
                fs: p.fs_type(),
                mount,
                label: p.label.clone(),
                options: p.options.clone(),
                key: format!("storage.partitions[{i}].size"),
            }
        })
        .collect()
}

/// Rounded up to a multiple of `a`; a size too large to round stays too large to fit.
fn align_up(x: u64, a: u64) -> u64 {
    x.checked_next_multiple_of(a).unwrap_or(u64::MAX)
}

/// Places the partitions in order from 1 MiB; `rest` takes what is left up to the backup GPT.
/// The filesystems are on partitions of disk 0, the only one today.
fn place(
    wants: Vec<Want>,
    disk_bytes: u64,
    sector_size: u32,
) -> Result<(PartitionTable, Vec<FilesystemSetup>), Vec<Issue>> {
    let ss = u64::from(sector_size);
    let disk_sectors = disk_bytes / ss;
    let align = ALIGN_BYTES / ss;
    // Last usable LBA: before the backup entries and the backup header.
    let tail = GPT_ENTRIES_BYTES.div_ceil(ss) + 1;
    let usable_end = (disk_sectors.saturating_sub(tail) / align) * align; // exclusive, aligned
    let start = align;

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
            "the layout needs {} but the disk has {} usable; {} missing",
            human_bytes(needed),
            human_bytes(available),
            human_bytes(needed - available)
        );
        return Err(vec![
            Issue::new("storage", "the partition layout does not fit the disk").with_hint(hint),
        ]);
    }

    let mut problems = Vec::new();
    let mut partitions = Vec::new();
    let mut filesystems = Vec::new();
    let mut lba = start;
    for (i, (w, bytes)) in wants.into_iter().zip(fixed).enumerate() {
        let sectors = match bytes {
            Some(b) => b / ss,
            None => usable_end - lba,
        };
        let size = sectors * ss;
        let min = min_size(&w, sector_size);
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
        // A bios-boot partition holds GRUB's core image, no filesystem.
        if w.fs != FsType::None {
            filesystems.push(FilesystemSetup {
                on: DeviceRef::Partition { disk: 0, number },
                role: w.role,
                fs: w.fs,
                label: w.label,
                mount: w.mount,
                options: w.options,
            });
        }
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
    Ok((table, filesystems))
}

fn min_size(w: &Want, sector_size: u32) -> u64 {
    let fs_min = min_fs_bytes(w.fs, sector_size);
    if w.role == Role::Root && w.size == Size::Rest && w.key == "storage.layout" {
        fs_min.max(MIN_AUTO_ROOT)
    } else {
        fs_min
    }
}

fn role_name(r: Role) -> &'static str {
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
    }
}

/// For the plan's text: "none" reads better spelled out there.
pub(super) fn fs_name(fs: FsType) -> &'static str {
    match fs {
        FsType::None => "no filesystem",
        other => other.as_str(),
    }
}

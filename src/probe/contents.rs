//! What is on a disk, through libblkid: the partition table (type, entries with PARTUUID and
//! name), filesystems or other signatures on the whole disk, and each partition's filesystem
//! (type, label, UUID). Opens devices read-only and never writes.

use std::collections::HashMap;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use blkid::prober::{ProbeState, Prober};
use blkid::{BlkIdError, PartitionsFlags, SuperblocksFlags};

use super::{Disk, Partition, Signature};

/// Bounds the walk over every signature of an ambivalent disk (libblkid stops long before).
const MAX_SIGNATURES: usize = 16;

/// One entry of the on-disk partition table.
struct Entry {
    number: u32,
    start_bytes: u64,
    size_bytes: u64,
    part_uuid: Option<String>,
    part_label: Option<String>,
}

struct Contents {
    table: Option<String>,
    entries: Vec<Entry>,
    signatures: Vec<Signature>,
}

/// Fills a sysfs disk's table, signatures and partition details. A node that cannot be
/// opened (no node in a fake tree, no permission) leaves them empty: the probe still
/// describes the disk, it just cannot say what is on it.
pub fn fill(disk: &mut Disk) {
    let contents = match read_contents(&disk.path) {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("libblkid cannot read {}: {e}", disk.path.display());
            disk.contents_error = Some(e.to_string());
            return;
        }
    };
    disk.table = contents.table;
    disk.signatures = contents.signatures;
    add_unknown_to_kernel(disk, &contents.entries);
    for part in &mut disk.partitions {
        let entry = contents
            .entries
            .iter()
            .find(|e| e.number == part.number)
            .or_else(|| {
                contents
                    .entries
                    .iter()
                    .find(|e| e.start_bytes == part.start_bytes)
            });
        if let Some(e) = entry {
            part.part_uuid = e.part_uuid.clone();
            part.part_label = e.part_label.clone();
        }
        // The partition's own node reads what its filesystem wrote through it; without a node,
        // read the same bytes through the whole disk.
        let sig = if part.path.exists() {
            signature_at(&part.path, None)
        } else {
            signature_at(&disk.path, Some((part.start_bytes, part.size_bytes)))
        };
        match sig {
            Ok(Some(s)) => apply(part, s),
            Ok(None) => {}
            Err(e) => tracing::debug!("libblkid cannot read {}: {e}", part.path.display()),
        }
    }
}

/// Partitions of the on-disk table that the kernel has no node for: a loop device attached
/// without `--partscan`, a table written since the last re-read. They are on the disk, so a
/// wipe destroys them and the plan must count them. Named as the kernel would name them; their
/// `path` is that name under /dev, which does not exist (`fill` then reads their filesystem
/// through the whole disk).
fn add_unknown_to_kernel(disk: &mut Disk, entries: &[Entry]) {
    for e in entries {
        if disk
            .partitions
            .iter()
            .any(|p| p.number == e.number || p.start_bytes == e.start_bytes)
        {
            continue;
        }
        let sep = if disk.name.ends_with(|c: char| c.is_ascii_digit()) {
            "p"
        } else {
            ""
        };
        let node = match disk.path.file_name() {
            Some(f) => format!("{}{sep}{}", f.to_string_lossy(), e.number),
            None => continue,
        };
        let name = format!("{}{sep}{}", disk.name, e.number);
        let path = disk.path.with_file_name(node);
        disk.partitions.push(partition(name, path, e));
    }
    disk.partitions.sort_by_key(|p| p.number);
}

fn partition(name: String, path: std::path::PathBuf, e: &Entry) -> Partition {
    Partition {
        name,
        path,
        number: e.number,
        start_bytes: e.start_bytes,
        size_bytes: e.size_bytes,
        fs_type: None,
        label: None,
        uuid: None,
        part_uuid: e.part_uuid.clone(),
        part_label: e.part_label.clone(),
    }
}

/// Fills an image file's table, signatures and partitions (which only libblkid knows of).
/// An image's partitions have no nodes: each is named "partition N of FILE" and its `path`
/// is the image file that holds it.
pub fn fill_image(disk: &mut Disk) -> Result<(), BlkIdError> {
    let contents = read_contents(&disk.path)?;
    disk.table = contents.table;
    disk.signatures = contents.signatures;
    for e in &contents.entries {
        let name = format!("partition {} of {}", e.number, disk.name);
        let mut part = partition(name, disk.path.clone(), e);
        if let Some(s) = signature_at(&disk.path, Some((e.start_bytes, e.size_bytes)))? {
            apply(&mut part, s);
        }
        disk.partitions.push(part);
    }
    Ok(())
}

fn apply(part: &mut Partition, s: Signature) {
    part.fs_type = Some(s.fs_type);
    part.label = s.label;
    part.uuid = s.uuid;
}

fn read_contents(path: &Path) -> Result<Contents, BlkIdError> {
    let (table, entries) = partition_table(path)?;
    let signatures = whole_disk_signatures(path)?;
    Ok(Contents {
        table,
        entries,
        signatures,
    })
}

/// The partition table through libblkid's binary interface. Start and size come back in
/// 512-byte units whatever the sector size (libblkid converts).
fn partition_table(path: &Path) -> Result<(Option<String>, Vec<Entry>), BlkIdError> {
    let pr = Prober::new_from_filename(path)?;
    pr.enable_partitions(true)?;
    pr.set_partitions_flags(PartitionsFlags::ENTRY_DETAILS)?;
    // No partition table is not an error for us: libblkid answers with no list.
    let Ok(list) = pr.part_list() else {
        return Ok((None, Vec::new()));
    };
    let table = list
        .get_table()
        .and_then(|t| t.get_type())
        .map(|t| t.to_string());
    let mut entries = Vec::new();
    for p in list.get_partitions()? {
        let (Ok(number), Ok(start), Ok(size)) = (p.partno(), p.start(), p.size()) else {
            continue;
        };
        entries.push(Entry {
            number: u32::try_from(number).unwrap_or(0),
            start_bytes: u64::try_from(start).unwrap_or(0) * 512,
            size_bytes: u64::try_from(size).unwrap_or(0) * 512,
            part_uuid: p.uuid().filter(|u| !u.is_empty()),
            part_label: p.name().filter(|n| !n.is_empty()),
        });
    }
    Ok((table, entries))
}

/// Filesystems, RAID members and the like on the whole disk. With partitions probing on,
/// libblkid ignores stale signatures that a partition table covers.
fn whole_disk_signatures(path: &Path) -> Result<Vec<Signature>, BlkIdError> {
    let pr = Prober::new_from_filename(path)?;
    pr.enable_partitions(true)?;
    pr.set_superblocks_flags(SuperblocksFlags::DEFAULT)?;
    match pr.do_safe_probe()? {
        ProbeState::Success => Ok(signature(&pr.get_values_map()?).into_iter().collect()),
        // Several filesystems claim the disk: list them all (a wipe destroys them all).
        ProbeState::Ambivalent => all_signatures(path),
        ProbeState::NothingDetected | ProbeState::Done => Ok(Vec::new()),
    }
}

fn all_signatures(path: &Path) -> Result<Vec<Signature>, BlkIdError> {
    let pr = Prober::new_from_filename(path)?;
    pr.set_superblocks_flags(SuperblocksFlags::DEFAULT)?;
    let mut found = Vec::new();
    while found.len() < MAX_SIGNATURES && pr.do_probe()? == ProbeState::Success {
        found.extend(signature(&pr.get_values_map()?));
    }
    Ok(found)
}

/// The filesystem in a node, or in `(offset, size)` bytes of it.
fn signature_at(path: &Path, range: Option<(u64, u64)>) -> Result<Option<Signature>, BlkIdError> {
    let file = File::open(path)?;
    let mut pr = Prober::new()?;
    let (offset, size) = range.unwrap_or((0, 0));
    let to_i64 = |v: u64| i64::try_from(v).map_err(|e| BlkIdError::Io(std::io::Error::other(e)));
    pr.set_device(file.as_raw_fd(), to_i64(offset)?, Some(to_i64(size)?))?;
    pr.set_superblocks_flags(SuperblocksFlags::DEFAULT)?;
    let found = match pr.do_safe_probe()? {
        ProbeState::Success => signature(&pr.get_values_map()?),
        _ => None,
    };
    // The prober borrows `file`'s descriptor: it must go first.
    drop(pr);
    drop(file);
    Ok(found)
}

/// TYPE, LABEL and UUID of one probing result; partition-table-only results have no TYPE.
fn signature(values: &HashMap<String, String>) -> Option<Signature> {
    let get = |k: &str| values.get(k).filter(|v| !v.is_empty()).cloned();
    Some(Signature {
        fs_type: get("TYPE")?,
        label: get("LABEL"),
        uuid: get("UUID"),
    })
}

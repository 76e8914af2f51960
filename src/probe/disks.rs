//! Whole disks and their partitions from `sys/block`: sizes, sector sizes, flags, identity
//! (model, vendor, serial, WWN, by-id links) and transport. libblkid fills in the contents
//! later (`contents`), `usage` says what is busy.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::sysfs::{attr, attr_u64, device_path, flag, link_name, names, required, required_names};
use super::{Disk, Partition, ProbeError, Roots, Transport};

/// sysfs counts `size` and `start` in 512-byte units whatever the disk's sector size.
const SYSFS_UNIT: u64 = 512;

/// Kernel name prefixes that are never install targets: RAM disks, compressed swap,
/// device-mapper and md devices (their members are the disks), optical and floppy drives.
const NEVER_DISKS: &[&str] = &["ram", "zram", "dm-", "md", "sr", "fd"];

/// What `scan` found, with the block-device graph `usage` needs to walk from a mounted
/// device down to the disks beneath it.
pub struct Found {
    pub disks: Vec<Disk>,
    /// "major:minor" of every entry of `sys/block` and of its partitions, to its kernel name.
    pub by_devno: HashMap<String, String>,
    /// Partition kernel name to the kernel name of the device it is part of.
    pub parent: HashMap<String, String>,
}

pub fn scan(roots: &Roots) -> Result<Found, ProbeError> {
    let block = roots.sys.join("block");
    let by_id = by_id_links(&roots.dev);
    let mut found = Found {
        disks: Vec::new(),
        by_devno: HashMap::new(),
        parent: HashMap::new(),
    };
    for name in required_names(&block)? {
        let dir = block.join(&name);
        // The graph covers everything, skipped devices included: / may sit on dm-0.
        if let Some(devno) = attr(&dir.join("dev")) {
            found.by_devno.insert(devno, name.clone());
        }
        for part in partition_names(&dir) {
            if let Some(devno) = attr(&dir.join(&part).join("dev")) {
                found.by_devno.insert(devno, part.clone());
            }
            found.parent.insert(part, name.clone());
        }
        if NEVER_DISKS.iter().any(|p| name.starts_with(p)) || flag(&dir.join("hidden")) {
            continue;
        }
        let sectors = super::sysfs::required_u64(&dir.join("size"))?;
        // Size 0: an unattached loop or nbd device, a card reader without a card.
        if sectors == 0 {
            continue;
        }
        let mut disk = describe(roots, &name, &dir, sectors * SYSFS_UNIT)?;
        disk.by_id = by_id.get(&name).cloned().unwrap_or_default();
        found.disks.push(disk);
    }
    Ok(found)
}

/// The node of a kernel block device name: "cciss!c0d0" lives at dev/cciss/c0d0.
pub fn node(roots: &Roots, name: &str) -> PathBuf {
    roots.dev.join(name.replace('!', "/"))
}

fn describe(roots: &Roots, name: &str, dir: &Path, size_bytes: u64) -> Result<Disk, ProbeError> {
    let queue = dir.join("queue");
    let dev = dir.join("device");
    let transport = transport(name, device_path(&roots.sys, dir).as_deref(), &dev);
    let logical = attr_u64(&queue.join("logical_block_size")).unwrap_or(512);
    let physical = attr_u64(&queue.join("physical_block_size")).unwrap_or(logical);
    // Numeric PCI ids (virtio) or manufacturer codes (MMC) are not vendor names.
    let vendor = match transport {
        Transport::Virtio | Transport::Mmc => None,
        _ => attr(&dev.join("vendor")),
    };
    let model = attr(&dev.join("model")).or_else(|| attr(&dev.join("name")));
    let serial = attr(&dir.join("serial"))
        .or_else(|| attr(&dev.join("serial")))
        .or_else(|| vpd_serial(&dev.join("vpd_pg80")));
    let wwn = attr(&dir.join("wwid")).or_else(|| attr(&dev.join("wwid")));
    let backing_file = (transport == Transport::Loop)
        .then(|| attr(&dir.join("loop/backing_file")).map(PathBuf::from))
        .flatten();
    Ok(Disk {
        name: name.to_owned(),
        path: node(roots, name),
        by_id: Vec::new(),
        size_bytes,
        logical_sector: u32::try_from(logical).unwrap_or(512),
        physical_sector: u32::try_from(physical).unwrap_or(512),
        rotational: flag(&queue.join("rotational")),
        removable: flag(&dir.join("removable")),
        read_only: flag(&dir.join("ro")),
        model,
        vendor,
        serial,
        wwn,
        transport,
        backing_file,
        table: None,
        partitions: partitions(roots, dir)?,
        signatures: Vec::new(),
        usage: Vec::new(),
        contents_error: None,
    })
}

/// The transport, from the kernel name and where the device sits in the device tree
/// (`devpath` is relative to the sysfs root, e.g. "/devices/pci0000:00/…/usb1/…/block/sdb").
fn transport(name: &str, devpath: Option<&str>, device: &Path) -> Transport {
    let path = devpath.unwrap_or("");
    if name.starts_with("loop") {
        Transport::Loop
    } else if path.contains("/usb") {
        // Checked before the name: a USB enclosure may hold an NVMe or SD card.
        Transport::Usb
    } else if name.starts_with("nvme") {
        Transport::Nvme
    } else if name.starts_with("mmcblk") {
        Transport::Mmc
    } else if path.contains("/virtio")
        || link_name(&device.join("driver")).as_deref() == Some("virtio_blk")
    {
        Transport::Virtio
    } else if path.contains("/ata") {
        Transport::Sata
    } else if device.join("sas_address").exists() || path.contains("/end_device-") {
        Transport::Sas
    } else if name.starts_with("sd") {
        Transport::Scsi
    } else {
        Transport::Unknown
    }
}

/// The unit serial number VPD page: a 4-byte header, then the serial (length in byte 3).
fn vpd_serial(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let len = usize::from(*bytes.get(3)?);
    let serial = String::from_utf8_lossy(bytes.get(4..4 + len)?)
        .trim()
        .to_owned();
    (!serial.is_empty()).then_some(serial)
}

/// Sub-directories of a disk that are partitions (they have a `partition` file).
fn partition_names(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| dir.join(n).join("partition").is_file())
        .collect()
}

fn partitions(roots: &Roots, dir: &Path) -> Result<Vec<Partition>, ProbeError> {
    let mut parts = Vec::new();
    for name in partition_names(dir) {
        let pdir = dir.join(&name);
        let Some(number_text) = vanished(&pdir, required(&pdir.join("partition")))? else {
            continue;
        };
        let number = number_text.trim().parse().map_err(|_| ProbeError::Parse {
            path: pdir.join("partition"),
            value: number_text.trim().to_owned(),
            expected: "a partition number",
        })?;
        let sectors = |attr: &str| vanished(&pdir, super::sysfs::required_u64(&pdir.join(attr)));
        let (Some(start), Some(size)) = (sectors("start")?, sectors("size")?) else {
            continue;
        };
        parts.push(Partition {
            path: node(roots, &name),
            name,
            number,
            start_bytes: start * SYSFS_UNIT,
            size_bytes: size * SYSFS_UNIT,
            fs_type: None,
            label: None,
            uuid: None,
            part_uuid: None,
            part_label: None,
        });
    }
    parts.sort_by_key(|p| p.number);
    Ok(parts)
}

/// A read of partition `pdir`'s attribute; None when the partition is gone. The kernel
/// re-reads a table whenever it is told to (partx, a disk detached): a partition gone since
/// the listing is gone, not an error of the whole probe.
fn vanished<T>(pdir: &Path, read: Result<T, ProbeError>) -> Result<Option<T>, ProbeError> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(ProbeError::Read { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound && !pdir.exists() =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Links in dev/disk/by-id by the kernel name they point to. Partition links point to
/// partitions, so they never land on a disk.
fn by_id_links(dev: &Path) -> HashMap<String, Vec<PathBuf>> {
    let dir = dev.join("disk/by-id");
    let mut map: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for link in names(&dir) {
        let path = dir.join(&link);
        if let Some(target) = link_name(&path) {
            map.entry(target).or_default().push(path);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_gone_since_the_listing_is_skipped_and_other_errors_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let not_found = |p: &Path| ProbeError::Read {
            path: p.join("size"),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let gone = dir.path().join("loop0p1");
        assert!(matches!(
            vanished::<u64>(&gone, Err(not_found(&gone))),
            Ok(None)
        ));
        // Still there: its attribute missing is a real problem.
        assert!(vanished::<u64>(dir.path(), Err(not_found(dir.path()))).is_err());
        assert_eq!(vanished(dir.path(), Ok(7u64)).ok().flatten(), Some(7));
    }

    fn t(name: &str, path: &str) -> Transport {
        transport(name, Some(path), Path::new("/nonexistent"))
    }

    #[test]
    fn transports_from_the_device_tree() {
        assert_eq!(t("loop0", "/devices/virtual/block/loop0"), Transport::Loop);
        assert_eq!(
            t(
                "nvme0n1",
                "/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1"
            ),
            Transport::Nvme
        );
        assert_eq!(
            t("vda", "/devices/pci0000:00/0000:00:02.0/virtio1/block/vda"),
            Transport::Virtio
        );
        assert_eq!(
            t(
                "sda",
                "/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda"
            ),
            Transport::Sata
        );
        assert_eq!(
            t(
                "sdb",
                "/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb"
            ),
            Transport::Usb
        );
        assert_eq!(
            t(
                "sdc",
                "/devices/pci0000:00/0000:02:00.0/host1/port-1:0/end_device-1:0/target1:0:0/1:0:0:0/block/sdc"
            ),
            Transport::Sas
        );
        assert_eq!(
            t(
                "sdd",
                "/devices/platform/host2/target2:0:0/2:0:0:0/block/sdd"
            ),
            Transport::Scsi
        );
        assert_eq!(
            t("mmcblk0", "/devices/platform/mmc0/mmc0:0001/block/mmcblk0"),
            Transport::Mmc
        );
        assert_eq!(
            t("xvda", "/devices/vbd-51712/block/xvda"),
            Transport::Unknown
        );
    }

    #[test]
    fn vpd_page_80_serial() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vpd_pg80");
        std::fs::write(&p, b"\x00\x80\x00\x08 ABC123 ").unwrap();
        assert_eq!(vpd_serial(&p).as_deref(), Some("ABC123"));
        std::fs::write(&p, b"\x00\x80\x00\x20short").unwrap();
        assert_eq!(vpd_serial(&p), None);
    }
}

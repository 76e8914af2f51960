//! Helpers for the partitioning tests: tables built by hand, and the outside checks
//! (sgdisk, sfdisk, raw bytes, sysfs) that judge what engine::disk wrote.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use azl_installer::plan::{PartitionTable, PlannedPartition, Role};

pub use azl_installer::units::GIB;
pub use azl_installer::units::MIB;

pub fn part(
    number: u32,
    first_lba: u64,
    last_lba: u64,
    role: Role,
    name: &str,
) -> PlannedPartition {
    PlannedPartition {
        number,
        first_lba,
        last_lba,
        role,
        type_guid: role.type_guid(),
        name: name.into(),
        kept: None,
    }
}

/// Last usable LBA of a GPT with 128 entries (as sgdisk and the gpt crate lay it out).
pub fn last_usable(sector_size: u32, sectors: u64) -> u64 {
    sectors - 2 - (128 * 128) / u64::from(sector_size)
}

/// Partitions of the given sizes (None = the rest), 1 MiB aligned, the first at 1 MiB.
pub fn table(
    sector_size: u32,
    disk_bytes: u64,
    parts: &[(Role, &str, Option<u64>)],
) -> PartitionTable {
    let ss = u64::from(sector_size);
    let sectors = disk_bytes / ss;
    let align = MIB / ss;
    let mut next = align;
    let partitions = parts
        .iter()
        .enumerate()
        .map(|(i, (role, name, size))| {
            let first = next;
            let last = match size {
                Some(bytes) => first + bytes / ss - 1,
                // The rest, ending on a 1 MiB boundary before the backup GPT.
                None => (last_usable(sector_size, sectors) + 1) / align * align - 1,
            };
            next = (last + 1).div_ceil(align) * align;
            part(i as u32 + 1, first, last, *role, name)
        })
        .collect();
    PartitionTable {
        sector_size,
        disk_sectors: sectors,
        partitions,
    }
}

/// ESP 600 MiB, /boot 1 GiB, root the rest.
pub fn uefi_table(sector_size: u32, disk_bytes: u64) -> PartitionTable {
    table(
        sector_size,
        disk_bytes,
        &[
            (Role::Esp, "ESP", Some(600 * MIB)),
            (Role::Boot, "boot", Some(GIB)),
            (Role::Root, "root", None),
        ],
    )
}

pub fn run(cmd: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {cmd}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn sfdisk_json(dev: &Path) -> serde_json::Value {
    let out = super::sh("sfdisk", &["--json", &dev.to_string_lossy()]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("parsing sfdisk --json");
    v["partitiontable"].clone()
}

pub fn read_at(dev: &Path, offset: u64, len: usize) -> Vec<u8> {
    let mut f = File::open(dev).expect("opening for reading");
    f.seek(SeekFrom::Start(offset)).expect("seeking");
    let mut buf = vec![0u8; len];
    f.read_exact(&mut buf).expect("reading");
    buf
}

fn kernel_size_bytes(node: &Path) -> u64 {
    let name = node.file_name().expect("node name").to_string_lossy();
    let s = std::fs::read_to_string(format!("/sys/class/block/{name}/size")).expect("sysfs size");
    s.trim().parse::<u64>().expect("size number") * 512
}

/// Everything an outside tool can check about a table engine::disk wrote.
pub fn verify_gpt(dev: &Path, table: &PartitionTable, nodes: &[PathBuf]) {
    let d = dev.to_string_lossy();
    let ss = u64::from(table.sector_size);

    let (_, out, err) = run("sgdisk", &["-v", &d]);
    assert!(out.contains("No problems found"), "sgdisk -v: {out}{err}");

    let pt = sfdisk_json(dev);
    assert_eq!(pt["label"], "gpt", "{pt}");
    assert_eq!(pt["sectorsize"].as_u64(), Some(ss), "{pt}");
    let parts = pt["partitions"].as_array().expect("partitions");
    assert_eq!(parts.len(), table.partitions.len(), "{pt}");
    let mut guids = std::collections::HashSet::new();
    for (p, want) in parts.iter().zip(&table.partitions) {
        assert_eq!(p["start"].as_u64(), Some(want.first_lba), "{p}");
        assert_eq!(
            p["size"].as_u64(),
            Some(want.last_lba - want.first_lba + 1),
            "{p}"
        );
        let ty = p["type"].as_str().unwrap_or_default().to_lowercase();
        assert_eq!(ty, want.type_guid.to_string(), "{p}");
        assert_eq!(p["name"].as_str(), Some(want.name.as_str()), "{p}");
        assert!(
            guids.insert(p["uuid"].as_str().unwrap_or_default().to_owned()),
            "{pt}"
        );
    }

    // Protective MBR: one 0xEE record and the boot signature.
    let lba0 = read_at(dev, 0, 512);
    assert_eq!(lba0[450], 0xEE, "protective MBR type");
    assert_eq!(&lba0[510..512], &[0x55, 0xAA]);
    // Primary header at LBA 1, backup header in the last LBA.
    assert_eq!(&read_at(dev, ss, 8), b"EFI PART");
    let size = File::open(dev)
        .and_then(|mut f| f.seek(SeekFrom::End(0)))
        .expect("device size");
    assert_eq!(&read_at(dev, size - ss, 8), b"EFI PART", "backup header");

    // The kernel sees the partitions, with their sizes, as block nodes in /dev.
    assert_eq!(nodes.len(), table.partitions.len());
    for (node, want) in nodes.iter().zip(&table.partitions) {
        let m = std::fs::metadata(node).expect("partition node");
        assert!(m.file_type().is_block_device(), "{}", node.display());
        assert_eq!(
            kernel_size_bytes(node),
            want.size_bytes(table.sector_size),
            "{}",
            node.display()
        );
    }
}

/// A read-only mount (writes nothing to the filesystem), unmounted on drop.
pub struct RoMount {
    pub target: tempfile::TempDir,
}

impl RoMount {
    pub fn new(device: &Path) -> RoMount {
        let target = tempfile::tempdir().expect("mount point");
        super::sh(
            "mount",
            &[
                "-o",
                "ro",
                &device.to_string_lossy(),
                &target.path().to_string_lossy(),
            ],
        );
        RoMount { target }
    }
}

impl Drop for RoMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.target.path()).status();
    }
}

/// Makes the kernel list the partitions of an old table written by a tool: this test
/// machine's kernel has no partition-table parsers, so tools' BLKRRPART finds nothing.
pub fn kernel_update_partitions(dev: &Path) {
    super::sh("partx", &["--update", &dev.to_string_lossy()]);
}

/// `blkid -p` on a node: the signature types it finds (empty when none).
pub fn blkid_types(node: &Path) -> String {
    let (code, out, err) = run(
        "blkid",
        &["-p", "-o", "value", "-s", "TYPE", &node.to_string_lossy()],
    );
    assert!(code == 0 || code == 2, "blkid -p {}: {err}", node.display());
    out.trim().to_owned()
}

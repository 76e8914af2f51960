//! engine::disk::partition leaves nothing of what was on the disk before: old partition
//! tables, filesystems in old partitions, whole-disk filesystems and swap.

mod common;

use std::path::Path;

use azl_installer::engine::disk::partition;
use azl_installer::events::Recorder;
use azl_installer::plan::Role;
use common::partition::*;
use common::{Image, LoopDevice, sh};

/// Signature types `wipefs` lists on the whole disk.
fn disk_signatures(dev: &Path) -> Vec<String> {
    let out = sh(
        "wipefs",
        &["--noheadings", "--output", "TYPE", &dev.to_string_lossy()],
    );
    let mut v: Vec<String> = out.lines().map(|l| l.trim().to_owned()).collect();
    v.sort();
    v
}

fn two_partitions(disk_bytes: u64) -> azl_installer::plan::PartitionTable {
    table(
        512,
        disk_bytes,
        &[
            (Role::Esp, "ESP", Some(127 * MIB)),
            (Role::Root, "root", None),
        ],
    )
}

#[test]
fn old_mbr_with_ext4_and_swap_partitions() {
    require_loop_devices!();
    let disk_bytes = 256 * MIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    let dev = lo.path.to_string_lossy().into_owned();
    // The old layout puts its filesystems where the new partitions will start.
    let old = "label: dos\nstart=2048, size=260096, type=83\nstart=262144, type=82\n";
    let out = std::process::Command::new("sfdisk")
        .args(["--quiet", &dev])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().map(|mut i| i.write_all(old.as_bytes()));
            c.wait()
        })
        .expect("running sfdisk");
    assert!(out.success(), "sfdisk wrote the old table");
    kernel_update_partitions(&lo.path);
    sh("mkfs.ext4", &["-q", &lo.partition(1).to_string_lossy()]);
    sh("mkswap", &[&lo.partition(2).to_string_lossy()]);
    assert_eq!(blkid_types(&lo.partition(1)), "ext4");
    assert_eq!(disk_signatures(&lo.path), ["dos"]);

    let table = two_partitions(disk_bytes);
    let nodes = partition(&lo.path, &table, &Recorder::default()).expect("partitioning");
    verify_gpt(&lo.path, &table, &nodes);

    for n in &nodes {
        assert_eq!(blkid_types(n), "", "old signature on {}", n.display());
    }
    assert_eq!(disk_signatures(&lo.path), ["PMBR", "gpt", "gpt"]);
}

#[test]
fn whole_disk_xfs_including_its_secondary_superblocks() {
    require_loop_devices!();
    let disk_bytes = 512 * MIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    // Four allocation groups of 128 MiB: AG 1 starts with a copy of the superblock exactly
    // where the new second partition starts.
    sh(
        "mkfs.xfs",
        &["-q", "-f", "-d", "agcount=4", &lo.path.to_string_lossy()],
    );
    assert_eq!(&read_at(&lo.path, 128 * MIB, 4), b"XFSB");
    assert_eq!(disk_signatures(&lo.path), ["xfs"]);

    let table = two_partitions(disk_bytes);
    assert_eq!(table.partitions[1].first_lba * 512, 128 * MIB);
    let nodes = partition(&lo.path, &table, &Recorder::default()).expect("partitioning");
    verify_gpt(&lo.path, &table, &nodes);

    for n in &nodes {
        assert_eq!(blkid_types(n), "", "old signature on {}", n.display());
    }
    assert_eq!(disk_signatures(&lo.path), ["PMBR", "gpt", "gpt"]);
}

#[test]
fn whole_disk_swap() {
    require_loop_devices!();
    let disk_bytes = 256 * MIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    sh("mkswap", &[&lo.path.to_string_lossy()]);
    assert_eq!(disk_signatures(&lo.path), ["swap"]);

    let table = two_partitions(disk_bytes);
    let nodes = partition(&lo.path, &table, &Recorder::default()).expect("partitioning");
    verify_gpt(&lo.path, &table, &nodes);
    assert_eq!(disk_signatures(&lo.path), ["PMBR", "gpt", "gpt"]);
}

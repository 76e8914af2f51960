//! engine::disk::partition writes a valid GPT that the kernel and other tools agree on.

mod common;

use azl_installer::engine::disk::partition;
use azl_installer::events::{Event, Recorder};
use common::partition::*;
use common::{Image, LoopDevice};

fn uefi_roundtrip(sector_size: u32) {
    let disk_bytes = 4 * GIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, sector_size);
    let table = uefi_table(sector_size, disk_bytes);
    let rec = Recorder::default();

    let nodes = partition(&lo.path, &table, &rec).expect("partitioning");

    let want: Vec<_> = (1..=3).map(|n| lo.partition(n)).collect();
    assert_eq!(nodes, want);
    verify_gpt(&lo.path, &table, &nodes);

    let events = rec.events();
    let logs: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(logs.contains(&"writing GPT: 3 partitions"), "{logs:?}");
    let wiping = format!("wiping signatures on {}", lo.path.display());
    assert!(logs.contains(&wiping.as_str()), "{logs:?}");
    let last = events.iter().rev().find_map(|e| match e {
        Event::Progress { done, total, .. } => Some((*done, *total)),
        _ => None,
    });
    assert!(matches!(last, Some((d, t)) if d == t), "{events:?}");
}

#[test]
fn uefi_layout_on_512_byte_sectors() {
    require_loop_devices!();
    uefi_roundtrip(512);
}

#[test]
fn uefi_layout_on_4096_byte_sectors() {
    require_loop_devices!();
    uefi_roundtrip(4096);
}

#[test]
fn partitioning_twice_replaces_the_first_table() {
    require_loop_devices!();
    let disk_bytes = 3 * GIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    let rec = Recorder::default();
    partition(&lo.path, &uefi_table(512, disk_bytes), &rec).expect("first");
    let two = table(
        512,
        disk_bytes,
        &[
            (azl_installer::plan::Role::BiosBoot, "bios", Some(MIB)),
            (azl_installer::plan::Role::Root, "root", None),
        ],
    );
    let nodes = partition(&lo.path, &two, &rec).expect("second");
    verify_gpt(&lo.path, &two, &nodes);
    assert!(!lo.partition(3).exists(), "the old third partition is gone");
}

#[test]
fn three_tib_sparse_image_beyond_mbr_limits() {
    require_loop_devices!();
    let disk_bytes = 3 << 40;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    let table = uefi_table(512, disk_bytes);

    let nodes = partition(&lo.path, &table, &Recorder::default()).expect("partitioning");
    verify_gpt(&lo.path, &table, &nodes);

    let pt = sfdisk_json(&lo.path);
    let root = &pt["partitions"][2];
    let end = root["start"].as_u64().unwrap_or(0) + root["size"].as_u64().unwrap_or(0);
    let sectors = disk_bytes / 512;
    assert!(end > (2u64 << 40) / 512, "root ends beyond 2 TiB: {root}");
    assert!(
        sectors - end < MIB / 512 + 34,
        "root ends near the end: {root}"
    );

    drop(lo);
    use std::os::unix::fs::MetadataExt;
    let used = std::fs::metadata(&img.path).expect("image").blocks() * 512;
    assert!(
        used < 64 * MIB,
        "the image stayed sparse ({used} bytes allocated)"
    );
}

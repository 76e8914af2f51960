//! engine::disk::partition refuses before writing when it must, and says what state a
//! failure left the disk in.

mod common;

use std::path::Path;

use azl_installer::engine::disk::{DiskError, DiskState, partition};
use azl_installer::events::Recorder;
use azl_installer::plan::Role;
use common::partition::*;
use common::{Image, LoopDevice, sh, sha256_of};

/// Small, because hashing in a debug build is slow.
const DISK: u64 = 16 * MIB;

/// A loop device with an old GPT of two partitions the kernel lists, p1 holding ext4.
fn disk_with_ext4(img: &Image) -> LoopDevice {
    let lo = LoopDevice::attach(&img.path, 512);
    let dev = lo.path.to_string_lossy().into_owned();
    sh("sgdisk", &["-n1:1M:+8M", "-n2:0:0", &dev]);
    kernel_update_partitions(&lo.path);
    sh("mkfs.ext4", &["-q", &lo.partition(1).to_string_lossy()]);
    lo
}

#[test]
fn a_mounted_partition_is_refused_and_nothing_is_written() {
    require_loop_devices!();
    let img = Image::sparse(DISK);
    let lo = disk_with_ext4(&img);
    let before = sha256_of(&img.path);
    let mount = RoMount::new(&lo.partition(1));

    let err = partition(&lo.path, &two(DISK), &Recorder::default()).unwrap_err();
    drop(mount);

    assert!(matches!(err, DiskError::InUse { .. }), "{err:?}");
    assert_eq!(err.state(), DiskState::Unchanged);
    let msg = err.to_string();
    let p1 = lo.partition(1).display().to_string();
    assert!(msg.contains(&format!("{p1} mounted on")), "{msg}");
    assert!(msg.contains(&lo.path.display().to_string()), "{msg}");
    assert!(msg.ends_with("the disk was not changed"), "{msg}");
    assert_eq!(sha256_of(&img.path), before, "the image was not touched");
}

#[test]
fn active_swap_is_refused() {
    require_loop_devices!();
    let img = Image::sparse(DISK);
    let lo = disk_with_ext4(&img);
    let p2 = lo.partition(2).to_string_lossy().into_owned();
    sh("mkswap", &[&p2]);
    sh("swapon", &[&p2]);
    let err = partition(&lo.path, &two(DISK), &Recorder::default()).unwrap_err();
    let _ = std::process::Command::new("swapoff").arg(&p2).status();
    assert!(matches!(err, DiskError::InUse { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("{p2} active swap")),
        "{err}"
    );
}

fn two(disk_bytes: u64) -> azl_installer::plan::PartitionTable {
    table(
        512,
        disk_bytes,
        &[
            (Role::Esp, "ESP", Some(4 * MIB)),
            (Role::Root, "root", None),
        ],
    )
}

#[test]
fn a_table_beyond_the_end_is_refused_before_writing() {
    require_loop_devices!();
    let img = Image::sparse(DISK);
    let lo = disk_with_ext4(&img);
    let before = sha256_of(&img.path);

    // Planned for a bigger disk.
    let big = two(2 * DISK);
    let err = partition(&lo.path, &big, &Recorder::default()).unwrap_err();
    assert!(matches!(err, DiskError::DoesNotFit { .. }), "{err:?}");

    // Right disk size, but the last partition runs past the last usable sector.
    let mut t = two(DISK);
    t.partitions[1].last_lba = t.disk_sectors - 1;
    let err = partition(&lo.path, &t, &Recorder::default()).unwrap_err();
    assert!(matches!(err, DiskError::DoesNotFit { .. }), "{err:?}");
    assert!(
        err.to_string().contains("beyond the last usable sector"),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("the disk was not changed"),
        "{err}"
    );

    // Planned for 4096-byte sectors.
    let err = partition(&lo.path, &uefi_table(4096, DISK), &Recorder::default()).unwrap_err();
    assert!(
        matches!(err, DiskError::SectorSizeMismatch { .. }),
        "{err:?}"
    );

    assert_eq!(sha256_of(&img.path), before, "the image was not touched");
}

#[test]
fn an_image_file_is_not_a_block_device() {
    let img = Image::sparse(DISK);
    let before = sha256_of(&img.path);
    let err = partition(&img.path, &two(DISK), &Recorder::default()).unwrap_err();
    // Without root the open itself may fail; either way nothing is written.
    assert!(
        matches!(
            err,
            DiskError::NotBlockDevice { .. } | DiskError::Open { .. }
        ),
        "{err:?}"
    );
    assert_eq!(sha256_of(&img.path), before);
}

#[test]
fn a_missing_device_names_it() {
    let err = partition(
        Path::new("/dev/nonexistent-disk"),
        &two(DISK),
        &Recorder::default(),
    )
    .unwrap_err();
    assert!(matches!(err, DiskError::Open { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "opening /dev/nonexistent-disk: No such file or directory (os error 2); \
         the disk was not changed"
    );
}

#[test]
fn a_busy_partition_stops_the_reread_and_leaves_an_empty_table() {
    require_loop_devices!();
    let img = Image::sparse(DISK);
    let lo = disk_with_ext4(&img);
    // An open (not mounted) partition: the disk can be opened exclusively and written, but
    // the kernel refuses to drop the partition while it is open.
    let held = std::fs::File::open(lo.partition(2)).expect("opening p2");

    let err = partition(&lo.path, &two(DISK), &Recorder::default()).unwrap_err();
    drop(held);

    assert!(
        matches!(err, DiskError::Reread { busy: true, .. }),
        "{err:?}"
    );
    assert_eq!(err.state(), DiskState::EmptyTable);
    let msg = err.to_string();
    assert!(msg.contains("because a partition of"), "{msg}");
    assert!(msg.contains("is in use"), "{msg}");
    assert!(
        msg.ends_with("the disk now has an empty partition table"),
        "{msg}"
    );

    let pt = sfdisk_json(&lo.path);
    assert_eq!(pt["label"], "gpt", "{pt}");
    assert!(
        pt.get("partitions")
            .is_none_or(|p| p.as_array().is_some_and(Vec::is_empty)),
        "{pt}"
    );
    let (_, out, err) = run("sgdisk", &["-v", &lo.path.to_string_lossy()]);
    assert!(out.contains("No problems found"), "{out}{err}");
}

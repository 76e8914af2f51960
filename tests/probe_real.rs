//! The probe against this machine: real loop devices (root only) and the disk that holds the
//! running system. Writes only to its own images and loop devices.

mod common;

use std::path::{Path, PathBuf};

use azl_installer::probe::{Disk, Hardware, Roots, Transport, Usage, probe};
use common::{Image, LoopDevice, Mount, sh};

fn probe_host() -> Hardware {
    probe(&Roots::host()).expect("probing this machine")
}

fn find<'a>(hw: &'a Hardware, path: &Path) -> &'a Disk {
    hw.disks
        .iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("{} not probed", path.display()))
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|e| panic!("resolving {}: {e}", p.display()))
}

/// The kernel's own scan at attach time does not always happen here: ask again with partx,
/// then give devtmpfs a moment to create the node.
fn wait_for_partitions(lo: &LoopDevice) {
    sh("partx", &["-u", lo.path.to_str().expect("UTF-8 path")]);
    for _ in 0..50 {
        if lo.partition(1).exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{} did not appear", lo.partition(1).display());
}

#[test]
fn loop_device_with_gpt_and_ext4() {
    require_loop_devices!();
    let img = Image::sparse(64 << 20);
    let img_path = img.path.to_str().expect("UTF-8 path");
    sh(
        "sgdisk",
        &["-o", "-n", "1:2048:0", "-c", "1:data", img_path],
    );
    let lo = LoopDevice::attach(&img.path, 512);
    let part = lo.partition(1);
    wait_for_partitions(&lo);
    sh(
        "mkfs.ext4",
        &[
            "-q",
            "-F",
            "-L",
            "probe-test",
            part.to_str().expect("UTF-8"),
        ],
    );
    let uuid = sh(
        "blkid",
        &[
            "-p",
            "-s",
            "UUID",
            "-o",
            "value",
            part.to_str().expect("UTF-8"),
        ],
    );

    let hw = probe_host();
    let d = find(&hw, &lo.path);
    assert_eq!(d.transport, Transport::Loop);
    assert_eq!(
        d.backing_file.as_deref().map(canonical),
        Some(canonical(&img.path))
    );
    assert_eq!(d.size_bytes, 64 << 20);
    assert_eq!(d.logical_sector, 512);
    assert_eq!(d.table.as_deref(), Some("gpt"));
    assert_eq!(d.partitions.len(), 1, "{d:?}");
    let p = &d.partitions[0];
    assert_eq!(p.path, part);
    assert_eq!(p.start_bytes, 1 << 20);
    assert_eq!(p.fs_type.as_deref(), Some("ext4"));
    assert_eq!(p.label.as_deref(), Some("probe-test"));
    assert_eq!(p.uuid.as_deref(), Some(uuid.trim()));
    assert_eq!(p.part_label.as_deref(), Some("data"));
    assert!(p.part_uuid.is_some());
    assert!(d.usage.is_empty(), "{:?}", d.usage);

    let mnt_dir = tempfile::tempdir().expect("creating a mount point");
    let target = mnt_dir.path().join("mnt");
    let mount = Mount::new(&part, &target);
    let hw = probe_host();
    let d = find(&hw, &lo.path);
    assert_eq!(
        d.usage,
        [Usage::Mounted {
            device: part.clone(),
            mountpoint: canonical(&mount.target)
        }]
    );
    drop(mount);
}

#[test]
fn loop_device_with_4096_byte_sectors() {
    require_loop_devices!();
    let img = Image::sparse(32 << 20);
    let lo = LoopDevice::attach(&img.path, 4096);
    let dev = lo.path.to_str().expect("UTF-8 path");
    // sgdisk on the 4Kn device lays out 4 KiB sectors and asks the kernel to re-read.
    sh("sgdisk", &["-o", "-n", "1:256:0", dev]);
    wait_for_partitions(&lo);
    let hw = probe_host();
    let d = find(&hw, &lo.path);
    assert_eq!(d.logical_sector, 4096);
    assert_eq!(d.size_bytes, 32 << 20);
    assert_eq!(d.table.as_deref(), Some("gpt"));
    assert_eq!(d.partitions.len(), 1, "{d:?}");
    assert_eq!(d.partitions[0].start_bytes, 256 * 4096);
    assert!(d.partitions[0].part_uuid.is_some(), "{d:?}");
}

#[test]
fn partitions_the_kernel_was_not_told_of_are_still_counted() {
    require_loop_devices!();
    let img = Image::sparse(64 << 20);
    let img_path = img.path.to_str().expect("UTF-8 path");
    sh(
        "sgdisk",
        &[
            "-o",
            "-n",
            "1:2048:+16M",
            "-n",
            "2:0:0",
            "-c",
            "2:data",
            img_path,
        ],
    );
    // ext4 inside partition 2 (from 17 MiB), written through the image file.
    sh(
        "mkfs.ext4",
        &[
            "-q",
            "-F",
            "-L",
            "kept",
            "-E",
            "offset=17825792",
            img_path,
            "16M",
        ],
    );
    let lo = LoopDevice::attach_without_partscan(&img.path);
    assert!(!lo.partition(1).exists(), "losetup without -P made nodes");

    let hw = probe_host();
    let d = find(&hw, &lo.path);
    assert_eq!(d.table.as_deref(), Some("gpt"));
    let numbers: Vec<u32> = d.partitions.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2], "{d:?}");
    let p2 = &d.partitions[1];
    assert_eq!(
        p2.path,
        lo.partition(2),
        "named as the kernel would name it"
    );
    assert_eq!(p2.start_bytes, 17 << 20);
    assert_eq!(p2.part_label.as_deref(), Some("data"));
    assert_eq!(
        p2.fs_type.as_deref(),
        Some("ext4"),
        "read through the whole disk"
    );
    assert_eq!(p2.label.as_deref(), Some("kept"));

    // What an admin reads before saying yes: both partitions are destroyed.
    let answer = format!("version = 1\n[target]\npath = \"{}\"\n", lo.path.display());
    let answer: azl_installer::answer::Answer = toml::from_str(&answer).expect("answer");
    let refused = azl_installer::plan::Plan::resolve(&answer, &hw, &common::machine::small_index())
        .expect_err("a disk with data and no wipe = true");
    let text = refused.to_string();
    assert!(text.contains("with 2 partition(s)"), "{text}");
    assert!(text.contains("ext4 \"kept\""), "{text}");
}

#[test]
fn the_running_systems_disk_is_marked() {
    let Some(name) = common::root_disk() else {
        common::skip_or_fail("/ is not on a block device here");
        return;
    };
    let hw = probe_host();
    let d = hw
        .disks
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name}, the disk under /, was not probed"));
    assert!(d.usage.contains(&Usage::RunningSystem), "{d:?}");
    assert!(
        d.usage.iter().any(
            |u| matches!(u, Usage::Mounted { mountpoint, .. } if mountpoint == Path::new("/"))
        ),
        "{d:?}"
    );
    let others: Vec<_> = hw
        .disks
        .iter()
        .filter(|o| o.name != name && o.usage.contains(&Usage::RunningSystem))
        .map(|o| o.name.as_str())
        .collect();
    assert!(others.is_empty(), "only {name} holds /: {others:?}");
}

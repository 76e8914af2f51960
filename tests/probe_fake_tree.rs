//! The probe against a fake machine (tests/common/fake_sysfs/machine.rs): every field a user would
//! check, on every kind of disk and NIC. Needs sfdisk and mkfs, not root.

mod common;

use common::fake_sysfs;

use std::path::{Path, PathBuf};

use azl_installer::probe::{
    Disk, Firmware, Hardware, Stacked, StackedKind, Transport, Usage, probe,
};
use fake_sysfs::FakeTree;
use fake_sysfs::machine::{self, machine};

fn probed(uefi: bool) -> (FakeTree, Hardware) {
    let t = machine(uefi);
    let hw = probe(&t.roots()).expect("probing the fake machine");
    (t, hw)
}

fn disk<'a>(hw: &'a Hardware, name: &str) -> &'a Disk {
    hw.disks
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not found in {:?}", names(hw)))
}

fn names(hw: &Hardware) -> Vec<&str> {
    hw.disks.iter().map(|d| d.name.as_str()).collect()
}

fn dev(t: &FakeTree, name: &str) -> PathBuf {
    t.path(&format!("dev/{name}"))
}

#[test]
fn finds_the_disks_and_skips_the_rest() {
    let (_t, hw) = probed(true);
    // Natural order; unattached loop1 and nbd0 (size 0), ram, zram, dm, md and sr skipped.
    assert_eq!(
        names(&hw),
        ["loop0", "mmcblk0", "nvme0n1", "sda", "sdb", "sdc", "vda"]
    );
}

#[test]
fn firmware_cpu_and_memory() {
    let (_t, hw) = probed(true);
    assert_eq!(hw.firmware, Firmware::Uefi);
    assert_eq!(
        hw.cpu_model.as_deref(),
        Some("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz")
    );
    assert_eq!(hw.cpu_count, 4);
    assert_eq!(hw.memory_bytes, 16_318_464 * 1024);
    let (_t, hw) = probed(false);
    assert_eq!(hw.firmware, Firmware::Bios);
}

#[test]
fn nvme_disk_with_gpt_running_system_and_dm_holder() {
    let (t, hw) = probed(true);
    let d = disk(&hw, "nvme0n1");
    assert_eq!(d.path, dev(&t, "nvme0n1"));
    assert_eq!(d.transport, Transport::Nvme);
    assert_eq!(d.size_bytes, 40 << 20);
    assert_eq!((d.logical_sector, d.physical_sector), (512, 512));
    assert!(d.is_ssd() && !d.rotational && !d.removable && !d.read_only);
    assert_eq!(d.model.as_deref(), Some("Samsung SSD 980 PRO 1TB"));
    assert_eq!(d.vendor, None);
    assert_eq!(d.serial.as_deref(), Some("S64DNX0R123456"));
    assert_eq!(d.wwn.as_deref(), Some("eui.002538b111b2c3d4"));
    // The -part1 link points at a partition, not at the disk.
    assert_eq!(
        d.by_id,
        [
            dev(&t, "disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S64DNX0R123456"),
            dev(&t, "disk/by-id/nvme-eui.002538b111b2c3d4"),
        ]
    );
    assert_eq!(d.table.as_deref(), Some("gpt"));
    assert!(d.signatures.is_empty());
    assert_eq!(d.contents_error, None);
    assert_eq!(d.backing_file, None);

    let p: Vec<_> = d.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(p, ["nvme0n1p1", "nvme0n1p2", "nvme0n1p3"]);
    let esp = &d.partitions[0];
    assert_eq!(esp.path, dev(&t, "nvme0n1p1"));
    assert_eq!(esp.number, 1);
    assert_eq!((esp.start_bytes, esp.size_bytes), (1 << 20, 8 << 20));
    assert_eq!(esp.fs_type.as_deref(), Some("vfat"));
    assert_eq!(esp.label.as_deref(), Some("ESP"));
    assert_eq!(esp.uuid.as_deref(), Some(machine::ESP_UUID));
    assert_eq!(esp.part_uuid.as_deref(), Some(machine::ESP_PARTUUID));
    assert_eq!(esp.part_label.as_deref(), Some("EFI System"));
    let root = &d.partitions[1];
    assert_eq!((root.start_bytes, root.size_bytes), (9 << 20, 16 << 20));
    assert_eq!(root.fs_type.as_deref(), Some("ext4"));
    assert_eq!(root.label.as_deref(), Some("root"));
    assert_eq!(root.uuid.as_deref(), Some(machine::ROOT_UUID));
    assert_eq!(root.part_uuid.as_deref(), Some(machine::ROOT_PARTUUID));
    let home = &d.partitions[2];
    assert_eq!(home.fs_type, None);
    assert_eq!(home.part_label.as_deref(), Some("home"));
    assert!(home.part_uuid.is_some());

    assert_eq!(
        d.usage,
        [
            Usage::Held {
                device: dev(&t, "nvme0n1p3"),
                holder: "dm-0 (vg-home)".into()
            },
            Usage::Mounted {
                device: dev(&t, "nvme0n1p2"),
                mountpoint: "/".into()
            },
            Usage::RunningSystem,
            Usage::Mounted {
                device: dev(&t, "nvme0n1p1"),
                mountpoint: "/boot/efi".into()
            },
            // Mounted by path (/dev/mapper/vg-home, anonymous device number), through dm-0.
            Usage::Mounted {
                device: dev(&t, "dm-0"),
                mountpoint: "/home".into()
            },
        ]
    );
}

#[test]
fn sata_ssd_with_4k_sectors_and_swap() {
    let (t, hw) = probed(true);
    let d = disk(&hw, "sda");
    assert_eq!(d.transport, Transport::Sata);
    // sysfs counts 512-byte units whatever the sector size.
    assert_eq!(d.size_bytes, 32768 * 512);
    assert_eq!((d.logical_sector, d.physical_sector), (4096, 4096));
    assert!(d.is_ssd());
    assert_eq!(d.vendor.as_deref(), Some("ATA"));
    assert_eq!(d.model.as_deref(), Some("Samsung SSD 870"));
    // No `serial` file: the serial comes from VPD page 0x80.
    assert_eq!(d.serial.as_deref(), Some("S6PNNS0T123456"));
    assert_eq!(d.wwn.as_deref(), Some("naa.5002538e40a1b2c3"));
    assert_eq!(d.by_id.len(), 2);
    assert_eq!(d.table.as_deref(), Some("gpt"));
    let swap = &d.partitions[0];
    assert_eq!((swap.start_bytes, swap.size_bytes), (1 << 20, 4 << 20));
    // Read through its own node.
    assert_eq!(swap.fs_type.as_deref(), Some("swap"));
    assert_eq!(swap.uuid.as_deref(), Some(machine::SWAP_UUID));
    assert_eq!(swap.label.as_deref(), Some("swap"));
    assert_eq!(swap.part_label.as_deref(), Some("swap"));
    assert_eq!(
        d.usage,
        [Usage::Swap {
            device: dev(&t, "sda1")
        }]
    );
}

#[test]
fn rotating_hdd_held_by_md_without_a_node() {
    let (t, hw) = probed(true);
    let d = disk(&hw, "sdb");
    assert_eq!(d.transport, Transport::Sata);
    assert_eq!(d.size_bytes, 4_000_787_030_016);
    assert_eq!((d.logical_sector, d.physical_sector), (512, 4096));
    assert!(d.rotational && !d.is_ssd());
    assert_eq!(d.model.as_deref(), Some("WDC WD40EFRX-68N"));
    assert_eq!(d.serial, None);
    // No node to read: contents unknown, which counts as content.
    assert!(d.contents_error.is_some());
    assert_eq!(d.table, None);
    assert!(d.has_content());
    assert_eq!(
        d.usage,
        [Usage::Held {
            device: dev(&t, "sdb"),
            holder: "md0".into()
        }]
    );
}

#[test]
fn what_is_built_on_the_disks_is_listed_with_the_disks_beneath() {
    let (t, hw) = probed(true);
    assert_eq!(
        hw.stacks,
        [
            Stacked {
                name: "dm-0".into(),
                path: dev(&t, "mapper/vg-home"),
                kind: StackedKind::Lvm {
                    group: "vg".into(),
                    volume: "home".into()
                },
                on: vec!["nvme0n1p3".into()],
                holders: vec![],
                disks: vec![dev(&t, "nvme0n1")],
            },
            Stacked {
                name: "md0".into(),
                path: dev(&t, "md0"),
                kind: StackedKind::Md {
                    level: Some("raid1".into()),
                    array: Some("data".into())
                },
                on: vec!["sdb".into()],
                holders: vec![],
                disks: vec![dev(&t, "sdb")],
            },
        ]
    );
    assert_eq!(hw.stacks[0].to_string(), "LVM volume vg/home");
    assert_eq!(hw.stacks[1].to_string(), "raid1 array md0 (data)");
    let json = serde_json::to_value(&hw.stacks[1]).expect("serialising");
    assert_eq!(json["kind"], "md");
    assert_eq!(json["array"], "data");
}

#[test]
fn usb_stick_with_the_install_media() {
    let (t, hw) = probed(true);
    let d = disk(&hw, "sdc");
    assert_eq!(d.transport, Transport::Usb);
    assert!(d.removable);
    assert_eq!(d.vendor.as_deref(), Some("SanDisk"));
    assert_eq!(d.model.as_deref(), Some("Cruzer Blade"));
    assert_eq!(d.serial.as_deref(), Some("4C530001"));
    assert_eq!(
        d.by_id,
        [dev(&t, "disk/by-id/usb-SanDisk_Cruzer_Blade_4C530001-0:0")]
    );
    assert_eq!(d.table, None);
    assert!(d.partitions.is_empty());
    assert_eq!(d.signatures.len(), 1);
    assert_eq!(d.signatures[0].fs_type, "vfat");
    assert_eq!(d.signatures[0].label.as_deref(), Some("AZL_MEDIA"));
    assert_eq!(d.signatures[0].uuid.as_deref(), Some(machine::MEDIA_UUID));
    assert_eq!(
        d.usage,
        [
            Usage::Mounted {
                device: dev(&t, "sdc"),
                mountpoint: "/run/install/repo".into()
            },
            Usage::InstallMedia
        ]
    );
}

#[test]
fn empty_virtio_disk_is_free() {
    let (_t, hw) = probed(true);
    let d = disk(&hw, "vda");
    assert_eq!(d.transport, Transport::Virtio);
    assert_eq!(d.size_bytes, 8 << 20);
    assert_eq!(d.serial.as_deref(), Some("VIRTIO-SERIAL-1"));
    // A PCI vendor id is not a vendor name.
    assert_eq!(d.vendor, None);
    assert!(d.rotational);
    assert!(!d.has_content(), "{d:?}");
    assert!(d.usage.is_empty());
}

#[test]
fn removable_sd_card_with_mbr() {
    let (_t, hw) = probed(true);
    let d = disk(&hw, "mmcblk0");
    assert_eq!(d.transport, Transport::Mmc);
    assert!(d.removable && d.is_ssd());
    assert_eq!(d.model.as_deref(), Some("SD32G"));
    assert_eq!(d.serial.as_deref(), Some("0x5a6b7c8d"));
    assert_eq!(d.vendor, None);
    assert_eq!(d.table.as_deref(), Some("dos"));
    assert_eq!(d.partitions.len(), 1);
    let p = &d.partitions[0];
    assert_eq!(p.part_uuid.as_deref(), Some("1234abcd-01"));
    assert_eq!(p.fs_type, None);
    assert!(d.usage.is_empty());
}

#[test]
fn loop_device_with_an_iso_mounted() {
    let (t, hw) = probed(true);
    let d = disk(&hw, "loop0");
    assert_eq!(d.transport, Transport::Loop);
    assert_eq!(d.size_bytes, 1 << 20);
    assert_eq!(
        d.backing_file.as_deref(),
        Some(Path::new("/var/lib/images/test.img"))
    );
    assert_eq!(
        d.usage,
        [
            Usage::Mounted {
                device: dev(&t, "loop0"),
                mountpoint: "/mnt/iso".into()
            },
            Usage::InstallMedia
        ]
    );
}

#[test]
fn nics_physical_down_and_virtual() {
    let (_t, hw) = probed(true);
    let names: Vec<_> = hw.nics.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["br0", "eno1", "enp3s0"], "lo is skipped");
    let eno1 = &hw.nics[1];
    assert_eq!(eno1.mac.as_deref(), Some("3c:ec:ef:01:02:03"));
    assert_eq!(eno1.driver.as_deref(), Some("e1000e"));
    assert_eq!(eno1.carrier, Some(true));
    assert_eq!(eno1.speed_mbps, Some(1000));
    assert_eq!(eno1.operstate, "up");
    assert!(!eno1.is_virtual);
    let down = &hw.nics[2];
    assert_eq!(down.driver.as_deref(), Some("igb"));
    assert_eq!(down.carrier, None);
    assert_eq!(down.speed_mbps, None);
    assert_eq!(down.operstate, "down");
    assert!(!down.is_virtual);
    let br0 = &hw.nics[0];
    assert!(br0.is_virtual);
    assert_eq!(br0.driver, None);
    assert_eq!(br0.carrier, Some(true));
    assert_eq!(br0.mac.as_deref(), Some("52:54:00:aa:bb:cc"));
}

#[test]
fn json_is_stable() {
    let (_t, hw) = probed(true);
    let json: serde_json::Value = serde_json::to_value(&hw).expect("serialising");
    assert_eq!(json["firmware"], "uefi");
    let nvme = &json["disks"][2];
    assert_eq!(nvme["name"], "nvme0n1");
    assert_eq!(nvme["transport"], "nvme");
    assert_eq!(nvme["usage"][0]["kind"], "held");
    assert_eq!(nvme["usage"][2]["kind"], "running_system");
    assert_eq!(nvme["partitions"][1]["fs_type"], "ext4");
    let back: Hardware = serde_json::from_value(json).expect("deserialising");
    assert_eq!(back, hw);
}

#[test]
fn missing_sysfs_is_an_error_naming_the_directory() {
    let t = FakeTree::new();
    std::fs::remove_dir(t.path("sys/block")).expect("removing sys/block");
    let err = probe(&t.roots()).expect_err("no sys/block");
    assert!(err.to_string().contains("sys/block"), "{err}");
}

//! Disk selection: `target.path` and ordered `target.match` fallbacks, against a made-up
//! machine with several disks.

mod common;

use std::path::PathBuf;

use azl_installer::answer::{Answer, DiskRule, Size, Target, Transport as T};
use azl_installer::plan::Plan;
use azl_installer::probe::{Disk, Firmware, Hardware, Transport, Usage};
use azl_installer::repo::RepoIndex;

use azl_installer::units::GIB;

fn disk(name: &str, transport: Transport, gib: u64, ssd: bool, model: &str, serial: &str) -> Disk {
    Disk {
        name: name.into(),
        path: PathBuf::from(format!("/dev/{name}")),
        by_id: vec![PathBuf::from(format!("/dev/disk/by-id/x-{model}_{serial}"))],
        size_bytes: gib * GIB,
        logical_sector: 512,
        physical_sector: 4096,
        rotational: !ssd,
        removable: transport == Transport::Usb,
        read_only: false,
        model: Some(model.into()),
        vendor: Some("ACME".into()),
        serial: Some(serial.into()),
        wwn: Some(format!("eui.{serial}")),
        transport,
        backing_file: None,
        table: None,
        partitions: vec![],
        signatures: vec![],
        usage: vec![],
        contents_error: None,
    }
}

fn machine() -> Hardware {
    let mut root = disk("vda", Transport::Virtio, 40, true, "virt", "V0");
    root.usage.push(Usage::RunningSystem);
    let mut lp = disk("loop0", Transport::Loop, 4000, true, "loop", "L0");
    lp.backing_file = Some("/var/tmp/x.img".into());
    Hardware {
        firmware: Firmware::Uefi,
        cpu_model: None,
        cpu_count: 2,
        memory_bytes: 4 * GIB,
        disks: vec![
            disk(
                "nvme0n1",
                Transport::Nvme,
                500,
                true,
                "Samsung SSD 980",
                "S64A",
            ),
            disk(
                "nvme1n1",
                Transport::Nvme,
                1000,
                true,
                "Samsung SSD 990",
                "S70B",
            ),
            disk("sda", Transport::Sata, 240, true, "INTEL SSDSC2", "BTWA1"),
            disk("sdb", Transport::Sata, 4000, false, "ST4000NM", "ZC1"),
            disk("sdc", Transport::Usb, 32, true, "SanDisk Ultra", "U1"),
            root,
            lp,
        ],
        nics: vec![],
        tpm2: false,
        live: Default::default(),
        stacks: Vec::new(),
    }
}

fn answer_with(target: Target) -> Answer {
    let text = "version = 1\n[target]\npath = \"/dev/x\"\n";
    let mut a: Answer = toml::from_str(text).unwrap();
    a.target = target;
    a
}

fn rules(rules: Vec<DiskRule>) -> Answer {
    answer_with(Target {
        rules: Some(rules),
        ..Default::default()
    })
}

fn chosen(a: &Answer) -> Result<String, String> {
    Plan::resolve(a, &machine(), &index())
        .map(|p| p.target().disk.name.clone())
        .map_err(|e| e.to_string())
}

#[test]
fn path_picks_the_device_or_its_by_id_link() {
    for path in ["/dev/sda", "/dev/disk/by-id/x-INTEL SSDSC2_BTWA1"] {
        let a = answer_with(Target {
            path: Some(path.into()),
            ..Default::default()
        });
        assert_eq!(chosen(&a).unwrap(), "sda", "{path}");
    }
}

#[test]
fn path_to_nothing_lists_the_disks() {
    let a = answer_with(Target {
        path: Some("/dev/sdz".into()),
        ..Default::default()
    });
    let err = chosen(&a).unwrap_err();
    assert!(
        err.contains("target.path: no disk or disk image found at \"/dev/sdz\""),
        "{err}"
    );
    assert!(
        err.contains("/dev/nvme0n1 Samsung SSD 980 (serial S64A), 500 GiB"),
        "{err}"
    );
}

#[test]
fn largest_and_smallest() {
    let a = rules(vec![DiskRule {
        largest: true,
        ..Default::default()
    }]);
    // sdb (4 TB HDD) is the largest selectable; the loop device is never picked by a rule.
    assert_eq!(chosen(&a).unwrap(), "sdb");
    let a = rules(vec![DiskRule {
        smallest: true,
        ..Default::default()
    }]);
    // The 32 GiB USB stick; vda is smaller but holds the running system.
    assert_eq!(chosen(&a).unwrap(), "sdc");
    let a = rules(vec![DiskRule {
        ssd: Some(true),
        largest: true,
        ..Default::default()
    }]);
    assert_eq!(chosen(&a).unwrap(), "nvme1n1");
}

#[test]
fn globs_on_model_serial_vendor_wwn_and_path() {
    let cases = [
        (
            DiskRule {
                model: Some("Samsung*980".into()),
                ..Default::default()
            },
            "nvme0n1",
        ),
        (
            DiskRule {
                serial: Some("S70?".into()),
                ..Default::default()
            },
            "nvme1n1",
        ),
        (
            DiskRule {
                wwn: Some("eui.BTWA*".into()),
                ..Default::default()
            },
            "sda",
        ),
        (
            DiskRule {
                path: Some("/dev/disk/by-id/*ST4000*".into()),
                ..Default::default()
            },
            "sdb",
        ),
        (
            DiskRule {
                vendor: Some("ACME".into()),
                transport: Some(T::Usb),
                ..Default::default()
            },
            "sdc",
        ),
    ];
    for (rule, want) in cases {
        assert_eq!(
            chosen(&rules(vec![rule.clone()])).unwrap(),
            want,
            "{rule:?}"
        );
    }
}

#[test]
fn size_bounds_and_ssd() {
    let r = DiskRule {
        transport: Some(T::Nvme),
        min_size: Some(Size::Bytes(600 * GIB)),
        ..Default::default()
    };
    assert_eq!(chosen(&rules(vec![r])).unwrap(), "nvme1n1");
    let r = DiskRule {
        ssd: Some(false),
        max_size: Some(Size::Bytes(5000 * GIB)),
        ..Default::default()
    };
    assert_eq!(chosen(&rules(vec![r])).unwrap(), "sdb");
    let r = DiskRule {
        ssd: Some(true),
        min_size: Some(Size::Bytes(100 * GIB)),
        max_size: Some(Size::Bytes(300 * GIB)),
        ..Default::default()
    };
    assert_eq!(chosen(&rules(vec![r])).unwrap(), "sda");
}

#[test]
fn first_rule_that_picks_exactly_one_wins() {
    let a = rules(vec![
        // No such disk.
        DiskRule {
            model: Some("Micron*".into()),
            ..Default::default()
        },
        // Two NVMe disks: ambiguous, so fall through.
        DiskRule {
            transport: Some(T::Nvme),
            ..Default::default()
        },
        DiskRule {
            transport: Some(T::Sata),
            ssd: Some(true),
            ..Default::default()
        },
        DiskRule {
            largest: true,
            ..Default::default()
        },
    ]);
    let plan = Plan::resolve(&a, &machine(), &index()).unwrap();
    assert_eq!(plan.target().disk.name, "sda");
    assert_eq!(
        plan.target().reason,
        "target.match[2] matched only this disk"
    );
}

#[test]
fn no_match_and_multi_match_are_refused_with_candidates() {
    let a = rules(vec![
        DiskRule {
            model: Some("Micron*".into()),
            ..Default::default()
        },
        DiskRule {
            transport: Some(T::Nvme),
            ..Default::default()
        },
    ]);
    let err = chosen(&a).unwrap_err();
    assert!(err.contains("target.match[0] matched no disk"), "{err}");
    assert!(
        err.contains("target.match[1] matched 2 disks: /dev/nvme0n1"),
        "{err}"
    );
    assert!(err.contains("candidates: "), "{err}");
    // The disk holding the running system is named as not considered, with the reason.
    assert!(
        err.contains("/dev/vda (it holds the running system)"),
        "{err}"
    );
    assert!(
        !err.contains("loop0"),
        "loop devices are not candidates: {err}"
    );
}

#[test]
fn busy_disk_by_path_is_refused_with_the_reason() {
    let a = answer_with(Target {
        path: Some("/dev/vda".into()),
        wipe: true,
        ..Default::default()
    });
    let err = chosen(&a).unwrap_err();
    assert!(
        err.contains("cannot be used: it holds the running system"),
        "{err}"
    );
}

#[test]
fn loop_device_only_by_explicit_path() {
    let a = answer_with(Target {
        path: Some("/dev/loop0".into()),
        ..Default::default()
    });
    assert_eq!(chosen(&a).unwrap(), "loop0");
    let a = rules(vec![DiskRule {
        path: Some("/dev/loop*".into()),
        ..Default::default()
    }]);
    assert!(chosen(&a).is_err());
}

/// Repository metadata for plans that are about storage.
fn index() -> RepoIndex {
    common::machine::small_index()
}

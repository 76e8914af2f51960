//! Kept partitions in the plan (`keep = true`): found by each kind of `match`, kept where
//! they are with their number, the new layout placed around them, left out of what the
//! install destroys; refused when missing, ambiguous, not a mountable filesystem, on an MBR
//! disk, or in the way of the new partitions.

mod common;

use common::machine::{refused, resolve};

use std::path::PathBuf;

use azl_installer::answer::{Answer, FsType};
use azl_installer::plan::DeviceRef;
use azl_installer::probe::{Firmware, Hardware, Partition};
use azl_installer::units::{GIB, MIB};

const HOME_PARTUUID: &str = "6A1C0B4E-2D37-4C51-9E0A-5B3F7D2E8C11";
const HOME_FS_UUID: &str = "0b6f2f7e-6d1c-4e8a-9c3b-2a7d5e4f1a90";

/// A 64 GiB disk as an earlier install left it: ESP, /boot, root, and /home (20 GiB, ext4
/// labelled "home") after them.
fn used_disk(sector: u32) -> Hardware {
    let mut hw = common::machine::disks(Firmware::Uefi, &[64 * GIB], sector, 4 * GIB);
    let d = &mut hw.disks[0];
    d.table = Some("gpt".into());
    let part = |number: u32, start: u64, size: u64, fs: &str, label: Option<&str>| Partition {
        name: format!("sda{number}"),
        path: PathBuf::from(format!("/dev/sda{number}")),
        number,
        start_bytes: start,
        size_bytes: size,
        fs_type: Some(fs.into()),
        label: label.map(String::from),
        uuid: Some(format!("0000000{number}-0000-4000-8000-000000000000")),
        part_uuid: Some(format!("1111111{number}-0000-4000-8000-000000000000")),
        part_label: Some(format!("part{number}")),
    };
    d.partitions = vec![
        part(1, MIB, 512 * MIB, "vfat", None),
        part(2, 513 * MIB, GIB, "ext4", Some("boot")),
        part(3, 1537 * MIB, 30 * GIB, "ext4", Some("root")),
        Partition {
            uuid: Some(HOME_FS_UUID.into()),
            part_uuid: Some(HOME_PARTUUID.into()),
            part_label: Some("home".into()),
            ..part(4, 1537 * MIB + 30 * GIB, 20 * GIB, "ext4", Some("home"))
        },
    ];
    hw
}

fn answer(keep: &str, root_size: &str) -> Answer {
    let text = format!(
        "[target]\npath = \"/dev/sda\"\nwipe = true\nfirmware = \"uefi\"\n\
         [storage]\nlayout = \"custom\"\n\
         [[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"512MiB\"\n\
         [[storage.partitions]]\nmount = \"/boot\"\nsize = \"1GiB\"\n\
         [[storage.partitions]]\nmount = \"/\"\nsize = \"{root_size}\"\n\
         [[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = {keep}\n"
    );
    common::machine::valid_answer(&text)
}

#[test]
fn home_is_kept_in_place_and_root_takes_the_space_before_it() {
    for sector in [512u32, 4096] {
        let hw = used_disk(sector);
        let home = hw.disks[0].partitions[3].clone();
        let p = resolve(&answer("{ fs_label = \"home\" }", "rest"), &hw)
            .unwrap_or_else(|e| panic!("{e}"));
        let t = &p.disks[0].table;
        let ss = u64::from(sector);
        let numbers: Vec<u32> = t.partitions.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4], "{sector}");
        let kept = &t.partitions[3];
        assert_eq!(kept.first_lba * ss, home.start_bytes, "{sector}");
        assert_eq!(kept.size_bytes(sector), home.size_bytes, "{sector}");
        let k = kept.kept.as_ref().expect("partition 4 is kept");
        assert_eq!(k.part_uuid, HOME_PARTUUID);
        assert_eq!(k.fs_uuid.as_deref(), Some(HOME_FS_UUID));
        // The root runs up to the kept partition, 1 MiB aligned.
        let root = &t.partitions[2];
        assert_eq!((root.last_lba + 1) * ss, home.start_bytes, "{sector}");
        assert!(t.partitions[..3].iter().all(|p| p.kept.is_none()));
        // /home is mounted as it is; the others are made.
        let f = p.mounted_at("/home").expect("/home");
        assert!(f.keep && f.fs == FsType::Ext4);
        assert_eq!(f.on, DeviceRef::Partition { disk: 0, number: 4 });
        assert!(!p.mounted_at("/").expect("/").keep);
        // What the install destroys leaves /home out.
        let destroys: Vec<String> = p.disks[0].destroys.iter().map(|d| d.to_string()).collect();
        assert!(
            destroys.iter().any(|d| d.contains("/dev/sda3")),
            "{destroys:?}"
        );
        assert!(
            !destroys.iter().any(|d| d.contains("/dev/sda4")),
            "{destroys:?}"
        );
        let text = azl_installer::plan::render(&p);
        assert!(
            text.contains("Keeps (not written, not formatted, only mounted):"),
            "{text}"
        );
        assert!(
            text.contains("partition 4 (ext4 \"home\", 20 GiB"),
            "{text}"
        );
        assert!(
            text.contains("found by filesystem label \"home\""),
            "{text}"
        );
        assert!(
            text.contains("partition 4 of disk 1 kept as it is"),
            "{text}"
        );
        // plan --json carries it, and reads back the same.
        let json = serde_json::to_string(&p).unwrap();
        let back = azl_installer::plan::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.disks[0].table, *t);
    }
}

#[test]
fn every_kind_of_match_finds_the_partition() {
    let hw = used_disk(512);
    for m in [
        "{ number = 4 }".to_string(),
        "{ label = \"home\" }".to_string(),
        format!("{{ uuid = \"{HOME_PARTUUID}\" }}"),
        format!("{{ uuid = \"{}\" }}", HOME_FS_UUID.to_uppercase()),
        "{ fs_label = \"home\" }".to_string(),
    ] {
        let p = resolve(&answer(&m, "rest"), &hw).unwrap_or_else(|e| panic!("{m}: {e}"));
        let kept = p.disks[0].table.kept_numbers();
        assert_eq!(kept, [4], "{m}");
    }
}

#[test]
fn a_partition_not_found_is_refused_with_what_the_disk_has() {
    let text = refused(&answer("{ fs_label = \"data\" }", "rest"), &used_disk(512));
    assert!(text.contains("storage.partitions[3].match"), "{text}");
    assert!(text.contains("no partition of"), "{text}");
    assert!(text.contains("has filesystem label \"data\""), "{text}");
    assert!(text.contains("4 (ext4 \"home\", 20 GiB)"), "{text}");
}

#[test]
fn an_ambiguous_match_is_refused() {
    let mut hw = used_disk(512);
    hw.disks[0].partitions[2].label = Some("home".into());
    let text = refused(&answer("{ fs_label = \"home\" }", "rest"), &hw);
    assert!(text.contains("2 partitions of"), "{text}");
    assert!(text.contains("match by number or uuid"), "{text}");
}

#[test]
fn only_a_mountable_filesystem_on_a_gpt_disk_is_kept() {
    let mut hw = used_disk(512);
    hw.disks[0].partitions[3].fs_type = Some("swap".into());
    let text = refused(&answer("{ number = 4 }", "rest"), &hw);
    assert!(text.contains("holds swap"), "{text}");

    let mut hw = used_disk(512);
    hw.disks[0].table = Some("dos".into());
    let text = refused(&answer("{ number = 4 }", "rest"), &hw);
    assert!(
        text.contains("only partitions of a GPT disk can be kept"),
        "{text}"
    );
}

#[test]
fn new_partitions_that_do_not_fit_before_the_kept_one_are_refused() {
    let text = refused(&answer("{ number = 4 }", "40GiB"), &used_disk(512));
    assert!(
        text.contains("does not fit the space before kept partition 4 of the disk"),
        "{text}"
    );
}

/// Kept partitions come in their order on the disk: listed the other way round, the second
/// one is refused, by its key.
#[test]
fn kept_partitions_listed_out_of_disk_order_are_refused() {
    let mut hw = used_disk(512);
    hw.disks[0].partitions[1].label = Some("boot-data".into());
    let text = "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\nfirmware = \"uefi\"\n\
                [storage]\nlayout = \"custom\"\n\
                [[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"300MiB\"\n\
                [[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = { number = 4 }\n\
                [[storage.partitions]]\nmount = \"/srv\"\nkeep = true\nmatch = { fs_label = \"boot-data\" }\n\
                [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n";
    let a: Answer = toml::from_str(text).unwrap();
    assert!(azl_installer::answer::validate(&a).is_empty());
    let text = refused(&a, &hw);
    assert!(text.contains("storage.partitions[2].match"), "{text}");
    assert!(
        text.contains(
            "kept partition 2 of the disk starts before the partitions listed before it can end"
        ),
        "{text}"
    );
}

/// Two new partitions before the kept one: it is numbered 3 from now on, and what the
/// install destroys is still every partition but the one it keeps (sda4 today).
#[test]
fn a_kept_partition_may_get_a_new_number_but_is_never_destroyed() {
    let text = "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\nfirmware = \"uefi\"\n\
                [storage]\nlayout = \"custom\"\n\
                [[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"512MiB\"\n\
                [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n\
                [[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = { fs_label = \"home\" }\n";
    let a: Answer = toml::from_str(text).unwrap();
    assert!(azl_installer::answer::validate(&a).is_empty());
    let p = resolve(&a, &used_disk(512)).unwrap_or_else(|e| panic!("{e}"));
    let t = &p.disks[0].table;
    assert_eq!(t.partitions.len(), 3);
    assert_eq!(t.partitions[2].number, 3);
    assert_eq!(t.kept_numbers(), [4], "its number today");
    let destroys: Vec<String> = p.disks[0].destroys.iter().map(|d| d.to_string()).collect();
    for n in 1..=3 {
        assert!(
            destroys
                .iter()
                .any(|d| d.contains(&format!("/dev/sda{n} "))),
            "sda{n} is not listed: {destroys:?}"
        );
    }
    assert!(
        !destroys.iter().any(|d| d.contains("/dev/sda4")),
        "{destroys:?}"
    );
    let text = azl_installer::plan::render(&p);
    assert!(text.contains("  - partition 4 (ext4 \"home\""), "{text}");
    assert!(text.contains("numbered 3 from now on"), "{text}");
}

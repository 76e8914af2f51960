//! Layout sizing: auto layouts per firmware, custom layouts, alignment at 512 and 4096-byte
//! sectors, disks over 2 TiB, and layouts that do not fit.

mod common;

use azl_installer::answer::{Answer, FsType};
use azl_installer::plan::{Plan, Role, auto_swap};
use azl_installer::probe::{Firmware, Hardware, Partition};
use azl_installer::repo::RepoIndex;

use azl_installer::units::{GIB, MIB, TIB};

fn answer(extra: &str) -> Answer {
    toml::from_str(&format!(
        "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\n{extra}"
    ))
    .unwrap()
}

fn resolve(a: &Answer, h: &Hardware) -> Plan {
    Plan::resolve(a, h, &index()).unwrap_or_else(|e| panic!("{e}"))
}

/// What is made on partition `number` (FsType::None: nothing, as for bios-boot).
fn fs(plan: &Plan, number: u32) -> FsType {
    plan.filesystem_on(0, number).map_or(FsType::None, |f| f.fs)
}

fn mount(plan: &Plan, number: u32) -> Option<&str> {
    plan.filesystem_on(0, number)
        .and_then(|f| f.mount.as_deref())
}

/// Starts and ends on 1 MiB boundaries, no overlaps, inside the usable area.
fn assert_well_formed(plan: &Plan) {
    let t = &plan.target().table;
    let per_mib = MIB / u64::from(t.sector_size);
    let mut prev_end = 0;
    for p in &t.partitions {
        assert_eq!(
            p.first_lba % per_mib,
            0,
            "partition {} start not aligned",
            p.number
        );
        assert_eq!(
            (p.last_lba + 1) % per_mib,
            0,
            "partition {} end not aligned",
            p.number
        );
        assert!(p.first_lba > prev_end, "partition {} overlaps", p.number);
        prev_end = p.last_lba;
    }
    // Room for the backup GPT (entries + header) after the last partition.
    let entries = (128 * 128u64).div_ceil(u64::from(t.sector_size));
    assert!(
        prev_end < t.disk_sectors - entries - 1,
        "last partition runs into the backup GPT"
    );
}

#[test]
fn uefi_auto_layout() {
    let plan = resolve(&answer(""), &hw(100 * GIB, 512, Firmware::Uefi));
    let p = &plan.target().table.partitions;
    let roles: Vec<Role> = p.iter().map(|p| p.role).collect();
    assert_eq!(roles, [Role::Esp, Role::Boot, Role::Swap, Role::Root]);
    assert_eq!(p[0].first_lba, 2048, "first partition at 1 MiB");
    assert_eq!(p[0].size_bytes(512), 600 * MIB);
    assert_eq!(fs(&plan, p[0].number), FsType::Vfat);
    assert_eq!(mount(&plan, p[0].number), Some("/boot/efi"));
    assert_eq!(
        p[0].type_guid.to_string(),
        "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
    );
    assert_eq!(p[1].size_bytes(512), GIB);
    assert_eq!(fs(&plan, p[1].number), FsType::Ext4);
    assert_eq!(
        p[2].size_bytes(512),
        8 * GIB,
        "swap = memory, at most 8 GiB"
    );
    assert_eq!(
        p[3].type_guid.to_string(),
        "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
    );
    // Root takes the rest: within 1 MiB + backup GPT of the end.
    let end = (p[3].last_lba + 1) * 512;
    assert!(
        100 * GIB - end <= 2 * MIB,
        "root ends {} bytes before the end",
        100 * GIB - end
    );
    assert_well_formed(&plan);
}

#[test]
fn bios_auto_layout_ext4_no_swap() {
    let a = answer("[storage]\nfilesystem = \"ext4\"\nswap = \"none\"\n");
    let plan = resolve(&a, &hw(20 * GIB, 512, Firmware::Bios));
    let p = &plan.target().table.partitions;
    let roles: Vec<Role> = p.iter().map(|p| p.role).collect();
    assert_eq!(roles, [Role::BiosBoot, Role::Boot, Role::Root]);
    assert_eq!(p[0].size_bytes(512), MIB);
    assert_eq!(fs(&plan, p[0].number), FsType::None);
    assert_eq!(
        p[0].type_guid.to_string(),
        "21686148-6449-6e6f-744e-656564454649"
    );
    assert_eq!(fs(&plan, p[2].number), FsType::Ext4);
    assert_well_formed(&plan);
}

#[test]
fn firmware_override_beats_detection() {
    let plan = resolve(&answer("").clone(), &hw(50 * GIB, 512, Firmware::Uefi));
    assert_eq!(plan.firmware, Firmware::Uefi);
    let mut a = answer("");
    a.target.firmware = azl_installer::answer::FirmwareChoice::Bios;
    let plan = resolve(&a, &hw(50 * GIB, 512, Firmware::Uefi));
    assert_eq!(plan.target().table.partitions[0].role, Role::BiosBoot);
}

#[test]
fn four_k_sectors_count_in_4k_units() {
    let plan = resolve(&answer(""), &hw(100 * GIB, 4096, Firmware::Uefi));
    let p = &plan.target().table.partitions;
    assert_eq!(plan.target().table.sector_size, 4096);
    assert_eq!(plan.target().table.disk_sectors, 100 * GIB / 4096);
    assert_eq!(p[0].first_lba, 256, "1 MiB in 4 KiB sectors");
    assert_eq!(p[0].last_lba - p[0].first_lba + 1, 600 * 256);
    assert_well_formed(&plan);
}

#[test]
fn disks_over_two_tib() {
    let plan = resolve(&answer(""), &hw(3 * TIB, 512, Firmware::Uefi));
    let root = plan.target().table.partitions.last().unwrap();
    assert!(root.last_lba > (2 * TIB / 512), "root reaches past 2 TiB");
    assert!(root.size_bytes(512) > 2 * TIB);
    assert_well_formed(&plan);
}

#[test]
fn custom_layout_in_order_with_percent_and_rest() {
    let a = answer(
        r#"[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "512MiB"
[[storage.partitions]]
mount = "/"
size = "50%"
fs = "ext4"
label = "root"
[[storage.partitions]]
mount = "swap"
size = "2GiB"
[[storage.partitions]]
mount = "/var"
size = "rest"
options = "nodev"
"#,
    );
    let plan = resolve(&a, &hw(64 * GIB, 512, Firmware::Uefi));
    let p = &plan.target().table.partitions;
    assert_eq!(p.len(), 4);
    assert_eq!(
        fs(&plan, p[0].number),
        FsType::Vfat,
        "fs implied by /boot/efi"
    );
    assert_eq!(p[1].size_bytes(512), 32 * GIB);
    assert_eq!(p[1].name, "root");
    assert_eq!(p[2].role, Role::Swap);
    assert_eq!(mount(&plan, p[2].number), None);
    assert_eq!(
        p[3].type_guid.to_string(),
        "4d21b016-b534-45c2-a9fb-5c16e091fd2d"
    );
    let var = plan
        .filesystem_on(0, p[3].number)
        .expect("a filesystem on /var");
    assert_eq!(var.options.as_deref(), Some("nodev"));
    assert_well_formed(&plan);
}

#[test]
fn layout_that_does_not_fit_says_how_much_is_missing() {
    let a = answer(
        "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n\
         [[storage.partitions]]\nmount = \"/\"\nsize = \"20GiB\"\n",
    );
    let err = Plan::resolve(&a, &hw(10 * GIB, 512, Firmware::Uefi), &index()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("storage: the partition layout does not fit the disk"),
        "{msg}"
    );
    // 20.6 GiB needed, 10 GiB minus 2 MiB of alignment and GPT usable.
    assert!(msg.contains("needs 20.6 GiB"), "{msg}");
    assert!(msg.contains("10.6 GiB missing"), "{msg}");
}

#[test]
fn sizes_near_two_to_the_64_do_not_fit_and_do_not_overflow() {
    for sizes in [
        ["18446744073709551615B", "rest"],
        ["16383TiB", "16383TiB"],
        ["1MiB", "18446744073709551615B"],
    ] {
        let a = answer(&format!(
            "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n\
             [[storage.partitions]]\nmount = \"/srv\"\nsize = \"{}\"\n\
             [[storage.partitions]]\nmount = \"/\"\nsize = \"{}\"\n",
            sizes[0], sizes[1]
        ));
        let err = Plan::resolve(&a, &hw(100 * GIB, 512, Firmware::Uefi), &index()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("does not fit the disk"), "{sizes:?}: {msg}");
    }
}

#[test]
fn auto_layout_on_a_tiny_disk_is_refused() {
    let err = Plan::resolve(&answer(""), &hw(4 * GIB, 512, Firmware::Uefi), &index()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("does not fit"), "{msg}");
}

#[test]
fn filesystem_minimums_are_checked_before_writing() {
    let a = answer(
        "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"100MiB\"\n\
         [[storage.partitions]]\nmount = \"/\"\nsize = \"200MiB\"\nfs = \"xfs\"\n",
    );
    // xfs needs 300 MiB; FAT32 at 4 KiB sectors needs 260 MiB.
    let err = Plan::resolve(&a, &hw(10 * GIB, 4096, Firmware::Uefi), &index()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("storage.partitions[0].size: 100 MiB for /boot/efi is too small for vfat"),
        "{msg}"
    );
    assert!(
        msg.contains("storage.partitions[1].size: 200 MiB for / is too small for xfs"),
        "{msg}"
    );
}

#[test]
fn custom_layout_without_the_firmware_partition_is_refused() {
    let a = answer(
        "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
    );
    let err = Plan::resolve(&a, &hw(10 * GIB, 512, Firmware::Uefi), &index())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no EFI system partition"), "{err}");
    let err = Plan::resolve(&a, &hw(10 * GIB, 512, Firmware::Bios), &index())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no bios-boot partition"), "{err}");
}

#[test]
fn a_disk_with_data_needs_wipe() {
    let mut h = hw(50 * GIB, 512, Firmware::Uefi);
    h.disks[0].table = Some("dos".into());
    h.disks[0].partitions.push(Partition {
        name: "sda1".into(),
        path: "/dev/sda1".into(),
        number: 1,
        start_bytes: MIB,
        size_bytes: 10 * GIB,
        fs_type: Some("ext4".into()),
        label: Some("data".into()),
        uuid: None,
        part_uuid: None,
        part_label: None,
    });
    let mut a = answer("");
    a.target.wipe = false;
    let err = Plan::resolve(&a, &h, &index()).unwrap_err().to_string();
    assert!(err.contains("target.wipe: /dev/sda Disk (serial X1), 50 GiB holds data: the dos partition table with 1 partition(s); /dev/sda1 (10 GiB, ext4 \"data\")"), "{err}");
    assert!(err.contains("set target.wipe = true"), "{err}");
    a.target.wipe = true;
    let plan = resolve(&a, &h);
    assert_eq!(plan.target().destroys.len(), 2);
}

#[test]
fn auto_swap_follows_memory_within_bounds() {
    assert_eq!(
        auto_swap(20 * GIB, 16 * GIB),
        None,
        "small disks get no swap"
    );
    assert_eq!(auto_swap(100 * GIB, 512 * MIB), Some(GIB));
    assert_eq!(auto_swap(100 * GIB, 4 * GIB), Some(4 * GIB));
    assert_eq!(auto_swap(100 * GIB, 64 * GIB), Some(8 * GIB));
}

fn hw(size: u64, sector: u32, firmware: Firmware) -> Hardware {
    common::machine::one_disk(firmware, size, sector, 16 * GIB)
}

/// Repository metadata for plans that are about storage.
fn index() -> RepoIndex {
    common::machine::small_index()
}

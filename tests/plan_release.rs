//! Reinstalling a server: the live system has assembled the old system's arrays and
//! activated its volume group on the target disks. With `target.wipe` the plan stops them
//! first (top first) and says so; it refuses when one reaches a disk the install does not
//! write, when it is a device the installer does not stop, or without `wipe`; a saved plan
//! is refused when what runs on the disks changed.

mod common;

use common::machine::{refused, resolve, valid_answer as answer};

use std::path::PathBuf;

use azl_installer::plan::{ReleaseAction, render, still_holds};
use azl_installer::probe::{Firmware, Hardware, Partition, Stacked, StackedKind, Usage};
use azl_installer::units::{GIB, MIB};

fn stacked(
    name: &str,
    kind: StackedKind,
    on: &[&str],
    holders: &[&str],
    disks: &[&str],
) -> Stacked {
    let path = match &kind {
        StackedKind::Lvm { group, volume } => format!("/dev/mapper/{group}-{volume}"),
        StackedKind::Crypt { mapping } => format!("/dev/mapper/{mapping}"),
        _ => format!("/dev/{name}"),
    };
    Stacked {
        name: name.into(),
        path: path.into(),
        kind,
        on: on.iter().map(|s| s.to_string()).collect(),
        holders: holders.iter().map(|s| s.to_string()).collect(),
        disks: disks.iter().map(PathBuf::from).collect(),
    }
}

fn md(level: &str, array: &str) -> StackedKind {
    StackedKind::Md {
        level: Some(level.into()),
        array: Some(array.into()),
    }
}

fn lv(volume: &str) -> StackedKind {
    StackedKind::Lvm {
        group: "azurelinux".into(),
        volume: volume.into(),
    }
}

/// Two 20 GiB disks holding the old raid1-lvm install, running: md126 (/boot) over sda2 and
/// sdb2, md127 over sda3 and sdb3 holding the group "azurelinux" (root and swap).
fn old_mirror() -> Hardware {
    let mut hw = common::machine::disks(Firmware::Uefi, &[20 * GIB, 20 * GIB], 512, 4 * GIB);
    for d in &mut hw.disks {
        d.table = Some("gpt".into());
        let part = |n: u32, start: u64, size: u64, fs: &str| Partition {
            name: format!("{}{n}", d.name),
            path: PathBuf::from(format!("/dev/{}{n}", d.name)),
            number: n,
            start_bytes: start,
            size_bytes: size,
            fs_type: Some(fs.into()),
            label: None,
            uuid: None,
            part_uuid: None,
            part_label: None,
        };
        d.partitions = vec![
            part(1, MIB, 600 * MIB, "vfat"),
            part(2, 601 * MIB, GIB, "linux_raid_member"),
            part(3, 1625 * MIB, 18 * GIB, "linux_raid_member"),
        ];
        for (n, holder) in [(2, "md126"), (3, "md127")] {
            d.usage.push(Usage::Held {
                device: PathBuf::from(format!("/dev/{}{n}", d.name)),
                holder: holder.into(),
            });
        }
    }
    let both = ["/dev/sda", "/dev/sdb"];
    hw.stacks = vec![
        stacked("dm-0", lv("root"), &["md127"], &[], &both),
        stacked("dm-1", lv("swap"), &["md127"], &[], &both),
        stacked("md126", md("raid1", "boot"), &["sda2", "sdb2"], &[], &both),
        stacked(
            "md127",
            md("raid1", "pv"),
            &["sda3", "sdb3"],
            &["dm-0", "dm-1"],
            &both,
        ),
    ];
    hw
}

const BOTH: &str = "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\nwipe = true\n[storage]\nscheme = \"raid1-lvm\"\n";

#[test]
fn a_reinstall_stops_the_old_group_then_its_arrays_and_says_so() {
    let plan = resolve(&answer(BOTH), &old_mirror()).unwrap_or_else(|e| panic!("{e}"));
    let stops: Vec<(&str, &ReleaseAction)> = plan
        .releases
        .iter()
        .map(|r| (r.what.as_str(), &r.action))
        .collect();
    assert_eq!(
        stops,
        [
            (
                "LVM volume group azurelinux (root, swap)",
                &ReleaseAction::DeactivateGroup {
                    group: "azurelinux".into()
                }
            ),
            (
                "raid1 array md126 (boot)",
                &ReleaseAction::StopArray {
                    device: "/dev/md126".into()
                }
            ),
            (
                "raid1 array md127 (pv)",
                &ReleaseAction::StopArray {
                    device: "/dev/md127".into()
                }
            ),
        ]
    );
    for r in &plan.releases {
        assert_eq!(
            r.disks,
            [PathBuf::from("/dev/sda"), PathBuf::from("/dev/sdb")]
        );
    }
    let text = render(&plan);
    assert!(
        text.contains("Stops first")
            && text.contains("  - LVM volume group azurelinux (root, swap), on /dev/sda, /dev/sdb")
            && text.contains("  - raid1 array md127 (pv), on /dev/sda, /dev/sdb"),
        "{text}"
    );
    // The programs that stop them are checked on the live system like the others.
    let purposes: Vec<&str> = plan.programs.iter().map(|p| p.purpose.as_str()).collect();
    assert!(
        purposes.contains(&"deactivates the old volume groups on the disks"),
        "{purposes:?}"
    );
    assert!(
        purposes.contains(&"stops the old RAID arrays on the disks"),
        "{purposes:?}"
    );
    // plan --json carries them, and reads them back.
    let json = serde_json::to_value(&plan).expect("serialising");
    assert_eq!(json["releases"][0]["action"], "deactivate_group");
    assert_eq!(json["releases"][1]["device"], "/dev/md126");
}

#[test]
fn fleet_rules_pick_disks_the_old_arrays_hold() {
    let a = answer(
        "[target]\nmatch = [{ transport = \"sata\", count = 2 }]\nwipe = true\n[storage]\nscheme = \"raid1-lvm\"\n",
    );
    let plan = resolve(&a, &old_mirror()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.disks.len(), 2);
    assert_eq!(plan.releases.len(), 3);
}

#[test]
fn an_array_reaching_a_disk_the_install_does_not_write_is_refused() {
    let text = refused(
        &answer("[target]\npath = \"/dev/sda\"\nwipe = true\n"),
        &old_mirror(),
    );
    assert!(
        text.contains("target.path: ")
            && text.contains("raid1 array md127 (pv) is on it and also on /dev/sdb, which the install does not write")
            && text.contains("add /dev/sdb to the target disks"),
        "{text}"
    );
    // The arrays under the group are named, and so is the group.
    assert!(text.contains("raid1 array md126 (boot)"), "{text}");
    assert!(text.contains("LVM volume azurelinux/root"), "{text}");
}

#[test]
fn without_wipe_the_holders_are_named_and_wipe_is_the_hint() {
    let text = refused(
        &answer("[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\n[storage]\nscheme = \"raid1\"\n"),
        &old_mirror(),
    );
    assert!(
        text.contains("/dev/sda2 is in use by md126")
            && text.contains("set target.wipe = true to stop it before the disk is erased"),
        "{text}"
    );
}

#[test]
fn a_device_the_installer_does_not_stop_is_refused() {
    let mut hw = old_mirror();
    hw.stacks.push(stacked(
        "dm-5",
        StackedKind::Other {
            mapping: Some("mpatha".into()),
        },
        &["sda1"],
        &[],
        &["/dev/sda"],
    ));
    let text = refused(&answer(BOTH), &hw);
    assert!(
        text.contains("device-mapper device dm-5 (mpatha) holds it, and the installer does not stop that kind of device")
            && text.contains("remove /dev/dm-5 by hand first"),
        "{text}"
    );
}

#[test]
fn a_mounted_old_volume_stays_a_refusal() {
    let mut hw = old_mirror();
    for d in &mut hw.disks {
        d.usage.push(Usage::Mounted {
            device: "/dev/dm-0".into(),
            mountpoint: "/mnt".into(),
        });
    }
    let text = refused(&answer(BOTH), &hw);
    assert!(text.contains("/dev/dm-0 is mounted at /mnt"), "{text}");
}

#[test]
fn a_saved_plan_is_refused_when_what_runs_on_the_disks_changed() {
    let hw = old_mirror();
    let plan = resolve(&answer(BOTH), &hw).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        still_holds(&plan, &hw).is_empty(),
        "{:?}",
        still_holds(&plan, &hw)
    );
    // Someone stopped the group's volumes by hand since.
    let mut now = hw.clone();
    now.stacks.retain(|s| !s.name.starts_with("dm-"));
    for s in &mut now.stacks {
        s.holders.clear();
    }
    let issues: Vec<String> = still_holds(&plan, &now)
        .iter()
        .map(|i| i.to_string())
        .collect();
    assert!(
        issues.iter().any(|i| i
            .contains("what runs on the disks has changed since the plan was made")
            && i.contains("and raid1 array md126 (boot), raid1 array md127 (pv) runs now")),
        "{issues:?}"
    );
}

#[test]
fn names_taken_by_an_old_system_on_another_disk_are_refused() {
    // Two new disks; the old server's third disk still runs its array "pv" and group
    // "azurelinux", which the install does not stop.
    let mut hw = common::machine::disks(
        Firmware::Uefi,
        &[20 * GIB, 20 * GIB, 20 * GIB],
        512,
        4 * GIB,
    );
    hw.disks[2].usage.push(Usage::Held {
        device: "/dev/sdc".into(),
        holder: "md125".into(),
    });
    let sdc = ["/dev/sdc"];
    hw.stacks = vec![
        stacked("dm-3", lv("root"), &["md125"], &[], &sdc),
        stacked("dm-4", lv("swap"), &["md125"], &[], &sdc),
        stacked(
            "md125",
            md("raid1", "pv"),
            &["sdc"],
            &["dm-3", "dm-4"],
            &sdc,
        ),
    ];
    let text = refused(&answer(BOTH), &hw);
    assert!(
        text.contains("storage.scheme: the new array is named \"pv\", and raid1 array md125 (pv) by that name runs on /dev/sdc, which the install does not write")
            && text.contains("stop /dev/md125 first"),
        "{text}"
    );
    assert_eq!(
        text.matches("the new volume group is named \"azurelinux\"")
            .count(),
        1,
        "{text}"
    );
    // A custom layout with other names installs beside it.
    let custom = answer(
        "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\nwipe = true\n[storage]\nlayout = \"custom\"\n\
         [[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n\
         [[storage.partitions]]\nname = \"a\"\nsize = \"rest\"\n\
         [[storage.partitions]]\ndisk = 2\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n\
         [[storage.partitions]]\ndisk = 2\nname = \"b\"\nsize = \"rest\"\n\
         [[storage.raids]]\nname = \"root\"\nlevel = 1\nmembers = [\"a\", \"b\"]\nmount = \"/\"\n",
    );
    let plan = resolve(&custom, &hw).unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.releases.is_empty());
}

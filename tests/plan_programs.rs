//! The live system's programs: the plan lists each one the install will run, and refuses
//! (before anything is written) when one is missing, naming it and its package.

mod common;

use azl_installer::answer::Answer;
use azl_installer::plan::{Plan, Refused};
use azl_installer::probe::{Firmware, Hardware, LiveSystem, Transport};

use azl_installer::units::GIB;

fn answer(extra: &str) -> Answer {
    toml::from_str(&format!(
        "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\n{extra}"
    ))
    .unwrap()
}

fn machine(firmware: Firmware, missing: &[&str], vfat: bool) -> Hardware {
    let mut hw = common::machine::one_disk(firmware, 40 * GIB, 512, 8 * GIB);
    hw.live = LiveSystem {
        missing_programs: missing.iter().map(|s| s.to_string()).collect(),
        kernel_mounts_vfat: vfat,
    };
    hw
}

fn resolve(a: &Answer, hw: &Hardware) -> Result<Plan, Refused> {
    Plan::resolve(a, hw, &common::machine::small_index())
}

fn names(plan: &Plan) -> Vec<&str> {
    plan.programs.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn a_default_uefi_install_runs_these_programs() {
    let plan = resolve(&answer(""), &machine(Firmware::Uefi, &[], true)).unwrap();
    assert_eq!(
        names(&plan),
        [
            "wipefs",
            "mkfs.vfat",
            "mkfs.ext4",
            "mkswap",
            "mount",
            "rpm",
            "dnf5",
            "systemctl"
        ]
    );
    let ext4 = &plan.programs[2];
    assert_eq!(ext4.package, "e2fsprogs");
    assert_eq!(ext4.purpose, "formats partitions 2 (/boot), 4 (/) as ext4");
    assert_eq!(plan.programs[6].any_of, ["dnf5", "dnf"]);
    // `plan` shows them, `plan --json` carries them.
    assert!(
        azl_installer::plan::render(&plan).contains(
            "Runs on this live system: wipefs, mkfs.vfat, mkfs.ext4, mkswap, mount, rpm, dnf5, systemctl\n"
        )
    );
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["programs"][1]["package"], "dosfstools");
}

#[test]
fn what_is_run_follows_the_answer() {
    let a = answer(
        "[install]\nfinish = \"reboot\"\n[storage]\nfilesystem = \"xfs\"\nswap = \"none\"\n\
         [[scripts.post]]\nchroot = false\nrun = \"true\"\n",
    );
    // A kernel without vfat: the ESP is written with mtools.
    let plan = resolve(&a, &machine(Firmware::Bios, &[], false)).unwrap();
    assert_eq!(
        names(&plan),
        [
            "wipefs",
            "mkfs.xfs",
            "mount",
            "rpm",
            "dnf5",
            "/bin/sh",
            "systemctl"
        ]
    );
    let plan = resolve(&a, &machine(Firmware::Uefi, &[], false)).unwrap();
    assert!(names(&plan).contains(&"mcopy"), "{:?}", names(&plan));
    // An image file is attached with losetup, and nothing reboots after it.
    let mut hw = machine(Firmware::Uefi, &[], true);
    hw.disks[0].transport = Transport::Image;
    let plan = resolve(&a, &hw).unwrap();
    assert_eq!(names(&plan)[0], "losetup");
    assert!(!names(&plan).contains(&"systemctl"));
    assert!(!names(&plan).contains(&"mcopy"));
}

#[test]
fn a_missing_mkfs_is_refused_naming_it_and_its_package() {
    let a = answer("[storage]\nfilesystem = \"xfs\"\n");
    let err = resolve(&a, &machine(Firmware::Uefi, &["mkfs.xfs"], true)).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    let p = &err.problems[0];
    assert_eq!(p.path, "live_system");
    assert_eq!(
        p.message,
        "mkfs.xfs is not on this live system; the install needs it: it formats partitions 2 (/boot), 4 (/) as xfs"
    );
    let hint = p.hint.as_deref().unwrap();
    assert!(
        hint.contains("xfsprogs") && hint.contains("storage.filesystem"),
        "{hint}"
    );
    // The same live system installs ext4 (the default) without it.
    resolve(&answer(""), &machine(Firmware::Uefi, &["mkfs.xfs"], true)).unwrap();
}

#[test]
fn dnf_is_needed_under_one_name_or_the_other() {
    let hw = machine(Firmware::Uefi, &["dnf5"], true);
    resolve(&answer(""), &hw).unwrap();
    let hw = machine(Firmware::Uefi, &["dnf5", "dnf", "wipefs"], true);
    let err = resolve(&answer(""), &hw).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("wipefs is not on this live system"), "{text}");
    assert!(text.contains("util-linux"), "{text}");
    assert!(
        text.contains("none of dnf5, dnf is on this live system"),
        "{text}"
    );
    assert_eq!(err.problems.len(), 2, "{text}");
}

//! Made-up machines and repository metadata for tests of the plan: one SATA SSD of a given
//! size and sector size, a small index with the package set, or the real fixture's index.
#![allow(dead_code)]

use std::path::PathBuf;

use azl_installer::answer::Answer;
use azl_installer::plan::{Plan, Refused};
use azl_installer::probe::{Disk, Firmware, Hardware, Transport};
use azl_installer::repo::{Package, RepoIndex, RepoMeta, RepoSource};

use super::fixture::FixtureRepo;

/// A machine with one empty SATA SSD, /dev/sda ("Disk", serial X1).
pub fn one_disk(firmware: Firmware, size_bytes: u64, sector: u32, memory_bytes: u64) -> Hardware {
    Hardware {
        firmware,
        cpu_model: None,
        cpu_count: 2,
        memory_bytes,
        disks: vec![Disk {
            name: "sda".into(),
            path: PathBuf::from("/dev/sda"),
            by_id: vec![],
            size_bytes,
            logical_sector: sector,
            physical_sector: 4096,
            rotational: false,
            removable: false,
            read_only: false,
            model: Some("Disk".into()),
            vendor: None,
            serial: Some("X1".into()),
            wwn: None,
            transport: Transport::Sata,
            backing_file: None,
            table: None,
            partitions: vec![],
            signatures: vec![],
            usage: vec![],
            contents_error: None,
        }],
        nics: vec![],
        tpm2: false,
        live: Default::default(),
        stacks: Vec::new(),
    }
}

/// A machine with empty SATA SSDs of `sizes`, /dev/sda, /dev/sdb, ... (serials X1, X2, ...).
pub fn disks(firmware: Firmware, sizes: &[u64], sector: u32, memory_bytes: u64) -> Hardware {
    let mut hw = one_disk(firmware, 0, sector, memory_bytes);
    let template = hw.disks.remove(0);
    for (i, size) in sizes.iter().enumerate() {
        let letter = (b'a' + i as u8) as char;
        hw.disks.push(Disk {
            name: format!("sd{letter}"),
            path: PathBuf::from(format!("/dev/sd{letter}")),
            size_bytes: *size,
            serial: Some(format!("X{}", i + 1)),
            ..template.clone()
        });
    }
    hw
}

/// A repository with what the package set needs (DESIGN.md "The package set"), small
/// enough to fit any root partition: the preflight's payload checks pass.
pub fn small_index() -> RepoIndex {
    let names = [
        "grub2-tools",
        "shadow-utils",
        "NetworkManager",
        "shim-x64",
        "grub2-efi-x64",
        "efibootmgr",
        "grub2-pc",
        "selinux-policy-targeted",
        "policycoreutils",
        "openssh-server",
        "mdadm",
        "lvm2",
        "cryptsetup",
        "systemd-cryptsetup",
        "tpm2-tools",
    ];
    let pkg = |name: &str, version: &str| Package {
        name: name.into(),
        version: version.into(),
        release: "1.azl4".into(),
        arch: "x86_64".into(),
        size_package: 1 << 20,
        size_installed: 4 << 20,
        ..Package::default()
    };
    let mut packages: Vec<Package> = names.iter().map(|n| pkg(n, "1.0")).collect();
    packages.push(pkg("kernel", "6.18.2"));
    RepoIndex {
        repos: vec![RepoMeta {
            name: "test".into(),
            packages,
            ..RepoMeta::default()
        }],
    }
}

/// The verified metadata of the signed fixture repository (variant as built by build-repo).
pub fn fixture_index(variant: &str) -> RepoIndex {
    let repo = FixtureRepo::build(variant);
    azl_installer::repo::load(&[RepoSource {
        name: "fixture".into(),
        url: repo.repo_url(),
        gpg_keys: vec![repo.key_url()],
        gpg_check: true,
    }])
    .unwrap_or_else(|e| panic!("loading the fixture: {e}"))
    .index
}

/// A test's answer ("version = 1" and `text`), which must be valid.
pub fn valid_answer(text: &str) -> Answer {
    let a: Answer = toml::from_str(&format!("version = 1\n{text}"))
        .unwrap_or_else(|e| panic!("test answer: {e}"));
    let issues = azl_installer::answer::validate(&a);
    assert!(issues.is_empty(), "test answer is invalid: {issues:?}");
    a
}

/// The plan of `a` on `h` with `small_index()`'s packages.
pub fn resolve(a: &Answer, h: &Hardware) -> Result<Plan, Refused> {
    Plan::resolve(a, h, &small_index())
}

/// Why the plan of `a` on `h` is refused; the test fails when it is accepted.
pub fn refused(a: &Answer, h: &Hardware) -> String {
    match resolve(a, h) {
        Ok(_) => panic!("the plan was accepted"),
        Err(e) => e.to_string(),
    }
}

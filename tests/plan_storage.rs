//! Server storage in the plan: the auto schemes (plain, lvm, raid1, raid1-lvm, with and
//! without encryption) at 512 and 4096-byte sectors and on disks of different sizes, custom
//! arrays, volumes and containers, and the refusals before anything is written.

mod common;

use common::machine::{refused, resolve, valid_answer as answer};

use azl_installer::answer::{Answer, FsType};
use azl_installer::plan::{AUTO_GROUP, DeviceRef, Plan, Role};
use azl_installer::probe::{Firmware, Hardware};
use azl_installer::units::{GIB, MIB};

fn hw(firmware: Firmware, sizes: &[u64], sector: u32) -> Hardware {
    common::machine::disks(firmware, sizes, sector, 4 * GIB)
}

fn plan(a: &Answer, h: &Hardware) -> Plan {
    resolve(a, h).unwrap_or_else(|e| panic!("{e}"))
}

fn roles(plan: &Plan, disk: usize) -> Vec<Role> {
    plan.disks[disk]
        .table
        .partitions
        .iter()
        .map(|p| p.role)
        .collect()
}

/// The filesystem mounted at `m` and the device it is on.
fn at(plan: &Plan, m: &str) -> (FsType, DeviceRef) {
    let f = plan
        .mounted_at(m)
        .unwrap_or_else(|| panic!("nothing mounted at {m}"));
    (f.fs, f.on)
}

const TWO_DISKS: &str = "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\nwipe = true\n";

#[test]
fn lvm_scheme_puts_root_and_swap_in_a_group_at_both_sector_sizes() {
    for sector in [512, 4096] {
        let a = answer("[target]\npath = \"/dev/sda\"\n[storage]\nscheme = \"lvm\"\n");
        let p = plan(&a, &hw(Firmware::Uefi, &[100 * GIB], sector));
        assert_eq!(roles(&p, 0), [Role::Esp, Role::Boot, Role::LvmPv]);
        assert_eq!(p.groups.len(), 1);
        let g = &p.groups[0];
        assert_eq!(g.name, AUTO_GROUP);
        assert_eq!(g.on, [DeviceRef::Partition { disk: 0, number: 3 }]);
        let pv = p.device_bytes(g.on[0]).unwrap();
        assert!(
            g.size_bytes <= pv - MIB && g.size_bytes > pv - 6 * MIB,
            "group {} on a PV of {pv}",
            g.size_bytes
        );
        assert_eq!(g.size_bytes % (4 * MIB), 0, "whole extents");
        let names: Vec<&str> = p.volumes.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["swap", "root"]);
        assert_eq!(p.volumes[0].size_bytes, 4 * GIB, "swap as large as memory");
        assert_eq!(
            p.volumes[0].size_bytes + p.volumes[1].size_bytes,
            g.size_bytes,
            "root takes the rest of the group"
        );
        assert_eq!(at(&p, "/"), (FsType::Ext4, DeviceRef::Volume { index: 1 }));
        assert_eq!(
            at(&p, "/boot").1,
            DeviceRef::Partition { disk: 0, number: 2 }
        );
        assert!(p.crypts.is_empty() && p.arrays.is_empty() && p.unlock.is_none());
        let text = azl_installer::plan::render(&p);
        assert!(text.contains("LVM group azurelinux"), "{text}");
        assert!(text.contains("volume root (rest)"), "{text}");
    }
}

#[test]
fn lvm_scheme_spans_every_target_disk() {
    let a = answer(&format!("{TWO_DISKS}[storage]\nscheme = \"lvm\"\n"));
    let p = plan(&a, &hw(Firmware::Bios, &[40 * GIB, 60 * GIB], 512));
    assert_eq!(roles(&p, 0), [Role::BiosBoot, Role::Boot, Role::LvmPv]);
    assert_eq!(roles(&p, 1), [Role::LvmPv]);
    let g = &p.groups[0];
    assert_eq!(g.on.len(), 2);
    let pvs: u64 = g.on.iter().map(|d| p.device_bytes(*d).unwrap()).sum();
    assert!(
        g.size_bytes > pvs - 10 * MIB && g.size_bytes <= pvs,
        "the group spans both disks"
    );
    assert!(p.volumes[1].size_bytes > 90 * GIB, "root spans both disks");
}

#[test]
fn raid1_scheme_mirrors_boot_swap_and_root_with_an_esp_on_each_disk() {
    for sector in [512, 4096] {
        let a = answer(&format!("{TWO_DISKS}[storage]\nscheme = \"raid1\"\n"));
        // Different sizes: the members are as large as the smaller disk allows.
        let p = plan(&a, &hw(Firmware::Uefi, &[100 * GIB, 120 * GIB], sector));
        let want = [
            Role::Esp,
            Role::RaidMember,
            Role::RaidMember,
            Role::RaidMember,
        ];
        assert_eq!(roles(&p, 0), want);
        assert_eq!(roles(&p, 1), want);
        let size = |d: usize, n: u32| p.device_bytes(DeviceRef::Partition { disk: d, number: n });
        for n in 1..=4 {
            assert_eq!(
                size(0, n),
                size(1, n),
                "partition {n} is the same on both disks"
            );
        }
        let names: Vec<&str> = p.arrays.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["boot", "swap", "root"]);
        for a in &p.arrays {
            assert_eq!(a.level.number(), 1);
            assert_eq!(a.members.len(), 2);
            assert!(a.size_bytes < p.device_bytes(a.members[0]).unwrap());
        }
        assert_eq!(at(&p, "/boot").1, DeviceRef::Array { index: 0 });
        assert_eq!(at(&p, "/").1, DeviceRef::Array { index: 2 });
        // Both ESPs are formatted; the second is a copy, not mounted.
        let esps: Vec<_> = p
            .filesystems
            .iter()
            .filter(|f| f.role == Role::Esp)
            .collect();
        assert_eq!(esps.len(), 2);
        assert_eq!(esps[0].mount.as_deref(), Some("/boot/efi"));
        assert_eq!(esps[1].mount, None);
        assert_eq!(esps[1].on, DeviceRef::Partition { disk: 1, number: 1 });
        // Disk 1 may be the disk that is missing: /boot/efi must not stop the boot.
        assert_eq!(
            esps[0].options.as_deref(),
            Some("umask=0077,shortname=winnt,nofail")
        );
        let text = azl_installer::plan::render(&p);
        assert!(text.contains("Disk 2: /dev/sdb"), "{text}");
        assert!(text.contains("array /dev/md/root RAID 1"), "{text}");
        assert!(text.contains("(ESP copy)"), "{text}");
        assert!(p.programs.iter().any(|x| x.name == "mdadm"));
        assert!(p.payload.packages.iter().any(|x| x == "mdadm"));
    }
}

#[test]
fn raid1_lvm_scheme_encrypted_keeps_the_passphrase_out_of_the_plan_data() {
    let a = answer(&format!(
        "{TWO_DISKS}[storage]\nscheme = \"raid1-lvm\"\nencrypt = true\n\
         [storage.encryption]\npassphrase = \"correct horse battery\"\ntpm2 = true\n"
    ));
    let mut h = hw(Firmware::Bios, &[50 * GIB, 50 * GIB], 512);
    h.tpm2 = true;
    let p = plan(&a, &h);
    let want = [Role::BiosBoot, Role::RaidMember, Role::RaidMember];
    assert_eq!(roles(&p, 0), want);
    assert_eq!(roles(&p, 1), want);
    let names: Vec<&str> = p.arrays.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["boot", "pv"]);
    assert_eq!(p.crypts.len(), 1);
    assert_eq!(p.crypts[0].on, DeviceRef::Array { index: 1 });
    assert_eq!(p.groups[0].on, [DeviceRef::Crypt { index: 0 }]);
    assert_eq!(at(&p, "/").1, DeviceRef::Volume { index: 1 });
    assert_eq!(
        at(&p, "/boot").1,
        DeviceRef::Array { index: 0 },
        "/boot stays readable"
    );
    let unlock = p.unlock.as_ref().expect("unlock");
    assert!(unlock.passphrase);
    assert_eq!(unlock.tpm2_pcrs.as_deref(), Some(&[7u8][..]));
    assert_eq!(
        unlock.secret.as_ref().map(|s| s.expose()),
        Some("correct horse battery")
    );
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        !json.contains("correct horse"),
        "the passphrase is in plan --json"
    );
    assert!(
        !p.system.saved_answer.contains("correct horse"),
        "the passphrase is saved"
    );
    let text = azl_installer::plan::render(&p);
    assert!(!text.contains("correct horse"));
    assert!(
        text.contains("unlocked at boot by: passphrase or TPM2 (PCRs 7)"),
        "{text}"
    );
    for prog in ["mdadm", "cryptsetup", "systemd-cryptenroll", "lvm"] {
        assert!(
            p.programs.iter().any(|x| x.name == prog),
            "{prog} is not listed"
        );
    }
    // What the installed system unlocks with: in the payload.
    for pkg in [
        "cryptsetup",
        "systemd-cryptsetup",
        "tpm2-tools",
        "lvm2",
        "mdadm",
    ] {
        assert!(
            p.payload.packages.iter().any(|x| x == pkg),
            "{pkg} is not installed: {:?}",
            p.payload.packages
        );
    }
}

#[test]
fn plain_scheme_encrypted_puts_root_and_swap_in_containers() {
    let a = answer(
        "[target]\npath = \"/dev/sda\"\n[storage]\nencrypt = true\n\
         [storage.encryption]\npassphrase = \"a long passphrase\"\n",
    );
    let p = plan(&a, &hw(Firmware::Uefi, &[64 * GIB], 4096));
    assert_eq!(
        roles(&p, 0),
        [Role::Esp, Role::Boot, Role::Luks, Role::Luks]
    );
    let names: Vec<&str> = p.crypts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["luks-swap", "luks-root"]);
    assert_eq!(at(&p, "/").1, DeviceRef::Crypt { index: 1 });
    assert!(p.unlock.as_ref().is_some_and(|u| u.tpm2_pcrs.is_none()));
}

#[test]
fn custom_raid5_and_volumes_with_shares_of_the_group() {
    let a = answer(
        r#"[target]
paths = ["/dev/sda", "/dev/sdb", "/dev/sdc"]
wipe = true
[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "600MiB"
[[storage.partitions]]
mount = "/boot"
size = "1GiB"
[[storage.partitions]]
name = "a"
size = "rest"
[[storage.partitions]]
disk = 2
name = "b"
size = "rest"
[[storage.partitions]]
disk = 3
name = "c"
size = "rest"
[[storage.raids]]
name = "data"
level = 5
members = ["a", "b", "c"]
[[storage.volume_groups]]
name = "vg0"
on = ["data"]
[[storage.volumes]]
group = "vg0"
name = "root"
size = "40%"
mount = "/"
[[storage.volumes]]
group = "vg0"
name = "srv"
size = "rest"
mount = "/srv"
fs = "xfs"
"#,
    );
    // Disk 1 has the ESP and /boot, so its member is smaller than the others: more than
    // the 1% tolerance, which the plan refuses.
    let h = hw(Firmware::Uefi, &[20 * GIB, 20 * GIB, 20 * GIB], 512);
    let text = refused(&a, &h);
    assert!(text.contains("storage.raids[0].members"), "{text}");
    assert!(text.contains("differ in size"), "{text}");
    // With a larger first disk the members match within the tolerance.
    let h = hw(
        Firmware::Uefi,
        &[20 * GIB + 1624 * MIB, 20 * GIB, 20 * GIB],
        512,
    );
    let p = plan(&a, &h);
    let member = p.device_bytes(p.arrays[0].members[1]).unwrap();
    assert!(p.arrays[0].size_bytes < 2 * member && p.arrays[0].size_bytes > 2 * member - 300 * MIB);
    let g = p.groups[0].size_bytes;
    let root = p.volumes[0].size_bytes;
    assert!(
        root <= g * 40 / 100 && root > g * 40 / 100 - 8 * MIB,
        "root is 40% of the group"
    );
    assert_eq!(p.volumes[1].size_bytes, g - root);
    assert_eq!(
        at(&p, "/srv"),
        (FsType::Xfs, DeviceRef::Volume { index: 1 })
    );
}

#[test]
fn refusals_before_anything_is_written() {
    let one = hw(Firmware::Uefi, &[100 * GIB], 512);
    let two = hw(Firmware::Uefi, &[100 * GIB, 100 * GIB], 512);
    let three = hw(Firmware::Uefi, &[100 * GIB, 100 * GIB, 100 * GIB], 512);

    // raid1 on a machine where the rules find one disk (the answer alone cannot tell:
    // the first rule asks for two, the fallback for one).
    let a = answer(
        "[target]\nmatch = [{ ssd = true, count = 2 }, { largest = true }]\n\
         [storage]\nscheme = \"raid1\"\n",
    );
    let text = refused(&a, &one);
    assert!(
        text.contains("storage.scheme") && text.contains("picked 1"),
        "{text}"
    );

    // A rule that asks for two disks finds three.
    let a = answer(
        "[target]\nmatch = [{ ssd = true, count = 2 }]\nwipe = true\n[storage]\nscheme = \"raid1\"\n",
    );
    let text = refused(&a, &three);
    assert!(text.contains("matched 3 disks (it asks for 2)"), "{text}");
    // ... and exactly two.
    let p = plan(&a, &two);
    assert_eq!(p.disks.len(), 2);
    assert!(p.disks[0].reason.contains("exactly these 2 disks"));

    // Volumes that need more than their group has.
    let a = answer(
        r#"[target]
path = "/dev/sda"
[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "600MiB"
[[storage.partitions]]
name = "pv"
size = "10GiB"
[[storage.volume_groups]]
name = "vg"
on = ["pv"]
[[storage.volumes]]
group = "vg"
name = "root"
size = "8GiB"
mount = "/"
[[storage.volumes]]
group = "vg"
name = "var"
size = "4GiB"
mount = "/var"
"#,
    );
    let text = refused(&a, &one);
    assert!(text.contains("storage.volume_groups[0]"), "{text}");
    assert!(text.contains("the volumes of vg need 12 GiB"), "{text}");

    // A custom layout that leaves a chosen disk empty.
    let a = answer(
        r#"[target]
paths = ["/dev/sda", "/dev/sdb"]
[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "600MiB"
[[storage.partitions]]
mount = "/"
size = "rest"
"#,
    );
    let text = refused(&a, &two);
    assert!(text.contains("puts nothing on disk 2"), "{text}");

    // A live system without mdadm.
    let a = answer(&format!("{TWO_DISKS}[storage]\nscheme = \"raid1\"\n"));
    let mut h = two.clone();
    h.live.missing_programs = vec!["mdadm".into()];
    let text = refused(&a, &h);
    assert!(text.contains("mdadm is not on this live system"), "{text}");

    // The auto root does not fit the smaller mirror.
    let a = answer(&format!("{TWO_DISKS}[storage]\nscheme = \"raid1\"\n"));
    let text = refused(&a, &hw(Firmware::Uefi, &[100 * GIB, 5 * GIB], 512));
    assert!(text.contains("does not fit disk 2 (/dev/sdb)"), "{text}");
}

#[test]
fn tpm2_on_a_machine_without_a_tpm() {
    let tpm_only = answer(
        "[target]\npath = \"/dev/sda\"\n[storage]\nscheme = \"lvm\"\nencrypt = true\n\
         [storage.encryption]\ntpm2 = true\n",
    );
    let mut h = hw(Firmware::Uefi, &[64 * GIB], 512);
    let text = refused(&tpm_only, &h);
    assert!(text.contains("storage.encryption.tpm2"), "{text}");
    assert!(text.contains("no TPM 2.0"), "{text}");
    h.tpm2 = true;
    let p = plan(&tpm_only, &h);
    let u = p.unlock.as_ref().unwrap();
    assert!(!u.passphrase && u.tpm2_pcrs.as_deref() == Some(&[7u8][..]));
    let text = azl_installer::plan::render(&p);
    assert!(text.contains("no recovery passphrase"), "{text}");

    // With a passphrase as well, the passphrase alone unlocks, and the plan says why.
    let both = answer(
        "[target]\npath = \"/dev/sda\"\n[storage]\nscheme = \"lvm\"\nencrypt = true\n\
         [storage.encryption]\npassphrase = \"a long passphrase\"\ntpm2 = true\n",
    );
    h.tpm2 = false;
    let p = plan(&both, &h);
    let u = p.unlock.as_ref().unwrap();
    assert!(u.passphrase && u.tpm2_pcrs.is_none() && u.tpm2_missing);
    let text = azl_installer::plan::render(&p);
    assert!(
        text.contains("this machine has no TPM 2.0: the passphrase unlocks"),
        "{text}"
    );
}

/// `passphrase_file`: read when the plan is made (its first line); a missing or short one
/// is refused with its key, and the passphrase itself is never printed.
#[test]
fn a_passphrase_file_is_read_when_the_plan_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk.img");
    std::fs::File::create(&img)
        .unwrap()
        .set_len(16 * GIB)
        .unwrap();
    let key = dir.path().join("luks.key");
    let write_answer = |file: &std::path::Path| {
        let a = dir.path().join("answer.toml");
        std::fs::write(
            &a,
            format!(
                "version = 1\n[target]\npath = \"{}\"\n[storage]\nencrypt = true\n\
                 [storage.encryption]\npassphrase_file = \"{}\"\n",
                img.display(),
                file.display()
            ),
        )
        .unwrap();
        a
    };
    let plan = |a: &std::path::Path| common::installer(&["plan", a.to_str().unwrap()]);

    let o = plan(&write_answer(&dir.path().join("missing.key")));
    let text = common::output_text(&o);
    assert_eq!(o.status.code(), Some(3), "{text}");
    assert!(
        text.contains("storage.encryption.passphrase_file: reading"),
        "{text}"
    );

    std::fs::write(&key, "short\nsecond line\n").unwrap();
    let o = plan(&write_answer(&key));
    let text = common::output_text(&o);
    assert_eq!(o.status.code(), Some(3), "{text}");
    assert!(text.contains("is 5 characters long; at least 8"), "{text}");
    assert!(
        !text.contains("short"),
        "the passphrase was printed: {text}"
    );

    // A good one gets the plan past the passphrase (to the repository, which the test
    // does not give), and is never printed.
    std::fs::write(&key, "correct horse battery staple\n").unwrap();
    let o = plan(&write_answer(&key));
    let text = common::output_text(&o);
    assert!(!text.contains("passphrase_file"), "{text}");
    assert!(!text.contains("correct horse"), "{text}");
}

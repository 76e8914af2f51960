//! The whole-system proof as part of the suite: `tests/vm/run` builds the stand-in live ISO
//! around this build's installer with the real-system repository on it, installs
//! unattended from it in QEMU, boots the installed disk alone and logs in over SSH, under
//! UEFI and under BIOS, and runs the storage suite in the live system (md, dm-crypt, LVM)
//! (tests/vm/README.md). Skip it locally with
//! `tests/run -- --skip whole_system`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

/// What `tests/vm/check-system` checks on each installed system, as an admin would.
const CHECKS: &[&str] = &[
    "system-running",
    "kernel-6.18",
    "hostname",
    "admin-in-wheel",
    "sudo",
    "admin-shell",
    "root-password-refused",
    "sshd-settings",
    "root-key-login",
    "static-address",
    "gateway",
    "dns",
    "networkmanager",
    "hardening-cmdline",
    "hardening-sysctl",
    "selinux",
    "selinux-labels",
    "fstab-by-uuid",
    "installer-logs",
    "no-password-in-logs",
    // Both firmwares install two disks as RAID 1 + LVM and boot each disk alone.
    "raid1-arrays",
    "lvm-on-raid1",
    "raid1-degraded-disk2",
];

#[test]
fn whole_system_iso_install_then_the_disk_boots_under_uefi_and_bios_and_logs_in() {
    // Root for apt-get, QEMU's disks and the ISO build: the same gate as the loop tests.
    require_loop_devices!();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vm/run");
    let out = Command::new(&script)
        .env("VM_INSTALLER", common::bin())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let text = common::output_text(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_owned();
    let tail: Vec<&str> = text.lines().rev().take(120).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    assert!(
        out.status.success() && last.starts_with("PASS"),
        "tests/vm/run did not pass (serial logs in target/vm/{{uefi,bios,storage}}/):\n{}",
        tail.join("\n")
    );
    // Every check passed once per firmware, and none failed.
    for check in CHECKS {
        let passed = stdout
            .lines()
            .filter(|l| l.starts_with(&format!("PASS {check}: ")))
            .count();
        assert_eq!(
            passed,
            2,
            "{check} under UEFI and BIOS:\n{}",
            tail.join("\n")
        );
    }
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("PASS uefi-boot-entry: "))
            .count(),
        1,
        "UEFI booted through the installer's NVRAM entry:\n{}",
        tail.join("\n")
    );
    // UEFI installed LVM in LUKS2 on the mirror: unlocked by the TPM2 with nothing typed, its
    // header holding the TPM2 token and the recovery slot, the passphrase saved nowhere,
    // disk 2's ESP a copy with its own NVRAM entry that boots disk 2 alone, and disk 1
    // alone, without the TPM, unlocked by the passphrase typed at the console.
    for check in [
        "esp-copies",
        "uefi-boot-disk2-entry",
        "uefi-boot-disk1-entry",
        // Disk 1 alone is booted under UEFI only (BIOS boots disk 1 every other time).
        "raid1-degraded-disk1",
        "lvm-in-luks2",
        "luks2-tpm2-and-recovery",
        "tpm2-unlock",
        "no-luks-passphrase-saved",
        "luks2-passphrase-at-console",
        // BIOS: the reinstall over the old system kept /srv byte for byte.
        "reinstall-keeps-srv",
        // BIOS (the fleet's answer): its two NICs in an active-backup bond with the static
        // IPv4 address SSH uses and a static IPv6 one, chrony with the answer's servers,
        // firewalld allowing ssh only.
        "bond-active-backup",
        "ipv6-static",
        "chrony-sources",
        "firewalld-ssh-only",
        // The storage suite in the live system (tests/vm/storage-suite): RAID 5 with LVM,
        // RAID 6 and RAID 0 over the running RAID 5, a LUKS2 root the TPM2 alone opens,
        // an interrupted RAID 10 + LUKS2 + LVM install torn down, and its re-run.
        "raid5-lvm",
        "raid6-and-raid0",
        "luks2-tpm2-only",
        "failure-teardown",
        "rerun-succeeds",
        // The live system's network (tests/vm/network-checks): the kernel command line's
        // bond, VLAN and bridge up at boot; the answer's bond brought up by the installer.
        "boot-network-bond-vlan-bridge",
        "answer-network-at-install",
        // Network boot (tests/vm/netboot): BIOS's first install over PXE, the storage flow
        // over UEFI network boot; each machine fetched its kernel, initramfs and live root
        // over HTTP and its answer by MAC, and its last install reported success (a final
        // report naming its MAC) to the one server's webhook.
        "netboot-fleet",
        // Remote access (inst.sshd): the PXE-booted BIOS machine's console said where to
        // connect, and the admin who logged in with the fleet's key followed the install.
        "inst-sshd-follows-the-install",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("PASS {check}: "))),
            "{check}:\n{}",
            tail.join("\n")
        );
    }
    assert!(!stdout.lines().any(|l| l.starts_with("FAIL")), "{stdout}");
}

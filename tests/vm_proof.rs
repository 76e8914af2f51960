//! The whole-system proof as part of the suite: `tests/vm/run` builds the stand-in live ISO
//! around this build's installer, installs unattended from it in QEMU and boots the
//! installed disk alone, under UEFI and under BIOS (tests/vm/README.md). About 5 minutes on
//! 2 cores; skip it locally with `tests/run -- --skip whole_system`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn whole_system_iso_install_then_the_disk_boots_under_uefi_and_bios() {
    // Root for apt-get, QEMU's disks and the ISO build: the same gate as the loop tests.
    require_loop_devices!();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vm/run");
    let out = Command::new(&script)
        .env("VM_INSTALLER", common::bin())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let text = common::output_text(&out);
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_owned();
    let tail: Vec<&str> = text.lines().rev().take(80).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    assert!(
        out.status.success() && last.starts_with("PASS"),
        "tests/vm/run did not pass (serial logs in target/vm/{{uefi,bios}}/):\n{}",
        tail.join("\n")
    );
    // Both firmwares booted the installed disk to its init, which printed what was asked.
    let booted = text
        .lines()
        .filter(|l| {
            l.contains("AZL-VM-BOOTED hostname=vm-proof.example.com selinux=permissive")
                && l.contains("sshd_dropin=yes")
        })
        .count();
    assert_eq!(
        booted,
        2,
        "one boot marker per firmware:\n{}",
        tail.join("\n")
    );
    // The live ISO is Debian forky: both systems were installed by dnf5 (rpm 6).
    let by_dnf5 = text
        .lines()
        .filter(|l| l.trim() == "AZL-VM-PAYLOAD dnf=dnf5")
        .count();
    assert_eq!(by_dnf5, 2, "installed by dnf5:\n{}", tail.join("\n"));
}

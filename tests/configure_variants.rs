//! Variants of the configure step on a UEFI target: an image install (no writable EFI
//! variables) with the answer's defaults, SELinux fallbacks, and a kernel of the wrong
//! series. Needs root (dnf and chroots); skips otherwise.

mod common;

use azl_installer::engine::configure::EfiVars;
use azl_installer::probe::{Firmware, Transport};
use common::configure::*;
use common::fixture::skip_unless_root;

#[test]
fn image_install_without_efivars_and_defaults() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Uefi);
    t.clear_calls();
    let answer = answer(
        r#"
[kernel]
hardening = false
[selinux]
mode = "permissive"
[ssh]
enable = false
[system]
timezone = "Mars/Olympus_Mons"
"#,
    );
    let plan = plan(&answer, Firmware::Uefi);
    let (r, events) = run(
        &t,
        &plan,
        &formatted(Firmware::Uefi),
        EfiVars::Unavailable("an image install".into()),
    );
    r.unwrap_or_else(|e| panic!("configure failed: {e}"));
    let w = warnings(&events);
    assert!(
        w.iter()
            .any(|m| m.contains("Mars/Olympus_Mons") && m.contains("UTC")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|m| m.contains("an image install") && m.contains("BOOTX64.EFI")),
        "{w:?}"
    );
    assert!(
        t.calls_of("efibootmgr").is_empty(),
        "{:?}",
        t.calls_of("efibootmgr")
    );
    assert_eq!(t.calls_of("grub2-mkconfig").len(), 1);

    assert_eq!(t.read("/etc/hostname"), "localhost\n");
    assert!(
        t.path("/etc/localtime").symlink_metadata().is_err(),
        "no zoneinfo: no link"
    );
    assert!(
        !t.path("/etc/NetworkManager/system-connections").exists()
            || std::fs::read_dir(t.path("/etc/NetworkManager/system-connections"))
                .unwrap()
                .next()
                .is_none(),
        "no interfaces: no keyfiles"
    );
    assert_eq!(shadow_field(&t, "root"), "!");
    assert!(
        !t.path("/etc/systemd/system/multi-user.target.wants/sshd.service")
            .exists()
    );
    assert!(
        t.read("/etc/selinux/config")
            .contains("\nSELINUX=permissive\n")
    );
    let cmdline = t.read("/etc/kernel/cmdline");
    assert_eq!(cmdline, format!("root=UUID={ROOT_UUID} ro\n"));
    assert!(!t.path("/etc/sysctl.d/90-azl-hardening.conf").exists());
}

/// The demo's case: a disk image installed on a UEFI machine whose variables are writable.
/// The image boots elsewhere; an entry in this machine's NVRAM would point at a loop device.
#[test]
fn an_image_gets_no_boot_entry_in_the_installing_machines_nvram() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Uefi);
    t.clear_calls();
    let plan = plan_on(&answer(""), Firmware::Uefi, Some(Transport::Image));
    assert!(!plan.system.bootloader.nvram_entry);
    let (r, events) = run(&t, &plan, &formatted(Firmware::Uefi), EfiVars::Writable);
    r.unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert!(
        t.calls_of("efibootmgr").is_empty(),
        "{:?}",
        t.calls_of("efibootmgr")
    );
    assert!(t.path("/boot/efi/EFI/BOOT/BOOTX64.EFI").is_file());
    assert!(
        infos(&events)
            .iter()
            .any(|m| m.contains("a disk image") && m.contains("BOOTX64.EFI")),
        "{:?}",
        infos(&events)
    );
    // Every driver in the initramfs, for the hardware the image will meet.
    assert!(
        t.read("/etc/dracut.conf.d/90-azl-generic.conf")
            .contains("hostonly=\"no\"")
    );
}

#[test]
fn selinux_disabled_and_missing_setfiles() {
    if skip_unless_root() {
        return;
    }
    // No setfiles in the target: labels at first boot, with a warning.
    let t = Target::new("base", Firmware::Uefi);
    std::fs::remove_file(t.path("/usr/sbin/setfiles")).unwrap();
    let plan1 = plan(&answer(""), Firmware::Uefi);
    let (r, events) = run(&t, &plan1, &formatted(Firmware::Uefi), EfiVars::Writable);
    r.unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert!(t.path("/.autorelabel").is_file());
    let w = warnings(&events);
    assert!(
        w.iter()
            .any(|m| m.contains("setfiles") && m.contains("autorelabel")),
        "{w:?}"
    );

    // Disabled: no labelling at all, and the kernel is told.
    let t = Target::new("base", Firmware::Uefi);
    t.clear_calls();
    let plan2 = plan(&answer("[selinux]\nmode = \"disabled\"\n"), Firmware::Uefi);
    let (r, _) = run(&t, &plan2, &formatted(Firmware::Uefi), EfiVars::Writable);
    r.unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert!(t.calls_of("setfiles").is_empty());
    assert!(!t.path("/.autorelabel").exists());
    assert!(
        t.read("/etc/selinux/config")
            .contains("\nSELINUX=disabled\n")
    );
    assert!(t.read("/etc/kernel/cmdline").contains(" selinux=0 "));
}

#[test]
fn kernel_of_another_series_fails_clearly() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Uefi);
    // Make the installed kernel look like a 6.12 one.
    let modules = t.path("/usr/lib/modules");
    let ver = std::fs::read_dir(&modules)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .file_name();
    std::fs::rename(modules.join(&ver), modules.join("6.12.9-1.azl4.x86_64")).unwrap();
    let plan = plan(&answer(""), Firmware::Uefi);
    let (r, _) = run(&t, &plan, &formatted(Firmware::Uefi), EfiVars::Writable);
    let msg = r.expect_err("a 6.12 kernel must not pass").to_string();
    assert_eq!(
        msg,
        "no installed kernel of series 6.18 (found: 6.12.9-1.azl4.x86_64)"
    );
}

//! The configure step's bootloader on a BIOS target: grub2-install on the disk (its core
//! image goes to the bios-boot partition), then grub2-mkconfig; no EFI tools. Needs root.

mod common;

use azl_installer::engine::configure::EfiVars;
use azl_installer::plan::Role;
use azl_installer::probe::Firmware;
use common::configure::*;
use common::fixture::skip_unless_root;

#[test]
fn bios_grub_is_installed_on_the_disk() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Bios);
    t.clear_calls();
    let plan = plan(&answer(""), Firmware::Bios);
    let (r, events) = run(&t, &plan, &formatted(Firmware::Bios), EfiVars::Writable);
    r.unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert_eq!(warnings(&events), Vec::<String>::new());
    assert_eq!(
        t.calls_of("grub2-install"),
        [vec![
            "grub2-install".to_owned(),
            "--target=i386-pc".into(),
            DISK.into()
        ]]
    );
    let calls = t.calls();
    let pos = |p: &str| calls.iter().position(|c| c[0] == p);
    assert!(
        pos("grub2-install") < pos("grub2-mkconfig"),
        "install before mkconfig: {calls:?}"
    );
    assert!(t.path("/boot/grub2/grub.cfg").is_file());
    assert!(t.calls_of("efibootmgr").is_empty());
}

#[test]
fn bios_without_a_bios_boot_partition_is_refused() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Bios);
    t.clear_calls();
    // A plan whose table has no bios-boot partition (as a hand-edited plan file could be).
    let mut plan = plan(&answer(""), Firmware::Bios);
    plan.disks[0]
        .table
        .partitions
        .retain(|p| p.role != Role::BiosBoot);
    let (r, _) = run(&t, &plan, &formatted(Firmware::Bios), EfiVars::Writable);
    let msg = r.expect_err("no bios-boot partition").to_string();
    assert!(msg.contains("bios-boot"), "{msg}");
    assert!(t.calls_of("grub2-install").is_empty());
}

#[test]
fn disk_node_must_be_visible_in_the_target() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Bios);
    std::fs::remove_file(t.path(DISK)).unwrap();
    let plan = plan(&answer(""), Firmware::Bios);
    let (r, _) = run(&t, &plan, &formatted(Firmware::Bios), EfiVars::Writable);
    let msg = r.expect_err("disk not visible").to_string();
    assert!(msg.contains(DISK) && msg.contains("/dev bound"), "{msg}");
}

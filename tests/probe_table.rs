//! The readable report of `azl-installer probe`, on the fake machine.

mod common;

use common::fake_sysfs;

use azl_installer::probe::{Hardware, probe, table};
use fake_sysfs::machine::machine;

fn hardware() -> (fake_sysfs::FakeTree, Hardware) {
    let t = machine(true);
    let hw = probe(&t.roots()).expect("probing the fake machine");
    (t, hw)
}

/// The line of the table that starts with `start`.
fn row<'a>(text: &'a str, start: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting with {start:?} in\n{text}"))
}

fn cells(line: &str) -> Vec<&str> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn header_firmware_cpu_memory() {
    let (_t, hw) = hardware();
    let text = table(&hw, false);
    assert!(text.starts_with("Firmware: UEFI\n"), "{text}");
    assert!(
        text.contains("CPU:      Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz (4 CPUs)\n"),
        "{text}"
    );
    assert!(text.contains("Memory:   15.6 GiB\n"), "{text}");
}

#[test]
fn disk_rows_and_what_is_on_them() {
    let (_t, hw) = hardware();
    let text = table(&hw, false);
    assert_eq!(
        cells(row(&text, "NAME     SIZE")),
        ["NAME", "SIZE", "TRANSPORT", "KIND", "MODEL", "SERIAL"]
    );
    assert_eq!(
        cells(row(&text, "nvme0n1 ")),
        [
            "nvme0n1",
            "40 MiB",
            "nvme",
            "SSD",
            "Samsung SSD 980 PRO 1TB",
            "S64DNX0R123456"
        ]
    );
    assert_eq!(
        cells(row(&text, "sdb ")),
        ["sdb", "3.6 TiB", "sata", "HDD", "WDC WD40EFRX-68N", "-"]
    );
    assert_eq!(
        cells(row(&text, "sdc ")),
        [
            "sdc",
            "8 MiB",
            "usb (removable)",
            "HDD",
            "SanDisk Cruzer Blade",
            "4C530001"
        ]
    );
    assert_eq!(
        cells(row(&text, "  nvme0n1p2")),
        ["nvme0n1p2", "16 MiB", "ext4", "\"root\""]
    );
    assert!(text.contains("  table gpt\n"), "{text}");
    assert!(text.contains("  4096-byte sectors\n"), "{text}");
    assert!(
        text.contains("  whole disk: vfat \"AZL_MEDIA\"\n"),
        "{text}"
    );
    assert!(
        text.contains("  busy: it holds the running system\n"),
        "{text}"
    );
    assert!(
        text.contains("  busy: it holds the install media\n"),
        "{text}"
    );
    assert!(text.contains("sda1 is in use as swap\n"), "{text}");
    assert!(
        text.contains("nvme0n1p3 is in use by dm-0 (vg-home)\n"),
        "{text}"
    );
    assert!(text.contains("  contents unknown: "), "{text}");
    // vda holds nothing at all.
    let after_vda = text.split_once("\nvda ").expect("a vda row").1;
    assert_eq!(after_vda.lines().nth(1), Some("  empty"), "{text}");
}

#[test]
fn loop_devices_only_when_asked() {
    let (_t, hw) = hardware();
    let hidden = table(&hw, false);
    assert!(!hidden.contains("loop0"), "{hidden}");
    assert!(hidden.contains("(1 loop device(s) not shown)"), "{hidden}");
    let shown = table(&hw, true);
    assert_eq!(
        cells(row(&shown, "loop0 ")),
        ["loop0", "1 MiB", "loop", "-", "-", "-"]
    );
    assert!(
        shown.contains("  backing file /var/lib/images/test.img\n"),
        "{shown}"
    );
    assert!(!shown.contains("not shown"), "{shown}");
}

#[test]
fn nic_rows() {
    let (_t, hw) = hardware();
    let text = table(&hw, false);
    assert_eq!(
        cells(row(&text, "NAME    MAC")),
        ["NAME", "MAC", "DRIVER", "LINK", "SPEED", "STATE", "VIRTUAL"]
    );
    assert_eq!(
        cells(row(&text, "eno1 ")),
        [
            "eno1",
            "3c:ec:ef:01:02:03",
            "e1000e",
            "yes",
            "1000 Mb/s",
            "up",
            "no"
        ]
    );
    assert_eq!(
        cells(row(&text, "enp3s0 ")),
        ["enp3s0", "3c:ec:ef:01:02:04", "igb", "?", "-", "down", "no"]
    );
    assert_eq!(
        cells(row(&text, "br0 ")),
        ["br0", "52:54:00:aa:bb:cc", "-", "yes", "-", "up", "yes"]
    );
}

#[test]
fn an_empty_machine_says_so() {
    let hw = Hardware {
        firmware: azl_installer::probe::Firmware::Bios,
        cpu_model: None,
        cpu_count: 1,
        memory_bytes: 512 << 20,
        disks: Vec::new(),
        nics: Vec::new(),
        tpm2: false,
        live: Default::default(),
        stacks: Vec::new(),
    };
    let text = table(&hw, false);
    assert!(text.starts_with("Firmware: BIOS\nCPU:      unknown (1 CPUs)\nMemory:   512 MiB\n"));
    assert!(text.contains("no disks found"), "{text}");
    assert!(text.contains("no network interfaces found"), "{text}");
}

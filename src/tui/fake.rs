//! A machine that does not exist, for tests and demos: five disks (two free NVMe SSDs of
//! the same size, one HDD with data, the USB stick the installer booted from, the running
//! system's disk), a TPM 2.0, three NICs, a small repository, and an install that plays
//! back a script of events.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use super::backend::{Backend, RepoLoader};
use crate::answer::{Answer, Reporting};
use crate::events::{Event, Level, Step};
use crate::plan::Plan;
use crate::probe::{Disk, Firmware, Hardware, Nic, Partition, Transport, Usage};
use crate::repo::{Group, GroupPackage, GroupPackageKind, Package, RepoIndex, RepoMeta};

use crate::units::{GIB, MIB};

pub struct FakeBackend {
    pub hw: Hardware,
    pub index: Result<RepoIndex, String>,
    /// What `start_install` sends before dropping its sender.
    pub script: Vec<Event>,
    /// How long loading the repositories takes (a slow or dead mirror).
    pub repo_delay: std::time::Duration,
    /// What a `storage.encryption.passphrase_file` holds on this machine.
    pub passphrase_file: Option<String>,
}

impl Default for FakeBackend {
    fn default() -> Self {
        FakeBackend {
            hw: hardware(),
            index: Ok(index()),
            script: script(true),
            repo_delay: std::time::Duration::ZERO,
            passphrase_file: None,
        }
    }
}

impl Backend for FakeBackend {
    fn hardware(&self) -> Result<Hardware, String> {
        Ok(self.hw.clone())
    }

    fn repo_loader(&self, _answer: &Answer) -> RepoLoader {
        let (index, delay) = (self.index.clone(), self.repo_delay);
        Box::new(move || {
            std::thread::sleep(delay);
            index
        })
    }

    fn read_secrets(&self, answer: &mut Answer) -> Result<(), crate::answer::Issue> {
        if let (Some(e), Some(secret)) = (&mut answer.storage.encryption, &self.passphrase_file)
            && e.passphrase_file.is_some()
        {
            e.passphrase = Some(secret.clone());
        }
        Ok(())
    }

    fn start_install(&self, _plan: Plan, _reporting: Reporting, events: Sender<Event>) {
        // All at once, then the sender is dropped: the TUI sees the engine end.
        for e in &self.script {
            let _ = events.send(e.clone());
        }
    }
}

fn disk(name: &str, model: &str, size: u64, t: Transport, rotational: bool, serial: &str) -> Disk {
    Disk {
        name: name.into(),
        path: PathBuf::from(format!("/dev/{name}")),
        by_id: Vec::new(),
        size_bytes: size,
        logical_sector: 512,
        physical_sector: 512,
        rotational,
        removable: false,
        read_only: false,
        model: Some(model.into()),
        vendor: None,
        serial: Some(serial.into()),
        wwn: None,
        transport: t,
        backing_file: None,
        table: None,
        partitions: Vec::new(),
        signatures: Vec::new(),
        usage: Vec::new(),
        contents_error: None,
    }
}

/// Partition `n` of `disk`, starting at `start` bytes; its UUIDs are made up from `n`.
fn partition(
    disk: &str,
    n: u32,
    (start, size): (u64, u64),
    fs: &str,
    label: Option<&str>,
) -> Partition {
    let name = format!("{disk}{n}");
    Partition {
        path: PathBuf::from(format!("/dev/{name}")),
        name,
        number: n,
        start_bytes: start,
        size_bytes: size,
        fs_type: Some(fs.into()),
        label: label.map(Into::into),
        uuid: Some(format!("6a0c3e52-7d41-4f0b-9a8e-2c5d1e0f{n:04x}")),
        part_uuid: Some(format!("d2f8b7a4-1c3e-4b6a-8f5d-9e0a7b3c{n:04x}")),
        part_label: None,
    }
}

pub fn hardware() -> Hardware {
    let mut nvme = disk(
        "nvme0n1",
        "Samsung SSD 980 500GB",
        500 * GIB,
        Transport::Nvme,
        false,
        "S64DNX0R123456",
    );
    nvme.by_id = vec![PathBuf::from(
        "/dev/disk/by-id/nvme-Samsung_SSD_980_500GB_S64DNX0R123456",
    )];
    // A second SSD of the same size, for a mirror (another model: a fleet rule naming
    // the Samsung still picks exactly one disk).
    let mut nvme2 = disk(
        "nvme1n1",
        "WD_BLACK SN770 500GB",
        500 * GIB,
        Transport::Nvme,
        false,
        "22517U804213",
    );
    nvme2.by_id = vec![PathBuf::from(
        "/dev/disk/by-id/nvme-WD_BLACK_SN770_500GB_22517U804213",
    )];
    let mut hdd = disk(
        "sda",
        "WDC WD20EZRZ-00Z5HB0",
        2000 * GIB,
        Transport::Sata,
        true,
        "WD-WCC4M1234567",
    );
    hdd.table = Some("gpt".into());
    hdd.partitions = vec![
        partition("sda", 1, (MIB, 1980 * GIB), "ext4", Some("data")),
        partition("sda", 2, (MIB + 1980 * GIB, 8 * GIB), "swap", None),
    ];
    let mut usb = disk(
        "sdb",
        "DataTraveler 3.0",
        29 * GIB,
        Transport::Usb,
        false,
        "60A44C413A8F",
    );
    usb.removable = true;
    usb.table = Some("dos".into());
    usb.partitions = vec![partition(
        "sdb",
        1,
        (0, 29 * GIB),
        "iso9660",
        Some("AZL-4-0"),
    )];
    usb.usage = vec![Usage::InstallMedia];
    let mut vda = disk(
        "vda",
        "QEMU virtio",
        40 * GIB,
        Transport::Virtio,
        true,
        "vd-0001",
    );
    vda.table = Some("gpt".into());
    vda.partitions = vec![partition("vda", 1, (MIB, 40 * GIB - 2 * MIB), "ext4", None)];
    vda.usage = vec![Usage::RunningSystem];
    let nic =
        |name: &str, mac: &str, driver: &str, carrier: Option<bool>, speed: Option<u32>| Nic {
            name: name.into(),
            mac: Some(mac.into()),
            driver: Some(driver.into()),
            carrier,
            speed_mbps: speed,
            operstate: if carrier == Some(true) {
                "up".into()
            } else {
                "down".into()
            },
            is_virtual: false,
        };
    Hardware {
        firmware: Firmware::Uefi,
        cpu_model: Some("Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz".into()),
        cpu_count: 32,
        memory_bytes: 64 * GIB,
        disks: vec![nvme, nvme2, hdd, usb, vda],
        nics: vec![
            nic(
                "eno1",
                "52:54:00:12:34:56",
                "e1000e",
                Some(true),
                Some(1000),
            ),
            nic("eno2", "52:54:00:12:34:57", "e1000e", Some(false), None),
            nic(
                "enp65s0f0",
                "b8:ce:f6:01:02:03",
                "mlx5_core",
                Some(true),
                Some(25000),
            ),
        ],
        tpm2: true,
        live: Default::default(),
        stacks: Vec::new(),
    }
}

fn pkg(name: &str, version: &str, size: u64) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        release: "1.azl4".into(),
        arch: "x86_64".into(),
        size_package: size / 3,
        size_installed: size,
        location: format!("Packages/{name}-{version}-1.azl4.x86_64.rpm"),
        ..Default::default()
    }
}

fn group(id: &str, name: &str, pkgs: &[&str]) -> Group {
    Group {
        id: id.into(),
        name: name.into(),
        packages: pkgs
            .iter()
            .map(|p| GroupPackage {
                name: (*p).into(),
                kind: GroupPackageKind::Mandatory,
            })
            .collect(),
    }
}

pub fn index() -> RepoIndex {
    let packages = vec![
        pkg("bash", "5.2.26", 8 * MIB),
        pkg("coreutils", "9.4", 6 * MIB),
        pkg("kernel", "6.18.2", 140 * MIB),
        pkg("NetworkManager", "1.46.0", 14 * MIB),
        pkg("openssh-server", "9.6p1", 2 * MIB),
        pkg("selinux-policy-targeted", "40.13", 18 * MIB),
        pkg("tmux", "3.4", MIB),
        pkg("vim-enhanced", "9.1.0", 4 * MIB),
        pkg("vim-minimal", "9.1.0", 2 * MIB),
        pkg("git", "2.45.1", 40 * MIB),
        pkg("htop", "3.3.0", MIB / 2),
        // What the preflight adds for boot, accounts and SELinux (DESIGN.md "The package set").
        pkg("grub2-tools", "2.12", 10 * MIB),
        pkg("grub2-efi-x64", "2.12", 3 * MIB),
        pkg("grub2-pc", "2.12", 3 * MIB),
        pkg("shim-x64", "15.8", MIB),
        pkg("efibootmgr", "18", MIB / 4),
        pkg("shadow-utils", "4.15.1", 4 * MIB),
        pkg("policycoreutils", "3.7", 2 * MIB),
        pkg("podman", "5.1.1", 60 * MIB),
        // What arrays, LVM and LUKS2 (with a TPM2) need in the target.
        pkg("mdadm", "4.3", 2 * MIB),
        pkg("lvm2", "2.03.23", 4 * MIB),
        pkg("cryptsetup", "2.7.2", 2 * MIB),
        pkg("systemd-cryptsetup", "256.1", MIB),
        pkg("tpm2-tools", "5.7", 2 * MIB),
    ];
    RepoIndex {
        repos: vec![RepoMeta {
            name: "install-media".into(),
            url: "file:///run/install/repo".into(),
            signed_by: Some("0123456789ABCDEF0123456789ABCDEF01234567".into()),
            revision: Some("1".into()),
            packages,
            groups: vec![
                group("core", "Core", &["bash", "coreutils", "NetworkManager"]),
                group(
                    "standard",
                    "Standard tools",
                    &["vim-minimal", "tmux", "htop"],
                ),
                group("container-host", "Container host", &["podman"]),
            ],
        }],
    }
}

/// A whole install as the engine reports it; `ok = false` fails in the payload step.
pub fn script(ok: bool) -> Vec<Event> {
    let mut v = Vec::new();
    let log = |step, message: &str| Event::Log {
        step: Some(step),
        level: Level::Info,
        message: message.into(),
    };
    for step in Step::ALL {
        v.push(Event::Started { step });
        if step == Step::Payload {
            for (i, p) in ["bash", "coreutils", "kernel"].iter().enumerate() {
                v.push(log(step, &format!("Installing {p}")));
                v.push(Event::Progress {
                    step,
                    done: i as u64 + 1,
                    total: 3,
                });
            }
            if !ok {
                v.push(Event::Failed {
                    step,
                    error: "dnf exited with status 1: no space left on device".into(),
                });
                return v;
            }
        }
        v.push(Event::Finished { step });
    }
    v
}

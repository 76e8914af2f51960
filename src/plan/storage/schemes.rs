//! The auto layout's schemes, written out as the custom layout an admin would have written
//! for these disks, so that one path resolves both (and `plan` shows the same tree).
//!
//! - plain: [ESP | bios-boot], /boot, swap, / on one disk.
//! - lvm: [ESP | bios-boot], /boot, and a physical volume taking the rest of every disk;
//!   one group "azurelinux" with the swap and root volumes (Azure Linux 4.0's default).
//! - raid1: on every disk [ESP | bios-boot], and members of RAID 1 arrays for /boot, swap
//!   and /, each member as large as the smallest disk allows.
//! - raid1-lvm: the same with a physical volume on one RAID 1 array instead of swap and /.
//!
//! `encrypt = true` puts the root and swap (plain, raid1) or the physical volumes (lvm
//! schemes) in LUKS2 containers; /boot stays readable for GRUB.

use crate::answer::{
    CryptSpec, ESP_MOUNT, FsType, Layout, PartitionSpec, RaidLevel, RaidSpec, RootFs, Scheme, Size,
    Storage, Swap, VolumeGroupSpec, VolumeSpec,
};
use crate::probe::{Disk, Firmware};
use crate::units::{GIB, MIB};

use super::place::rest_bytes;

/// The smallest root filesystem an auto layout will make.
pub const MIN_AUTO_ROOT: u64 = 4 * GIB;
/// Disks smaller than this get no swap partition from `swap = "auto"`.
const AUTO_SWAP_MIN_DISK: u64 = 32 * GIB;
/// The volume group of the LVM schemes.
pub const AUTO_GROUP: &str = "azurelinux";
const ESP_BYTES: u64 = 600 * MIB;
const BOOT_BYTES: u64 = GIB;

/// Swap as large as memory, between 1 and 8 GiB; none on disks under 32 GiB, where the
/// space is worth more to the root filesystem.
pub fn auto_swap(disk_bytes: u64, memory_bytes: u64) -> Option<u64> {
    if disk_bytes < AUTO_SWAP_MIN_DISK {
        return None;
    }
    let m = memory_bytes.clamp(GIB, 8 * GIB);
    Some(m.div_ceil(MIB) * MIB)
}

/// An auto layout written out: the custom layout, and the partitions that must hold at
/// least `MIN_AUTO_ROOT` (the root, or what the root is made on).
pub(super) struct Generated {
    pub storage: Storage,
    pub mins: Vec<(usize, u64)>,
}

pub(super) fn generate(
    storage: &Storage,
    firmware: Firmware,
    disks: &[&Disk],
    memory: u64,
) -> Generated {
    let fs = match storage.filesystem {
        RootFs::Xfs => FsType::Xfs,
        RootFs::Ext4 => FsType::Ext4,
    };
    let first = disks.first().map_or(0, |d| d.size_bytes);
    let swap = match storage.swap {
        Swap::None => None,
        Swap::Size(s) => s.absolute(),
        Swap::Auto => auto_swap(first, memory),
    };
    let mut g = Gen {
        out: Storage {
            layout: Layout::Custom,
            ..Storage::default()
        },
        mins: Vec::new(),
        encrypt: storage.encrypt,
    };
    g.out.encryption = storage.encryption.clone();
    match storage.scheme {
        Scheme::Plain => {
            g.firmware_partition(firmware, 1);
            g.partition(
                1,
                None,
                Some("/boot"),
                Size::Bytes(BOOT_BYTES),
                Some(fs),
                "boot",
            );
            if let Some(bytes) = swap {
                g.filesystem_on_partition(1, "swap", Size::Bytes(bytes), None, "swap");
            }
            g.filesystem_on_partition(1, "root", Size::Rest, Some(fs), "/");
        }
        Scheme::Lvm => {
            g.firmware_partition(firmware, 1);
            g.partition(
                1,
                None,
                Some("/boot"),
                Size::Bytes(BOOT_BYTES),
                Some(fs),
                "boot",
            );
            let mut pvs = Vec::new();
            for d in 1..=disks.len() {
                let name = format!("pv{d}");
                g.min_next(if d == 1 { MIN_AUTO_ROOT } else { MIB });
                g.partition(d, Some(&name), None, Size::Rest, None, &name);
                pvs.push(g.maybe_encrypted(&name));
            }
            g.volumes(pvs, swap, fs);
        }
        Scheme::Raid1 | Scheme::Raid1Lvm => {
            let lvm = storage.scheme == Scheme::Raid1Lvm;
            let mut fixed = vec![BOOT_BYTES];
            if !lvm && let Some(s) = swap {
                fixed.push(s);
            }
            let boot_part = match firmware {
                Firmware::Uefi => ESP_BYTES,
                Firmware::Bios => MIB,
            };
            fixed.push(boot_part);
            // Members as large as the smallest disk allows: mdadm would use no more of
            // the larger ones.
            let rest = disks
                .iter()
                .map(|d| rest_bytes(d.size_bytes, d.logical_sector, &fixed))
                .min()
                .unwrap_or(0);
            let last = if rest >= MIN_AUTO_ROOT {
                Size::Bytes(rest / MIB * MIB)
            } else {
                Size::Rest
            };
            let last_name = if lvm { "pv" } else { "root" };
            for d in 1..=disks.len() {
                g.firmware_partition(firmware, d);
                g.partition(
                    d,
                    Some(&format!("boot{d}")),
                    None,
                    Size::Bytes(BOOT_BYTES),
                    None,
                    "boot",
                );
                if !lvm && let Some(bytes) = swap {
                    g.partition(
                        d,
                        Some(&format!("swap{d}")),
                        None,
                        Size::Bytes(bytes),
                        None,
                        "swap",
                    );
                }
                g.min_next(MIN_AUTO_ROOT);
                let name = format!("{last_name}{d}");
                g.partition(d, Some(&name), None, last, None, last_name);
            }
            let n = disks.len();
            g.raid(
                "boot",
                members(n, "boot"),
                Some("/boot"),
                Some(fs),
                Some("boot"),
            );
            if lvm {
                g.raid("pv", members(n, "pv"), None, None, None);
                let pv = g.maybe_encrypted("pv");
                g.volumes(vec![pv], swap, fs);
            } else {
                if swap.is_some() {
                    g.raid("swap", members(n, "swap"), None, None, None);
                    g.filesystem_on("swap", "swap", None, "swap");
                }
                g.raid("root", members(n, "root"), None, None, None);
                g.filesystem_on("root", "/", Some(fs), "root");
            }
        }
    }
    Generated {
        storage: g.out,
        mins: g.mins,
    }
}

/// "boot1", "boot2", ...: the members of an array with one on each of `disks` disks.
fn members(disks: usize, base: &str) -> Vec<String> {
    (1..=disks).map(|d| format!("{base}{d}")).collect()
}

struct Gen {
    out: Storage,
    mins: Vec<(usize, u64)>,
    encrypt: bool,
}

impl Gen {
    /// The ESP (UEFI) or bios-boot partition (BIOS) of disk `d` (1-based).
    fn firmware_partition(&mut self, firmware: Firmware, d: usize) {
        match firmware {
            Firmware::Uefi => {
                self.partition(
                    d,
                    None,
                    Some(ESP_MOUNT),
                    Size::Bytes(ESP_BYTES),
                    Some(FsType::Vfat),
                    "ESP",
                );
                if let Some(p) = self.out.partitions.last_mut() {
                    p.options = Some(super::ESP_OPTIONS.into());
                }
            }
            Firmware::Bios => self.partition(
                d,
                None,
                Some("bios-boot"),
                Size::Bytes(MIB),
                None,
                "BIOS-BOOT",
            ),
        }
    }

    /// The next partition must hold at least `bytes`.
    fn min_next(&mut self, bytes: u64) {
        self.mins.push((self.out.partitions.len(), bytes));
    }

    fn partition(
        &mut self,
        d: usize,
        name: Option<&str>,
        mount: Option<&str>,
        size: Size,
        fs: Option<FsType>,
        label: &str,
    ) {
        self.out.partitions.push(PartitionSpec {
            disk: Some(d as u32),
            name: name.map(String::from),
            mount: mount.map(String::from),
            size: Some(size),
            fs,
            label: Some(label.into()),
            options: None,
            keep: false,
            existing: None,
        });
    }

    /// A partition of disk `d` for swap or a filesystem (`mount`), in a container when
    /// encrypting.
    fn filesystem_on_partition(
        &mut self,
        d: usize,
        name: &str,
        size: Size,
        fs: Option<FsType>,
        mount: &str,
    ) {
        if mount == "/" {
            self.min_next(MIN_AUTO_ROOT);
        }
        if self.encrypt {
            self.partition(d, Some(name), None, size, None, name);
            self.filesystem_on(name, mount, fs, name);
        } else {
            self.partition(d, None, Some(mount), size, fs, name);
        }
    }

    /// A filesystem (or swap) on the named device, in a container when encrypting.
    fn filesystem_on(&mut self, device: &str, mount: &str, fs: Option<FsType>, label: &str) {
        let label = Some(label.to_string());
        if self.encrypt {
            self.out.encrypted.push(CryptSpec {
                name: format!("luks-{device}"),
                on: device.into(),
                mount: Some(mount.into()),
                fs,
                label,
                options: None,
            });
        } else if let Some(r) = self.out.raids.iter_mut().find(|r| r.name == device) {
            r.mount = Some(mount.into());
            r.fs = fs;
            r.label = label;
        }
    }

    fn raid(
        &mut self,
        name: &str,
        members: Vec<String>,
        mount: Option<&str>,
        fs: Option<FsType>,
        label: Option<&str>,
    ) {
        self.out.raids.push(RaidSpec {
            name: name.into(),
            level: RaidLevel::Raid1,
            members,
            mount: mount.map(String::from),
            fs,
            label: label.map(String::from),
            options: None,
        });
    }

    /// The name the volume group uses for `device`: its container when encrypting.
    fn maybe_encrypted(&mut self, device: &str) -> String {
        if !self.encrypt {
            return device.into();
        }
        let name = format!("luks-{device}");
        self.out.encrypted.push(CryptSpec {
            name: name.clone(),
            on: device.into(),
            mount: None,
            fs: None,
            label: None,
            options: None,
        });
        name
    }

    /// The group over `pvs` with the swap and root volumes.
    fn volumes(&mut self, pvs: Vec<String>, swap: Option<u64>, fs: FsType) {
        self.out.volume_groups.push(VolumeGroupSpec {
            name: AUTO_GROUP.into(),
            on: pvs,
        });
        let volume = |name: &str, size, mount: &str, fs| VolumeSpec {
            group: AUTO_GROUP.into(),
            name: name.into(),
            size,
            mount: Some(mount.into()),
            fs,
            label: Some(name.into()),
            options: None,
        };
        if let Some(bytes) = swap {
            self.out
                .volumes
                .push(volume("swap", Size::Bytes(bytes), "swap", None));
        }
        self.out
            .volumes
            .push(volume("root", Size::Rest, "/", Some(fs)));
    }
}

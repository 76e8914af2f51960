//! Where to install: `[target]` (which disk) and `[storage]` (its layout).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CryptSpec, Encryption, Formattable, RaidSpec, VolumeGroupSpec, VolumeSpec};
use crate::answer::Size;

/// The disks to install onto: exactly one of `path`, `paths` and `match`. Disk 1 is the
/// first path, or the first by device path of the disks a rule picks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A block device, a /dev/disk/by-* link, or a disk image file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Several disks, in order (disk 1, disk 2, ...): block devices or /dev/disk/by-* links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Ordered fallback rules: the first rule that picks exactly its `count` of disks wins.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<DiskRule>>,
    /// Required when a disk holds partitions or filesystems (other than kept ones).
    #[serde(default)]
    pub wipe: bool,
    /// "auto" follows how the installer was booted; "uefi" or "bios" force one.
    #[serde(default)]
    pub firmware: FirmwareChoice,
}

/// One disk selection rule; every key given must hold for a disk to match.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiskRule {
    /// Glob over the device path and its /dev/disk/by-* links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Glob over the disk's serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Glob over the disk's model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Glob over the disk's vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Glob over the disk's World Wide Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wwn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// true: only non-rotational disks; false: only rotational ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssd: Option<bool>,
    /// Smallest acceptable disk (an absolute size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<Size>,
    /// Largest acceptable disk (an absolute size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<Size>,
    /// Of the disks that match the other keys, take the largest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub largest: bool,
    /// Of the disks that match the other keys, take the smallest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub smallest: bool,
    /// How many disks the rule must pick (default 1), e.g. 2 for "the two identical SSDs".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl Target {
    /// How many disks the answer asks for, when that is known from the answer alone
    /// (a path, a list, or rules that all pick the same count).
    pub fn disk_count(&self) -> Option<usize> {
        match (&self.path, &self.paths, &self.rules) {
            (Some(_), None, None) => Some(1),
            (None, Some(p), None) => Some(p.len()),
            (None, None, Some(rules)) => {
                let first = rules.first()?.count();
                rules.iter().all(|r| r.count() == first).then_some(first)
            }
            _ => None,
        }
    }
}

impl DiskRule {
    pub fn count(&self) -> usize {
        self.count.map_or(1, |c| c as usize)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Nvme,
    Sata,
    Sas,
    Virtio,
    Usb,
    Mmc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FirmwareChoice {
    #[default]
    Auto,
    Uefi,
    Bios,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    #[serde(default)]
    pub layout: Layout,
    /// The auto layout's scheme: "plain" partitions, "lvm" (/boot plain, the rest a volume
    /// group with root and swap volumes), "raid1" (an ESP or bios-boot partition on each
    /// disk, /boot and the rest on RAID 1 arrays) or "raid1-lvm" (LVM on the RAID 1).
    #[serde(default, skip_serializing_if = "Scheme::is_plain")]
    pub scheme: Scheme,
    /// The auto layout puts the root (and swap) in LUKS2, unlocked as `encryption` says.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub encrypt: bool,
    /// How encrypted containers are unlocked: passphrase and/or TPM2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// Filesystem of / and /boot in the auto layout (ext4 unless "xfs").
    #[serde(default)]
    pub filesystem: RootFs,
    /// "auto", "none" or a size.
    #[serde(default)]
    pub swap: Swap,
    /// The partitions of a custom layout, in order on each disk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<PartitionSpec>,
    /// mdadm arrays of a custom layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raids: Vec<RaidSpec>,
    /// LVM volume groups of a custom layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_groups: Vec<VolumeGroupSpec>,
    /// LVM logical volumes of a custom layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeSpec>,
    /// LUKS2 containers of a custom layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encrypted: Vec<CryptSpec>,
}

/// The auto layout's schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    #[default]
    Plain,
    Lvm,
    Raid1,
    Raid1Lvm,
}

impl Scheme {
    /// The default, left out of written answers.
    pub fn is_plain(&self) -> bool {
        *self == Scheme::Plain
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Plain => "plain",
            Scheme::Lvm => "lvm",
            Scheme::Raid1 => "raid1",
            Scheme::Raid1Lvm => "raid1-lvm",
        }
    }

    pub fn raid(self) -> bool {
        matches!(self, Scheme::Raid1 | Scheme::Raid1Lvm)
    }

    pub fn lvm(self) -> bool {
        matches!(self, Scheme::Lvm | Scheme::Raid1Lvm)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Auto,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RootFs {
    Xfs,
    /// The default, as Azure Linux 4.0's images and its Anaconda configuration (its
    /// offline ISO ships no xfsprogs).
    #[default]
    Ext4,
}

/// Swap in the auto layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Swap {
    #[default]
    Auto,
    None,
    Size(Size),
}

impl std::str::FromStr for Swap {
    type Err = crate::answer::SizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Swap::Auto),
            "none" => Ok(Swap::None),
            other => other.parse().map(Swap::Size),
        }
    }
}

impl std::fmt::Display for Swap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Swap::Auto => f.write_str("auto"),
            Swap::None => f.write_str("none"),
            Swap::Size(s) => s.fmt(f),
        }
    }
}

impl Serialize for Swap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Swap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Swap {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Swap".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "\"auto\" (sized from memory), \"none\", or a size such as \"4GiB\".",
            "pattern": "^(auto|none|[0-9]+ ?(B|KiB|MiB|GiB|TiB)|[0-9]{1,3}%)$"
        })
    }
}

/// One partition of a custom layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartitionSpec {
    /// Which target disk it is on: 1 (the default) is the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<u32>,
    /// How arrays, volume groups and encrypted containers refer to this partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A mount point, "swap" or "bios-boot"; none for a partition that an array, a volume
    /// group or an encrypted container is made on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    /// An absolute size, a share of the disk ("25%"), or "rest" (last new partition of
    /// its disk). Required, but for a kept partition, which keeps its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    /// Defaults from the mount: vfat for /boot/efi, swap for swap, none for bios-boot, else ext4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsType>,
    /// GPT partition name and filesystem label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Mount options for fstab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
    /// Keep the existing partition `match` finds: neither wiped nor formatted, only
    /// mounted at `mount`. It keeps its place, number, size, filesystem and label.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep: bool,
    /// Which existing partition of its disk is kept (with `keep = true`).
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub existing: Option<ExistingPartition>,
}

/// How a kept partition is found on its disk: exactly one of these.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExistingPartition {
    /// Its partition number (/dev/sda4 is 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Its GPT partition name (PARTLABEL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its partition UUID (PARTUUID) or its filesystem's UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Its filesystem's label (LABEL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_label: Option<String>,
}

impl ExistingPartition {
    /// How many ways are given (exactly one is valid).
    pub fn ways(&self) -> usize {
        usize::from(self.number.is_some())
            + usize::from(self.label.is_some())
            + usize::from(self.uuid.is_some())
            + usize::from(self.fs_label.is_some())
    }
}

impl std::fmt::Display for ExistingPartition {
    /// "number 4", "label \"data\"", ... as messages and the plan name it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(n) = self.number {
            write!(f, "number {n}")
        } else if let Some(l) = &self.label {
            write!(f, "partition label {l:?}")
        } else if let Some(u) = &self.uuid {
            write!(f, "UUID {u}")
        } else if let Some(l) = &self.fs_label {
            write!(f, "filesystem label {l:?}")
        } else {
            f.write_str("nothing")
        }
    }
}

/// Where the EFI system partition is mounted: shim and GRUB packages install there.
pub const ESP_MOUNT: &str = "/boot/efi";
/// The `mount` word of a swap partition.
pub const SWAP: &str = "swap";
/// The `mount` word of the BIOS boot partition (GRUB's core image on a GPT disk).
pub const BIOS_BOOT: &str = "bios-boot";

/// What a custom layout's `mount` makes of a partition, decided here once for every layer
/// (validation, the plan's roles, default filesystems, the TUI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKind<'a> {
    /// The EFI system partition, mounted at `ESP_MOUNT`.
    Esp,
    BiosBoot,
    Swap,
    /// Any other mount point ("/", "/home", ...), as written.
    Path(&'a str),
    /// No mount: the device holds an array member, a physical volume or a LUKS container.
    Unmounted,
}

impl<'a> MountKind<'a> {
    pub fn of(mount: Option<&'a str>) -> MountKind<'a> {
        match mount {
            None => MountKind::Unmounted,
            Some(ESP_MOUNT) => MountKind::Esp,
            Some(BIOS_BOOT) => MountKind::BiosBoot,
            Some(SWAP) => MountKind::Swap,
            Some(path) => MountKind::Path(path),
        }
    }

    /// The filesystem a partition of this kind gets when the answer names none.
    pub fn default_fs(self) -> FsType {
        match self {
            MountKind::Esp => FsType::Vfat,
            MountKind::Swap => FsType::Swap,
            MountKind::BiosBoot | MountKind::Unmounted => FsType::None,
            MountKind::Path(_) => FsType::Ext4,
        }
    }

    /// The only filesystem a partition of this kind can have, if it is fixed.
    pub fn required_fs(self) -> Option<FsType> {
        match self {
            MountKind::Path(_) => None,
            other => Some(other.default_fs()),
        }
    }
}

/// What a custom layout must add to boot with UEFI (`uefi`) or BIOS, when it lacks it: the
/// entry to add, as a hint. One rule for validation (the answer names its firmware) and the
/// plan (the machine's firmware). The first disk is the one the firmware boots; other
/// disks may carry copies (a RAID 1 boot).
pub fn missing_boot_partition(parts: &[PartitionSpec], uefi: bool) -> Option<&'static str> {
    let (kind, hint) = if uefi {
        (
            MountKind::Esp,
            "add { mount = \"/boot/efi\", size = \"600MiB\", fs = \"vfat\" } first",
        )
    } else {
        (
            MountKind::BiosBoot,
            "add { mount = \"bios-boot\", size = \"1MiB\" } first",
        )
    };
    (!parts
        .iter()
        .any(|p| p.kind() == kind && p.disk_index() == 0))
    .then_some(hint)
}

impl PartitionSpec {
    /// The target disk it is on, 0-based.
    pub fn disk_index(&self) -> usize {
        self.disk.map_or(0, |d| (d as usize).saturating_sub(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FsType {
    Vfat,
    Xfs,
    Ext4,
    Swap,
    None,
}

impl FsType {
    /// The answer file's spelling, which is also what libblkid, mount and fstab call it.
    pub fn as_str(self) -> &'static str {
        match self {
            FsType::Vfat => "vfat",
            FsType::Xfs => "xfs",
            FsType::Ext4 => "ext4",
            FsType::Swap => "swap",
            FsType::None => "none",
        }
    }

    /// The program that creates it on the live system; None for bios-boot.
    pub fn mkfs(self) -> Option<&'static str> {
        match self {
            FsType::Vfat => Some("mkfs.vfat"),
            FsType::Xfs => Some("mkfs.xfs"),
            FsType::Ext4 => Some("mkfs.ext4"),
            FsType::Swap => Some("mkswap"),
            FsType::None => None,
        }
    }
}

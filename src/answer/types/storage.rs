//! Where to install: `[target]` (which disk) and `[storage]` (its layout).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::Size;

/// The disk to install onto: exactly one of `path` and `match`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A block device, a /dev/disk/by-* link, or a disk image file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Ordered fallback rules: the first rule that picks exactly one disk wins.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<DiskRule>>,
    /// Required when the disk holds partitions or filesystems.
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    #[serde(default)]
    pub layout: Layout,
    /// Filesystem of / and /boot in the auto layout (ext4 unless "xfs").
    #[serde(default)]
    pub filesystem: RootFs,
    /// "auto", "none" or a size.
    #[serde(default)]
    pub swap: Swap,
    /// The partitions of a custom layout, in disk order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<PartitionSpec>,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            layout: Layout::Auto,
            filesystem: RootFs::Ext4,
            swap: Swap::Auto,
            partitions: Vec::new(),
        }
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
    /// A mount point, or "swap", or "bios-boot".
    pub mount: String,
    /// An absolute size, a share of the disk ("25%"), or "rest" (last partition only).
    pub size: Size,
    /// Defaults from the mount: vfat for /boot/efi, swap for swap, none for bios-boot, else ext4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsType>,
    /// GPT partition name and filesystem label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Mount options for fstab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
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
}

impl<'a> MountKind<'a> {
    pub fn of(mount: &'a str) -> MountKind<'a> {
        match mount {
            ESP_MOUNT => MountKind::Esp,
            BIOS_BOOT => MountKind::BiosBoot,
            SWAP => MountKind::Swap,
            path => MountKind::Path(path),
        }
    }

    /// The filesystem a partition of this kind gets when the answer names none.
    pub fn default_fs(self) -> FsType {
        match self {
            MountKind::Esp => FsType::Vfat,
            MountKind::Swap => FsType::Swap,
            MountKind::BiosBoot => FsType::None,
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
/// plan (the machine's firmware).
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
    (!parts.iter().any(|p| p.kind() == kind)).then_some(hint)
}

impl PartitionSpec {
    pub fn kind(&self) -> MountKind<'_> {
        MountKind::of(&self.mount)
    }

    /// The filesystem, given or implied by the mount point.
    pub fn fs_type(&self) -> FsType {
        self.fs.unwrap_or(self.kind().default_fs())
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

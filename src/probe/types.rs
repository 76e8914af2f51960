//! The hardware as probed. Plain data, serialised as `probe --json` (a stable format: add
//! fields, never rename them).

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the probe reads from: the real `/` or a fake tree in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    pub sys: PathBuf,
    pub dev: PathBuf,
    pub proc: PathBuf,
}

impl Roots {
    /// The running machine.
    pub fn host() -> Self {
        Roots {
            sys: "/sys".into(),
            dev: "/dev".into(),
            proc: "/proc".into(),
        }
    }

    /// A fake tree with `sys/`, `dev/` and `proc/` below `dir`.
    pub fn under(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Roots {
            sys: dir.join("sys"),
            dev: dir.join("dev"),
            proc: dir.join("proc"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hardware {
    pub firmware: Firmware,
    pub cpu_model: Option<String>,
    pub cpu_count: u32,
    pub memory_bytes: u64,
    pub disks: Vec<Disk>,
    pub nics: Vec<Nic>,
    /// A TPM 2.0 is there (LUKS2 containers can be sealed to it).
    #[serde(default)]
    pub tpm2: bool,
    /// The live system's programs and kernel, as far as the install needs them.
    #[serde(default)]
    pub live: super::LiveSystem,
    /// What is built on the disks and running now (md arrays, device-mapper devices), each
    /// with what it is built on: a wipe of those disks must stop them first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<Stacked>,
}

/// A running md array or device-mapper device built on the probed disks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Stacked {
    /// The kernel's name: "md127", "dm-2".
    pub name: String,
    /// Its node: /dev/md127, /dev/mapper/NAME.
    pub path: PathBuf,
    #[serde(flatten)]
    pub kind: StackedKind,
    /// The kernel names of the devices it is built on (partitions, disks, other arrays or
    /// mappings).
    pub on: Vec<String>,
    /// The kernel names of the devices built on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<String>,
    /// The probed disks beneath it, however deep.
    pub disks: Vec<PathBuf>,
}

/// What a stacked device is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StackedKind {
    /// An md array: its level ("raid1") and its name when /dev/md/NAME links to it.
    Md {
        level: Option<String>,
        array: Option<String>,
    },
    /// An LVM logical volume (or one of its hidden layers).
    Lvm { group: String, volume: String },
    /// A dm-crypt mapping (LUKS or plain).
    Crypt { mapping: String },
    /// Another device-mapper device (multipath, a hand-made table, ...) or something else.
    Other { mapping: Option<String> },
}

impl std::fmt::Display for Stacked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            StackedKind::Md { level, array } => {
                write!(
                    f,
                    "{} array {}",
                    level.as_deref().unwrap_or("md"),
                    self.name
                )?;
                match array {
                    Some(a) => write!(f, " ({a})"),
                    None => Ok(()),
                }
            }
            StackedKind::Lvm { group, volume } => write!(f, "LVM volume {group}/{volume}"),
            StackedKind::Crypt { mapping } => write!(f, "encrypted mapping {mapping}"),
            StackedKind::Other { mapping } => match mapping {
                Some(m) => write!(f, "device-mapper device {} ({m})", self.name),
                None => write!(f, "device {}", self.name),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Firmware {
    Uefi,
    Bios,
}

impl Firmware {
    /// As people write it: "UEFI", "BIOS".
    pub const fn name(self) -> &'static str {
        match self {
            Firmware::Uefi => "UEFI",
            Firmware::Bios => "BIOS",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Nvme,
    Sata,
    Sas,
    Scsi,
    Virtio,
    Usb,
    Mmc,
    Loop,
    /// A disk image file, not yet attached.
    Image,
    Unknown,
}

impl Transport {
    /// The name used by `probe --json` and the answer file's `transport` rule.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Nvme => "nvme",
            Transport::Sata => "sata",
            Transport::Sas => "sas",
            Transport::Scsi => "scsi",
            Transport::Virtio => "virtio",
            Transport::Usb => "usb",
            Transport::Mmc => "mmc",
            Transport::Loop => "loop",
            Transport::Image => "image",
            Transport::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Disk {
    /// Kernel name, e.g. "nvme0n1"; for an image file, the file name.
    pub name: String,
    /// "/dev/nvme0n1", or the image file's path.
    pub path: PathBuf,
    /// Links in /dev/disk/by-id (full paths).
    pub by_id: Vec<PathBuf>,
    pub size_bytes: u64,
    pub logical_sector: u32,
    pub physical_sector: u32,
    pub rotational: bool,
    pub removable: bool,
    pub read_only: bool,
    pub model: Option<String>,
    pub vendor: Option<String>,
    pub serial: Option<String>,
    pub wwn: Option<String>,
    pub transport: Transport,
    /// For loop devices: the file behind it.
    pub backing_file: Option<PathBuf>,
    /// "gpt" or "dos" when the disk has a partition table.
    pub table: Option<String>,
    pub partitions: Vec<Partition>,
    /// Filesystems or other signatures on the whole disk (no partition table).
    pub signatures: Vec<Signature>,
    /// Why this disk is busy; empty when it is free to take.
    pub usage: Vec<Usage>,
    /// Why libblkid could not read the disk (e.g. "Permission denied"): then `table`,
    /// `partitions`' filesystems and `signatures` are unknown, not absent.
    #[serde(default)]
    pub contents_error: Option<String>,
}

impl Disk {
    /// True when `path` names this disk: its device path or one of its /dev/disk/by-*
    /// links, as an answer's `target.path` may give it.
    pub fn answers_to(&self, path: &str) -> bool {
        self.path.as_os_str() == path || self.by_id.iter().any(|l| l.as_os_str() == path)
    }

    /// Nothing uses the disk but arrays or mappings built on it (an old system's, which the
    /// live system assembled): an install that wipes it stops them first.
    pub fn only_held(&self) -> bool {
        self.usage.iter().all(|u| matches!(u, Usage::Held { .. }))
    }

    /// Solid state unless the kernel says it rotates.
    pub fn is_ssd(&self) -> bool {
        !self.rotational
    }

    /// True when the disk holds anything a wipe would destroy, or when its contents could
    /// not be read (unknown contents are treated as precious).
    pub fn has_content(&self) -> bool {
        self.table.is_some()
            || !self.partitions.is_empty()
            || !self.signatures.is_empty()
            || self.contents_error.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Partition {
    pub name: String,
    pub path: PathBuf,
    pub number: u32,
    pub start_bytes: u64,
    pub size_bytes: u64,
    /// Filesystem or other signature found by libblkid, e.g. "xfs", "swap", "LVM2_member".
    pub fs_type: Option<String>,
    pub label: Option<String>,
    pub uuid: Option<String>,
    pub part_uuid: Option<String>,
    pub part_label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Signature {
    pub fs_type: String,
    pub label: Option<String>,
    pub uuid: Option<String>,
}

/// Something that makes a disk unsafe to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Usage {
    /// The disk or one of its partitions is mounted.
    Mounted {
        device: PathBuf,
        mountpoint: PathBuf,
    },
    /// Used as swap.
    Swap { device: PathBuf },
    /// Held by device-mapper, md RAID or similar.
    Held { device: PathBuf, holder: String },
    /// Holds the running system's root filesystem.
    RunningSystem,
    /// Holds the media the installer booted from.
    InstallMedia,
    /// A disk image attached to a loop device (whatever that device is used for).
    Attached { device: PathBuf },
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Usage::Mounted { device, mountpoint } => write!(
                f,
                "{} is mounted at {}",
                device.display(),
                mountpoint.display()
            ),
            Usage::Swap { device } => write!(f, "{} is in use as swap", device.display()),
            Usage::Held { device, holder } => {
                write!(f, "{} is in use by {holder}", device.display())
            }
            Usage::RunningSystem => f.write_str("it holds the running system"),
            Usage::InstallMedia => f.write_str("it holds the install media"),
            Usage::Attached { device } => {
                write!(f, "it is attached to {} (losetup)", device.display())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Nic {
    pub name: String,
    pub mac: Option<String>,
    pub driver: Option<String>,
    /// None when the interface is down and the kernel cannot tell.
    pub carrier: Option<bool>,
    pub speed_mbps: Option<u32>,
    pub operstate: String,
    /// Virtual interfaces (bridges, veth, tun, ...) have no device behind them.
    pub is_virtual: bool,
}

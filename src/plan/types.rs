//! The resolved install plan, shown by `plan` and executed by the engine.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::answer::{FsType, Layout, MountKind, Scheme};

use super::{ArraySetup, CryptSetup, DeviceRef, GroupSetup, UnlockSetup, VolumeSetup};
use crate::probe::{Disk, Firmware};

/// Everything the engine needs, decided before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// `PLAN_VERSION`: the shape of this data.
    pub version: u32,
    pub firmware: Firmware,
    /// The disks the install writes, each with why it was chosen, what is on it now and
    /// its new partition table. The first is the one the firmware boots first.
    pub disks: Vec<DiskSetup>,
    /// What runs on those disks now (an old system's arrays, containers, volume groups)
    /// and is stopped before they are written, top first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<super::Release>,
    /// Which layout made the tables.
    pub layout: Layout,
    /// The auto layout's scheme (plain for a custom layout).
    pub scheme: Scheme,
    /// mdadm arrays over partitions.
    pub arrays: Vec<ArraySetup>,
    /// LUKS2 containers.
    pub crypts: Vec<CryptSetup>,
    /// How the containers are unlocked (when there are any).
    pub unlock: Option<UnlockSetup>,
    /// LVM volume groups.
    pub groups: Vec<GroupSetup>,
    /// LVM logical volumes.
    pub volumes: Vec<VolumeSetup>,
    /// What is formatted (and mounted, but swap and the copies of the ESP), each on a
    /// partition, array, container or volume.
    pub filesystems: Vec<FilesystemSetup>,
    pub payload: Payload,
    /// The installed system's network connections (none: NetworkManager's default, DHCP).
    pub network: Vec<super::Connection>,
    /// Host settings, accounts, SSH, SELinux, kernel, bootloader, scripts, finish, the
    /// saved answer.
    #[serde(flatten)]
    pub system: super::SystemSetup,
    /// The programs the install runs on the live system (all found there, or the plan
    /// would have been refused).
    pub programs: Vec<super::HostProgram>,
}

impl Plan {
    /// The first disk: the one the firmware boots first. A plan has at least one:
    /// `resolve` makes one and `from_json` refuses a plan without.
    pub fn target(&self) -> &DiskSetup {
        &self.disks[0]
    }

    /// Every disk the install writes, for confirmations: "/dev/sda … and /dev/sdb …".
    pub fn describe_disks(&self) -> String {
        let each: Vec<String> = self.disks.iter().map(|d| describe_disk(&d.disk)).collect();
        each.join(" and ")
    }

    /// The filesystem on partition `number` of `disks[disk]`, if one is made there.
    pub fn filesystem_on(&self, disk: usize, number: u32) -> Option<&FilesystemSetup> {
        let at = DeviceRef::Partition { disk, number };
        self.filesystems.iter().find(|f| f.on == at)
    }

    /// The size of a device of the plan (estimated for the layers).
    pub fn device_bytes(&self, d: DeviceRef) -> Option<u64> {
        match d {
            DeviceRef::Partition { disk, number } => {
                let t = &self.disks.get(disk)?.table;
                let p = t.partitions.get(t.position(number)?)?;
                Some(p.size_bytes(t.sector_size))
            }
            DeviceRef::Array { index } => self.arrays.get(index).map(|a| a.size_bytes),
            DeviceRef::Crypt { index } => self.crypts.get(index).map(|c| c.size_bytes),
            DeviceRef::Volume { index } => self.volumes.get(index).map(|v| v.size_bytes),
        }
    }

    /// "partition 2 of disk 1", "array boot", "container luks-root", "volume azurelinux/root".
    pub fn describe(&self, d: DeviceRef) -> String {
        super::storage::describe(d, &self.arrays, &self.crypts, &self.groups, &self.volumes)
    }

    /// What is made on `d` besides a filesystem: "array boot", "container luks-root",
    /// "group azurelinux".
    pub fn users_of(&self, d: DeviceRef) -> Option<String> {
        if let Some(a) = self.arrays.iter().find(|a| a.members.contains(&d)) {
            return Some(format!("array {}", a.name));
        }
        if let Some(c) = self.crypts.iter().find(|c| c.on == d) {
            return Some(format!("LUKS2 {}", c.name));
        }
        self.groups
            .iter()
            .find(|g| g.on.contains(&d))
            .map(|g| format!("LVM {}", g.name))
    }

    /// The filesystem mounted at `mount`.
    pub fn mounted_at(&self, mount: &str) -> Option<&FilesystemSetup> {
        self.filesystems
            .iter()
            .find(|f| f.mount.as_deref() == Some(mount))
    }
}

/// One disk of the install.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiskSetup {
    pub disk: Disk,
    /// Why this disk: "target.path" or "target.match[1] matched only this disk".
    pub reason: String,
    /// What the install destroys on it: the old table, each partition, whole-disk
    /// signatures.
    pub destroys: Vec<Destroyed>,
    pub table: PartitionTable,
}

/// A filesystem (or swap) to make, and where it is mounted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FilesystemSetup {
    pub on: DeviceRef,
    /// What it is for (the root, /boot, the ESP, swap, ...).
    pub role: Role,
    pub fs: FsType,
    pub label: Option<String>,
    /// Mount point; None for swap and for the copies of the ESP on other disks.
    pub mount: Option<String>,
    pub options: Option<String>,
    /// On a kept partition: mounted as it is, never formatted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep: bool,
}

impl FilesystemSetup {
    /// A copy of the ESP on a disk after the first: formatted and filled, never mounted.
    pub fn is_esp_copy(&self) -> bool {
        self.role == Role::Esp && self.mount.is_none()
    }
}

/// The GPT to write, in the disk's logical sectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PartitionTable {
    pub sector_size: u32,
    pub disk_sectors: u64,
    pub partitions: Vec<PlannedPartition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedPartition {
    /// 1-based partition number.
    pub number: u32,
    pub first_lba: u64,
    /// Inclusive.
    pub last_lba: u64,
    /// What it holds; decides the type GUID.
    pub role: Role,
    /// Discoverable Partitions Specification type GUID.
    pub type_guid: Uuid,
    /// GPT partition name.
    pub name: String,
    /// An existing partition the install keeps: its entry is written back as it was and
    /// nothing in it is touched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<KeptPartition>,
}

/// What the plan knows of a kept partition, from the probe: the engine finds its entry
/// in the old table by `part_uuid` and refuses to go on if it is not where the plan saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeptPartition {
    /// How the answer found it ("filesystem label \"home\"").
    pub found_by: String,
    /// Its number in the table on the disk now; in the new table partitions are numbered
    /// in disk order (1, 2, 3, ...), so it may change (its UUIDs do not).
    pub number_now: u32,
    pub part_uuid: String,
    pub fs: FsType,
    pub fs_uuid: Option<String>,
    pub fs_label: Option<String>,
}

impl PartitionTable {
    /// The numbers the partitions it keeps have on the disk now (before the install).
    pub fn kept_numbers(&self) -> Vec<u32> {
        self.partitions
            .iter()
            .filter_map(|p| p.kept.as_ref().map(|k| k.number_now))
            .collect()
    }

    /// Where partition `number` is in `partitions` (the order its nodes come in).
    pub fn position(&self, number: u32) -> Option<usize> {
        self.partitions.iter().position(|p| p.number == number)
    }
}

impl PlannedPartition {
    pub fn size_bytes(&self, sector_size: u32) -> u64 {
        (self.last_lba - self.first_lba + 1) * u64::from(sector_size)
    }
}

/// What a partition is for; decides its type GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Esp,
    BiosBoot,
    /// /boot (XBOOTLDR).
    Boot,
    Root,
    Swap,
    Home,
    Srv,
    Var,
    VarTmp,
    Usr,
    /// Any other mount point.
    Data,
    /// A member of an mdadm array.
    RaidMember,
    /// An LVM physical volume.
    LvmPv,
    /// A LUKS2 container.
    Luks,
}

impl Role {
    /// From a custom layout's `mount`.
    pub fn for_mount(mount: Option<&str>) -> Role {
        match MountKind::of(mount) {
            MountKind::Esp => Role::Esp,
            MountKind::BiosBoot => Role::BiosBoot,
            MountKind::Swap => Role::Swap,
            MountKind::Path("/boot") => Role::Boot,
            MountKind::Path("/") => Role::Root,
            MountKind::Path("/home") => Role::Home,
            MountKind::Path("/srv") => Role::Srv,
            MountKind::Path("/var") => Role::Var,
            MountKind::Path("/var/tmp") => Role::VarTmp,
            MountKind::Path("/usr") => Role::Usr,
            MountKind::Path(_) | MountKind::Unmounted => Role::Data,
        }
    }

    /// Type GUIDs of the Discoverable Partitions Specification (x86-64).
    pub fn type_guid(self) -> Uuid {
        let s = match self {
            Role::Esp => "c12a7328-f81f-11d2-ba4b-00a0c93ec93b",
            Role::BiosBoot => "21686148-6449-6e6f-744e-656564454649",
            Role::Boot => "bc13c2ff-59e6-4262-a352-b275fd6f7172",
            Role::Root => "4f68bce3-e8cd-4db1-96e7-fbcaf984b709",
            Role::Swap => "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f",
            Role::Home => "933ac7e1-2eb4-4f13-b844-0e14e2aef915",
            Role::Srv => "3b8f8425-20e0-4f3b-907f-1a25a76f98e8",
            Role::Var => "4d21b016-b534-45c2-a9fb-5c16e091fd2d",
            Role::VarTmp => "7ec6f557-3bc5-4aca-b293-16ef5df639d1",
            Role::Usr => "8484680c-9521-48c6-9c11-b0720656f69e",
            Role::Data => "0fc63daf-8483-4772-8e79-3d69d8477de4",
            Role::RaidMember => "a19d880f-05fc-4d3b-a006-743f0f84911e",
            Role::LvmPv => "e6d6d379-f507-44c2-a23c-238f2a3df928",
            Role::Luks => "ca7d7ccb-63ed-4c53-861c-1742536059cc",
        };
        // The strings above are constants; a typo would fail every test.
        Uuid::parse_str(s).unwrap_or(Uuid::nil())
    }
}

/// "/dev/sda Samsung SSD 980 (serial S64DNX0R123456), 500 GiB" for messages and confirmations.
pub fn describe_disk(disk: &Disk) -> String {
    if disk.transport == crate::probe::Transport::Image {
        return format!(
            "disk image {}, {}",
            disk.path.display(),
            crate::answer::human_bytes(disk.size_bytes)
        );
    }
    let model = disk.model.as_deref().unwrap_or("unknown model");
    let serial = disk.serial.as_deref().unwrap_or("no serial");
    format!(
        "{} {model} (serial {serial}), {}",
        disk.path.display(),
        crate::answer::human_bytes(disk.size_bytes)
    )
}

/// One thing on the target disk that the install erases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Destroyed {
    /// The partition table ("gpt", "dos").
    Table { table: String, partitions: usize },
    Partition {
        /// Its device node, or for a disk image its name in the table.
        which: String,
        size_bytes: u64,
        fs_type: Option<String>,
        label: Option<String>,
    },
    /// A filesystem or other signature on the whole disk.
    Signature { fs_type: String },
}

impl std::fmt::Display for Destroyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destroyed::Table { table, partitions } => {
                write!(
                    f,
                    "the {table} partition table with {partitions} partition(s)"
                )
            }
            Destroyed::Partition {
                which,
                size_bytes,
                fs_type,
                label,
            } => {
                let what = match (fs_type, label) {
                    (Some(fs), Some(l)) => format!("{fs} \"{l}\""),
                    (Some(fs), None) => fs.clone(),
                    (None, _) => "no filesystem".into(),
                };
                write!(
                    f,
                    "{which} ({}, {what})",
                    crate::answer::human_bytes(*size_bytes)
                )
            }
            Destroyed::Signature { fs_type } => {
                write!(f, "a {fs_type} signature on the whole disk")
            }
        }
    }
}

/// What the payload step installs and from where (DESIGN.md "The package set").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Payload {
    pub repos: Vec<RepoSource>,
    /// The answer's `packages.install`, as asked.
    pub requested: Vec<String>,
    /// Package names (or provides) to install: the answer's plus what its sections need.
    pub packages: Vec<String>,
    /// Comps group ids.
    pub groups: Vec<String>,
    /// The answer named no groups: `groups` is the default (core, where the repositories
    /// have it).
    pub default_groups: bool,
    pub exclude: Vec<String>,
    pub weak_deps: bool,
    /// The distribution release dnf's $releasever stands for.
    pub releasever: String,
    /// The kernel the preflight found, e.g. "kernel-6.18.2-1.azl4.x86_64".
    pub kernel: String,
    /// The package files of the dependency closure in primary (dnf may choose a few
    /// differently): what the prefetch downloads.
    pub files: Vec<crate::repo::PackageFile>,
    /// Estimated from the dependency closure in primary.
    pub download_bytes: u64,
    pub installed_bytes: u64,
    /// The proxy downloads from http(s) repositories go through (`no_proxy` exempts some).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::answer::Proxy>,
}

/// A repository as the payload step uses it (defined with the metadata it describes).
pub use crate::repo::RepoSource;

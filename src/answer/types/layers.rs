//! What a custom layout builds on its partitions: mdadm arrays (`[[storage.raids]]`), LVM
//! (`[[storage.volume_groups]]`, `[[storage.volumes]]`), LUKS2 containers
//! (`[[storage.encrypted]]`), and how encrypted containers are unlocked
//! (`[storage.encryption]`, also used by `storage.encrypt = true` of the auto layout).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FsType;
use crate::answer::Size;

/// An mdadm array over partitions of the target disks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaidSpec {
    /// The array's name: it appears as /dev/md/NAME; others refer to it by this name.
    pub name: String,
    /// RAID level: 0, 1, 5, 6 or 10.
    pub level: RaidLevel,
    /// The `name`s of the partitions that make the array (one per disk, usually).
    pub members: Vec<String>,
    /// A mount point or "swap", when a filesystem is made on the array itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
}

/// The RAID levels mdadm makes here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum RaidLevel {
    Raid0,
    Raid1,
    Raid5,
    Raid6,
    Raid10,
}

impl RaidLevel {
    pub fn number(self) -> u32 {
        match self {
            RaidLevel::Raid0 => 0,
            RaidLevel::Raid1 => 1,
            RaidLevel::Raid5 => 5,
            RaidLevel::Raid6 => 6,
            RaidLevel::Raid10 => 10,
        }
    }

    /// The fewest members mdadm accepts for a working array of this level.
    pub fn min_members(self) -> usize {
        match self {
            RaidLevel::Raid0 | RaidLevel::Raid1 | RaidLevel::Raid10 => 2,
            RaidLevel::Raid5 => 3,
            RaidLevel::Raid6 => 4,
        }
    }

    /// Usable bytes of an array of `members` members of `member_bytes` each (the smallest
    /// member; mdadm uses that much of every one).
    pub fn usable_bytes(self, members: usize, member_bytes: u64) -> u64 {
        let n = members as u64;
        match self {
            RaidLevel::Raid0 => member_bytes.saturating_mul(n),
            RaidLevel::Raid1 => member_bytes,
            RaidLevel::Raid5 => member_bytes.saturating_mul(n.saturating_sub(1)),
            RaidLevel::Raid6 => member_bytes.saturating_mul(n.saturating_sub(2)),
            // The near-2 layout keeps two copies of every chunk.
            RaidLevel::Raid10 => member_bytes.saturating_mul(n) / 2,
        }
    }
}

impl TryFrom<u32> for RaidLevel {
    type Error = String;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Ok(match n {
            0 => RaidLevel::Raid0,
            1 => RaidLevel::Raid1,
            5 => RaidLevel::Raid5,
            6 => RaidLevel::Raid6,
            10 => RaidLevel::Raid10,
            other => return Err(format!("RAID level {other} is not one of 0, 1, 5, 6, 10")),
        })
    }
}

impl From<RaidLevel> for u32 {
    fn from(l: RaidLevel) -> u32 {
        l.number()
    }
}

impl JsonSchema for RaidLevel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RaidLevel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "integer",
            "enum": [0, 1, 5, 6, 10],
            "description": "RAID level: 0 (stripes), 1 (mirror), 5, 6 (parity) or 10 (striped mirrors)."
        })
    }
}

/// An LVM volume group over partitions, arrays or encrypted containers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeGroupSpec {
    /// The group's name (/dev/NAME/...).
    pub name: String,
    /// The names of the partitions, arrays or encrypted containers that become its
    /// physical volumes.
    pub on: Vec<String>,
}

/// An LVM logical volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// The volume group it is in.
    pub group: String,
    /// The volume's name (/dev/GROUP/NAME); others refer to it as "GROUP/NAME".
    pub name: String,
    /// An absolute size, a share of the group ("40%"), or "rest" (one volume per group).
    pub size: Size,
    /// A mount point or "swap", when a filesystem is made on the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
}

/// A LUKS2 container over a partition, an array or a volume, unlocked as
/// `[storage.encryption]` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CryptSpec {
    /// The opened container's name (/dev/mapper/NAME); others refer to it by this name.
    pub name: String,
    /// The name of the partition, array or "GROUP/VOLUME" it is made on.
    pub on: String,
    /// A mount point or "swap", when a filesystem is made in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
}

/// How LUKS2 containers are unlocked at boot. The passphrase is a secret: it is never
/// logged, shown or saved with the answer (the saved answer leaves it out).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// The passphrase, as plain text (at least 8 characters). Or `passphrase_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<String>,
    /// A file on the live system (for example on the install media) whose first line is
    /// the passphrase; read when the plan is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_file: Option<String>,
    /// Also unlock with the machine's TPM 2.0, sealed to `tpm2_pcrs`
    /// (systemd-cryptenroll); the passphrase stays as the recovery key.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tpm2: bool,
    /// The PCRs the TPM2 key is sealed to (default [7], the Secure Boot state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm2_pcrs: Option<Vec<u8>>,
}

// The passphrase is never printed, not even in debug output of an `Answer`.
impl std::fmt::Debug for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryption")
            .field("passphrase", &self.passphrase.as_ref().map(|_| ".."))
            .field("passphrase_file", &self.passphrase_file)
            .field("tpm2", &self.tpm2)
            .field("tpm2_pcrs", &self.tpm2_pcrs)
            .finish()
    }
}

impl Encryption {
    /// The PCRs used when the answer names none: 7, the Secure Boot policy, which survives
    /// kernel and initramfs updates.
    pub const DEFAULT_PCRS: &[u8] = &[7];

    pub fn pcrs(&self) -> &[u8] {
        self.tpm2_pcrs.as_deref().unwrap_or(Self::DEFAULT_PCRS)
    }

    /// Whether a passphrase is given (as text or by file).
    pub fn has_passphrase(&self) -> bool {
        self.passphrase.is_some() || self.passphrase_file.is_some()
    }
}

/// The four keys every formattable device of a custom layout has, read the same way
/// for partitions, arrays, volumes and encrypted containers.
pub trait Formattable {
    fn mount(&self) -> Option<&str>;
    fn fs(&self) -> Option<FsType>;
    fn label(&self) -> Option<&str>;
    fn options(&self) -> Option<&str>;

    fn kind(&self) -> super::MountKind<'_> {
        super::MountKind::of(self.mount())
    }

    /// The filesystem, given or implied by the mount point.
    fn fs_type(&self) -> FsType {
        self.fs().unwrap_or(self.kind().default_fs())
    }
}

macro_rules! formattable {
    ($($t:ty),*) => {$(
        impl Formattable for $t {
            fn mount(&self) -> Option<&str> {
                self.mount.as_deref()
            }
            fn fs(&self) -> Option<FsType> {
                self.fs
            }
            fn label(&self) -> Option<&str> {
                self.label.as_deref()
            }
            fn options(&self) -> Option<&str> {
                self.options.as_deref()
            }
        }
    )*};
}

formattable!(RaidSpec, VolumeSpec, CryptSpec, super::PartitionSpec);

/// The kinds of device a custom layout names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Partition,
    Raid,
    Volume,
    Crypt,
}

impl DeviceKind {
    pub fn noun(self) -> &'static str {
        match self {
            DeviceKind::Partition => "partition",
            DeviceKind::Raid => "array",
            DeviceKind::Volume => "volume",
            DeviceKind::Crypt => "encrypted container",
        }
    }
}

/// One formattable device of a custom layout, as validation and the plan walk them.
pub struct DeviceSpec<'a> {
    pub kind: DeviceKind,
    /// Its position in its own list (`storage.raids[index]`, ...).
    pub index: usize,
    /// "storage.raids[0]", for messages.
    pub key: String,
    /// How others refer to it: a partition's or array's or container's `name`, a
    /// volume's "GROUP/NAME".
    pub name: Option<String>,
    pub form: &'a dyn Formattable,
}

/// A reference from one device list to a device by name: an array member, a volume
/// group's physical volume, an encrypted container's device.
pub struct DeviceUse<'a> {
    /// "storage.raids[0].members[1]".
    pub key: String,
    pub name: &'a str,
    /// What may be referred to from there.
    pub allowed: &'static [DeviceKind],
}

impl super::Storage {
    /// Every device of the custom layout: partitions, arrays, volumes, containers.
    pub fn devices(&self) -> Vec<DeviceSpec<'_>> {
        let mut v: Vec<DeviceSpec<'_>> = Vec::new();
        for (i, p) in self.partitions.iter().enumerate() {
            v.push(DeviceSpec {
                kind: DeviceKind::Partition,
                index: i,
                key: format!("storage.partitions[{i}]"),
                name: p.name.clone(),
                form: p,
            });
        }
        for (i, r) in self.raids.iter().enumerate() {
            v.push(DeviceSpec {
                kind: DeviceKind::Raid,
                index: i,
                key: format!("storage.raids[{i}]"),
                name: Some(r.name.clone()),
                form: r,
            });
        }
        for (i, l) in self.volumes.iter().enumerate() {
            v.push(DeviceSpec {
                kind: DeviceKind::Volume,
                index: i,
                key: format!("storage.volumes[{i}]"),
                name: Some(format!("{}/{}", l.group, l.name)),
                form: l,
            });
        }
        for (i, c) in self.encrypted.iter().enumerate() {
            v.push(DeviceSpec {
                kind: DeviceKind::Crypt,
                index: i,
                key: format!("storage.encrypted[{i}]"),
                name: Some(c.name.clone()),
                form: c,
            });
        }
        v
    }

    /// Every reference by name between the custom layout's devices.
    pub fn device_uses(&self) -> Vec<DeviceUse<'_>> {
        use DeviceKind::*;
        let mut v = Vec::new();
        for (i, r) in self.raids.iter().enumerate() {
            for (j, m) in r.members.iter().enumerate() {
                v.push(DeviceUse {
                    key: format!("storage.raids[{i}].members[{j}]"),
                    name: m,
                    allowed: &[Partition],
                });
            }
        }
        for (i, g) in self.volume_groups.iter().enumerate() {
            for (j, pv) in g.on.iter().enumerate() {
                v.push(DeviceUse {
                    key: format!("storage.volume_groups[{i}].on[{j}]"),
                    name: pv,
                    allowed: &[Partition, Raid, Crypt],
                });
            }
        }
        for (i, c) in self.encrypted.iter().enumerate() {
            v.push(DeviceUse {
                key: format!("storage.encrypted[{i}].on"),
                name: &c.on,
                allowed: &[Partition, Raid, Volume],
            });
        }
        v
    }
}

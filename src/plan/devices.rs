//! The storage layers between partitions and filesystems: mdadm arrays, LUKS2 containers,
//! LVM volume groups and logical volumes. Each refers to the devices it is made on by
//! `DeviceRef`; `Plan::build_order` gives the order the engine makes them in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::{RaidLevel, Size};

/// A device a filesystem, an array member, a container or a physical volume is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DeviceRef {
    /// Partition `number` of `disks[disk]`.
    Partition { disk: usize, number: u32 },
    /// `arrays[index]`.
    Array { index: usize },
    /// `crypts[index]` (the opened container).
    Crypt { index: usize },
    /// `volumes[index]`.
    Volume { index: usize },
}

/// An mdadm array (metadata 1.2), made without waiting for the initial resync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArraySetup {
    /// /dev/md/NAME.
    pub name: String,
    pub level: RaidLevel,
    pub members: Vec<DeviceRef>,
    /// Usable size, estimated before the array exists (mdadm keeps some of each member).
    pub size_bytes: u64,
}

/// A LUKS2 container, opened as /dev/mapper/NAME.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CryptSetup {
    pub name: String,
    pub on: DeviceRef,
    /// Usable size: the device's less the LUKS2 header.
    pub size_bytes: u64,
}

/// How the containers are unlocked at boot. The passphrase itself is never in the plan's
/// data (`plan --json`, saved plans): it travels beside it, in memory only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnlockSetup {
    /// A passphrase unlocks them (typed at the console, or the recovery key with TPM2).
    pub passphrase: bool,
    /// The TPM2 PCRs the key is sealed to, when the TPM unlocks them too.
    pub tpm2_pcrs: Option<Vec<u8>>,
    /// The answer asked for TPM2 but the machine has no TPM 2.0: the passphrase alone
    /// unlocks them.
    #[serde(default)]
    pub tpm2_missing: bool,
    #[serde(skip)]
    #[schemars(skip)]
    pub secret: Option<Secret>,
}

/// A passphrase: never printed, compared or serialised by accident.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// An LVM volume group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GroupSetup {
    pub name: String,
    /// Its physical volumes.
    pub on: Vec<DeviceRef>,
    /// Estimated usable size: whole extents of every physical volume.
    pub size_bytes: u64,
}

/// An LVM logical volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VolumeSetup {
    /// `groups[group]`.
    pub group: usize,
    pub name: String,
    /// As asked: bytes (made as that many, rounded up to extents), a share of the group, or
    /// the rest of it.
    pub size: Size,
    /// Estimated size.
    pub size_bytes: u64,
}

/// LVM's default extent: sizes are whole extents.
pub const EXTENT_BYTES: u64 = 4 * crate::units::MIB;
/// What a LUKS2 header (with its keyslots area) takes at the front of the device.
pub const LUKS2_HEADER_BYTES: u64 = 16 * crate::units::MIB;
/// What a physical volume's label and metadata area take (pvcreate's default, aligned).
pub const PV_METADATA_BYTES: u64 = crate::units::MIB;

/// What mdadm keeps of each member for metadata 1.2 (superblock, bitmap, and the data
/// offset it leaves for reshapes): 128 MiB on large members, less on small ones.
pub fn md_reserved_bytes(member_bytes: u64) -> u64 {
    use crate::units::MIB;
    (member_bytes / 64).clamp(MIB, 128 * MIB)
}

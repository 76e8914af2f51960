//! The target system as the engine builds it: the formatted partitions and where the root
//! is mounted. Produced by the format and mount steps, read by the ones after.

use std::path::{Component, Path, PathBuf};

use crate::answer::FsType;
use crate::plan::{DeviceRef, Role};

/// Where the target's root filesystem is mounted.
pub const SYSIMAGE: &str = "/mnt/sysimage";

/// A partition after the format step.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatted {
    /// The device of the plan it is on.
    pub on: DeviceRef,
    /// The partition's number (0 for an array, container or volume).
    pub number: u32,
    pub role: Role,
    /// "/dev/loop0p3".
    pub device: PathBuf,
    pub fs: FsType,
    /// Filesystem UUID as libblkid reads it back (None for bios-boot).
    pub uuid: Option<String>,
    pub part_uuid: Option<String>,
    pub label: Option<String>,
    pub mount: Option<String>,
    pub options: Option<String>,
}

impl Formatted {
    /// Mount options: the plan's, else the defaults Fedora writes. The mount step and
    /// fstab use the same, so the installed system mounts what the installer mounted.
    pub fn mount_options(&self) -> String {
        match self.options.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => o.to_owned(),
            _ if self.fs == FsType::Vfat => crate::plan::ESP_OPTIONS.into(),
            _ => "defaults".into(),
        }
    }
}

/// The filesystems that get mounted, in mount order: by depth, table order within a depth
/// (for the mount step and for fstab's lines alike).
pub fn mount_order(formatted: &[Formatted]) -> Vec<&Formatted> {
    let mut v: Vec<&Formatted> = formatted
        .iter()
        .filter(|f| f.mount.is_some() && !matches!(f.fs, FsType::Swap | FsType::None))
        .collect();
    v.sort_by_key(|f| f.mount.as_deref().map(depth).unwrap_or(0));
    v
}

/// Depth of a mount point ("/" is 0, "/boot/efi" is 2): parents sort before children.
fn depth(mount: &str) -> usize {
    Path::new(mount)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count()
}

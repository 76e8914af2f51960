//! The target system as the engine builds it: the formatted partitions and where the root
//! is mounted. Produced by the format and mount steps, read by the ones after.

use std::path::PathBuf;

use crate::answer::FsType;
use crate::plan::Role;

/// Where the target's root filesystem is mounted.
pub const SYSIMAGE: &str = "/mnt/sysimage";

/// A partition after the format step.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatted {
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

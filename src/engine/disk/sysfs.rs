//! Kernel names of disks and partitions, from sysfs.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const CLASS_BLOCK: &str = "/sys/class/block";

/// "loop3" for an open /dev/loop3 (or a /dev/disk/by-id link to it), from its device number.
pub fn kernel_name(f: &fs::File) -> io::Result<String> {
    let rdev = f.metadata()?.rdev();
    let (maj, min) = (nix::sys::stat::major(rdev), nix::sys::stat::minor(rdev));
    let link = fs::read_link(format!("/sys/dev/block/{maj}:{min}"))?;
    link.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::other(format!("no sysfs name for block device {maj}:{min}")))
}

/// The kernel's name for partition `n` of `disk`: a disk name ending in a digit gets a "p"
/// (loop3p1, nvme0n1p1, mmcblk0p1), others not (sda1, vda1).
pub fn partition_name(disk: &str, n: u32) -> String {
    if disk.ends_with(|c: char| c.is_ascii_digit()) {
        format!("{disk}p{n}")
    } else {
        format!("{disk}{n}")
    }
}

pub fn dev_node(name: &str) -> PathBuf {
    Path::new("/dev").join(name)
}

/// A partition the kernel currently knows about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelPartition {
    pub name: String,
    pub number: u32,
    /// In 512-byte units, whatever the logical sector size (the kernel's convention).
    pub start: u64,
    pub size: u64,
}

/// The partitions of `disk` the kernel lists now, by number.
pub fn partitions(disk: &str) -> Vec<KernelPartition> {
    let Ok(dir) = fs::read_dir(Path::new(CLASS_BLOCK).join(disk)) else {
        return Vec::new();
    };
    let mut parts: Vec<KernelPartition> = dir
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let number = read_u64(&e.path().join("partition"))?;
            Some(KernelPartition {
                number: u32::try_from(number).ok()?,
                start: read_u64(&e.path().join("start"))?,
                size: read_u64(&e.path().join("size"))?,
                name,
            })
        })
        .collect();
    parts.sort_by_key(|p| p.number);
    parts
}

/// (major, minor) of a block device by kernel name.
pub fn dev_numbers(name: &str) -> Option<(u64, u64)> {
    let s = fs::read_to_string(Path::new(CLASS_BLOCK).join(name).join("dev")).ok()?;
    let (maj, min) = s.trim().split_once(':')?;
    Some((maj.parse().ok()?, min.parse().ok()?))
}

fn read_u64(p: &Path) -> Option<u64> {
    fs::read_to_string(p).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_rule() {
        assert_eq!(partition_name("loop3", 1), "loop3p1");
        assert_eq!(partition_name("nvme0n1", 2), "nvme0n1p2");
        assert_eq!(partition_name("mmcblk0", 3), "mmcblk0p3");
        assert_eq!(partition_name("sda", 1), "sda1");
        assert_eq!(partition_name("vdb", 12), "vdb12");
    }
}

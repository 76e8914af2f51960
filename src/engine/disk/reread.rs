//! Making the kernel and /dev see the new table: BLKRRPART with retries, BLKPG for kernels
//! without a GPT parser, udev settle, and waiting for the partition nodes.

use std::fs::File;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

use nix::errno::Errno;

use super::check::Geometry;
use super::ioctl;
use super::sysfs::{self, KernelPartition};
use crate::cmd::{Cmd, CmdError};
use crate::plan::PlannedPartition;

pub const REREAD_TRIES: u32 = 10;
const NODE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long devtmpfs or udev get to create a node before we make it ourselves (no udev only).
const MKNOD_GRACE: Duration = Duration::from_secs(1);

/// Why the kernel's view could not be brought in line with the new table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RereadFailure {
    /// The kernel kept answering EBUSY: a partition is open, mounted, or held.
    pub busy: bool,
    pub why: String,
}

/// BLKRRPART, retried with backoff while the kernel says EBUSY (udev's blkid or a desktop
/// automounter often holds a partition open for a moment). About 5 s in all.
pub fn reread(f: &File, disk: &str) -> Result<(), RereadFailure> {
    let mut delay = Duration::from_millis(100);
    let mut last = Errno::UnknownErrno;
    let start = Instant::now();
    for attempt in 1..=REREAD_TRIES {
        match ioctl::reread_partitions(f) {
            Ok(()) => return Ok(()),
            Err(Errno::EBUSY) => last = Errno::EBUSY,
            Err(e) => return Err(not_busy(disk, e)),
        }
        if attempt < REREAD_TRIES {
            sleep(delay);
            delay = (delay * 2).min(Duration::from_millis(800));
        }
    }
    Err(RereadFailure {
        busy: true,
        why: format!(
            "the kernel could not re-read the partition table because a partition of /dev/{disk} \
             is in use (mounted, open, active swap, or held by device-mapper/md): \
             still {last} after {REREAD_TRIES} tries over {:.1} s",
            start.elapsed().as_secs_f64()
        ),
    })
}

fn not_busy(disk: &str, e: Errno) -> RereadFailure {
    let hint = if e == Errno::EINVAL && disk.starts_with("loop") {
        " (a loop device needs partition scanning: losetup --partscan)"
    } else {
        ""
    };
    RereadFailure {
        busy: false,
        why: format!("BLKRRPART: {e}{hint}"),
    }
}

/// After a re-read, checks that the kernel lists every planned partition where it was
/// planned. A kernel built without the GPT parser lists none: then they are added one by
/// one with BLKPG, the way `partx --add` does. Returns whether BLKPG was used.
pub fn ensure_kernel_partitions(
    f: &File,
    disk: &str,
    geo: Geometry,
    parts: &[PlannedPartition],
) -> Result<bool, RereadFailure> {
    let ss = u64::from(geo.sector_size);
    let listed = sysfs::partitions(disk);
    let used_blkpg = listed.is_empty() && !parts.is_empty();
    if used_blkpg {
        for p in parts {
            let start = p.first_lba * ss;
            let len = (p.last_lba - p.first_lba + 1) * ss;
            ioctl::add_partition(f, p.number, start, len).map_err(|e| RereadFailure {
                busy: e == Errno::EBUSY,
                why: format!("adding partition {} with BLKPG: {e}", p.number),
            })?;
        }
    }
    let listed = sysfs::partitions(disk);
    for p in parts {
        let want = KernelPartition {
            name: String::new(),
            number: p.number,
            start: p.first_lba * ss / 512,
            size: (p.last_lba - p.first_lba + 1) * ss / 512,
        };
        match listed.iter().find(|k| k.number == p.number) {
            Some(k) if k.start == want.start && k.size == want.size => {}
            Some(k) => {
                return Err(RereadFailure {
                    busy: false,
                    why: format!(
                        "the kernel sees partition {} at {}+{} (512-byte units), planned {}+{}",
                        p.number, k.start, k.size, want.start, want.size
                    ),
                });
            }
            None => {
                return Err(RereadFailure {
                    busy: false,
                    why: format!("the kernel does not list partition {}", p.number),
                });
            }
        }
    }
    if let Some(extra) = listed
        .iter()
        .find(|k| !parts.iter().any(|p| p.number == k.number))
    {
        return Err(RereadFailure {
            busy: false,
            why: format!("the kernel still lists old partition {}", extra.name),
        });
    }
    Ok(used_blkpg)
}

/// True when udevd runs (its control socket exists); this installer also runs where it does not.
pub fn udev_running() -> bool {
    Path::new("/run/udev/control").exists()
}

/// `udevadm settle`, when there is a udev to wait for. None when skipped.
pub fn settle() -> Option<Result<(), CmdError>> {
    if !udev_running() || crate::cmd::find_program("udevadm").is_none() {
        return None;
    }
    Some(
        Cmd::new("udevadm")
            .args(["settle", "--timeout=10"])
            .run()
            .map(drop),
    )
}

/// Waits until /dev has a block node for each partition, with the device number sysfs
/// gives. Returns the nodes in table order, or the names still missing at the timeout.
pub fn wait_for_nodes(disk: &str, parts: &[PlannedPartition]) -> Result<Vec<PathBuf>, Vec<String>> {
    let names: Vec<String> = parts
        .iter()
        .map(|p| kernel_partition_name(disk, p.number))
        .collect();
    let udev = udev_running();
    let start = Instant::now();
    loop {
        let mut missing = Vec::new();
        for name in &names {
            if node_ready(name) {
                continue;
            }
            // Without udev nobody else will make the node when /dev is not a devtmpfs, so
            // after a grace period make it from the device number the kernel publishes.
            if !udev && start.elapsed() >= MKNOD_GRACE && make_node(name).is_ok() {
                continue;
            }
            missing.push(name.clone());
        }
        if missing.is_empty() {
            return Ok(names.iter().map(|n| sysfs::dev_node(n)).collect());
        }
        if start.elapsed() >= NODE_TIMEOUT {
            return Err(missing);
        }
        sleep(Duration::from_millis(50));
    }
}

/// The name the kernel gave partition `n`, falling back to the naming rule.
fn kernel_partition_name(disk: &str, n: u32) -> String {
    sysfs::partitions(disk)
        .into_iter()
        .find(|k| k.number == n)
        .map(|k| k.name)
        .unwrap_or_else(|| sysfs::partition_name(disk, n))
}

fn node_ready(name: &str) -> bool {
    let Some((maj, min)) = sysfs::dev_numbers(name) else {
        return false;
    };
    std::fs::metadata(sysfs::dev_node(name))
        .map(|m| m.file_type().is_block_device() && m.rdev() == nix::sys::stat::makedev(maj, min))
        .unwrap_or(false)
}

fn make_node(name: &str) -> nix::Result<()> {
    use nix::sys::stat::{Mode, SFlag, makedev, mknod};
    let (maj, min) = sysfs::dev_numbers(name).ok_or(Errno::ENOENT)?;
    let node = sysfs::dev_node(name);
    // A stale node with another device number is replaced.
    if node.exists() {
        std::fs::remove_file(&node).map_err(|_| Errno::EEXIST)?;
    }
    mknod(
        &node,
        SFlag::S_IFBLK,
        Mode::from_bits_truncate(0o660),
        makedev(maj, min),
    )
}

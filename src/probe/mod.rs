//! What the installer finds on this machine: disks, NICs, firmware. Reads sysfs, /proc and
//! /dev below a root directory so tests can hand it a fake tree; writes nothing.
//!
//! One concern per file: `disks` (sysfs block devices), `contents` (libblkid: partition
//! tables and filesystems), `usage` (mounts, swap, holders, running system, install media),
//! `stacks` (md arrays and device-mapper devices on the disks), `nics`, `firmware`
//! (firmware, CPU, memory), `identity` (MACs, SMBIOS serial and UUID, host name: who the
//! machine is to a provisioning server), `table` (the readable output), `sysfs` (reading
//! attribute files).

mod contents;
mod disks;
mod firmware;
mod identity;
mod live;
mod nics;
mod stacks;
mod sysfs;
mod table;
mod types;
mod usage;

use std::path::{Path, PathBuf};

pub use identity::{Identity, identity};
pub use live::{KNOWN_PROGRAMS, Known, LiveSystem, live_system};
pub use table::table;
pub use types::*;

/// Why the probe could not describe the machine. Only what the installer cannot do without
/// fails the probe; a missing optional attribute (model, carrier, a device node libblkid
/// cannot open) is left as `None` instead.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parsing {}: {value:?} is not {expected}", path.display())]
    Parse {
        path: PathBuf,
        value: String,
        expected: &'static str,
    },
    #[error("{} is not a regular file (a disk image was expected)", path.display())]
    NotAnImage { path: PathBuf },
    #[error("probing {} with libblkid: {message}", path.display())]
    Blkid { path: PathBuf, message: String },
}

/// Probes the machine below `roots`: firmware, CPU, memory, every whole disk (attached loop
/// devices included, with transport `Loop`) with its partitions, filesystems and why it is
/// busy, and every network interface but loopback.
pub fn probe(roots: &Roots) -> Result<Hardware, ProbeError> {
    let mut found = disks::scan(roots)?;
    for disk in &mut found.disks {
        contents::fill(disk);
    }
    usage::mark(&mut found, roots)?;
    let stacks = stacks::scan(&found, roots);
    let cpu = firmware::cpu(roots)?;
    Ok(Hardware {
        firmware: firmware::firmware(roots),
        cpu_model: cpu.model,
        cpu_count: cpu.count,
        memory_bytes: firmware::memory_bytes(roots)?,
        disks: found.disks,
        nics: nics::scan(roots)?,
        tpm2: firmware::tpm2(roots),
        live: live::live_system(roots),
        stacks,
    })
}

/// Describes a disk image file as a disk: transport `Image`, its size, 512-byte sectors, and
/// the partition table, partitions and filesystems libblkid finds in the file itself.
/// Partitions are named `<file name>p<N>` and their `path` is `<image path>p<N>`, like a loop
/// device's partitions would be; those paths are names, not device nodes.
pub fn image_disk(path: &Path) -> Result<Disk, ProbeError> {
    let meta = std::fs::metadata(path).map_err(|source| ProbeError::Read {
        path: path.to_owned(),
        source,
    })?;
    if !meta.is_file() {
        return Err(ProbeError::NotAnImage {
            path: path.to_owned(),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut disk = Disk {
        name,
        path: path.to_owned(),
        by_id: Vec::new(),
        size_bytes: meta.len(),
        logical_sector: 512,
        physical_sector: 512,
        rotational: false,
        removable: false,
        read_only: meta.permissions().readonly(),
        model: None,
        vendor: None,
        serial: None,
        wwn: None,
        transport: Transport::Image,
        backing_file: None,
        table: None,
        partitions: Vec::new(),
        signatures: Vec::new(),
        usage: Vec::new(),
        contents_error: None,
    };
    contents::fill_image(&mut disk).map_err(|e| ProbeError::Blkid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    Ok(disk)
}

/// An image is in use when a loop device is backed by it, and so is whatever uses that
/// loop device (a mounted partition, swap, a holder): writing the image under them would
/// corrupt what they see. `disks` is the probe's list, loop devices included.
pub fn mark_attached(image: &mut Disk, disks: &[Disk]) {
    let Ok(real) = std::fs::canonicalize(&image.path) else {
        return;
    };
    for lo in disks {
        // The kernel shows the backing file's path as it was when attached.
        let backed = lo
            .backing_file
            .as_deref()
            .is_some_and(|b| b == real || std::fs::canonicalize(b).is_ok_and(|b| b == real));
        if backed {
            image.usage.push(Usage::Attached {
                device: lo.path.clone(),
            });
            image.usage.extend(lo.usage.iter().cloned());
        }
    }
}

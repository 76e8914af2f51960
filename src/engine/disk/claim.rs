//! Before the first write: the disk opened exclusively, its geometry read, and the table
//! checked against it. Every error here leaves the disk unchanged.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::check::{self, Geometry};
use super::{DiskError, holders, ioctl, sysfs};
use crate::plan::PartitionTable;

/// A disk held with O_EXCL, with what the writing steps need to know about it.
pub(super) struct Claimed {
    pub file: File,
    /// The kernel's name ("loop3", "nvme0n1").
    pub disk: String,
    pub geo: Geometry,
    pub size: u64,
}

/// Opens `device` exclusively and checks that `table` fits it.
pub(super) fn claim(device: &Path, table: &PartitionTable) -> Result<Claimed, DiskError> {
    let dev = device.to_owned();
    let open_err = |source| DiskError::Open {
        device: dev.clone(),
        source,
    };
    // O_EXCL on a block device fails with EBUSY while anything holds it or one of its
    // partitions: a mount, active swap, dm/md/LVM. It also keeps new holders away until we
    // are done.
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(nix::libc::O_EXCL)
        .open(device)
        .map_err(|source| match source.raw_os_error() {
            Some(nix::libc::EBUSY) => DiskError::InUse {
                device: dev.clone(),
                holders: holders::describe(device),
            },
            _ => open_err(source),
        })?;
    if !file
        .metadata()
        .map_err(open_err)?
        .file_type()
        .is_block_device()
    {
        return Err(DiskError::NotBlockDevice { device: dev });
    }
    let disk = sysfs::kernel_name(&file).map_err(open_err)?;
    let geo_err = |source| DiskError::Geometry {
        device: dev.clone(),
        source,
    };
    let size = ioctl::size_bytes(&file).map_err(geo_err)?;
    let sector_size = ioctl::logical_sector_size(&file).map_err(geo_err)?;
    let geo = Geometry {
        sector_size,
        sectors: size / u64::from(sector_size.max(1)),
    };
    check::check(table, geo).map_err(|p| refused(&dev, p))?;
    Ok(Claimed {
        file,
        disk,
        geo,
        size,
    })
}

fn refused(dev: &Path, p: check::Problem) -> DiskError {
    let device = dev.to_owned();
    match p {
        check::Problem::SectorSize { device: d, table } => DiskError::SectorSizeMismatch {
            device,
            device_sector_size: d,
            table_sector_size: table,
        },
        check::Problem::DoesNotFit(reason) => DiskError::DoesNotFit { device, reason },
        check::Problem::BadTable(reason) => DiskError::BadTable { device, reason },
    }
}

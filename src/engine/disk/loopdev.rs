//! Disk image files as block devices: a loop device with partition scanning, detached on drop.

use std::path::{Path, PathBuf};

use super::DiskError;
use crate::cmd::Cmd;

/// An image file attached to a loop device. Detached when dropped; call `detach` to see
/// whether that worked.
#[derive(Debug)]
pub struct AttachedImage {
    image: PathBuf,
    device: PathBuf,
    attached: bool,
}

/// Attaches `path` to a free loop device with partition scanning (`losetup --partscan`), so
/// that BLKRRPART works on it and its partitions get nodes.
pub fn attach_image(path: &Path) -> Result<AttachedImage, DiskError> {
    let out = Cmd::new("losetup")
        .args(["--find", "--show", "--partscan"])
        .arg(path)
        .run()
        .map_err(|source| DiskError::Attach {
            image: path.to_owned(),
            source,
        })?;
    let device = PathBuf::from(out.stdout.trim());
    if !device.starts_with("/dev") {
        return Err(DiskError::AttachOutput {
            image: path.to_owned(),
            output: out.stdout,
        });
    }
    Ok(AttachedImage {
        image: path.to_owned(),
        device,
        attached: true,
    })
}

impl AttachedImage {
    /// The loop device, e.g. /dev/loop3.
    pub fn device(&self) -> &Path {
        &self.device
    }

    pub fn image(&self) -> &Path {
        &self.image
    }

    /// Detaches now, reporting failure (dropping detaches too, but silently).
    pub fn detach(mut self) -> Result<(), DiskError> {
        self.attached = false;
        losetup_detach(&self.device)
    }
}

fn losetup_detach(device: &Path) -> Result<(), DiskError> {
    Cmd::new("losetup")
        .arg("--detach")
        .arg(device)
        .run()
        .map(drop)
        .map_err(|source| DiskError::Detach {
            device: device.to_owned(),
            source,
        })
}

impl Drop for AttachedImage {
    fn drop(&mut self) {
        if self.attached {
            // Nothing to report to from a destructor; `detach` is the checked way.
            let _ = losetup_detach(&self.device);
        }
    }
}

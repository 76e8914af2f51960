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
        .map_err(|source| DiskError::Detach {
            device: device.to_owned(),
            source,
        })?;
    wait_detached(device);
    Ok(())
}

/// While anything holds the device open (another program probing every block device,
/// udev), the kernel only marks it to be cleared on the last close and `losetup` returns
/// at once: wait a little for it to really let go of the image, so that a caller looking
/// right after (or re-attaching the image) finds it free.
fn wait_detached(device: &Path) {
    let Some(name) = device.file_name() else {
        return;
    };
    let backing = Path::new("/sys/block").join(name).join("loop/backing_file");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while backing.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

impl Drop for AttachedImage {
    fn drop(&mut self) {
        if self.attached {
            // Nothing to report to from a destructor; `detach` is the checked way.
            let _ = losetup_detach(&self.device);
        }
    }
}

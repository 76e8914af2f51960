//! One install per target at a time. The lock is a file in /run/lock named after the
//! target's identity (the device number of a disk, the device and inode of an image), so
//! every path to the same disk (`/dev/sda`, a by-id link, another mount point for the
//! target) meets the same lock. It is a lock file rather than a lock on the disk node
//! itself because udev defers its work on a locked whole disk, and the install needs udev.

use std::fs::File;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

const LOCK_DIR: &str = "/run/lock";

/// Held for the whole install; dropping it releases the target.
#[derive(Debug)]
pub struct TargetLock {
    _lock: Flock<File>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{} is being installed by another azl-installer (lock {}); nothing was written", .target.display(), .lock.display())]
    Held { target: PathBuf, lock: PathBuf },
    #[error("locking {} ({}): {source}", .target.display(), .lock.display())]
    Io {
        target: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },
}

/// Takes the lock for `target` (a block device or an image file), or says who holds it.
pub fn lock_target(target: &Path) -> Result<TargetLock, LockError> {
    lock_in(Path::new(LOCK_DIR), target)
}

fn lock_in(dir: &Path, target: &Path) -> Result<TargetLock, LockError> {
    let io = |lock: &Path, source| LockError::Io {
        target: target.to_owned(),
        lock: lock.to_owned(),
        source,
    };
    let meta = std::fs::metadata(target).map_err(|e| io(dir, e))?;
    let name = if meta.file_type().is_block_device() {
        let dev = meta.rdev();
        format!(
            "azl-installer.disk-{}:{}.lock",
            nix::sys::stat::major(dev),
            nix::sys::stat::minor(dev)
        )
    } else {
        format!("azl-installer.image-{}-{}.lock", meta.dev(), meta.ino())
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let lock = dir.join(name);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|e| io(&lock, e))?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(l) => Ok(TargetLock { _lock: l }),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Err(LockError::Held {
            target: target.to_owned(),
            lock,
        }),
        Err((_, e)) => Err(io(&lock, std::io::Error::from(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_image_by_another_path_is_refused_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("disk.img");
        std::fs::write(&image, b"").unwrap();
        let alias = dir.path().join("alias.img");
        std::os::unix::fs::symlink(&image, &alias).unwrap();
        let locks = dir.path().join("locks");

        let first = lock_in(&locks, &image).unwrap();
        let err = lock_in(&locks, &alias).unwrap_err();
        assert!(
            matches!(err, LockError::Held { .. })
                && err.to_string().contains("another azl-installer"),
            "{err}"
        );
        // Another image is another target.
        let other = dir.path().join("other.img");
        std::fs::write(&other, b"").unwrap();
        lock_in(&locks, &other).unwrap();
        drop(first);
        lock_in(&locks, &alias).unwrap();
    }
}

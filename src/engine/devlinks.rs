//! `/dev/disk/by-uuid` links for the filesystems just made. Tools run in the target look
//! the root up by them: Debian's grub-mkconfig writes `root=UUID=` only when
//! `/dev/disk/by-uuid/<uuid>` exists, and falls back to the device name of this moment
//! (`root=/dev/loop0p3`, which does not exist at boot). udev makes these links after mkfs on
//! a live system; where it has not (yet), or does not run at all, they are made here as udev
//! would make them, and removed again at the end of the install.

use std::path::{Path, PathBuf};

use super::target::Formatted;

const BY_UUID: &str = "/dev/disk/by-uuid";

/// The links made here; dropping it removes those that still point where they were made to.
pub struct DevLinks {
    made: Vec<(PathBuf, PathBuf)>,
}

impl DevLinks {
    /// Links every formatted filesystem's UUID to its device, unless a link is there.
    /// Failures are returned as warnings: without the links the install still works, the
    /// boot entries may just name devices instead of UUIDs.
    pub fn ensure(formatted: &[Formatted]) -> (DevLinks, Vec<String>) {
        Self::ensure_in(Path::new(BY_UUID), formatted)
    }

    fn ensure_in(dir: &Path, formatted: &[Formatted]) -> (DevLinks, Vec<String>) {
        let mut made = Vec::new();
        let mut warnings = Vec::new();
        for f in formatted {
            let Some(uuid) = &f.uuid else { continue };
            let link = dir.join(uuid);
            if link.symlink_metadata().is_ok() {
                continue;
            }
            let made_one = std::fs::create_dir_all(dir)
                .and_then(|()| std::os::unix::fs::symlink(&f.device, &link));
            match made_one {
                Ok(()) => made.push((link, f.device.clone())),
                Err(e) => warnings.push(format!("{}: {e}", link.display())),
            }
        }
        (DevLinks { made }, warnings)
    }
}

impl Drop for DevLinks {
    fn drop(&mut self) {
        for (link, device) in &self.made {
            // udev may have replaced it meanwhile: then it is udev's to keep.
            if std::fs::read_link(link).is_ok_and(|t| t == *device) {
                let _ = std::fs::remove_file(link);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::FsType;
    use crate::plan::Role;

    fn formatted(uuid: Option<&str>, device: &str) -> Formatted {
        Formatted {
            on: crate::plan::DeviceRef::Partition { disk: 0, number: 1 },
            number: 1,
            role: Role::Root,
            device: device.into(),
            fs: FsType::Ext4,
            uuid: uuid.map(String::from),
            part_uuid: None,
            label: None,
            mount: Some("/".into()),
            options: None,
        }
    }

    #[test]
    fn links_missing_uuids_and_removes_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let by_uuid = dir.path().join("disk/by-uuid");
        std::fs::create_dir_all(&by_uuid).unwrap();
        // One is already there (udev's): left alone, also at the end.
        std::os::unix::fs::symlink("/dev/sda1", by_uuid.join("aaaa")).unwrap();
        let parts = [
            formatted(Some("aaaa"), "/dev/loop0p1"),
            formatted(Some("bbbb"), "/dev/loop0p2"),
            formatted(None, "/dev/loop0p3"),
        ];
        let (links, warnings) = DevLinks::ensure_in(&by_uuid, &parts);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            std::fs::read_link(by_uuid.join("bbbb")).unwrap(),
            Path::new("/dev/loop0p2")
        );
        assert_eq!(
            std::fs::read_link(by_uuid.join("aaaa")).unwrap(),
            Path::new("/dev/sda1")
        );
        drop(links);
        assert!(by_uuid.join("bbbb").symlink_metadata().is_err());
        assert!(by_uuid.join("aaaa").symlink_metadata().is_ok());
    }
}

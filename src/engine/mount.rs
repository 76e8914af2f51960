//! The mount step: the target's filesystems under one root ("/" first, parents before
//! children), then the host's /dev, /proc, /sys and /run bound in for package scriptlets and
//! the bootloader tools. A guard unmounts all of it, in reverse, whatever happens.
//!
//! Mounting goes through mount(8): mount options are fstab text written by the user
//! (`umask=0077,noatime,...`), and mount(8) is what parses them at boot, so a bad option
//! fails here, the same way, instead of on first boot. Unmounting uses umount2(2) directly:
//! it needs no option parsing and runs from Drop and interrupt paths, where spawning a
//! program (and depending on PATH) is the wrong thing to need.

use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::mount::{MntFlags, umount2};

use crate::answer::FsType;
use crate::cmd::{Cmd, CmdError};
use crate::events::{Event, Level, Sink, Step};
use crate::mountinfo;

use super::target::{Formatted, mount_order};

/// Host trees bound into the target, in this order.
const BINDS: [&str; 4] = ["dev", "proc", "sys", "run"];

#[derive(Debug, thiserror::Error)]
pub enum MountError {
    #[error("mounting: no filesystem is planned for /")]
    NoRoot,
    #[error("creating mount point {path}: {source}")]
    MountPoint {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("mounting {what} at {target}: {source}")]
    Mount {
        what: String,
        target: PathBuf,
        source: CmdError,
    },
    #[error("unmounting {target}: {source}")]
    Unmount { target: PathBuf, source: Errno },
    #[error("reading /proc/self/mountinfo: {0}")]
    Mountinfo(std::io::Error),
    #[error("filling {device}: {source}")]
    Deferred {
        device: PathBuf,
        source: super::fat_copy::FatCopyError,
    },
}

/// Everything mounted for the install. Unmounts in reverse on `unmount_all` or on drop.
#[derive(Debug)]
pub struct MountGuard {
    root: PathBuf,
    /// Mount points in the order they were mounted.
    mounted: Vec<PathBuf>,
    /// Filesystems this kernel cannot mount (vfat on some build VMs): their mount points
    /// stay directories, copied in by `copy_deferred` before unmounting.
    deferred: Vec<Formatted>,
}

impl MountGuard {
    /// Where the target's "/" is mounted (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The mount points still held, in mount order.
    pub fn mounted(&self) -> &[PathBuf] {
        &self.mounted
    }

    /// Copies the directories standing in for unmountable filesystems into them.
    pub fn copy_deferred(&mut self, events: &dyn Sink) -> Result<(), MountError> {
        for f in std::mem::take(&mut self.deferred) {
            let rel = f.mount.as_deref().unwrap_or("/").trim_start_matches('/');
            let dir = self.root.join(rel);
            let n = super::fat_copy::copy_into(&f.device, &dir).map_err(|source| {
                MountError::Deferred {
                    device: f.device.clone(),
                    source,
                }
            })?;
            events.log(
                Step::Mount,
                Level::Info,
                format!(
                    "copied {n} entries of {} into {}",
                    dir.display(),
                    f.device.display()
                ),
            );
        }
        Ok(())
    }

    /// Unmounts everything, deepest and latest first, including whatever got mounted below
    /// our mount points since (rbind submounts, a scriptlet's mounts). Stops at the first
    /// mount that will not go; what is left stays held for another try or for Drop.
    pub fn unmount_all(&mut self) -> Result<(), MountError> {
        while let Some(top) = self.mounted.last() {
            unmount_tree(top)?;
            self.mounted.pop();
        }
        Ok(())
    }
}

impl Drop for MountGuard {
    fn drop(&mut self) {
        if self.mounted.is_empty() {
            return;
        }
        if let Err(e) = self.unmount_all() {
            tracing::warn!("{e}; detaching the remaining mounts lazily");
            // MNT_DETACH takes a whole subtree off now and frees it once no longer busy.
            for target in self.mounted.drain(..).rev() {
                if let Err(e) = umount2(&target, MntFlags::MNT_DETACH)
                    && e != Errno::EINVAL
                {
                    tracing::warn!("detaching {}: {e}", target.display());
                }
            }
        }
    }
}

/// True when something is mounted at `path` (as /proc/self/mountinfo lists it).
pub fn is_mount_point(path: &Path) -> bool {
    let Ok(canon) = path.canonicalize() else {
        return false;
    };
    mountinfo::read_own()
        .map(|mounts| mounts.iter().any(|m| m.mountpoint == canon))
        .unwrap_or(false)
}

/// Mounts the target at `root` (created if missing) and binds the host's API filesystems.
/// On failure, whatever was already mounted is unmounted again before returning.
pub fn mount_target(
    formatted: &[Formatted],
    root: &Path,
    events: &dyn Sink,
) -> Result<MountGuard, MountError> {
    let order = mount_order(formatted);
    if order.first().and_then(|f| f.mount.as_deref()) != Some("/") {
        return Err(MountError::NoRoot);
    }
    let mkdir = |path: &Path| {
        std::fs::create_dir_all(path).map_err(|source| MountError::MountPoint {
            path: path.to_owned(),
            source,
        })
    };
    mkdir(root)?;
    // mountinfo shows canonical paths; unmounting compares against them.
    let root = root
        .canonicalize()
        .map_err(|source| MountError::MountPoint {
            path: root.to_owned(),
            source,
        })?;
    let mut guard = MountGuard {
        root: root.clone(),
        mounted: Vec::new(),
        deferred: Vec::new(),
    };
    let total = (order.len() + BINDS.len()) as u64;
    let mut done = 0;
    let mut progress = |events: &dyn Sink| {
        done += 1;
        events.send(&Event::Progress {
            step: Step::Mount,
            done,
            total,
        });
    };
    let result = (|| {
        for f in &order {
            let rel = f.mount.as_deref().unwrap_or("/").trim_start_matches('/');
            let target = root.join(rel);
            mkdir(&target)?;
            let ty = f.fs.as_str();
            if f.fs == FsType::Vfat && !super::fat_copy::kernel_supports(ty) {
                events.log(
                    Step::Mount,
                    Level::Warn,
                    format!(
                        "this kernel cannot mount vfat: {} stays a directory until the end \
                         of the install, then is copied into {} with mtools",
                        target.display(),
                        f.device.display()
                    ),
                );
                guard.deferred.push((*f).clone());
                progress(events);
                continue;
            }
            let opts = f.mount_options();
            events.log(
                Step::Mount,
                Level::Info,
                format!(
                    "mounting {} ({ty}, {opts}) at {}",
                    f.device.display(),
                    target.display()
                ),
            );
            let cmd = Cmd::new("mount")
                .args(["-t", ty, "-o", &opts])
                .arg(&f.device)
                .arg(&target);
            mount(cmd, f.device.display().to_string(), &target)?;
            guard.mounted.push(target);
            progress(events);
        }
        for dir in BINDS {
            let host = Path::new("/").join(dir);
            let target = root.join(dir);
            mkdir(&target)?;
            events.log(
                Step::Mount,
                Level::Info,
                format!("binding {} at {}", host.display(), target.display()),
            );
            // rbind brings the submounts (/dev/pts, efivarfs under /sys) that the tools in
            // the target need; rslave keeps our unmounts from reaching the host's copies.
            let what = format!("{} (rbind)", host.display());
            let cmd = Cmd::new("mount").arg("--rbind").arg(&host).arg(&target);
            mount(cmd, what.clone(), &target)?;
            guard.mounted.push(target.clone());
            let cmd = Cmd::new("mount").arg("--make-rslave").arg(&target);
            mount(cmd, what, &target)?;
            progress(events);
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(guard),
        Err(e) => {
            if let Err(cleanup) = guard.unmount_all() {
                events.log(
                    Step::Mount,
                    Level::Warn,
                    format!("cleaning up after the failure: {cleanup}"),
                );
            }
            Err(e)
        }
    }
}

/// The one wrapper around mount(8).
fn mount(cmd: Cmd, what: String, target: &Path) -> Result<(), MountError> {
    cmd.run().map(drop).map_err(|source| MountError::Mount {
        what,
        target: target.to_owned(),
        source,
    })
}

/// Unmounts `top` and everything mounted below it, deepest and latest first. Usable without
/// a guard (an interrupt handler that only knows the root). Nothing mounted is not an error.
pub fn unmount_tree(top: &Path) -> Result<(), MountError> {
    let mut points: Vec<PathBuf> = mountinfo::read_own()
        .map_err(MountError::Mountinfo)?
        .into_iter()
        .map(|m| m.mountpoint)
        .filter(|p| p.starts_with(top))
        .collect();
    // mountinfo lists in mount order: reverse it, then deepest first (stable, so stacked
    // mounts on one point still come off latest first).
    points.reverse();
    points.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    for p in points {
        match umount2(&p, MntFlags::empty()) {
            // Already gone (unmounted along with a parent, or by someone else).
            Ok(()) | Err(Errno::EINVAL) | Err(Errno::ENOENT) => {}
            Err(source) => return Err(MountError::Unmount { target: p, source }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Role;

    fn f(mount: Option<&str>, fs: FsType) -> Formatted {
        Formatted {
            on: crate::plan::DeviceRef::Partition { disk: 0, number: 1 },
            number: 1,
            role: Role::Data,
            device: "/dev/x".into(),
            fs,
            uuid: None,
            part_uuid: None,
            label: None,
            mount: mount.map(String::from),
            options: None,
        }
    }

    #[test]
    fn parents_mount_before_children_and_swap_is_not_mounted() {
        let list = [
            f(Some("/boot/efi"), FsType::Vfat),
            f(Some("/var/tmp"), FsType::Xfs),
            f(None, FsType::Swap),
            f(Some("/boot"), FsType::Xfs),
            f(Some("/var"), FsType::Xfs),
            f(None, FsType::None),
            f(Some("/"), FsType::Ext4),
        ];
        let order: Vec<_> = mount_order(&list)
            .iter()
            .filter_map(|f| f.mount.as_deref())
            .collect();
        assert_eq!(order, ["/", "/boot", "/var", "/boot/efi", "/var/tmp"]);
    }

    #[test]
    fn no_root_is_refused_before_mounting_anything() {
        let rec = crate::events::Recorder::default();
        let err = mount_target(
            &[f(Some("/boot"), FsType::Xfs)],
            Path::new("/nonexistent"),
            &rec,
        )
        .unwrap_err();
        assert!(matches!(err, MountError::NoRoot), "{err}");
    }
}

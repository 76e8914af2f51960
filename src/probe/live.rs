//! The live system the installer runs from: which of the programs the installer may run
//! are missing from PATH, and whether the running kernel can mount FAT. Read before the
//! plan is made, so that a missing `mkfs.xfs` refuses the install instead of failing after
//! the disk was partitioned.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Roots;

/// A program the installer may run on the live system, and the package that provides it
/// on Azure Linux (and Fedora).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub name: &'static str,
    pub package: &'static str,
}

/// Every program the engine runs on the live system (programs run inside the target come
/// from the payload). `modprobe`, `udevadm` and `gpgconf` are left out: the engine goes on
/// without them.
pub const KNOWN_PROGRAMS: &[Known] = &[
    Known {
        name: "losetup",
        package: "util-linux",
    },
    Known {
        name: "wipefs",
        package: "util-linux",
    },
    Known {
        name: "mount",
        package: "util-linux",
    },
    Known {
        name: "mkswap",
        package: "util-linux",
    },
    Known {
        name: "mkfs.ext4",
        package: "e2fsprogs",
    },
    Known {
        name: "mkfs.xfs",
        package: "xfsprogs",
    },
    Known {
        name: "mkfs.vfat",
        package: "dosfstools",
    },
    Known {
        name: "mcopy",
        package: "mtools",
    },
    Known {
        name: "mdadm",
        package: "mdadm",
    },
    Known {
        name: "lvm",
        package: "lvm2",
    },
    Known {
        name: "cryptsetup",
        package: "cryptsetup",
    },
    Known {
        name: "systemd-cryptenroll",
        package: "systemd",
    },
    Known {
        name: "rpm",
        package: "rpm",
    },
    Known {
        name: "dnf5",
        package: "dnf5",
    },
    Known {
        name: "dnf",
        package: "dnf5",
    },
    Known {
        name: "systemctl",
        package: "systemd",
    },
    Known {
        name: "/bin/sh",
        package: "bash",
    },
];

/// What the live system offers the install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveSystem {
    /// Programs of `KNOWN_PROGRAMS` not found on PATH.
    pub missing_programs: Vec<String>,
    /// Whether the running kernel mounts FAT (built in, loaded, or as a module it can
    /// load). Without it the ESP is written with mtools (`mcopy`).
    pub kernel_mounts_vfat: bool,
}

impl Default for LiveSystem {
    /// A live system with everything: what a described (not probed) machine assumes.
    fn default() -> Self {
        LiveSystem {
            missing_programs: Vec::new(),
            kernel_mounts_vfat: true,
        }
    }
}

/// Looks at PATH and at the running kernel below `roots`.
pub fn live_system(roots: &Roots) -> LiveSystem {
    LiveSystem {
        missing_programs: KNOWN_PROGRAMS
            .iter()
            .filter(|k| crate::cmd::find_program(k.name).is_none())
            .map(|k| k.name.to_owned())
            .collect(),
        kernel_mounts_vfat: kernel_mounts(roots, "vfat"),
    }
}

/// Listed in /proc/filesystems, or a module of the running kernel (built in or loadable).
fn kernel_mounts(roots: &Roots, fstype: &str) -> bool {
    let listed = std::fs::read_to_string(roots.proc.join("filesystems")).is_ok_and(|s| {
        s.lines()
            .any(|l| l.split_whitespace().last() == Some(fstype))
    });
    if listed {
        return true;
    }
    let Ok(release) = std::fs::read_to_string(roots.proc.join("sys/kernel/osrelease")) else {
        return false;
    };
    let modules = Path::new("/lib/modules").join(release.trim());
    let module = format!("{fstype}.ko");
    ["modules.builtin", "modules.dep"].iter().any(|f| {
        std::fs::read_to_string(modules.join(f)).is_ok_and(|s| {
            s.lines().any(|l| {
                // kernel/fs/fat/vfat.ko[.xz|.zst][: dependencies]
                let file = l.split(':').next().unwrap_or("");
                file.rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with(&module))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vfat_from_proc_filesystems() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots::under(dir.path());
        std::fs::create_dir_all(&roots.proc).unwrap();
        std::fs::write(
            roots.proc.join("filesystems"),
            "nodev\tproc\n\text4\n\tvfat\n",
        )
        .unwrap();
        assert!(kernel_mounts(&roots, "vfat"));
        assert!(!kernel_mounts(&roots, "xfs"));
    }
}

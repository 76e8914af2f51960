//! The programs the install will run on the live system, decided from the plan, and the
//! refusal when one is missing: better "mkfs.xfs is missing" before anything is written
//! than after the disk was partitioned.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Finish, FsType};
use crate::probe::{Disk, KNOWN_PROGRAMS, LiveSystem, Transport};

use super::storage::StorageSetup;
use super::{DeviceRef, FilesystemSetup, Release, ReleaseAction};
use crate::answer::Issue;

/// A program the install runs on the live system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HostProgram {
    /// The program; `any_of` lists it with its alternatives when one of several will do.
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<String>,
    /// The Azure Linux package that provides it.
    pub package: String,
    /// What the install runs it for.
    pub purpose: String,
}

fn program(name: &str, purpose: impl Into<String>) -> HostProgram {
    HostProgram {
        name: name.to_owned(),
        any_of: Vec::new(),
        package: KNOWN_PROGRAMS
            .iter()
            .find(|k| k.name == name)
            .map_or(name, |k| k.package)
            .to_owned(),
        purpose: purpose.into(),
    }
}

/// Every program the install of `storage` onto `disks` runs on the live system, in the
/// order the steps use them.
pub(super) fn needed(
    answer: &Answer,
    disks: &[&Disk],
    releases: &[Release],
    storage: &StorageSetup,
    live: &LiveSystem,
) -> Vec<HostProgram> {
    let filesystems = &storage.filesystems;
    let mut v = Vec::new();
    let stops = |f: fn(&ReleaseAction) -> bool| releases.iter().any(|r| f(&r.action));
    if stops(|a| matches!(a, ReleaseAction::DeactivateGroup { .. })) {
        v.push(program(
            "lvm",
            "deactivates the old volume groups on the disks",
        ));
    }
    if stops(|a| matches!(a, ReleaseAction::CloseCrypt { .. })) {
        v.push(program(
            "cryptsetup",
            "closes the old encrypted mappings on the disks",
        ));
    }
    if stops(|a| matches!(a, ReleaseAction::StopArray { .. })) {
        v.push(program("mdadm", "stops the old RAID arrays on the disks"));
    }
    if disks.iter().any(|d| d.transport == Transport::Image) {
        v.push(program(
            "losetup",
            "attaches the disk image to a loop device",
        ));
    }
    v.push(program("wipefs", "erases the old signatures on the disk"));
    if !storage.arrays.is_empty() {
        v.push(program("mdadm", "makes the RAID arrays"));
    }
    if !storage.crypts.is_empty() {
        v.push(program(
            "cryptsetup",
            "makes and opens the LUKS2 containers",
        ));
    }
    if storage
        .unlock
        .as_ref()
        .is_some_and(|u| u.tpm2_pcrs.is_some())
    {
        v.push(program(
            "systemd-cryptenroll",
            "enrolls the TPM2 key in the LUKS2 containers",
        ));
    }
    if !storage.groups.is_empty() {
        v.push(program("lvm", "makes the LVM volume groups and volumes"));
    }
    for fs in [FsType::Vfat, FsType::Xfs, FsType::Ext4, FsType::Swap] {
        let parts: Vec<&FilesystemSetup> = filesystems.iter().filter(|f| f.fs == fs).collect();
        if let (Some(mkfs), false) = (fs.mkfs(), parts.is_empty()) {
            v.push(program(
                mkfs,
                format!("formats {} as {}", list(&parts, storage), fs.as_str()),
            ));
        }
    }
    v.push(program("mount", "mounts the new filesystems"));
    let has_esp = filesystems.iter().any(|f| f.fs == FsType::Vfat);
    if has_esp && !live.kernel_mounts_vfat {
        v.push(program(
            "mcopy",
            "writes the FAT filesystem (the running kernel cannot mount vfat)",
        ));
    }
    v.push(program(
        "rpm",
        "prepares the package database of the target",
    ));
    v.push(HostProgram {
        any_of: vec!["dnf5".into(), "dnf".into()],
        ..program("dnf5", "installs the packages")
    });
    for (i, s) in answer.scripts.post.iter().enumerate() {
        if !s.chroot {
            v.push(program(
                "/bin/sh",
                format!("runs scripts.post[{i}] in the installer environment"),
            ));
        }
    }
    let first = disks.first().map_or(Transport::Unknown, |d| d.transport);
    match super::system::finish_action(answer, first) {
        Finish::None => {}
        Finish::Reboot => v.push(program("systemctl", "reboots at the end")),
        Finish::Poweroff => v.push(program("systemctl", "powers off at the end")),
    }
    v
}

/// "partition 1 (/boot/efi)", "partitions 2 (/boot), 3 (/)", "partition 2 (/boot), volume
/// azurelinux/root (/)".
fn list(parts: &[&FilesystemSetup], storage: &StorageSetup) -> String {
    let mounted = |what: String, f: &FilesystemSetup| match &f.mount {
        Some(m) => format!("{what} ({m})"),
        None => what,
    };
    if parts
        .iter()
        .all(|f| matches!(f.on, DeviceRef::Partition { .. }))
    {
        let each: Vec<String> = parts
            .iter()
            .map(|f| match f.on {
                DeviceRef::Partition { disk: 0, number } => mounted(number.to_string(), f),
                DeviceRef::Partition { disk, number } => {
                    mounted(format!("{number} of disk {}", disk + 1), f)
                }
                _ => String::new(),
            })
            .collect();
        let noun = if each.len() == 1 {
            "partition"
        } else {
            "partitions"
        };
        return format!("{noun} {}", each.join(", "));
    }
    let each: Vec<String> = parts
        .iter()
        .map(|f| mounted(storage.describe(f.on), f))
        .collect();
    each.join(", ")
}

/// One problem for each needed program that is not on the live system.
pub(super) fn problems(needed: &[HostProgram], live: &LiveSystem) -> Vec<Issue> {
    let missing = |n: &String| live.missing_programs.contains(n);
    needed
        .iter()
        .filter(|p| {
            if p.any_of.is_empty() {
                missing(&p.name)
            } else {
                p.any_of.iter().all(missing)
            }
        })
        .map(|p| {
            let what = if p.any_of.is_empty() {
                format!("{} is not on this live system", p.name)
            } else {
                format!("none of {} is on this live system", p.any_of.join(", "))
            };
            let fs_hint = if p.name.starts_with("mkfs.") && p.name != "mkfs.vfat" {
                ", or choose another filesystem in storage.filesystem or storage.partitions[].fs"
            } else {
                ""
            };
            Issue::new(
                "live_system",
                format!("{what}; the install needs it: it {}", p.purpose),
            )
            .with_hint(format!(
                "add the {} package to the live system{fs_hint}",
                p.package
            ))
        })
        .collect()
}

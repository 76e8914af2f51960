//! The programs the install will run on the live system, decided from the plan, and the
//! refusal when one is missing: better "mkfs.xfs is missing" before anything is written
//! than after the disk was partitioned.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Finish, FsType};
use crate::probe::{Disk, KNOWN_PROGRAMS, LiveSystem, Transport};

use super::{DeviceRef, FilesystemSetup};
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

/// Every program the install of `table` onto `disk` runs on the live system, in the order
/// the steps use them.
pub(super) fn needed(
    answer: &Answer,
    disk: &Disk,
    filesystems: &[FilesystemSetup],
    live: &LiveSystem,
) -> Vec<HostProgram> {
    let mut v = Vec::new();
    if disk.transport == Transport::Image {
        v.push(program(
            "losetup",
            "attaches the disk image to a loop device",
        ));
    }
    v.push(program("wipefs", "erases the old signatures on the disk"));
    for fs in [FsType::Vfat, FsType::Xfs, FsType::Ext4, FsType::Swap] {
        let parts: Vec<&FilesystemSetup> = filesystems.iter().filter(|f| f.fs == fs).collect();
        if let (Some(mkfs), false) = (fs.mkfs(), parts.is_empty()) {
            v.push(program(
                mkfs,
                format!("formats {} as {}", list(&parts), fs.as_str()),
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
    match super::system::finish_action(answer, disk.transport) {
        Finish::None => {}
        Finish::Reboot => v.push(program("systemctl", "reboots at the end")),
        Finish::Poweroff => v.push(program("systemctl", "powers off at the end")),
    }
    v
}

/// "partition 1 (/boot/efi)", "partitions 2 (/boot), 3 (/)".
fn list(parts: &[&FilesystemSetup]) -> String {
    let each: Vec<String> = parts
        .iter()
        .map(|f| {
            let DeviceRef::Partition { number, .. } = f.on;
            match &f.mount {
                Some(m) => format!("{number} ({m})"),
                None => number.to_string(),
            }
        })
        .collect();
    let noun = if each.len() == 1 {
        "partition"
    } else {
        "partitions"
    };
    format!("{noun} {}", each.join(", "))
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

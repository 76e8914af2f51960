//! mdadm, wrapped once: make an array (metadata 1.2, named, started without waiting for the
//! initial resync), stop it, and zero the superblocks of an array made by this install.

use std::path::{Path, PathBuf};

use crate::answer::RaidLevel;
use crate::cmd::{Cmd, CmdError};

/// `/dev/md/NAME`: the link mdadm (or udev) makes for a named array.
pub fn node(name: &str) -> PathBuf {
    PathBuf::from("/dev/md").join(name)
}

/// Makes array `name` of `level` over `members` and starts it. `--run` answers mdadm's
/// questions (members that look used, metadata 1.2 on a boot array) with yes: the plan
/// has checked the members, and the partition step has wiped them.
pub fn create(name: &str, level: RaidLevel, members: &[PathBuf]) -> Result<PathBuf, CmdError> {
    let node = node(name);
    Cmd::new("mdadm")
        .arg("--create")
        .arg(&node)
        .args(["--run", "--metadata=1.2", "--homehost=any"])
        .arg(format!("--name={name}"))
        .arg(format!("--level={}", level.number()))
        .arg(format!("--raid-devices={}", members.len()))
        // A write-intent bitmap: a member back after a crash or an absence resyncs only
        // what changed (mdadm 4.3 would ask about it otherwise). RAID 0 has nothing to sync.
        .args((level != RaidLevel::Raid0).then_some("--bitmap=internal"))
        .args(members)
        .run()?;
    Ok(node)
}

/// Stops the array at `node`.
pub fn stop(node: &Path) -> Result<(), CmdError> {
    Cmd::new("mdadm").arg("--stop").arg(node).run().map(drop)
}

/// Zeroes the md superblock of a member, so no system assembles a half-made array later.
pub fn zero_superblock(member: &Path) -> Result<(), CmdError> {
    Cmd::new("mdadm")
        .arg("--zero-superblock")
        .arg(member)
        .run()
        .map(drop)
}

/// `ARRAY` lines for /etc/mdadm.conf of the arrays now running (`mdadm --detail --scan`).
pub fn scan() -> Result<String, CmdError> {
    Cmd::new("mdadm")
        .args(["--detail", "--scan"])
        .run()
        .map(|o| o.stdout)
}

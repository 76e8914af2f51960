//! LVM, wrapped once: physical volumes, a group, its volumes, and deactivating the group.
//! Every command names the devices it may look at (`--devices`), so LVM never reads or
//! touches a disk that is not the install's; only deactivating an old system's group names
//! none (LVM must see all of its physical volumes, and deactivating only reads them).

use std::path::{Path, PathBuf};

use crate::answer::Size;
use crate::cmd::{Cmd, CmdError};

/// `lvm SUB --devices LIST`; no devices: every device LVM finds.
fn lvm(sub: &str, devices: &[PathBuf]) -> Cmd {
    let list: Vec<String> = devices.iter().map(|d| d.display().to_string()).collect();
    let cmd = Cmd::new("lvm").arg(sub);
    if list.is_empty() {
        cmd
    } else {
        cmd.arg("--devices").arg(list.join(","))
    }
}

/// Makes `pvs` physical volumes and the group `name` over them.
pub fn create_group(name: &str, pvs: &[PathBuf]) -> Result<(), CmdError> {
    lvm("pvcreate", pvs)
        .args(["--yes", "--force"])
        .args(pvs)
        .run()?;
    lvm("vgcreate", pvs).arg(name).args(pvs).run().map(drop)
}

/// Makes volume `name` in `group`: absolute sizes rounded up to extents, shares of the
/// group, or what is left.
pub fn create_volume(
    group: &str,
    name: &str,
    size: Size,
    pvs: &[PathBuf],
) -> Result<PathBuf, CmdError> {
    let extent = match size {
        Size::Bytes(b) => format!("--size={b}b"),
        Size::Percent(p) => format!("--extents={p}%VG"),
        Size::Rest => "--extents=100%FREE".into(),
    };
    lvm("lvcreate", pvs)
        .args(["--yes", "--wipesignatures", "y", "--zero", "y"])
        .arg(extent)
        .arg(format!("--name={name}"))
        .arg(group)
        .run()?;
    Ok(Path::new("/dev").join(group).join(name))
}

/// Deactivates every volume of `group` (the devices go; the data stays); `pvs` empty for an
/// old system's group found running on the target disks.
pub fn deactivate(group: &str, pvs: &[PathBuf]) -> Result<(), CmdError> {
    lvm("vgchange", pvs)
        .args(["--activate", "n"])
        .arg(group)
        .run()
        .map(drop)
}

//! The format step: each filesystem (or swap signature) of the plan on its device, then
//! each UUID read back from the disk, since fstab and the bootloader refer to them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use blkid::prober::{ProbeState, Prober};
use blkid::{BlkIdError, PartitionsFlags, SuperblocksFlags};

use crate::answer::FsType;
use crate::cmd::{Cmd, CmdError};
use crate::events::{Event, Level, Sink, Step};
use crate::plan::{DeviceRef, FilesystemSetup, Plan};

use super::layers::Nodes;

use super::target::Formatted;

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("formatting: the plan puts a filesystem on {0}, which was not made")]
    NoDevice(String),
    #[error("formatting {device} as {fs}: {source}")]
    Mkfs {
        device: PathBuf,
        fs: &'static str,
        source: CmdError,
    },
    #[error("reading back the filesystem on {device}: {source}")]
    Probe { device: PathBuf, source: BlkIdError },
    #[error("reading back the filesystem on {device}: expected {expected}, found {found}")]
    WrongType {
        device: PathBuf,
        expected: &'static str,
        found: String,
    },
    #[error("reading back the filesystem on {device}: it has no UUID")]
    NoUuid { device: PathBuf },
}

/// Makes each of the plan's filesystems on its device (`nodes`: the partitions and layers
/// the steps before made).
pub fn format(
    plan: &Plan,
    nodes: &Nodes,
    events: &dyn Sink,
) -> Result<Vec<Formatted>, FormatError> {
    let sector_size = |d: DeviceRef| match d {
        DeviceRef::Partition { disk, .. } => {
            plan.disks.get(disk).map_or(512, |d| d.table.sector_size)
        }
        _ => 512,
    };
    format_on(&plan.filesystems, nodes, sector_size, events)
}

/// Makes `filesystems` on their devices in `nodes`; `sector_size` of a device decides how
/// mkfs.vfat counts.
pub fn format_on(
    filesystems: &[FilesystemSetup],
    nodes: &Nodes,
    sector_size: impl Fn(DeviceRef) -> u32,
    events: &dyn Sink,
) -> Result<Vec<Formatted>, FormatError> {
    let total = filesystems.len() as u64;
    let mut out = Vec::with_capacity(filesystems.len());
    for (i, f) in filesystems.iter().enumerate() {
        let node = nodes
            .get(f.on)
            .ok_or_else(|| FormatError::NoDevice(format!("{:?}", f.on)))?;
        // A partition's own number (the ESP's, for its firmware boot entry); 0 for layers.
        let number = match f.on {
            DeviceRef::Partition { number, .. } => number,
            _ => 0,
        };
        let sector_size = sector_size(f.on);
        let label = f.label.as_deref().map(|l| fs_label(f.fs, l));
        if f.keep {
            events.log(
                Step::Format,
                Level::Info,
                format!(
                    "keeping the {} on {} as it is",
                    f.fs.as_str(),
                    node.display()
                ),
            );
        } else if let Some(cmd) = mkfs(f.fs, node, label.as_deref(), sector_size) {
            events.log(
                Step::Format,
                Level::Info,
                format!("creating {} on {}", f.fs.as_str(), node.display()),
            );
            run_mkfs(&cmd, node, events).map_err(|source| FormatError::Mkfs {
                device: node.clone(),
                fs: f.fs.as_str(),
                source,
            })?;
        }
        let found = read_back(node, f.fs)?;
        if let Some(uuid) = &found.uuid {
            events.log(
                Step::Format,
                Level::Debug,
                format!("{} has UUID {uuid}", node.display()),
            );
        }
        out.push(Formatted {
            on: f.on,
            number,
            role: f.role,
            device: node.clone(),
            fs: f.fs,
            uuid: found.uuid,
            part_uuid: found.part_uuid,
            label: found.label.or(label),
            mount: f.mount.clone(),
            options: f.options.clone(),
        });
        events.send(&Event::Progress {
            step: Step::Format,
            done: i as u64 + 1,
            total,
        });
    }
    Ok(out)
}

/// mkfs opens the new partition exclusively, and something may hold it for a moment (on a
/// real system udev probes every new partition). A few tries, about 4 s in all, saying who
/// holds it, before the step fails.
fn run_mkfs(cmd: &Cmd, node: &Path, events: &dyn Sink) -> Result<(), CmdError> {
    const TRIES: u32 = 5;
    let mut wait = Duration::from_millis(250);
    for attempt in 1..TRIES {
        match cmd.run() {
            // mkfs.vfat, mkfs.xfs, mkswap: EBUSY's text; mkfs.ext4 says it its own way.
            Err(CmdError::Failed { stderr, .. })
                if stderr.contains("Device or resource busy")
                    || stderr.contains("is apparently in use by the system") =>
            {
                events.log(
                    Step::Format,
                    Level::Warn,
                    format!(
                        "{} is busy ({}); trying again in {wait:?} ({attempt} of {TRIES})",
                        node.display(),
                        crate::engine::disk::holders_of(node)
                    ),
                );
                std::thread::sleep(wait);
                wait *= 2;
            }
            other => return other.map(drop),
        }
    }
    cmd.run().map(drop)
}

/// The label as the filesystem stores it. Validation already bounds the length; FAT labels
/// are upper case by convention (lower case ones confuse some firmware), and the bound here
/// only keeps mkfs from refusing a label that slipped past.
fn fs_label(fs: FsType, label: &str) -> String {
    let (label, max) = match fs {
        FsType::Vfat => (label.to_uppercase(), 11),
        FsType::Xfs => (label.to_owned(), 12),
        FsType::Ext4 | FsType::Swap => (label.to_owned(), 16),
        FsType::None => (label.to_owned(), usize::MAX),
    };
    let mut end = label.len().min(max);
    while !label.is_char_boundary(end) {
        end -= 1;
    }
    label[..end].to_owned()
}

/// The one command that creates each kind of filesystem (`FsType::mkfs`, which the plan
/// also checks for); None for bios-boot.
fn mkfs(fs: FsType, node: &Path, label: Option<&str>, sector_size: u32) -> Option<Cmd> {
    let cmd = Cmd::new(fs.mkfs()?);
    let cmd = match fs {
        FsType::Vfat => {
            // mkfs.vfat guesses 512-byte sectors on a 4Kn device unless told.
            let c = cmd.args(["-F", "32"]);
            let c = if sector_size > 512 {
                c.args(["-S", &sector_size.to_string()])
            } else {
                c
            };
            with_label(c, "-n", label)
        }
        FsType::Xfs => with_label(cmd.arg("-f"), "-L", label),
        FsType::Ext4 => with_label(cmd.args(["-F", "-q"]), "-L", label),
        FsType::Swap => with_label(cmd, "-L", label),
        FsType::None => return None,
    };
    Some(cmd.arg(node))
}

fn with_label(cmd: Cmd, flag: &str, label: Option<&str>) -> Cmd {
    match label {
        Some(l) => cmd.args([flag, l]),
        None => cmd,
    }
}

#[derive(Debug, Default)]
struct Found {
    uuid: Option<String>,
    part_uuid: Option<String>,
    label: Option<String>,
}

/// What libblkid now reads on `node`: the filesystem must be the one just made. The
/// partition entry (PARTUUID) comes from the whole disk's table, which libblkid finds
/// through sysfs.
fn read_back(node: &Path, fs: FsType) -> Result<Found, FormatError> {
    let probe_err = |source| FormatError::Probe {
        device: node.to_owned(),
        source,
    };
    let values = probe(node).map_err(probe_err)?;
    let get = |k: &str| values.get(k).filter(|v| !v.is_empty()).cloned();
    let found = Found {
        uuid: get("UUID"),
        part_uuid: get("PART_ENTRY_UUID"),
        label: get("LABEL"),
    };
    if fs == FsType::None {
        return Ok(Found {
            uuid: None,
            label: None,
            ..found
        });
    }
    let expected = fs.as_str();
    let ty = get("TYPE").unwrap_or_else(|| "nothing".into());
    if ty != expected {
        return Err(FormatError::WrongType {
            device: node.to_owned(),
            expected,
            found: ty,
        });
    }
    if found.uuid.is_none() {
        return Err(FormatError::NoUuid {
            device: node.to_owned(),
        });
    }
    Ok(found)
}

fn probe(node: &Path) -> Result<HashMap<String, String>, BlkIdError> {
    let pr = Prober::new_from_filename(node)?;
    pr.enable_superblocks(true)?;
    pr.set_superblocks_flags(
        SuperblocksFlags::TYPE | SuperblocksFlags::LABEL | SuperblocksFlags::UUID,
    )?;
    pr.enable_partitions(true)?;
    pr.set_partitions_flags(PartitionsFlags::ENTRY_DETAILS)?;
    match pr.do_safe_probe()? {
        ProbeState::Success => pr.get_values_map(),
        // A bios-boot partition holds nothing libblkid knows.
        _ => Ok(HashMap::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fat_labels_are_upper_case_and_bounded() {
        assert_eq!(fs_label(FsType::Vfat, "esp"), "ESP");
        assert_eq!(fs_label(FsType::Vfat, "efi-system-part"), "EFI-SYSTEM-");
        assert_eq!(fs_label(FsType::Xfs, "boot"), "boot");
        assert_eq!(fs_label(FsType::Xfs, "ééééééé"), "éééééé");
    }

    #[test]
    fn each_filesystem_has_its_command() {
        let node = Path::new("/dev/loop9p1");
        let line = |fs, ss| mkfs(fs, node, Some("L"), ss).map(|c| c.cmdline());
        assert_eq!(
            line(FsType::Vfat, 512).as_deref(),
            Some("mkfs.vfat -F 32 -n L /dev/loop9p1")
        );
        assert_eq!(
            line(FsType::Vfat, 4096).as_deref(),
            Some("mkfs.vfat -F 32 -S 4096 -n L /dev/loop9p1")
        );
        assert_eq!(
            line(FsType::Xfs, 512).as_deref(),
            Some("mkfs.xfs -f -L L /dev/loop9p1")
        );
        assert_eq!(
            line(FsType::Ext4, 512).as_deref(),
            Some("mkfs.ext4 -F -q -L L /dev/loop9p1")
        );
        assert_eq!(
            line(FsType::Swap, 512).as_deref(),
            Some("mkswap -L L /dev/loop9p1")
        );
        assert_eq!(line(FsType::None, 512), None);
    }
}

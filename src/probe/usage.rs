//! Why a disk is busy: mounted (proc/self/mountinfo), swap (proc/swaps), held by
//! device-mapper or md (sysfs `holders`), holding the running system (the device mounted at
//! "/", followed down through `slaves`) or the install media.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::mountinfo;

use super::disks::{Found, node};
use super::sysfs::{attr, names, required};
use super::{ProbeError, Roots, Usage};

/// Where the installer's boot media is mounted: Anaconda-style ISOs mount the repository at
/// /run/install/repo (or /run/install/media when it comes from another disk), dracut's
/// dmsquash-live mounts the live medium at /run/initramfs/live. Any mounted iso9660 counts
/// too: writing over a CD image we were started from would pull the rug from under us.
const MEDIA_MOUNTPOINTS: &[&str] = &[
    "/run/install/repo",
    "/run/install/media",
    "/run/initramfs/live",
];
const MEDIA_FSTYPE: &str = "iso9660";

/// Stacks deeper than this (dm on md on dm…) are not followed further.
pub(super) const MAX_DEPTH: usize = 8;

/// Adds every usage reason to the disks in `found`.
pub fn mark(found: &mut Found, roots: &Roots) -> Result<(), ProbeError> {
    let graph = Graph::new(found, roots);
    let mut reasons: Vec<(usize, Usage)> = Vec::new();

    for (i, disk) in found.disks.iter().enumerate() {
        let block = roots.sys.join("block").join(&disk.name);
        let devices = std::iter::once((disk.name.clone(), block.clone())).chain(
            disk.partitions
                .iter()
                .map(|p| (p.name.clone(), block.join(&p.name))),
        );
        for (name, dir) in devices {
            for holder in names(&dir.join("holders")) {
                let holder = match attr(&roots.sys.join("block").join(&holder).join("dm/name")) {
                    Some(dm_name) => format!("{holder} ({dm_name})"),
                    None => holder,
                };
                reasons.push((
                    i,
                    Usage::Held {
                        device: node(roots, &name),
                        holder,
                    },
                ));
            }
        }
    }

    let mountinfo = roots.proc.join("self/mountinfo");
    for m in mountinfo::parse(&required(&mountinfo)?) {
        let Some(name) = graph.resolve(&m.devno, &m.source) else {
            continue;
        };
        for i in graph.disks_beneath(&name, 0) {
            let device = node(roots, &name);
            reasons.push((
                i,
                Usage::Mounted {
                    device,
                    mountpoint: m.mountpoint.clone(),
                },
            ));
            if m.mountpoint == Path::new("/") {
                reasons.push((i, Usage::RunningSystem));
            }
            if MEDIA_MOUNTPOINTS
                .iter()
                .any(|p| m.mountpoint == Path::new(p))
                || m.fstype == MEDIA_FSTYPE
            {
                reasons.push((i, Usage::InstallMedia));
            }
        }
    }

    // Swap files live on a mounted filesystem, which already marks their disk.
    for file in parse_swaps(&swaps_text(roots)?) {
        let Some(name) = graph.resolve("0:0", &file) else {
            continue;
        };
        for i in graph.disks_beneath(&name, 0) {
            reasons.push((
                i,
                Usage::Swap {
                    device: node(roots, &name),
                },
            ));
        }
    }

    for (i, usage) in reasons {
        if let Some(disk) = found.disks.get_mut(i)
            && !disk.usage.contains(&usage)
        {
            disk.usage.push(usage);
        }
    }
    Ok(())
}

/// A kernel without swap support has no proc/swaps: nothing is in use as swap then.
fn swaps_text(roots: &Roots) -> Result<String, ProbeError> {
    let path = roots.proc.join("swaps");
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(ProbeError::Read { path, source }),
    }
}

/// The block devices by number and name, and which of them are probed disks.
pub(super) struct Graph<'a> {
    roots: &'a Roots,
    by_devno: &'a HashMap<String, String>,
    parent: &'a HashMap<String, String>,
    known: HashSet<&'a str>,
    disk_index: HashMap<&'a str, usize>,
}

impl<'a> Graph<'a> {
    pub(super) fn new(found: &'a Found, roots: &'a Roots) -> Self {
        let known = found
            .by_devno
            .values()
            .chain(found.parent.keys())
            .map(String::as_str)
            .collect();
        let disk_index = found
            .disks
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.as_str(), i))
            .collect();
        Graph {
            roots,
            by_devno: &found.by_devno,
            parent: &found.parent,
            known,
            disk_index,
        }
    }

    /// The kernel name of a mount's or swap's device: by device number when it is a real one
    /// (btrfs and overlay report anonymous 0:N numbers), else by the /dev path.
    fn resolve(&self, devno: &str, source: &str) -> Option<String> {
        if !devno.starts_with("0:")
            && let Some(name) = self.by_devno.get(devno)
        {
            return Some(name.clone());
        }
        let rel = source.strip_prefix("/dev/")?;
        // /dev/mapper/root and /dev/disk/by-uuid/… are links to the kernel name.
        let name = std::fs::canonicalize(self.roots.dev.join(rel))
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| rel.replace('/', "!"));
        self.known.contains(name.as_str()).then_some(name)
    }

    /// The probed disks a block device is built on: itself, its partition's disk, or the
    /// disks below a dm or md device's `slaves`.
    pub(super) fn disks_beneath(&self, name: &str, depth: usize) -> Vec<usize> {
        if let Some(&i) = self.disk_index.get(name) {
            return vec![i];
        }
        if depth >= MAX_DEPTH {
            return Vec::new();
        }
        if let Some(p) = self.parent.get(name) {
            return self.disks_beneath(p, depth + 1);
        }
        let slaves = self.roots.sys.join("block").join(name).join("slaves");
        let mut found: Vec<usize> = names(&slaves)
            .iter()
            .flat_map(|s| self.disks_beneath(s, depth + 1))
            .collect();
        found.dedup();
        found
    }
}

/// The Filename column of proc/swaps (after its header line).
fn parse_swaps(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(mountinfo::unescape)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_skip_the_header() {
        let text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n\
                    /dev/sda2                               partition\t8388604\t\t0\t\t-2\n\
                    /swap\\040file                          file\t\t1048572\t\t0\t\t-3\n";
        assert_eq!(parse_swaps(text), ["/dev/sda2", "/swap file"]);
    }
}

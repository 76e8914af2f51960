//! What is built on the probed disks and running now: md arrays and device-mapper devices
//! (LVM volumes, dm-crypt mappings, others), found by following sysfs `holders` up from
//! every disk and partition, each with what it is built on and the disks beneath it.
//! Reinstalling a server meets them: the live system assembles the old arrays and
//! activates the old volume groups as it boots.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::disks::{Found, node};
use super::sysfs::{attr, names};
use super::usage::{Graph, MAX_DEPTH};
use super::{Roots, Stacked, StackedKind};

/// Every device holding a probed disk or partition, and what holds those, in name order.
pub fn scan(found: &Found, roots: &Roots) -> Vec<Stacked> {
    let graph = Graph::new(found, roots);
    let block = roots.sys.join("block");
    let mut todo: Vec<(String, usize)> = Vec::new();
    for disk in &found.disks {
        let dir = block.join(&disk.name);
        todo.extend(names(&dir.join("holders")).into_iter().map(|h| (h, 0)));
        for p in &disk.partitions {
            todo.extend(
                names(&dir.join(&p.name).join("holders"))
                    .into_iter()
                    .map(|h| (h, 0)),
            );
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    while let Some((name, depth)) = todo.pop() {
        if depth >= MAX_DEPTH || !seen.insert(name.clone()) {
            continue;
        }
        let dir = block.join(&name);
        let holders = names(&dir.join("holders"));
        todo.extend(holders.iter().map(|h| (h.clone(), depth + 1)));
        let kind = kind_of(roots, &name);
        let path = match &kind {
            StackedKind::Lvm { .. } | StackedKind::Crypt { .. } => dm_name(roots, &name)
                .map(|m| roots.dev.join("mapper").join(m))
                .unwrap_or_else(|| node(roots, &name)),
            _ => node(roots, &name),
        };
        let mut disks: Vec<PathBuf> = graph
            .disks_beneath(&name, 0)
            .into_iter()
            .filter_map(|i| found.disks.get(i).map(|d| d.path.clone()))
            .collect();
        disks.sort();
        disks.dedup();
        out.push(Stacked {
            on: names(&dir.join("slaves")),
            name,
            path,
            kind,
            holders,
            disks,
        });
    }
    out.sort_by(|a, b| super::sysfs::natural_cmp(&a.name, &b.name));
    out
}

fn dm_name(roots: &Roots, name: &str) -> Option<String> {
    attr(&roots.sys.join("block").join(name).join("dm/name"))
}

/// md by its `md/` directory, device-mapper by `dm/uuid`: LVM's start "LVM-", dm-crypt's
/// "CRYPT-" (cryptsetup sets them).
fn kind_of(roots: &Roots, name: &str) -> StackedKind {
    let dir = roots.sys.join("block").join(name);
    if dir.join("md").is_dir() {
        return StackedKind::Md {
            level: attr(&dir.join("md/level")),
            array: md_array_name(roots, name),
        };
    }
    let mapping = dm_name(roots, name);
    let uuid = attr(&dir.join("dm/uuid")).unwrap_or_default();
    match mapping {
        Some(m) if uuid.starts_with("LVM-") => match lvm_names(&m) {
            Some((group, volume)) => StackedKind::Lvm { group, volume },
            None => StackedKind::Other { mapping: Some(m) },
        },
        Some(m) if uuid.starts_with("CRYPT-") => StackedKind::Crypt { mapping: m },
        mapping => StackedKind::Other { mapping },
    }
}

/// The NAME of /dev/md/NAME when that link points at `name` (mdadm and udev make it for
/// named arrays).
fn md_array_name(roots: &Roots, name: &str) -> Option<String> {
    let dir = roots.dev.join("md");
    names(&dir).into_iter().find(|link| {
        std::fs::canonicalize(dir.join(link))
            .ok()
            .is_some_and(|t| t.file_name().is_some_and(|f| f == name))
    })
}

/// An LVM mapping's name is "GROUP-VOLUME" with every dash inside either doubled:
/// "my--vg-root" is group "my-vg", volume "root". Hidden layers keep their suffix
/// ("vg-pool-tpool": volume "pool-tpool").
pub fn lvm_names(mapping: &str) -> Option<(String, String)> {
    let mut group = String::new();
    let mut chars = mapping.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '-' {
            group.push(c);
        } else if chars.peek() == Some(&'-') {
            chars.next();
            group.push('-');
        } else {
            let volume = chars.collect::<String>().replace("--", "-");
            return (!group.is_empty() && !volume.is_empty()).then_some((group, volume));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::lvm_names;

    #[test]
    fn lvm_mapping_names_split_at_the_single_dash() {
        let pair = |g: &str, v: &str| Some((g.to_owned(), v.to_owned()));
        assert_eq!(lvm_names("azurelinux-root"), pair("azurelinux", "root"));
        assert_eq!(lvm_names("my--vg-root--fs"), pair("my-vg", "root-fs"));
        assert_eq!(lvm_names("vg-pool-tpool"), pair("vg", "pool-tpool"));
        assert_eq!(lvm_names("novolume"), None);
        assert_eq!(lvm_names("-x"), None);
        assert_eq!(lvm_names("vg-"), None);
    }
}

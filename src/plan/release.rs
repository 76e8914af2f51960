//! Before the wipe: what runs on the target disks is stopped. A reinstall meets the old
//! system's arrays, containers and volume groups, which the live system assembled, opened
//! and activated as it booted. The plan stops them (it never destroys them: the wipe of
//! their disks does) when every disk beneath them is a target being wiped; anything that
//! reaches another disk, or that the installer does not know how to stop, is refused with
//! what holds the disk. Mounted or swapped-on devices stay refusals of their own (`usage`).

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::Issue;
use crate::probe::{Disk, Hardware, Stacked, StackedKind};

use super::storage::StorageSetup;

/// One thing stopped before the disks are written, in the order the engine stops them
/// (what is on top first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Release {
    /// As the plan says it: "raid1 array md127 (boot)", "LVM volume group vg0 (root, swap)".
    pub what: String,
    #[serde(flatten)]
    pub action: ReleaseAction,
    /// The target disks beneath it.
    pub disks: Vec<PathBuf>,
}

/// How it is stopped; the data stays until the wipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ReleaseAction {
    /// `mdadm --stop DEVICE`.
    StopArray { device: PathBuf },
    /// `cryptsetup close MAPPING`.
    CloseCrypt { mapping: String },
    /// `vgchange --activate n GROUP`: every volume of the group.
    DeactivateGroup { group: String },
}

/// What must stop before `targets` (each with its answer key) are wiped. Without `wipe`
/// nothing is stopped: the disks' holders are then reported as in use.
pub(super) fn plan(
    hw: &Hardware,
    targets: &[(&Disk, String)],
    wipe: bool,
) -> Result<Vec<Release>, Vec<Issue>> {
    if !wipe {
        return Ok(Vec::new());
    }
    let found = above(hw, targets);
    let mut problems = Vec::new();
    for &i in &found {
        let s = &hw.stacks[i];
        let Some((disk, key)) = targets.iter().find(|(d, _)| s.disks.contains(&d.path)) else {
            continue;
        };
        let name = super::describe_disk(disk);
        let others: Vec<String> = s
            .disks
            .iter()
            .filter(|p| !targets.iter().any(|(d, _)| &d.path == *p))
            .map(|p| p.display().to_string())
            .collect();
        if !others.is_empty() {
            problems.push(
                Issue::new(
                    key.clone(),
                    format!(
                        "{name} cannot be wiped: {s} is on it and also on {}, which the install does not write",
                        others.join(", ")
                    ),
                )
                .with_hint(format!(
                    "add {} to the target disks, or stop {s} by hand first",
                    others.join(", ")
                )),
            );
        }
        if action(s).is_none() {
            problems.push(
                Issue::new(
                    key.clone(),
                    format!("{name} cannot be wiped: {s} holds it, and the installer does not stop that kind of device"),
                )
                .with_hint(format!("remove {} by hand first (dmsetup remove)", s.path.display())),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(order(hw, &found))
}

/// New arrays, groups and containers whose name a running one has that the install does
/// not stop (an old system's on a disk it does not write): mdadm, vgcreate or cryptsetup
/// would fail on it after the disks were partitioned.
/// `custom`: the names come from the answer's custom layout (keyed there), else from an auto
/// scheme (keyed `storage.scheme`).
pub(super) fn name_clashes(
    hw: &Hardware,
    releases: &[Release],
    setup: &StorageSetup,
    custom: bool,
) -> Vec<Issue> {
    let mut v = Vec::new();
    let mut seen: Vec<(&str, &String)> = Vec::new();
    for s in &hw.stacks {
        let key = |what: &str, i: Option<usize>| i.map(|i| format!("storage.{what}[{i}].name"));
        let (kind, name, index_key) = match &s.kind {
            StackedKind::Md {
                array: Some(name), ..
            } => {
                let i = setup.arrays.iter().position(|a| &a.name == name);
                ("array", name, key("raids", i))
            }
            StackedKind::Lvm { group, .. } => {
                let i = setup.groups.iter().position(|g| &g.name == group);
                ("volume group", group, key("volume_groups", i))
            }
            StackedKind::Crypt { mapping } => {
                let i = setup.crypts.iter().position(|c| &c.name == mapping);
                ("encrypted container", mapping, key("encrypted", i))
            }
            _ => continue,
        };
        let stopped = action(s).is_some_and(|a| releases.iter().any(|r| r.action == a));
        let Some(key) = index_key else { continue };
        let key = if custom { key } else { "storage.scheme".into() };
        // A group's volumes name it once each: one issue per name.
        if stopped || seen.contains(&(kind, name)) {
            continue;
        }
        seen.push((kind, name));
        let on: Vec<String> = s.disks.iter().map(|d| d.display().to_string()).collect();
        v.push(
            Issue::new(
                key,
                format!(
                    "the new {kind} is named {name:?}, and {s} by that name runs on {}, which the install does not write",
                    on.join(", ")
                ),
            )
            .with_hint(if custom {
                format!("choose another name, or stop {} first", s.path.display())
            } else {
                format!(
                    "stop {} first, or use a custom layout with other names",
                    s.path.display()
                )
            }),
        );
    }
    v
}

/// Indices into `hw.stacks` of everything on the targets' disks and partitions, however
/// high.
fn above(hw: &Hardware, targets: &[(&Disk, String)]) -> Vec<usize> {
    let mut names: Vec<&str> = Vec::new();
    for (d, _) in targets {
        names.push(&d.name);
        names.extend(d.partitions.iter().map(|p| p.name.as_str()));
    }
    let mut found: Vec<usize> = Vec::new();
    let mut grew = true;
    while grew {
        grew = false;
        for (i, s) in hw.stacks.iter().enumerate() {
            let on_found = |n: &String| {
                names.contains(&n.as_str()) || found.iter().any(|&j| hw.stacks[j].name == *n)
            };
            if !found.contains(&i) && s.on.iter().any(on_found) {
                found.push(i);
                grew = true;
            }
        }
    }
    found.sort_unstable();
    found
}

/// One stop per array or container, one per volume group (whose volumes go together),
/// each after everything built on it.
fn order(hw: &Hardware, found: &[usize]) -> Vec<Release> {
    // Units: the group's name for LVM volumes, the device's own name otherwise.
    let unit = |s: &Stacked| match &s.kind {
        StackedKind::Lvm { group, .. } => format!("lvm:{group}"),
        _ => s.name.clone(),
    };
    let mut units: Vec<String> = Vec::new();
    for &i in found {
        let u = unit(&hw.stacks[i]);
        if !units.contains(&u) {
            units.push(u);
        }
    }
    let members = |u: &str| -> Vec<&Stacked> {
        found
            .iter()
            .map(|&i| &hw.stacks[i])
            .filter(|s| unit(s) == u)
            .collect()
    };
    // The units holding `u`: those with a member built on one of u's members.
    let holders_of = |u: &str| -> Vec<String> {
        let names: Vec<&String> = members(u).iter().flat_map(|s| &s.holders).collect();
        found
            .iter()
            .map(|&i| &hw.stacks[i])
            .filter(|s| names.contains(&&s.name))
            .map(unit)
            .filter(|h| h != u)
            .collect()
    };
    let mut out: Vec<String> = Vec::new();
    while out.len() < units.len() {
        let next = units
            .iter()
            .find(|u| !out.contains(u) && holders_of(u).iter().all(|h| out.contains(h)))
            // A cycle cannot be built in the kernel; should sysfs show one, go on in order.
            .or_else(|| units.iter().find(|u| !out.contains(u)));
        match next {
            Some(u) => out.push(u.clone()),
            None => break,
        }
    }
    out.iter().filter_map(|u| release(&members(u))).collect()
}

fn release(members: &[&Stacked]) -> Option<Release> {
    let first = members.first()?;
    let mut disks: Vec<PathBuf> = members.iter().flat_map(|s| s.disks.clone()).collect();
    disks.sort();
    disks.dedup();
    let what = match &first.kind {
        StackedKind::Lvm { group, .. } => {
            let volumes: Vec<&str> = members
                .iter()
                .filter_map(|s| match &s.kind {
                    StackedKind::Lvm { volume, .. } => Some(volume.as_str()),
                    _ => None,
                })
                .collect();
            format!("LVM volume group {group} ({})", volumes.join(", "))
        }
        _ => first.to_string(),
    };
    let action = action(first)?;
    Some(Release {
        what,
        action,
        disks,
    })
}

/// How the installer stops `s`; None for what it does not stop.
fn action(s: &Stacked) -> Option<ReleaseAction> {
    match &s.kind {
        StackedKind::Md { .. } => Some(ReleaseAction::StopArray {
            device: s.path.clone(),
        }),
        StackedKind::Crypt { mapping } => Some(ReleaseAction::CloseCrypt {
            mapping: mapping.clone(),
        }),
        StackedKind::Lvm { group, .. } => Some(ReleaseAction::DeactivateGroup {
            group: group.clone(),
        }),
        StackedKind::Other { .. } => None,
    }
}

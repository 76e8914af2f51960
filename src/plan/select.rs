//! Choosing the target disks: `target.path`, `target.paths`, or `target.match` rules as
//! ordered fallbacks. Never "all disks": exactly the disks asked for, or a refusal that
//! lists the candidates.

use crate::answer::{self, DiskRule, Target};
use crate::probe::{Disk, Hardware, Transport};

use crate::answer::Issue;

/// The first disk the answer's `[target]` picks on `hw`, if it picks what it asks for.
pub fn target_disk<'h>(target: &Target, hw: &'h Hardware) -> Option<&'h Disk> {
    choose(target, hw)
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|(d, _)| d)
}

/// Every disk the answer's `[target]` picks on `hw`, in target order; empty when it does
/// not pick what it asks for.
pub fn target_disks<'h>(target: &Target, hw: &'h Hardware) -> Vec<&'h Disk> {
    choose(target, hw)
        .map(|v| v.into_iter().map(|(d, _)| d).collect())
        .unwrap_or_default()
}

/// The chosen disks, in order, and why each was chosen.
pub(super) fn choose<'h>(
    target: &Target,
    hw: &'h Hardware,
) -> Result<Vec<(&'h Disk, String)>, Issue> {
    match (&target.path, &target.paths, &target.rules) {
        (Some(path), None, None) => by_path(path, "target.path", hw).map(|d| vec![d]),
        (None, Some(paths), None) => by_paths(paths, hw),
        (None, None, Some(rules)) => by_rules(rules, hw),
        _ => Err(Issue::new(
            "target",
            "exactly one of target.path, target.paths and target.match is required",
        )),
    }
}

fn by_path<'h>(path: &str, key: &str, hw: &'h Hardware) -> Result<(&'h Disk, String), Issue> {
    let found = hw.disks.iter().find(|d| d.answers_to(path));
    match found {
        Some(d) => Ok((d, format!("{key} = \"{path}\""))),
        None => Err(
            Issue::new(key, format!("no disk or disk image found at \"{path}\""))
                .with_hint(format!("disks on this machine: {}", list(hw.disks.iter()))),
        ),
    }
}

/// Each path its own disk, in the order given.
fn by_paths<'h>(paths: &[String], hw: &'h Hardware) -> Result<Vec<(&'h Disk, String)>, Issue> {
    let mut out: Vec<(&Disk, String)> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let key = format!("target.paths[{i}]");
        let (disk, why) = by_path(p, &key, hw)?;
        if let Some(j) = out.iter().position(|(d, _)| d.path == disk.path) {
            return Err(Issue::new(
                key,
                format!(
                    "\"{p}\" is {}, which target.paths[{j}] names already",
                    disk.path.display()
                ),
            ));
        }
        out.push((disk, why));
    }
    Ok(out)
}

/// Disks a rule may pick: not loop devices or images (those only by explicit path), not
/// read-only, and not busy (running system, install media, mounted). A disk an array or a
/// mapping holds may be picked (a reinstall meets the old system's, assembled by the live
/// system): the plan then stops it before the wipe, or says why it cannot.
fn selectable(d: &Disk) -> bool {
    !matches!(d.transport, Transport::Loop | Transport::Image) && !d.read_only && d.only_held()
}

fn by_rules<'h>(rules: &[DiskRule], hw: &'h Hardware) -> Result<Vec<(&'h Disk, String)>, Issue> {
    let candidates: Vec<&Disk> = hw.disks.iter().filter(|d| selectable(d)).collect();
    let mut tried = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let mut picked = apply_rule(rule, &candidates);
        let want = rule.count();
        if picked.len() == want {
            // In device path order: disk 1 is the first of them.
            picked.sort_by(|a, b| a.path.cmp(&b.path));
            let why = match want {
                1 => format!("target.match[{i}] matched only this disk"),
                n => format!("target.match[{i}] matched exactly these {n} disks"),
            };
            return Ok(picked.into_iter().map(|d| (d, why.clone())).collect());
        }
        let wanted = match want {
            1 => String::new(),
            n => format!(" (it asks for {n})"),
        };
        tried.push(match picked.len() {
            0 => format!("target.match[{i}] matched no disk{wanted}"),
            _ => format!(
                "target.match[{i}] matched {} disks{wanted}: {}",
                picked.len(),
                list(picked.iter().copied())
            ),
        });
    }
    let excluded: Vec<String> = hw
        .disks
        .iter()
        .filter(|d| !selectable(d) && !matches!(d.transport, Transport::Loop | Transport::Image))
        .map(|d| format!("{} ({})", d.path.display(), why_excluded(d)))
        .collect();
    let mut hint = format!("candidates: {}", list(candidates.iter().copied()));
    if !excluded.is_empty() {
        hint.push_str(&format!("; not considered: {}", excluded.join(", ")));
    }
    Err(Issue::new(
        "target.match",
        format!("no rule picked the disks it asks for: {}", tried.join("; ")),
    )
    .with_hint(hint))
}

fn why_excluded(d: &Disk) -> String {
    if d.read_only {
        return "read-only".into();
    }
    d.usage
        .iter()
        .map(|u| u.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The disks `rule` picks from `candidates`: all that match, narrowed by largest/smallest.
fn apply_rule<'h>(rule: &DiskRule, candidates: &[&'h Disk]) -> Vec<&'h Disk> {
    let matching: Vec<&Disk> = candidates
        .iter()
        .copied()
        .filter(|d| matches(rule, d))
        .collect();
    let pick = |best: Option<u64>| -> Vec<&Disk> {
        match best {
            Some(b) => matching
                .iter()
                .copied()
                .filter(|d| d.size_bytes == b)
                .collect(),
            None => Vec::new(),
        }
    };
    if rule.largest {
        pick(matching.iter().map(|d| d.size_bytes).max())
    } else if rule.smallest {
        pick(matching.iter().map(|d| d.size_bytes).min())
    } else {
        matching
    }
}

fn matches(rule: &DiskRule, d: &Disk) -> bool {
    let glob = |pat: &Option<String>, value: Option<&str>| match pat {
        None => true,
        Some(p) => value.is_some_and(|v| glob_match::glob_match(p, v)),
    };
    let path_ok = match &rule.path {
        None => true,
        Some(p) => std::iter::once(&d.path)
            .chain(d.by_id.iter())
            .any(|l| glob_match::glob_match(p, &l.to_string_lossy())),
    };
    path_ok
        && glob(&rule.serial, d.serial.as_deref())
        && glob(&rule.model, d.model.as_deref())
        && glob(&rule.vendor, d.vendor.as_deref())
        && glob(&rule.wwn, d.wwn.as_deref())
        && rule.transport.is_none_or(|t| transport_is(t, d.transport))
        && rule.ssd.is_none_or(|ssd| d.is_ssd() == ssd)
        && rule
            .min_size
            .and_then(|s| s.absolute())
            .is_none_or(|min| d.size_bytes >= min)
        && rule
            .max_size
            .and_then(|s| s.absolute())
            .is_none_or(|max| d.size_bytes <= max)
}

fn transport_is(wanted: answer::Transport, found: Transport) -> bool {
    use answer::Transport as A;
    matches!(
        (wanted, found),
        (A::Nvme, Transport::Nvme)
            | (A::Sata, Transport::Sata)
            | (A::Sas, Transport::Sas)
            | (A::Virtio, Transport::Virtio)
            | (A::Usb, Transport::Usb)
            | (A::Mmc, Transport::Mmc)
    )
}

fn list<'a>(disks: impl Iterator<Item = &'a Disk>) -> String {
    let v: Vec<String> = disks.map(super::describe_disk).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

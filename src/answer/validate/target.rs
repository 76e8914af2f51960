//! `[target]`: which disks, picked by path, by a list of paths, or by ordered rules.

use crate::answer::shown;
use crate::answer::{DiskRule, Issue, Size, Target, human_bytes};

pub(super) fn check(t: &Target, out: &mut Vec<Issue>) {
    let given: Vec<&str> = [
        ("target.path", t.path.is_some()),
        ("target.paths", t.paths.is_some()),
        ("target.match", t.rules.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect();
    match given.as_slice() {
        [] => out.push(
            Issue::new(
                "target",
                "no disk given: set target.path, target.paths or target.match",
            )
            .with_hint(
                "path = \"/dev/disk/by-id/...\" or match = [{ ssd = true, largest = true }]",
            ),
        ),
        [_] => {}
        [.., last] => out.push(
            Issue::new(
                *last,
                format!("give one of {}, not several", given.join(", ")),
            )
            .with_hint("remove all but one of them"),
        ),
    }
    if let Some(path) = &t.path
        && path.trim().is_empty()
    {
        out.push(Issue::new("target.path", "the disk path is empty"));
    }
    if let Some(paths) = &t.paths {
        if paths.is_empty() {
            out.push(
                Issue::new("target.paths", "no disks: the list is empty")
                    .with_hint("list the disks in order, or use target.path for one"),
            );
        }
        for (i, p) in paths.iter().enumerate() {
            let key = format!("target.paths[{i}]");
            if p.trim().is_empty() {
                out.push(Issue::new(key, "the disk path is empty"));
            } else if let Some(first) = paths[..i].iter().position(|q| q == p) {
                out.push(Issue::new(
                    key,
                    format!("{} is listed already as target.paths[{first}]", shown(p)),
                ));
            }
        }
    }
    if let Some(rules) = &t.rules {
        if rules.is_empty() {
            out.push(
                Issue::new("target.match", "no rules: the list is empty")
                    .with_hint("give at least one rule, e.g. { largest = true }"),
            );
        }
        for (i, rule) in rules.iter().enumerate() {
            check_rule(rule, &format!("target.match[{i}]"), out);
        }
    }
    // Firmware "auto" needs no check here: the plan resolves it against the probed machine.
}

fn check_rule(r: &DiskRule, path: &str, out: &mut Vec<Issue>) {
    let empty = r.path.is_none()
        && r.serial.is_none()
        && r.model.is_none()
        && r.vendor.is_none()
        && r.wwn.is_none()
        && r.transport.is_none()
        && r.ssd.is_none()
        && r.min_size.is_none()
        && r.max_size.is_none()
        && !r.largest
        && !r.smallest;
    if empty {
        out.push(
            Issue::new(path, "empty rule: it would match every disk").with_hint(
                "rule keys: path, serial, model, vendor, wwn, transport, ssd, min_size, \
                 max_size, largest, smallest (and count, how many disks it picks)",
            ),
        );
    }
    if r.count == Some(0) {
        out.push(
            Issue::new(
                format!("{path}.count"),
                "a rule must pick at least one disk",
            )
            .with_hint("leave count out for one disk"),
        );
    }
    if r.largest && r.smallest {
        out.push(Issue::new(
            format!("{path}.smallest"),
            "a rule cannot ask for both the largest and the smallest disk",
        ));
    }
    for (key, value) in [
        ("path", &r.path),
        ("serial", &r.serial),
        ("model", &r.model),
    ]
    .into_iter()
    .chain([("vendor", &r.vendor), ("wwn", &r.wwn)])
    {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            out.push(Issue::new(
                format!("{path}.{key}"),
                "empty pattern: leave the key out to match any value",
            ));
        }
    }
    let min = absolute(r.min_size, &format!("{path}.min_size"), out);
    let max = absolute(r.max_size, &format!("{path}.max_size"), out);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        out.push(Issue::new(
            format!("{path}.max_size"),
            format!(
                "max_size ({}) is smaller than min_size ({}): no disk can match",
                human_bytes(max),
                human_bytes(min)
            ),
        ));
    }
}

/// Disk sizes in rules must be absolute: "25%" or "rest" of which disk?
fn absolute(size: Option<Size>, path: &str, out: &mut Vec<Issue>) -> Option<u64> {
    let size = size?;
    let bytes = size.absolute();
    if bytes.is_none() {
        out.push(
            Issue::new(
                path,
                format!("{size_shown} is not a disk size", size_shown = shown(size)),
            )
            .with_hint("use an absolute size such as \"100GiB\""),
        );
    }
    bytes
}

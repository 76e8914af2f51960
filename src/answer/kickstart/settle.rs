//! The disk commands settled at the end, when every disk the file names is known: the
//! target (named disks, else the largest) and the auto or custom layout with sizes.

use super::Ctx;
use super::storage::Part;
use crate::answer::{DiskRule, Encryption, Layout, PartitionSpec, Scheme, Size};

/// "sda" and "disk/by-id/x" are under /dev.
fn dev(d: &str) -> String {
    if d.starts_with('/') {
        d.to_string()
    } else {
        format!("/dev/{d}")
    }
}

/// Settles disks, sizes and the layout.
pub(super) fn finish(cx: &mut Ctx) {
    let g = std::mem::take(&mut cx.storage);
    let ondisks: Vec<String> = g
        .parts
        .iter()
        .filter_map(|p| p.ondisk.as_deref().map(dev))
        .collect();
    let mut disks: Vec<String> = Vec::new();
    for d in g
        .only_use
        .iter()
        .chain(g.clear_drives.iter())
        .flatten()
        .map(|d| dev(d))
        .chain(ondisks)
    {
        // ignoredisk's list wins: clearpart's and part's disks only add when it is absent.
        if g.only_use.is_some() && !g.only_use.iter().flatten().any(|o| dev(o) == d) {
            continue;
        }
        if !disks.contains(&d) {
            disks.push(d);
        }
    }
    let t = &mut cx.answer.target;
    t.wipe = g.wipe;
    match disks.len() {
        0 => {
            t.rules = Some(vec![DiskRule {
                largest: true,
                ..Default::default()
            }]);
            cx.warnings.push(super::Warning {
                line: 0,
                command: "(disks)".into(),
                why: "the kickstart names no disk (ignoredisk --only-use, clearpart --drives, \
                      part --ondisk): target.match picks the largest disk; check it"
                    .into(),
            });
        }
        1 => t.path = disks.first().cloned(),
        _ => t.paths = Some(disks.clone()),
    }
    if let Some((line, d)) = &g.boot_drive
        && disks.first() != Some(&dev(d))
    {
        cx.warn(
            *line,
            "bootloader",
            format!("--boot-drive={d}: the boot loader goes on disk 1"),
        );
    }
    // The passphrase for whatever is encrypted; none given: Anaconda would ask for it.
    if !g.encrypt.is_empty() {
        match g.passphrase {
            Some(p) => {
                cx.answer.storage.encryption = Some(Encryption {
                    passphrase: Some(p),
                    ..Default::default()
                })
            }
            None => {
                for line in &g.encrypt {
                    cx.warn(*line, "--encrypted", "no --passphrase (Anaconda asks for one): add [storage.encryption] passphrase, passphrase_file or tpm2 = true");
                }
            }
        }
    }
    match (g.custom, g.autopart) {
        (Some(line), Some(_)) => {
            cx.warn(
                line,
                "part",
                "autopart and a custom layout together: the custom layout is used",
            );
            custom(cx, g.parts, &disks);
        }
        (Some(_), None) => custom(cx, g.parts, &disks),
        (None, Some(line)) => {
            if disks.len() > 1 && cx.answer.storage.scheme == Scheme::Plain {
                cx.warn(
                    line,
                    "autopart",
                    "plain partitions go on one disk: only the first is used",
                );
                let t = &mut cx.answer.target;
                t.path = disks.first().cloned();
                t.paths = None;
            }
        }
        (None, None) => cx.warnings.push(super::Warning {
            line: 0,
            command: "(storage)".into(),
            why: "no autopart and no part: the auto layout (plain) is used".into(),
        }),
    }
}

/// The custom layout's partitions: on their disks, with the one growing partition of each
/// disk last and taking the rest.
fn custom(cx: &mut Ctx, parts: Vec<Part>, disks: &[String]) {
    cx.answer.storage.layout = Layout::Custom;
    cx.answer.storage.scheme = Scheme::Plain;
    cx.answer.storage.encrypt = false;
    let mut by_disk: Vec<Vec<PartitionSpec>> = vec![Vec::new(); disks.len().max(1)];
    let mut rest: Vec<Option<PartitionSpec>> = vec![None; disks.len().max(1)];
    for mut p in parts {
        let idx = match &p.ondisk {
            Some(d) => disks.iter().position(|x| *x == dev(d)).unwrap_or_else(|| {
                cx.warn(
                    p.line,
                    "part",
                    format!("--ondisk={d} is not one of the target disks: put on disk 1"),
                );
                0
            }),
            None => 0,
        };
        if disks.len() > 1 {
            p.spec.disk = Some(idx as u32 + 1);
        }
        if p.grow && p.maxsize.is_none() && rest[idx].is_none() {
            p.spec.size = Some(Size::Rest);
            rest[idx] = Some(p.spec);
            continue;
        }
        let size = match (p.grow, p.maxsize, p.size_mib) {
            (true, Some(m), _) => {
                cx.warn(p.line, "part", format!("--grow --maxsize={m}: made {m} MiB (the answer has no growing up to a limit)"));
                Some(m)
            }
            (true, None, s) => {
                cx.warn(
                    p.line,
                    "part",
                    "only one partition of a disk takes the rest: this one gets its --size",
                );
                s
            }
            (false, _, s) => s,
        };
        match size {
            Some(m) => p.spec.size = Some(Size::Bytes(m << 20)),
            None => {
                cx.warn(p.line, "part", "no --size: made 1024 MiB");
                p.spec.size = Some(Size::Bytes(1024 << 20));
            }
        }
        by_disk[idx].push(p.spec);
    }
    for (list, r) in by_disk.iter_mut().zip(rest) {
        list.extend(r);
    }
    cx.answer.storage.partitions = by_disk.into_iter().flatten().collect();
}

//! A plan made earlier (`install --plan`), checked against the machine as it is now: the
//! same disk, holding what the plan says it erases and nothing in use, the live system's
//! programs, and repositories the plan can reach. Anything else is a refusal, before a byte
//! is written. Pure, like `resolve`.

use crate::answer::Issue;
use crate::probe::{Disk, Hardware};

use super::Plan;

/// Every reason `plan` no longer holds on `hw`.
pub fn still_holds(plan: &Plan, hw: &Hardware) -> Vec<Issue> {
    let mut v: Vec<Issue> = plan.disks.iter().flat_map(|d| disk_holds(d, hw)).collect();
    v.extend(releases_hold(plan, hw));
    if plan
        .unlock
        .as_ref()
        .is_some_and(|u| u.passphrase && u.secret.is_none())
    {
        v.push(
            Issue::new(
                "storage.encryption",
                "the plan encrypts, and a saved plan never holds the passphrase",
            )
            .with_hint("install from the answer file, which gives the passphrase"),
        );
    }
    let boot = &plan.system.bootloader;
    if boot.detected && boot.firmware != hw.firmware {
        v.push(
            Issue::new(
                "target.firmware",
                format!(
                    "the plan was made on a machine that boots with {}; this one boots with {}",
                    boot.firmware.name(),
                    hw.firmware.name()
                ),
            )
            .with_hint("make the plan on the machine that installs, or set target.firmware"),
        );
    }
    v.extend(super::programs::problems(&plan.programs, &hw.live));
    for (i, r) in plan.payload.repos.iter().enumerate() {
        let masked = crate::answer::split_credentials(&r.url).1;
        if masked.is_some_and(|c| c.user == "***" && c.password.is_none()) {
            v.push(
                Issue::new(
                    format!("payload.repos[{i}]"),
                    format!(
                        "repository {}: its credentials are not in the plan (plan --json masks them)",
                        r.name
                    ),
                )
                .with_hint("install from the answer file instead"),
            );
        }
    }
    v
}

/// One disk of the plan: still on the machine, the same disk, free, and holding what the
/// plan erases.
fn disk_holds(setup: &super::DiskSetup, hw: &Hardware) -> Vec<Issue> {
    let planned = &setup.disk;
    let Some(disk) = hw.disks.iter().find(|d| d.path == planned.path) else {
        return vec![
            Issue::new(
                "target",
                format!(
                    "{} is not on this machine (the plan was made for {})",
                    planned.path.display(),
                    super::describe_disk(planned)
                ),
            )
            .with_hint("make the plan on the machine that installs"),
        ];
    };
    let mut v = identity_problems(planned, disk);
    if v.is_empty() {
        v.extend(super::resolve::disk_problems(disk, true, "target.path"));
        v.extend(kept_still_there(setup, disk));
        let now = super::resolve::destroys(disk, &setup.table.kept_numbers());
        if now != setup.destroys {
            v.push(
                Issue::new(
                    "target",
                    format!(
                        "{}, has changed since the plan was made; it now holds: {}",
                        super::describe_disk(disk),
                        super::resolve::list_or_nothing(&now)
                    ),
                )
                .with_hint("make the plan again: it must show what the install erases"),
            );
        }
    }
    v
}

/// What runs on the disks is what the plan stops: the plan's disks and nothing else.
fn releases_hold(plan: &Plan, hw: &Hardware) -> Vec<Issue> {
    let targets: Vec<(&Disk, String)> = plan
        .disks
        .iter()
        .filter_map(|d| hw.disks.iter().find(|h| h.path == d.disk.path))
        .map(|d| (d, "target".to_string()))
        .collect();
    match super::release::plan(hw, &targets, true) {
        Err(p) => p,
        Ok(now) if now != plan.releases => {
            let say = |r: &[super::Release]| match r {
                [] => "nothing".to_string(),
                r => r
                    .iter()
                    .map(|r| r.what.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            vec![
                Issue::new(
                    "target",
                    format!(
                        "what runs on the disks has changed since the plan was made: it stops {}, and {} runs now",
                        say(&plan.releases),
                        say(&now)
                    ),
                )
                .with_hint("make the plan again"),
            ]
        }
        Ok(_) => Vec::new(),
    }
}

/// The disk at the planned path is another one, or resized.
fn identity_problems(planned: &Disk, now: &Disk) -> Vec<Issue> {
    let mut differ = Vec::new();
    let mut check = |what: &str, was: String, is: String| {
        if was != is {
            differ.push(format!("{what} was {was}, is {is}"));
        }
    };
    let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
    check(
        "the size",
        planned.size_bytes.to_string(),
        now.size_bytes.to_string(),
    );
    check(
        "the sector size",
        planned.logical_sector.to_string(),
        now.logical_sector.to_string(),
    );
    check("the model", opt(&planned.model), opt(&now.model));
    check("the serial", opt(&planned.serial), opt(&now.serial));
    check("the WWN", opt(&planned.wwn), opt(&now.wwn));
    check(
        "the transport",
        format!("{:?}", planned.transport),
        format!("{:?}", now.transport),
    );
    if differ.is_empty() {
        return Vec::new();
    }
    vec![
        Issue::new(
            "target",
            format!(
                "{} is not the disk the plan was made for: {}",
                now.path.display(),
                differ.join("; ")
            ),
        )
        .with_hint("make the plan again on this machine"),
    ]
}

/// Every kept partition is where the plan saw it, by the same partition UUID.
fn kept_still_there(setup: &super::DiskSetup, disk: &crate::probe::Disk) -> Vec<Issue> {
    let ss = u64::from(setup.table.sector_size);
    setup
        .table
        .partitions
        .iter()
        .filter_map(|p| p.kept.as_ref().map(|k| (p, k)))
        .filter(|(p, k)| {
            !disk.partitions.iter().any(|now| {
                now.number == k.number_now
                    && now
                        .part_uuid
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case(&k.part_uuid))
                    && now.start_bytes == p.first_lba * ss
                    && now.size_bytes == p.size_bytes(setup.table.sector_size)
            })
        })
        .map(|(_, k)| {
            Issue::new(
                "storage.partitions",
                format!(
                    "the kept partition {} of {} ({}) is not where the plan saw it",
                    k.number_now,
                    super::describe_disk(disk),
                    k.found_by
                ),
            )
            .with_hint("make the plan again")
        })
        .collect()
}

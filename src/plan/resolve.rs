//! `Plan::resolve`: the preflight. Everything that can be known before a byte is written is
//! checked here, and every problem is reported at once.

use crate::answer::{Answer, FirmwareChoice, Issue, Layout};
use crate::probe::{Disk, Firmware, Hardware, Usage};
use crate::repo::RepoIndex;

use super::storage::StorageSetup;
use super::{Destroyed, DiskSetup, HostProgram, Plan, payload, programs, select};

/// The install was refused at preflight; nothing was written.
#[derive(Debug, Clone, thiserror::Error)]
#[error("refused before writing anything:\n{}", render_problems(.problems))]
pub struct Refused {
    pub problems: Vec<Issue>,
}

fn render_problems(p: &[Issue]) -> String {
    p.iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the storage checks settle: the firmware, the disks and why, the storage when the
/// layout fits, and the problems found on the way.
struct Storage<'h> {
    firmware: Firmware,
    disks: Vec<(&'h Disk, String)>,
    /// What runs on the disks and is stopped first.
    releases: Vec<super::Release>,
    /// The tables, layers and filesystems, when the layout fits.
    setup: Option<StorageSetup>,
    /// The live system's programs the install of `setup` runs.
    programs: Vec<HostProgram>,
    problems: Vec<Issue>,
}

/// Disk choice, busy and wipe checks, the firmware's partitions, and the layout.
fn storage<'h>(answer: &Answer, hw: &'h Hardware) -> Result<Storage<'h>, Vec<Issue>> {
    let firmware = match answer.target.firmware {
        FirmwareChoice::Auto => hw.firmware,
        FirmwareChoice::Uefi => Firmware::Uefi,
        FirmwareChoice::Bios => Firmware::Bios,
    };
    let disks = select::choose(&answer.target, hw).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let keyed: Vec<(&Disk, String)> = disks
        .iter()
        .enumerate()
        .map(|(i, (disk, _))| {
            let key = match (&answer.target.path, &answer.target.paths) {
                (Some(_), _) => "target.path".to_string(),
                (_, Some(_)) => format!("target.paths[{i}]"),
                _ => "target.match".to_string(),
            };
            (*disk, key)
        })
        .collect();
    let wipe = answer.target.wipe;
    let releases = super::release::plan(hw, &keyed, wipe).unwrap_or_else(|p| {
        problems.extend(p);
        Vec::new()
    });
    for (disk, key) in &keyed {
        problems.extend(disk_problems(disk, wipe, key));
    }
    problems.extend(firmware_problems(answer, firmware));
    let on: Vec<&Disk> = disks.iter().map(|(d, _)| *d).collect();
    let setup =
        match super::storage::resolve(&answer.storage, firmware, &on, hw.memory_bytes, hw.tpm2) {
            Ok(s) => Some(s),
            Err(p) => {
                problems.extend(p);
                None
            }
        };
    if let Some(s) = &setup {
        let custom = answer.storage.layout == Layout::Custom;
        problems.extend(super::release::name_clashes(hw, &releases, s, custom));
    }
    let programs = setup
        .as_ref()
        .map(|s| programs::needed(answer, &on, &releases, s, &hw.live))
        .unwrap_or_default();
    problems.extend(programs::problems(&programs, &hw.live));
    Ok(Storage {
        firmware,
        disks,
        releases,
        setup,
        programs,
        problems,
    })
}

impl Plan {
    /// The storage checks alone, for when the repositories cannot be read: one run still
    /// shows every disk and layout problem along with the repository's.
    pub fn storage_problems(answer: &Answer, hw: &Hardware) -> Vec<Issue> {
        match storage(answer, hw) {
            Ok(s) => s.problems,
            Err(p) => p,
        }
    }

    /// Resolves `answer` against `hw` and the verified repositories. Pure: reads nothing,
    /// writes nothing.
    pub fn resolve(answer: &Answer, hw: &Hardware, index: &RepoIndex) -> Result<Plan, Refused> {
        let Storage {
            firmware,
            disks,
            releases,
            setup,
            programs,
            mut problems,
        } = storage(answer, hw).map_err(|problems| Refused { problems })?;
        let payload = match &setup {
            Some(s) => match payload::resolve(answer, firmware, s, index) {
                Ok(p) => Some(p),
                Err(p) => {
                    problems.extend(p);
                    None
                }
            },
            None => None,
        };
        let network = super::network::connections(answer).unwrap_or_else(|p| {
            problems.extend(p);
            Vec::new()
        });
        let first = disks
            .first()
            .map_or(crate::probe::Transport::Unknown, |(d, _)| d.transport);
        let system = match super::system::resolve(answer, firmware, first, &network) {
            Ok(s) => Some(s),
            Err(p) => {
                problems.extend(p);
                None
            }
        };
        let (Some(setup), Some(payload), Some(system), true) =
            (setup, payload, system, problems.is_empty())
        else {
            return Err(Refused { problems });
        };
        let StorageSetup {
            tables,
            arrays,
            crypts,
            unlock,
            groups,
            volumes,
            filesystems,
        } = setup;
        Ok(Plan {
            version: super::PLAN_VERSION,
            firmware,
            disks: disks
                .into_iter()
                .zip(tables)
                .map(|((disk, reason), table)| DiskSetup {
                    disk: disk.clone(),
                    reason,
                    destroys: destroys(disk, &table.kept_numbers()),
                    table,
                })
                .collect(),
            releases,
            layout: answer.storage.layout,
            scheme: answer.storage.scheme,
            arrays,
            crypts,
            unlock,
            groups,
            volumes,
            filesystems,
            payload,
            network,
            system,
            programs,
        })
    }
}

/// A disk that is busy, read-only, or holds data the answer did not agree to wipe. With
/// `wipe`, what holds the disk (an array, a mapping) is stopped first or refused by
/// `release::plan`, so it is not a problem here.
pub(super) fn disk_problems(disk: &Disk, wipe: bool, key: &str) -> Vec<Issue> {
    let name = super::describe_disk(disk);
    let mut v = Vec::new();
    for u in &disk.usage {
        let held = matches!(u, Usage::Held { .. });
        if held && wipe {
            continue;
        }
        let hint = if held {
            "set target.wipe = true to stop it before the disk is erased, or choose another disk"
        } else {
            "choose another disk, or unmount / stop using it first"
        };
        v.push(Issue::new(key, format!("{name} cannot be used: {u}")).with_hint(hint));
    }
    if disk.read_only {
        v.push(Issue::new(key, format!("{name} is read-only")));
    }
    if disk.has_content() && !wipe {
        v.push(
            Issue::new(
                "target.wipe",
                format!("{name} holds data: {}", list(&destroys(disk, &[]))),
            )
            .with_hint("set target.wipe = true to erase it, or choose an empty disk"),
        );
    }
    v
}

/// What a wipe of `disk` destroys, for the plan and the confirmation: everything but the
/// partitions numbered `kept`.
pub(super) fn destroys(disk: &Disk, kept: &[u32]) -> Vec<Destroyed> {
    let mut v = Vec::new();
    if let Some(t) = &disk.table {
        v.push(Destroyed::Table {
            table: t.to_string(),
            partitions: disk.partitions.len(),
        });
    }
    for p in disk.partitions.iter().filter(|p| !kept.contains(&p.number)) {
        // An image's partitions have no node: their name says where they are.
        let which = match disk.transport {
            crate::probe::Transport::Image => p.name.clone(),
            _ => p.path.display().to_string(),
        };
        v.push(Destroyed::Partition {
            which,
            size_bytes: p.size_bytes,
            fs_type: p.fs_type.clone(),
            label: p.label.clone(),
        });
    }
    for s in &disk.signatures {
        v.push(Destroyed::Signature {
            fs_type: s.fs_type.clone(),
        });
    }
    v
}

/// `list`, or "nothing" for an empty disk.
pub(super) fn list_or_nothing(d: &[Destroyed]) -> String {
    if d.is_empty() {
        "nothing".into()
    } else {
        list(d)
    }
}

fn list(d: &[Destroyed]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The partitions the firmware needs to boot, when the layout is custom.
fn firmware_problems(answer: &Answer, firmware: Firmware) -> Vec<Issue> {
    if answer.storage.layout != Layout::Custom {
        return Vec::new();
    }
    let (uefi, what) = match firmware {
        Firmware::Uefi => (
            true,
            "this machine boots with UEFI but the layout has no EFI system partition",
        ),
        Firmware::Bios => (
            false,
            "this machine boots with BIOS but the layout has no bios-boot partition",
        ),
    };
    crate::answer::missing_boot_partition(&answer.storage.partitions, uefi)
        .map(|hint| Issue::new("storage.partitions", what).with_hint(hint))
        .into_iter()
        .collect()
}

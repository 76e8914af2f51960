//! Arrays, containers, volume groups and volumes of a layout: what each is made on, and
//! how large it will be (estimated from what mdadm, LUKS2 and LVM keep for themselves).

use std::collections::HashMap;

use crate::answer::{Issue, Size, Storage, human_bytes};
use crate::plan::devices::{
    EXTENT_BYTES, LUKS2_HEADER_BYTES, PV_METADATA_BYTES, md_reserved_bytes,
};
use crate::plan::{
    ArraySetup, CryptSetup, DeviceRef, GroupSetup, Secret, UnlockSetup, VolumeSetup,
};

use super::StorageSetup;
use super::place::{fs_name, min_fs_bytes};

/// Members of one array may differ by this share of the largest (mdadm uses the smallest
/// size of every member: the rest of a larger one is lost).
pub const MEMBER_TOLERANCE_PERCENT: u64 = 1;

fn index_of<T>(v: &[T], f: impl Fn(&T) -> bool) -> Option<usize> {
    v.iter().position(f)
}

/// The size of a device of `s`, when it is known.
pub(super) fn size_of(s: &StorageSetup, d: DeviceRef) -> Option<u64> {
    match d {
        DeviceRef::Partition { disk, number } => {
            let t = s.tables.get(disk)?;
            let p = t.partitions.get(t.position(number)?)?;
            Some(p.size_bytes(t.sector_size))
        }
        DeviceRef::Array { index } => s.arrays.get(index).map(|a| a.size_bytes),
        DeviceRef::Crypt { index } => s.crypts.get(index).map(|c| c.size_bytes),
        DeviceRef::Volume { index } => s.volumes.get(index).map(|v| v.size_bytes),
    }
}

/// Fills the layers of `setup` from the layout `s`; `parts` are its partitions' devices;
/// `tpm2_present`: the machine has a TPM 2.0.
pub(super) fn build(
    s: &Storage,
    parts: &[Option<DeviceRef>],
    setup: &mut StorageSetup,
    tpm2_present: bool,
) -> Vec<Issue> {
    let mut problems = Vec::new();
    let mut by_name: HashMap<String, DeviceRef> = HashMap::new();
    for (p, d) in s.partitions.iter().zip(parts) {
        if let (Some(n), Some(d)) = (&p.name, d) {
            by_name.insert(n.clone(), *d);
        }
    }
    for (index, r) in s.raids.iter().enumerate() {
        by_name.insert(r.name.clone(), DeviceRef::Array { index });
    }
    for (index, c) in s.encrypted.iter().enumerate() {
        by_name.insert(c.name.clone(), DeviceRef::Crypt { index });
    }
    for (index, v) in s.volumes.iter().enumerate() {
        by_name.insert(
            format!("{}/{}", v.group, v.name),
            DeviceRef::Volume { index },
        );
    }
    let find = |n: &str| by_name.get(n).copied();

    for (i, r) in s.raids.iter().enumerate() {
        let members: Vec<DeviceRef> = r.members.iter().filter_map(|m| find(m)).collect();
        let sizes: Vec<u64> = members.iter().filter_map(|m| size_of(setup, *m)).collect();
        let smallest = sizes.iter().copied().min().unwrap_or(0);
        let largest = sizes.iter().copied().max().unwrap_or(0);
        if largest - smallest > largest / 100 * MEMBER_TOLERANCE_PERCENT {
            problems.push(
                Issue::new(
                    format!("storage.raids[{i}].members"),
                    format!(
                        "the members of {} differ in size ({} to {}), by more than {MEMBER_TOLERANCE_PERCENT}%: \
                         mdadm would use {} of each",
                        r.name,
                        human_bytes(smallest),
                        human_bytes(largest),
                        human_bytes(smallest)
                    ),
                )
                .with_hint("give the member partitions the same size"),
            );
        }
        let member = smallest.saturating_sub(md_reserved_bytes(smallest));
        setup.arrays.push(ArraySetup {
            name: r.name.clone(),
            level: r.level,
            members,
            size_bytes: r.level.usable_bytes(sizes.len(), member),
        });
    }
    setup.crypts = s
        .encrypted
        .iter()
        .map(|c| CryptSetup {
            name: c.name.clone(),
            on: find(&c.on).unwrap_or(DeviceRef::Array { index: usize::MAX }),
            size_bytes: 0,
        })
        .collect();
    setup.groups = s
        .volume_groups
        .iter()
        .map(|g| GroupSetup {
            name: g.name.clone(),
            on: g.on.iter().filter_map(|n| find(n)).collect(),
            size_bytes: 0,
        })
        .collect();
    setup.volumes = s
        .volumes
        .iter()
        .map(|v| VolumeSetup {
            group: index_of(&s.volume_groups, |g| g.name == v.group).unwrap_or(usize::MAX),
            name: v.name.clone(),
            size: v.size,
            size_bytes: 0,
        })
        .collect();
    sizes(s, setup, &mut problems);
    small_filesystems(s, setup, &mut problems);
    if !setup.crypts.is_empty()
        && let Some(e) = &s.encryption
    {
        let tpm2_missing = e.tpm2 && !tpm2_present;
        if tpm2_missing && !e.has_passphrase() {
            problems.push(
                Issue::new(
                    "storage.encryption.tpm2",
                    "this machine has no TPM 2.0 to unlock the encrypted containers with",
                )
                .with_hint(
                    "give a passphrase too, or enable the TPM in the firmware (or install on a \
                     machine with one)",
                ),
            );
        }
        setup.unlock = Some(UnlockSetup {
            passphrase: e.has_passphrase(),
            tpm2_pcrs: (e.tpm2 && tpm2_present).then(|| e.pcrs().to_vec()),
            tpm2_missing,
            secret: e.passphrase.as_ref().map(Secret::new),
        });
    }
    problems
}

/// Containers, groups and volumes in the order their sizes become known (a container may
/// be on a volume, a group on containers).
fn sizes(s: &Storage, setup: &mut StorageSetup, problems: &mut Vec<Issue>) {
    let mut crypt_done = vec![false; setup.crypts.len()];
    let mut group_done = vec![false; setup.groups.len()];
    for _ in 0..=(setup.crypts.len() + setup.groups.len()) {
        for i in 0..setup.crypts.len() {
            if crypt_done[i] {
                continue;
            }
            if let Some(b) = known(setup, setup.crypts[i].on, &crypt_done, &group_done) {
                setup.crypts[i].size_bytes = b.saturating_sub(LUKS2_HEADER_BYTES);
                crypt_done[i] = true;
            }
        }
        for g in 0..setup.groups.len() {
            if group_done[g] {
                continue;
            }
            let pvs: Option<Vec<u64>> = setup.groups[g]
                .on
                .iter()
                .map(|d| known(setup, *d, &crypt_done, &group_done))
                .collect();
            let Some(pvs) = pvs else { continue };
            let bytes = pvs
                .iter()
                .map(|b| b.saturating_sub(PV_METADATA_BYTES) / EXTENT_BYTES * EXTENT_BYTES)
                .sum();
            setup.groups[g].size_bytes = bytes;
            allocate(s, setup, g, problems);
            group_done[g] = true;
        }
    }
}

/// The size of `d` once what it is made on is sized.
fn known(s: &StorageSetup, d: DeviceRef, crypts: &[bool], groups: &[bool]) -> Option<u64> {
    match d {
        DeviceRef::Crypt { index } if !*crypts.get(index)? => None,
        DeviceRef::Volume { index } if !*groups.get(s.volumes.get(index)?.group)? => None,
        _ => size_of(s, d),
    }
}

/// Sizes the volumes of group `g`: absolute sizes in whole extents, shares of the group,
/// then the rest; refused when they need more than the group has.
fn allocate(s: &Storage, setup: &mut StorageSetup, g: usize, problems: &mut Vec<Issue>) {
    let group = setup.groups[g].size_bytes;
    let mut used = 0u64;
    for v in setup.volumes.iter_mut().filter(|v| v.group == g) {
        v.size_bytes = match v.size {
            Size::Bytes(b) => b.div_ceil(EXTENT_BYTES).saturating_mul(EXTENT_BYTES),
            Size::Percent(p) => group / 100 * u64::from(p) / EXTENT_BYTES * EXTENT_BYTES,
            Size::Rest => continue,
        };
        used = used.saturating_add(v.size_bytes);
    }
    let name = &setup.groups[g].name;
    if used > group {
        problems.push(
            Issue::new(
                format!(
                    "storage.volume_groups[{}]",
                    index_of(&s.volume_groups, |x| &x.name == name).unwrap_or(g)
                ),
                format!(
                    "the volumes of {name} need {} but the group has {}",
                    human_bytes(used),
                    human_bytes(group)
                ),
            )
            .with_hint("make the volumes smaller, or add physical volumes"),
        );
    }
    let left = group.saturating_sub(used);
    for v in setup
        .volumes
        .iter_mut()
        .filter(|v| v.group == g && v.size == Size::Rest)
    {
        v.size_bytes = left;
    }
}

/// Filesystems on arrays, containers and volumes that their mkfs would refuse.
fn small_filesystems(s: &Storage, setup: &StorageSetup, problems: &mut Vec<Issue>) {
    for d in s.devices() {
        let on = match d.kind {
            crate::answer::DeviceKind::Partition => continue,
            crate::answer::DeviceKind::Raid => DeviceRef::Array { index: d.index },
            crate::answer::DeviceKind::Crypt => DeviceRef::Crypt { index: d.index },
            crate::answer::DeviceKind::Volume => DeviceRef::Volume { index: d.index },
        };
        if d.form.mount().is_none() {
            continue;
        }
        let fs = d.form.fs_type();
        let min = min_fs_bytes(fs, 512);
        let bytes = size_of(setup, on).unwrap_or(0);
        if bytes < min {
            let key = match d.kind {
                crate::answer::DeviceKind::Volume => format!("{}.size", d.key),
                _ => d.key.clone(),
            };
            problems.push(
                Issue::new(
                    key,
                    format!(
                        "{} for {} is too small for {}: at least {} is needed",
                        human_bytes(bytes),
                        d.form.mount().unwrap_or(""),
                        fs_name(fs),
                        human_bytes(min)
                    ),
                )
                .with_hint("make it larger"),
            );
        }
    }
}

//! Storage planning: what goes on each target disk, and the layers between partitions and
//! filesystems (arrays, containers, volume groups, volumes), with their estimated sizes.
//! The auto layout is written out as a custom one first (`schemes`), so both are resolved
//! the same way and refused for the same reasons.

mod keep;
mod layers;
mod place;
mod schemes;

pub use keep::matches as keep_matches;
pub(super) use place::fs_name;
pub use schemes::{AUTO_GROUP, MIN_AUTO_ROOT, auto_swap};

use crate::answer::{
    DeviceKind, ESP_MOUNT, Formattable, Issue, Layout, MountKind, Scheme, Size, Storage,
    human_bytes,
};
use crate::probe::{Disk, Firmware};

use super::{
    ArraySetup, CryptSetup, DeviceRef, FilesystemSetup, GroupSetup, PartitionTable, Role,
    UnlockSetup, VolumeSetup,
};
use place::Want;

/// What the storage of a plan is, once it fits.
pub(super) struct StorageSetup {
    /// One table per target disk, in target order.
    pub tables: Vec<PartitionTable>,
    pub arrays: Vec<ArraySetup>,
    pub crypts: Vec<CryptSetup>,
    pub unlock: Option<UnlockSetup>,
    pub groups: Vec<GroupSetup>,
    pub volumes: Vec<VolumeSetup>,
    pub filesystems: Vec<FilesystemSetup>,
}

impl StorageSetup {
    /// The size of a device (estimated for the layers).
    pub fn device_bytes(&self, d: DeviceRef) -> Option<u64> {
        layers::size_of(self, d)
    }

    /// "partition 2 of disk 1", "array boot", "container luks-root", "volume azurelinux/root".
    pub fn describe(&self, d: DeviceRef) -> String {
        describe(d, &self.arrays, &self.crypts, &self.groups, &self.volumes)
    }
}

/// The auto layout of `storage` on `disks` written out as the custom layout it stands for
/// (partitions, arrays, containers, groups, volumes): where the TUI starts a custom layout
/// from, so that it begins with exactly what the auto layout would have made.
pub fn auto_layout(storage: &Storage, firmware: Firmware, disks: &[&Disk], memory: u64) -> Storage {
    schemes::generate(storage, firmware, disks, memory).storage
}

/// How messages and the plan's text name a device.
pub(super) fn describe(
    d: DeviceRef,
    arrays: &[ArraySetup],
    crypts: &[CryptSetup],
    groups: &[GroupSetup],
    volumes: &[VolumeSetup],
) -> String {
    match d {
        DeviceRef::Partition { disk, number } => format!("partition {number} of disk {}", disk + 1),
        DeviceRef::Array { index } => match arrays.get(index) {
            Some(a) => format!("array {}", a.name),
            None => format!("array #{index}"),
        },
        DeviceRef::Crypt { index } => match crypts.get(index) {
            Some(c) => format!("container {}", c.name),
            None => format!("container #{index}"),
        },
        DeviceRef::Volume { index } => match volumes.get(index) {
            Some(v) => format!(
                "volume {}/{}",
                groups.get(v.group).map_or("?", |g| g.name.as_str()),
                v.name
            ),
            None => format!("volume #{index}"),
        },
    }
}

/// The storage of `answer` on `disks` (target order), or every reason it cannot be.
pub(super) fn resolve(
    storage: &Storage,
    firmware: Firmware,
    disks: &[&Disk],
    memory: u64,
    tpm2: bool,
) -> Result<StorageSetup, Vec<Issue>> {
    scheme_fits_disks(storage, disks.len())?;
    let (layout, mins, auto) = match storage.layout {
        Layout::Auto => {
            let g = schemes::generate(storage, firmware, disks, memory);
            (g.storage, g.mins, true)
        }
        Layout::Custom => (storage.clone(), Vec::new(), false),
    };
    // Messages about a written-out auto layout name the keys the admin wrote.
    let generated = [
        "storage.partitions",
        "storage.raids",
        "storage.volume_groups",
        "storage.volumes",
        "storage.encrypted",
    ];
    let key = |k: &str| -> String {
        if !auto || !generated.iter().any(|g| k.starts_with(g)) {
            k.to_string()
        } else if swap_key(&layout, k) {
            "storage.swap".into()
        } else {
            "storage.layout".into()
        }
    };
    let built = build(&layout, &mins, disks, tpm2);
    let mut problems: Vec<Issue> = built
        .problems
        .into_iter()
        .map(|mut i| {
            i.path = key(&i.path);
            i
        })
        .collect();
    if auto {
        problems.extend(auto_root(&built.setup));
    }
    // One message per problem: an auto layout's several members say the same thing.
    problems.dedup();
    if problems.is_empty() {
        Ok(built.setup)
    } else {
        Err(problems)
    }
}

/// The auto schemes' needs in disks; a custom layout's use of every disk it was given.
fn scheme_fits_disks(s: &Storage, n: usize) -> Result<(), Vec<Issue>> {
    let problem = match s.layout {
        Layout::Auto if s.scheme.raid() && n < 2 => Some(
            Issue::new(
                "storage.scheme",
                format!(
                    "scheme \"{}\" mirrors two or more disks, but the target picked {n}",
                    s.scheme.as_str()
                ),
            )
            .with_hint("list two disks in target.paths, or give the rule count = 2"),
        ),
        Layout::Auto if s.scheme == Scheme::Plain && n > 1 => Some(
            Issue::new(
                "storage.scheme",
                format!("scheme \"plain\" uses one disk, but the target picked {n}"),
            )
            .with_hint("use scheme = \"lvm\" to span the disks or \"raid1\" to mirror them"),
        ),
        Layout::Custom => {
            let unused: Vec<String> = (0..n)
                .filter(|d| !s.partitions.iter().any(|p| p.disk_index() == *d))
                .map(|d| (d + 1).to_string())
                .collect();
            let beyond = s.partitions.iter().position(|p| p.disk_index() >= n);
            match (beyond, unused.is_empty()) {
                (Some(i), _) => Some(
                    Issue::new(
                        format!("storage.partitions[{i}].disk"),
                        format!(
                            "the target picked {n} disk(s); there is no disk {}",
                            s.partitions[i].disk_index() + 1
                        ),
                    )
                    .with_hint("list more disks in target.paths, or raise the rule's count"),
                ),
                (None, false) => Some(
                    Issue::new(
                        "storage.partitions",
                        format!("the layout puts nothing on disk {}", unused.join(", ")),
                    )
                    .with_hint("target only the disks the layout uses: a chosen disk is erased"),
                ),
                (None, true) => None,
            }
        }
        _ => None,
    };
    problem.map_or(Ok(()), |p| Err(vec![p]))
}

/// Whether `key` belongs to a swap device of a written-out auto layout.
fn swap_key(s: &Storage, key: &str) -> bool {
    s.devices().iter().any(|d| {
        let swap = d.form.kind() == MountKind::Swap
            || d.name.as_deref().is_some_and(|n| n.starts_with("swap"));
        swap && (key == d.key || key.strip_prefix(&d.key).is_some_and(|r| r.starts_with('.')))
    })
}

/// An auto layout's root holds at least `MIN_AUTO_ROOT`.
fn auto_root(s: &StorageSetup) -> Option<Issue> {
    let root = s.filesystems.iter().find(|f| f.role == Role::Root)?;
    let bytes = layers::size_of(s, root.on)?;
    (bytes < MIN_AUTO_ROOT).then(|| {
        Issue::new(
            "storage.layout",
            format!(
                "the root filesystem would be {}; the auto layout needs at least {}",
                human_bytes(bytes),
                human_bytes(MIN_AUTO_ROOT)
            ),
        )
        .with_hint("choose a larger disk, less swap (storage.swap), or a custom layout")
    })
}

struct Built {
    setup: StorageSetup,
    problems: Vec<Issue>,
}

/// Places each disk's partitions, then sizes the layers and lists the filesystems.
fn build(s: &Storage, mins: &[(usize, u64)], disks: &[&Disk], tpm2: bool) -> Built {
    let mut problems = Vec::new();
    let roles = partition_roles(s);
    let mut tables = Vec::new();
    // Answer partition index -> its device.
    let mut parts: Vec<Option<DeviceRef>> = vec![None; s.partitions.len()];
    for (d, disk) in disks.iter().enumerate() {
        let on_disk: Vec<usize> = (0..s.partitions.len())
            .filter(|i| s.partitions[*i].disk_index() == d)
            .collect();
        let mut wants: Vec<Want> = Vec::new();
        for &i in &on_disk {
            let p = &s.partitions[i];
            let kept = if p.keep {
                match keep::find(p, i, disk) {
                    Ok(found) => Some(found),
                    Err(issue) => {
                        problems.push(issue);
                        continue;
                    }
                }
            } else {
                None
            };
            wants.push(Want {
                role: roles[i],
                // Validation gives every new partition a size; a kept one has its own.
                size: p.size.unwrap_or(Size::Rest),
                fs: kept.as_ref().map_or(p.fs_type(), |k| k.fs),
                mount: p.mount.clone(),
                label: p.label.clone(),
                // What a message about it names: a kept one has no size of its own.
                key: format!(
                    "storage.partitions[{i}].{}",
                    if kept.is_some() { "match" } else { "size" }
                ),
                min: mins.iter().find(|(j, _)| *j == i).map(|(_, b)| *b),
                kept,
            });
        }
        if wants.len() != on_disk.len() {
            // A kept partition was not found: that problem is the disk's only one.
            tables.push(empty_table(disk));
            continue;
        }
        let what = if disks.len() == 1 {
            "the disk".to_string()
        } else {
            format!("disk {} ({})", d + 1, disk.path.display())
        };
        match place::place(&wants, disk.size_bytes, disk.logical_sector, &what) {
            Ok(t) => {
                for (k, &i) in on_disk.iter().enumerate() {
                    parts[i] = Some(DeviceRef::Partition {
                        disk: d,
                        number: t.partitions[k].number,
                    });
                }
                tables.push(t);
            }
            Err(p) => {
                problems.extend(p);
                tables.push(empty_table(disk));
            }
        }
    }
    let mut setup = StorageSetup {
        tables,
        arrays: Vec::new(),
        crypts: Vec::new(),
        unlock: None,
        groups: Vec::new(),
        volumes: Vec::new(),
        filesystems: Vec::new(),
    };
    if !problems.is_empty() {
        return Built { setup, problems };
    }
    problems.extend(layers::build(s, &parts, &mut setup, tpm2));
    setup.filesystems = filesystems(s, &parts, &setup.tables);
    Built { setup, problems }
}

fn empty_table(disk: &Disk) -> PartitionTable {
    PartitionTable {
        sector_size: disk.logical_sector,
        disk_sectors: disk.size_bytes / u64::from(disk.logical_sector),
        partitions: Vec::new(),
    }
}

/// A partition's role: from its mount, or from what is made on it.
fn partition_roles(s: &Storage) -> Vec<Role> {
    s.partitions
        .iter()
        .map(|p| {
            if p.mount.is_some() {
                return Role::for_mount(p.mount.as_deref());
            }
            let name = p.name.as_deref().unwrap_or("");
            if s.raids.iter().any(|r| r.members.iter().any(|m| m == name)) {
                Role::RaidMember
            } else if s
                .volume_groups
                .iter()
                .any(|g| g.on.iter().any(|n| n == name))
            {
                Role::LvmPv
            } else if s.encrypted.iter().any(|c| c.on == name) {
                Role::Luks
            } else {
                Role::Data
            }
        })
        .collect()
}

/// The ESP's mount options when the answer gives none, as Fedora writes them: FAT has no
/// permissions, so root only; winnt keeps 8.3 names as written.
pub const ESP_OPTIONS: &str = "umask=0077,shortname=winnt";

/// Every device with a mount point (or swap) gets its filesystem; an ESP on a disk after the
/// first is a copy, formatted but not mounted.
fn filesystems(
    s: &Storage,
    parts: &[Option<DeviceRef>],
    tables: &[PartitionTable],
) -> Vec<FilesystemSetup> {
    let mut out = Vec::new();
    for d in s.devices() {
        let f = d.form;
        let Some(mount) = f.mount() else { continue };
        let on = match d.kind {
            DeviceKind::Partition => parts[d.index],
            // Arrays, containers and volumes keep the layout's order in the plan.
            DeviceKind::Raid => Some(DeviceRef::Array { index: d.index }),
            DeviceKind::Crypt => Some(DeviceRef::Crypt { index: d.index }),
            DeviceKind::Volume => Some(DeviceRef::Volume { index: d.index }),
        };
        let Some(on) = on else { continue };
        let kind = f.kind();
        if kind == MountKind::BiosBoot {
            // GRUB's core image, no filesystem.
            continue;
        }
        let copy =
            kind == MountKind::Esp && matches!(on, DeviceRef::Partition { disk, .. } if disk > 0);
        let mount = match kind {
            MountKind::Swap => None,
            _ if copy => None,
            _ => Some(mount.to_string()),
        };
        // A kept partition's filesystem is what the probe found on it.
        let kept = match on {
            DeviceRef::Partition { disk, number } => tables
                .get(disk)
                .and_then(|t| t.partitions.iter().find(|p| p.number == number))
                .and_then(|p| p.kept.as_ref()),
            _ => None,
        };
        out.push(FilesystemSetup {
            keep: kept.is_some(),
            on,
            role: Role::for_mount(Some(if copy {
                ESP_MOUNT
            } else {
                f.mount().unwrap_or("")
            })),
            fs: kept.map_or(f.fs_type(), |k| k.fs),
            label: f.label().map(String::from),
            mount,
            options: f.options().map(String::from),
        });
    }
    // With a copy of the ESP on another disk, disk 1 may be the one that is missing: the
    // firmware boots a copy, and /boot/efi must not stop the boot (the VM proof's disk 2
    // alone went to emergency mode waiting for it). Options the answer gives are its own.
    if out.iter().any(FilesystemSetup::is_esp_copy) {
        for f in out
            .iter_mut()
            .filter(|f| f.role == Role::Esp && f.mount.is_some())
        {
            if f.options.as_deref().is_none_or(|o| o == ESP_OPTIONS) {
                f.options = Some(format!("{ESP_OPTIONS},nofail"));
            }
        }
    }
    out
}

//! The layers step: the plan's arrays, LUKS2 containers, volume groups and volumes, made on
//! the new partitions in an order where each device exists before what is made on it.
//! What was made is remembered: at the end it is closed (volume groups deactivated,
//! containers closed, arrays stopped, in reverse order), and after a failure the arrays'
//! superblocks are zeroed too, so nothing stays open and a re-run starts clean.

mod crypt;
mod lvm;
mod mdadm;
mod release;

pub use release::stop_old;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::answer::Size;
use crate::cmd::CmdError;
use crate::events::{Event, Level, Sink, Step};
use crate::plan::{DeviceRef, Plan, Secret};

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("making {what}: {source}")]
    Make { what: String, source: CmdError },
    #[error("{what}: {source}")]
    Close { what: String, source: CmdError },
    #[error("stopping {what}, which runs on the target disks: {source}")]
    Release { what: String, source: CmdError },
    #[error("{what} is made on {on}, which was not made (the plan is inconsistent)")]
    Missing { what: String, on: String },
    #[error(
        "the plan has LUKS2 containers but no passphrase: give it again (it is never saved in a plan)"
    )]
    NoSecret,
    #[error("no random bytes for a one-time LUKS2 key: {0}")]
    Random(String),
}

/// The device node of every partition and layer made so far.
#[derive(Debug, Default, Clone)]
pub struct Nodes(HashMap<DeviceRef, PathBuf>);

impl Nodes {
    /// The partitions of `disks` (each disk's nodes in table order).
    pub fn of_partitions(plan: &Plan, disks: &[Vec<PathBuf>]) -> Nodes {
        let mut map = HashMap::new();
        for (d, nodes) in disks.iter().enumerate() {
            let Some(setup) = plan.disks.get(d) else {
                continue;
            };
            for (p, node) in setup.table.partitions.iter().zip(nodes) {
                map.insert(
                    DeviceRef::Partition {
                        disk: d,
                        number: p.number,
                    },
                    node.clone(),
                );
            }
        }
        Nodes(map)
    }

    /// One disk's partitions: `nodes` in the order of `table`.
    pub fn one_disk(table: &crate::plan::PartitionTable, nodes: &[PathBuf]) -> Nodes {
        Nodes(
            table
                .partitions
                .iter()
                .zip(nodes)
                .map(|(p, n)| {
                    let d = DeviceRef::Partition {
                        disk: 0,
                        number: p.number,
                    };
                    (d, n.clone())
                })
                .collect(),
        )
    }

    pub fn get(&self, d: DeviceRef) -> Option<&PathBuf> {
        self.0.get(&d)
    }
}

/// One thing the step made, to be closed (and on failure, undone).
#[derive(Debug)]
enum Made {
    Array {
        node: PathBuf,
        members: Vec<PathBuf>,
    },
    Crypt {
        name: String,
    },
    Group {
        name: String,
        pvs: Vec<PathBuf>,
    },
}

/// What the layers step made; closes it when dropped, if `close` was not called.
pub struct Layers<'a> {
    made: Vec<Made>,
    events: &'a dyn Sink,
    closed: bool,
}

/// Makes the plan's layers on `nodes` (its partitions); returns them with the nodes of
/// everything made added.
pub fn build<'a>(
    plan: &Plan,
    mut nodes: Nodes,
    events: &'a dyn Sink,
) -> Result<(Layers<'a>, Nodes), LayerError> {
    let mut layers = Layers {
        made: Vec::new(),
        events,
        closed: false,
    };
    let total = (plan.arrays.len() + plan.crypts.len() + plan.groups.len()) as u64;
    match make_all(plan, &mut nodes, &mut layers, total) {
        Ok(()) => Ok((layers, nodes)),
        Err(e) => {
            layers.undo();
            Err(e)
        }
    }
}

/// The key the containers are made with, and whether it is a one-time key: a TPM2-only
/// plan has no passphrase, so a random key makes and opens them and is wiped once the
/// TPM2 holds one. `None` without containers.
fn unlock_key(plan: &Plan) -> Result<Option<(Secret, bool)>, LayerError> {
    let Some(unlock) = plan.unlock.as_ref().filter(|_| !plan.crypts.is_empty()) else {
        return Ok(None);
    };
    if let Some(s) = &unlock.secret {
        return Ok(Some((s.clone(), false)));
    }
    if unlock.tpm2_pcrs.is_none() {
        return Err(LayerError::NoSecret);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| LayerError::Random(e.to_string()))?;
    Ok(Some((Secret::new(hex::encode(bytes)), true)))
}

fn make_all(
    plan: &Plan,
    nodes: &mut Nodes,
    layers: &mut Layers<'_>,
    total: u64,
) -> Result<(), LayerError> {
    let ev = layers.events;
    let node_of = |nodes: &Nodes, d: DeviceRef, what: &str| {
        nodes.get(d).cloned().ok_or_else(|| LayerError::Missing {
            what: what.to_string(),
            on: plan.describe(d),
        })
    };
    let mut done = 0u64;
    let mut progress = |ev: &dyn Sink| {
        done += 1;
        ev.send(&Event::Progress {
            step: Step::Partition,
            done,
            total,
        });
    };
    // Arrays are made on partitions only.
    for (index, a) in plan.arrays.iter().enumerate() {
        let what = format!("array {}", a.name);
        let members = a
            .members
            .iter()
            .map(|m| node_of(nodes, *m, &what))
            .collect::<Result<Vec<_>, _>>()?;
        log(
            ev,
            format!(
                "creating RAID {} array /dev/md/{} on {}",
                a.level.number(),
                a.name,
                list(&members)
            ),
        );
        let node =
            mdadm::create(&a.name, a.level, &members).map_err(|source| LayerError::Make {
                what: what.clone(),
                source,
            })?;
        layers.made.push(Made::Array {
            node: node.clone(),
            members,
        });
        // A new array over the old one's partitions has the old data offset: the old
        // array's contents show through (a reinstall's pvcreate met the old group's PV
        // label and refused). Its signatures go before anything is made on it.
        let erased = crate::engine::disk::wipefs(&node).map_err(|source| LayerError::Make {
            what: what.clone(),
            source,
        })?;
        for line in erased {
            log(ev, format!("{}: {line}", node.display()));
        }
        nodes.0.insert(DeviceRef::Array { index }, node);
        progress(ev);
    }
    // Containers and groups may stack either way (LVM in LUKS, LUKS in a volume): make
    // whatever is ready until everything is made.
    let mut crypt_done = vec![false; plan.crypts.len()];
    let tpm2_pcrs = plan.unlock.as_ref().and_then(|u| u.tpm2_pcrs.as_deref());
    let key = unlock_key(plan)?;
    let mut group_done = vec![false; plan.groups.len()];
    while crypt_done.iter().any(|d| !d) || group_done.iter().any(|d| !d) {
        let mut progressed = false;
        for (index, c) in plan.crypts.iter().enumerate() {
            if crypt_done[index] || nodes.get(c.on).is_none() {
                continue;
            }
            let (secret, one_time) = key.as_ref().ok_or(LayerError::NoSecret)?;
            let what = format!("LUKS2 container {}", c.name);
            let device = node_of(nodes, c.on, &what)?;
            log(
                ev,
                format!(
                    "creating LUKS2 container {} on {}",
                    c.name,
                    device.display()
                ),
            );
            let make = |source| LayerError::Make {
                what: what.clone(),
                source,
            };
            crypt::format(&device, secret).map_err(make)?;
            if let Some(pcrs) = tpm2_pcrs {
                log(
                    ev,
                    format!("sealing a key of {} to TPM2 PCRs {pcrs:?}", c.name),
                );
                crypt::enroll_tpm2(&device, pcrs, secret).map_err(make)?;
            }
            let node = crypt::open(&device, &c.name, secret).map_err(make)?;
            if *one_time {
                crypt::wipe_passphrases(&device, secret).map_err(make)?;
            }
            layers.made.push(Made::Crypt {
                name: c.name.clone(),
            });
            nodes.0.insert(DeviceRef::Crypt { index }, node);
            crypt_done[index] = true;
            progressed = true;
            progress(ev);
        }
        for (g, group) in plan.groups.iter().enumerate() {
            if group_done[g] || group.on.iter().any(|d| nodes.get(*d).is_none()) {
                continue;
            }
            let what = format!("volume group {}", group.name);
            let pvs = group
                .on
                .iter()
                .map(|d| node_of(nodes, *d, &what))
                .collect::<Result<Vec<_>, _>>()?;
            log(
                ev,
                format!("creating volume group {} on {}", group.name, list(&pvs)),
            );
            lvm::create_group(&group.name, &pvs).map_err(|source| LayerError::Make {
                what: what.clone(),
                source,
            })?;
            layers.made.push(Made::Group {
                name: group.name.clone(),
                pvs: pvs.clone(),
            });
            // The rest last: it takes what the others leave.
            let mut volumes: Vec<(usize, &crate::plan::VolumeSetup)> = plan
                .volumes
                .iter()
                .enumerate()
                .filter(|(_, v)| v.group == g)
                .collect();
            volumes.sort_by_key(|(_, v)| v.size == Size::Rest);
            for (index, v) in volumes {
                log(
                    ev,
                    format!("creating volume {}/{} ({})", group.name, v.name, v.size),
                );
                let node =
                    lvm::create_volume(&group.name, &v.name, v.size, &pvs).map_err(|source| {
                        LayerError::Make {
                            what: format!("volume {}/{}", group.name, v.name),
                            source,
                        }
                    })?;
                nodes.0.insert(DeviceRef::Volume { index }, node);
            }
            group_done[g] = true;
            progressed = true;
            progress(ev);
        }
        if !progressed {
            return Err(LayerError::Missing {
                what: "a container or volume group".into(),
                on: "a device that nothing makes".into(),
            });
        }
    }
    Ok(())
}

impl Layers<'_> {
    /// Closes what was made, in reverse order: volume groups deactivated, containers
    /// closed, arrays stopped. The first error is returned after trying everything.
    pub fn close(mut self) -> Result<(), LayerError> {
        self.closed = true;
        let mut first = None;
        while let Some(m) = self.made.pop() {
            if let Err(e) = close_one(&m, self.events) {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// After a failure: closes everything, then zeroes the superblocks of the arrays made,
    /// so no half-made array is assembled later.
    fn undo(&mut self) {
        self.closed = true;
        while let Some(m) = self.made.pop() {
            let _ = close_one(&m, self.events);
            if let Made::Array { members, .. } = &m {
                for member in members {
                    if let Err(e) = mdadm::zero_superblock(member) {
                        warn(
                            self.events,
                            format!("zeroing the md superblock of {}: {e}", member.display()),
                        );
                    }
                }
            }
        }
    }
}

/// A step after the layers failed: they are undone like a failure of their own.
impl Drop for Layers<'_> {
    fn drop(&mut self) {
        if !self.closed {
            self.undo();
        }
    }
}

fn close_one(m: &Made, ev: &dyn Sink) -> Result<(), LayerError> {
    let (what, result) = match m {
        Made::Group { name, pvs } => (
            format!("deactivating volume group {name}"),
            while_busy(|| lvm::deactivate(name, pvs)),
        ),
        Made::Crypt { name } => (
            format!("closing LUKS2 container {name}"),
            while_busy(|| crypt::close(name)),
        ),
        Made::Array { node, .. } => (
            format!("stopping array {}", node.display()),
            while_busy(|| mdadm::stop(node)),
        ),
    };
    match result {
        Ok(()) => {
            log(ev, what);
            Ok(())
        }
        Err(source) => {
            warn(ev, format!("{what}: {source}"));
            Err(LayerError::Close { what, source })
        }
    }
}

/// Runs `close` until the device lets go, about 5 s at most. Right after an unmount udev
/// probes the device (its inotify watch fires on the last close for writing) and holds it
/// for a moment, so mdadm --stop, cryptsetup close and vgchange can find it busy.
fn while_busy(close: impl Fn() -> Result<(), CmdError>) -> Result<(), CmdError> {
    let _ = crate::engine::disk::settle();
    let mut wait = std::time::Duration::from_millis(100);
    for _ in 0..8 {
        match close() {
            Err(CmdError::Failed { stderr, .. })
                if ["exclusive access", "busy", "in use", "still open"]
                    .iter()
                    .any(|w| stderr.contains(w)) =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(std::time::Duration::from_secs(1));
            }
            other => return other,
        }
    }
    close()
}

/// The LUKS UUID of the container on `device`.
pub fn luks_uuid(device: &Path) -> Result<String, LayerError> {
    crypt::uuid(device).map_err(|source| LayerError::Make {
        what: format!("reading the LUKS UUID of {}", device.display()),
        source,
    })
}

fn log(ev: &dyn Sink, message: String) {
    ev.log(Step::Partition, Level::Info, message);
}

fn warn(ev: &dyn Sink, message: String) {
    ev.log(Step::Partition, Level::Warn, message);
}

fn list(nodes: &[PathBuf]) -> String {
    nodes
        .iter()
        .map(|n| n.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the installed system needs to know of the layers made: the arrays' `ARRAY` lines
/// and UUIDs, the containers' LUKS UUIDs, the groups' names.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// `mdadm --detail --scan`: the lines of /etc/mdadm.conf.
    pub mdadm_conf: String,
    /// Each array's md UUID (mdadm's colon form), as `rd.md.uuid=` wants it.
    pub md_uuids: Vec<String>,
    /// Each container: its name and LUKS UUID.
    pub luks: Vec<(String, String)>,
    pub groups: Vec<String>,
    /// The containers also unlock with the TPM2.
    pub tpm2: bool,
}

impl Facts {
    /// Reads them from the devices the layers step made.
    pub fn read(plan: &Plan, nodes: &Nodes) -> Result<Facts, LayerError> {
        let mut f = Facts {
            groups: plan.groups.iter().map(|g| g.name.clone()).collect(),
            tpm2: plan.unlock.as_ref().is_some_and(|u| u.tpm2_pcrs.is_some()),
            ..Facts::default()
        };
        if !plan.arrays.is_empty() {
            f.mdadm_conf = mdadm::scan().map_err(|source| LayerError::Make {
                what: "listing the arrays".into(),
                source,
            })?;
            f.md_uuids = f
                .mdadm_conf
                .split_whitespace()
                .filter_map(|w| w.strip_prefix("UUID="))
                .map(String::from)
                .collect();
        }
        for c in &plan.crypts {
            let device = nodes.get(c.on).ok_or_else(|| LayerError::Missing {
                what: format!("LUKS2 container {}", c.name),
                on: plan.describe(c.on),
            })?;
            f.luks.push((c.name.clone(), luks_uuid(device)?));
        }
        Ok(f)
    }
}

//! The plan as a person reads it (`azl-installer plan`, the TUI summary).

use std::fmt::Write;

use crate::answer::{Layout, human_bytes};
use crate::probe::Firmware;

use super::storage::fs_name;
use super::{DeviceRef, Plan, describe_disk};

/// What the steps after partitioning will do, one line each.
fn steps(plan: &Plan) -> Vec<String> {
    let mut v = vec![format!(
        "partition: write a new GPT with {} partitions",
        plan.target().table.partitions.len()
    )];
    if let Some(layers) = layers_line(plan) {
        v.push(layers);
    }
    let formats: Vec<String> = plan
        .filesystems
        .iter()
        .map(|f| match f.on {
            _ if f.keep => format!("{} kept as it is", plan.describe(f.on)),
            DeviceRef::Partition { disk: 0, number } => format!("{number} as {}", fs_name(f.fs)),
            other => format!("{} as {}", plan.describe(other), fs_name(f.fs)),
        })
        .collect();
    v.push(format!("format: partition {}", formats.join(", ")));
    v.push("mount: the new filesystems at /mnt/sysimage".into());
    let repos: Vec<&str> = plan
        .payload
        .repos
        .iter()
        .filter(|r| r.url != super::MEDIA_REPO_URL)
        .map(|r| r.name.as_str())
        .collect();
    let pl = &plan.payload;
    v.push(format!(
        "payload: install {} (kernel {}; {} to download, {} installed) from {}",
        packages_line(plan),
        if pl.kernel.is_empty() {
            &plan.system.kernel.series
        } else {
            &pl.kernel
        },
        human_bytes(pl.download_bytes),
        human_bytes(pl.installed_bytes),
        if repos.is_empty() {
            "the install media".into()
        } else {
            repos.join(", ")
        }
    ));
    v.push(format!(
        "configure: hostname {}, timezone {}, SELinux {}, SSH {}, {} user(s)",
        plan.system.host.hostname,
        plan.system.host.timezone,
        plan.system.selinux.mode.word(),
        if plan.system.ssh.enable {
            "enabled"
        } else {
            "disabled"
        },
        plan.system.accounts.users.len()
    ));
    v.push(match plan.system.bootloader.firmware {
        Firmware::Uefi => "bootloader: shim + GRUB on the EFI system partition".into(),
        Firmware::Bios => "bootloader: GRUB into the bios-boot partition".into(),
    });
    if !plan.system.post_scripts.is_empty() {
        v.push(format!("post scripts: {}", plan.system.post_scripts.len()));
    }
    v
}

fn packages_line(plan: &Plan) -> String {
    let mut parts = Vec::new();
    // The groups the preflight settled on (the "core" default only when the repo has it).
    match plan.payload.groups.as_slice() {
        [] => {}
        [g] => parts.push(format!("group {g}")),
        g => parts.push(format!("groups {}", g.join(", "))),
    }
    if !plan.payload.requested.is_empty() {
        parts.push(plan.payload.requested.join(", "));
    }
    if parts.is_empty() {
        "the base system".into()
    } else {
        parts.join(" + ")
    }
}

/// "layers: RAID 1 arrays boot, root; LUKS2 containers luks-root; ..." when there are any.
fn layers_line(plan: &Plan) -> Option<String> {
    let mut parts = Vec::new();
    if !plan.arrays.is_empty() {
        let each: Vec<String> = plan
            .arrays
            .iter()
            .map(|a| format!("{} (RAID {})", a.name, a.level.number()))
            .collect();
        parts.push(format!("mdadm arrays {}", each.join(", ")));
    }
    if !plan.crypts.is_empty() {
        let each: Vec<&str> = plan.crypts.iter().map(|c| c.name.as_str()).collect();
        parts.push(format!("LUKS2 containers {}", each.join(", ")));
    }
    if !plan.groups.is_empty() {
        let each: Vec<&str> = plan.groups.iter().map(|g| g.name.as_str()).collect();
        parts.push(format!(
            "LVM groups {} with {} volume(s)",
            each.join(", "),
            plan.volumes.len()
        ));
    }
    (!parts.is_empty()).then(|| format!("layers: {}", parts.join("; ")))
}

/// What is made on a partition, for the table's last columns: its filesystem and mount,
/// or the layer it belongs to.
fn partition_use(plan: &Plan, disk: usize, number: u32) -> (String, String) {
    let here = DeviceRef::Partition { disk, number };
    if let Some(f) = plan.filesystem_on(disk, number) {
        let mount = match (&f.mount, f.role) {
            (Some(m), _) => m.clone(),
            (None, super::Role::Esp) => "(ESP copy)".into(),
            (None, _) => "-".into(),
        };
        return (fs_name(f.fs).into(), mount);
    }
    let user = plan.users_of(here);
    ("-".into(), user.unwrap_or_else(|| "-".into()))
}

/// The partitions of `disks[disk]` that the install keeps, one line each: "partition 4
/// (ext4 \"home\", 20 GiB, UUID …), found by filesystem label \"home\"".
pub fn kept_lines(plan: &Plan, disk: usize) -> Vec<String> {
    let Some(target) = plan.disks.get(disk) else {
        return Vec::new();
    };
    let ss = target.table.sector_size;
    target
        .table
        .partitions
        .iter()
        .filter_map(|p| p.kept.as_ref().map(|k| (p, k)))
        .map(|(p, k)| {
            let label = k
                .fs_label
                .as_deref()
                .map(|l| format!(" {l:?}"))
                .unwrap_or_default();
            let renumbered = if k.number_now == p.number {
                String::new()
            } else {
                format!(", numbered {} from now on", p.number)
            };
            format!(
                "partition {} ({}{label}, {}, UUID {}{renumbered}), found by {}",
                k.number_now,
                k.fs.as_str(),
                human_bytes(p.size_bytes(ss)),
                k.fs_uuid.as_deref().unwrap_or("none"),
                k.found_by
            )
        })
        .collect()
}

/// The whole plan as text.
pub fn render(plan: &Plan) -> String {
    let mut s = String::new();
    let several = plan.disks.len() > 1;
    if !plan.releases.is_empty() {
        let _ = writeln!(
            s,
            "Stops first (running on the target disks now; the wipe then erases them):"
        );
    }
    for r in &plan.releases {
        let on: Vec<String> = r.disks.iter().map(|d| d.display().to_string()).collect();
        let _ = writeln!(s, "  - {}, on {}", r.what, on.join(", "));
    }
    for (i, target) in plan.disks.iter().enumerate() {
        let d = &target.disk;
        if several {
            let _ = writeln!(s, "Disk {}: {}", i + 1, describe_disk(d));
        } else {
            let _ = writeln!(s, "Target disk: {}", describe_disk(d));
        }
        let _ = writeln!(s, "  chosen by: {}", target.reason);
        let _ = writeln!(
            s,
            "  sectors:   {} bytes logical, {} physical",
            d.logical_sector, d.physical_sector
        );
        if i == 0 {
            let _ = writeln!(s, "Firmware: {}", plan.firmware.name());
        }
        let kept = kept_lines(plan, i);
        if target.destroys.is_empty() {
            let _ = writeln!(s, "Destroys: nothing (the disk is empty)");
        } else if kept.is_empty() {
            let _ = writeln!(s, "Destroys (everything on the disk):");
        } else {
            let _ = writeln!(s, "Destroys (everything on the disk but what it keeps):");
        }
        for x in &target.destroys {
            let _ = writeln!(s, "  - {x}");
        }
        if !kept.is_empty() {
            let _ = writeln!(s, "Keeps (not written, not formatted, only mounted):");
        }
        for k in &kept {
            let _ = writeln!(s, "  - {k}");
        }
        let layout = match plan.layout {
            Layout::Auto => format!("auto layout, scheme {}", plan.scheme.as_str()),
            Layout::Custom => "custom layout".into(),
        };
        let ss = target.table.sector_size;
        let _ = writeln!(s, "New GPT ({layout}, 1 MiB aligned):");
        let _ = writeln!(
            s,
            "  {:>2}  {:>12}  {:>12}  {:>10}  {:<10}  {:<6}  {:<12}  type",
            "#", "start LBA", "end LBA", "size", "name", "fs", "mount"
        );
        for p in &target.table.partitions {
            let (fs, mount) = partition_use(plan, i, p.number);
            let name = if p.kept.is_some() {
                "(kept)".to_string()
            } else {
                p.name.clone()
            };
            let _ = writeln!(
                s,
                "  {:>2}  {:>12}  {:>12}  {:>10}  {:<10}  {:<6}  {:<12}  {}",
                p.number,
                p.first_lba,
                p.last_lba,
                human_bytes(p.size_bytes(ss)),
                name,
                fs,
                mount,
                p.type_guid
            );
        }
    }
    let layers = layer_lines(plan);
    if !layers.is_empty() {
        let _ = writeln!(s, "Storage layers (sizes estimated):");
    }
    for l in layers {
        let _ = writeln!(s, "  {l}");
    }
    if !plan.network.is_empty() {
        let _ = writeln!(s, "Network (NetworkManager profiles):");
        for c in &plan.network {
            let _ = writeln!(s, "  {}: {}", c.id, super::describe_connection(c));
        }
    }
    let _ = writeln!(s, "Then:");
    for step in steps(plan).iter().skip(1) {
        let _ = writeln!(s, "  - {step}");
    }
    let programs: Vec<&str> = plan.programs.iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(s, "Runs on this live system: {}", programs.join(", "));
    s
}

/// The device tree above the partitions, one line each (volumes indented under their
/// group): arrays, containers, groups and their volumes, each with its size and what is
/// made on it, then how the containers are unlocked. Empty when there are no layers.
pub fn layer_lines(plan: &Plan) -> Vec<String> {
    let mut s = Vec::new();
    if plan.arrays.is_empty() && plan.crypts.is_empty() && plan.groups.is_empty() {
        return s;
    }
    let on = |d: DeviceRef| -> String {
        match plan.filesystems.iter().find(|f| f.on == d) {
            Some(f) if f.fs == crate::answer::FsType::Swap => " -> swap".to_string(),
            Some(f) => format!(
                " -> {} {}",
                fs_name(f.fs),
                f.mount.as_deref().unwrap_or("-")
            ),
            None => plan
                .users_of(d)
                .map(|u| format!(" -> {u}"))
                .unwrap_or_default(),
        }
    };
    for (index, a) in plan.arrays.iter().enumerate() {
        let members: Vec<String> = a.members.iter().map(|m| plan.describe(*m)).collect();
        s.push(format!(
            "array /dev/md/{} RAID {}, {}, on {}{}",
            a.name,
            a.level.number(),
            human_bytes(a.size_bytes),
            members.join(", "),
            on(DeviceRef::Array { index })
        ));
    }
    for (index, c) in plan.crypts.iter().enumerate() {
        s.push(format!(
            "LUKS2 /dev/mapper/{}, {}, on {}{}",
            c.name,
            human_bytes(c.size_bytes),
            plan.describe(c.on),
            on(DeviceRef::Crypt { index })
        ));
    }
    for (g, group) in plan.groups.iter().enumerate() {
        let pvs: Vec<String> = group.on.iter().map(|d| plan.describe(*d)).collect();
        s.push(format!(
            "LVM group {}, {}, on {}",
            group.name,
            human_bytes(group.size_bytes),
            pvs.join(", ")
        ));
        for (index, v) in plan
            .volumes
            .iter()
            .enumerate()
            .filter(|(_, v)| v.group == g)
        {
            s.push(format!(
                "  volume {} ({}), {}{}",
                v.name,
                v.size,
                human_bytes(v.size_bytes),
                on(DeviceRef::Volume { index })
            ));
        }
    }
    if let Some(u) = &plan.unlock {
        let mut ways = Vec::new();
        if u.passphrase {
            ways.push("passphrase".to_string());
        }
        if let Some(pcrs) = &u.tpm2_pcrs {
            let pcrs: Vec<String> = pcrs.iter().map(u8::to_string).collect();
            ways.push(format!("TPM2 (PCRs {})", pcrs.join("+")));
        }
        s.push(format!("unlocked at boot by: {}", ways.join(" or ")));
        if u.tpm2_missing {
            s.push(
                "(TPM2 was asked for, but this machine has no TPM 2.0: the passphrase unlocks)"
                    .to_string(),
            );
        }
        if !u.passphrase && u.tpm2_pcrs.is_some() {
            s.push(
                "(no recovery passphrase: if these PCRs change, e.g. with new firmware or \
                 Secure Boot keys, the data cannot be unlocked)"
                    .to_string(),
            );
        }
    }
    s
}

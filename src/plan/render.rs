//! The plan as a person reads it (`azl-installer plan`, the TUI summary).

use std::fmt::Write;

use crate::answer::{Layout, human_bytes};
use crate::probe::Firmware;

use super::{Plan, describe_disk, layout::fs_name};

/// What the steps after partitioning will do, one line each.
fn steps(plan: &Plan) -> Vec<String> {
    let mut v = vec![format!(
        "partition: write a new GPT with {} partitions",
        plan.target().table.partitions.len()
    )];
    let formats: Vec<String> = plan
        .filesystems
        .iter()
        .map(|f| {
            let super::DeviceRef::Partition { number, .. } = f.on;
            format!("{number} as {}", fs_name(f.fs))
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

/// The whole plan as text.
pub fn render(plan: &Plan) -> String {
    let mut s = String::new();
    let target = plan.target();
    let d = &target.disk;
    let _ = writeln!(s, "Target disk: {}", describe_disk(d));
    let _ = writeln!(s, "  chosen by: {}", target.reason);
    let _ = writeln!(
        s,
        "  sectors:   {} bytes logical, {} physical",
        d.logical_sector, d.physical_sector
    );
    let _ = writeln!(s, "Firmware: {}", plan.firmware.name());
    if target.destroys.is_empty() {
        let _ = writeln!(s, "Destroys: nothing (the disk is empty)");
    } else {
        let _ = writeln!(s, "Destroys (everything on the disk):");
        for x in &target.destroys {
            let _ = writeln!(s, "  - {x}");
        }
    }
    let layout = match plan.layout {
        Layout::Auto => "auto",
        Layout::Custom => "custom",
    };
    let ss = target.table.sector_size;
    let _ = writeln!(s, "New GPT ({layout} layout, 1 MiB aligned):");
    let _ = writeln!(
        s,
        "  {:>2}  {:>12}  {:>12}  {:>10}  {:<10}  {:<6}  {:<12}  type",
        "#", "start LBA", "end LBA", "size", "name", "fs", "mount"
    );
    for p in &target.table.partitions {
        let fs = plan.filesystem_on(0, p.number);
        let _ = writeln!(
            s,
            "  {:>2}  {:>12}  {:>12}  {:>10}  {:<10}  {:<6}  {:<12}  {}",
            p.number,
            p.first_lba,
            p.last_lba,
            human_bytes(p.size_bytes(ss)),
            p.name,
            fs_name(fs.map_or(crate::answer::FsType::None, |f| f.fs)),
            fs.and_then(|f| f.mount.as_deref()).unwrap_or("-"),
            p.type_guid
        );
    }
    let _ = writeln!(s, "Then:");
    for step in steps(plan).iter().skip(1) {
        let _ = writeln!(s, "  - {step}");
    }
    let programs: Vec<&str> = plan.programs.iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(s, "Runs on this live system: {}", programs.join(", "));
    s
}

//! How a custom layout's devices refer to each other: names, array members, volume groups'
//! physical volumes, encrypted containers' devices; every device used once (mounted, or
//! made into something else); and `[storage.encryption]`.

use std::collections::HashMap;

use crate::answer::{
    DeviceKind, DeviceSpec, Encryption, Issue, MountKind, Size, Storage, did_you_mean, shown,
};

pub(super) fn check(s: &Storage, devices: &[DeviceSpec<'_>], out: &mut Vec<Issue>) {
    names(s, devices, out);
    groups(s, out);
    let by_name: HashMap<&str, &DeviceSpec<'_>> = devices
        .iter()
        .filter_map(|d| d.name.as_deref().map(|n| (n, d)))
        .collect();
    // Who uses each device, by name: the first use wins, a second is an error.
    let mut used_by: HashMap<&str, String> = HashMap::new();
    for u in s.device_uses() {
        let Some(d) = by_name.get(u.name) else {
            let hint = did_you_mean(u.name, by_name.keys().copied())
                .unwrap_or_else(|| "name a partition, array, volume or container".into());
            out.push(
                Issue::new(&u.key, format!("no device is named {}", shown(u.name))).with_hint(hint),
            );
            continue;
        };
        if !u.allowed.contains(&d.kind) {
            let allowed: Vec<&str> = u.allowed.iter().map(|k| k.noun()).collect();
            out.push(Issue::new(
                &u.key,
                format!(
                    "{} is an {}; only a {} can be used here",
                    shown(u.name),
                    d.kind.noun(),
                    allowed.join(" or ")
                ),
            ));
            continue;
        }
        if let Some(first) = used_by.get(u.name) {
            out.push(Issue::new(
                &u.key,
                format!("{} is used already by {first}", shown(u.name)),
            ));
            continue;
        }
        if let Some(m) = d.form.mount() {
            out.push(
                Issue::new(
                    &u.key,
                    format!(
                        "{} is mounted at {} and cannot be used here too",
                        shown(u.name),
                        shown(m)
                    ),
                )
                .with_hint(format!("remove the mount of {}", d.key)),
            );
        }
        used_by.insert(u.name, u.key.clone());
    }
    for d in devices {
        let used = d.name.as_deref().is_some_and(|n| used_by.contains_key(n));
        if d.form.mount().is_none() && !used {
            out.push(
                Issue::new(
                    format!("{}.mount", d.key),
                    format!("this {} is neither mounted nor used", d.kind.noun()),
                )
                .with_hint(
                    "give it a mount (or \"swap\"), or name it and use it in an array, a \
                     volume group or an encrypted container",
                ),
            );
        }
    }
    raids(s, out);
    encrypted(s, devices, out);
    cycles(s, out);
}

/// Names: a word the kernel, mdadm, LVM and device-mapper all accept, and unique.
fn names(s: &Storage, devices: &[DeviceSpec<'_>], out: &mut Vec<Issue>) {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut one = |name: &str, key: String, out: &mut Vec<Issue>| {
        if let Err(e) = name_ok(name) {
            out.push(
                Issue::new(&key, format!("name {} {e}", shown(name)))
                    .with_hint("use letters, digits, \"_\", \"-\", \".\" and \"+\""),
            );
        }
        match seen.get(name) {
            Some(first) => out.push(Issue::new(
                &key,
                format!("the name {} is given already at {first}", shown(name)),
            )),
            None => {
                seen.insert(name.to_string(), key);
            }
        }
    };
    for d in devices {
        // A volume's own name is only unique within its group.
        if d.kind == DeviceKind::Volume {
            continue;
        }
        if let Some(n) = d.name.as_deref() {
            one(n, format!("{}.name", d.key), out);
        }
    }
    for (i, g) in s.volume_groups.iter().enumerate() {
        one(&g.name, format!("storage.volume_groups[{i}].name"), out);
    }
    let mut in_group: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, v) in s.volumes.iter().enumerate() {
        let key = format!("storage.volumes[{i}].name");
        if let Err(e) = name_ok(&v.name) {
            out.push(Issue::new(&key, format!("name {} {e}", shown(&v.name))));
        }
        if let Some(first) = in_group.insert((&v.group, &v.name), i) {
            out.push(Issue::new(
                &key,
                format!(
                    "group {} has a volume {} already (storage.volumes[{first}])",
                    shown(&v.group),
                    shown(&v.name)
                ),
            ));
        }
    }
}

fn name_ok(n: &str) -> Result<(), &'static str> {
    if n.is_empty() || n.len() > 32 {
        return Err("must be 1 to 32 characters long");
    }
    if n.starts_with('-') || n.starts_with('.') {
        return Err("must not start with \"-\" or \".\"");
    }
    if !n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.+".contains(c))
    {
        return Err("has characters other than letters, digits, \"_\", \"-\", \".\", \"+\"");
    }
    Ok(())
}

/// Volume groups have physical volumes and volumes; volumes name a group, and at most one
/// per group takes the rest.
fn groups(s: &Storage, out: &mut Vec<Issue>) {
    for (i, g) in s.volume_groups.iter().enumerate() {
        if g.on.is_empty() {
            out.push(
                Issue::new(
                    format!("storage.volume_groups[{i}].on"),
                    "a volume group needs at least one physical volume",
                )
                .with_hint("name the partitions, arrays or containers it is made on"),
            );
        }
        if !s.volumes.iter().any(|v| v.group == g.name) {
            out.push(
                Issue::new(
                    format!("storage.volume_groups[{i}]"),
                    format!("volume group {} has no volumes", shown(&g.name)),
                )
                .with_hint("add [[storage.volumes]] with group = the group's name"),
            );
        }
    }
    let mut rest: HashMap<&str, usize> = HashMap::new();
    for (i, v) in s.volumes.iter().enumerate() {
        if !s.volume_groups.iter().any(|g| g.name == v.group) {
            let hint = did_you_mean(&v.group, s.volume_groups.iter().map(|g| g.name.as_str()))
                .unwrap_or_else(|| "add [[storage.volume_groups]] with that name".into());
            out.push(
                Issue::new(
                    format!("storage.volumes[{i}].group"),
                    format!("no volume group is named {}", shown(&v.group)),
                )
                .with_hint(hint),
            );
        }
        match v.size {
            Size::Bytes(0) => out.push(Issue::new(
                format!("storage.volumes[{i}].size"),
                "a volume of size 0",
            )),
            Size::Rest => {
                if let Some(first) = rest.insert(&v.group, i) {
                    out.push(Issue::new(
                        format!("storage.volumes[{i}].size"),
                        format!("storage.volumes[{first}] already takes the rest of the group"),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// Enough members for the level, and (with redundancy) each on its own disk.
fn raids(s: &Storage, out: &mut Vec<Issue>) {
    for (i, r) in s.raids.iter().enumerate() {
        let need = r.level.min_members();
        if r.members.len() < need {
            out.push(
                Issue::new(
                    format!("storage.raids[{i}].members"),
                    format!(
                        "RAID {} needs at least {need} members, {} given",
                        r.level.number(),
                        r.members.len()
                    ),
                )
                .with_hint("add a partition on another disk"),
            );
        }
        if r.level.number() == 0 {
            continue;
        }
        let mut disks: HashMap<usize, &str> = HashMap::new();
        for (j, m) in r.members.iter().enumerate() {
            let Some(p) = s.partitions.iter().find(|p| p.name.as_deref() == Some(m)) else {
                continue;
            };
            if let Some(other) = disks.insert(p.disk_index(), m) {
                out.push(
                    Issue::new(
                        format!("storage.raids[{i}].members[{j}]"),
                        format!(
                            "{} and {} are both on disk {}: losing that disk would lose both",
                            shown(other),
                            shown(m),
                            p.disk_index() + 1
                        ),
                    )
                    .with_hint("put each member on its own disk"),
                );
            }
        }
    }
}

/// Containers need a way to unlock; /boot cannot be inside one (GRUB reads /boot, and
/// does not open LUKS2 with Argon2); `[storage.encryption]` must have something to do.
fn encrypted(s: &Storage, devices: &[DeviceSpec<'_>], out: &mut Vec<Issue>) {
    match &s.encryption {
        None if !s.encrypted.is_empty() => out.push(
            Issue::new(
                "storage.encrypted",
                "encrypted containers need [storage.encryption]",
            )
            .with_hint("add [storage.encryption] with passphrase and/or tpm2 = true"),
        ),
        Some(_) if s.encrypted.is_empty() => out.push(
            Issue::new(
                "storage.encryption",
                "storage.encryption is given but nothing is encrypted",
            )
            .with_hint("add [[storage.encrypted]] containers, or remove [storage.encryption]"),
        ),
        _ => {}
    }
    for d in devices {
        let boot = matches!(d.form.kind(), MountKind::Path("/boot"));
        if boot && inside_crypt(s, d) {
            out.push(
                Issue::new(
                    format!("{}.mount", d.key),
                    "/boot cannot be encrypted: GRUB reads the kernel from it before anything is unlocked",
                )
                .with_hint("put /boot on a plain partition or array, outside the containers"),
            );
        }
    }
}

/// Whether `d` is a container or lies in a volume group made on one.
fn inside_crypt(s: &Storage, d: &DeviceSpec<'_>) -> bool {
    match d.kind {
        DeviceKind::Crypt => true,
        DeviceKind::Volume => s
            .volume_groups
            .iter()
            .filter(|g| g.name == s.volumes[d.index].group)
            .flat_map(|g| &g.on)
            .any(|pv| s.encrypted.iter().any(|c| &c.name == pv)),
        _ => false,
    }
}

/// A container on a volume of a group made on that container (or longer loops) can never
/// be built.
fn cycles(s: &Storage, out: &mut Vec<Issue>) {
    // What each named device is made on: containers on one device, volumes on their
    // group's physical volumes.
    let below = |name: &str| -> Vec<String> {
        if let Some(c) = s.encrypted.iter().find(|c| c.name == name) {
            return vec![c.on.clone()];
        }
        if let Some((group, _)) = name.split_once('/') {
            return s
                .volume_groups
                .iter()
                .filter(|g| g.name == group)
                .flat_map(|g| g.on.clone())
                .collect();
        }
        Vec::new()
    };
    let limit = s.encrypted.len() + s.volumes.len() + 1;
    for (i, c) in s.encrypted.iter().enumerate() {
        let mut level = vec![c.on.clone()];
        for _ in 0..limit {
            if level.contains(&c.name) {
                out.push(Issue::new(
                    format!("storage.encrypted[{i}].on"),
                    format!(
                        "{} is made, through other devices, on itself",
                        shown(&c.name)
                    ),
                ));
                break;
            }
            level = level.iter().flat_map(|n| below(n)).collect();
            if level.is_empty() {
                break;
            }
        }
    }
}

/// `[storage.encryption]`: a way to unlock, a passphrase of some strength, sane PCRs.
pub(super) fn encryption(e: &Encryption, out: &mut Vec<Issue>) {
    let key = |k: &str| format!("storage.encryption.{k}");
    if e.passphrase.is_some() && e.passphrase_file.is_some() {
        out.push(Issue::new(
            key("passphrase_file"),
            "give passphrase or passphrase_file, not both",
        ));
    }
    // Never repeat the passphrase in a message: only its length.
    if let Some(p) = &e.passphrase {
        let n = p.chars().count();
        if n < 8 {
            out.push(
                Issue::new(
                    key("passphrase"),
                    format!("the passphrase is {n} characters long; at least 8 are needed"),
                )
                .with_hint("a few unrelated words make a strong passphrase"),
            );
        }
        if p.chars().any(char::is_control) {
            out.push(Issue::new(
                key("passphrase"),
                "the passphrase holds control characters, which a console cannot type",
            ));
        }
    }
    if let Some(f) = &e.passphrase_file
        && !f.starts_with('/')
    {
        out.push(Issue::new(
            key("passphrase_file"),
            format!("{} is not an absolute path", shown(f)),
        ));
    }
    if !e.has_passphrase() && !e.tpm2 {
        out.push(
            Issue::new("storage.encryption", "no way to unlock is given")
                .with_hint("set passphrase (or passphrase_file) and/or tpm2 = true"),
        );
    }
    if let Some(pcrs) = &e.tpm2_pcrs {
        if !e.tpm2 {
            out.push(
                Issue::new(key("tpm2_pcrs"), "tpm2_pcrs is given but tpm2 is not true")
                    .with_hint("set tpm2 = true, or remove tpm2_pcrs"),
            );
        }
        if pcrs.is_empty() {
            out.push(
                Issue::new(
                    key("tpm2_pcrs"),
                    "no PCRs: the key would be sealed to nothing",
                )
                .with_hint("leave tpm2_pcrs out for [7], the Secure Boot state"),
            );
        }
        for (i, p) in pcrs.iter().enumerate() {
            if *p > 23 {
                out.push(Issue::new(
                    format!("storage.encryption.tpm2_pcrs[{i}]"),
                    format!("PCR {p} does not exist: a TPM 2.0 has PCRs 0 to 23"),
                ));
            } else if pcrs[..i].contains(p) {
                out.push(Issue::new(
                    format!("storage.encryption.tpm2_pcrs[{i}]"),
                    format!("PCR {p} is listed twice"),
                ));
            }
        }
    }
}

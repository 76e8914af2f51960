//! `[storage]`: the auto layout's options, or a custom layout's devices one by one (their
//! disks, sizes, mount points, filesystems, options, labels). How they refer to each other
//! is checked in `layers`.

use crate::answer::shown;
use crate::answer::{
    BIOS_BOOT, DeviceKind, DeviceSpec, ESP_MOUNT, FirmwareChoice, Formattable, FsType, Issue,
    Layout, MountKind, PartitionSpec, SWAP, Scheme, Size, Storage, Swap, Target,
    missing_boot_partition,
};

pub(super) fn check(s: &Storage, target: &Target, out: &mut Vec<Issue>) {
    if let Swap::Size(size) = s.swap {
        if size.absolute().is_none() {
            out.push(
                Issue::new(
                    "storage.swap",
                    format!("swap cannot be {size_shown}", size_shown = shown(size)),
                )
                .with_hint("use \"auto\", \"none\" or an absolute size such as \"4GiB\""),
            );
        } else if s.layout == Layout::Custom {
            out.push(
                Issue::new(
                    "storage.swap",
                    "storage.swap sizes the auto layout's swap only",
                )
                .with_hint("in a custom layout add a partition with mount = \"swap\""),
            );
        }
    }
    if let Some(e) = &s.encryption {
        super::layers::encryption(e, out);
    }
    match s.layout {
        Layout::Auto => auto(s, target.disk_count(), out),
        Layout::Custom => custom(s, target, out),
    }
}

/// The auto layout: a scheme for the disks the target picks; no custom lists.
fn auto(s: &Storage, disks: Option<usize>, out: &mut Vec<Issue>) {
    for (key, given) in [
        ("storage.partitions", !s.partitions.is_empty()),
        ("storage.raids", !s.raids.is_empty()),
        ("storage.volume_groups", !s.volume_groups.is_empty()),
        ("storage.volumes", !s.volumes.is_empty()),
        ("storage.encrypted", !s.encrypted.is_empty()),
    ] {
        if given {
            out.push(
                Issue::new(key, format!("{key} are given but layout is \"auto\""))
                    .with_hint("set storage.layout = \"custom\" or remove them"),
            );
        }
    }
    if let Some(n) = disks {
        if s.scheme.raid() && n < 2 {
            out.push(
                Issue::new(
                    "storage.scheme",
                    format!(
                        "scheme {} mirrors two or more disks, but the target picks {n}",
                        shown(s.scheme.as_str())
                    ),
                )
                .with_hint("list two disks in target.paths, or give the rule count = 2"),
            );
        }
        if s.scheme == Scheme::Plain && n > 1 {
            out.push(
                Issue::new(
                    "storage.scheme",
                    format!("scheme \"plain\" uses one disk, but the target picks {n}"),
                )
                .with_hint(
                    "use scheme = \"lvm\" to span the disks or \"raid1\" to mirror them, \
                     or a custom layout",
                ),
            );
        }
    }
    let unlocks = s
        .encryption
        .as_ref()
        .is_some_and(|e| e.has_passphrase() || e.tpm2);
    if s.encrypt && !unlocks {
        out.push(
            Issue::new(
                "storage.encryption",
                "storage.encrypt = true needs a way to unlock the root",
            )
            .with_hint(
                "add [storage.encryption] with passphrase (or passphrase_file) and/or tpm2 = true",
            ),
        );
    }
    if !s.encrypt && s.encryption.is_some() {
        out.push(
            Issue::new(
                "storage.encryption",
                "storage.encryption is given but nothing is encrypted",
            )
            .with_hint("set storage.encrypt = true, or remove [storage.encryption]"),
        );
    }
}

fn custom(s: &Storage, target: &Target, out: &mut Vec<Issue>) {
    if s.scheme != Scheme::Plain {
        out.push(
            Issue::new(
                "storage.scheme",
                "storage.scheme chooses the auto layout's scheme",
            )
            .with_hint("remove it: a custom layout lists its own arrays and volumes"),
        );
    }
    if s.encrypt {
        out.push(
            Issue::new(
                "storage.encrypt",
                "storage.encrypt encrypts the auto layout",
            )
            .with_hint("in a custom layout add [[storage.encrypted]] containers"),
        );
    }
    if s.partitions.is_empty() {
        out.push(
            Issue::new(
                "storage.layout",
                "layout is \"custom\" but no partitions are given",
            )
            .with_hint("add [[storage.partitions]] tables, or use layout = \"auto\""),
        );
        return;
    }
    partitions(&s.partitions, target.disk_count(), out);
    let devices = s.devices();
    for d in &devices {
        device(d, out);
    }
    mounts(&devices, &s.partitions, out);
    super::layers::check(s, &devices, out);
    // Firmware "auto" is left to the plan, which knows the machine; a custom layout for a
    // stated firmware must carry what that firmware boots from.
    let (uefi, what) = match target.firmware {
        FirmwareChoice::Uefi => (true, "UEFI needs an EFI system partition on disk 1"),
        FirmwareChoice::Bios => (
            false,
            "BIOS boot from GPT needs a bios-boot partition on disk 1",
        ),
        FirmwareChoice::Auto => return,
    };
    if let Some(hint) = missing_boot_partition(&s.partitions, uefi) {
        out.push(Issue::new("storage.partitions", what).with_hint(hint));
    }
}

/// Each partition's disk and size: "rest" only last on its disk.
fn partitions(parts: &[PartitionSpec], disks: Option<usize>, out: &mut Vec<Issue>) {
    let path = |i: usize, key: &str| format!("storage.partitions[{i}].{key}");
    for (i, p) in parts.iter().enumerate() {
        match (p.disk, disks) {
            (Some(0), _) => out.push(
                Issue::new(path(i, "disk"), "disks are counted from 1")
                    .with_hint("disk = 1 is the first target disk"),
            ),
            (Some(d), Some(n)) if d as usize > n => out.push(
                Issue::new(
                    path(i, "disk"),
                    format!("disk {d} is not a target disk: the target picks {n}"),
                )
                .with_hint("list more disks in target.paths, or raise the rule's count"),
            ),
            _ => {}
        }
        if p.keep {
            kept(p, &|k| path(i, k), out);
            continue;
        }
        if p.existing.is_some() {
            out.push(
                Issue::new(path(i, "match"), "match finds a partition to keep")
                    .with_hint("add keep = true, or remove match"),
            );
        }
        let disk = p.disk_index();
        // "rest" runs up to the next kept partition or the end of the disk.
        let later_on_disk = parts[i + 1..]
            .iter()
            .any(|q| q.disk_index() == disk && !q.keep);
        let earlier_rest = parts[..i]
            .iter()
            .position(|q| q.disk_index() == disk && q.size == Some(Size::Rest));
        if let (Some(Size::Rest), Some(first)) = (p.size, earlier_rest) {
            out.push(Issue::new(
                path(i, "size"),
                format!("storage.partitions[{first}] already takes the \"rest\""),
            ));
        }
        match p.size {
            None => out.push(
                Issue::new(path(i, "size"), "a new partition needs a size")
                    .with_hint("an absolute size (\"20GiB\"), a share (\"25%\") or \"rest\""),
            ),
            Some(Size::Rest) if later_on_disk => out.push(
                Issue::new(
                    path(i, "size"),
                    "only the last partition of a disk can take the \"rest\"",
                )
                .with_hint("give this partition a size and move it, or the rest, last"),
            ),
            Some(Size::Bytes(0)) => {
                out.push(Issue::new(path(i, "size"), "a partition of size 0"));
            }
            _ => {}
        }
    }
}

/// A kept partition: found one way, mounted, and nothing given that it already has.
fn kept(p: &PartitionSpec, key: &dyn Fn(&str) -> String, out: &mut Vec<Issue>) {
    match &p.existing {
        None => out.push(
            Issue::new(key("match"), "a kept partition needs match to find it")
                .with_hint("match = { number = 4 }, { label = \"…\" }, { uuid = \"…\" } or { fs_label = \"…\" }"),
        ),
        Some(m) if m.ways() != 1 => out.push(
            Issue::new(
                key("match"),
                format!("match gives {} ways to find the partition; give exactly one", m.ways()),
            )
            .with_hint("number, label, uuid or fs_label"),
        ),
        Some(m) => {
            if m.number == Some(0) {
                out.push(Issue::new(key("match.number"), "partitions are numbered from 1"));
            }
            for (k, v) in [("label", &m.label), ("uuid", &m.uuid), ("fs_label", &m.fs_label)] {
                if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
                    out.push(Issue::new(key(&format!("match.{k}")), "an empty value finds nothing"));
                }
            }
        }
    }
    if p.name.is_some() {
        out.push(
            Issue::new(key("name"), "a kept partition is mounted as it is").with_hint(
                "arrays, volume groups and containers are made on new partitions: remove name",
            ),
        );
    }
    for (k, given) in [
        ("size", p.size.is_some()),
        ("fs", p.fs.is_some()),
        ("label", p.label.is_some()),
    ] {
        if given {
            out.push(
                Issue::new(key(k), format!("a kept partition keeps its {k}")).with_hint(format!(
                    "remove {k}: the partition is neither resized nor formatted"
                )),
            );
        }
    }
    match p.kind() {
        MountKind::Path(m) if !matches!(m, "/" | "/boot") => {}
        MountKind::Path(m) => out.push(
            Issue::new(
                key("mount"),
                format!("{} cannot be kept: the install writes it", shown(m)),
            )
            .with_hint("keep data partitions such as /home or /srv"),
        ),
        _ if p.mount.is_none() => out.push(
            Issue::new(
                key("mount"),
                "a kept partition is mounted: give its mount point",
            )
            .with_hint("mount = \"/home\", for example"),
        ),
        _ => out.push(
            Issue::new(
                key("mount"),
                format!(
                    "{} cannot be kept: the install writes it",
                    shown(p.mount.as_deref().unwrap_or(""))
                ),
            )
            .with_hint("keep data partitions such as /home or /srv"),
        ),
    }
}

/// One device's own keys: its mount point, filesystem, options and label.
fn device(d: &DeviceSpec<'_>, out: &mut Vec<Issue>) {
    let key = |k: &str| format!("{}.{k}", d.key);
    let f = d.form;
    if let Some(m) = f.mount() {
        mount_point(m, &key("mount"), out);
        let only_partitions = matches!(f.kind(), MountKind::Esp | MountKind::BiosBoot);
        if only_partitions && d.kind != DeviceKind::Partition {
            out.push(
                Issue::new(
                    key("mount"),
                    format!(
                        "{} must be a partition of its own, not an {}",
                        shown(m),
                        d.kind.noun()
                    ),
                )
                .with_hint("the firmware reads it directly: put one on each disk instead"),
            );
        }
    }
    fs_fits_mount(f, &key("fs"), out);
    if let Some(options) = f.options()
        && let Err(e) = mount_options(options)
    {
        out.push(
            Issue::new(key("options"), e)
                .with_hint("comma-separated options such as \"noatime,nodev\""),
        );
    }
    if let Some(label) = f.label() {
        check_label(label, f.fs_type(), d.kind, &key("label"), out);
    }
}

/// Mount points are unique (swap aside; an ESP or bios-boot partition once per disk) and
/// one device is mounted at "/".
fn mounts(devices: &[DeviceSpec<'_>], parts: &[PartitionSpec], out: &mut Vec<Issue>) {
    let mut seen: Vec<(&str, Option<usize>)> = Vec::new();
    for d in devices {
        let Some(m) = d.form.mount() else { continue };
        // Each disk may carry its own ESP and bios-boot (the copies of a RAID 1 boot).
        let disk = match d.form.kind() {
            MountKind::Swap => continue,
            MountKind::Esp | MountKind::BiosBoot if d.kind == DeviceKind::Partition => {
                Some(parts[d.index].disk_index())
            }
            _ => None,
        };
        if seen.contains(&(m, disk)) {
            let what = match disk {
                Some(n) => format!("disk {} has more than one {}", n + 1, shown(m)),
                None => format!("{} is given to more than one device", shown(m)),
            };
            out.push(Issue::new(format!("{}.mount", d.key), what));
        } else {
            seen.push((m, disk));
        }
    }
    if !seen.iter().any(|(m, _)| *m == "/") {
        out.push(
            Issue::new("storage.partitions", "nothing is mounted at \"/\"")
                .with_hint("add a partition, array, volume or container with mount = \"/\""),
        );
    }
}

/// A mount point is "swap", "bios-boot" or an absolute, normalized path.
fn mount_point(m: &str, path: &str, out: &mut Vec<Issue>) {
    if m == SWAP || m == BIOS_BOOT || m == "/" {
        return;
    }
    if m == "/efi" {
        // systemd's other ESP mount point: the shim and GRUB packages install into
        // /boot/efi, so an ESP mounted elsewhere would not hold them and would not boot.
        out.push(
            Issue::new(
                path,
                format!(
                    "the EFI system partition is mounted at {} on this distribution",
                    shown(ESP_MOUNT)
                ),
            )
            .with_hint("use mount = \"/boot/efi\": shim and GRUB install there"),
        );
        return;
    }
    let problem = if !m.starts_with('/') {
        Some("must be an absolute path, \"swap\" or \"bios-boot\"")
    } else if m.ends_with('/') {
        Some("must not end with \"/\"")
    } else if m[1..]
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        Some("must be a normalized path (no \"//\", \".\" or \"..\")")
    } else if m.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("must not contain whitespace")
    } else if let Some(api) = under(m, API_FILESYSTEMS) {
        Some(match api {
            "/run" => "is a tmpfs the system mounts at boot (/run)",
            _ => "is a kernel filesystem the system mounts at boot",
        })
    } else if under(m, ON_ROOT).is_some() {
        Some("must be on the root filesystem (the system needs it before mounting others)")
    } else {
        None
    };
    if let Some(problem) = problem {
        out.push(Issue::new(
            path,
            format!("mount point {m_shown} {problem}", m_shown = shown(m)),
        ));
    }
}

/// Mounted by systemd before fstab is read; a partition there would hide them.
const API_FILESYSTEMS: &[&str] = &["/proc", "/sys", "/dev", "/run"];
/// Needed before other filesystems are mounted (as Anaconda refuses them too).
const ON_ROOT: &[&str] = &["/etc", "/bin", "/sbin", "/lib", "/lib64", "/root"];
/// The system's own trees: they need Unix permissions, owners, links and SELinux labels,
/// which vfat has not.
const POSIX_ONLY: &[&str] = &[
    "/", "/boot", "/usr", "/var", "/home", "/srv", "/tmp", "/opt",
];

/// The first of `dirs` that `m` is or is below.
fn under<'a>(m: &str, dirs: &[&'a str]) -> Option<&'a str> {
    dirs.iter().copied().find(|d| {
        *d == "/" && m == "/"
            || m == *d
            || (*d != "/" && m.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
    })
}

/// fstab's fourth field: comma-separated options, each a word of printable ASCII without
/// the characters fstab or the shell would read as something else.
fn mount_options(options: &str) -> Result<(), String> {
    if options.trim().is_empty() {
        return Err("the mount options are empty (leave options out for the defaults)".into());
    }
    for opt in options.split(',') {
        if opt.is_empty() {
            return Err("an empty option (two commas, or a comma at an end)".into());
        }
        if let Some(c) = opt
            .chars()
            .find(|c| !c.is_ascii_graphic() || "#\"'\\`$".contains(*c))
        {
            return Err(format!(
                "option {} contains {c:?}, which fstab cannot hold",
                super::shown(opt)
            ));
        }
    }
    Ok(())
}

fn fs_fits_mount(p: &dyn Formattable, path: &str, out: &mut Vec<Issue>) {
    let fs = p.fs_type();
    let Some(mount) = p.mount() else {
        if let Some(fs) = p.fs().filter(|f| *f != FsType::None) {
            out.push(
                Issue::new(
                    path,
                    format!("fs = {} is given without a mount point", shown(fs.as_str())),
                )
                .with_hint(
                    "add mount = \"/...\" (or \"swap\"), or leave fs out for a device an \
                     array, volume group or encrypted container is made on",
                ),
            );
        }
        return;
    };
    if fs == FsType::Vfat
        && p.kind() != MountKind::Esp
        && let Some(tree) = under(mount, POSIX_ONLY)
    {
        out.push(
            Issue::new(
                path,
                format!(
                    "{} cannot be vfat: {tree} needs Unix permissions and SELinux labels",
                    shown(mount)
                ),
            )
            .with_hint("use ext4 or xfs; vfat is for /boot/efi and data shared with other systems"),
        );
        return;
    }
    match p.kind().required_fs() {
        Some(want) if fs != want => out.push(
            Issue::new(
                path,
                format!(
                    "a {} partition needs fs = {name_shown}",
                    shown(mount),
                    name_shown = shown(want.as_str())
                ),
            )
            .with_hint("or leave fs out: it follows from the mount"),
        ),
        None if fs == FsType::Swap => out.push(
            Issue::new(
                path,
                format!("fs = \"swap\" cannot be mounted at {}", shown(mount)),
            )
            .with_hint("use mount = \"swap\""),
        ),
        None if fs == FsType::None => out.push(Issue::new(
            path,
            format!("fs = \"none\" cannot be mounted at {}", shown(mount)),
        )),
        _ => {}
    }
}

/// A partition's label is both its GPT name and its filesystem's label: both limits apply.
fn check_label(label: &str, fs: FsType, kind: DeviceKind, path: &str, out: &mut Vec<Issue>) {
    if label.is_empty() || label.chars().any(char::is_control) {
        out.push(Issue::new(path, "a label must be non-empty printable text"));
        return;
    }
    let utf16 = label.encode_utf16().count();
    if kind == DeviceKind::Partition && utf16 > 36 {
        out.push(Issue::new(
            path,
            format!("label is {utf16} characters long; a GPT partition name holds at most 36"),
        ));
    }
    let (name, max) = match fs {
        FsType::Xfs => ("xfs", 12),
        FsType::Ext4 => ("ext4", 16),
        FsType::Vfat => ("vfat", 11),
        FsType::Swap => ("swap", 16),
        FsType::None => return,
    };
    if label.len() > max {
        out.push(Issue::new(
            path,
            format!(
                "label is {} bytes long; {name} labels hold at most {max}",
                label.len()
            ),
        ));
    }
}

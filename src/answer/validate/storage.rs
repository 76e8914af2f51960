//! `[storage]`: auto layout options, or a custom partition list in disk order.

use crate::answer::shown;
use crate::answer::{
    BIOS_BOOT, ESP_MOUNT, FirmwareChoice, FsType, Issue, Layout, MountKind, PartitionSpec, SWAP,
    Size, Storage, Swap, missing_boot_partition,
};

pub(super) fn check(s: &Storage, firmware: FirmwareChoice, out: &mut Vec<Issue>) {
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
    match s.layout {
        Layout::Auto => {
            if !s.partitions.is_empty() {
                out.push(
                    Issue::new(
                        "storage.partitions",
                        "partitions are given but layout is \"auto\"",
                    )
                    .with_hint("set storage.layout = \"custom\" or remove the partitions"),
                );
            }
        }
        Layout::Custom => custom(&s.partitions, firmware, out),
    }
}

fn custom(parts: &[PartitionSpec], firmware: FirmwareChoice, out: &mut Vec<Issue>) {
    if parts.is_empty() {
        out.push(
            Issue::new(
                "storage.layout",
                "layout is \"custom\" but no partitions are given",
            )
            .with_hint("add [[storage.partitions]] tables, or use layout = \"auto\""),
        );
        return;
    }
    let path = |i: usize, key: &str| format!("storage.partitions[{i}].{key}");
    let last = parts.len() - 1;
    let mut seen: Vec<&str> = Vec::new();
    let mut first_rest = None;
    for (i, p) in parts.iter().enumerate() {
        if p.size == Size::Rest {
            match first_rest {
                None => first_rest = Some(i),
                Some(first) => out.push(Issue::new(
                    path(i, "size"),
                    format!("storage.partitions[{first}] already takes the \"rest\""),
                )),
            }
        }
        match p.size {
            Size::Rest if i != last => out.push(
                Issue::new(
                    path(i, "size"),
                    "only the last partition can take the \"rest\"",
                )
                .with_hint("give this partition a size and move it, or the rest, last"),
            ),
            Size::Bytes(0) => out.push(Issue::new(path(i, "size"), "a partition of size 0")),
            _ => {}
        }
        mount_point(&p.mount, &path(i, "mount"), out);
        if p.kind() != MountKind::Swap {
            if seen.contains(&p.mount.as_str()) {
                out.push(Issue::new(
                    path(i, "mount"),
                    format!("{} is given to more than one partition", shown(&p.mount)),
                ));
            } else {
                seen.push(&p.mount);
            }
        }
        fs_fits_mount(p, &path(i, "fs"), out);
        if let Some(options) = &p.options
            && let Err(e) = mount_options(options)
        {
            out.push(
                Issue::new(path(i, "options"), e)
                    .with_hint("comma-separated options such as \"noatime,nodev\""),
            );
        }
        if let Some(label) = &p.label {
            check_label(label, p.fs_type(), &path(i, "label"), out);
        }
    }
    if !seen.contains(&"/") {
        out.push(
            Issue::new("storage.partitions", "no partition is mounted at \"/\"")
                .with_hint("add a partition with mount = \"/\""),
        );
    }
    // Firmware "auto" is left to the plan, which knows the machine; a custom layout for a
    // stated firmware must carry what that firmware boots from.
    let (uefi, what) = match firmware {
        FirmwareChoice::Uefi => (true, "UEFI needs an EFI system partition"),
        FirmwareChoice::Bios => (false, "BIOS boot from GPT needs a bios-boot partition"),
        FirmwareChoice::Auto => return,
    };
    if let Some(hint) = missing_boot_partition(parts, uefi) {
        out.push(Issue::new("storage.partitions", what).with_hint(hint));
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

fn fs_fits_mount(p: &PartitionSpec, path: &str, out: &mut Vec<Issue>) {
    let fs = p.fs_type();
    if fs == FsType::Vfat
        && p.kind() != MountKind::Esp
        && let Some(tree) = under(&p.mount, POSIX_ONLY)
    {
        out.push(
            Issue::new(
                path,
                format!(
                    "{} cannot be vfat: {tree} needs Unix permissions and SELinux labels",
                    shown(&p.mount)
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
                    shown(&p.mount),
                    name_shown = shown(want.as_str())
                ),
            )
            .with_hint("or leave fs out: it follows from the mount"),
        ),
        None if fs == FsType::Swap => out.push(
            Issue::new(
                path,
                format!("fs = \"swap\" cannot be mounted at {}", shown(&p.mount)),
            )
            .with_hint("use mount = \"swap\""),
        ),
        None if fs == FsType::None => out.push(Issue::new(
            path,
            format!("fs = \"none\" cannot be mounted at {}", shown(&p.mount)),
        )),
        _ => {}
    }
}

/// The label is both the GPT partition name and the filesystem label: both limits apply.
fn check_label(label: &str, fs: FsType, path: &str, out: &mut Vec<Issue>) {
    if label.is_empty() || label.chars().any(char::is_control) {
        out.push(Issue::new(path, "a label must be non-empty printable text"));
        return;
    }
    let utf16 = label.encode_utf16().count();
    if utf16 > 36 {
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

//! The disk commands: `zerombr`, `clearpart`, `ignoredisk`, `autopart`, `part`, `raid`,
//! `volgroup`, `logvol`. Gathered as they come and turned into `[target]` and `[storage]`
//! at the end, when every disk the file names is known.

use super::{Ctx, Opts};
use crate::answer::{
    CryptSpec, FsType, PartitionSpec, RaidLevel, RaidSpec, RootFs, Scheme, Size, Swap,
    VolumeGroupSpec, VolumeSpec,
};

/// A partition or volume as the kickstart gives it, before disks and sizes are settled.
pub(super) struct Part {
    pub(super) line: usize,
    pub(super) spec: PartitionSpec,
    pub(super) ondisk: Option<String>,
    pub(super) size_mib: Option<u64>,
    pub(super) grow: bool,
    pub(super) maxsize: Option<u64>,
}

#[derive(Default)]
pub(crate) struct Gathered {
    pub(super) wipe: bool,
    /// Disks from `ignoredisk --only-use`, else `clearpart --drives`.
    pub(super) only_use: Option<Vec<String>>,
    pub(super) clear_drives: Option<Vec<String>>,
    pub(super) autopart: Option<usize>,
    pub(super) parts: Vec<Part>,
    /// Kickstart's `pv.NN` written as a raid's mount: the array's name in the answer.
    pub(super) aliases: Vec<(String, String)>,
    /// Lines of the commands that encrypt something (they need a passphrase).
    pub(super) encrypt: Vec<usize>,
    pub(super) passphrase: Option<String>,
    pub boot_drive: Option<(usize, String)>,
    /// Whether any part, raid or logvol was given (a custom layout).
    pub(super) custom: Option<usize>,
}

const PART_OPTS: &[&str] = &[
    "size",
    "maxsize",
    "fstype",
    "ondisk",
    "ondrive",
    "label",
    "fsoptions",
    "passphrase",
    "onpart",
    "usepart",
    "mkfsoptions",
    "luks-version",
    "vgname",
    "name",
    "percent",
    "level",
    "device",
    "pesize",
    "chunksize",
    "cipher",
    "thinpool",
    "poolname",
    "fsprofile",
    "type",
];

pub(super) fn command(cx: &mut Ctx, line: usize, name: &str, args: &[String]) -> bool {
    let mut o = Opts::new(args, PART_OPTS);
    match name {
        "zerombr" => cx.storage.wipe = true,
        "clearpart" => {
            if o.flag(&["all"]) {
                cx.storage.wipe = true;
            } else if o.flag(&["linux"]) {
                cx.warn(
                    line,
                    name,
                    "--linux: the answer wipes whole disks or nothing; wipe is left off \
                     (an install onto a disk holding partitions is refused)",
                );
            } else if let Some(l) = o.value(&["list"]) {
                cx.warn(
                    line,
                    name,
                    format!("--list={l}: partitions are not removed one by one; wipe is left off"),
                );
            }
            o.flag(&["none", "initlabel", "disklabel"]);
            o.value(&["disklabel"]);
            let drives = o.list(&["drives"]);
            if !drives.is_empty() {
                cx.storage.clear_drives = Some(drives);
            }
        }
        "ignoredisk" => {
            let only = o.list(&["only-use"]);
            if !only.is_empty() {
                cx.storage.only_use = Some(only);
            }
            if let Some(d) = o.value(&["drives"]) {
                cx.warn(
                    line,
                    name,
                    format!("--drives={d}: disks are chosen by the target, not ignored"),
                );
            }
        }
        "autopart" => {
            cx.storage.autopart = Some(line);
            let s = &mut cx.answer.storage;
            match o.value(&["type"]).as_deref() {
                None | Some("lvm") => s.scheme = Scheme::Lvm,
                Some("plain") => s.scheme = Scheme::Plain,
                Some("thinp") => {
                    s.scheme = Scheme::Lvm;
                    cx.warn(
                        line,
                        name,
                        "--type=thinp: thin LVM is not made; plain LVM instead",
                    );
                }
                Some(t) => cx.warn(
                    line,
                    name,
                    format!("--type={t} is not made: plain partitions instead"),
                ),
            }
            match o.value(&["fstype"]).as_deref() {
                None | Some("ext4") => {}
                Some("xfs") => cx.answer.storage.filesystem = RootFs::Xfs,
                Some(f) => cx.warn(line, name, format!("--fstype={f}: ext4 is used")),
            }
            if o.flag(&["noswap"]) {
                cx.answer.storage.swap = Swap::None;
            }
            // The auto layout makes no /home, which is what --nohome asks.
            o.flag(&["nohome", "noboot"]);
            if o.flag(&["encrypted"]) {
                cx.answer.storage.encrypt = true;
                cx.storage.encrypt.push(line);
            }
            take_passphrase(cx, line, name, &mut o);
        }
        "part" | "partition" => part(cx, line, &mut o),
        "raid" => raid(cx, line, &mut o),
        "volgroup" => {
            cx.storage.custom.get_or_insert(line);
            let mut words = o.args.clone().into_iter();
            let Some(vg) = words.next() else {
                cx.warn(line, name, "no group name: not converted");
                return true;
            };
            let on: Vec<String> = words.map(|w| alias(cx, &w)).collect();
            cx.answer
                .storage
                .volume_groups
                .push(VolumeGroupSpec { name: vg, on });
            if o.flag(&["useexisting", "noformat"]) {
                cx.warn(line, name, "an existing group is not kept: it is made anew");
            }
        }
        "logvol" => logvol(cx, line, &mut o),
        _ => return false,
    }
    cx.leftover(line, name, &mut o);
    true
}

fn take_passphrase(cx: &mut Ctx, line: usize, name: &str, o: &mut Opts) {
    if let Some(p) = o.value(&["passphrase"]) {
        cx.storage.passphrase = Some(p);
    }
    match o.value(&["luks-version"]).as_deref() {
        None | Some("luks2") => {}
        Some(v) => cx.warn(line, name, format!("--luks-version={v}: LUKS2 is used")),
    }
}

fn alias(cx: &Ctx, w: &str) -> String {
    cx.storage
        .aliases
        .iter()
        .find(|(k, _)| k == w)
        .map_or_else(|| w.to_string(), |(_, v)| v.clone())
}

/// What the first word of `part`, `raid` and `logvol` says: (mount, name of a member).
fn mount_word(w: &str) -> (Option<String>, Option<String>) {
    if w.starts_with("pv.") || w.starts_with("raid.") || w.starts_with("btrfs.") {
        (None, Some(w.to_string()))
    } else if w == "biosboot" {
        (Some("bios-boot".into()), None)
    } else if w.eq_ignore_ascii_case("none") {
        (None, None)
    } else {
        (Some(w.to_string()), None)
    }
}

/// Kickstart's `--fstype` in the answer's terms; None with a warning for the others.
fn fstype(
    cx: &mut Ctx,
    line: usize,
    command: &str,
    f: Option<String>,
    mount: &mut Option<String>,
) -> Option<FsType> {
    let f = f?;
    Some(match f.as_str() {
        "xfs" => FsType::Xfs,
        "ext4" => FsType::Ext4,
        "efi" | "vfat" => FsType::Vfat,
        "swap" => FsType::Swap,
        "biosboot" => {
            *mount = Some("bios-boot".into());
            return None;
        }
        "lvmpv" | "mdmember" => FsType::None,
        other => {
            cx.warn(
                line,
                command,
                format!(
                    "--fstype={other} is not made here: the default for its mount (ext4) is used"
                ),
            );
            return None;
        }
    })
}

/// "MiB" sizes as kickstart writes them.
fn mib(cx: &mut Ctx, line: usize, command: &str, o: &mut Opts, key: &str) -> Option<u64> {
    let v = o.value(&[key])?;
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            cx.warn(line, command, format!("--{key}={v} is not a number of MiB"));
            None
        }
    }
}

/// The options every formattable device shares: fs, label, mount options, encryption.
fn formatting(
    cx: &mut Ctx,
    line: usize,
    command: &str,
    o: &mut Opts,
    mount: &mut Option<String>,
) -> (Option<FsType>, Option<String>, Option<String>, bool) {
    let f = o.value(&["fstype"]);
    let fs = fstype(cx, line, command, f, mount);
    let label = o.value(&["label"]);
    let options = o.value(&["fsoptions"]);
    let encrypted = o.flag(&["encrypted"]);
    if encrypted {
        cx.storage.encrypt.push(line);
        take_passphrase(cx, line, command, o);
    }
    if o.flag(&["noformat"]) || o.value(&["onpart", "usepart"]).is_some() {
        cx.warn(
            line,
            command,
            "existing partitions are not reused: it is made anew",
        );
    }
    (fs, label, options, encrypted)
}

/// A name for a mounted device that must be referred to (its encrypted container's).
fn name_of(mount: Option<&str>, fallback: usize) -> String {
    match mount {
        Some("/") => "root".into(),
        Some(m) => {
            let n: String = m.trim_matches('/').replace('/', "-");
            if n.is_empty() {
                format!("dev{fallback}")
            } else {
                n
            }
        }
        None => format!("dev{fallback}"),
    }
}

/// Moves a mounted device into a LUKS2 container made on it.
fn encrypt(
    cx: &mut Ctx,
    on: String,
    mount: Option<String>,
    fs: Option<FsType>,
    label: Option<String>,
    options: Option<String>,
) {
    cx.answer.storage.encrypted.push(CryptSpec {
        name: format!("luks-{}", on.replace('/', "-")),
        on,
        mount,
        fs,
        label,
        options,
    });
}

/// A device's mount, filesystem, label and options: kept on it, or (when it is encrypted
/// and mounted) moved into the LUKS2 container made on `on`, leaving the device bare.
type Formatted = (
    Option<String>,
    Option<FsType>,
    Option<String>,
    Option<String>,
);

fn contained(cx: &mut Ctx, encrypted: bool, on: String, f: Formatted) -> Formatted {
    if !encrypted || f.0.is_none() {
        return f;
    }
    let (mount, fs, label, options) = f;
    encrypt(cx, on, mount, fs, label, options);
    (None, None, None, None)
}

fn part(cx: &mut Ctx, line: usize, o: &mut Opts) {
    cx.storage.custom.get_or_insert(line);
    let Some(first) = o.args.first().cloned() else {
        cx.warn(line, "part", "no mount point: not converted");
        return;
    };
    let (mut mount, mut name) = mount_word(&first);
    let size_mib = mib(cx, line, "part", o, "size");
    let maxsize = mib(cx, line, "part", o, "maxsize");
    let grow = o.flag(&["grow"]);
    let ondisk = o.value(&["ondisk", "ondrive"]);
    // GPT has no primary partitions: every partition is one.
    o.flag(&["asprimary"]);
    let recommended = o.flag(&["recommended", "hibernation"]);
    let (fs, label, options, encrypted) = formatting(cx, line, "part", o, &mut mount);
    let mut size_mib = size_mib;
    if recommended {
        cx.warn(
            line,
            "part",
            "--recommended: sized by memory in Anaconda; 4096 MiB here",
        );
        size_mib = Some(4096);
    }
    let mut spec = PartitionSpec {
        disk: None,
        name: name.clone(),
        mount: mount.clone(),
        size: None,
        fs,
        label: label.clone(),
        options: options.clone(),
        keep: false,
        existing: None,
    };
    if encrypted && mount.is_some() {
        let n = name
            .take()
            .unwrap_or_else(|| name_of(mount.as_deref(), cx.storage.parts.len()));
        spec.name = Some(n.clone());
        spec.mount = None;
        spec.fs = None;
        spec.label = None;
        spec.options = None;
        encrypt(cx, n, mount, fs, label, options);
    }
    cx.storage.parts.push(Part {
        line,
        spec,
        ondisk,
        size_mib,
        grow,
        maxsize,
    });
}

fn raid(cx: &mut Ctx, line: usize, o: &mut Opts) {
    cx.storage.custom.get_or_insert(line);
    let mut words = o.args.clone().into_iter();
    let Some(first) = words.next() else {
        cx.warn(line, "raid", "no mount point: not converted");
        return;
    };
    let (mut mount, pv) = mount_word(&first);
    let n = cx.answer.storage.raids.len();
    let name = o
        .value(&["device"])
        .map(|d| {
            d.trim_start_matches("/dev/")
                .trim_start_matches("md/")
                .to_string()
        })
        .unwrap_or_else(|| format!("md{n}"));
    let level = o.value(&["level"]).unwrap_or_default();
    let digits = level.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let Some(level) = digits
        .parse::<u32>()
        .ok()
        .and_then(|l| RaidLevel::try_from(l).ok())
    else {
        cx.warn(
            line,
            "raid",
            format!("--level={level} is not one of 0, 1, 5, 6, 10: not converted"),
        );
        return;
    };
    let members: Vec<String> = words.collect();
    if let Some(pv) = pv {
        cx.storage.aliases.push((pv, name.clone()));
    }
    let (fs, label, options, encrypted) = formatting(cx, line, "raid", o, &mut mount);
    let (mount, fs, label, options) =
        contained(cx, encrypted, name.clone(), (mount, fs, label, options));
    cx.answer.storage.raids.push(RaidSpec {
        name,
        level,
        members,
        mount,
        fs,
        label,
        options,
    });
}

fn logvol(cx: &mut Ctx, line: usize, o: &mut Opts) {
    cx.storage.custom.get_or_insert(line);
    let Some(first) = o.args.first().cloned() else {
        cx.warn(line, "logvol", "no mount point: not converted");
        return;
    };
    let (Some(group), Some(name)) = (o.value(&["vgname"]), o.value(&["name"])) else {
        cx.warn(line, "logvol", "needs --vgname and --name: not converted");
        return;
    };
    let (mut mount, _) = mount_word(&first);
    let size_mib = mib(cx, line, "logvol", o, "size");
    let maxsize = mib(cx, line, "logvol", o, "maxsize");
    let percent = o.value(&["percent"]);
    let grow = o.flag(&["grow"]);
    let recommended = o.flag(&["recommended", "hibernation"]);
    let (fs, label, options, encrypted) = formatting(cx, line, "logvol", o, &mut mount);
    let size = if recommended {
        cx.warn(
            line,
            "logvol",
            "--recommended: sized by memory in Anaconda; 4096 MiB here",
        );
        Some(Size::Bytes(4096 << 20))
    } else if let Some(p) = percent {
        match p.parse::<u8>() {
            Ok(p) if (1..=100).contains(&p) => Some(Size::Percent(p)),
            _ => {
                cx.warn(line, "logvol", format!("--percent={p} is not 1-100"));
                None
            }
        }
    } else if grow
        && maxsize.is_none()
        && !cx
            .answer
            .storage
            .volumes
            .iter()
            .any(|v| v.group == group && v.size == Size::Rest)
    {
        Some(Size::Rest)
    } else if let Some(m) = maxsize.filter(|_| grow) {
        cx.warn(
            line,
            "logvol",
            format!("--grow --maxsize={m}: made {m} MiB (the answer has no growing up to a limit)"),
        );
        Some(Size::Bytes(m << 20))
    } else {
        if grow {
            cx.warn(
                line,
                "logvol",
                "only one volume of a group takes the rest: this one gets its --size",
            );
        }
        size_mib.map(|m| Size::Bytes(m << 20))
    };
    let Some(size) = size else {
        cx.warn(line, "logvol", "no --size: not converted");
        return;
    };
    let (mount, fs, label, options) = contained(
        cx,
        encrypted,
        format!("{group}/{name}"),
        (mount, fs, label, options),
    );
    cx.answer.storage.volumes.push(VolumeSpec {
        group,
        name,
        size,
        mount,
        fs,
        label,
        options,
    });
}

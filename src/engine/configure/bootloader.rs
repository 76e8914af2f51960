//! The bootloader, GRUB 2 as Fedora sets it up (BLS entries from kernel-install, read by
//! GRUB's blscfg): /etc/default/grub, then
//! - UEFI: shim and GRUB from the payload on the ESP, the stub grub.cfg there that loads
//!   /boot/grub2/grub.cfg, `grub2-mkconfig`, the removable-media fallback
//!   \EFI\BOOT\BOOTX64.EFI, and an NVRAM boot entry with `efibootmgr` when the firmware's
//!   variables are writable (not for image installs: the machine that boots the image is
//!   not this one; the fallback path boots it);
//! - BIOS: `grub2-install --target=i386-pc DISK` (core image in the bios-boot partition),
//!   then `grub2-mkconfig`.
//!
//! All tools are the target's, run in the chroot: the disk's node must be visible there.

use std::path::Path;

use crate::cmd::Cmd;
use crate::plan::Firmware;
use crate::plan::Role;

use super::{ConfigureError, Context, Log, at, io_err, need_tool, partition, write_file};

/// The vendor directory on the ESP (Fedora's is "fedora").
pub const EFI_VENDOR: &str = "azurelinux";
/// The NVRAM boot entry's label.
pub const EFI_LABEL: &str = "Azure Linux";
const EFIVARS: &str = "/sys/firmware/efi/efivars";

/// Whether the firmware's boot variables can be written from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EfiVars {
    Writable,
    /// Why not, for the warning.
    Unavailable(String),
}

impl EfiVars {
    /// efivarfs mounted read-write at /sys/firmware/efi/efivars.
    pub fn detect() -> EfiVars {
        if !Path::new(EFIVARS).is_dir() {
            return EfiVars::Unavailable(format!("no {EFIVARS}"));
        }
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let opts = mounts.lines().find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && f[1] == EFIVARS && f[2] == "efivarfs").then(|| f[3].to_owned())
        });
        match opts {
            None => EfiVars::Unavailable(format!("efivarfs not mounted at {EFIVARS}")),
            Some(o) if o.split(',').any(|x| x == "ro") => {
                EfiVars::Unavailable(format!("{EFIVARS} is read-only"))
            }
            Some(_) => EfiVars::Writable,
        }
    }
}

pub(super) fn install(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let inside = at(ctx.root, &ctx.disk.to_string_lossy());
    if !inside.exists() {
        return Err(ConfigureError::MissingFile {
            path: ctx.disk.display().to_string(),
            why: "the disk's device node must be visible in the target: is /dev bound?",
        });
    }
    default_grub(ctx)?;
    match ctx.plan.system.bootloader.firmware {
        Firmware::Uefi => uefi(ctx, log),
        Firmware::Bios => bios(ctx, log),
    }
}

/// /etc/default/grub as Anaconda writes it, from the installed system's command line
/// (/etc/kernel/cmdline, written by the configure step). grub2-mkconfig puts `root=` and
/// `ro` in front of GRUB_CMDLINE_LINUX itself, and Fedora's rewrites the BLS entries'
/// options with it.
fn default_grub(ctx: &Context) -> Result<(), ConfigureError> {
    let cmdline = std::fs::read_to_string(at(ctx.root, "/etc/kernel/cmdline"))
        .map_err(io_err("reading /etc/kernel/cmdline"))?;
    let args: Vec<&str> = cmdline
        .split_whitespace()
        .filter(|a| !a.starts_with("root=") && *a != "ro")
        .collect();
    let quoted = args
        .join(" ")
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$")
        .replace('`', "\\`");
    let text = format!(
        "GRUB_TIMEOUT=5\n\
         GRUB_DISTRIBUTOR=\"{EFI_LABEL}\"\n\
         GRUB_DEFAULT=saved\n\
         GRUB_DISABLE_SUBMENU=true\n\
         GRUB_TERMINAL_OUTPUT=\"console\"\n\
         GRUB_CMDLINE_LINUX=\"{quoted}\"\n\
         GRUB_DISABLE_RECOVERY=\"true\"\n\
         GRUB_ENABLE_BLSCFG=true\n"
    );
    write_file(ctx.root, "/etc/default/grub", text.as_bytes(), 0o644)
}

fn mkconfig(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let mk = need_tool(ctx.root, "grub2-mkconfig", "grub2-tools")?;
    Cmd::new(mk)
        .args(["-o", "/boot/grub2/grub.cfg"])
        .in_root(ctx.root)
        .run()?;
    log.info("GRUB configuration /boot/grub2/grub.cfg");
    Ok(())
}

fn bios(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    // Every disk with a bios-boot partition gets GRUB (a RAID 1 boots from either disk);
    // disk 1 must have one.
    let with_bios_boot: Vec<&std::path::PathBuf> = ctx
        .plan
        .disks
        .iter()
        .zip(ctx.disks)
        .filter(|(d, _)| d.table.partitions.iter().any(|p| p.role == Role::BiosBoot))
        .map(|(_, node)| node)
        .collect();
    if !ctx
        .plan
        .target()
        .table
        .partitions
        .iter()
        .any(|p| p.role == Role::BiosBoot)
    {
        return Err(ConfigureError::NoPartition { what: "bios-boot" });
    }
    let install = need_tool(ctx.root, "grub2-install", "grub2-tools")?;
    if !at(ctx.root, "/usr/lib/grub/i386-pc").is_dir() {
        return Err(ConfigureError::MissingFile {
            path: "/usr/lib/grub/i386-pc".into(),
            why: "grub2-pc not installed",
        });
    }
    for disk in with_bios_boot {
        Cmd::new(&install)
            .arg("--target=i386-pc")
            .arg(disk)
            .in_root(ctx.root)
            .run()?;
        log.info(format!("GRUB installed on {} (BIOS)", disk.display()));
    }
    mkconfig(ctx, log)
}

fn uefi(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let esp = partition(ctx.formatted, Role::Esp)
        .ok_or(ConfigureError::NoPartition { what: "EFI system" })?;
    let vendor = format!("/boot/efi/EFI/{EFI_VENDOR}");
    for (file, package) in [
        ("shimx64.efi", "shim-x64"),
        ("grubx64.efi", "grub2-efi-x64"),
    ] {
        let path = format!("{vendor}/{file}");
        if !at(ctx.root, &path).is_file() {
            return Err(ConfigureError::MissingFile {
                path,
                why: if package == "shim-x64" {
                    "shim-x64 not installed?"
                } else {
                    "grub2-efi-x64 not installed?"
                },
            });
        }
    }
    stub_config(ctx, &vendor, log)?;
    mkconfig(ctx, log)?;

    // Firmware that lost (or never had) our NVRAM entry boots the removable-media path.
    let fallback = "/boot/efi/EFI/BOOT/BOOTX64.EFI";
    if !at(ctx.root, fallback).is_file() {
        let dir = at(ctx.root, "/boot/efi/EFI/BOOT");
        std::fs::create_dir_all(&dir).map_err(io_err("creating /boot/efi/EFI/BOOT"))?;
        std::fs::copy(
            at(ctx.root, &format!("{vendor}/shimx64.efi")),
            at(ctx.root, fallback),
        )
        .map_err(io_err(format!("copying shim to {fallback}")))?;
        log.info(format!("shim copied to {fallback}"));
    }

    copy_esp(ctx, log)?;

    if !ctx.plan.system.bootloader.nvram_entry {
        log.info(
            "a disk image: no firmware boot entry on this machine; the image boots \\EFI\\BOOT\\BOOTX64.EFI",
        );
        return Ok(());
    }
    match &ctx.efivars {
        EfiVars::Unavailable(why) => {
            log.warn(format!(
                "no firmware boot entry written ({why}); the firmware will find \\EFI\\BOOT\\BOOTX64.EFI"
            ));
            Ok(())
        }
        EfiVars::Writable => {
            // `efibootmgr --create` puts the new entry first in BootOrder: the last disk's
            // entry is made first and disk 1's last, so the firmware tries disk 1, then 2...
            // (the VM proof saw disk 2's entry boot first the other way round).
            for (disk, number) in esp_copies(ctx).into_iter().rev() {
                let label = format!("{EFI_LABEL} (disk {})", disk + 1);
                boot_entry(ctx, &ctx.disks[disk], number, &label, log)?;
            }
            boot_entry(ctx, ctx.disk, esp.number, EFI_LABEL, log)?;
            Ok(())
        }
    }
}

/// The ESPs on disks after the first (a RAID 1 boot): their disk and partition number.
fn esp_copies(ctx: &Context) -> Vec<(usize, u32)> {
    ctx.plan
        .filesystems
        .iter()
        .filter(|f| f.is_esp_copy())
        .filter_map(|f| match f.on {
            crate::plan::DeviceRef::Partition { disk, number } if disk < ctx.disks.len() => {
                Some((disk, number))
            }
            _ => None,
        })
        .collect()
}

/// The ESP's files, complete now, copied onto each other disk's ESP: any disk boots alone.
fn copy_esp(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    for (disk, number) in esp_copies(ctx) {
        let at_copy = crate::plan::DeviceRef::Partition { disk, number };
        let Some(f) = ctx.formatted.iter().find(|f| f.on == at_copy) else {
            continue;
        };
        let n = crate::engine::fat_copy::copy_tree(&f.device, &at(ctx.root, "/boot/efi")).map_err(
            |e| ConfigureError::Invalid(format!("copying the ESP to {}: {e}", f.device.display())),
        )?;
        log.info(format!(
            "ESP copied to {} ({n} entries)",
            f.device.display()
        ));
    }
    Ok(())
}

/// Fedora's stub on the ESP: find /boot by UUID and load the real grub.cfg from there.
fn stub_config(ctx: &Context, vendor: &str, log: &Log) -> Result<(), ConfigureError> {
    let path = format!("{vendor}/grub.cfg");
    if at(ctx.root, &path).is_file() {
        return Ok(());
    }
    let (part, prefix) = match partition(ctx.formatted, Role::Boot) {
        Some(p) => (p, "/grub2"),
        None => (
            partition(ctx.formatted, Role::Root)
                .ok_or(ConfigureError::NoPartition { what: "root" })?,
            "/boot/grub2",
        ),
    };
    let uuid = part
        .uuid
        .as_deref()
        .ok_or(ConfigureError::NoUuid { what: "/boot" })?;
    let text = format!(
        "search --no-floppy --fs-uuid --set=dev {uuid}\n\
         set prefix=($dev){prefix}\n\
         export $prefix\n\
         configfile $prefix/grub.cfg\n"
    );
    // The ESP is vfat: modes mean nothing there, 0700 matches its umask=0077 mount.
    write_file(ctx.root, &path, text.as_bytes(), 0o700)?;
    log.info(format!("GRUB stub configuration {path}"));
    Ok(())
}

/// Replaces any entry with the label (a reinstall must not pile them up), as Anaconda does.
fn boot_entry(
    ctx: &Context,
    disk: &Path,
    esp_number: u32,
    label: &str,
    log: &Log,
) -> Result<(), ConfigureError> {
    let efibootmgr = need_tool(ctx.root, "efibootmgr", "efibootmgr")?;
    let list = Cmd::new(&efibootmgr).in_root(ctx.root).run()?;
    for num in entries_labelled(&list.stdout, label) {
        Cmd::new(&efibootmgr)
            .args(["-b", &num, "-B"])
            .in_root(ctx.root)
            .run()?;
        log.info(format!("removed the old boot entry Boot{num}"));
    }
    let loader = format!("\\EFI\\{EFI_VENDOR}\\shimx64.efi");
    Cmd::new(&efibootmgr)
        .arg("--create")
        .arg("--disk")
        .arg(disk)
        .args(["--part", &esp_number.to_string(), "--label", label])
        .args(["--loader", &loader])
        .in_root(ctx.root)
        .run()?;
    log.info(format!(
        "firmware boot entry \"{label}\" -> {loader} on {}",
        disk.display()
    ));
    Ok(())
}

/// Boot numbers ("0003") of efibootmgr's entries with exactly this label.
fn entries_labelled(listing: &str, label: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("Boot")?;
            let (num, rest) = rest.split_at_checked(4)?;
            if !num.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let name = rest.trim_start_matches('*').trim_start();
            let name = name.split('\t').next().unwrap_or(name).trim_end();
            (name == label).then(|| num.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::entries_labelled;

    #[test]
    fn finds_entries_by_label() {
        let out = "BootCurrent: 0001\nBootOrder: 0000,0001\n\
                   Boot0000* Azure Linux\tHD(1,GPT,x)/File(\\EFI\\azurelinux\\shimx64.efi)\n\
                   Boot0001* UEFI Shell\tFv()\nBoot000A  Azure Linux\n";
        assert_eq!(entries_labelled(out, "Azure Linux"), ["0000", "000A"]);
    }
}

//! The storage layers as the installed system assembles them: /etc/mdadm.conf,
//! /etc/crypttab, the dracut modules that assemble, unlock and activate the root in the
//! initramfs, and the kernel arguments that name them (`rd.md.uuid=`, `rd.luks.name=`,
//! `rd.lvm.vg=`), as Anaconda writes them.

use super::{ConfigureError, Context, Log, write_file};
use crate::engine::layers::Facts;

const DRACUT_DROP_IN: &str = "/etc/dracut.conf.d/90-azl-storage.conf";

/// Writes the files; returns the kernel arguments (none without layers).
pub(super) fn configure(ctx: &Context, log: &Log) -> Result<Vec<String>, ConfigureError> {
    let copies = ctx.plan.filesystems.iter().any(|f| f.is_esp_copy());
    let (files, args) = files(ctx.storage, copies);
    for (path, text, mode) in files {
        write_file(ctx.root, path, text.as_bytes(), mode)?;
        log.info(format!("storage configuration {path}"));
    }
    Ok(args)
}

/// The files (path, contents, mode) and kernel arguments for `f`; `esp_copies`: other disks
/// hold copies of the ESP, so the system boots without disk 1.
fn files(f: &Facts, esp_copies: bool) -> (Vec<(&'static str, String, u32)>, Vec<String>) {
    let mut files = Vec::new();
    let mut args = Vec::new();
    let mut modules = Vec::new();
    if !f.md_uuids.is_empty() {
        let text = format!(
            "# The arrays of this system, as the installer made them (mdadm --detail --scan).\n\
             MAILADDR root\n{}",
            f.mdadm_conf
        );
        files.push(("/etc/mdadm.conf", text, 0o644));
        args.extend(f.md_uuids.iter().map(|u| format!("rd.md.uuid={u}")));
        modules.push("mdraid");
    }
    if !f.luks.is_empty() {
        let options = if f.tpm2 {
            "luks,tpm2-device=auto"
        } else {
            "luks"
        };
        let lines: String = f
            .luks
            .iter()
            .map(|(name, uuid)| format!("{name} UUID={uuid} none {options}\n"))
            .collect();
        files.push(("/etc/crypttab", lines, 0o600));
        // A generic initramfs carries no crypttab: the command line names each container
        // as crypttab does (so the booted system finds it open under that name) and, for
        // the TPM2, says how to unlock it.
        for (name, uuid) in &f.luks {
            args.push(format!("rd.luks.name={uuid}={name}"));
            if f.tpm2 {
                args.push(format!("rd.luks.options={uuid}=tpm2-device=auto"));
            }
        }
        modules.extend(["crypt", "systemd-cryptsetup"]);
        if f.tpm2 {
            modules.push("tpm2-tss");
        }
    }
    if !f.groups.is_empty() {
        args.extend(f.groups.iter().map(|g| format!("rd.lvm.vg={g}")));
        modules.push("lvm");
    }
    let mut text = String::new();
    if !modules.is_empty() {
        text.push_str(&format!(
            "# What the root is made on (the installer's storage layers).\n\
             add_dracutmodules+=\" {} \"\n",
            modules.join(" ")
        ));
    }
    if esp_copies {
        // A host-only initramfs waits for every device of /boot and /boot/efi as the
        // installer saw them (dracut's hostonly_cmdline): without disk 1 it would wait for
        // disk 1's ESP and give up. The command line names what the root needs.
        text.push_str(
            "# Any disk boots alone: wait only for what the kernel command line names.\n\
             hostonly_cmdline=\"no\"\n",
        );
    }
    if !text.is_empty() {
        files.push((DRACUT_DROP_IN, text, 0o644));
    }
    (files, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_without_layers() {
        let (files, args) = files(&Facts::default(), false);
        assert!(files.is_empty() && args.is_empty());
    }

    #[test]
    fn arrays_containers_and_groups() {
        let f = Facts {
            mdadm_conf: "ARRAY /dev/md/root metadata=1.2 name=any:root UUID=a:b:c:d\n".into(),
            md_uuids: vec!["a:b:c:d".into()],
            luks: vec![("luks-pv".into(), "1234-5678".into())],
            groups: vec!["azurelinux".into()],
            tpm2: true,
        };
        let (files, args) = files(&f, true);
        assert_eq!(
            args,
            [
                "rd.md.uuid=a:b:c:d",
                "rd.luks.name=1234-5678=luks-pv",
                "rd.luks.options=1234-5678=tpm2-device=auto",
                "rd.lvm.vg=azurelinux"
            ]
        );
        let get = |p: &str| files.iter().find(|f| f.0 == p).unwrap();
        assert!(get("/etc/mdadm.conf").1.contains("ARRAY /dev/md/root"));
        assert_eq!(
            get("/etc/crypttab").1,
            "luks-pv UUID=1234-5678 none luks,tpm2-device=auto\n"
        );
        assert_eq!(get("/etc/crypttab").2, 0o600);
        let dracut = &get(DRACUT_DROP_IN).1;
        assert!(dracut.contains("\" mdraid crypt systemd-cryptsetup tpm2-tss lvm \""));
        assert!(dracut.contains("\nhostonly_cmdline=\"no\"\n"), "{dracut}");
        let (one_esp, _) = super::files(&f, false);
        assert!(
            !one_esp[2].1.contains("hostonly_cmdline"),
            "{:?}",
            one_esp[2]
        );
    }
}

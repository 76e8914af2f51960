//! The kernel: check the installed one is of the planned series, write the command line
//! (/etc/kernel/cmdline, which kernel-install copies into the BLS entries), the hardening
//! sysctl drop-in, and rebuild initramfs and boot entries with the target's kernel-install.
//!
//! SELinux on the command line: /etc/selinux/config is authoritative, so the command line
//! only says `selinux=0` when SELinux is disabled (kernels since 6.4 can no longer disable
//! it at runtime from the config file, so the argument is needed). Permissive gets no
//! `enforcing=0`: that would silently override a later change of the config file.

use crate::answer::SelinuxMode;
use crate::plan::{Plan, Role};

use super::{ConfigureError, Context, Formatted, Log, at, io_err, write_file};

/// The sysctl drop-in written when `kernel.hardening` is true: key, value, why.
pub const HARDENING_SYSCTL: &[(&str, &str, &str)] = &[
    (
        "kernel.kptr_restrict",
        "2",
        "hide kernel pointers, even from root: they defeat KASLR",
    ),
    (
        "kernel.dmesg_restrict",
        "1",
        "only privileged users read the kernel log",
    ),
    (
        "kernel.unprivileged_bpf_disabled",
        "1",
        "no BPF for unprivileged users (a frequent exploit path)",
    ),
    (
        "net.core.bpf_jit_harden",
        "2",
        "blind constants in JIT-compiled BPF (JIT spraying)",
    ),
    (
        "kernel.yama.ptrace_scope",
        "1",
        "processes may only ptrace their descendants",
    ),
    (
        "kernel.kexec_load_disabled",
        "1",
        "no replacing the running kernel; NOTE: kdump needs kexec, remove this line to use it",
    ),
    (
        "fs.protected_symlinks",
        "1",
        "no following others' symlinks in sticky world-writable directories",
    ),
    (
        "fs.protected_hardlinks",
        "1",
        "no hard links to files one cannot read or write",
    ),
    (
        "fs.protected_fifos",
        "2",
        "no opening others' FIFOs in sticky world-writable directories",
    ),
    (
        "fs.protected_regular",
        "2",
        "no opening others' files in sticky world-writable directories with O_CREAT",
    ),
    (
        "fs.suid_dumpable",
        "0",
        "no core dumps of setuid programs (they hold privileged memory)",
    ),
    (
        "kernel.perf_event_paranoid",
        "2",
        "no kernel profiling for unprivileged users",
    ),
];

pub const SYSCTL_DROP_IN: &str = "/etc/sysctl.d/90-azl-hardening.conf";

/// dracut's configuration for a system installed onto a disk image.
pub const GENERIC_DRACUT: &str = "/etc/dracut.conf.d/90-azl-generic.conf";
const GENERIC_DRACUT_TEXT: &str = "# Written by azl-installer: this system was installed onto a disk image, which boots\n\
     # on other hardware than the machine that installed it. Remove for host-only images.\n\
     hostonly=\"no\"\n";

/// The installed system's kernel command line: root, then what the plan says.
fn kernel_cmdline(plan: &Plan, formatted: &[Formatted]) -> Result<Vec<String>, ConfigureError> {
    let uuid = super::partition(formatted, Role::Root)
        .ok_or(ConfigureError::NoPartition { what: "root" })?
        .uuid
        .as_deref()
        .ok_or(ConfigureError::NoUuid { what: "root" })?;
    let mut args = vec![format!("root=UUID={uuid}"), "ro".to_owned()];
    args.extend(plan.system.kernel.cmdline.iter().cloned());
    Ok(args)
}

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let kernels = check_series(ctx)?;
    // Each installed kernel's build configuration (where found), read once.
    let configs: Vec<String> = kernels
        .iter()
        .filter_map(|k| kernel_config(ctx, k))
        .collect();
    let mut args = kernel_cmdline(ctx.plan, ctx.formatted)?;
    // The layers under the root, for the initramfs to assemble and unlock.
    args.extend(super::storage::configure(ctx, log)?);
    if ctx.plan.system.selinux.mode != SelinuxMode::Disabled
        && configs.iter().any(|c| selinux_not_first(c))
    {
        // The kernel would start AppArmor (or another major LSM) and SELinux would never
        // load, whatever /etc/selinux/config says (Debian's kernels are built that way).
        args.push("security=selinux".into());
        log.info("SELinux is not the kernel's first major LSM: security=selinux added");
    }
    let cmdline = args.join(" ");
    write_file(
        ctx.root,
        "/etc/kernel/cmdline",
        format!("{cmdline}\n").as_bytes(),
        0o644,
    )?;
    log.info(format!("kernel command line: {cmdline}"));
    if ctx.plan.system.kernel.hardening {
        write_file(
            ctx.root,
            SYSCTL_DROP_IN,
            sysctl_text(ctx.plan.system.kdump.is_some()).as_bytes(),
            0o644,
        )?;
        log.info(format!("hardening sysctls in {SYSCTL_DROP_IN}"));
    }
    if ctx.plan.system.kernel.generic_initramfs {
        // An image boots on other hardware than this machine's: a host-only initramfs
        // would hold only the drivers this machine uses (Fedora's dracut-config-generic
        // says the same for its cloud images), now and for every later kernel update.
        write_file(
            ctx.root,
            GENERIC_DRACUT,
            GENERIC_DRACUT_TEXT.as_bytes(),
            0o644,
        )?;
        log.info(format!(
            "a disk image: generic initramfs images ({GENERIC_DRACUT})"
        ));
    }
    // The payload's scriptlets made an initramfs and boot entry already, but with the
    // installer's command line: rebuild them now that /etc/kernel/cmdline exists.
    super::initramfs::build(ctx, &kernels, &configs, log)
}

/// The build configuration of kernel `ver`: Debian's /boot/config-VER, Fedora's
/// /lib/modules/VER/config.
fn kernel_config(ctx: &Context, ver: &str) -> Option<String> {
    [
        format!("/boot/config-{ver}"),
        format!("/usr/lib/modules/{ver}/config"),
        format!("/lib/modules/{ver}/config"),
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(at(ctx.root, p)).ok())
}

/// True when the kernel's default LSM order (CONFIG_LSM) starts another of the mutually
/// exclusive major LSMs before SELinux: only the first of them is enabled.
fn selinux_not_first(config: &str) -> bool {
    let Some(order) = config.lines().find_map(|l| l.strip_prefix("CONFIG_LSM=")) else {
        return false;
    };
    const MAJOR: &[&str] = &["selinux", "apparmor", "smack", "tomoyo"];
    order
        .trim_matches('"')
        .split(',')
        .find(|m| MAJOR.contains(m))
        .is_some_and(|first| first != "selinux")
}

/// The hardening sysctls; with kdump on, not the one that would stop kdump loading its
/// crash kernel (kexec).
fn sysctl_text(kdump: bool) -> String {
    let mut s = String::from("# Written by azl-installer ([kernel] hardening = true).\n");
    for (key, value, why) in HARDENING_SYSCTL {
        if kdump && *key == "kernel.kexec_load_disabled" {
            s.push_str("# kernel.kexec_load_disabled is left out: kdump loads its crash kernel with kexec\n");
            continue;
        }
        s.push_str(&format!("# {why}\n{key} = {value}\n"));
    }
    s
}

/// True when `version` ("6.18.2-1.azl4.x86_64") belongs to `series` ("6.18").
fn of_series(version: &str, series: &str) -> bool {
    version
        .strip_prefix(series)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-']))
}

/// The installed kernels (with a vmlinuz); an error unless one is of the planned series.
fn check_series(ctx: &Context) -> Result<Vec<String>, ConfigureError> {
    let mut found = Vec::new();
    for dir in ["/usr/lib/modules", "/lib/modules"] {
        let Ok(entries) = std::fs::read_dir(at(ctx.root, dir)) else {
            continue;
        };
        for e in entries {
            let e = e.map_err(io_err(format!("reading {dir}")))?;
            let ver = e.file_name().to_string_lossy().into_owned();
            if e.path().join("vmlinuz").is_file() && !found.contains(&ver) {
                found.push(ver);
            }
        }
    }
    found.sort();
    let want = &ctx.plan.system.kernel.series;
    if !found.iter().any(|v| of_series(v, want)) {
        return Err(ConfigureError::KernelSeries {
            want: want.clone(),
            found,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{of_series, selinux_not_first};

    #[test]
    fn lsm_order() {
        // Debian 13's kernels: AppArmor first.
        let debian = "CONFIG_X=y\nCONFIG_LSM=\"landlock,lockdown,yama,loadpin,safesetid,integrity,apparmor,selinux,smack,tomoyo,bpf,ipe\"\n";
        assert!(selinux_not_first(debian));
        // Fedora's: SELinux first.
        let fedora = "CONFIG_LSM=\"lockdown,yama,integrity,selinux,bpf,landlock,ipe\"\n";
        assert!(!selinux_not_first(fedora));
        assert!(!selinux_not_first("CONFIG_SECURITY=y\n"));
    }

    #[test]
    fn series_matching() {
        assert!(of_series("6.18.2-1.azl4.x86_64", "6.18"));
        assert!(of_series("6.18", "6.18"));
        assert!(!of_series("6.180.1", "6.18"));
        assert!(!of_series("6.12.9-1.azl4.x86_64", "6.18"));
    }
}

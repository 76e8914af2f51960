//! The kernel: check the installed one is of the planned series, write the command line
//! (/etc/kernel/cmdline, which kernel-install copies into the BLS entries), the hardening
//! sysctl drop-in, and rebuild initramfs and boot entries with the target's kernel-install.
//!
//! SELinux on the command line: /etc/selinux/config is authoritative, so the command line
//! only says `selinux=0` when SELinux is disabled (kernels since 6.4 can no longer disable
//! it at runtime from the config file, so the argument is needed). Permissive gets no
//! `enforcing=0`: that would silently override a later change of the config file.

use crate::answer::SelinuxMode;
use crate::cmd::Cmd;
use crate::plan::{Plan, Role};

use super::{ConfigureError, Context, Formatted, Log, at, find_tool, io_err, write_file};

/// Kernel arguments added when `kernel.hardening` is true; each costs little on a server:
///
/// - `init_on_alloc=1 init_on_free=1`: zero memory on allocation and on free, so stale
///   data (keys, other processes' pages) cannot leak through uninitialised memory
///   (a few percent of throughput on allocation-heavy work).
/// - `slab_nomerge`: keep slab caches separate, so a heap overflow in one cache cannot
///   reach objects of another that merely happens to have the same size.
/// - `page_alloc.shuffle=1`: randomise the page allocator's free lists.
/// - `randomize_kstack_offset=on`: a random kernel stack offset on every system call.
/// - `vsyscall=none`: no legacy vsyscall page at a fixed address (a ROP gadget source);
///   only binaries from before glibc 2.14 need it.
/// - `debugfs=off`: no debugfs, a large, unaudited kernel interface.
///
/// Not included: `lockdown=integrity`. Secure Boot already turns lockdown on in
/// Fedora-style kernels; forcing it elsewhere breaks unsigned out-of-tree modules (DKMS
/// drivers), hibernation, and some monitoring tools, with little gain without Secure Boot.
pub const HARDENING_CMDLINE: &[&str] = &[
    "init_on_alloc=1",
    "init_on_free=1",
    "slab_nomerge",
    "page_alloc.shuffle=1",
    "randomize_kstack_offset=on",
    "vsyscall=none",
    "debugfs=off",
];

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

/// The installed system's kernel command line: root, SELinux, hardening, the answer's.
pub fn kernel_cmdline(plan: &Plan, formatted: &[Formatted]) -> Result<Vec<String>, ConfigureError> {
    let uuid = super::partition(formatted, Role::Root)
        .ok_or(ConfigureError::NoPartition { what: "root" })?
        .uuid
        .as_deref()
        .ok_or(ConfigureError::NoUuid { what: "root" })?;
    let mut args = vec![format!("root=UUID={uuid}"), "ro".to_owned()];
    if plan.answer.selinux.mode == SelinuxMode::Disabled {
        args.push("selinux=0".into());
    }
    if plan.answer.kernel.hardening {
        args.extend(HARDENING_CMDLINE.iter().map(|s| (*s).to_owned()));
    }
    args.extend(plan.answer.kernel.cmdline.iter().cloned());
    Ok(args)
}

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let kernels = check_series(ctx)?;
    let cmdline = kernel_cmdline(ctx.plan, ctx.formatted)?.join(" ");
    write_file(
        ctx.root,
        "/etc/kernel/cmdline",
        format!("{cmdline}\n").as_bytes(),
        0o644,
    )?;
    log.info(format!("kernel command line: {cmdline}"));
    if ctx.plan.answer.kernel.hardening {
        write_file(ctx.root, SYSCTL_DROP_IN, sysctl_text().as_bytes(), 0o644)?;
        log.info(format!("hardening sysctls in {SYSCTL_DROP_IN}"));
    }
    // The payload's scriptlets made an initramfs and boot entry already, but with the
    // installer's command line: rebuild them now that /etc/kernel/cmdline exists.
    for ver in &kernels {
        let image = format!("/lib/modules/{ver}/vmlinuz");
        if let Some(ki) = find_tool(ctx.root, "kernel-install") {
            Cmd::new(ki)
                .args(["add", ver, &image])
                .in_root(ctx.root)
                .run()?;
            log.info(format!(
                "kernel {ver}: initramfs and boot entry (kernel-install)"
            ));
        } else if let Some(dracut) = find_tool(ctx.root, "dracut") {
            let initrd = format!("/boot/initramfs-{ver}.img");
            Cmd::new(dracut)
                .args(["-f", &initrd, ver])
                .in_root(ctx.root)
                .run()?;
            log.info(format!("kernel {ver}: initramfs (dracut)"));
        } else {
            log.warn(format!(
                "kernel {ver}: the target has neither kernel-install nor dracut; no initramfs made"
            ));
        }
    }
    Ok(())
}

fn sysctl_text() -> String {
    let mut s = String::from("# Written by azl-installer ([kernel] hardening = true).\n");
    for (key, value, why) in HARDENING_SYSCTL {
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
    let want = &ctx.plan.answer.kernel.series;
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
    use super::of_series;

    #[test]
    fn series_matching() {
        assert!(of_series("6.18.2-1.azl4.x86_64", "6.18"));
        assert!(of_series("6.18", "6.18"));
        assert!(!of_series("6.180.1", "6.18"));
        assert!(!of_series("6.12.9-1.azl4.x86_64", "6.18"));
    }
}

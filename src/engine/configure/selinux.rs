//! SELinux: the mode and policy in /etc/selinux/config, and labels on every file.
//!
//! Labelling is done offline as image builders do (osbuild's selinux stage runs setfiles
//! over the tree; Anaconda relabels after the install): the target's own `setfiles` runs
//! in the chroot against the policy's file_contexts, with the pseudo filesystems bound for
//! the install and the ESP (vfat: no xattrs, labelled by the mount) left out. When the
//! target cannot do it (no setfiles, no file_contexts, or setfiles fails), `/.autorelabel`
//! asks the installed system to relabel at first boot, and a warning says so.

use crate::answer::{ESP_MOUNT, SelinuxMode};
use crate::cmd::Cmd;

use super::{ConfigureError, Context, Log, at, find_tool, io_err, write_file};

pub const CONFIG: &str = "/etc/selinux/config";

/// Sets the two keys in the packaged file, keeping its comments; creates it when absent.
pub(super) fn write_config(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let se = &ctx.plan.system.selinux;
    let path = at(ctx.root, CONFIG);
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_err(format!("reading {CONFIG}"))(e)),
    };
    let text = edit_config(&old, se.mode.word(), &se.policy);
    write_file(ctx.root, CONFIG, text.as_bytes(), 0o644)?;
    log.info(format!("SELinux {} (policy {})", se.mode.word(), se.policy));
    Ok(())
}

fn edit_config(old: &str, mode: &str, policy: &str) -> String {
    let (mut set_mode, mut set_type) = (false, false);
    let mut out = String::new();
    for line in old.lines() {
        let key = line.trim_start();
        if key.starts_with("SELINUX=") {
            out.push_str(&format!("SELINUX={mode}\n"));
            set_mode = true;
        } else if key.starts_with("SELINUXTYPE=") {
            out.push_str(&format!("SELINUXTYPE={policy}\n"));
            set_type = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !set_mode {
        out.push_str(&format!("SELINUX={mode}\n"));
    }
    if !set_type {
        out.push_str(&format!("SELINUXTYPE={policy}\n"));
    }
    out
}

/// Labels the whole target, or falls back to /.autorelabel. Nothing when disabled.
pub(super) fn relabel(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let se = &ctx.plan.system.selinux;
    if se.mode == SelinuxMode::Disabled {
        return Ok(());
    }
    let contexts = format!("/etc/selinux/{}/contexts/files/file_contexts", se.policy);
    let why = match (
        find_tool(ctx.root, "setfiles"),
        at(ctx.root, &contexts).is_file(),
    ) {
        (None, _) => "the target has no setfiles (policycoreutils)".to_owned(),
        (_, false) => format!("the target has no {contexts}"),
        (Some(setfiles), true) => {
            let run = Cmd::new(setfiles)
                .args([
                    "-F", "-e", "/dev", "-e", "/proc", "-e", "/sys", "-e", "/run",
                ])
                .args(["-e", ESP_MOUNT, &contexts, "/"])
                .in_root(ctx.root)
                .run();
            match run {
                Ok(_) => {
                    log.info(format!("labelled the files with {contexts}"));
                    return Ok(());
                }
                Err(e) => format!("setfiles failed: {e}"),
            }
        }
    };
    write_file(ctx.root, "/.autorelabel", b"", 0o644)?;
    log.warn(format!(
        "SELinux labels not set at install ({why}); the first boot will relabel (/.autorelabel) and reboot"
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::edit_config;

    #[test]
    fn keeps_comments_and_replaces_keys() {
        let old = "# c\nSELINUX=enforcing\n# SELINUX=x\nSELINUXTYPE=targeted\n";
        assert_eq!(
            edit_config(old, "permissive", "mls"),
            "# c\nSELINUX=permissive\n# SELINUX=x\nSELINUXTYPE=mls\n"
        );
        assert_eq!(
            edit_config("", "disabled", "targeted"),
            "SELINUX=disabled\nSELINUXTYPE=targeted\n"
        );
    }
}

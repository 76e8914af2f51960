//! The OpenSSH server: the answer's settings as a drop-in, and sshd.service enabled or
//! disabled with the target's systemctl. Host keys are deliberately not made here: they
//! must be unique per machine, and sshd-keygen makes them at first boot.

use crate::answer::PermitRootLogin;

use super::{ConfigureError, Context, Log, find_unit, systemctl, write_file};

/// sshd keeps the first value it reads for a keyword and reads drop-ins in name order:
/// this name sorts before the distribution's `50-azurelinux.conf`, so these settings win.
pub const DROP_IN: &str = "/etc/ssh/sshd_config.d/50-azl-installer.conf";

/// The OpenSSH server's unit: Fedora's name, then Debian's.
const UNITS: &[&str] = &["sshd.service", "ssh.service"];

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let ssh = &ctx.plan.system.ssh;
    let Some(unit) = find_unit(ctx.root, UNITS) else {
        if ssh.enable {
            return Err(ConfigureError::MissingFile {
                path: "/usr/lib/systemd/system/sshd.service".into(),
                why: "openssh-server not installed",
            });
        }
        log.info("ssh: openssh-server not installed; nothing to configure");
        return Ok(());
    };
    write_file(ctx.root, DROP_IN, drop_in(ctx).as_bytes(), 0o600)?;
    let verb = if ssh.enable { "enable" } else { "disable" };
    systemctl(ctx.root, verb, unit)?;
    log.info(format!("ssh: {unit} {verb}d, settings in {DROP_IN}"));
    Ok(())
}

fn drop_in(ctx: &Context) -> String {
    let ssh = &ctx.plan.system.ssh;
    let root = match ssh.permit_root_login {
        PermitRootLogin::Yes => "yes",
        PermitRootLogin::No => "no",
        PermitRootLogin::ProhibitPassword => "prohibit-password",
    };
    let mut s = format!(
        "# Written by azl-installer from the answer file's [ssh] section.\n\
         PermitRootLogin {root}\n\
         PasswordAuthentication {}\n",
        if ssh.password_authentication {
            "yes"
        } else {
            "no"
        }
    );
    if !ssh.password_authentication {
        // With UsePAM, keyboard-interactive would still ask PAM for the password.
        s.push_str("KbdInteractiveAuthentication no\n");
    }
    s
}

//! Accounts: missing supplementary groups, users (the target's groupadd/useradd in a chroot,
//! so its login.defs and skeleton apply), passwords, and SSH authorized_keys.
//!
//! Passwords reach the target only as hashes on `chpasswd -e`'s stdin: never on a command
//! line, in a log or in an event. The plan holds hashes only (plain passwords were hashed
//! when it was made); "locked" sets the field to `!`: no password matches it, and key
//! logins still work.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::cmd::Cmd;
use crate::plan::Shadow;

use super::{ConfigureError, Context, Log, at, io_err, need_tool};

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let accounts = &ctx.plan.system.accounts;
    let root = ctx.root;
    let groupadd = need_tool(root, "groupadd", "shadow-utils")?;
    let useradd = need_tool(root, "useradd", "shadow-utils")?;
    let usermod = need_tool(root, "usermod", "shadow-utils")?;
    let chpasswd = need_tool(root, "chpasswd", "shadow-utils")?;

    let mut known = names_in(root, "/etc/group")?;
    for user in &accounts.users {
        for g in &user.groups {
            if !known.contains(g) {
                Cmd::new(&groupadd).arg(g).in_root(root).run()?;
                log.info(format!("created group {g}"));
                known.push(g.clone());
            }
        }
    }

    let existing = names_in(root, "/etc/passwd")?;
    for user in &accounts.users {
        let groups = user.groups.join(",");
        if existing.contains(&user.name) {
            // Only a system account of the payload can clash (validation refuses root).
            log.warn(format!(
                "user {} already exists in the target; keeping it",
                user.name
            ));
            if !groups.is_empty() {
                Cmd::new(&usermod)
                    .args(["-a", "-G", &groups, &user.name])
                    .in_root(root)
                    .run()?;
            }
        } else {
            let mut c = Cmd::new(&useradd).arg("-m");
            // Fedora's useradd gives bash; Debian's login.defs gives /bin/sh (dash), a poor
            // login shell for an administrator.
            if at(root, "/bin/bash").is_file() {
                c = c.args(["-s", "/bin/bash"]);
            }
            if !groups.is_empty() {
                c = c.args(["-G", &groups]);
            }
            c.arg(&user.name).in_root(root).run()?;
            log.info(if groups.is_empty() {
                format!("created user {}", user.name)
            } else {
                format!("created user {} (groups {groups})", user.name)
            });
        }
    }

    let mut lines = String::new();
    for acct in std::iter::once(&accounts.root).chain(&accounts.users) {
        let name = &acct.name;
        lines.push_str(&format!("{name}:{}\n", shadow_field(name, &acct.password)?));
        log.info(format!("password of {name}: {}", acct.password.describe()));
    }
    // stdin only: the hashes never appear in the command line or its log.
    Cmd::new(&chpasswd)
        .arg("-e")
        .stdin(lines)
        .in_root(root)
        .run()?;

    for acct in std::iter::once(&accounts.root).chain(&accounts.users) {
        authorized_keys(root, &acct.name, &acct.ssh_keys, log)?;
    }
    Ok(())
}

/// What goes in the account's shadow field, checked once more: a colon or newline would
/// corrupt chpasswd's input and the shadow file.
fn shadow_field<'a>(user: &str, password: &'a Shadow) -> Result<&'a str, ConfigureError> {
    let field = password.field();
    if field.is_empty() || field.contains([':', '\n', '\r']) {
        return Err(ConfigureError::Invalid(format!(
            "the password hash of {user} is empty or contains ':' or a newline"
        )));
    }
    Ok(field)
}

/// An account of the target's /etc/passwd.
struct Account {
    uid: u32,
    gid: u32,
    home: String,
}

fn names_in(root: &Path, file: &str) -> Result<Vec<String>, ConfigureError> {
    let text =
        std::fs::read_to_string(at(root, file)).map_err(io_err(format!("reading {file}")))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect())
}

fn account(root: &Path, name: &str) -> Result<Account, ConfigureError> {
    let text =
        std::fs::read_to_string(at(root, "/etc/passwd")).map_err(io_err("reading /etc/passwd"))?;
    let bad = || ConfigureError::Invalid(format!("no usable entry for {name} in /etc/passwd"));
    let f: Vec<&str> = text
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&name))
        .ok_or_else(bad)?;
    if f.len() < 7 || !f[5].starts_with('/') {
        return Err(bad());
    }
    Ok(Account {
        uid: f[2].parse().map_err(|_| bad())?,
        gid: f[3].parse().map_err(|_| bad())?,
        home: f[5].to_owned(),
    })
}

/// ~/.ssh (0700) and ~/.ssh/authorized_keys (0600), owned by the account.
fn authorized_keys(
    root: &Path,
    name: &str,
    keys: &[String],
    log: &Log,
) -> Result<(), ConfigureError> {
    if keys.is_empty() {
        return Ok(());
    }
    let acct = account(root, name)?;
    let ssh_dir = format!("{}/.ssh", acct.home.trim_end_matches('/'));
    let file = format!("{ssh_dir}/authorized_keys");
    let dir_path = at(root, &ssh_dir);
    std::fs::create_dir_all(&dir_path).map_err(io_err(format!("creating {ssh_dir}")))?;
    // write_file leaves the file root's; the account must own its own keys.
    // One line each: validation allows only a trailing newline (a TOML multi-line string).
    let text: String = keys
        .iter()
        .map(|k| format!("{}\n", k.trim_end_matches(['\n', '\r'])))
        .collect();
    super::write_file(root, &file, text.as_bytes(), 0o600)?;
    for (path, shown, mode) in [(dir_path, &ssh_dir, 0o700), (at(root, &file), &file, 0o600)] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(io_err(format!("setting the mode of {shown}")))?;
        std::os::unix::fs::lchown(&path, Some(acct.uid), Some(acct.gid))
            .map_err(io_err(format!("setting the owner of {shown}")))?;
    }
    log.info(format!("{} SSH key(s) for {name}", keys.len()));
    Ok(())
}

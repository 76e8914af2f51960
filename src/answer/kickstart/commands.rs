//! The system commands: language, keyboard, time, accounts, SELinux, the boot loader's
//! arguments, services, firewall, repositories and how the install ends.

use super::{Ctx, Opts};
use crate::answer::{
    Finish, Firewall, Password, PermitRootLogin, Repo, Script, SelinuxMode, Time, User,
};

/// Converts `name` when it is one of these commands; false when it is not.
pub(super) fn command(cx: &mut Ctx, line: usize, name: &str, args: &[String]) -> bool {
    match name {
        // How Anaconda itself runs (its UI, X, its license screen): nothing of the
        // installed system, and this installer is unattended anyway.
        "text" | "cmdline" | "graphical" | "skipx" | "eula" | "install" => {}
        "firstboot" => {
            let mut o = Opts::new(args, &[]);
            // Disabling it is what this installer does anyway (there is no initial-setup).
            if !o.flag(&["disable", "disabled"]) {
                cx.warn(
                    line,
                    name,
                    "the installed system has no first-boot setup tool",
                );
            }
            o.rest();
        }
        "lang" => {
            let mut o = Opts::new(args, &["addsupport"]);
            match o.args.first() {
                Some(l) => cx.answer.system.locale = l.clone(),
                None => cx.warn(line, name, "no language given"),
            }
            cx.leftover(line, name, &mut o);
        }
        "keyboard" => {
            let mut o = Opts::new(args, &["vckeymap", "xlayouts", "switch"]);
            let map = o.value(&["vckeymap"]).or_else(|| o.args.first().cloned());
            let x = o.value(&["xlayouts"]);
            match map.or_else(|| x.map(|l| l.split(',').next().unwrap_or("").trim().to_string())) {
                Some(m) if !m.is_empty() => cx.answer.system.keymap = m,
                _ => cx.warn(line, name, "no keymap given"),
            }
            // X layouts are for a graphical session: a server console has one keymap.
            o.value(&["switch"]);
            cx.leftover(line, name, &mut o);
        }
        "timezone" => timezone(cx, line, args),
        "timesource" => {
            let mut o = Opts::new(args, &["ntp-server", "ntp-pool"]);
            let t = cx.answer.time.get_or_insert_with(Time::default);
            if let Some(s) = o.value(&["ntp-server"]) {
                t.servers.push(s);
            }
            if let Some(p) = o.value(&["ntp-pool"]) {
                t.pools.push(p);
            }
            if o.flag(&["ntp-disable"]) {
                cx.warn(
                    line,
                    name,
                    "--ntp-disable: the answer cannot turn chrony off",
                );
            }
            if o.flag(&["nts"]) {
                cx.warn(line, name, "--nts: NTS is not configured by the answer");
            }
            cx.leftover(line, name, &mut o);
        }
        "rootpw" => rootpw(cx, line, args),
        "user" => user(cx, line, args),
        "sshkey" => {
            let mut o = Opts::new(args, &["username"]);
            match (o.value(&["username"]), o.args.first()) {
                (Some(u), Some(k)) => cx.sshkeys.push((line, u, k.clone())),
                _ => cx.warn(line, name, "needs --username and a key"),
            }
            cx.leftover(line, name, &mut o);
        }
        "selinux" => {
            let mut o = Opts::new(args, &[]);
            if o.flag(&["disabled"]) {
                cx.answer.selinux.mode = SelinuxMode::Disabled;
            } else if o.flag(&["permissive"]) {
                cx.answer.selinux.mode = SelinuxMode::Permissive;
            } else if o.flag(&["enforcing"]) {
                cx.answer.selinux.mode = SelinuxMode::Enforcing;
            }
            cx.leftover(line, name, &mut o);
        }
        "bootloader" => bootloader(cx, line, args),
        "services" => services(cx, line, args),
        "firewall" => firewall(cx, line, args),
        "reboot" | "poweroff" | "halt" | "shutdown" => {
            cx.answer.install.finish = if name == "reboot" {
                Finish::Reboot
            } else {
                Finish::Poweroff
            };
            cx.finish_given = true;
            let mut o = Opts::new(args, &[]);
            if o.flag(&["eject"]) {
                cx.warn(line, name, "--eject: the install media is not ejected");
            }
            if o.flag(&["kexec"]) {
                cx.warn(
                    line,
                    name,
                    "--kexec: the machine reboots through its firmware",
                );
            }
            cx.leftover(line, name, &mut o);
        }
        "repo" => repo(cx, line, args),
        "url" => {
            let mut o = Opts::new(args, &["url", "mirrorlist", "metalink", "proxy"]);
            match o.value(&["url"]) {
                Some(u) => push_repo(cx, line, name, "install", u),
                None => cx.warn(line, name, "only --url is converted (no mirror lists)"),
            }
            cx.leftover(line, name, &mut o);
        }
        // The install media's repository is what an answer without [[repos]] uses.
        "cdrom" => {}
        _ => return false,
    }
    true
}

fn timezone(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(args, &["ntpservers"]);
    match o.args.first() {
        Some(z) => cx.answer.system.timezone = z.clone(),
        None => cx.warn(line, "timezone", "no time zone given"),
    }
    // The hardware clock on UTC is what the installed system assumes anyway.
    o.flag(&["utc", "isUtc"]);
    let servers = o.list(&["ntpservers"]);
    if !servers.is_empty() {
        cx.answer
            .time
            .get_or_insert_with(Time::default)
            .servers
            .extend(servers);
    }
    if o.flag(&["nontp"]) {
        cx.warn(
            line,
            "timezone",
            "--nontp: the answer cannot turn chrony off",
        );
    }
    cx.leftover(line, "timezone", &mut o);
}

/// A password from `--iscrypted`/`--plaintext`/`--lock` and the value.
fn password(
    cx: &mut Ctx,
    line: usize,
    command: &str,
    o: &mut Opts,
    value: Option<String>,
) -> Password {
    let crypted = o.flag(&["iscrypted"]);
    o.flag(&["plaintext"]);
    let lock = o.flag(&["lock"]);
    match value {
        _ if lock => Password::Locked,
        // The answer takes sha512crypt and yescrypt hashes only (MD5 and SHA-256 crypt are
        // refused as weak): such an account is locked, and said so.
        Some(v) if crypted && !(v.starts_with("$6$") || v.starts_with("$y$")) => {
            let scheme = v.split('$').nth(1).unwrap_or("");
            cx.warn(
                line,
                command,
                format!("a ${scheme}$ hash is not accepted (only $6$ and $y$): the account is locked; set its password"),
            );
            Password::Locked
        }
        Some(v) if crypted => Password::Hash { hash: v },
        Some(v) => Password::Plain { plain: v },
        None => Password::Locked,
    }
}

fn rootpw(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(args, &[]);
    let value = o.args.first().cloned();
    if value.is_none() && !o.opts_has_lock() {
        cx.warn(line, "rootpw", "no password given: root is locked");
    }
    cx.answer.root.password = password(cx, line, "rootpw", &mut o, value);
    if o.flag(&["allow-ssh"]) {
        cx.answer.ssh.permit_root_login = PermitRootLogin::Yes;
        cx.answer.ssh.password_authentication = true;
    }
    cx.leftover(line, "rootpw", &mut o);
}

impl Opts {
    fn opts_has_lock(&self) -> bool {
        self.opts.iter().any(|(k, _)| k == "lock")
    }
}

fn user(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(
        args,
        &[
            "name", "groups", "password", "gecos", "homedir", "shell", "uid", "gid",
        ],
    );
    let Some(name) = o.value(&["name"]) else {
        cx.warn(line, "user", "no --name: not converted");
        return;
    };
    let value = o.value(&["password"]);
    let groups = o.list(&["groups"]);
    let password = password(cx, line, "user", &mut o, value);
    let user = User {
        name,
        groups,
        password,
        ssh_keys: Vec::new(),
    };
    cx.answer.users.push(user);
    cx.leftover(line, "user", &mut o);
}

fn bootloader(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(
        args,
        &[
            "append",
            "location",
            "boot-drive",
            "driveorder",
            "timeout",
            "password",
        ],
    );
    if let Some(a) = o.value(&["append"]) {
        cx.answer
            .kernel
            .cmdline
            .extend(a.split_whitespace().map(str::to_string));
    }
    match o.value(&["location"]).as_deref() {
        // The boot loader goes where the firmware boots from: the MBR/ESP of disk 1.
        None | Some("mbr") | Some("partition") => {}
        Some(other) => cx.warn(
            line,
            "bootloader",
            format!("--location={other}: a boot loader is always installed on disk 1"),
        ),
    }
    if let Some(d) = o.value(&["boot-drive"]) {
        cx.storage.boot_drive = Some((line, d));
    }
    cx.leftover(line, "bootloader", &mut o);
}

fn services(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(args, &["enabled", "disabled"]);
    let mut script = Vec::new();
    for (list, enable) in [(o.list(&["disabled"]), false), (o.list(&["enabled"]), true)] {
        let mut others = Vec::new();
        for s in list {
            match s.trim_end_matches(".service") {
                "sshd" => cx.answer.ssh.enable = enable,
                "firewalld" => {
                    cx.answer
                        .firewall
                        .get_or_insert_with(Firewall::default)
                        .enable = enable
                }
                // Enabled by the installed system when [time] is set, as chrony's default.
                "chronyd" if enable => {}
                _ => others.push(s),
            }
        }
        if !others.is_empty() {
            let verb = if enable { "enable" } else { "disable" };
            script.push(format!("systemctl {verb} {}", others.join(" ")));
            cx.warn(
                line,
                "services",
                format!(
                    "the answer has no key to {verb} {}: done by a post script",
                    others.join(", ")
                ),
            );
        }
    }
    if !script.is_empty() {
        cx.answer.scripts.post.push(Script {
            chroot: true,
            run: script.join("\n") + "\n",
            timeout: crate::answer::types::default_timeout(),
        });
    }
    cx.leftover(line, "services", &mut o);
}

fn firewall(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(args, &["service", "port", "trust", "remove-service"]);
    if o.flag(&["use-system-defaults"]) {
        cx.leftover(line, "firewall", &mut o);
        return;
    }
    let f = cx.answer.firewall.get_or_insert_with(Firewall::default);
    if o.flag(&["disabled", "disable"]) {
        f.enable = false;
    }
    o.flag(&["enabled", "enable"]);
    f.services.extend(o.list(&["service"]));
    // The old spellings of the common services.
    for s in ["ssh", "http", "smtp", "ftp", "telnet"] {
        if o.flag(&[s]) {
            f.services.push(s.to_string());
        }
    }
    let mut bad = Vec::new();
    for p in o.list(&["port"]) {
        // Kickstart says 8443:tcp, firewalld and the answer 8443/tcp.
        match p.split_once(':') {
            Some((port, proto)) => f.ports.push(format!("{port}/{proto}")),
            None => bad.push(p),
        }
    }
    for p in bad {
        cx.warn(line, "firewall", format!("port {p:?} has no :tcp or :udp"));
    }
    let removed = o.list(&["remove-service"]);
    if !removed.is_empty() {
        cx.warn(
            line,
            "firewall",
            format!(
                "--remove-service={}: the zone allows only the services listed",
                removed.join(",")
            ),
        );
    }
    if let Some(t) = o.value(&["trust"]) {
        cx.warn(
            line,
            "firewall",
            format!("--trust={t}: interfaces are not put in the trusted zone"),
        );
    }
    cx.leftover(line, "firewall", &mut o);
}

fn repo(cx: &mut Ctx, line: usize, args: &[String]) {
    let mut o = Opts::new(
        args,
        &[
            "name",
            "baseurl",
            "mirrorlist",
            "metalink",
            "cost",
            "proxy",
            "includepkgs",
            "excludepkgs",
        ],
    );
    let name = o.value(&["name"]);
    match (name, o.value(&["baseurl"])) {
        (Some(n), Some(u)) => push_repo(cx, line, "repo", &n, u),
        (Some(n), None) => cx.warn(
            line,
            "repo",
            format!("{n}: only --baseurl is converted (no mirror lists): not converted"),
        ),
        _ => cx.warn(line, "repo", "no --name: not converted"),
    }
    o.value(&["mirrorlist", "metalink"]);
    cx.leftover(line, "repo", &mut o);
}

/// Kickstart names no signing key, and Anaconda installs without checking signatures; the
/// answer checks them unless told not to. The import says so openly (unsigned, and a
/// warning to add the keys) rather than making up a key path that would fail preflight.
fn push_repo(cx: &mut Ctx, line: usize, command: &str, name: &str, url: String) {
    cx.answer.repos.push(Repo {
        name: name.to_string(),
        url,
        gpg_keys: Vec::new(),
        gpg_check: false,
        allow_unsigned: true,
    });
    cx.warn(
        line,
        command,
        format!(
            "{name}: kickstart names no signing key: imported with gpg_check = false and \
             allow_unsigned = true; add gpg_keys and remove those to verify packages"
        ),
    );
}

/// What is known only at the end: SSH keys for users defined anywhere in the file.
pub(super) fn finish(cx: &mut Ctx) {
    for (line, user, key) in std::mem::take(&mut cx.sshkeys) {
        if user == "root" {
            cx.answer.root.ssh_keys.push(key);
        } else if let Some(u) = cx.answer.users.iter_mut().find(|u| u.name == user) {
            u.ssh_keys.push(key);
        } else {
            cx.warn(
                line,
                "sshkey",
                format!("no user {user:?} is created by this kickstart: not converted"),
            );
        }
    }
}

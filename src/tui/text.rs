//! Every word the TUI shows, in one place (for review, and for translation one day).
//! ASCII only: the serial console may have nothing else.

use std::path::Path;

use super::Outcome;
use super::app::{App, Popup, Screen};
use crate::answer::{PermitRootLogin, SelinuxMode};
use crate::plan::{Connection, Payload, Plan};

pub const TITLE: &str = "Azure Linux";
pub const DEFAULT_EXPORT: &str = "/root/azl-answer.toml";
pub const UNKNOWN: &str = "unknown";
pub const BUSY: &str = "BUSY";
/// A disk an old array or mapping holds: it may be picked (the install stops them).
pub const HELD: &str = "HELD";
pub const READ_ONLY: &str = "read-only";
pub const FIX_FIRST: &str = "Fix the marked fields first.";

pub fn screen_name(s: Screen) -> &'static str {
    match s {
        Screen::Welcome => "Welcome",
        Screen::Disk => "Disk",
        Screen::Network => "Network",
        Screen::Users => "Users",
        Screen::Security => "Security",
        Screen::Software => "Software",
        Screen::Summary => "Summary",
        Screen::Progress => "Installing",
        Screen::Finished => "Done",
    }
}

/// The help line at the bottom: the keys that work here and now (at most 79 characters).
pub fn help(app: &App) -> String {
    if let Some(p) = &app.popup {
        return match p {
            Popup::Confirm { .. } => " type erase, then Enter: install    Esc: cancel".into(),
            _ => " y: yes    n/Esc: no".into(),
        };
    }
    let common = "Tab/Up/Down: field  Left/Right/Space: change  Enter: next  Esc: back";
    match app.screen {
        Screen::Welcome => " Enter: start    q/Ctrl-C: quit".into(),
        Screen::Disk if app.disk.parts.typing() => {
            " Tab: mount/size  Enter: apply  Esc: cancel".into()
        }
        Screen::Disk if app.disk.keep.edit.is_some() => {
            " type the mount point  Enter: apply  Esc: cancel".into()
        }
        Screen::Disk => match app.disk.form.focus {
            crate::tui::screens::disk::DISKS => {
                " Up/Down: disk  Space: pick/unpick  Left/Right: pick only  Enter: next".into()
            }
            crate::tui::screens::disk::KEEP => {
                " k: keep/erase  e: mount point  Up/Down: partition  Tab: field  Enter: next".into()
            }
            crate::tui::screens::disk::PARTS => {
                " a:add d:del e:edit +/-:1GiB f:fs r:reset Up/Down:row Tab:field Enter:next".into()
            }
            _ => format!(" {common}"),
        },
        Screen::Network if app.network.form.focus == crate::tui::screens::network_form::LIST => {
            " Up/Down: row  Space: mark NIC  b: bond them  v: add VLAN  d: delete  Tab: next".into()
        }
        Screen::Software => " Tab: list  Space: choose  /: search  Enter: next  Esc: back".into(),
        Screen::Summary => {
            " Up/Down: scroll  e: export answer file  Enter: install...  Esc: back".into()
        }
        Screen::Progress => " l: log / steps    Ctrl-C: abort the install".into(),
        Screen::Finished => " Up/Down: choose    Enter: do it".into(),
        _ => format!(" {common}"),
    }
}

// Welcome
pub const WELCOME_TITLE: &str = "Welcome";
pub const WELCOME_INTRO: &str = "This installs Azure Linux 4.0. Found on this machine:";
pub const WELCOME_NEXT: &str =
    "Nothing is written to any disk before the summary asks you to confirm.";
pub const CPU: &str = "CPU";
pub const MEMORY: &str = "Memory";
pub const FIRMWARE: &str = "Firmware";
pub const DISKS: &str = "Disks";
pub const NICS: &str = "Network";
pub const NO_DISKS: &str = "no disks found";

pub fn link(carrier: Option<bool>) -> &'static str {
    match carrier {
        Some(true) => "up",
        Some(false) => "down",
        None => "?",
    }
}

// Disk
pub const DISK_TITLE: &str = "Installation disks";
pub const F_DISKS: &str = "Disks";
pub const F_KEEP: &str = "Keep";
pub const F_LAYOUT: &str = "Layout";
pub const F_SCHEME: &str = "Scheme";
pub const F_FS: &str = "Filesystem";
pub const F_SWAP: &str = "Swap";
pub const F_PARTS: &str = "Partitions";
pub const NO_FREE_DISK: &str = "(no disk can be used)";
pub const EMPTY_DISK: &str = "empty";
/// The disk list's first column: the disk's number once picked.
pub const PICK_HEAD: &str = "Use";
pub const PARTS_HEAD: &str = "Partitions, in disk order (# mount size fs):";
pub const PARTS_HEAD_DISKS: &str = "Partitions, in disk order (# disk mount size fs):";
pub const EDIT_MOUNT: &str = "mount ";
pub const EDIT_SIZE: &str = "size ";
pub const KEEP_HEAD: &str = "On the picked disks now (each erased, or kept and only mounted):";
pub const ERASED: &str = "erased";
pub const KEPT: &str = "kept";
pub const KEEP_MADE_CUSTOM: &str =
    "Keeping a partition needs a custom layout: it starts as the auto layout.";
pub const BACK_TO_AUTO: &str = "Nothing is kept: back to the auto layout.";
pub const AUTO_KEEPS_NOTHING: &str =
    "The auto layout keeps nothing: unmark the kept partitions first (k).";
pub const ROWS_RESET: &str = "The partitions are the auto layout's again (kept ones stay).";

pub fn kept_at(mount: &str) -> String {
    format!("KEEP at {mount}")
}

/// The last column of a kept row in the partition editor.
pub fn kept_row(now: Option<&str>) -> String {
    match now {
        Some(n) => format!("as is ({n})"),
        None => "as is".into(),
    }
}

/// Why the Scheme field offers what it offers.
pub fn scheme_note(disks: usize) -> &'static str {
    match disks {
        0 | 1 => "RAID 1 needs two disks",
        2 => "lvm spans both; raid1 mirrors",
        _ => "lvm spans them; RAID 1 needs two",
    }
}

// Encryption (on the disk screen)
pub const F_ENCRYPT: &str = "Encrypt (LUKS2)";
pub const F_PASS_FROM: &str = "Passphrase from";
pub const PASS_TYPED: &str = "typed here";
pub const F_PASS: &str = "Passphrase";
pub const F_PASS2: &str = "Passphrase again";
pub const F_TPM2: &str = "Unlock with TPM2";
pub const PASSPHRASES_DIFFER: &str = "the two passphrases differ";
pub const TPM2_ONLY: &str = "none: the TPM2 alone unlocks (no recovery key)";

pub fn pass_file(path: &str) -> String {
    format!("the file {path}")
}

/// The strength hint after the passphrase: never the passphrase itself.
pub fn strength_note(
    s: crate::tui::screens::encryption::Strength,
    n: usize,
    kinds: usize,
) -> String {
    use crate::tui::screens::encryption::Strength;
    let word = match s {
        Strength::TooShort => "too short",
        Strength::Weak => "weak",
        Strength::Fair => "fair",
        Strength::Strong => "strong",
    };
    let kinds = if kinds == 1 {
        "1 kind".to_string()
    } else {
        format!("{kinds} kinds")
    };
    format!("{word} ({n} chars, {kinds})")
}

pub fn now_on(name: &str, contents: &str) -> String {
    format!("On {name} now: {contents}")
}

pub fn busy_because(name: &str, why: &str) -> String {
    format!("  {name} cannot be used: {why}")
}

pub fn held_stopped(name: &str, why: &str) -> String {
    format!("  {name}: {why}; installing onto it stops that first")
}

pub fn contents_unknown(e: &str) -> String {
    format!("unknown ({e}): treated as holding data")
}

// Network
pub const NET_TITLE: &str = "Network and host name";
pub const F_HOSTNAME: &str = "Host name";
pub const F_CONNS: &str = "Connections";
pub const CONN_HEAD: [&str; 3] = ["Interface", "Link/MAC/driver, or kind", "Addresses"];
pub const F_NAME: &str = "Name";
pub const F_BOND_MODE: &str = "Bond mode";
pub const F_PRIMARY: &str = "Primary port";
pub const NO_PRIMARY: &str = "(none)";
pub const F_VLAN_ID: &str = "VLAN id";
pub const VLAN_ID_NOTE: &str = "1-4094";
pub const F_IPV4: &str = "IPv4";
pub const IPV4_MODES: [&str; 2] = ["DHCP", "static"];
pub const F_ADDR4: &str = "IPv4 addresses";
pub const F_GW: &str = "Gateway";
pub const F_IPV6: &str = "IPv6";
pub const IPV6_MODES: [&str; 4] = ["auto", "dhcp", "manual", "disabled"];
pub const F_ADDR6: &str = "IPv6 addresses";
pub const F_GW6: &str = "IPv6 gateway";
pub const F_DNS: &str = "DNS servers";
pub const F_DNS_SEARCH: &str = "Search domains";
pub const F_MTU: &str = "MTU";
pub const MTU_NOTE: &str = "the link's default";
pub const NO_NICS: &str = "(no network interfaces)";
pub const MARK_TWO: &str = "Mark two or more NICs with Space first, then b bonds them.";
pub const VLAN_ON_WHAT: &str = "A VLAN goes on a NIC, bond or bridge: select one first.";
pub const DELETE_WHAT: &str = "d deletes a bond or a VLAN; a NIC stays listed.";
pub const PORT_STAYS: &str = "It is a port of a bridge from the answer file: it stays.";

/// What a VLAN without a name of its own is called.
pub fn default_name(name: &str) -> String {
    format!("default {name}")
}

/// A bridge's port has no addresses of its own.
pub fn port_of(bridge: &str) -> String {
    format!("port of {bridge}")
}

pub fn bond_info(mode: &str, ports: &str) -> String {
    format!("bond {mode}: {ports}")
}

pub fn vlan_info(id: &str, parent: &str) -> String {
    format!("VLAN {id} on {parent}")
}

pub fn bridge_info(ports: &str) -> String {
    format!("bridge: {ports}")
}

// Users
pub const USERS_TITLE: &str = "Accounts";
pub const ROOT_HEAD: &str = "root";
pub const ADMIN_HEAD: &str = "Administrator (in group wheel: may use sudo)";
pub const F_ROOT_MODE: &str = "Root password";
pub const ROOT_MODES: [&str; 2] = ["locked", "set a password"];
pub const F_PW: &str = "Password";
pub const F_PW_SET: &str = "Password (set)";
pub const F_PW2: &str = "Password again";
pub const F_KEY: &str = "SSH public key";
pub const F_ADMIN: &str = "User name";
pub const USERS_NOTE: &str = "Passwords are hashed (yescrypt) when you leave this screen.";
pub const PW_DIFFER: &str = "the two passwords differ";
pub const PW_MISSING: &str = "type a password, or choose locked";
pub const NOBODY_LOGS_IN: &str =
    "nobody could log in: set a root password, an SSH key, or an administrator";

pub fn hash_failed(e: &str) -> String {
    format!("Could not hash the password: {e}")
}

// Security
pub const SECURITY_TITLE: &str = "Security";
pub const F_SELINUX: &str = "SELinux";
pub const SELINUX_MODES: [&str; 3] = [
    SelinuxMode::ALL[0].word(),
    SelinuxMode::ALL[1].word(),
    SelinuxMode::ALL[2].word(),
];
pub const SSH_HEAD: &str = "SSH server";
pub const F_SSH: &str = "Enabled";
pub const F_ROOT_LOGIN: &str = "Root login";
pub const ROOT_LOGINS: [&str; 3] = ["keys only", "no", "yes"];
pub const F_PW_AUTH: &str = "Password login";
pub const KERNEL_HEAD: &str = "Kernel";
pub const F_HARDEN: &str = "Hardening";

/// What the focused security field means.
pub fn security_note(field: usize) -> &'static str {
    match field {
        0 => {
            "Enforcing applies the targeted policy; permissive only logs denials; disabled turns SELinux off (relabelling later takes a while)."
        }
        1 => "Installs and enables openssh-server.",
        2 => "keys only: root may log in with an SSH key but never with a password.",
        3 => "Allow logging in over SSH with a password (keys are safer).",
        _ => "Adds the documented hardening kernel command line and sysctl settings.",
    }
}

// Software
pub const SOFTWARE_TITLE: &str = "Software";
pub const LOADING_REPOS: &str = "Reading and verifying the repository metadata...";
pub const REPOS_FAILED: &str = "The repository metadata could not be loaded:";
pub const GROUPS_HEAD: &str = "Groups";
pub const F_SEARCH: &str = "Search";

pub fn packages_head(n: usize) -> String {
    format!("Packages ({n} shown)")
}

pub fn chosen(names: &[String], size: &str) -> String {
    if names.is_empty() {
        "  Extra packages: none".into()
    } else {
        format!("  Extra packages ({size}): {}", names.join(", "))
    }
}

// Summary
pub const SUMMARY_TITLE: &str = "Summary: nothing has been written yet";
pub const S_TARGET: &str = "Disk: ";
pub const S_SYSTEM: &str = "System: ";
pub const S_DESTROYS: &str = "ALL DATA ON THIS DISK WILL BE ERASED:";
pub const S_DESTROYS_BUT_KEPT: &str = "ALL DATA ON THIS DISK WILL BE ERASED, but what is kept:";
pub const S_KEEPS: &str = "Kept (not written, not formatted, only mounted):";
pub const S_KEPT_MARK: &str = " (kept)";
/// An ESP on a disk after the first: formatted and filled, not mounted.
pub const S_ESP_COPY: &str = "ESP copy";
pub const S_LAYERS: &str = "Storage layers (sizes estimated):";

pub fn s_disk_n(n: usize) -> String {
    format!("Disk {n}: ")
}
pub const S_DESTROYS_NOTHING: &str = "The disk is empty: nothing on it is destroyed.";
pub const S_SOFTWARE: &str = "Software: ";
pub const S_ACCOUNTS: &str = "Accounts: ";
pub const S_NETWORK: &str = "Network: ";
pub const S_SCRIPTS: &str = "Post scripts: ";
pub const S_REPORTING: &str = "Reporting: ";
pub const S_BLOCKED: &str = "The install cannot start until these are fixed:";
/// One connection of the answer as the summary shows it: which NIC, bond, VLAN or bridge,
/// then DHCP or its static addresses, gateway and DNS.
pub fn connection_line(c: &Connection) -> String {
    crate::plan::describe_connection(c)
}

pub const ALL_DHCP: &str = "DHCP on every interface";
pub const OTHERS_DHCP: &str = "these profiles (other NICs: DHCP)";
pub const CANNOT_INSTALL: &str = "The install cannot start: see the problems listed.";
pub const NOT_RESOLVED: &str = "the plan has not been made yet: go back one screen and forward";

pub fn repos_not_verified(e: &str) -> String {
    format!("the repository metadata was not loaded: {e}")
}

pub fn new_table(firmware: &str) -> String {
    format!("New GPT partition table ({firmware} boot):")
}

pub fn software_line(payload: &Payload, kernel: &str) -> String {
    let mut s = match payload.groups.as_slice() {
        [g] if payload.default_groups => format!("group {g} (the default)"),
        [] => "no groups".to_string(),
        [g] => format!("group {g}"),
        g => format!("groups {}", g.join(", ")),
    };
    let install = &payload.requested;
    if !install.is_empty() {
        s.push_str(&format!(" + {}", install.join(", ")));
    }
    format!("{s}; kernel {kernel}")
}

pub fn sizes(download: &str, installed: &str) -> String {
    format!(" ({download} download, {installed} installed)")
}

pub fn system_line(plan: &Plan) -> String {
    let selinux = plan.system.selinux.mode.word();
    let ssh = &plan.system.ssh;
    let ssh = if !ssh.enable {
        "off".to_string()
    } else {
        let root = match ssh.permit_root_login {
            PermitRootLogin::Yes => "yes",
            PermitRootLogin::No => "no",
            PermitRootLogin::ProhibitPassword => "keys only",
        };
        let pw = if ssh.password_authentication {
            "on"
        } else {
            "off"
        };
        format!("on (root login {root}, password login {pw})")
    };
    format!(
        "host {}, SELinux {selinux}, SSH {ssh}, kernel hardening {}",
        plan.system.host.hostname,
        if plan.system.kernel.hardening {
            "on"
        } else {
            "off"
        }
    )
}

/// One post script for the summary: where it runs, its first line and how many follow.
/// Control characters are shown as "?" so a script cannot move the cursor.
pub fn script_line(n: usize, chroot: bool, run: &str) -> String {
    let mut lines = run.lines().map(str::trim).filter(|l| !l.is_empty());
    let first: String = lines
        .next()
        .unwrap_or("(empty)")
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let more = lines.count();
    let where_ = if chroot {
        "in the new system"
    } else {
        "in the installer"
    };
    let tail = match more {
        0 => String::new(),
        1 => " (+1 line)".into(),
        m => format!(" (+{m} lines)"),
    };
    format!("  {n}. {where_}: {first}{tail}")
}

pub fn scripts_count(n: usize) -> String {
    format!("{n} to run after the system is configured")
}

pub fn reporting(url: &str) -> String {
    format!("every event is posted to {url}")
}

pub fn account(locked: bool, keys: usize) -> String {
    let pw = if locked { "no password" } else { "password" };
    format!("({pw}, {keys} SSH key{})", if keys == 1 { "" } else { "s" })
}

pub fn exported(p: &Path) -> String {
    format!("Answer file written to {}", p.display())
}

/// The file leaves the disk passphrase out: it says so, since installing from it needs one.
pub fn exported_without_passphrase(p: &Path) -> String {
    format!(
        "Answer file written to {} (without the disk passphrase: add one to install from it)",
        p.display()
    )
}

pub fn export_failed(e: &str) -> String {
    format!("Could not write the answer file: {e}")
}

// Confirm, quit, abort
pub const ERASE_WORD: &str = "erase";
pub const CONFIRM_TITLE: &str = "Erase the disk and install?";
pub const CONFIRM_TITLE_DISKS: &str = "Erase the disks and install?";
pub const CONFIRM_PROMPT: &str = "Type erase to go ahead: ";
pub const CONFIRM_WRONG: &str = "Type the word erase (Esc cancels).";
pub const QUIT_TITLE: &str = "Quit?";
pub const QUIT_BODY: &str = "Quit the installer? Nothing has been written to any disk.";
pub const ABORT_TITLE: &str = "Abort the install?";
pub const ABORT_BODY: &str =
    "Stop the install now? The disk is left partly written and will not boot.";
pub const YES_NO: &str = "y: yes    n: no";
pub const QUIT_KEYS: &str = "y or Ctrl-C: quit    n or Esc: stay";

pub fn confirm_body(disk: &str) -> String {
    format!("Everything on {disk} will be erased.")
}

/// The erase gate's words: every disk the install writes, and on each what it keeps.
pub const S_STOPS: &str = "Stops first (an old system's, running on these disks):";

pub fn confirm_lines(plan: &Plan) -> Vec<String> {
    let mut v = confirm_disk_lines(plan);
    if !plan.releases.is_empty() {
        let what: Vec<&str> = plan.releases.iter().map(|r| r.what.as_str()).collect();
        v.push(format!("First stopped: {}.", what.join(", ")));
    }
    v
}

fn confirm_disk_lines(plan: &Plan) -> Vec<String> {
    let kept = |d: &crate::plan::DiskSetup| -> Vec<String> {
        d.table
            .partitions
            .iter()
            .filter_map(|p| p.kept.as_ref())
            .map(|k| {
                let label = k
                    .fs_label
                    .as_deref()
                    .map(|l| format!(" \"{l}\""))
                    .unwrap_or_default();
                format!("partition {} ({}{label})", k.number_now, k.fs.as_str())
            })
            .collect()
    };
    let but = |k: Vec<String>| match k.len() {
        0 => String::new(),
        1 => format!(", but {} is kept", k[0]),
        _ => format!(", but {} are kept", k.join(", ")),
    };
    match plan.disks.as_slice() {
        [d] => {
            let k = kept(d);
            if k.is_empty() {
                vec![confirm_body(&crate::plan::describe_disk(&d.disk))]
            } else {
                vec![format!(
                    "Everything on {} will be erased{}.",
                    crate::plan::describe_disk(&d.disk),
                    but(k)
                )]
            }
        }
        disks => {
            let mut v = vec![format!(
                "Everything on these {} disks will be erased:",
                disks.len()
            )];
            for (i, d) in disks.iter().enumerate() {
                v.push(format!(
                    "{}. {}{}",
                    i + 1,
                    crate::plan::describe_disk(&d.disk),
                    but(kept(d))
                ));
            }
            v
        }
    }
}

// Progress
pub const PROGRESS_TITLE: &str = "Installing";
pub const OVERALL: &str = "Overall";
pub const ELAPSED: &str = "elapsed";
pub const LOG_HEAD: &str = "Log (l: back to the steps)";
pub const NOW: &str = "Now: ";
pub const ABORTING: &str = "Aborting: waiting for the current step to stop...";

pub fn installing_onto(target: &str) -> String {
    format!("Installing onto {target}")
}

pub fn failed_line(step: &str, e: &str) -> String {
    format!("FAILED: {step}: {e}")
}

// Finished
pub const FINISHED_TITLE: &str = "Done";
pub const WHAT_NOW: &str = "What next?";

pub fn finished(t: &str) -> String {
    format!("The install finished in {t}.")
}

pub fn failed(step: &str, t: &str) -> String {
    format!(
        "The install failed after {t}, while {}:",
        step.to_lowercase()
    )
}

pub fn aborted(t: &str) -> String {
    format!("The install was aborted after {t}.")
}

pub fn log_at(path: Option<&str>, ok: bool) -> String {
    let on_target = if ok {
        " (also in /var/log/azl-installer/ on the new system)"
    } else {
        ""
    };
    match path {
        Some(p) => format!("The log is {p}{on_target}."),
        None => format!("No log file was kept{on_target}."),
    }
}

pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Reboot => "Reboot",
        Outcome::PowerOff => "Power off",
        Outcome::Shell => "Shell",
        Outcome::Quit => "Quit",
    }
}

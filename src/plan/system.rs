//! What the configure, bootloader, post-script and finish steps will do, resolved from the
//! answer: host settings, accounts (password hashes only: plain text is hashed here and goes
//! no further), SSH, SELinux, the kernel command line, the bootloader, the scripts, and the
//! answer file saved onto the target.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::{
    self, Answer, Finish, FirmwareChoice, Issue, Password, Script, Selinux, SelinuxMode, Ssh,
};
use crate::probe::{Firmware, Transport};

/// Host name, time zone, locale and console keymap, as written to the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostSettings {
    /// "localhost" when the answer gives none.
    pub hostname: String,
    pub timezone: String,
    pub locale: String,
    pub keymap: String,
}

/// root and the answer's users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Accounts {
    pub root: Account,
    pub users: Vec<Account>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Account {
    pub name: String,
    /// Supplementary groups, created when the target lacks them.
    pub groups: Vec<String>,
    pub password: Shadow,
    /// authorized_keys lines.
    pub ssh_keys: Vec<String>,
}

/// What goes in the account's shadow password field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Shadow {
    /// `!`: no password matches; key logins still work.
    Locked,
    /// A hash the answer gave.
    Given { hash: String },
    /// The answer's plain password, hashed by the installer (yescrypt, fresh salt).
    Hashed { hash: String },
}

impl Shadow {
    /// The shadow field itself.
    pub fn field(&self) -> &str {
        match self {
            Shadow::Locked => "!",
            Shadow::Given { hash } | Shadow::Hashed { hash } => hash,
        }
    }

    /// For the log: how the password was set, never the hash.
    pub fn describe(&self) -> &'static str {
        match self {
            Shadow::Locked => "locked",
            Shadow::Given { .. } => "hash as given",
            Shadow::Hashed { .. } => "hashed with yescrypt",
        }
    }
}

/// The installed kernel's command line and hardening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KernelSetup {
    /// The configure step refuses an installed system without a kernel of this series.
    pub series: String,
    /// The hardening sysctl drop-in is written.
    pub hardening: bool,
    /// Everything after `root=UUID=… ro`: `selinux=0`, the hardening arguments, the
    /// answer's. (`security=selinux` is added at install when the installed kernel would
    /// start another major LSM first.)
    pub cmdline: Vec<String>,
    /// Initramfs images with every driver (`hostonly="no"`): the target is a disk image
    /// or loop device, which boots on other hardware than this machine's.
    pub generic_initramfs: bool,
}

/// How the installed system boots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Bootloader {
    /// GRUB 2 with shim on the ESP (uefi), or in the bios-boot partition (bios).
    pub firmware: Firmware,
    /// `firmware` is this machine's (the answer said `auto`), not the answer's choice.
    pub detected: bool,
    /// A firmware boot entry is written with efibootmgr (UEFI, when the target is a real
    /// disk of this machine: an image boots elsewhere, from \EFI\BOOT\BOOTX64.EFI).
    pub nvram_entry: bool,
}

/// What the configure, bootloader, post-script and finish steps do (its fields stand at
/// the top level of `plan --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SystemSetup {
    pub host: HostSettings,
    pub accounts: Accounts,
    pub ssh: Ssh,
    pub selinux: Selinux,
    pub kernel: KernelSetup,
    pub bootloader: Bootloader,
    /// Run in order after the bootloader step, before the SELinux relabel.
    pub post_scripts: Vec<Script>,
    /// After a successful install (never a reboot or power-off for a disk image).
    pub finish: Finish,
    /// The answer file saved onto the target (/var/log/azl-installer/answer.toml), with
    /// the same password hashes as `accounts`.
    pub saved_answer: String,
    /// chrony's NTP sources; none: the distribution's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<crate::answer::Time>,
    /// firewalld; none: the distribution's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall: Option<FirewallSetup>,
    /// kdump on, with its crashkernel= on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdump: Option<crate::answer::Kdump>,
    /// The proxy the installed system's dnf and environment get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::answer::Proxy>,
}

/// firewalld as the answer's `[firewall]` says, with what the rest of the answer needs
/// added: ssh when the SSH server is on, dhcpv6-client when a connection takes IPv6
/// addresses from the network (its replies would be dropped otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FirewallSetup {
    pub enable: bool,
    pub zone: String,
    /// Everything the zone allows: services, then ports.
    pub services: Vec<String>,
    pub ports: Vec<String>,
}

/// The firewall of `answer`, its services completed.
pub fn firewall_setup(
    answer: &Answer,
    network: &[crate::plan::Connection],
) -> Option<FirewallSetup> {
    let f = answer.firewall.as_ref()?;
    let mut services = Vec::new();
    if f.enable {
        if answer.ssh.enable {
            services.push("ssh".to_string());
        }
        // No connection: NetworkManager's default, IPv6 from router advertisements.
        let ipv6_from_network = network.is_empty()
            || network.iter().any(|c| {
                c.ip.as_ref().is_some_and(|ip| {
                    matches!(
                        ip.ipv6_method,
                        crate::plan::Ipv6Method::Auto | crate::plan::Ipv6Method::Dhcp
                    )
                })
            });
        if ipv6_from_network {
            services.push("dhcpv6-client".to_string());
        }
    }
    for s in &f.services {
        if !services.contains(s) {
            services.push(s.clone());
        }
    }
    Some(FirewallSetup {
        enable: f.enable,
        zone: f.zone.clone(),
        services,
        ports: f.ports.clone(),
    })
}

/// What happens after a successful install: the answer's `install.finish`, but nothing
/// when the target is an image file or a loop device, which the machine does not boot.
pub(super) fn finish_action(answer: &Answer, transport: Transport) -> Finish {
    if is_image(transport) {
        Finish::None
    } else {
        answer.install.finish
    }
}

fn is_image(transport: Transport) -> bool {
    matches!(transport, Transport::Image | Transport::Loop)
}

pub(super) fn resolve(
    answer: &Answer,
    firmware: Firmware,
    transport: Transport,
    network: &[crate::plan::Connection],
) -> Result<SystemSetup, Vec<Issue>> {
    // Hashed once: the installed system and the saved answer file carry the same hash.
    let hashed = answer.with_hashed_passwords().map_err(|e| {
        let key = match answer.users.iter().position(|u| u.name == e.user) {
            Some(i) => format!("users[{i}].password"),
            None => "root.password".to_owned(),
        };
        vec![Issue::new(key, e.to_string())]
    })?;
    let account =
        |name: &str, groups: &[String], given: &Password, ours: &Password, keys| Account {
            name: name.to_owned(),
            groups: groups.to_vec(),
            password: match (given, ours) {
                (Password::Plain { .. }, Password::Hash { hash }) => {
                    Shadow::Hashed { hash: hash.clone() }
                }
                (_, Password::Hash { hash }) => Shadow::Given { hash: hash.clone() },
                _ => Shadow::Locked,
            },
            ssh_keys: Vec::clone(keys),
        };
    let accounts = Accounts {
        root: account(
            "root",
            &[],
            &answer.root.password,
            &hashed.root.password,
            &answer.root.ssh_keys,
        ),
        users: answer
            .users
            .iter()
            .zip(&hashed.users)
            .map(|(u, h)| account(&u.name, &u.groups, &u.password, &h.password, &u.ssh_keys))
            .collect(),
    };
    let sys = &answer.system;
    Ok(SystemSetup {
        host: HostSettings {
            hostname: sys.hostname.clone().unwrap_or_else(|| "localhost".into()),
            timezone: sys.timezone.clone(),
            locale: sys.locale.clone(),
            keymap: sys.keymap.clone(),
        },
        accounts,
        ssh: answer.ssh.clone(),
        selinux: answer.selinux.clone(),
        kernel: KernelSetup {
            series: answer.kernel.series.clone(),
            hardening: answer.kernel.hardening,
            cmdline: kernel_cmdline(answer),
            generic_initramfs: is_image(transport),
        },
        bootloader: Bootloader {
            firmware,
            detected: answer.target.firmware == FirmwareChoice::Auto,
            nvram_entry: firmware == Firmware::Uefi && !is_image(transport),
        },
        post_scripts: answer.scripts.post.clone(),
        finish: finish_action(answer, transport),
        saved_answer: answer::to_toml(&hashed.without_secrets()),
        time: answer.time.clone(),
        firewall: firewall_setup(answer, network),
        kdump: answer.kdump.clone().filter(|k| k.enable),
        proxy: answer.network.proxy.clone(),
    })
}

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

/// The command line after `root=` and `ro`.
fn kernel_cmdline(answer: &Answer) -> Vec<String> {
    let mut args = Vec::new();
    if answer.selinux.mode == SelinuxMode::Disabled {
        args.push("selinux=0".to_owned());
    }
    if answer.kernel.hardening {
        args.extend(HARDENING_CMDLINE.iter().map(|s| (*s).to_owned()));
    }
    if let Some(k) = answer.kdump.as_ref().filter(|k| k.enable) {
        args.push(format!("crashkernel={}", k.crashkernel));
    }
    args.extend(answer.kernel.cmdline.iter().cloned());
    args
}

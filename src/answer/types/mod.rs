//! The answer file v1, key by key (DESIGN.md "Answer file v1"). Unknown keys are errors;
//! every section but `version` and `target` has defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Duration;

mod layers;
mod network;
mod services;
mod storage;
pub use layers::*;
pub use network::*;
pub use services::*;
pub use storage::*;

/// An azl-installer answer file (version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Answer file format version; must be 1.
    pub version: u32,
    /// How the install runs and ends.
    #[serde(default)]
    pub install: Install,
    /// The disk or disks to install onto.
    pub target: Target,
    /// Partition layout: "auto" (with a scheme), or custom partitions, arrays, volumes and
    /// encrypted containers.
    #[serde(default)]
    pub storage: Storage,
    /// Package repositories; empty means the repository on the install media.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<Repo>,
    /// What to install on top of what the other sections need.
    #[serde(default)]
    pub packages: Packages,
    #[serde(default)]
    pub kernel: Kernel,
    #[serde(default)]
    pub selinux: Selinux,
    /// The OpenSSH server of the installed system.
    #[serde(default)]
    pub ssh: Ssh,
    /// Host name, time zone, locale, keymap.
    #[serde(default)]
    pub system: System,
    #[serde(default)]
    pub network: Network,
    /// NTP servers and pools (chrony); left out: the distribution's default pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
    /// firewalld: on or off, the default zone and what it allows; left out: the
    /// distribution's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall: Option<Firewall>,
    /// kdump; left out: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdump: Option<Kdump>,
    /// The root account: password and SSH keys.
    #[serde(default)]
    pub root: Root,
    /// Accounts to create besides root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
    /// Scripts run after the payload is installed.
    #[serde(default)]
    pub scripts: Scripts,
    /// Where progress events are sent.
    #[serde(default)]
    pub reporting: Reporting,
}

impl Answer {
    /// Version 1 with every section at its default and no target: where the TUI and
    /// the kickstart import start.
    pub fn minimal() -> Answer {
        Answer {
            version: 1,
            install: Default::default(),
            target: Default::default(),
            storage: Default::default(),
            repos: Vec::new(),
            packages: Default::default(),
            kernel: Default::default(),
            selinux: Default::default(),
            ssh: Default::default(),
            system: Default::default(),
            network: Default::default(),
            time: None,
            firewall: None,
            kdump: None,
            root: Default::default(),
            users: Vec::new(),
            scripts: Default::default(),
            reporting: Default::default(),
        }
    }

    /// The answer as it may be written out (exported, saved on the target): the disk
    /// encryption passphrase is a secret no file may hold in the clear (a passphrase_file
    /// reference stays: it names a file, not the secret), nor the webhook's token or a
    /// private key given as text.
    pub fn without_secrets(&self) -> Answer {
        let mut a = self.clone();
        if let Some(e) = &mut a.storage.encryption {
            e.passphrase = None;
        }
        // Nothing left to say: no empty table.
        if a.storage.encryption == Some(Default::default()) {
            a.storage.encryption = None;
        }
        a.reporting = a.reporting.without_secrets();
        a
    }
}

pub(crate) fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Install {
    /// Ask before the first destructive step. Unattended installs set this to false or pass --yes.
    #[serde(default = "yes")]
    pub confirm: bool,
    /// What to do when the install has finished.
    #[serde(default)]
    pub finish: Finish,
    /// SSH public keys that may log in to the live system while it installs (its own sshd,
    /// started when the answer is read, as `inst.sshd` does): each login gets the progress
    /// of the install, or the TUI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_ssh_keys: Vec<String>,
}

impl Default for Install {
    fn default() -> Self {
        Install {
            confirm: true,
            finish: Finish::default(),
            remote_ssh_keys: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Finish {
    #[default]
    Reboot,
    Poweroff,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repo {
    /// Unique repository id ([A-Za-z0-9._-]).
    pub name: String,
    /// file://, http:// or https:// URL of the repository (the directory holding repodata/).
    pub url: String,
    /// OpenPGP public keys (file:// or https:// URLs) that sign repomd.xml and the packages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gpg_keys: Vec<String>,
    /// Verify repomd.xml and packages; false needs allow_unsigned = true.
    #[serde(default = "yes")]
    pub gpg_check: bool,
    /// Must be true to allow gpg_check = false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_unsigned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Packages {
    /// Comps groups; when absent, ["core"] if the repository has comps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Packages to install by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub install: Vec<String>,
    /// Packages never to install, even as dependencies of groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Install weak dependencies (Recommends).
    #[serde(default = "yes")]
    pub weak_deps: bool,
}

impl Default for Packages {
    fn default() -> Self {
        Packages {
            groups: None,
            install: Vec::new(),
            exclude: Vec::new(),
            weak_deps: true,
        }
    }
}

fn kernel_package() -> String {
    "kernel".into()
}

fn kernel_series() -> String {
    "6.18".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kernel {
    /// The kernel package name.
    #[serde(default = "kernel_package")]
    pub package: String,
    /// Preflight refuses when the repository has no kernel of this series.
    #[serde(default = "kernel_series")]
    pub series: String,
    /// The documented hardening command line and sysctl drop-in.
    #[serde(default = "yes")]
    pub hardening: bool,
    /// Extra kernel command-line arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmdline: Vec<String>,
}

impl Default for Kernel {
    fn default() -> Self {
        Kernel {
            package: kernel_package(),
            series: kernel_series(),
            hardening: true,
            cmdline: Vec::new(),
        }
    }
}

fn selinux_policy() -> String {
    "targeted".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selinux {
    #[serde(default)]
    pub mode: SelinuxMode,
    /// Policy name; selinux-policy-<policy> is installed.
    #[serde(default = "selinux_policy")]
    pub policy: String,
}

impl Default for Selinux {
    fn default() -> Self {
        Selinux {
            mode: SelinuxMode::Enforcing,
            policy: selinux_policy(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SelinuxMode {
    #[default]
    Enforcing,
    Permissive,
    Disabled,
}

impl SelinuxMode {
    /// Every mode, in the order a menu offers them.
    pub const ALL: [SelinuxMode; 3] = [
        SelinuxMode::Enforcing,
        SelinuxMode::Permissive,
        SelinuxMode::Disabled,
    ];

    /// The word of the answer file, which is also /etc/selinux/config's `SELINUX=` value.
    pub const fn word(self) -> &'static str {
        match self {
            SelinuxMode::Enforcing => "enforcing",
            SelinuxMode::Permissive => "permissive",
            SelinuxMode::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ssh {
    /// Install and enable openssh-server.
    #[serde(default = "yes")]
    pub enable: bool,
    #[serde(default)]
    pub permit_root_login: PermitRootLogin,
    #[serde(default)]
    pub password_authentication: bool,
}

impl Default for Ssh {
    fn default() -> Self {
        Ssh {
            enable: true,
            permit_root_login: PermitRootLogin::default(),
            password_authentication: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PermitRootLogin {
    Yes,
    No,
    #[default]
    ProhibitPassword,
}

fn default_timezone() -> String {
    "UTC".into()
}

fn default_locale() -> String {
    "en_US.UTF-8".into()
}

fn default_keymap() -> String {
    "us".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// RFC 1123 host name; "localhost" when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// "UTC" or a tz database name such as "Europe/Paris".
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// e.g. "en_US.UTF-8".
    #[serde(default = "default_locale")]
    pub locale: String,
    /// Console keymap, e.g. "us".
    #[serde(default = "default_keymap")]
    pub keymap: String,
}

impl Default for System {
    fn default() -> Self {
        System {
            hostname: None,
            timezone: default_timezone(),
            locale: default_locale(),
            keymap: default_keymap(),
        }
    }
}

/// A password: `"locked"`, `{ hash = "$y$..." }` or `{ plain = "..." }` (hashed at install).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum Password {
    #[default]
    #[serde(with = "locked")]
    #[schemars(with = "LockedSchema")]
    Locked,
    Hash {
        hash: String,
    },
    Plain {
        plain: String,
    },
}

/// Only the string "locked": no password login.
#[derive(JsonSchema)]
#[schemars(rename = "Locked")]
#[allow(dead_code)]
enum LockedSchema {
    #[serde(rename = "locked")]
    Locked,
}

mod locked {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("locked")
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        let s = String::deserialize(d)?;
        if s == "locked" {
            Ok(())
        } else {
            Err(serde::de::Error::custom("expected \"locked\""))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Root {
    #[serde(default)]
    pub password: Password,
    /// OpenSSH public keys ("ssh-ed25519 AAAA... comment").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Login name ([a-z_][a-z0-9_-]*, at most 32 characters; not "root").
    pub name: String,
    /// Supplementary groups, e.g. ["wheel"] for sudo.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(default)]
    pub password: Password,
    /// OpenSSH public keys ("ssh-ed25519 AAAA... comment").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scripts {
    /// Run in order after the payload is installed and configured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post: Vec<Script>,
}

pub(crate) fn default_timeout() -> Duration {
    Duration(std::time::Duration::from_secs(600))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// Run inside the installed system (true) or in the installer environment.
    #[serde(default = "yes")]
    pub chroot: bool,
    /// Shell script text, run with /bin/sh.
    pub run: String,
    /// The script is killed after this long and the install fails.
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
}

#[derive(Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporting {
    /// Events are POSTed here as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// Sent as `Authorization: Bearer TOKEN` with every post. A secret: never logged,
    /// left out of the saved answer and of the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The client certificate (PEM, with its chain) the webhook's https server asks for:
    /// the PEM text itself, or an absolute path on the live system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    /// The client certificate's private key (PEM): the text or an absolute path. As PEM
    /// text it is a secret like the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// CA certificates (PEM) trusted for the webhook's server besides the system's: the
    /// text or an absolute path (a fleet's private CA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<String>,
}

impl Reporting {
    /// Leaves out the secrets: the token and a private key given as PEM text.
    pub fn without_secrets(&self) -> Reporting {
        let mut r = self.clone();
        r.token = None;
        if r.client_key.as_deref().is_some_and(is_pem) {
            r.client_key = None;
        }
        r
    }
}

/// A value given as PEM text rather than as a path.
pub fn is_pem(value: &str) -> bool {
    value.contains("-----BEGIN ")
}

/// The token and an inline key are secrets: Debug output shows only whether they are set.
impl std::fmt::Debug for Reporting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = self
            .client_key
            .as_deref()
            .map(|k| if is_pem(k) { "(PEM text)" } else { k });
        f.debug_struct("Reporting")
            .field("webhook", &self.webhook.as_deref().map(super::redact_url))
            .field("token", &self.token.as_ref().map(|_| "(set)"))
            .field("client_cert", &self.client_cert.as_ref().map(|_| "(set)"))
            .field("client_key", &key)
            .field("ca", &self.ca.as_ref().map(|_| "(set)"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_token_is_in_no_saved_answer_and_no_debug_output() {
        let a: Answer = toml::from_str(
            "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"https://u:pw@fleet.example/i\"\ntoken = \"s3cr3t\"\n",
        )
        .expect("answer");
        assert_eq!(a.reporting.token.as_deref(), Some("s3cr3t"));
        let saved = super::super::to_toml(&a.without_secrets());
        assert!(
            !saved.contains("s3cr3t") && saved.contains("fleet.example"),
            "{saved}"
        );
        let debug = format!("{a:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains(":pw@"),
            "{debug}"
        );
    }

    #[test]
    fn a_client_key_given_as_pem_text_is_a_secret_and_a_path_is_not() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n";
        let mut r = Reporting {
            webhook: Some("https://fleet.example/i".into()),
            client_cert: Some("/etc/fleet/client.pem".into()),
            client_key: Some(pem.into()),
            ..Default::default()
        };
        assert_eq!(r.without_secrets().client_key, None);
        assert!(!format!("{r:?}").contains("MIGHAgEAMBMG"));
        r.client_key = Some("/etc/fleet/client.key".into());
        assert_eq!(
            r.without_secrets().client_key.as_deref(),
            Some("/etc/fleet/client.key")
        );
    }
}

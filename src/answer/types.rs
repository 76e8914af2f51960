//! The answer file v1, key by key (DESIGN.md "Answer file v1"). Unknown keys are errors;
//! every section but `version` and `target` has defaults.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Duration, Size};

/// An azl-installer answer file (version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Answer file format version; must be 1.
    pub version: u32,
    /// How the install runs and ends.
    #[serde(default)]
    pub install: Install,
    /// The disk to install onto.
    pub target: Target,
    /// Partition layout: "auto", or a custom list of partitions.
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

fn yes() -> bool {
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
}

impl Default for Install {
    fn default() -> Self {
        Install {
            confirm: true,
            finish: Finish::default(),
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

/// The disk to install onto: exactly one of `path` and `match`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A block device, a /dev/disk/by-* link, or a disk image file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Ordered fallback rules: the first rule that picks exactly one disk wins.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<DiskRule>>,
    /// Required when the disk holds partitions or filesystems.
    #[serde(default)]
    pub wipe: bool,
    /// "auto" follows how the installer was booted; "uefi" or "bios" force one.
    #[serde(default)]
    pub firmware: FirmwareChoice,
}

/// One disk selection rule; every key given must hold for a disk to match.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiskRule {
    /// Glob over the device path and its /dev/disk/by-* links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Glob over the disk's serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Glob over the disk's model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Glob over the disk's vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Glob over the disk's World Wide Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wwn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// true: only non-rotational disks; false: only rotational ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssd: Option<bool>,
    /// Smallest acceptable disk (an absolute size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<Size>,
    /// Largest acceptable disk (an absolute size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<Size>,
    /// Of the disks that match the other keys, take the largest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub largest: bool,
    /// Of the disks that match the other keys, take the smallest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub smallest: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Nvme,
    Sata,
    Sas,
    Virtio,
    Usb,
    Mmc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FirmwareChoice {
    #[default]
    Auto,
    Uefi,
    Bios,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    #[serde(default)]
    pub layout: Layout,
    /// Filesystem of / and /boot in the auto layout.
    #[serde(default)]
    pub filesystem: RootFs,
    /// "auto", "none" or a size.
    #[serde(default)]
    pub swap: Swap,
    /// The partitions of a custom layout, in disk order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<PartitionSpec>,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            layout: Layout::Auto,
            filesystem: RootFs::Xfs,
            swap: Swap::Auto,
            partitions: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Auto,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RootFs {
    #[default]
    Xfs,
    Ext4,
}

/// Swap in the auto layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Swap {
    #[default]
    Auto,
    None,
    Size(Size),
}

impl std::str::FromStr for Swap {
    type Err = super::SizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Swap::Auto),
            "none" => Ok(Swap::None),
            other => other.parse().map(Swap::Size),
        }
    }
}

impl std::fmt::Display for Swap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Swap::Auto => f.write_str("auto"),
            Swap::None => f.write_str("none"),
            Swap::Size(s) => s.fmt(f),
        }
    }
}

impl Serialize for Swap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Swap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Swap {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Swap".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "\"auto\" (sized from memory), \"none\", or a size such as \"4GiB\".",
            "pattern": "^(auto|none|[0-9]+ ?(B|KiB|MiB|GiB|TiB)|[0-9]{1,3}%)$"
        })
    }
}

/// One partition of a custom layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartitionSpec {
    /// A mount point, or "swap", or "bios-boot".
    pub mount: String,
    /// An absolute size, a share of the disk ("25%"), or "rest" (last partition only).
    pub size: Size,
    /// Defaults from the mount: vfat for /boot/efi, swap for swap, none for bios-boot, else xfs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs: Option<FsType>,
    /// GPT partition name and filesystem label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Mount options for fstab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
}

impl PartitionSpec {
    /// The filesystem, given or implied by the mount point.
    pub fn fs_type(&self) -> FsType {
        self.fs.unwrap_or(match self.mount.as_str() {
            "/boot/efi" => FsType::Vfat,
            "swap" => FsType::Swap,
            "bios-boot" => FsType::None,
            _ => FsType::Xfs,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FsType {
    Vfat,
    Xfs,
    Ext4,
    Swap,
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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Interfaces to configure; none means DHCP on every interface (NetworkManager's default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// Which NIC this is.
    #[serde(rename = "match")]
    pub matcher: InterfaceMatch,
    /// false needs static addresses.
    #[serde(default = "yes")]
    pub dhcp: bool,
    /// Static addresses in CIDR form ("192.0.2.10/24", "2001:db8::10/64").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Default gateway (an IP address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// DNS servers (IP addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
}

/// Exactly one of `mac`, `name`, `first_with_link`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterfaceMatch {
    /// MAC address, "52:54:00:12:34:56".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Kernel interface name, "eno1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The first interface with a carrier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_with_link: Option<bool>,
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

fn default_timeout() -> Duration {
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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporting {
    /// Events are POSTed here as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

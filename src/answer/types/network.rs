//! `[network]`: the installed system's connections. NICs (`[[network.interfaces]]`), bonds,
//! VLANs and bridges, each with its own addresses; bond members, bridge ports and VLAN
//! parents name NICs by kernel name or by a match table, or name a bond, VLAN or bridge.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// NICs to configure; nothing at all in `[network]` means DHCP on every NIC
    /// (NetworkManager's default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    /// Bonds (link aggregation) of NICs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonds: Vec<Bond>,
    /// 802.1Q VLANs on a NIC, bond or bridge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vlans: Vec<Vlan>,
    /// Bridges (for virtual machines) over NICs, bonds or VLANs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bridges: Vec<Bridge>,
    /// The HTTP proxy: the installer's own downloads (repositories, webhook) go through it,
    /// and the installed system gets it for dnf and in its environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

/// A host-wide HTTP proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    /// "http://proxy.example.com:3128" (user:password@ allowed; never logged).
    pub url: String,
    /// Hosts and domains reached directly: "localhost", "10.0.0.0/8", ".example.com".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_proxy: Vec<String>,
}

/// A NIC to configure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// Which NIC this is.
    #[serde(rename = "match")]
    pub matcher: InterfaceMatch,
    #[serde(flatten)]
    pub addressing: Addressing,
}

/// How a connection gets its addresses: the keys every interface, bond, VLAN and bridge
/// has. (The loader refuses unknown keys from the schema: serde cannot with `flatten`.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Addressing {
    /// DHCPv4 (true by default); false needs static addresses.
    #[serde(default = "yes")]
    pub dhcp: bool,
    /// IPv6: "auto" (router advertisements: SLAAC, and DHCPv6 when they ask for it),
    /// "dhcp" (DHCPv6 only), "manual" (only the static addresses), "disabled". Default:
    /// "manual" when dhcp = false and IPv6 addresses are given, else "auto".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<Ipv6Mode>,
    /// Static addresses in CIDR form ("192.0.2.10/24", "2001:db8::10/64"), several allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Default gateway (an IPv4 or IPv6 address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// IPv6 default gateway, when `gateway` is the IPv4 one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway6: Option<String>,
    /// DNS servers (IP addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<String>,
    /// DNS search domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    /// Static routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// MTU in bytes (68-65535; 1280 or more with IPv6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
}

impl Default for Addressing {
    fn default() -> Self {
        Addressing {
            dhcp: true,
            ipv6: None,
            addresses: Vec::new(),
            gateway: None,
            gateway6: None,
            dns: Vec::new(),
            dns_search: Vec::new(),
            routes: Vec::new(),
            mtu: None,
        }
    }
}

impl Addressing {
    /// Whether anything but the defaults is set (a port may have nothing of its own).
    pub fn is_set(&self) -> bool {
        // The MTU is the link's: a port may have one.
        *self
            != Addressing {
                mtu: self.mtu,
                ..Addressing::default()
            }
    }
}

impl Interface {
    /// DHCP on the NIC `matcher` picks, nothing else set.
    pub fn new(matcher: InterfaceMatch) -> Interface {
        Interface {
            matcher,
            addressing: Addressing::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Ipv6Mode {
    Auto,
    Dhcp,
    Manual,
    Disabled,
}

/// A static route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Destination network in CIDR form ("10.0.0.0/8", "2001:db8:1::/48").
    pub to: String,
    /// Next hop (an address of the same family); none: the destination is on the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

/// Exactly one of `mac`, `name`, `driver`, `pci_path`, `first_with_link`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterfaceMatch {
    /// MAC address, "52:54:00:12:34:56".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Kernel interface name, "eno1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kernel driver, "ixgbe" (every NIC of that driver: for one, match by mac or pci_path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// PCI address of the NIC, "0000:3b:00.0" (stable across reboots and NIC renames).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pci_path: Option<String>,
    /// The first interface with a carrier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_with_link: Option<bool>,
}

/// A NIC named by its kernel name ("eno1") or by a match table (`{ mac = "..." }`), or, where
/// a bond, VLAN or bridge may be meant, by that one's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum LinkRef {
    Name(String),
    Match(InterfaceMatch),
}

impl LinkRef {
    /// The kernel name a link is known by, when it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            LinkRef::Name(n) => Some(n),
            LinkRef::Match(m) => m.name.as_deref(),
        }
    }
}

/// A bond of NICs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bond {
    /// Its interface name, "bond0".
    pub name: String,
    /// Its NICs: kernel names or match tables.
    pub members: Vec<LinkRef>,
    /// "active-backup" (the default: needs nothing of the switch), "802.3ad" (LACP),
    /// "balance-rr", "balance-xor", "broadcast", "balance-tlb", "balance-alb".
    #[serde(default)]
    pub mode: BondMode,
    /// Link monitoring interval in milliseconds (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miimon: Option<u32>,
    /// LACP rate of an 802.3ad bond: "slow" (the kernel's default) or "fast".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacp_rate: Option<LacpRate>,
    /// The member preferred while its link is up (active-backup; a member's kernel name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// Its addresses, as an interface's (none when it is a bridge port).
    #[serde(flatten)]
    pub addressing: Addressing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum BondMode {
    #[default]
    #[serde(rename = "active-backup")]
    ActiveBackup,
    #[serde(rename = "802.3ad")]
    Lacp,
    #[serde(rename = "balance-rr")]
    BalanceRr,
    #[serde(rename = "balance-xor")]
    BalanceXor,
    #[serde(rename = "broadcast")]
    Broadcast,
    #[serde(rename = "balance-tlb")]
    BalanceTlb,
    #[serde(rename = "balance-alb")]
    BalanceAlb,
}

impl BondMode {
    /// The mode by the kernel's name or number ("active-backup" or "1"), as dracut's
    /// `bond=` and kickstart's `--bondopts` give it.
    pub fn from_kernel(v: &str) -> Option<BondMode> {
        Some(match v {
            "balance-rr" | "0" => BondMode::BalanceRr,
            "active-backup" | "1" => BondMode::ActiveBackup,
            "balance-xor" | "2" => BondMode::BalanceXor,
            "broadcast" | "3" => BondMode::Broadcast,
            "802.3ad" | "4" => BondMode::Lacp,
            "balance-tlb" | "5" => BondMode::BalanceTlb,
            "balance-alb" | "6" => BondMode::BalanceAlb,
            _ => return None,
        })
    }

    /// The kernel's (and NetworkManager's) name of the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            BondMode::ActiveBackup => "active-backup",
            BondMode::Lacp => "802.3ad",
            BondMode::BalanceRr => "balance-rr",
            BondMode::BalanceXor => "balance-xor",
            BondMode::Broadcast => "broadcast",
            BondMode::BalanceTlb => "balance-tlb",
            BondMode::BalanceAlb => "balance-alb",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LacpRate {
    Slow,
    Fast,
}

/// An 802.1Q VLAN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vlan {
    /// VLAN id, 1-4094.
    pub id: u16,
    /// What it runs on: a bond's or bridge's name, a NIC's kernel name, or a match table.
    pub on: LinkRef,
    /// Its interface name; default "PARENT.ID" ("bond0.42").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub addressing: Addressing,
}

impl Vlan {
    /// Its interface name: its own, or "PARENT.ID" (none for a parent known by a match only).
    pub fn interface_name(&self) -> Option<String> {
        self.name
            .clone()
            .or_else(|| self.on.name().map(|p| format!("{p}.{}", self.id)))
    }
}

/// A bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bridge {
    /// Its interface name, "br0".
    pub name: String,
    /// Its ports: NICs (kernel names or match tables), bonds or VLANs (by name).
    pub ports: Vec<LinkRef>,
    /// Spanning tree; off by default (a server's bridge is an edge, and STP would hold
    /// every port for 30 s after each link change).
    #[serde(default)]
    pub stp: bool,
    #[serde(flatten)]
    pub addressing: Addressing,
}

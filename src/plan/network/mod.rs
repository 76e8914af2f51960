//! The installed system's network as data: one NetworkManager connection profile per NIC,
//! bond, bond member, VLAN, bridge and bridge port, each with its profile name, a UUID,
//! what it binds to, and its addresses parsed and split by family. The configure step
//! writes keyfiles from this and parses nothing.

mod build;

use std::net::IpAddr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::{BondMode, LacpRate};

pub use build::{connections, connections_of};

/// One connection profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Connection {
    /// Profile name and file name: "eno1", "ether-525400123456", "bond0", "bond0-port-eno1",
    /// "bond0.42", "br0", ... (unique).
    pub id: String,
    /// The profile's UUID, derived from its id (the same answer gives the same UUIDs).
    pub uuid: String,
    pub kind: Kind,
    /// Set for a bond member or bridge port: it has no addresses of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_of: Option<PortOf>,
    /// How it gets its addresses; none for a port, and for a NIC that only carries VLANs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpSetup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
}

/// What the profile is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Kind {
    /// A NIC.
    Ethernet {
        bind: Bind,
    },
    Bond {
        interface: String,
        mode: BondMode,
        miimon: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lacp_rate: Option<LacpRate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary: Option<String>,
    },
    Vlan {
        interface: String,
        id: u16,
        /// The parent's interface name, or the UUID of the parent NIC's profile when the NIC
        /// is known by a match only.
        parent: String,
    },
    Bridge {
        interface: String,
        stp: bool,
    },
}

/// Which NIC an ethernet profile is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bind {
    Name(String),
    /// Upper case, as NetworkManager writes it.
    Mac(String),
    /// Every NIC of this kernel driver.
    Driver(String),
    /// The NIC at this PCI address ("0000:3b:00.0").
    PciPath(String),
    /// The first NIC with a link at boot (bound to none: see configure/network.rs).
    FirstWithLink,
}

/// The controller of a port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PortOf {
    /// The bond's or bridge's interface name.
    pub controller: String,
    pub kind: PortKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortKind {
    Bond,
    Bridge,
}

/// A connection's addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IpSetup {
    /// DHCPv4.
    pub dhcp: bool,
    /// Static addresses in CIDR form, by family.
    pub ipv4: Vec<String>,
    pub ipv6: Vec<String>,
    pub ipv6_method: Ipv6Method,
    pub gateway: Option<IpAddr>,
    pub gateway6: Option<IpAddr>,
    pub dns: Vec<IpAddr>,
    pub dns_search: Vec<String>,
    pub routes: Vec<PlannedRoute>,
}

/// NetworkManager's ipv6.method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ipv6Method {
    Auto,
    Dhcp,
    Manual,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedRoute {
    pub to: String,
    pub via: Option<IpAddr>,
    pub metric: Option<u32>,
}

impl Connection {
    /// The interface name of a bond, VLAN or bridge; a NIC's when bound by name.
    pub fn interface(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ethernet {
                bind: Bind::Name(n),
            } => Some(n),
            Kind::Ethernet { .. } => None,
            Kind::Bond { interface, .. }
            | Kind::Vlan { interface, .. }
            | Kind::Bridge { interface, .. } => Some(interface),
        }
    }
}

/// One line for a connection, as the summary, the plan and the log show it: what it is,
/// then DHCP or its static addresses, gateways and DNS.
pub fn describe_connection(c: &Connection) -> String {
    let who = match &c.kind {
        Kind::Ethernet { bind } => match bind {
            Bind::Name(n) => n.clone(),
            Bind::Mac(m) => m.clone(),
            Bind::Driver(d) => format!("NICs of driver {d}"),
            Bind::PciPath(p) => format!("NIC at PCI {p}"),
            Bind::FirstWithLink => "first NIC with link".into(),
        },
        Kind::Bond {
            interface, mode, ..
        } => format!("{interface} (bond, {})", mode.as_str()),
        Kind::Vlan {
            interface,
            id,
            parent,
        } => {
            let on = if uuid::Uuid::parse_str(parent).is_ok() {
                "its NIC".to_string()
            } else {
                parent.clone()
            };
            format!("{interface} (VLAN {id} on {on})")
        }
        Kind::Bridge { interface, stp } => {
            format!("{interface} (bridge{})", if *stp { ", STP" } else { "" })
        }
    };
    let mut s = match (&c.ip, &c.port_of) {
        (_, Some(p)) => format!("{who} in {}", p.controller),
        (None, None) => format!("{who} no addresses (VLANs only)"),
        (Some(ip), None) if ip.dhcp => format!("{who} DHCP"),
        (Some(_), None) => format!("{who} static"),
    };
    if let Some(ip) = &c.ip {
        let addresses: Vec<&str> = ip.ipv4.iter().chain(&ip.ipv6).map(String::as_str).collect();
        if !addresses.is_empty() {
            let sep = if ip.dhcp { " + " } else { " " };
            s.push_str(&format!("{sep}{}", addresses.join(" ")));
        }
        for g in [ip.gateway, ip.gateway6].into_iter().flatten() {
            s.push_str(&format!(" gw {g}"));
        }
        if !ip.dns.is_empty() {
            let dns: Vec<String> = ip.dns.iter().map(ToString::to_string).collect();
            s.push_str(&format!(" dns {}", dns.join(",")));
        }
        if !ip.routes.is_empty() {
            s.push_str(&format!(" +{} route(s)", ip.routes.len()));
        }
    }
    if let Some(mtu) = c.mtu {
        s.push_str(&format!(" mtu {mtu}"));
    }
    s
}

/// For tests: the answer with `network` (TOML) and a target, nothing else.
#[cfg(test)]
pub(crate) fn answer_with(network: &str) -> crate::answer::Answer {
    toml::from_str(&format!(
        "version = 1\n[target]\npath = \"/dev/vda\"\n{network}"
    ))
    .expect("answer")
}

/// For tests: the profiles of `network`, which must be valid.
#[cfg(test)]
pub(crate) fn planned(network: &str) -> Vec<Connection> {
    connections(&answer_with(network)).expect("valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(network: &str) -> Vec<String> {
        planned(network).iter().map(describe_connection).collect()
    }

    #[test]
    fn the_summary_says_dhcp_for_dhcp_and_names_every_kind_of_connection() {
        assert_eq!(
            lines(
                "[[network.interfaces]]\nmatch = { mac = \"52:54:00:12:34:56\" }\n\
                 [[network.interfaces]]\nmatch = { mac = \"52:54:00:12:34:57\" }\ndhcp = false\n\
                 addresses = [\"192.0.2.10/24\", \"2001:db8::10/64\"]\ngateway = \"192.0.2.1\"\n\
                 dns = [\"192.0.2.53\", \"192.0.2.54\"]\n\
                 [[network.interfaces]]\nmatch = { first_with_link = true }\n"
            ),
            [
                "52:54:00:12:34:56 DHCP",
                "52:54:00:12:34:57 static 192.0.2.10/24 2001:db8::10/64 gw 192.0.2.1 dns 192.0.2.53,192.0.2.54",
                "first NIC with link DHCP",
            ]
        );
        assert_eq!(
            lines(
                "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\", \"eno2\"]\nmtu = 9000\n\
                 [[network.vlans]]\nid = 7\non = { mac = \"52:54:00:aa:bb:cc\" }\nname = \"mgmt\"\n\
                 ipv6 = \"disabled\"\n\
                 [[network.bridges]]\nname = \"br0\"\nports = [{ pci_path = \"0000:3b:00.0\" }]\n\
                 stp = true\ndhcp = false\naddresses = [\"198.51.100.2/24\"]\n\
                 routes = [{ to = \"10.0.0.0/8\", via = \"198.51.100.1\" }]\n"
            ),
            [
                "bond0 (bond, active-backup) DHCP mtu 9000",
                "eno1 in bond0 mtu 9000",
                "eno2 in bond0 mtu 9000",
                "br0 (bridge, STP) static 198.51.100.2/24 +1 route(s)",
                "NIC at PCI 0000:3b:00.0 in br0",
                "52:54:00:AA:BB:CC no addresses (VLANs only)",
                "mgmt (VLAN 7 on its NIC) DHCP",
            ]
        );
    }
}

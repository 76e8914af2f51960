//! One connection's addressing as the network screen's fields show it (IPv4 DHCP or
//! static, the IPv6 mode, addresses of each family in a field of its own, gateways, DNS,
//! MTU), and the answer's `Addressing` it stands for.

use crate::answer::{Addressing, BondMode, Ipv6Mode, Route};

pub const IPV6_MODES: [Ipv6Mode; 4] = [
    Ipv6Mode::Auto,
    Ipv6Mode::Dhcp,
    Ipv6Mode::Manual,
    Ipv6Mode::Disabled,
];

pub const BOND_MODES: [BondMode; 7] = [
    BondMode::ActiveBackup,
    BondMode::Lacp,
    BondMode::BalanceAlb,
    BondMode::BalanceTlb,
    BondMode::BalanceRr,
    BondMode::BalanceXor,
    BondMode::Broadcast,
];

/// One connection's addressing as the fields show it.
#[derive(Debug, Clone, PartialEq)]
pub struct AddrText {
    /// Static IPv4 (`dhcp = false`).
    pub fixed: bool,
    pub v4: String,
    pub gw: String,
    pub ipv6: Ipv6Mode,
    /// The answer's own `ipv6`: an unset one stays unset while the mode is its default.
    pub ipv6_given: Option<Ipv6Mode>,
    pub v6: String,
    pub gw6: String,
    pub dns: String,
    pub search: String,
    pub mtu: String,
    /// No field shows them: kept as given.
    pub routes: Vec<Route>,
}

impl Default for AddrText {
    fn default() -> Self {
        AddrText::of(&Addressing::default())
    }
}

/// The plan's IPv6 mode for an unset `ipv6`.
fn default_ipv6(dhcp: bool, has_v6: bool) -> Ipv6Mode {
    if !dhcp && has_v6 {
        Ipv6Mode::Manual
    } else {
        Ipv6Mode::Auto
    }
}

/// "a, b c" -> ["a", "b", "c"].
pub fn list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

impl AddrText {
    pub fn of(a: &Addressing) -> AddrText {
        // IPv6 addresses have colons, IPv4 ones (and most typos of them) none.
        let (v6, v4): (Vec<&String>, Vec<&String>) =
            a.addresses.iter().partition(|s| s.contains(':'));
        let join = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        AddrText {
            fixed: !a.dhcp,
            v4: join(&v4),
            gw: a.gateway.clone().unwrap_or_default(),
            ipv6: a.ipv6.unwrap_or(default_ipv6(a.dhcp, !v6.is_empty())),
            ipv6_given: a.ipv6,
            v6: join(&v6),
            gw6: a.gateway6.clone().unwrap_or_default(),
            dns: a.dns.join(", "),
            search: a.dns_search.join(", "),
            mtu: a.mtu.map(|m| m.to_string()).unwrap_or_default(),
            routes: a.routes.clone(),
        }
    }

    /// The answer's addressing, and how many of its addresses come from the IPv4 field
    /// (the rest are the IPv6 field's). IPv6 disabled writes no IPv6 address or gateway.
    pub fn addressing(&self) -> (Addressing, usize) {
        let v6_on = self.ipv6 != Ipv6Mode::Disabled;
        let v4 = list(&self.v4);
        let v6 = if v6_on { list(&self.v6) } else { Vec::new() };
        let n4 = v4.len();
        let dhcp = !self.fixed;
        let default = default_ipv6(dhcp, !v6.is_empty());
        let addresses: Vec<String> = v4.into_iter().chain(v6).collect();
        // Static without any address says "no IPv4" only next to an explicit IPv6 mode.
        let ipv6 =
            if self.ipv6_given.is_none() && self.ipv6 == default && (dhcp || !addresses.is_empty())
            {
                None
            } else {
                Some(self.ipv6)
            };
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let a = Addressing {
            dhcp,
            ipv6,
            addresses,
            gateway: text(&self.gw),
            gateway6: text(&self.gw6).filter(|_| v6_on),
            dns: list(&self.dns),
            dns_search: list(&self.search),
            routes: self.routes.clone(),
            mtu: self.mtu.trim().parse().ok(),
        };
        (a, n4)
    }

    /// One short line: DHCP or the static IPv4 addresses, then IPv6's.
    pub fn setting(&self) -> String {
        let (a, n4) = self.addressing();
        let mut s = if a.dhcp {
            "DHCP".to_string()
        } else if n4 == 0 {
            "no IPv4".to_string()
        } else {
            format!("static {}", a.addresses[..n4].join(" "))
        };
        let v6 = &a.addresses[n4..];
        match self.ipv6 {
            Ipv6Mode::Disabled => s.push_str(", no IPv6"),
            _ if !v6.is_empty() => s.push_str(&format!(", {}", v6.join(" "))),
            Ipv6Mode::Dhcp => s.push_str(", DHCPv6"),
            _ => {}
        }
        s
    }
}

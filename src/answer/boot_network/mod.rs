//! The install-time network from dracut-style kernel arguments (dracut.cmdline(7)), as a
//! `[network]` part: `ip=`, `bond=`, `vlan=`, `bridge=`, `ifname=`, `nameserver=` and
//! `rd.route=`. The live system brings it up before it fetches a remote answer. Each word is
//! parsed here, the whole is checked by the answer's own network checks, and every problem
//! names the word it is in.

mod words;

use std::collections::HashMap;

use super::{
    Addressing, Bond, BondMode, Bridge, Interface, InterfaceMatch, Ipv6Mode, LinkRef, Network,
    Route, Vlan, validate_network,
};
use words::{
    IP_USAGE, MAC_UNSUPPORTED, autoconf, bond_option, fields, is_mac, parse_ip, static_ip,
};

/// A kernel argument the install-time network cannot use, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kernel command line: {arg}: {message}")]
pub struct BootArgError {
    pub arg: String,
    pub message: String,
}

fn err(arg: &str, message: impl Into<String>) -> BootArgError {
    BootArgError {
        arg: arg.to_string(),
        message: message.into(),
    }
}

/// The network the words of a kernel command line ask for: `None` when there is no `ip=`,
/// `bond=`, `vlan=` or `bridge=`. Every problem is reported at once.
pub fn network_from_boot_args(words: &[String]) -> Result<Option<Network>, Vec<BootArgError>> {
    let mut p = Parse::default();
    let arg = |w: &String, key: &str| w.strip_prefix(key).map(str::to_string);
    // Names first: ip= may address a bond, VLAN or bridge, and any link a NIC ifname= names.
    for w in words {
        if let Some(v) = arg(w, "ifname=") {
            p.ifname(w, &v);
        }
    }
    for w in words {
        if let Some(v) = arg(w, "bond=") {
            p.bond(w, &v);
        } else if let Some(v) = arg(w, "vlan=") {
            p.vlan(w, &v);
        } else if let Some(v) = arg(w, "bridge=") {
            p.bridge(w, &v);
        }
    }
    for w in words {
        if let Some(v) = arg(w, "ip=") {
            p.ip(w, &v);
        }
    }
    if p.order.is_empty() && p.bonds.is_empty() && p.vlans.is_empty() && p.bridges.is_empty() {
        return if p.errors.is_empty() {
            Ok(None)
        } else {
            Err(p.errors)
        };
    }
    for w in words {
        if let Some(v) = arg(w, "rd.route=") {
            p.route(w, &v);
        } else if let Some(v) = arg(w, "nameserver=") {
            match parse_ip(&v) {
                Some(ip) => p.nameservers.push(ip.to_string()),
                None => p.errors.push(err(w, "expected an IP address")),
            }
        }
    }
    let (network, origins) = p.finish();
    let mut errors = p.errors;
    for issue in validate_network(&network) {
        let (arg, rest) = origin_of(&issue.path, &origins);
        let message = match rest {
            "" => issue.message.clone(),
            r => format!("{} ({})", issue.message, r.trim_start_matches('.')),
        };
        errors.push(BootArgError {
            arg,
            message: match &issue.hint {
                Some(h) => format!("{message}; {h}"),
                None => message,
            },
        });
    }
    if errors.is_empty() {
        Ok(Some(network))
    } else {
        Err(errors)
    }
}

/// The words a key path of the built `[network]` came from, and the rest of the path.
fn origin_of<'a>(path: &'a str, origins: &HashMap<String, String>) -> (String, &'a str) {
    if let Some(end) = path.find(']') {
        let (head, rest) = path.split_at(end + 1);
        if let Some(words) = origins.get(head) {
            return (words.clone(), rest);
        }
    }
    ("ip=/bond=/vlan=/bridge=".into(), path)
}

/// One link's settings from its `ip=` words.
#[derive(Debug, Default)]
struct Ip {
    words: Vec<String>,
    dhcp: bool,
    ipv6: Option<Ipv6Mode>,
    addresses: Vec<String>,
    gateway: Option<String>,
    gateway6: Option<String>,
    dns: Vec<String>,
    routes: Vec<Route>,
    mtu: Option<u32>,
}

#[derive(Debug, Default)]
struct Parse {
    errors: Vec<BootArgError>,
    /// ifname=NAME:MAC: the NIC with that MAC, known by NAME in the other words.
    macs: HashMap<String, String>,
    bonds: Vec<(String, Bond)>,
    vlans: Vec<(String, Vlan)>,
    bridges: Vec<(String, Bridge)>,
    /// Links with ip= words, in first-seen order ("" is `ip=dhcp` on the first NIC with link).
    order: Vec<String>,
    ips: HashMap<String, Ip>,
    nameservers: Vec<String>,
}

impl Parse {
    fn ifname(&mut self, w: &str, v: &str) {
        match v.split_once(':') {
            Some((name, mac)) if is_mac(mac) && !name.is_empty() => {
                self.macs.insert(name.to_string(), mac.to_ascii_lowercase());
            }
            _ => self.errors.push(err(w, "expected ifname=NAME:MAC")),
        }
    }

    /// A NIC by the name the words use: its MAC when ifname= gave one.
    fn link(&self, name: &str) -> LinkRef {
        match self.macs.get(name) {
            Some(mac) => LinkRef::Match(InterfaceMatch {
                mac: Some(mac.clone()),
                ..Default::default()
            }),
            None => LinkRef::Name(name.to_string()),
        }
    }

    fn bond(&mut self, w: &str, v: &str) {
        let usage = "expected bond=NAME:NIC1,NIC2[:OPTIONS[:MTU]]";
        let mut f = v.split(':');
        let name = f.next().unwrap_or_default();
        let members: Vec<&str> = f
            .next()
            .unwrap_or_default()
            .split(',')
            .filter(|m| !m.is_empty())
            .collect();
        if name.is_empty() || members.is_empty() {
            self.errors.push(err(w, usage));
            return;
        }
        let mut bond = Bond {
            name: name.to_string(),
            members: members.iter().map(|m| self.link(m)).collect(),
            // dracut's default, which kernel arguments written for dracut expect.
            mode: BondMode::BalanceRr,
            miimon: None,
            lacp_rate: None,
            primary: None,
            addressing: Addressing::default(),
        };
        for opt in f
            .next()
            .unwrap_or_default()
            .split(',')
            .filter(|o| !o.is_empty())
        {
            if let Err(e) = bond_option(&mut bond, opt) {
                self.errors.push(err(w, e));
            }
        }
        if let Some(mtu) = f.next().filter(|m| !m.is_empty()) {
            match mtu.parse() {
                Ok(m) => bond.addressing.mtu = Some(m),
                Err(_) => self
                    .errors
                    .push(err(w, format!("MTU {mtu:?} is not a number"))),
            }
        }
        if f.next().is_some() {
            self.errors.push(err(w, usage));
        }
        self.bonds.push((w.to_string(), bond));
    }

    fn vlan(&mut self, w: &str, v: &str) {
        let Some((name, parent)) = v
            .split_once(':')
            .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        else {
            self.errors
                .push(err(w, "expected vlan=NAME:PARENT (vlan=eth0.42:eth0)"));
            return;
        };
        // The id is in the name: vlan0042, vlan42, eth0.0042, eth0.42.
        let digits = name
            .rsplit_once('.')
            .map(|(_, d)| d)
            .or_else(|| name.strip_prefix("vlan"))
            .unwrap_or("");
        let Ok(id) = digits.parse::<u16>() else {
            self.errors.push(err(
                w,
                "the VLAN id is not in its name: vlanID, vlan00ID, PARENT.ID or PARENT.00ID",
            ));
            return;
        };
        let vlan = Vlan {
            id,
            on: self.link(parent),
            name: Some(name.to_string()),
            addressing: Addressing::default(),
        };
        self.vlans.push((w.to_string(), vlan));
    }

    fn bridge(&mut self, w: &str, v: &str) {
        let Some((name, ports)) = v
            .split_once(':')
            .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        else {
            self.errors
                .push(err(w, "expected bridge=NAME:PORT1[,PORT2...]"));
            return;
        };
        let bridge = Bridge {
            name: name.to_string(),
            ports: ports
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| self.link(p))
                .collect(),
            stp: false,
            addressing: Addressing::default(),
        };
        self.bridges.push((w.to_string(), bridge));
    }

    fn ip(&mut self, w: &str, v: &str) {
        // A MAC in the last field (its colons would split it): dracut sets it on the NIC.
        let tail = v.len().saturating_sub(17);
        if v.is_char_boundary(tail) && is_mac(&v[tail..]) && v[..tail].ends_with(':') {
            return self.errors.push(err(w, MAC_UNSUPPORTED));
        }
        let f = fields(v);
        let (link, set) = match f.len() {
            1 => ("", autoconf(&f[0]).map_err(|_| IP_USAGE.to_string())),
            2..=4 if parse_ip(&f[0]).is_none() => {
                let set = autoconf(&f[1]).and_then(|mut s| {
                    if let Some(m) = f.get(2).filter(|m| !m.is_empty()) {
                        s.mtu = Some(
                            m.parse()
                                .map_err(|_| format!("MTU {m:?} is not a number"))?,
                        );
                    }
                    if f.get(3).is_some_and(|m| !m.is_empty()) {
                        return Err(MAC_UNSUPPORTED.to_string());
                    }
                    Ok(s)
                });
                (f[0].as_str(), set)
            }
            7..=9 => (f[5].as_str(), static_ip(&f)),
            _ => ("", Err(IP_USAGE.into())),
        };
        let set = match set {
            Ok(s) => s,
            Err(e) => return self.errors.push(err(w, e)),
        };
        if !self.ips.contains_key(link) {
            self.order.push(link.to_string());
        }
        let ip = self.ips.entry(link.to_string()).or_default();
        ip.words.push(w.to_string());
        ip.dhcp |= set.dhcp;
        ip.ipv6 = set.ipv6.or(ip.ipv6);
        ip.addresses.extend(set.addresses);
        ip.gateway = set.gateway.or(ip.gateway.take());
        ip.gateway6 = set.gateway6.or(ip.gateway6.take());
        ip.dns.extend(set.dns);
        ip.mtu = set.mtu.or(ip.mtu);
    }

    fn route(&mut self, w: &str, v: &str) {
        let f = fields(v);
        let usage = "expected rd.route=NETWORK/PREFIX:GATEWAY:NIC";
        let (Some(to), Some(via), Some(link)) = (f.first(), f.get(1), f.get(2)) else {
            return self.errors.push(err(w, usage));
        };
        let Some(ip) = self.ips.get_mut(link.as_str()) else {
            return self.errors.push(err(
                w,
                format!("{link} has no ip= argument to carry the route"),
            ));
        };
        ip.routes.push(Route {
            to: to.trim_start_matches('[').replace(']', ""),
            via: (!via.is_empty()).then(|| via.trim_matches(['[', ']']).to_string()),
            metric: None,
        });
    }

    /// The `[network]` part, and which words each of its entries came from (by key path).
    fn finish(&mut self) -> (Network, HashMap<String, String>) {
        let mut origins = HashMap::new();
        let mut n = Network::default();
        // VLAN parents without ip= words carry no addresses; bridge ports have none anyway.
        let parents: Vec<String> = self
            .vlans
            .iter()
            .filter_map(|(_, v)| v.on.name().map(str::to_string))
            .filter(|p| {
                !self
                    .bridges
                    .iter()
                    .any(|(_, b)| b.ports.iter().any(|q| q.name() == Some(p)))
            })
            .collect();
        for (i, (w, mut b)) in std::mem::take(&mut self.bonds).into_iter().enumerate() {
            let mtu = b.addressing.mtu;
            let (a, words) = self.take(&b.name, &w, &parents);
            b.addressing = Addressing {
                mtu: a.mtu.or(mtu),
                ..a
            };
            origins.insert(format!("network.bonds[{i}]"), words);
            n.bonds.push(b);
        }
        for (i, (w, mut v)) in std::mem::take(&mut self.vlans).into_iter().enumerate() {
            let name = v.name.clone().unwrap_or_default();
            let (a, words) = self.take(&name, &w, &parents);
            v.addressing = a;
            origins.insert(format!("network.vlans[{i}]"), words);
            n.vlans.push(v);
        }
        for (i, (w, mut b)) in std::mem::take(&mut self.bridges).into_iter().enumerate() {
            let (a, words) = self.take(&b.name, &w, &parents);
            b.addressing = a;
            origins.insert(format!("network.bridges[{i}]"), words);
            n.bridges.push(b);
        }
        // What is left are NICs (or ip=dhcp with no NIC named).
        for name in std::mem::take(&mut self.order) {
            if !self.ips.contains_key(&name) {
                continue;
            }
            let (a, words) = self.take(&name, "", &parents);
            let matcher = match (name.as_str(), self.macs.get(&name)) {
                ("", _) => InterfaceMatch {
                    first_with_link: Some(true),
                    ..Default::default()
                },
                (_, Some(mac)) => InterfaceMatch {
                    mac: Some(mac.clone()),
                    ..Default::default()
                },
                (n, None) => InterfaceMatch {
                    name: Some(n.to_string()),
                    ..Default::default()
                },
            };
            origins.insert(format!("network.interfaces[{}]", n.interfaces.len()), words);
            n.interfaces.push(Interface {
                matcher,
                addressing: a,
            });
        }
        (n, origins)
    }

    /// The addressing of link `name` from its ip= words (taken), and all the words it came
    /// from; a VLAN parent without ip= words carries no addresses.
    fn take(&mut self, name: &str, words: &str, parents: &[String]) -> (Addressing, String) {
        match self.ips.remove(name) {
            Some(ip) => {
                let words = format!("{words} {}", ip.words.join(" "));
                (addressing(ip, &self.nameservers), words.trim().to_string())
            }
            None if parents.iter().any(|p| p == name) => (
                Addressing {
                    dhcp: false,
                    ipv6: Some(Ipv6Mode::Disabled),
                    ..Addressing::default()
                },
                words.to_string(),
            ),
            None => (Addressing::default(), words.to_string()),
        }
    }
}

fn addressing(ip: Ip, nameservers: &[String]) -> Addressing {
    let mut dns = ip.dns;
    dns.extend(nameservers.iter().cloned());
    Addressing {
        dhcp: ip.dhcp,
        ipv6: ip.ipv6,
        addresses: ip.addresses,
        gateway: ip.gateway,
        gateway6: ip.gateway6,
        dns,
        dns_search: Vec::new(),
        routes: ip.routes,
        mtu: ip.mtu,
    }
}

#[cfg(test)]
mod tests;

//! From `[network]` to connection profiles: NICs with addresses, bonds and their members,
//! VLANs (and a profile without addresses for a parent NIC that has none of its own),
//! bridges and their ports. The answer was validated; what still cannot be parsed is a
//! problem at its key, never a panic.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::answer::{Addressing, Answer, InterfaceMatch, Ipv6Mode, Issue, LinkRef, Network};

use super::{Bind, Connection, IpSetup, Ipv6Method, Kind, PlannedRoute, PortKind, PortOf};

/// Where the UUIDs of the profiles come from (UUID v5 of the profile's id).
const UUID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6b1f_2c3e_9a4d_4e8f_b2a1_0c5d_7e3f_9a21);

/// The connections of `answer`, or the problems of what does not parse.
pub fn connections(answer: &Answer) -> Result<Vec<Connection>, Vec<Issue>> {
    connections_of(&answer.network)
}

/// The connections of a `[network]` part (the answer's, or the kernel command line's).
pub fn connections_of(n: &Network) -> Result<Vec<Connection>, Vec<Issue>> {
    let mut b = Builder::default();
    // Bonds and VLANs that are bridge ports: configured through their bridge.
    let mut bridge_of: HashMap<&str, &str> = HashMap::new();
    for bridge in &n.bridges {
        for port in &bridge.ports {
            if let LinkRef::Name(name) = port {
                bridge_of.insert(name, &bridge.name);
            }
        }
    }
    let virtual_names: Vec<String> = n
        .bonds
        .iter()
        .map(|b| b.name.clone())
        .chain(n.bridges.iter().map(|b| b.name.clone()))
        .chain(
            n.vlans
                .iter()
                .filter_map(crate::answer::Vlan::interface_name),
        )
        .collect();
    let is_virtual = |name: &str| virtual_names.iter().any(|v| v == name);
    let port_of = |name: &str| {
        bridge_of.get(name).map(|br| PortOf {
            controller: (*br).to_string(),
            kind: PortKind::Bridge,
        })
    };

    for (i, iface) in n.interfaces.iter().enumerate() {
        let bind = bind_of(&iface.matcher);
        let ip = b.ip(&iface.addressing, &format!("network.interfaces[{i}]"));
        b.push(
            id_of(&bind),
            Kind::Ethernet { bind },
            None,
            ip,
            iface.addressing.mtu,
        );
    }
    for (k, bond) in n.bonds.iter().enumerate() {
        let port = port_of(&bond.name);
        let ip = match port {
            Some(_) => None,
            None => b.ip(&bond.addressing, &format!("network.bonds[{k}]")),
        };
        let kind = Kind::Bond {
            interface: bond.name.clone(),
            mode: bond.mode,
            miimon: bond.miimon.unwrap_or(100),
            lacp_rate: bond.lacp_rate,
            primary: bond.primary.clone(),
        };
        b.push(bond.name.clone(), kind, port, ip, bond.addressing.mtu);
        for m in &bond.members {
            b.port(m, &bond.name, PortKind::Bond, bond.addressing.mtu);
        }
    }
    for (r, bridge) in n.bridges.iter().enumerate() {
        let ip = b.ip(&bridge.addressing, &format!("network.bridges[{r}]"));
        let kind = Kind::Bridge {
            interface: bridge.name.clone(),
            stp: bridge.stp,
        };
        b.push(bridge.name.clone(), kind, None, ip, bridge.addressing.mtu);
        for p in &bridge.ports {
            if !matches!(p, LinkRef::Name(name) if is_virtual(name)) {
                b.port(p, &bridge.name, PortKind::Bridge, None);
            }
        }
    }
    for (v, vlan) in n.vlans.iter().enumerate() {
        let Some(name) = vlan.interface_name() else {
            b.problems.push(Issue::new(
                format!("network.vlans[{v}].name"),
                "a VLAN on a NIC matched without its name needs a name of its own",
            ));
            continue;
        };
        let parent = match &vlan.on {
            LinkRef::Name(p) if is_virtual(p) => p.clone(),
            on => b.parent(on),
        };
        let port = port_of(&name);
        let ip = match port {
            Some(_) => None,
            None => b.ip(&vlan.addressing, &format!("network.vlans[{v}]")),
        };
        let kind = Kind::Vlan {
            interface: name.clone(),
            id: vlan.id,
            parent,
        };
        b.push(name, kind, port, ip, vlan.addressing.mtu);
    }
    if b.problems.is_empty() {
        Ok(b.out)
    } else {
        Err(b.problems)
    }
}

#[derive(Default)]
struct Builder {
    out: Vec<Connection>,
    problems: Vec<Issue>,
}

impl Builder {
    /// Adds a profile (its id made unique); returns its UUID.
    fn push(
        &mut self,
        id: String,
        kind: Kind,
        port_of: Option<PortOf>,
        ip: Option<IpSetup>,
        mtu: Option<u32>,
    ) -> String {
        let mut unique = id.clone();
        let mut n = 2;
        while self.out.iter().any(|c| c.id == unique) {
            unique = format!("{id}-{n}");
            n += 1;
        }
        let uuid = uuid::Uuid::new_v5(&UUID_NAMESPACE, unique.as_bytes()).to_string();
        self.out.push(Connection {
            id: unique,
            uuid: uuid.clone(),
            kind,
            port_of,
            ip,
            mtu,
        });
        uuid
    }

    /// A NIC as a bond member or bridge port.
    fn port(&mut self, nic: &LinkRef, controller: &str, kind: PortKind, mtu: Option<u32>) {
        let bind = bind_of_link(nic);
        let id = format!("{controller}-port-{}", id_of(&bind));
        let port = PortOf {
            controller: controller.to_string(),
            kind,
        };
        self.push(id, Kind::Ethernet { bind }, Some(port), None, mtu);
    }

    /// A VLAN's parent NIC: its interface name when it has one (and a profile without
    /// addresses when the answer gives it none, so NetworkManager does not run DHCP on the
    /// trunk), else the UUID of the NIC's profile.
    fn parent(&mut self, nic: &LinkRef) -> String {
        let bind = bind_of_link(nic);
        let existing = self.out.iter().find(|c| {
            matches!(&c.kind, Kind::Ethernet { bind: b } if *b == bind) && c.port_of.is_none()
        });
        let uuid = match existing {
            Some(c) => c.uuid.clone(),
            None => self.push(
                id_of(&bind),
                Kind::Ethernet { bind: bind.clone() },
                None,
                None,
                None,
            ),
        };
        match bind {
            Bind::Name(name) => name,
            _ => uuid,
        }
    }

    /// The addresses of one connection, parsed.
    fn ip(&mut self, a: &Addressing, path: &str) -> Option<IpSetup> {
        let mut bad = |key: &str, s: &str| {
            self.problems.push(Issue::new(
                format!("{path}.{key}"),
                format!("{s:?} is not an IP address"),
            ));
        };
        let parse = |s: &str| s.split('/').next().unwrap_or(s).parse::<IpAddr>();
        let (mut ipv4, mut ipv6) = (Vec::new(), Vec::new());
        for s in &a.addresses {
            match parse(s) {
                Ok(IpAddr::V4(_)) => ipv4.push(s.clone()),
                Ok(IpAddr::V6(_)) => ipv6.push(s.clone()),
                Err(_) => bad("addresses", s),
            }
        }
        let mut one = |key: &str, s: &Option<String>| match s.as_deref().map(parse) {
            Some(Ok(ip)) => Some(ip),
            Some(Err(_)) => {
                bad(key, s.as_deref().unwrap_or_default());
                None
            }
            None => None,
        };
        let gateway = one("gateway", &a.gateway);
        let gateway6 = one("gateway6", &a.gateway6);
        let mut dns = Vec::new();
        for s in &a.dns {
            match parse(s) {
                Ok(ip) => dns.push(ip),
                Err(_) => bad("dns", s),
            }
        }
        let mut routes = Vec::new();
        for r in &a.routes {
            let via = match r.via.as_deref().map(parse) {
                Some(Ok(ip)) => Some(ip),
                Some(Err(_)) => {
                    bad("routes", r.via.as_deref().unwrap_or_default());
                    None
                }
                None => None,
            };
            routes.push(PlannedRoute {
                to: r.to.clone(),
                via,
                metric: r.metric,
            });
        }
        let ipv6_method = match a.ipv6 {
            Some(Ipv6Mode::Auto) => Ipv6Method::Auto,
            Some(Ipv6Mode::Dhcp) => Ipv6Method::Dhcp,
            Some(Ipv6Mode::Manual) => Ipv6Method::Manual,
            Some(Ipv6Mode::Disabled) => Ipv6Method::Disabled,
            // Static IPv6 without DHCP is manual; otherwise router advertisements decide
            // (NetworkManager's and Anaconda's default).
            None if !a.dhcp && !ipv6.is_empty() => Ipv6Method::Manual,
            None => Ipv6Method::Auto,
        };
        Some(IpSetup {
            dhcp: a.dhcp,
            ipv4,
            ipv6,
            ipv6_method,
            gateway,
            gateway6,
            dns,
            dns_search: a.dns_search.clone(),
            routes,
        })
    }
}

fn bind_of(m: &InterfaceMatch) -> Bind {
    if let Some(name) = &m.name {
        Bind::Name(name.clone())
    } else if let Some(mac) = &m.mac {
        Bind::Mac(mac.to_ascii_uppercase())
    } else if let Some(driver) = &m.driver {
        Bind::Driver(driver.clone())
    } else if let Some(path) = &m.pci_path {
        Bind::PciPath(path.to_ascii_lowercase())
    } else {
        Bind::FirstWithLink
    }
}

fn bind_of_link(l: &LinkRef) -> Bind {
    match l {
        LinkRef::Name(name) => Bind::Name(name.clone()),
        LinkRef::Match(m) => bind_of(m),
    }
}

/// A NIC's profile name, safe as a file name.
fn id_of(bind: &Bind) -> String {
    let raw = match bind {
        Bind::Name(name) => name.clone(),
        Bind::Mac(mac) => format!("ether-{}", mac.to_ascii_lowercase().replace(':', "")),
        Bind::Driver(d) => format!("driver-{d}"),
        Bind::PciPath(p) => format!("pci-{p}"),
        Bind::FirstWithLink => "first-link".into(),
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::answer_with as answer;

    fn by_id<'a>(c: &'a [Connection], id: &str) -> &'a Connection {
        c.iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no profile {id} in {c:#?}"))
    }

    #[test]
    fn addresses_are_split_by_family_and_ids_are_unique() {
        let c = connections(&answer(
            "[[network.interfaces]]\nmatch = { name = \"eno1\" }\ndhcp = false\n\
             addresses = [\"192.0.2.10/24\", \"2001:db8::10/64\"]\ndns = [\"192.0.2.53\"]\n\
             [[network.interfaces]]\nmatch = { name = \"eno1\" }\n",
        ))
        .expect("valid");
        let ip = c[0].ip.as_ref().expect("addresses");
        assert_eq!(ip.ipv4, ["192.0.2.10/24"]);
        assert_eq!(ip.ipv6, ["2001:db8::10/64"]);
        assert_eq!(ip.ipv6_method, Ipv6Method::Manual);
        assert_eq!(ip.dns, ["192.0.2.53".parse::<IpAddr>().unwrap()]);
        assert_eq!((c[0].id.as_str(), c[1].id.as_str()), ("eno1", "eno1-2"));
        assert_ne!(c[0].uuid, c[1].uuid);
    }

    #[test]
    fn an_address_that_is_not_one_is_a_problem_at_its_key() {
        let p = connections(&answer(
            "[[network.interfaces]]\nmatch = { name = \"eno1\" }\naddresses = [\"not-an-ip/24\"]\n",
        ))
        .expect_err("refused");
        assert_eq!(p[0].path, "network.interfaces[0].addresses");
    }

    #[test]
    fn a_bond_with_a_vlan_in_a_bridge() {
        let c = connections(&answer(
            "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\", { mac = \"52:54:00:00:00:02\" }]\n\
             mode = \"802.3ad\"\nlacp_rate = \"fast\"\nmtu = 9000\naddresses = [\"192.0.2.10/24\"]\ndhcp = false\n\
             [[network.vlans]]\nid = 42\non = \"bond0\"\n\
             [[network.bridges]]\nname = \"br0\"\nports = [\"bond0.42\"]\naddresses = [\"198.51.100.2/24\"]\n",
        ))
        .expect("valid");
        let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "bond0",
                "bond0-port-eno1",
                "bond0-port-ether-525400000002",
                "br0",
                "bond0.42"
            ]
        );
        let member = by_id(&c, "bond0-port-ether-525400000002");
        assert_eq!(
            member.port_of,
            Some(PortOf {
                controller: "bond0".into(),
                kind: PortKind::Bond
            })
        );
        assert_eq!(member.mtu, Some(9000));
        assert!(member.ip.is_none());
        let vlan = by_id(&c, "bond0.42");
        assert_eq!(
            vlan.port_of.as_ref().map(|p| p.kind),
            Some(PortKind::Bridge)
        );
        assert!(vlan.ip.is_none(), "a bridge port has no addresses");
        assert!(matches!(&vlan.kind, Kind::Vlan { parent, id: 42, .. } if parent == "bond0"));
    }

    #[test]
    fn a_vlan_on_a_nic_known_by_mac_names_its_parent_by_uuid() {
        let c = connections(&answer(
            "[[network.vlans]]\nid = 7\non = { mac = \"52:54:00:aa:bb:cc\" }\nname = \"mgmt\"\n",
        ))
        .expect("valid");
        let parent = by_id(&c, "ether-525400aabbcc");
        assert!(parent.ip.is_none(), "the trunk gets no DHCP");
        let vlan = by_id(&c, "mgmt");
        assert!(matches!(&vlan.kind, Kind::Vlan { parent: p, .. } if *p == parent.uuid));
    }
}

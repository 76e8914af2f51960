//! `[network]`: NICs, bonds, VLANs and bridges. Each connection's addressing is checked on
//! its own (addressing.rs), a NIC match on its own (nic.rs); here, how they refer to each
//! other: names that are interface names and unique, members and ports that exist and are
//! used once, ports without addresses of their own.

mod addressing;
mod nic;

pub(crate) use nic::is_mac;

use std::collections::HashMap;

use crate::answer::{Addressing, BondMode, Issue, LinkRef, Network, shown};

pub(super) fn check(n: &Network, out: &mut Vec<Issue>) {
    for (i, iface) in n.interfaces.iter().enumerate() {
        let path = format!("network.interfaces[{i}]");
        nic::check(&iface.matcher, &format!("{path}.match"), true, out);
        addressing::check(&iface.addressing, &path, out);
    }
    let names = Names::of(n, out);
    let mut used: HashMap<String, String> = HashMap::new();
    // A NIC that is a bond member or a bridge port, or a bond or VLAN that is a bridge port,
    // belongs to exactly one controller.
    let mut take = |key: String, by: String, path: String, out: &mut Vec<Issue>| {
        if let Some(first) = used.get(&key) {
            out.push(Issue::new(
                path,
                format!("{key} is already a member of {first}: a link has one controller"),
            ));
        } else {
            used.insert(key, by);
        }
    };
    for (b, bond) in n.bonds.iter().enumerate() {
        let path = format!("network.bonds[{b}]");
        if bond.members.is_empty() {
            out.push(
                Issue::new(format!("{path}.members"), "a bond needs at least one NIC")
                    .with_hint("members = [\"eno1\", \"eno2\"]: two for redundancy"),
            );
        }
        for (m, member) in bond.members.iter().enumerate() {
            let mpath = format!("{path}.members[{m}]");
            if let LinkRef::Name(name) = member
                && names.virtual_kind(name).is_some()
            {
                out.push(Issue::new(
                    mpath.clone(),
                    format!(
                        "{} is a {}: bond members are NICs",
                        shown(name),
                        names.virtual_kind(name).unwrap_or_default()
                    ),
                ));
                continue;
            }
            link(member, &mpath, out);
            take(nic_key(member), format!("bond {}", bond.name), mpath, out);
        }
        if bond.lacp_rate.is_some() && bond.mode != BondMode::Lacp {
            out.push(
                Issue::new(
                    format!("{path}.lacp_rate"),
                    format!(
                        "lacp_rate is for mode \"802.3ad\", not {}",
                        shown(bond.mode.as_str())
                    ),
                )
                .with_hint("remove lacp_rate, or set mode = \"802.3ad\""),
            );
        }
        if let Some(primary) = &bond.primary {
            if bond.mode != BondMode::ActiveBackup {
                out.push(Issue::new(
                    format!("{path}.primary"),
                    format!(
                        "primary is for mode \"active-backup\", not {}",
                        shown(bond.mode.as_str())
                    ),
                ));
            } else if !bond
                .members
                .iter()
                .any(|m| m.name() == Some(primary.as_str()))
            {
                out.push(
                    Issue::new(
                        format!("{path}.primary"),
                        format!("{} is not one of the bond's members by name", shown(primary)),
                    )
                    .with_hint("primary names a member given by its kernel name (\"eno1\" or { name = \"eno1\" })"),
                );
            }
        }
        addressing::check(&bond.addressing, &path, out);
    }
    for (v, vlan) in n.vlans.iter().enumerate() {
        let path = format!("network.vlans[{v}]");
        if !(1..=4094).contains(&vlan.id) {
            out.push(Issue::new(
                format!("{path}.id"),
                format!("VLAN id {} is not between 1 and 4094", vlan.id),
            ));
        }
        match &vlan.on {
            LinkRef::Name(name) if names.virtual_kind(name).is_some() => {}
            other => link(other, &format!("{path}.on"), out),
        }
        if vlan.name.is_none() && vlan.on.name().is_none() {
            out.push(
                Issue::new(
                    format!("{path}.name"),
                    "a VLAN on a NIC matched without its name needs a name of its own",
                )
                .with_hint("name = \"vlan42\""),
            );
        }
        if let Some(name) = vlan.interface_name()
            && vlan.name.is_none()
            && !is_ifname(&name)
        {
            out.push(
                Issue::new(
                    format!("{path}.name"),
                    format!(
                        "the default name {} is longer than 15 characters",
                        shown(&name)
                    ),
                )
                .with_hint("give it a shorter name = \"...\""),
            );
        }
        addressing::check(&vlan.addressing, &path, out);
    }
    for (r, bridge) in n.bridges.iter().enumerate() {
        let path = format!("network.bridges[{r}]");
        for (p, port) in bridge.ports.iter().enumerate() {
            let ppath = format!("{path}.ports[{p}]");
            let by = format!("bridge {}", bridge.name);
            match port {
                LinkRef::Name(name) if names.virtual_kind(name) == Some("bridge") => {
                    out.push(Issue::new(
                        ppath,
                        format!(
                            "{} is a bridge: a bridge's ports are NICs, bonds or VLANs",
                            shown(name)
                        ),
                    ));
                }
                LinkRef::Name(name) if names.virtual_kind(name).is_some() => {
                    take(name.clone(), by, ppath, out);
                }
                other => {
                    link(other, &ppath, out);
                    take(nic_key(other), by, ppath, out);
                }
            }
        }
        addressing::check(&bridge.addressing, &path, out);
    }
    // A bond or VLAN that is a bridge port is configured through the bridge.
    for (b, bond) in n.bonds.iter().enumerate() {
        port_without_addresses(
            &used,
            &bond.name,
            &bond.addressing,
            &format!("network.bonds[{b}]"),
            out,
        );
    }
    for (v, vlan) in n.vlans.iter().enumerate() {
        if let Some(name) = vlan.interface_name() {
            port_without_addresses(
                &used,
                &name,
                &vlan.addressing,
                &format!("network.vlans[{v}]"),
                out,
            );
        }
    }
    // A NIC configured on its own and enslaved at the same time would have two profiles
    // fighting over it.
    for (i, iface) in n.interfaces.iter().enumerate() {
        let key = nic_key(&LinkRef::Match(iface.matcher.clone()));
        if let Some(by) = used.get(&key) {
            out.push(
                Issue::new(
                    format!("network.interfaces[{i}].match"),
                    format!("{key} is a member of {by}: its addresses go on {by}"),
                )
                .with_hint(
                    "remove this interface entry, or take the NIC out of the bond or bridge",
                ),
            );
        }
    }
}

fn port_without_addresses(
    used: &HashMap<String, String>,
    name: &str,
    a: &Addressing,
    path: &str,
    out: &mut Vec<Issue>,
) {
    if let Some(by) = used.get(name)
        && a.is_set()
    {
        out.push(
            Issue::new(
                path.to_string(),
                format!(
                    "{} is a port of {by}: its addresses go on {by}",
                    shown(name)
                ),
            )
            .with_hint("move dhcp, addresses, gateway, dns and routes to the bridge"),
        );
    }
}

/// The bonds', VLANs' and bridges' names: valid interface names, each used once and not
/// the name of a NIC of `[[network.interfaces]]`.
struct Names(HashMap<String, &'static str>);

impl Names {
    fn of(n: &Network, out: &mut Vec<Issue>) -> Names {
        let mut map: HashMap<String, &'static str> = HashMap::new();
        let mut add = |name: String, kind: &'static str, path: String, out: &mut Vec<Issue>| {
            if !is_ifname(&name) {
                out.push(Issue::new(
                    path,
                    format!(
                        "{} is not an interface name (1-15 characters, no \"/\", \":\" or spaces)",
                        shown(&name)
                    ),
                ));
            } else if let Some(other) = map.get(&name) {
                out.push(Issue::new(
                    path,
                    format!("{} is already the name of a {other}", shown(&name)),
                ));
            } else if n
                .interfaces
                .iter()
                .any(|i| i.matcher.name.as_deref() == Some(name.as_str()))
            {
                out.push(Issue::new(
                    path,
                    format!(
                        "{} is the name of a NIC in [[network.interfaces]]",
                        shown(&name)
                    ),
                ));
            } else {
                map.insert(name, kind);
            }
        };
        for (b, bond) in n.bonds.iter().enumerate() {
            add(
                bond.name.clone(),
                "bond",
                format!("network.bonds[{b}].name"),
                out,
            );
        }
        for (r, bridge) in n.bridges.iter().enumerate() {
            add(
                bridge.name.clone(),
                "bridge",
                format!("network.bridges[{r}].name"),
                out,
            );
        }
        for (v, vlan) in n.vlans.iter().enumerate() {
            // A default name that is too long is reported with the VLAN's other checks.
            if let Some(name) = vlan
                .interface_name()
                .filter(|n| vlan.name.is_some() || is_ifname(n))
            {
                add(name, "VLAN", format!("network.vlans[{v}].name"), out);
            }
        }
        Names(map)
    }

    fn virtual_kind(&self, name: &str) -> Option<&'static str> {
        self.0.get(name).copied()
    }
}

/// A NIC reference on its own: a valid name, or a match table (first_with_link is no way
/// to name a member or a port).
fn link(l: &LinkRef, path: &str, out: &mut Vec<Issue>) {
    match l {
        LinkRef::Name(name) => {
            if !is_ifname(name) {
                out.push(Issue::new(
                    path.to_string(),
                    format!(
                        "{} is not an interface name (1-15 characters, no \"/\", \":\" or spaces)",
                        shown(name)
                    ),
                ));
            }
        }
        LinkRef::Match(m) => nic::check(m, path, false, out),
    }
}

/// How a NIC is told apart from the others, to find it used twice.
fn nic_key(l: &LinkRef) -> String {
    match l {
        LinkRef::Name(n) => n.clone(),
        LinkRef::Match(m) => m
            .name
            .clone()
            .or_else(|| {
                m.mac
                    .as_ref()
                    .map(|mac| format!("the NIC with MAC {}", mac.to_ascii_lowercase()))
            })
            .or_else(|| m.pci_path.as_ref().map(|p| format!("the NIC at PCI {p}")))
            .or_else(|| m.driver.as_ref().map(|d| format!("the NICs of driver {d}")))
            .unwrap_or_else(|| "the first NIC with a link".into()),
    }
}

/// The kernel's rule: 1-15 bytes (IFNAMSIZ 16 with the NUL), no "/", ":" or whitespace.
pub(crate) fn is_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == ':' || c.is_whitespace())
}

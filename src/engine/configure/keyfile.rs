//! The NetworkManager keyfile (nm-settings-keyfile(5)) of one planned connection: only what
//! differs from NetworkManager's defaults, in its own key names (`controller`, `port-type`,
//! `routeN=NET,VIA,METRIC`), so that NetworkManager reads back exactly what was written
//! (tests/network_keyfiles.rs loads each kind with `nmcli --offline` and compares).
//!
//! How a NIC is bound: `name` → `interface-name=`, `mac` → `[ethernet] mac-address=`,
//! `driver` / `pci_path` → `[match] driver=` / `path=pci-…`. `first_with_link` is hardware
//! knowledge the engine does not have at configure time (and the installer's idea of
//! "first" may not survive a reboot), so that profile is bound to no interface:
//! NetworkManager autoconnects a wired profile only on a device with carrier, and an
//! unbound profile (`multi-connect=1`, single) is active on one device at a time, so it lands
//! on the first NIC that has a link at boot. It gets `autoconnect-priority=-1` so a NIC
//! that also has a bound profile prefers its own.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::plan::{Bind, Connection, IpSetup, Ipv6Method, Kind, PortKind};

/// The keyfile text for one connection.
pub fn keyfile(c: &Connection) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let line = |s: &mut String, l: String| {
        let _ = writeln!(s, "{l}");
    };
    line(&mut s, "# Written by azl-installer from [network].".into());
    line(
        &mut s,
        format!("[connection]\nid={}\nuuid={}", c.id, c.uuid),
    );
    let kind = match &c.kind {
        Kind::Ethernet { .. } => "ethernet",
        Kind::Bond { .. } => "bond",
        Kind::Vlan { .. } => "vlan",
        Kind::Bridge { .. } => "bridge",
    };
    line(&mut s, format!("type={kind}"));
    if let Some(name) = c.interface() {
        line(&mut s, format!("interface-name={name}"));
    }
    if let Kind::Ethernet {
        bind: Bind::FirstWithLink,
    } = c.kind
    {
        line(
            &mut s,
            // A number in a keyfile (1: single); the word "single" is dropped silently.
            "autoconnect-priority=-1\nmulti-connect=1".into(),
        );
    }
    if let Some(p) = &c.port_of {
        let kind = match p.kind {
            PortKind::Bond => "bond",
            PortKind::Bridge => "bridge",
        };
        line(
            &mut s,
            format!("controller={}\nport-type={kind}", p.controller),
        );
    }

    let mac = match &c.kind {
        Kind::Ethernet {
            bind: Bind::Mac(mac),
        } => Some(mac),
        _ => None,
    };
    if mac.is_some() || c.mtu.is_some() {
        line(&mut s, "\n[ethernet]".into());
        if let Some(mac) = mac {
            line(&mut s, format!("mac-address={mac}"));
        }
        if let Some(mtu) = c.mtu {
            line(&mut s, format!("mtu={mtu}"));
        }
    }
    match &c.kind {
        Kind::Ethernet {
            bind: Bind::Driver(d),
        } => line(&mut s, format!("\n[match]\ndriver={d};")),
        Kind::Ethernet {
            bind: Bind::PciPath(p),
        } => line(&mut s, format!("\n[match]\npath=pci-{p};")),
        Kind::Bond {
            mode,
            miimon,
            lacp_rate,
            primary,
            ..
        } => {
            line(&mut s, "\n[bond]".into());
            if let Some(rate) = lacp_rate {
                let rate = match rate {
                    crate::answer::LacpRate::Slow => "slow",
                    crate::answer::LacpRate::Fast => "fast",
                };
                line(&mut s, format!("lacp_rate={rate}"));
            }
            line(&mut s, format!("miimon={miimon}\nmode={}", mode.as_str()));
            if let Some(p) = primary {
                line(&mut s, format!("primary={p}"));
            }
        }
        Kind::Vlan { id, parent, .. } => {
            line(&mut s, format!("\n[vlan]\nid={id}\nparent={parent}"))
        }
        // NetworkManager's default is STP on: only "off" is written.
        Kind::Bridge { stp: false, .. } => line(&mut s, "\n[bridge]\nstp=false".into()),
        Kind::Bridge { stp: true, .. } => {}
        Kind::Ethernet { .. } => {}
    }
    match (&c.ip, &c.port_of) {
        (Some(ip), _) => addresses(&mut s, ip),
        // A port's addresses are its controller's.
        (None, Some(_)) => {}
        // A NIC that only carries VLANs: no DHCP on the trunk.
        (None, None) => line(
            &mut s,
            "\n[ipv4]\nmethod=disabled\n\n[ipv6]\nmethod=disabled".into(),
        ),
    }
    s
}

fn addresses(s: &mut String, ip: &IpSetup) {
    let v4_method = match (ip.dhcp, ip.ipv4.is_empty()) {
        (true, _) => "auto",
        (false, false) => "manual",
        (false, true) => "disabled",
    };
    let v6_method = match ip.ipv6_method {
        Ipv6Method::Auto => "auto",
        Ipv6Method::Dhcp => "dhcp",
        Ipv6Method::Manual => "manual",
        Ipv6Method::Disabled => "disabled",
    };
    // Search domains go with the family that is on (IPv4 unless it is off).
    let search_v6 = v4_method == "disabled";
    for (section, method, addrs, is_v6) in [
        ("ipv4", v4_method, &ip.ipv4, false),
        ("ipv6", v6_method, &ip.ipv6, true),
    ] {
        let _ = writeln!(s, "\n[{section}]");
        for (n, a) in addrs.iter().enumerate() {
            let _ = writeln!(s, "address{}={a}", n + 1);
        }
        let dns: String = ip
            .dns
            .iter()
            .filter(|d| d.is_ipv6() == is_v6)
            .map(|d| format!("{d};"))
            .collect();
        if !dns.is_empty() {
            let _ = writeln!(s, "dns={dns}");
        }
        if search_v6 == is_v6 && !ip.dns_search.is_empty() {
            let search: String = ip.dns_search.iter().map(|d| format!("{d};")).collect();
            let _ = writeln!(s, "dns-search={search}");
        }
        let gateway = [ip.gateway, ip.gateway6]
            .into_iter()
            .flatten()
            .find(|g| g.is_ipv6() == is_v6);
        if let Some(g) = gateway {
            let _ = writeln!(s, "gateway={g}");
        }
        let _ = writeln!(s, "method={method}");
        let routes = ip.routes.iter().filter(|r| route_is_v6(&r.to) == is_v6);
        for (n, r) in routes.enumerate() {
            let mut v = r.to.clone();
            match (r.via, r.metric) {
                (Some(via), Some(m)) => v.push_str(&format!(",{via},{m}")),
                (Some(via), None) => v.push_str(&format!(",{via}")),
                // On the link: the unspecified address stands for "no next hop".
                (None, Some(m)) => {
                    let none = if is_v6 { "::" } else { "0.0.0.0" };
                    v.push_str(&format!(",{none},{m}"));
                }
                (None, None) => {}
            }
            let _ = writeln!(s, "route{}={v}", n + 1);
        }
    }
}

fn route_is_v6(to: &str) -> bool {
    to.split('/')
        .next()
        .and_then(|a| a.parse::<IpAddr>().ok())
        .is_some_and(|a| a.is_ipv6())
}

#[cfg(test)]
mod tests {
    use super::keyfile;

    /// The keyfiles of `network`, by profile id.
    fn files(network: &str) -> Vec<(String, String)> {
        crate::plan::network::planned(network)
            .iter()
            .map(|c| (c.id.clone(), keyfile(c)))
            .collect()
    }

    #[test]
    fn first_with_link_is_bound_to_no_interface() {
        let f = files("[[network.interfaces]]\nmatch = { first_with_link = true }\n");
        let k = &f[0].1;
        assert!(
            !k.contains("interface-name=") && !k.contains("mac-address="),
            "{k}"
        );
        assert!(
            k.contains("autoconnect-priority=-1\nmulti-connect=1\n"),
            "{k}"
        );
    }

    #[test]
    fn static_ipv4_only_leaves_ipv6_to_router_advertisements() {
        let f = files(
            "[[network.interfaces]]\nmatch = { name = \"eno1\" }\ndhcp = false\n\
             addresses = [\"192.0.2.10/24\"]\ngateway = \"192.0.2.1\"\n\
             dns = [\"192.0.2.53\", \"2001:db8::53\"]\ndns_search = [\"example.com\"]\n",
        );
        let k = &f[0].1;
        assert!(
            k.contains("[ipv4]\naddress1=192.0.2.10/24\ndns=192.0.2.53;\ndns-search=example.com;\ngateway=192.0.2.1\nmethod=manual\n"),
            "{k}"
        );
        assert!(
            k.contains("[ipv6]\ndns=2001:db8::53;\nmethod=auto\n"),
            "{k}"
        );
    }

    #[test]
    fn a_bond_its_members_and_a_vlan_on_it() {
        let f = files(
            "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\", { mac = \"52:54:00:00:00:02\" }]\n\
             mode = \"802.3ad\"\nlacp_rate = \"fast\"\nmtu = 9000\n\
             [[network.vlans]]\nid = 42\non = \"bond0\"\n",
        );
        let by = |id: &str| &f.iter().find(|(i, _)| i == id).expect(id).1;
        let bond = by("bond0");
        assert!(bond.contains("type=bond\ninterface-name=bond0\n"), "{bond}");
        assert!(
            bond.contains("[bond]\nlacp_rate=fast\nmiimon=100\nmode=802.3ad\n"),
            "{bond}"
        );
        assert!(bond.contains("[ethernet]\nmtu=9000\n"), "{bond}");
        let member = by("bond0-port-ether-525400000002");
        assert!(
            member.contains("controller=bond0\nport-type=bond\n"),
            "{member}"
        );
        assert!(
            member.contains("mac-address=52:54:00:00:00:02\nmtu=9000\n"),
            "{member}"
        );
        assert!(
            !member.contains("[ipv4]"),
            "a member has no addresses: {member}"
        );
        let vlan = by("bond0.42");
        assert!(vlan.contains("[vlan]\nid=42\nparent=bond0\n"), "{vlan}");
    }

    #[test]
    fn a_vlan_parent_without_addresses_gets_none_and_a_bridge_says_stp_off() {
        let f = files(
            "[[network.vlans]]\nid = 100\non = \"eno5\"\n\
             [[network.bridges]]\nname = \"br0\"\nports = [\"eno3\"]\n",
        );
        let by = |id: &str| &f.iter().find(|(i, _)| i == id).expect(id).1;
        assert!(
            by("eno5").contains("[ipv4]\nmethod=disabled\n\n[ipv6]\nmethod=disabled"),
            "{}",
            by("eno5")
        );
        assert!(by("br0").contains("[bridge]\nstp=false\n"), "{}", by("br0"));
        assert!(by("br0-port-eno3").contains("controller=br0\nport-type=bridge\n"));
    }
}

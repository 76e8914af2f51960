//! `[[network.interfaces]]`: which NIC, DHCP or static addresses.

use crate::answer::shown;
use std::net::IpAddr;

use crate::answer::{Interface, Issue, Network};

pub(super) fn check(n: &Network, out: &mut Vec<Issue>) {
    for (i, iface) in n.interfaces.iter().enumerate() {
        interface(iface, &format!("network.interfaces[{i}]"), out);
    }
}

fn interface(iface: &Interface, path: &str, out: &mut Vec<Issue>) {
    let m = &iface.matcher;
    let given = [
        m.mac.is_some(),
        m.name.is_some(),
        m.first_with_link.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        1 => {}
        0 => out.push(
            Issue::new(format!("{path}.match"), "no interface given")
                .with_hint("{ mac = \"52:54:00:12:34:56\" }, { name = \"eno1\" } or { first_with_link = true }"),
        ),
        _ => out.push(Issue::new(
            format!("{path}.match"),
            "give exactly one of mac, name, first_with_link",
        )),
    }
    if let Some(mac) = &m.mac
        && !is_mac(mac)
    {
        out.push(
            Issue::new(
                format!("{path}.match.mac"),
                format!("{mac_shown} is not a MAC address", mac_shown = shown(mac)),
            )
            .with_hint("six hex pairs separated by \":\", e.g. \"52:54:00:12:34:56\""),
        );
    }
    if let Some(name) = &m.name {
        // The kernel's IFNAMSIZ is 16 including the terminating NUL.
        let ok = !name.is_empty()
            && name.len() <= 15
            && !name
                .chars()
                .any(|c| c == '/' || c == ':' || c.is_whitespace());
        if !ok {
            out.push(Issue::new(
                format!("{path}.match.name"),
                format!("{name_shown} is not an interface name (1-15 characters, no \"/\", \":\" or spaces)", name_shown = shown(name)),
            ));
        }
    }
    if m.first_with_link == Some(false) {
        out.push(
            Issue::new(
                format!("{path}.match.first_with_link"),
                "first_with_link = false matches nothing",
            )
            .with_hint("use first_with_link = true, or match by mac or name"),
        );
    }
    if !iface.dhcp && iface.addresses.is_empty() {
        out.push(
            Issue::new(
                format!("{path}.addresses"),
                "dhcp = false needs static addresses",
            )
            .with_hint("addresses = [\"192.0.2.10/24\"]"),
        );
    }
    for (i, a) in iface.addresses.iter().enumerate() {
        if let Err(e) = cidr(a) {
            out.push(
                Issue::new(format!("{path}.addresses[{i}]"), e)
                    .with_hint("address/prefix, e.g. \"192.0.2.10/24\" or \"2001:db8::10/64\""),
            );
        }
    }
    if let Some(gw) = &iface.gateway
        && gw.parse::<IpAddr>().is_err()
    {
        out.push(Issue::new(
            format!("{path}.gateway"),
            format!("{gw_shown} is not an IP address", gw_shown = shown(gw)),
        ));
    }
    for (i, d) in iface.dns.iter().enumerate() {
        if d.parse::<IpAddr>().is_err() {
            out.push(Issue::new(
                format!("{path}.dns[{i}]"),
                format!("{d_shown} is not an IP address", d_shown = shown(d)),
            ));
        }
    }
}

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn cidr(s: &str) -> Result<(), String> {
    let Some((addr, prefix)) = s.split_once('/') else {
        return Err(format!(
            "{s_shown} has no prefix length",
            s_shown = shown(s)
        ));
    };
    let addr: IpAddr = addr.parse().map_err(|_| {
        format!(
            "{addr_shown} is not an IP address",
            addr_shown = shown(addr)
        )
    })?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    match prefix.parse::<u8>() {
        Ok(p) if p <= max => Ok(()),
        _ => Err(format!("prefix \"/{prefix}\" is not between /0 and /{max}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_and_cidrs() {
        assert!(is_mac("52:54:00:12:34:56"));
        assert!(is_mac("AA:bb:CC:dd:EE:ff"));
        assert!(!is_mac("52-54-00-12-34-56"));
        assert!(!is_mac("52:54:00:12:34"));
        assert!(cidr("192.0.2.10/24").is_ok());
        assert!(cidr("2001:db8::10/64").is_ok());
        assert!(cidr("192.0.2.10").is_err());
        assert!(cidr("192.0.2.10/33").is_err());
        assert!(cidr("192.0.2.300/24").is_err());
    }
}

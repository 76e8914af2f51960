//! One connection's addresses: DHCP or static, IPv6 mode, gateways, DNS, routes, MTU.

use std::net::IpAddr;

use crate::answer::{Addressing, Ipv6Mode, Issue, shown};

use super::super::is_domain;

pub(super) fn check(a: &Addressing, path: &str, out: &mut Vec<Issue>) {
    let mut families = (false, false);
    for (i, s) in a.addresses.iter().enumerate() {
        match cidr(s) {
            Ok(ip) if ip.is_ipv4() => families.0 = true,
            Ok(_) => families.1 = true,
            Err(e) => out.push(
                Issue::new(format!("{path}.addresses[{i}]"), e)
                    .with_hint("address/prefix, e.g. \"192.0.2.10/24\" or \"2001:db8::10/64\""),
            ),
        }
    }
    let ipv6_on = a.ipv6 != Some(Ipv6Mode::Disabled);
    // No address at all is what a link that only carries VLANs wants: said with
    // ipv6 = "disabled"; without it, a forgotten address.
    if !a.dhcp && a.addresses.is_empty() && a.ipv6.is_none() {
        out.push(
            Issue::new(format!("{path}.addresses"), "dhcp = false needs static addresses")
                .with_hint("addresses = [\"192.0.2.10/24\"]; ipv6 = \"auto\" for IPv6 only; ipv6 = \"disabled\" for no address at all"),
        );
    }
    if a.ipv6 == Some(Ipv6Mode::Manual) && !families.1 {
        out.push(
            Issue::new(
                format!("{path}.ipv6"),
                "ipv6 = \"manual\" needs an IPv6 address in addresses",
            )
            .with_hint("addresses = [\"2001:db8::10/64\"], or ipv6 = \"auto\""),
        );
    }
    if !ipv6_on && families.1 {
        out.push(Issue::new(
            format!("{path}.ipv6"),
            "ipv6 = \"disabled\" with IPv6 addresses in addresses",
        ));
    }
    // A gateway is reachable only through an address of its family.
    let has_v4 = a.dhcp || families.0;
    let has_v6 = ipv6_on;
    let gw = |key: &str, g: &str, out: &mut Vec<Issue>| -> Option<IpAddr> {
        match g.parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                out.push(Issue::new(
                    format!("{path}.{key}"),
                    format!("{} is not an IP address", shown(g)),
                ));
                None
            }
        }
    };
    let g4 = a.gateway.as_deref().and_then(|g| gw("gateway", g, out));
    let g6 = a.gateway6.as_deref().and_then(|g| gw("gateway6", g, out));
    if let Some(ip) = g6
        && ip.is_ipv4()
    {
        out.push(
            Issue::new(
                format!("{path}.gateway6"),
                format!("{ip} is an IPv4 address"),
            )
            .with_hint("the IPv4 gateway goes in gateway"),
        );
    }
    if let (Some(IpAddr::V6(_)), Some(_)) = (g4, g6) {
        out.push(Issue::new(
            format!("{path}.gateway6"),
            "two IPv6 gateways: gateway is one already",
        ));
    }
    // A gateway6 of the wrong family was said above.
    let g6 = g6.filter(IpAddr::is_ipv6);
    for (key, g) in [("gateway", g4), ("gateway6", g6)] {
        match g {
            Some(IpAddr::V4(ip)) if !has_v4 => out.push(Issue::new(
                format!("{path}.{key}"),
                format!(
                    "IPv4 gateway {ip} but no IPv4 address (dhcp = false and none in addresses)"
                ),
            )),
            Some(IpAddr::V6(ip)) if !has_v6 => out.push(Issue::new(
                format!("{path}.{key}"),
                format!("IPv6 gateway {ip} but IPv6 is disabled"),
            )),
            _ => {}
        }
    }
    for (i, d) in a.dns.iter().enumerate() {
        if d.parse::<IpAddr>().is_err() {
            out.push(Issue::new(
                format!("{path}.dns[{i}]"),
                format!("{} is not an IP address", shown(d)),
            ));
        }
    }
    for (i, d) in a.dns_search.iter().enumerate() {
        if !is_domain(d) {
            out.push(
                Issue::new(
                    format!("{path}.dns_search[{i}]"),
                    format!("{} is not a domain name", shown(d)),
                )
                .with_hint("e.g. \"example.com\""),
            );
        }
    }
    for (i, r) in a.routes.iter().enumerate() {
        let rpath = format!("{path}.routes[{i}]");
        let to = match cidr(&r.to) {
            Ok(ip) => Some(ip),
            Err(e) => {
                out.push(
                    Issue::new(format!("{rpath}.to"), e)
                        .with_hint("a network in CIDR form, e.g. \"10.0.0.0/8\""),
                );
                None
            }
        };
        if let Some(via) = &r.via {
            match via.parse::<IpAddr>() {
                Err(_) => out.push(Issue::new(
                    format!("{rpath}.via"),
                    format!("{} is not an IP address", shown(via)),
                )),
                Ok(v) if to.is_some_and(|t| t.is_ipv4() != v.is_ipv4()) => out.push(Issue::new(
                    format!("{rpath}.via"),
                    format!("{v} is not of the family of {}", r.to),
                )),
                Ok(_) => {}
            }
        }
    }
    if let Some(mtu) = a.mtu {
        let min = if ipv6_on { 1280 } else { 68 };
        if !(min..=65535).contains(&mtu) {
            out.push(
                Issue::new(
                    format!("{path}.mtu"),
                    format!("MTU {mtu} is not between {min} and 65535"),
                )
                .with_hint(if ipv6_on && (68..1280).contains(&mtu) {
                    "IPv6 needs 1280 at least: ipv6 = \"disabled\" for a smaller MTU"
                } else {
                    "1500 is Ethernet's, 9000 a jumbo frame's"
                }),
            );
        }
    }
}

/// The address of an "address/prefix" string.
fn cidr(s: &str) -> Result<IpAddr, String> {
    let Some((addr, prefix)) = s.split_once('/') else {
        return Err(format!("{} has no prefix length", shown(s)));
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("{} is not an IP address", shown(addr)))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match prefix.parse::<u8>() {
        Ok(p) if p <= max => Ok(ip),
        _ => Err(format!("prefix \"/{prefix}\" is not between /0 and /{max}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_domains() {
        assert!(cidr("192.0.2.10/24").is_ok());
        assert!(cidr("2001:db8::10/64").is_ok());
        assert!(cidr("192.0.2.10").is_err());
        assert!(cidr("192.0.2.10/33").is_err());
        assert!(cidr("192.0.2.300/24").is_err());
    }
}

//! The installed system's network as data: one NetworkManager connection per answer
//! interface, with its profile name, how it is bound to a NIC, and its addresses parsed and
//! split by family. The configure step writes keyfiles from this and parses nothing.

use std::net::IpAddr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Interface};

use crate::answer::Issue;

/// One connection profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Connection {
    /// Profile name and file name: the interface name, "ether-<mac>", or "first-link"
    /// (made unique).
    pub id: String,
    pub bind: Bind,
    pub dhcp: bool,
    /// Static addresses in CIDR form, by family.
    pub ipv4: Vec<String>,
    pub ipv6: Vec<String>,
    pub gateway: Option<IpAddr>,
    pub dns: Vec<IpAddr>,
}

/// Which NIC a profile is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bind {
    Name(String),
    /// Upper case, as NetworkManager writes it.
    Mac(String),
    /// The first NIC with a link at boot (bound to none: see configure/network.rs).
    FirstWithLink,
}

/// The connections of `answer`, or the problems of addresses that are not IP addresses.
pub fn connections(answer: &Answer) -> Result<Vec<Connection>, Vec<Issue>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, iface) in answer.network.interfaces.iter().enumerate() {
        match connection(iface, i) {
            Ok(mut c) => {
                // Two interfaces must never share a file.
                if out.iter().any(|o: &Connection| o.id == c.id) {
                    c.id = format!("{}-{}", c.id, i + 1);
                }
                out.push(c);
            }
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn connection(iface: &Interface, i: usize) -> Result<Connection, Issue> {
    let m = &iface.matcher;
    let bind = match (&m.name, &m.mac) {
        (Some(name), _) => Bind::Name(name.clone()),
        (None, Some(mac)) => Bind::Mac(mac.to_ascii_uppercase()),
        (None, None) => Bind::FirstWithLink,
    };
    let ip = |key: &str, s: &str| -> Result<IpAddr, Issue> {
        s.split('/').next().unwrap_or(s).parse().map_err(|_| {
            Issue::new(
                format!("network.interfaces[{i}].{key}"),
                format!("{s:?} is not an IP address"),
            )
        })
    };
    let (mut ipv4, mut ipv6) = (Vec::new(), Vec::new());
    for a in &iface.addresses {
        match ip("addresses", a)? {
            IpAddr::V4(_) => ipv4.push(a.clone()),
            IpAddr::V6(_) => ipv6.push(a.clone()),
        }
    }
    Ok(Connection {
        id: id(&bind),
        bind,
        dhcp: iface.dhcp,
        ipv4,
        ipv6,
        gateway: iface
            .gateway
            .as_deref()
            .map(|g| ip("gateway", g))
            .transpose()?,
        dns: iface
            .dns
            .iter()
            .map(|d| ip("dns", d))
            .collect::<Result<_, _>>()?,
    })
}

/// The profile's name, safe as a file name.
fn id(bind: &Bind) -> String {
    let raw = match bind {
        Bind::Name(name) => name.clone(),
        Bind::Mac(mac) => format!("ether-{}", mac.to_ascii_lowercase().replace(':', "")),
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
    use crate::answer::InterfaceMatch;

    fn answer(ifaces: Vec<Interface>) -> Answer {
        let mut a: Answer =
            toml::from_str("version = 1\n[target]\npath = \"/dev/vda\"\n").expect("answer");
        a.network.interfaces = ifaces;
        a
    }

    fn by_name(name: &str, addresses: &[&str], dns: &[&str]) -> Interface {
        Interface {
            matcher: InterfaceMatch {
                name: Some(name.into()),
                ..InterfaceMatch::default()
            },
            dhcp: addresses.is_empty(),
            addresses: addresses.iter().map(|a| (*a).to_owned()).collect(),
            gateway: None,
            dns: dns.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn addresses_are_split_by_family_and_ids_are_unique() {
        let c = connections(&answer(vec![
            by_name(
                "eno1",
                &["192.0.2.10/24", "2001:db8::10/64"],
                &["192.0.2.53"],
            ),
            by_name("eno1", &[], &[]),
        ]))
        .expect("valid");
        assert_eq!(c[0].ipv4, ["192.0.2.10/24"]);
        assert_eq!(c[0].ipv6, ["2001:db8::10/64"]);
        assert_eq!(c[0].dns, ["192.0.2.53".parse::<IpAddr>().unwrap()]);
        assert_eq!((c[0].id.as_str(), c[1].id.as_str()), ("eno1", "eno1-2"));
    }

    #[test]
    fn an_address_that_is_not_one_is_a_problem_at_its_key() {
        let p = connections(&answer(vec![by_name("eno1", &["not-an-ip/24"], &[])]))
            .expect_err("refused");
        assert_eq!(p[0].path, "network.interfaces[0].addresses");
    }
}

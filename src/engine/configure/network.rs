//! NetworkManager keyfiles (nm-settings-keyfile(5)), one per configured interface, in
//! /etc/NetworkManager/system-connections/, mode 0600 and owned by root (NetworkManager
//! ignores keyfiles anyone else can read or write). No interfaces: nothing is written and
//! NetworkManager's default applies (DHCP on every wired NIC).
//!
//! How an interface is bound: `name` → `interface-name=`, `mac` → `[ethernet] mac-address=`.
//! `first_with_link` is hardware knowledge the engine does not have at configure time (and
//! the installer's idea of "first" may not survive a reboot), so that profile is bound to
//! no interface: NetworkManager autoconnects a wired profile only on a device with carrier,
//! and an unbound profile (`multi-connect=single`) is active on one device at a time, so
//! it lands on the first NIC that has a link at boot. It gets `autoconnect-priority=-1` so
//! a NIC that also has a name- or MAC-bound profile prefers its own.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::answer::Interface;

use super::{ConfigureError, Context, Log, at, io_err, write_file};

const DIR: &str = "/etc/NetworkManager/system-connections";

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let interfaces = &ctx.plan.answer.network.interfaces;
    if interfaces.is_empty() {
        log.info("network: no interfaces configured; NetworkManager's default (DHCP on all)");
        return Ok(());
    }
    let dir = at(ctx.root, DIR);
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir).map_err(io_err(format!("creating {DIR}")))?;
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(io_err(format!("setting the mode of {DIR}")))?;
    }
    let mut used: Vec<String> = Vec::new();
    for (i, iface) in interfaces.iter().enumerate() {
        let mut id = connection_id(iface);
        // Two interfaces must never share a file.
        if used.contains(&id) {
            id = format!("{id}-{}", i + 1);
        }
        used.push(id.clone());
        let text = keyfile(iface, &id)?;
        write_file(
            ctx.root,
            &format!("{DIR}/{id}.nmconnection"),
            text.as_bytes(),
            0o600,
        )?;
        let how = if iface.dhcp { "DHCP" } else { "static" };
        log.info(format!("network: {id} ({how})"));
    }
    Ok(())
}

/// The profile's name and file name: the interface name, "ether-<mac>", or "first-link".
fn connection_id(iface: &Interface) -> String {
    let m = &iface.matcher;
    let raw = if let Some(name) = &m.name {
        name.clone()
    } else if let Some(mac) = &m.mac {
        format!("ether-{}", mac.to_ascii_lowercase().replace(':', ""))
    } else {
        "first-link".into()
    };
    let safe: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe
}

fn family(what: &str, s: &str) -> Result<IpAddr, ConfigureError> {
    let ip = s.split('/').next().unwrap_or(s);
    ip.parse()
        .map_err(|_| ConfigureError::Invalid(format!("network: {what} {s:?} is not an IP address")))
}

/// The keyfile text for one interface.
fn keyfile(iface: &Interface, id: &str) -> Result<String, ConfigureError> {
    let m = &iface.matcher;
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(s, "# Written by azl-installer from [[network.interfaces]].");
    let _ = writeln!(s, "[connection]\nid={id}\nuuid={}", uuid::Uuid::new_v4());
    let _ = writeln!(s, "type=ethernet\nautoconnect=true");
    if let Some(name) = &m.name {
        let _ = writeln!(s, "interface-name={name}");
    } else if m.mac.is_none() {
        let _ = writeln!(s, "autoconnect-priority=-1\nmulti-connect=single");
    }
    let _ = writeln!(s, "\n[ethernet]");
    if let Some(mac) = &m.mac {
        let _ = writeln!(s, "mac-address={}", mac.to_ascii_uppercase());
    }

    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for a in &iface.addresses {
        match family("address", a)? {
            IpAddr::V4(_) => v4.push(a.as_str()),
            IpAddr::V6(_) => v6.push(a.as_str()),
        }
    }
    let (mut dns4, mut dns6) = (String::new(), String::new());
    for d in &iface.dns {
        match family("DNS server", d)? {
            IpAddr::V4(_) => dns4.push_str(&format!("{d};")),
            IpAddr::V6(_) => dns6.push_str(&format!("{d};")),
        }
    }
    let gw = match &iface.gateway {
        Some(g) => Some((family("gateway", g)?, g.as_str())),
        None => None,
    };
    for (section, addrs, dns, is_v6) in [("ipv4", &v4, &dns4, false), ("ipv6", &v6, &dns6, true)] {
        // Static IPv4 without an IPv4 address is off; IPv6 is left to router
        // advertisements (NetworkManager's and Anaconda's default) unless given.
        let method = match (iface.dhcp, addrs.is_empty(), is_v6) {
            (true, _, _) => "auto",
            (false, false, _) => "manual",
            (false, true, false) => "disabled",
            (false, true, true) => "auto",
        };
        let _ = writeln!(s, "\n[{section}]\nmethod={method}");
        for (n, a) in addrs.iter().enumerate() {
            let _ = writeln!(s, "address{}={a}", n + 1);
        }
        if let Some((ip, g)) = gw
            && ip.is_ipv6() == is_v6
        {
            let _ = writeln!(s, "gateway={g}");
        }
        if !dns.is_empty() {
            let _ = writeln!(s, "dns={dns}");
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::{connection_id, keyfile};
    use crate::answer::{Interface, InterfaceMatch};

    fn iface(m: InterfaceMatch, dhcp: bool, addresses: &[&str]) -> Interface {
        Interface {
            matcher: m,
            dhcp,
            addresses: addresses.iter().map(|s| (*s).to_owned()).collect(),
            gateway: None,
            dns: vec![],
        }
    }

    #[test]
    fn first_with_link_is_bound_to_no_interface() {
        let i = iface(
            InterfaceMatch {
                first_with_link: Some(true),
                ..Default::default()
            },
            true,
            &[],
        );
        assert_eq!(connection_id(&i), "first-link");
        let k = keyfile(&i, "first-link").unwrap();
        assert!(
            !k.contains("interface-name=") && !k.contains("mac-address="),
            "{k}"
        );
        assert!(k.contains("autoconnect-priority=-1\n"), "{k}");
    }

    #[test]
    fn static_ipv4_only_leaves_ipv6_to_router_advertisements() {
        let i = iface(
            InterfaceMatch {
                name: Some("eno1".into()),
                ..Default::default()
            },
            false,
            &["192.0.2.10/24"],
        );
        let k = keyfile(&i, "eno1").unwrap();
        assert!(
            k.contains("[ipv4]\nmethod=manual\naddress1=192.0.2.10/24\n"),
            "{k}"
        );
        assert!(k.contains("[ipv6]\nmethod=auto\n"), "{k}");
        let bad = iface(InterfaceMatch::default(), false, &["not-an-ip/24"]);
        assert!(keyfile(&bad, "x").is_err());
    }
}

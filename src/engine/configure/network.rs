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

use crate::plan::{Bind, Connection};

use super::{ConfigureError, Context, Log, at, io_err, write_file};

const DIR: &str = "/etc/NetworkManager/system-connections";

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let connections = &ctx.plan.network;
    if connections.is_empty() {
        log.info("network: no interfaces configured; NetworkManager's default (DHCP on all)");
        return Ok(());
    }
    let dir = at(ctx.root, DIR);
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir).map_err(io_err(format!("creating {DIR}")))?;
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(io_err(format!("setting the mode of {DIR}")))?;
    }
    for c in connections {
        write_file(
            ctx.root,
            &format!("{DIR}/{}.nmconnection", c.id),
            keyfile(c).as_bytes(),
            0o600,
        )?;
        let how = if c.dhcp { "DHCP" } else { "static" };
        log.info(format!("network: {} ({how})", c.id));
    }
    Ok(())
}

/// The keyfile text for one connection.
fn keyfile(c: &Connection) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(s, "# Written by azl-installer from [[network.interfaces]].");
    let _ = writeln!(
        s,
        "[connection]\nid={}\nuuid={}",
        c.id,
        uuid::Uuid::new_v4()
    );
    let _ = writeln!(s, "type=ethernet\nautoconnect=true");
    match &c.bind {
        Bind::Name(name) => {
            let _ = writeln!(s, "interface-name={name}");
        }
        Bind::Mac(_) => {}
        Bind::FirstWithLink => {
            let _ = writeln!(s, "autoconnect-priority=-1\nmulti-connect=single");
        }
    }
    let _ = writeln!(s, "\n[ethernet]");
    if let Bind::Mac(mac) = &c.bind {
        let _ = writeln!(s, "mac-address={mac}");
    }
    for (section, addrs, is_v6) in [("ipv4", &c.ipv4, false), ("ipv6", &c.ipv6, true)] {
        // Static IPv4 without an IPv4 address is off; IPv6 is left to router
        // advertisements (NetworkManager's and Anaconda's default) unless given.
        let method = match (c.dhcp, addrs.is_empty(), is_v6) {
            (true, _, _) => "auto",
            (false, false, _) => "manual",
            (false, true, false) => "disabled",
            (false, true, true) => "auto",
        };
        let _ = writeln!(s, "\n[{section}]\nmethod={method}");
        for (n, a) in addrs.iter().enumerate() {
            let _ = writeln!(s, "address{}={a}", n + 1);
        }
        if let Some(g) = c.gateway.filter(|g| g.is_ipv6() == is_v6) {
            let _ = writeln!(s, "gateway={g}");
        }
        let dns: String = c
            .dns
            .iter()
            .filter(|d| d.is_ipv6() == is_v6)
            .map(|d| format!("{d};"))
            .collect();
        if !dns.is_empty() {
            let _ = writeln!(s, "dns={dns}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::keyfile;
    use crate::plan::{Bind, Connection};

    fn conn(bind: Bind, dhcp: bool, ipv4: &[&str]) -> Connection {
        Connection {
            id: "x".into(),
            bind,
            dhcp,
            ipv4: ipv4.iter().map(|s| (*s).to_owned()).collect(),
            ipv6: vec![],
            gateway: None,
            dns: vec![],
        }
    }

    #[test]
    fn first_with_link_is_bound_to_no_interface() {
        let k = keyfile(&conn(Bind::FirstWithLink, true, &[]));
        assert!(
            !k.contains("interface-name=") && !k.contains("mac-address="),
            "{k}"
        );
        assert!(k.contains("autoconnect-priority=-1\n"), "{k}");
    }

    #[test]
    fn static_ipv4_only_leaves_ipv6_to_router_advertisements() {
        let mut c = conn(Bind::Name("eno1".into()), false, &["192.0.2.10/24"]);
        c.gateway = Some("192.0.2.1".parse().unwrap());
        c.dns = vec![
            "192.0.2.53".parse().unwrap(),
            "2001:db8::53".parse().unwrap(),
        ];
        let k = keyfile(&c);
        assert!(
            k.contains("[ipv4]\nmethod=manual\naddress1=192.0.2.10/24\ngateway=192.0.2.1\ndns=192.0.2.53;\n"),
            "{k}"
        );
        assert!(
            k.contains("[ipv6]\nmethod=auto\ndns=2001:db8::53;\n"),
            "{k}"
        );
    }
}

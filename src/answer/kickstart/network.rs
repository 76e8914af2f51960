//! `network`: NICs, bonds, VLANs and bridges with their addresses, and the host name.

use super::{Ctx, Opts};
use crate::answer::{
    Addressing, Bond, BondMode, Bridge, Interface, InterfaceMatch, Ipv6Mode, LacpRate, LinkRef,
    Vlan,
};

const VALUED: &[&str] = &[
    "bootproto",
    "device",
    "ip",
    "netmask",
    "gateway",
    "nameserver",
    "hostname",
    "bondslaves",
    "bondopts",
    "vlanid",
    "interfacename",
    "ipv6",
    "ipv6gateway",
    "onboot",
    "mtu",
    "bridgeslaves",
    "bridgeopts",
    "ethtool",
    "dhcpclass",
    "essid",
    "wepkey",
    "wpakey",
    "teamslaves",
    "teamconfig",
];

pub(super) fn command(cx: &mut Ctx, line: usize, name: &str, args: &[String]) -> bool {
    if name != "network" {
        return false;
    }
    let mut o = Opts::new(args, VALUED);
    if let Some(h) = o.value(&["hostname"]) {
        cx.answer.system.hostname = Some(h);
    }
    // A line with only --hostname configures no connection.
    if o.rest_is_empty() {
        return true;
    }
    // Whether the installer's own network is brought up now: this installer's live
    // network comes from the kernel command line, not from the kickstart.
    if o.flag(&["activate"]) {
        cx.warn(
            line,
            "network",
            "--activate: the installer's own network is set by ip= on the kernel command line",
        );
    }
    o.flag(&["no-activate"]);
    if let Some(v) = o.value(&["onboot"])
        && matches!(v.as_str(), "no" | "off" | "false" | "0")
    {
        cx.warn(
            line,
            "network",
            "--onboot=no: the connection is configured to start at boot",
        );
    }
    let addressing = addressing(cx, line, &mut o);
    let device = o.value(&["device"]);
    let bond_members = o.list(&["bondslaves"]);
    let bridge_ports = o.list(&["bridgeslaves"]);
    let vlan = o.value(&["vlanid"]);
    let ifname = o.value(&["interfacename"]);
    if !bond_members.is_empty() {
        let name = device.unwrap_or_else(|| "bond0".into());
        let mut bond = Bond {
            name,
            members: bond_members.into_iter().map(LinkRef::Name).collect(),
            mode: BondMode::default(),
            miimon: None,
            lacp_rate: None,
            primary: None,
            addressing: if vlan.is_some() {
                Addressing::default()
            } else {
                addressing.clone()
            },
        };
        let opts = o.value(&["bondopts"]);
        let bond_name = bond.name.clone();
        let bad = bond_options(&mut bond, opts.as_deref());
        // A VLAN on the bond: the bond carries no addresses of its own (Anaconda's form).
        if vlan.is_some() {
            bond.addressing.dhcp = false;
            bond.addressing.ipv6 = Some(Ipv6Mode::Disabled);
        }
        cx.answer.network.bonds.push(bond);
        for b in bad {
            cx.warn(line, "network", format!("--bondopts {b} is not converted"));
        }
        if let Some(id) = vlan {
            push_vlan(cx, line, &id, bond_name, ifname, addressing);
        }
    } else if !bridge_ports.is_empty() {
        let name = device.unwrap_or_else(|| "br0".into());
        cx.answer.network.bridges.push(Bridge {
            name,
            ports: bridge_ports.into_iter().map(LinkRef::Name).collect(),
            stp: false,
            addressing,
        });
        if let Some(b) = o.value(&["bridgeopts"]) {
            cx.warn(
                line,
                "network",
                format!("--bridgeopts={b} is not converted"),
            );
        }
    } else if let Some(id) = vlan {
        match device {
            Some(d) => push_vlan(cx, line, &id, d, ifname, addressing),
            None => cx.warn(line, "network", "--vlanid without --device: not converted"),
        }
    } else {
        let matcher = match device.as_deref() {
            None | Some("link") => InterfaceMatch {
                first_with_link: Some(true),
                ..Default::default()
            },
            Some("bootif") => {
                cx.warn(
                    line,
                    "network",
                    "--device=bootif: the first NIC with a link is configured instead",
                );
                InterfaceMatch {
                    first_with_link: Some(true),
                    ..Default::default()
                }
            }
            Some(d) if is_mac(d) => InterfaceMatch {
                mac: Some(d.to_ascii_lowercase()),
                ..Default::default()
            },
            Some(d) => InterfaceMatch {
                name: Some(d.to_string()),
                ..Default::default()
            },
        };
        // Several lines about one device: the last one says how it is configured.
        let n = &mut cx.answer.network;
        n.interfaces.retain(|i| i.matcher != matcher);
        n.interfaces.push(Interface {
            matcher,
            addressing,
        });
    }
    cx.leftover(line, "network", &mut o);
    true
}

impl Opts {
    fn rest_is_empty(&self) -> bool {
        self.opts.is_empty() && self.args.is_empty()
    }
}

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn push_vlan(
    cx: &mut Ctx,
    line: usize,
    id: &str,
    on: String,
    name: Option<String>,
    addressing: Addressing,
) {
    match id.parse::<u16>() {
        Ok(id) => cx.answer.network.vlans.push(Vlan {
            id,
            on: LinkRef::Name(on),
            name,
            addressing,
        }),
        Err(_) => cx.warn(
            line,
            "network",
            format!("--vlanid={id} is not a number: not converted"),
        ),
    }
}

/// The addressing options: DHCP or static IPv4, IPv6, gateway, DNS, MTU.
fn addressing(cx: &mut Ctx, line: usize, o: &mut Opts) -> Addressing {
    let mut a = Addressing::default();
    match o.value(&["bootproto"]).as_deref() {
        None | Some("dhcp") | Some("bootp") => {}
        Some("static") => a.dhcp = false,
        Some("ibft") => cx.warn(
            line,
            "network",
            "--bootproto=ibft is not converted: DHCP is used",
        ),
        Some(other) => cx.warn(
            line,
            "network",
            format!("--bootproto={other} is not converted: DHCP is used"),
        ),
    }
    if let Some(ip) = o.value(&["ip"]) {
        let prefix = match o.value(&["netmask"]) {
            Some(m) => netmask_prefix(&m).unwrap_or_else(|| {
                cx.warn(
                    line,
                    "network",
                    format!("--netmask={m} is not a netmask: /24 assumed"),
                );
                24
            }),
            None => {
                cx.warn(line, "network", "--ip without --netmask: /24 assumed");
                24
            }
        };
        a.addresses.push(format!("{ip}/{prefix}"));
    }
    a.gateway = o.value(&["gateway"]);
    a.dns = o.list(&["nameserver"]);
    match o.value(&["ipv6"]).as_deref() {
        None => {}
        Some("auto") => a.ipv6 = Some(Ipv6Mode::Auto),
        Some("dhcp") => a.ipv6 = Some(Ipv6Mode::Dhcp),
        Some("ignore") => a.ipv6 = Some(Ipv6Mode::Disabled),
        Some(addr) => {
            // An address without a prefix is a /64, as Anaconda takes it.
            let with = if addr.contains('/') {
                addr.to_string()
            } else {
                format!("{addr}/64")
            };
            a.addresses.push(with);
        }
    }
    if o.flag(&["noipv6"]) {
        a.ipv6 = Some(Ipv6Mode::Disabled);
    }
    if let Some(g) = o.value(&["ipv6gateway"]) {
        if a.gateway.is_some() {
            a.gateway6 = Some(g);
        } else {
            a.gateway = Some(g);
        }
    }
    if let Some(m) = o.value(&["mtu"]) {
        match m.parse() {
            Ok(m) => a.mtu = Some(m),
            Err(_) => cx.warn(
                line,
                "network",
                format!("--mtu={m} is not a number: not converted"),
            ),
        }
    }
    a
}

/// 255.255.255.0 -> 24; a prefix written as a number is taken as is.
fn netmask_prefix(m: &str) -> Option<u32> {
    if let Ok(p) = m.trim_start_matches('/').parse::<u32>() {
        return (p <= 32).then_some(p);
    }
    let ip: std::net::Ipv4Addr = m.parse().ok()?;
    let bits = u32::from(ip);
    // Contiguous ones only.
    (bits.leading_ones() + bits.trailing_zeros() == 32).then_some(bits.leading_ones())
}

/// Applies `--bondopts` (`mode=802.3ad,miimon=100` or with `;`); returns what it could not.
fn bond_options(bond: &mut Bond, opts: Option<&str>) -> Vec<String> {
    let mut bad = Vec::new();
    let Some(opts) = opts else { return bad };
    let sep = if opts.contains(';') { ';' } else { ',' };
    for kv in opts.split(sep).map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let ok = match k {
            "mode" => match bond_mode(v) {
                Some(m) => {
                    bond.mode = m;
                    true
                }
                None => false,
            },
            "miimon" => v.parse().map(|m| bond.miimon = Some(m)).is_ok(),
            "lacp_rate" => match v {
                "fast" | "1" => {
                    bond.lacp_rate = Some(LacpRate::Fast);
                    true
                }
                "slow" | "0" => {
                    bond.lacp_rate = Some(LacpRate::Slow);
                    true
                }
                _ => false,
            },
            "primary" => {
                bond.primary = Some(v.to_string());
                true
            }
            _ => false,
        };
        if !ok {
            bad.push(kv.to_string());
        }
    }
    bad
}

fn bond_mode(v: &str) -> Option<BondMode> {
    BondMode::from_kernel(v)
}

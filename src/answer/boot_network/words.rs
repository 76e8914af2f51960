//! One word of the kernel command line at a time: the fields of `ip=` (an IPv6 address in
//! brackets kept whole), its autoconfiguration word, address and netmask, bond options.

use std::net::{IpAddr, Ipv4Addr};

use crate::answer::{Bond, BondMode, Ipv6Mode, LacpRate};

pub(super) const IP_USAGE: &str = "expected ip=dhcp, ip=NIC:dhcp, or \
    ip=ADDRESS::GATEWAY:NETMASK:HOSTNAME:NIC:none (dracut.cmdline(7))";

pub(super) const MAC_UNSUPPORTED: &str =
    "setting a NIC's MAC address is not supported (name the NIC by MAC with ifname=NAME:MAC)";

/// What one ip= word sets.
#[derive(Debug, Default)]
pub(super) struct Set {
    pub dhcp: bool,
    pub ipv6: Option<Ipv6Mode>,
    pub addresses: Vec<String>,
    pub gateway: Option<String>,
    pub gateway6: Option<String>,
    pub dns: Vec<String>,
    pub mtu: Option<u32>,
}

/// The autoconfiguration word: none/off (static only), dhcp/on/any, dhcp6, auto6, either6.
pub(super) fn autoconf(word: &str) -> Result<Set, String> {
    let (dhcp, ipv6) = match word {
        "none" | "off" => (false, None),
        "dhcp" | "on" | "any" => (true, None),
        "dhcp6" => (false, Some(Ipv6Mode::Dhcp)),
        "auto6" | "either6" => (false, Some(Ipv6Mode::Auto)),
        other => {
            return Err(format!(
                "{other:?} is not supported: none, off, dhcp, on, any, dhcp6, auto6 or either6"
            ));
        }
    };
    Ok(Set {
        dhcp,
        ipv6,
        ..Set::default()
    })
}

/// ip=ADDRESS:PEER:GATEWAY:NETMASK:HOSTNAME:NIC:AUTOCONF[:MTU[:MAC]] or [:DNS1[:DNS2]].
/// The host name is the live system's and is not used (the installed one comes from the
/// answer).
pub(super) fn static_ip(f: &[String]) -> Result<Set, String> {
    let mut set = autoconf(&f[6])?;
    if !f[1].is_empty() {
        return Err("a point-to-point peer is not supported (leave the second field empty)".into());
    }
    if f[5].is_empty() {
        return Err("the sixth field names the NIC (or bond, VLAN, bridge) to configure".into());
    }
    if !f[0].is_empty() {
        set.addresses.push(with_prefix(&f[0], &f[3])?);
    } else if !set.dhcp && set.ipv6.is_none() {
        return Err("no address, and no DHCP or IPv6 autoconfiguration".into());
    }
    if !f[2].is_empty() {
        let gw = parse_ip(&f[2]).ok_or(format!("gateway {:?} is not an IP address", f[2]))?;
        if gw.is_ipv4() {
            set.gateway = Some(gw.to_string());
        } else {
            set.gateway6 = Some(gw.to_string());
        }
    }
    for extra in f.iter().skip(7).filter(|x| !x.is_empty()) {
        if let Some(ip) = parse_ip(extra) {
            set.dns.push(ip.to_string());
        } else if let Ok(mtu) = extra.parse() {
            set.mtu = Some(mtu);
        } else if is_mac(extra) {
            return Err(MAC_UNSUPPORTED.into());
        } else {
            return Err(format!("{extra:?} is not an MTU or a DNS server"));
        }
    }
    Ok(set)
}

/// "ADDRESS/PREFIX" from the address field ("192.0.2.10", "192.0.2.10/24", "[2001:db8::10]")
/// and the netmask field ("255.255.255.0", "24", "64", empty when the address has a prefix).
fn with_prefix(addr: &str, netmask: &str) -> Result<String, String> {
    let (addr, own) = match addr.rsplit_once('/') {
        Some((a, p)) if !a.ends_with(']') || a.starts_with('[') => (a, Some(p)),
        _ => (addr, None),
    };
    let ip = parse_ip(addr).ok_or(format!("{addr:?} is not an IP address"))?;
    let prefix = match (own, netmask) {
        (Some(p), _) => p.to_string(),
        (None, "") if ip.is_ipv6() => "64".into(),
        (None, "") => return Err(format!("{addr} needs a netmask (fourth field) or /PREFIX")),
        (None, m) => match m.parse::<Ipv4Addr>() {
            Ok(mask) => {
                let bits = u32::from(mask);
                if bits.leading_ones() + bits.trailing_zeros() != 32 {
                    return Err(format!("netmask {m} is not contiguous"));
                }
                bits.leading_ones().to_string()
            }
            Err(_) => m.to_string(),
        },
    };
    Ok(format!("{ip}/{prefix}"))
}

/// An IP address, IPv6 possibly in brackets.
pub(super) fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

pub(super) use crate::answer::validate::is_mac;

/// Colon-separated fields, an IPv6 address in brackets kept whole.
pub(super) fn fields(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut bracket = false;
    for c in v.chars() {
        match c {
            ':' if !bracket => out.push(std::mem::take(&mut cur)),
            c => {
                bracket = match c {
                    '[' => true,
                    ']' => false,
                    _ => bracket,
                };
                cur.push(c);
            }
        }
    }
    out.push(cur);
    out
}

pub(super) fn bond_option(bond: &mut Bond, opt: &str) -> Result<(), String> {
    let (k, v) = opt
        .split_once('=')
        .ok_or(format!("option {opt:?} is not KEY=VALUE"))?;
    match k {
        "mode" => {
            bond.mode = BondMode::from_kernel(v)
                .ok_or(format!("bond mode {v:?} is not one of the kernel's (0-6)"))?
        }
        "miimon" => {
            bond.miimon = Some(
                v.parse()
                    .map_err(|_| format!("miimon {v:?} is not a number"))?,
            )
        }
        "lacp_rate" => {
            bond.lacp_rate = Some(match v {
                "slow" | "0" => LacpRate::Slow,
                "fast" | "1" => LacpRate::Fast,
                _ => return Err(format!("lacp_rate {v:?}: slow or fast")),
            })
        }
        "primary" => bond.primary = Some(v.to_string()),
        _ => {
            return Err(format!(
                "bond option {k:?} is not supported: mode, miimon, lacp_rate, primary"
            ));
        }
    }
    Ok(())
}

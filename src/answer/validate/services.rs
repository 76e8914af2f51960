//! `[time]`, `[firewall]`, `[kdump]` and `[network.proxy]`: host names, firewalld names and
//! ports, the crashkernel= syntax, the proxy's URL.

use std::net::IpAddr;

use crate::answer::{Answer, Issue, shown};

use super::is_domain;

pub(super) fn check(answer: &Answer, out: &mut Vec<Issue>) {
    if let Some(t) = &answer.time {
        if t.servers.is_empty() && t.pools.is_empty() {
            out.push(
                Issue::new("time", "no NTP server or pool given")
                    .with_hint("servers = [\"ntp1.example.com\"] or pools = [\"pool.ntp.org\"]; leave [time] out for the distribution's default"),
            );
        }
        let secs = t.sync_timeout.0.as_secs();
        if !(1..=3600).contains(&secs) {
            out.push(
                Issue::new(
                    "time.sync_timeout",
                    format!("{secs} s is not between 1 s and 1 h"),
                )
                .with_hint("sync_timeout = \"2m\""),
            );
        }
        for (key, hosts) in [("servers", &t.servers), ("pools", &t.pools)] {
            for (i, h) in hosts.iter().enumerate() {
                if !is_host(h) {
                    out.push(Issue::new(
                        format!("time.{key}[{i}]"),
                        format!("{} is neither a host name nor an IP address", shown(h)),
                    ));
                }
            }
        }
    }
    if let Some(f) = &answer.firewall {
        if !is_name(&f.zone, 17) {
            out.push(Issue::new(
                "firewall.zone",
                format!(
                    "{} is not a firewalld zone name (letters, digits, \"-\", \"_\"; 17 at most)",
                    shown(&f.zone)
                ),
            ));
        }
        for (i, s) in f.services.iter().enumerate() {
            if !is_name(s, 64) {
                out.push(
                    Issue::new(
                        format!("firewall.services[{i}]"),
                        format!("{} is not a firewalld service name", shown(s)),
                    )
                    .with_hint("e.g. \"https\"; for a bare port use ports = [\"8443/tcp\"]"),
                );
            }
        }
        for (i, p) in f.ports.iter().enumerate() {
            if let Err(e) = port(p) {
                out.push(Issue::new(format!("firewall.ports[{i}]"), e).with_hint(
                    "PORT/PROTOCOL or FIRST-LAST/PROTOCOL: \"8443/tcp\", \"6000-6010/udp\"",
                ));
            }
        }
        if !f.enable && (!f.services.is_empty() || !f.ports.is_empty()) {
            out.push(
                Issue::new(
                    "firewall.enable",
                    "enable = false, but services or ports are given",
                )
                .with_hint(
                    "with the firewall off everything is allowed: remove them, or enable it",
                ),
            );
        }
    }
    if let Some(k) = &answer.kdump
        && k.enable
        && !is_crashkernel(&k.crashkernel)
    {
        out.push(
            Issue::new(
                "kdump.crashkernel",
                format!("{} is not a crashkernel= size", shown(&k.crashkernel)),
            )
            .with_hint("\"512M\", or ranges \"1G-64G:256M,64G-:512M\""),
        );
    }
    if let Some(p) = &answer.network.proxy {
        if let Err(e) = super::url::check(&p.url, &["http", "https"]) {
            out.push(Issue::new("network.proxy.url", e));
        }
        for (i, h) in p.no_proxy.iter().enumerate() {
            if h.is_empty() || h.contains(|c: char| c.is_whitespace() || c == ',') {
                out.push(Issue::new(
                    format!("network.proxy.no_proxy[{i}]"),
                    format!("{} is not a host, domain or network", shown(h)),
                ));
            }
        }
    }
}

fn is_host(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok() || (is_domain(s) && !s.starts_with('~'))
}

fn is_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// "443/tcp", "6000-6010/udp".
fn port(s: &str) -> Result<(), String> {
    let Some((range, proto)) = s.split_once('/') else {
        return Err(format!("{} has no protocol", shown(s)));
    };
    if !["tcp", "udp", "sctp", "dccp"].contains(&proto) {
        return Err(format!("{} is not tcp, udp, sctp or dccp", shown(proto)));
    }
    let number = |p: &str| p.parse::<u16>().ok().filter(|n| *n > 0);
    let ok = match range.split_once('-') {
        Some((a, b)) => matches!((number(a), number(b)), (Some(a), Some(b)) if a <= b),
        None => number(range).is_some(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not a port (1-65535) or a range of them",
            shown(range)
        ))
    }
}

/// The kernel's crashkernel= forms: SIZE[@OFFSET], or RANGE:SIZE[,RANGE:SIZE...] where a
/// range is START-[END]; sizes are numbers with an optional K, M or G.
fn is_crashkernel(s: &str) -> bool {
    let size = |p: &str| {
        let digits = p.trim_end_matches(['K', 'M', 'G']);
        !digits.is_empty()
            && p.len() - digits.len() <= 1
            && digits.chars().all(|c| c.is_ascii_digit())
    };
    if !s.contains(':') {
        return match s.split_once('@') {
            Some((a, b)) => size(a) && size(b),
            None => size(s),
        };
    }
    s.split(',').all(|part| {
        let Some((range, amount)) = part.split_once(':') else {
            return false;
        };
        let Some((start, end)) = range.split_once('-') else {
            return false;
        };
        size(start) && (end.is_empty() || size(end)) && size(amount)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_crashkernel_sizes() {
        assert!(port("443/tcp").is_ok());
        assert!(port("6000-6010/udp").is_ok());
        assert!(port("443").is_err());
        assert!(port("0/tcp").is_err());
        assert!(port("10-5/tcp").is_err());
        assert!(port("443/icmp").is_err());
        assert!(is_crashkernel("512M"));
        assert!(is_crashkernel("256M@16M"));
        assert!(is_crashkernel("1G-64G:256M,64G-:512M"));
        assert!(!is_crashkernel("auto"));
        assert!(!is_crashkernel("512MB"));
        assert!(!is_crashkernel("1G-64G"));
    }
}

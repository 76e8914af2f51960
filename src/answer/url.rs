//! Credentials in URLs (`https://user:password@host/...`): every message, log line and
//! event shows such a URL with the credentials masked, and the programs that need them
//! (dnf) get them apart from the URL, so their own output cannot repeat them either.

use std::borrow::Cow;

/// The user and password of a URL, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: Option<String>,
}

/// Where the `user:password` of `url` is, as a byte range, when it has one.
fn userinfo(url: &str) -> Option<std::ops::Range<usize>> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some(start..start + at)
}

/// Whether `url` is fetched over the network (http or https, in any case).
pub fn is_remote(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://")
}

/// `url` as messages show it: `https://***@host/...` when it carries credentials.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    match userinfo(url) {
        Some(r) => format!("{}***{}", &url[..r.start], &url[r.end..]).into(),
        None => url.into(),
    }
}

/// `url` without its credentials, and the credentials.
pub fn split_credentials(url: &str) -> (String, Option<Credentials>) {
    let Some(r) = userinfo(url) else {
        return (url.to_owned(), None);
    };
    let info = &url[r.clone()];
    let (user, password) = match info.split_once(':') {
        Some((u, p)) => (u, Some(percent_decode(p))),
        None => (info, None),
    };
    let bare = format!("{}{}", &url[..r.start], &url[r.end + 1..]);
    let creds = Credentials {
        user: percent_decode(user),
        password,
    };
    (bare, Some(creds))
}

/// `%XX` escapes decoded; anything that is not a valid escape is kept as it is.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a download from `url` goes through a proxy that `no_proxy` (hosts, ".domain" or
/// "domain" suffixes, IP addresses, CIDR networks, "*") does not exempt: only http(s) URLs
/// do.
pub fn proxied(url: &str, no_proxy: &[String]) -> bool {
    let (plain, _) = split_credentials(url);
    let Some(rest) = plain
        .strip_prefix("http://")
        .or_else(|| plain.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    }
    .to_ascii_lowercase();
    let ip = host.parse::<std::net::IpAddr>().ok();
    !no_proxy.iter().any(|entry| {
        let e = entry.trim().to_ascii_lowercase();
        if e == "*" {
            return true;
        }
        if let (Some(ip), Some((net, bits))) = (ip, e.split_once('/')) {
            return in_network(ip, net, bits);
        }
        let domain = e.trim_start_matches('.');
        host == domain || host.ends_with(&format!(".{domain}"))
    })
}

fn in_network(ip: std::net::IpAddr, net: &str, bits: &str) -> bool {
    use std::net::IpAddr;
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_exempts_hosts_domains_and_networks() {
        let np: Vec<String> = [
            "localhost",
            ".corp.example",
            "10.0.0.0/8",
            "mirror.example.com",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert!(proxied("https://packages.example.org/base", &np));
        assert!(!proxied("http://repo.corp.example:8080/x", &np));
        assert!(!proxied("http://corp.example/x", &np));
        assert!(!proxied("http://u:p@10.1.2.3/repo", &np));
        assert!(!proxied("https://mirror.example.com/", &np));
        assert!(proxied("https://evilmirror.example.com/", &np));
        assert!(!proxied("file:///run/install/repo", &np));
        assert!(!proxied("http://[::1]:80/", &["*".into()]));
    }

    #[test]
    fn credentials_are_masked_and_split_off() {
        let u = "https://deploy:s%40cret@mirror.example.com:8443/azl/4.0/";
        assert_eq!(
            redact_url(u),
            "https://***@mirror.example.com:8443/azl/4.0/"
        );
        let (bare, creds) = split_credentials(u);
        assert_eq!(bare, "https://mirror.example.com:8443/azl/4.0/");
        assert_eq!(
            creds,
            Some(Credentials {
                user: "deploy".into(),
                password: Some("s@cret".into())
            })
        );
        // A token as the user name alone is a credential too.
        assert_eq!(redact_url("https://tok@h/x"), "https://***@h/x");
        assert_eq!(split_credentials("https://tok@h/x").0, "https://h/x");
    }

    #[test]
    fn an_at_sign_after_the_host_is_not_a_credential() {
        for u in [
            "https://h.example/path@v2/x",
            "http://h/x?mail=a@b",
            "file:///srv/a@b/repo",
            "no url at all",
        ] {
            assert_eq!(redact_url(u), u);
            assert_eq!(split_credentials(u), (u.to_owned(), None));
        }
    }
}

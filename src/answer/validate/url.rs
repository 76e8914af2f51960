//! URL syntax for repositories, keys and the webhook, without a URL crate: the answer file
//! only ever needs `file:///abs/path`, `http://host[:port]/...` and `https://...`.

use crate::answer::{redact_url, shown};

/// A URL as a message repeats it: credentials masked, quoted, cut.
fn shown_url(url: &str) -> String {
    shown(redact_url(url))
}

/// Checks `url` for one of `schemes` ("file", "http", "https"); the error says what is wrong.
pub(super) fn check(url: &str, schemes: &[&str]) -> Result<(), String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{url_shown} contains whitespace",
            url_shown = shown_url(url)
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "{url_shown} is not a URL (expected scheme://...)",
            url_shown = shown_url(url)
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if !schemes.contains(&scheme.as_str()) {
        let list: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
        let list = match list.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => list.concat(),
        };
        return Err(format!(
            "scheme \"{scheme}://\" is not supported here; use {list}"
        ));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if scheme == "file" {
        // file://localhost/x is the same as file:///x; any other host is not local.
        if !(authority.is_empty() || authority == "localhost") {
            return Err(format!(
                "{url_shown} names host {authority_shown}; a file:// URL needs an absolute path \
                 (file:///path)",
                url_shown = shown_url(url),
                authority_shown = shown(authority.rsplit_once('@').map_or(authority, |(_, h)| h))
            ));
        }
        if path.is_empty() || path == "/" {
            return Err(format!(
                "{url_shown} has no path",
                url_shown = shown_url(url)
            ));
        }
        return Ok(());
    }
    host_port(authority).map_err(|e| format!("{url_shown}: {e}", url_shown = shown_url(url)))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`, optionally after `user@`.
fn host_port(authority: &str) -> Result<(), String> {
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("unclosed \"[\" in the host")?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!(
                "{addr_shown} is not an IPv6 address",
                addr_shown = shown(addr)
            ));
        }
        match after {
            "" => (addr, None),
            p => (addr, Some(p.strip_prefix(':').ok_or("junk after \"]\"")?)),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err("no host name".into());
    }
    if !hostport.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~%".contains(c))
    {
        return Err(format!(
            "{host_shown} is not a valid host name",
            host_shown = shown(host)
        ));
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |n| n == 0)
    {
        return Err(format!(
            "{p_shown} is not a port number",
            p_shown = shown(p)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    const ALL: &[&str] = &["file", "http", "https"];

    #[test]
    fn good_urls_pass() {
        for url in [
            "file:///run/install/repo",
            "file://localhost/srv/repo",
            "https://mirror.example.com/azl/4.0/",
            "http://192.0.2.1:8080/repo",
            "https://[2001:db8::1]:443/repo",
        ] {
            assert_eq!(check(url, ALL), Ok(()), "{url}");
        }
    }

    #[test]
    fn bad_urls_say_why() {
        for (url, why) in [
            ("ftp://x/repo", "not supported"),
            ("/run/install/repo", "not a URL"),
            ("file://run/install/repo", "needs an absolute path"),
            ("https:///repo", "no host"),
            ("https://exa mple.com", "whitespace"),
            ("https://example.com:99999/", "not a port"),
            ("file:///", "no path"),
        ] {
            let err = check(url, ALL).expect_err(url);
            assert!(err.contains(why), "{url}: {err}");
        }
    }
}

//! Where an answer file comes from: a path, a URL, or `inst.answer=` on the kernel command
//! line (the ISO's unattended mode).

use std::path::{Path, PathBuf};

/// Where the live ISO mounts its own media (the repository and any answer file on it).
pub const MEDIA_ROOT: &str = "/run/install/repo";

/// An answer file's location, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    /// The URL, and the identifying request headers to send for it (`inst.sendmac`, ...).
    Url(String, Vec<(String, String)>),
    /// A kickstart file at a path or URL (`inst.ks=`), converted into the answer.
    Kickstart(Box<Source>),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Url(u, _) => f.write_str(&crate::answer::redact_url(u)),
            Source::Kickstart(s) => write!(f, "kickstart {s}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error(
        "inst.answer={0:?} is not understood: expected a path, file:/path, http(s)://URL or media:/path"
    )]
    Unsupported(String),
    #[error("no inst.answer= on the kernel command line ({0}), and no inst.ks=")]
    Missing(String),
}

/// Parses an answer location: `/path`, `file:/path`, `file:///path`, `http(s)://...`, or
/// `media:/path` / `cdrom:/path` (a file on the install media).
pub fn parse(text: &str) -> Result<Source, SourceError> {
    let t = text.trim();
    // Schemes are case-insensitive (RFC 3986): HTTP:// is http://.
    let scheme = t.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if matches!(scheme.as_deref(), Some("http" | "https")) {
        return Ok(Source::Url(t.to_string(), Vec::new()));
    }
    if let Some(rest) = t
        .strip_prefix("file://")
        .or_else(|| t.strip_prefix("file:"))
    {
        if rest.starts_with('/') {
            return Ok(Source::Path(PathBuf::from(rest)));
        }
        return Err(SourceError::Unsupported(
            crate::answer::redact_url(t).into_owned(),
        ));
    }
    if let Some(rest) = t
        .strip_prefix("media:")
        .or_else(|| t.strip_prefix("cdrom:"))
    {
        let rel = rest.trim_start_matches('/');
        if rel.is_empty() || rel.split('/').any(|c| c == "..") {
            return Err(SourceError::Unsupported(
                crate::answer::redact_url(t).into_owned(),
            ));
        }
        return Ok(Source::Path(Path::new(MEDIA_ROOT).join(rel)));
    }
    if t.contains("://") || t.is_empty() {
        return Err(SourceError::Unsupported(
            crate::answer::redact_url(t).into_owned(),
        ));
    }
    Ok(Source::Path(PathBuf::from(t)))
}

/// The `inst.answer=` value on a kernel command line, if any (the last one wins, as the
/// kernel's own parameters do). Values may be double-quoted.
pub fn from_cmdline(cmdline: &str) -> Option<String> {
    let mut found = None;
    for word in split_cmdline(cmdline) {
        if let Some(v) = word.strip_prefix("inst.answer=") {
            found = Some(v.to_string());
        }
    }
    found
}

/// The `inst.ks=` value on a kernel command line, if any (the last one wins): a
/// kickstart file, imported as the answer when there is no `inst.answer=`.
pub fn ks_from_cmdline(cmdline: &str) -> Option<String> {
    split_cmdline(cmdline)
        .into_iter()
        .filter_map(|w| w.strip_prefix("inst.ks=").map(str::to_string))
        .next_back()
}

/// The `inst.proxy=` value on a kernel command line, if any: the proxy the answer file
/// itself is fetched through (the answer's `[network.proxy]` takes over once it is read).
pub fn proxy_from_cmdline(cmdline: &str) -> Option<String> {
    split_cmdline(cmdline)
        .into_iter()
        .filter_map(|w| w.strip_prefix("inst.proxy=").map(str::to_string))
        .next_back()
}

/// The webhook a kernel command line names: `inst.webhook=` (URL), `inst.webhook.token=`
/// (bearer token), `inst.webhook.cert=`, `inst.webhook.key=` and `inst.webhook.ca=` (paths
/// of PEM files on the live system).
pub fn webhook_from_cmdline(cmdline: &str) -> crate::answer::Reporting {
    let words = split_cmdline(cmdline);
    let last = |key: &str| {
        words
            .iter()
            .filter_map(|w| w.strip_prefix(key).map(str::to_string))
            .next_back()
    };
    crate::answer::Reporting {
        webhook: last("inst.webhook="),
        token: last("inst.webhook.token="),
        client_cert: last("inst.webhook.cert="),
        client_key: last("inst.webhook.key="),
        ca: last("inst.webhook.ca="),
    }
}

/// Splits a kernel command line into words, honouring double quotes like the kernel does.
pub fn split_cmdline(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_an_answer_location() {
        let p = |s: &str| parse(s).unwrap();
        assert_eq!(p("/srv/a.toml"), Source::Path("/srv/a.toml".into()));
        assert_eq!(p("file:/srv/a.toml"), Source::Path("/srv/a.toml".into()));
        assert_eq!(p("file:///srv/a.toml"), Source::Path("/srv/a.toml".into()));
        assert_eq!(
            p("https://x.example/a.toml"),
            Source::Url("https://x.example/a.toml".into(), vec![])
        );
        assert_eq!(
            p("media:/answers/web.toml"),
            Source::Path("/run/install/repo/answers/web.toml".into())
        );
        assert_eq!(
            p("cdrom:/a.toml"),
            Source::Path("/run/install/repo/a.toml".into())
        );
        assert_eq!(p("answer.toml"), Source::Path("answer.toml".into()));
        assert_eq!(
            p("HTTP://10.0.0.1/a.toml"),
            Source::Url("HTTP://10.0.0.1/a.toml".into(), vec![])
        );
        let secret = p("https://deploy:hunter2@x.example/a.toml").to_string();
        assert_eq!(secret, "https://***@x.example/a.toml");
        for bad in [
            "ftp://x/a.toml",
            "file:relative",
            "media:/../etc/shadow",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn answer_from_the_kernel_command_line() {
        let line = "BOOT_IMAGE=/vmlinuz console=ttyS0 inst.answer=http://10.0.0.1/a.toml quiet\n";
        assert_eq!(
            from_cmdline(line).as_deref(),
            Some("http://10.0.0.1/a.toml")
        );
        assert_eq!(from_cmdline("quiet splash"), None);
        assert_eq!(
            from_cmdline("inst.answer=/a.toml inst.answer=\"/b c.toml\"").as_deref(),
            Some("/b c.toml")
        );
    }
}

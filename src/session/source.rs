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
}

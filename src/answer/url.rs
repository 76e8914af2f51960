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

#[cfg(test)]
mod tests {
    use super::*;

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

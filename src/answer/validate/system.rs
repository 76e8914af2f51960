//! `[system]` (host name, time zone, locale, keymap), `[scripts]` and `[reporting]`.

use super::url;
use crate::answer::shown;
use crate::answer::{Issue, Reporting, Scripts, System, is_pem};

pub(super) fn check(s: &System, out: &mut Vec<Issue>) {
    if let Some(h) = &s.hostname
        && let Err(e) = hostname(h)
    {
        out.push(
            Issue::new(
                "system.hostname",
                format!(
                    "{h_shown} is not a valid host name: {e}",
                    h_shown = shown(h)
                ),
            )
            .with_hint("RFC 1123: dot-separated labels of a-z, 0-9 and \"-\""),
        );
    }
    if !timezone(&s.timezone) {
        out.push(
            Issue::new(
                "system.timezone",
                format!("{} is not a time zone", shown(&s.timezone)),
            )
            .with_hint("\"UTC\" or Area/City such as \"Europe/Paris\""),
        );
    }
    if !locale(&s.locale) {
        out.push(
            Issue::new(
                "system.locale",
                format!("{} is not a locale name", shown(&s.locale)),
            )
            .with_hint(
                "language[_TERRITORY][.charset][@modifier], e.g. \"en_US.UTF-8\" or \"C.UTF-8\"",
            ),
        );
    }
    if !keymap(&s.keymap) {
        out.push(
            Issue::new(
                "system.keymap",
                format!("{} is not a keymap name", shown(&s.keymap)),
            )
            .with_hint("letters, digits, \"-\", \"_\" and \".\", e.g. \"us\" or \"de-nodeadkeys\""),
        );
    }
}

/// POSIX locale names as glibc and localectl take them: `C`, `POSIX`, or
/// language[_TERRITORY][.charset][@modifier]. They go into /etc/locale.conf, which login
/// shells source: nothing else may get in.
fn locale(l: &str) -> bool {
    let word = |w: &str, max: usize, extra: &str| {
        !w.is_empty()
            && w.len() <= max
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    let (rest, modifier) = match l.split_once('@') {
        Some((r, m)) => (r, Some(m)),
        None => (l, None),
    };
    let (rest, charset) = match rest.split_once('.') {
        Some((r, c)) => (r, Some(c)),
        None => (rest, None),
    };
    let (lang, territory) = match rest.split_once('_') {
        Some((lang, t)) => (lang, Some(t)),
        None => (rest, None),
    };
    let language = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase());
    let posix = matches!(lang, "C" | "POSIX") && territory.is_none();
    (language || posix)
        && territory.is_none_or(|t| word(t, 3, ""))
        && charset.is_none_or(|c| word(c, 20, "-_"))
        && modifier.is_none_or(|m| word(m, 20, ""))
}

/// Console keymap names as in kbd's keymaps and /etc/vconsole.conf ("us", "de-latin1",
/// "fr_CH", "mac-us"): one word of [A-Za-z0-9_.-].
fn keymap(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && !k.starts_with(['-', '.'])
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// RFC 1123 host name; the error names the first problem.
fn hostname(h: &str) -> Result<(), String> {
    if h.len() > 253 {
        return Err(format!("{} characters, at most 253", h.len()));
    }
    for label in h.split('.') {
        if label.is_empty() {
            return Err("empty label (\"..\", or a leading or trailing dot)".into());
        }
        if label.len() > 63 {
            return Err(format!(
                "label {label_shown} is longer than 63 characters",
                label_shown = shown(label)
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(if c.is_ascii_uppercase() {
                "upper-case letters (write it in lower case)".into()
            } else {
                format!("character {c:?} is not allowed")
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "label {label_shown} starts or ends with \"-\"",
                label_shown = shown(label)
            ));
        }
    }
    Ok(())
}

/// "UTC", or tz database names: Area/Location[/Sub], each part [A-Za-z0-9_+-], the area
/// capitalised. Whether the zone exists is for the target's tzdata, not for this check.
fn timezone(tz: &str) -> bool {
    if tz == "UTC" {
        return true;
    }
    let parts: Vec<&str> = tz.split('/').collect();
    parts.len() >= 2
        && parts[0].starts_with(|c: char| c.is_ascii_uppercase())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
}

pub(super) fn scripts(s: &Scripts, out: &mut Vec<Issue>) {
    for (i, script) in s.post.iter().enumerate() {
        if script.run.trim().is_empty() {
            out.push(Issue::new(
                format!("scripts.post[{i}].run"),
                "the script is empty",
            ));
        }
        if script.timeout.0.is_zero() {
            out.push(
                Issue::new(
                    format!("scripts.post[{i}].timeout"),
                    "a timeout of 0 never runs",
                )
                .with_hint("e.g. \"5m\""),
            );
        }
    }
}

pub(super) fn reporting(r: &Reporting, out: &mut Vec<Issue>) {
    if let Some(hook) = &r.webhook
        && let Err(e) = url::check(hook, &["http", "https"])
    {
        out.push(Issue::new("reporting.webhook", e));
    }
    if let Some(t) = &r.token {
        // Never repeated in the message: it is a secret.
        if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            out.push(Issue::new(
                "reporting.token",
                "a bearer token is one word of printable characters",
            ));
        }
        if r.webhook.is_none() {
            out.push(Issue::new(
                "reporting.token",
                "a token without a webhook to send it to",
            ));
        }
    }
    reporting_tls(r, out);
}

/// The client certificate, its key and the extra CAs: both halves or neither, https only,
/// each PEM text of its kind or an absolute path (read when the install starts).
fn reporting_tls(r: &Reporting, out: &mut Vec<Issue>) {
    let https = r.webhook.as_deref().is_some_and(|w| {
        w.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
    let values = [
        ("client_cert", &r.client_cert, "CERTIFICATE"),
        ("client_key", &r.client_key, "PRIVATE KEY"),
        ("ca", &r.ca, "CERTIFICATE"),
    ];
    for (key, value, kind) in values {
        let Some(v) = value else { continue };
        let path = format!("reporting.{key}");
        if !https {
            out.push(Issue::new(
                &path,
                "applies to an https:// webhook only (reporting.webhook)",
            ));
        }
        if is_pem(v) {
            // Never repeated in the message: a key is a secret.
            if !v.contains(&format!("-----BEGIN {kind}")) && !v.contains(&format!(" {kind}-----")) {
                out.push(Issue::new(
                    &path,
                    format!("the PEM text holds no {kind} block"),
                ));
            }
        } else if !v.starts_with('/') {
            out.push(
                Issue::new(
                    &path,
                    "is the PEM text itself or an absolute path on the live system",
                )
                .with_hint("e.g. \"/run/install/repo/fleet/client.pem\""),
            );
        }
    }
    match (&r.client_cert, &r.client_key) {
        (Some(_), None) => out.push(Issue::new(
            "reporting.client_key",
            "a client certificate needs its private key",
        )),
        (None, Some(_)) => out.push(Issue::new(
            "reporting.client_cert",
            "a private key needs its client certificate",
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        for good in ["web01", "web01.example.com", "a-b.c", "x1"] {
            assert!(hostname(good).is_ok(), "{good}");
        }
        let long_label = "a".repeat(64);
        let long_name = ["abcdefghi"; 26].join(".");
        for bad in [
            "",
            "-web",
            "web-",
            "we_b",
            "Web01",
            "a..b",
            "a.",
            &long_label,
            &long_name,
        ] {
            assert!(hostname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locales() {
        for good in [
            "en_US.UTF-8",
            "C.UTF-8",
            "C",
            "POSIX",
            "de_DE",
            "sr_RS@latin",
            "ast_ES.UTF-8",
            "en_US.utf8",
        ] {
            assert!(locale(good), "{good}");
        }
        for bad in [
            "",
            "en_US.UTF-8;reboot",
            "en_US.UTF-8\nLANG=x",
            "en US",
            "EN_us",
            "C_US",
            "en_US.UTF-8 x",
            "../../x",
            "en_US.$(id)",
            "e",
        ] {
            assert!(!locale(bad), "{bad}");
        }
    }

    #[test]
    fn keymaps() {
        for good in ["us", "de-latin1-nodeadkeys", "fr_CH", "mac-us", "br-abnt2"] {
            assert!(keymap(good), "{good}");
        }
        for bad in [
            "",
            "us;reboot",
            "us\nFONT=x",
            "us x",
            "-us",
            "../us",
            "us$(id)",
        ] {
            assert!(!keymap(bad), "{bad}");
        }
    }

    #[test]
    fn time_zones() {
        for good in [
            "UTC",
            "Europe/Paris",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ] {
            assert!(timezone(good), "{good}");
        }
        for bad in [
            "utc",
            "Paris",
            "europe/paris",
            "Europe/",
            "/Europe/Paris",
            "Europe/../x",
        ] {
            assert!(!timezone(bad), "{bad}");
        }
    }
}

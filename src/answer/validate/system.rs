//! `[system]` (host name, time zone, locale, keymap), `[scripts]` and `[reporting]`.

use super::{is_word, url};
use crate::answer::{Issue, Reporting, Scripts, System};

pub(super) fn check(s: &System, out: &mut Vec<Issue>) {
    if let Some(h) = &s.hostname
        && let Err(e) = hostname(h)
    {
        out.push(
            Issue::new(
                "system.hostname",
                format!("\"{h}\" is not a valid host name: {e}"),
            )
            .with_hint("RFC 1123: dot-separated labels of a-z, 0-9 and \"-\""),
        );
    }
    if !timezone(&s.timezone) {
        out.push(
            Issue::new(
                "system.timezone",
                format!("\"{}\" is not a time zone", s.timezone),
            )
            .with_hint("\"UTC\" or Area/City such as \"Europe/Paris\""),
        );
    }
    if !is_word(&s.locale) || s.locale.contains('/') {
        out.push(
            Issue::new(
                "system.locale",
                format!("\"{}\" is not a locale name", s.locale),
            )
            .with_hint("e.g. \"en_US.UTF-8\" or \"C.UTF-8\""),
        );
    }
    if !is_word(&s.keymap) || s.keymap.contains('/') {
        out.push(
            Issue::new(
                "system.keymap",
                format!("\"{}\" is not a keymap name", s.keymap),
            )
            .with_hint("e.g. \"us\" or \"de-nodeadkeys\""),
        );
    }
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
            return Err(format!("label \"{label}\" is longer than 63 characters"));
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
            return Err(format!("label \"{label}\" starts or ends with \"-\""));
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

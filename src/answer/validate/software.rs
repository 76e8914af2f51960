//! What gets installed: `[[repos]]`, `[packages]`, `[kernel]`, `[selinux]`.

use super::{is_word, url};
use crate::answer::shown;
use crate::answer::{Issue, Kernel, Packages, Repo, Selinux};

pub(super) fn repos(repos: &[Repo], out: &mut Vec<Issue>) {
    let mut names: Vec<&str> = Vec::new();
    for (i, r) in repos.iter().enumerate() {
        let path = |key: &str| format!("repos[{i}].{key}");
        let name_ok = !r.name.is_empty()
            && r.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !name_ok {
            out.push(Issue::new(
                path("name"),
                format!(
                    "repository name {} must be non-empty [A-Za-z0-9._-]",
                    shown(&r.name)
                ),
            ));
        } else if names.contains(&r.name.as_str()) {
            out.push(Issue::new(
                path("name"),
                format!("repository name {} is used twice", shown(&r.name)),
            ));
        }
        names.push(&r.name);
        if let Err(e) = url::check(&r.url, &["file", "http", "https"]) {
            out.push(Issue::new(path("url"), e));
        }
        for (k, key) in r.gpg_keys.iter().enumerate() {
            let key_path = format!("repos[{i}].gpg_keys[{k}]");
            if key.to_ascii_lowercase().starts_with("http://") {
                out.push(
                    Issue::new(
                        key_path,
                        "a signing key over plain http:// cannot be trusted",
                    )
                    .with_hint("use https:// or a file:// key shipped on the media"),
                );
            } else if let Err(e) = url::check(key, &["file", "https"]) {
                out.push(Issue::new(key_path, e));
            }
        }
        if !r.gpg_check && !r.allow_unsigned {
            out.push(
                Issue::new(
                    path("gpg_check"),
                    "gpg_check = false installs unverified packages",
                )
                .with_hint("add allow_unsigned = true to accept that, or give gpg_keys"),
            );
        }
        if r.gpg_check && r.gpg_keys.is_empty() {
            out.push(
                Issue::new(
                    path("gpg_keys"),
                    "gpg_check is on but no gpg_keys are given",
                )
                .with_hint("gpg_keys = [\"file:///etc/pki/rpm-gpg/RPM-GPG-KEY-...\"]"),
            );
        }
    }
}

pub(super) fn packages(p: &Packages, out: &mut Vec<Issue>) {
    let lists = [
        ("groups", p.groups.as_deref().unwrap_or_default()),
        ("install", &p.install[..]),
        ("exclude", &p.exclude[..]),
    ];
    for (key, names) in lists {
        for (i, name) in names.iter().enumerate() {
            if !is_word(name) {
                let issue = Issue::new(
                    format!("packages.{key}[{i}]"),
                    format!(
                        "{name_shown} is not a package name (empty or has whitespace)",
                        name_shown = shown(name)
                    ),
                );
                out.push(if key == "groups" {
                    issue.with_hint("use the group id, e.g. \"development-tools\"")
                } else {
                    issue.with_hint("give one package per list entry")
                });
            }
        }
    }
}

pub(super) fn kernel(k: &Kernel, out: &mut Vec<Issue>) {
    if !is_word(&k.package) {
        out.push(Issue::new(
            "kernel.package",
            format!("{} is not a package name", shown(&k.package)),
        ));
    }
    let series_ok = k.series.split_once('.').is_some_and(|(major, minor)| {
        [major, minor]
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    if !series_ok {
        out.push(
            Issue::new(
                "kernel.series",
                format!("{} is not a kernel series", shown(&k.series)),
            )
            .with_hint("major.minor, e.g. \"6.18\""),
        );
    }
    for (i, arg) in k.cmdline.iter().enumerate() {
        if !is_word(arg) {
            out.push(
                Issue::new(
                    format!("kernel.cmdline[{i}]"),
                    format!(
                        "{arg_shown} is not one kernel argument",
                        arg_shown = shown(arg)
                    ),
                )
                .with_hint("give one argument per list entry"),
            );
        }
    }
}

pub(super) fn selinux(s: &Selinux, out: &mut Vec<Issue>) {
    let ok = !s.policy.is_empty()
        && s.policy
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !ok {
        out.push(
            Issue::new(
                "selinux.policy",
                format!("{} is not a policy name", shown(&s.policy)),
            )
            .with_hint("e.g. \"targeted\" or \"mls\" ([a-z0-9_-])"),
        );
    }
}

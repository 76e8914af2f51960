//! `[root]` and `[[users]]`: names, password hashes, SSH keys.

use super::sshkey;
use crate::answer::shown;
use crate::answer::{Issue, Password, Root, User};

const MKPASSWD: &str = "make one with `mkpasswd -m yescrypt`";

pub(super) fn root(r: &Root, out: &mut Vec<Issue>) {
    password(&r.password, "root.password", out);
    keys(&r.ssh_keys, "root.ssh_keys", out);
}

pub(super) fn users(users: &[User], out: &mut Vec<Issue>) {
    let mut names: Vec<&str> = Vec::new();
    for (i, u) in users.iter().enumerate() {
        let path = |key: &str| format!("users[{i}].{key}");
        if u.name == "root" {
            out.push(
                Issue::new(
                    path("name"),
                    "\"root\" is configured in [root], not in [[users]]",
                )
                .with_hint("use [root] for root's password and keys"),
            );
        } else if let Err(e) = account_name(&u.name) {
            out.push(
                Issue::new(
                    path("name"),
                    format!("{} is not a valid user name: {e}", shown(&u.name)),
                )
                .with_hint("[a-z_][a-z0-9_-]*, at most 32 characters"),
            );
        } else if names.contains(&u.name.as_str()) {
            out.push(Issue::new(
                path("name"),
                format!("user {} is given twice", shown(&u.name)),
            ));
        }
        names.push(&u.name);
        for (g, group) in u.groups.iter().enumerate() {
            if let Err(e) = account_name(group) {
                out.push(Issue::new(
                    format!("users[{i}].groups[{g}]"),
                    format!(
                        "{group_shown} is not a valid group name: {e}",
                        group_shown = shown(group)
                    ),
                ));
            }
        }
        password(&u.password, &path("password"), out);
        keys(&u.ssh_keys, &path("ssh_keys"), out);
    }
}

/// useradd's default rule: `[a-z_][a-z0-9_-]*[$]?`, at most 32 characters.
fn account_name(name: &str) -> Result<(), &'static str> {
    let body = name.strip_suffix('$').unwrap_or(name);
    let mut chars = body.chars();
    match chars.next() {
        None => Err("it is empty"),
        _ if name.len() > 32 => Err("longer than 32 characters"),
        Some(c) if !(c.is_ascii_lowercase() || c == '_') => Err("it must start with a-z or \"_\""),
        _ if chars.any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))) => {
            Err("only a-z, 0-9, \"_\" and \"-\" are allowed")
        }
        _ => Ok(()),
    }
}

pub(super) fn keys(keys: &[String], path: &str, out: &mut Vec<Issue>) {
    for (i, key) in keys.iter().enumerate() {
        if let Err(e) = sshkey::check(key) {
            out.push(
                Issue::new(
                    format!("{path}[{i}]"),
                    format!("not an SSH public key: {e}"),
                )
                .with_hint("paste one line of a .pub file: \"ssh-ed25519 AAAA... comment\""),
            );
        }
    }
}

fn password(p: &Password, path: &str, out: &mut Vec<Issue>) {
    match p {
        Password::Locked => {}
        Password::Plain { plain } => {
            if plain.is_empty() {
                out.push(
                    Issue::new(format!("{path}.plain"), "an empty password")
                        .with_hint("use password = \"locked\" for an account without one"),
                );
            }
        }
        Password::Hash { hash } => {
            if let Err(e) = password_hash(hash) {
                out.push(Issue::new(format!("{path}.hash"), e).with_hint(MKPASSWD));
            }
        }
    }
}

/// crypt(3)'s base-64 alphabet.
fn is_b64(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/')
}

/// Accepts yescrypt (`$y$`) and sha512crypt (`$6$`) hashes of plausible shape.
fn password_hash(h: &str) -> Result<(), String> {
    let parts: Vec<&str> = h.split('$').collect();
    match parts[..] {
        ["", "y", params, salt, hash] => {
            if is_b64(params) && is_b64(salt) && hash.len() == 43 && is_b64(hash) {
                Ok(())
            } else {
                Err("malformed yescrypt hash (expected $y$PARAMS$SALT$HASH)".into())
            }
        }
        ["", "6", ref rest @ ..] => {
            let rest = match rest {
                [rounds, tail @ ..] if rounds.starts_with("rounds=") => {
                    let n = rounds.trim_start_matches("rounds=");
                    if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
                        return Err(format!("malformed sha512crypt {rounds}"));
                    }
                    tail
                }
                _ => rest,
            };
            match rest {
                [salt, hash] if salt.len() <= 16 && hash.len() == 86 && is_b64(hash) => Ok(()),
                _ => Err("malformed sha512crypt hash (expected $6$SALT$HASH)".into()),
            }
        }
        ["", "1", ..] => Err("MD5 crypt ($1$) hashes are too weak and are not accepted".into()),
        ["", "5", ..] => Err("sha256crypt ($5$) hashes are not accepted".into()),
        ["", id, ..] => Err(format!(
            "\"${id}$\" hashes are not accepted; use yescrypt ($y$)"
        )),
        _ if h.starts_with('!') || h.starts_with('*') => {
            Err("a locked-account marker is not a hash; use password = \"locked\"".into())
        }
        _ if h.len() == 13 && is_b64(h) => Err("DES crypt hashes are not accepted".into()),
        _ => Err("not a crypt(3) hash; use yescrypt ($y$) or sha512crypt ($6$)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Both made with libxcrypt for the password "demo".
    const YESCRYPT: &str =
        "$y$j9T$51M3Ijc7h8UR9SWB42NZj/$doXx4P9uaFDCdc6QMTNDNUhFY4LFAjIS1WgAC7prEm6";
    const SHA512: &str = "$6$N13eHc7Ml.8VZ7XK$VLlUqKYSUrBL2I124VtcqL9n.Adwb2LvoKhzfp2YuCmYBiJafZaxDtjIYzPfAYerW34UvnGK7gEvADJM6tKBS1";

    #[test]
    fn strong_hashes_pass() {
        assert_eq!(password_hash(YESCRYPT), Ok(()));
        assert_eq!(password_hash(SHA512), Ok(()));
        let with_rounds = SHA512.replacen("$6$", "$6$rounds=10000$", 1);
        assert_eq!(password_hash(&with_rounds), Ok(()));
    }

    #[test]
    fn weak_or_malformed_hashes_fail() {
        for bad in [
            "$1$abc$0123456789abcdefghijkl",
            "$5$abc$0123456789",
            "$2b$12$abcdefghijklmnopqrstuv",
            "abJnggxhB/yWI",
            "!locked",
            "$y$j9T$salt",
            "$6$salt$short",
            "demo",
        ] {
            assert!(password_hash(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_names_follow_useradd() {
        for good in ["admin", "_svc", "a-b_c", "machine$", &"a".repeat(32)] {
            assert_eq!(account_name(good), Ok(()), "{good}");
        }
        for bad in ["", "Admin", "1admin", "ad min", "a.b", &"a".repeat(33)] {
            assert!(account_name(bad).is_err(), "{bad}");
        }
    }
}

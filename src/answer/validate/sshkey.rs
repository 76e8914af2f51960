//! OpenSSH public keys as written in authorized_keys: `<type> <base64> [comment]`.

use crate::answer::shown;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Checks one public key line; the error says what is wrong.
pub(super) fn check(line: &str) -> Result<(), String> {
    // authorized_keys is read line by line: a second line would be a key (with any
    // options, such as command=) that nothing here checked.
    if line.trim_end_matches(['\n', '\r']).contains(['\n', '\r']) {
        return Err("the entry holds more than one line; give one key per entry".into());
    }
    if let Some(c) = line
        .chars()
        .find(|c| c.is_control() && !"\n\r".contains(*c))
    {
        return Err(format!("the entry contains the control character {c:?}"));
    }
    let mut parts = line.split_whitespace();
    let Some(ty) = parts.next() else {
        return Err("the key is empty".into());
    };
    if ty.starts_with("-----BEGIN") {
        return Err("this is a private key; give the public key (the .pub file)".into());
    }
    if !TYPES.contains(&ty) {
        return Err(format!(
            "unknown key type {ty_shown} (expected one of {}; authorized_keys options are not \
             supported here)",
            TYPES.join(", "),
            ty_shown = shown(ty)
        ));
    }
    let Some(blob) = parts.next() else {
        return Err(format!(
            "no key data after {ty_shown}",
            ty_shown = shown(ty)
        ));
    };
    let data = STANDARD
        .decode(blob)
        .map_err(|e| format!("the key data is not valid base64 ({e})"))?;
    // The blob starts with the key type as an SSH string: a u32 big-endian length, then bytes.
    let inner = data
        .get(..4)
        .map(|n| u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize)
        .and_then(|n| data.get(4..4 + n));
    match inner {
        Some(t) if t == ty.as_bytes() => Ok(()),
        Some(t) => Err(format!(
            "the key data is a {} key, but the line says {ty_shown}",
            shown(String::from_utf8_lossy(t)),
            ty_shown = shown(ty)
        )),
        None => Err("the key data is truncated or not an SSH public key".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF4BlXI8UhshSQHMZnw/Z2thBI0t9Xvn9lC48xVxAh74 admin@example";

    #[test]
    fn real_keys_parse() {
        assert_eq!(check(ED25519), Ok(()));
        let no_comment = ED25519.rsplit_once(' ').map(|(k, _)| k).unwrap_or_default();
        assert_eq!(check(no_comment), Ok(()));
    }

    #[test]
    fn broken_keys_say_why() {
        let wrong_type = ED25519.replacen("ssh-ed25519", "ssh-rsa", 1);
        let two_lines = format!("{ED25519}\ncommand=\"/bin/sh\" {ED25519}");
        for (key, why) in [
            ("", "empty"),
            ("ssh-ed25519", "no key data"),
            ("ssh-dss AAAAB3NzaC1kc3M=", "unknown key type"),
            ("ssh-ed25519 not*base64", "base64"),
            ("ssh-ed25519 AAAA", "truncated"),
            (
                wrong_type.as_str(),
                "\"ssh-ed25519\" key, but the line says \"ssh-rsa\"",
            ),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
            (two_lines.as_str(), "one key per entry"),
            ("ssh-ed25519 AAAA\u{1b}[2J", "control character"),
        ] {
            let err = check(key).expect_err(key);
            assert!(err.contains(why), "{key}: {err}");
        }
    }
}

//! Per-machine answer URLs: `inst.answer=` with placeholders filled from the machine's
//! identity (`{mac}` of the boot NIC, `{serial}`, `{uuid}`, `{vendor}`, `{product}`,
//! `{hostname}`), and the identifying request headers kickstart's `inst.ks.sendmac` and
//! `inst.ks.sendsn` send, so provisioning servers that answer Anaconda answer us unchanged.

use crate::probe::Identity;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error(
        "inst.answer={url}: unknown placeholder {{{name}}}: known are {{mac}}, {{mac_dashed}}, \
         {{serial}}, {{uuid}}, {{vendor}}, {{product}}, {{hostname}}"
    )]
    Unknown { url: String, name: String },
    #[error("inst.answer={url}: {{{name}}}: this machine has no {what}")]
    Missing {
        url: String,
        name: String,
        what: &'static str,
    },
    #[error("inst.answer={url}: a \"{{\" without its \"}}\"")]
    Unclosed { url: String },
}

/// `url` with every `{placeholder}` replaced by this machine's value, percent-encoded.
pub fn fill(url: &str, id: &Identity) -> Result<String, PlaceholderError> {
    let shown = crate::answer::redact_url(url).into_owned();
    let mut out = String::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| PlaceholderError::Unclosed { url: shown.clone() })?;
        let name = &after[..close];
        let missing = |what| PlaceholderError::Missing {
            url: shown.clone(),
            name: name.to_string(),
            what,
        };
        let value = match name {
            "mac" => id
                .boot_mac
                .clone()
                .ok_or_else(|| missing("NIC with a MAC"))?,
            "mac_dashed" => id
                .boot_mac
                .as_ref()
                .map(|m| m.replace(':', "-"))
                .ok_or_else(|| missing("NIC with a MAC"))?,
            "serial" => id
                .serial
                .clone()
                .ok_or_else(|| missing("serial number (SMBIOS product_serial)"))?,
            "uuid" => id
                .uuid
                .clone()
                .ok_or_else(|| missing("SMBIOS UUID (product_uuid)"))?,
            "vendor" => id
                .vendor
                .clone()
                .ok_or_else(|| missing("vendor (SMBIOS sys_vendor)"))?,
            "product" => id
                .product
                .clone()
                .ok_or_else(|| missing("product name (SMBIOS product_name)"))?,
            "hostname" => id
                .hostname
                .clone()
                .ok_or_else(|| missing("host name from DHCP"))?,
            _ => {
                return Err(PlaceholderError::Unknown {
                    url: shown,
                    name: name.to_string(),
                });
            }
        };
        out.push_str(&encode(&value));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Everything but what a URL path keeps as it is ("Dell Inc." is "Dell%20Inc.").
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The headers Anaconda sends with `inst.ks.sendmac` (`X-RHN-Provisioning-MAC-N: IFACE MAC`
/// for every NIC) and `inst.ks.sendsn` (`X-System-Serial-Number`).
pub fn headers(id: &Identity, mac: bool, serial: bool) -> Vec<(String, String)> {
    let mut h = Vec::new();
    if mac {
        for (i, (name, m)) in id.nics.iter().enumerate() {
            h.push((format!("X-RHN-Provisioning-MAC-{i}"), format!("{name} {m}")));
        }
    }
    if serial && let Some(s) = &id.serial {
        h.push(("X-System-Serial-Number".into(), s.clone()));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Identity {
        Identity {
            nics: vec![
                ("eno1".into(), "52:54:00:12:34:56".into()),
                ("eno2".into(), "52:54:00:12:34:57".into()),
            ],
            boot_mac: Some("52:54:00:12:34:57".into()),
            serial: Some("CZ 1234/5".into()),
            uuid: Some("4c4c4544-0042-3510-8051-b7c04f4b4c31".into()),
            vendor: Some("Dell Inc.".into()),
            product: None,
            hostname: Some("web07".into()),
        }
    }

    #[test]
    fn placeholders_are_filled_and_encoded() {
        let u = fill(
            "http://prov.example/a/{mac}/{serial}.toml?v={vendor}&u={uuid}&h={hostname}&d={mac_dashed}",
            &id(),
        )
        .expect("filled");
        assert_eq!(
            u,
            "http://prov.example/a/52:54:00:12:34:57/CZ%201234%2F5.toml?v=Dell%20Inc.\
             &u=4c4c4544-0042-3510-8051-b7c04f4b4c31&h=web07&d=52-54-00-12-34-57"
        );
        assert_eq!(
            fill("http://x/a.toml", &id()).as_deref(),
            Ok("http://x/a.toml")
        );
    }

    #[test]
    fn bad_placeholders_say_what_is_wrong() {
        let e = fill("http://x/{serail}.toml", &id()).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown placeholder {serail}: known are {mac}"),
            "{e}"
        );
        let e = fill("http://x/{product}.toml", &id()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "inst.answer=http://x/{product}.toml: {product}: this machine has no product name (SMBIOS product_name)"
        );
        let e = fill("http://x/{mac.toml", &id()).unwrap_err();
        assert!(matches!(e, PlaceholderError::Unclosed { .. }), "{e}");
    }

    #[test]
    fn kickstarts_identifying_headers() {
        let h = headers(&id(), true, true);
        assert_eq!(
            h,
            [
                (
                    "X-RHN-Provisioning-MAC-0".to_string(),
                    "eno1 52:54:00:12:34:56".to_string()
                ),
                (
                    "X-RHN-Provisioning-MAC-1".to_string(),
                    "eno2 52:54:00:12:34:57".to_string()
                ),
                (
                    "X-System-Serial-Number".to_string(),
                    "CZ 1234/5".to_string()
                ),
            ]
        );
        assert!(headers(&id(), false, false).is_empty());
    }
}

//! A client certificate and extra trusted CAs for one server (the webhook's): each given as
//! PEM text or as the path of a PEM file, read and checked before anything is sent.

use crate::answer::{Reporting, is_pem};

/// What the webhook's client presents and trusts beyond the system's CAs.
#[derive(Clone, Default)]
pub struct ClientTls {
    pub(super) identity: Option<reqwest::Identity>,
    pub(super) roots: Vec<reqwest::Certificate>,
}

impl ClientTls {
    /// Reads `[reporting]`'s client_cert, client_key and ca; errors name the key (`what`
    /// prefixes it: "reporting." for the answer, "inst.webhook." for the kernel line's
    /// cert=/key=/ca=) and the file, never a key's text.
    pub fn load(r: &Reporting, names: [&str; 3]) -> Result<ClientTls, String> {
        let [cert_name, key_name, ca_name] = names;
        let mut tls = ClientTls::default();
        if let (Some(cert), Some(key)) = (&r.client_cert, &r.client_key) {
            let mut pem = pem_of(cert_name, cert)?;
            if reqwest::Certificate::from_pem_bundle(&pem).map_or(true, |c| c.is_empty()) {
                return Err(format!("{cert_name}: {}: no PEM certificate", shown(cert)));
            }
            pem.push(b'\n');
            pem.extend(pem_of(key_name, key)?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                format!(
                    "{cert_name} and {key_name}: not a certificate and its private key: {}",
                    super::client::error_chain(&e)
                )
            })?;
            tls.identity = Some(identity);
        }
        if let Some(ca) = &r.ca {
            let certs = reqwest::Certificate::from_pem_bundle(&pem_of(ca_name, ca)?)
                .map_err(|e| format!("{ca_name}: {}: {}", shown(ca), e))?;
            if certs.is_empty() {
                return Err(format!("{ca_name}: {}: no PEM certificate", shown(ca)));
            }
            tls.roots = certs;
        }
        Ok(tls)
    }

    pub fn is_empty(&self) -> bool {
        self.identity.is_none() && self.roots.is_empty()
    }
}

/// The PEM bytes of a value: the text itself, or the file it names.
fn pem_of(name: &str, value: &str) -> Result<Vec<u8>, String> {
    if is_pem(value) {
        return Ok(value.as_bytes().to_vec());
    }
    std::fs::read(value).map_err(|e| format!("{name}: cannot read {value}: {e}"))
}

/// A value as errors show it: a path, or "(PEM text)" (it may be a key).
fn shown(value: &str) -> &str {
    if is_pem(value) { "(PEM text)" } else { value }
}

//! OpenPGP: the configured public keys, and the detached signature of repomd.xml checked
//! against them (rPGP, pure Rust: no gpg binary on the install media is needed).

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::types::KeyDetails;

/// A public key (certificate) and the URL it came from.
pub struct TrustedKey {
    pub url: String,
    pub key: SignedPublicKey,
}

impl TrustedKey {
    /// Upper-case hex fingerprint of the primary key.
    pub fn fingerprint(&self) -> String {
        format!("{:X}", self.key.fingerprint())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{url} holds no usable OpenPGP public key: {reason}")]
    BadKey { url: String, reason: String },
    #[error("the signature is not a valid OpenPGP signature: {0}")]
    BadSignature(String),
    #[error("signature made by key {issuer} which is not in gpg_keys ({keys})")]
    UnknownKey { issuer: String, keys: String },
    #[error(
        "signature by key 0x{fingerprint} does not match: the file was changed after signing, or the signature is damaged"
    )]
    Mismatch { fingerprint: String, reason: String },
}

/// Parses every certificate in `bytes` (armored or binary, one or several) and checks
/// their self-signatures, so a tampered key is refused rather than trusted.
pub fn parse_keys(url: &str, bytes: &[u8]) -> Result<Vec<TrustedKey>, VerifyError> {
    let bad = |reason: String| VerifyError::BadKey {
        url: url.to_owned(),
        reason,
    };
    let (iter, _) = SignedPublicKey::from_reader_many(bytes).map_err(|e| bad(e.to_string()))?;
    let mut keys = Vec::new();
    for key in iter {
        let key = key.map_err(|e| bad(e.to_string()))?;
        key.verify()
            .map_err(|e| bad(format!("its self-signature does not verify: {e}")))?;
        keys.push(TrustedKey {
            url: url.to_owned(),
            key,
        });
    }
    if keys.is_empty() {
        return Err(bad("no public key block found".into()));
    }
    Ok(keys)
}

/// Checks `signature` (armored or binary) over `data` against `keys`; returns the
/// fingerprint of the primary key whose key (or signing subkey) made it.
pub fn verify_detached(
    data: &[u8],
    signature: &[u8],
    keys: &[TrustedKey],
) -> Result<String, VerifyError> {
    let (sig, _) = DetachedSignature::from_reader_single(signature)
        .map_err(|e| VerifyError::BadSignature(e.to_string()))?;
    let ids: Vec<Vec<u8>> = sig
        .signature
        .issuer()
        .iter()
        .map(|k| k.as_ref().to_vec())
        .collect();
    let fps: Vec<Vec<u8>> = sig
        .signature
        .issuer_fingerprint()
        .iter()
        .map(|f| f.as_bytes().to_vec())
        .collect();
    // A signature that names no issuer is tried against every key.
    let names_none = ids.is_empty() && fps.is_empty();
    let try_key = |k: &dyn KeyDetails, verify: &dyn Fn() -> pgp::errors::Result<()>| {
        let named = ids.iter().any(|i| i == k.key_id().as_ref())
            || fps.iter().any(|f| f == k.fingerprint().as_bytes());
        (names_none || named).then(verify)
    };
    for trusted in keys {
        let primary = try_key(&trusted.key, &|| sig.verify(&trusted.key, data));
        let subs = trusted
            .key
            .public_subkeys
            .iter()
            .map(|sub| try_key(sub, &|| sig.verify(sub, data)));
        for outcome in std::iter::once(primary).chain(subs).flatten() {
            match outcome {
                Ok(()) => return Ok(trusted.fingerprint()),
                // The named signer's check failed: the data (or signature) was altered.
                Err(e) if !names_none => {
                    return Err(VerifyError::Mismatch {
                        fingerprint: trusted.fingerprint(),
                        reason: e.to_string(),
                    });
                }
                Err(_) => {}
            }
        }
    }
    let issuer = fps
        .first()
        .or(ids.first())
        .map(|b| format!("0x{}", hex::encode_upper(b)))
        .unwrap_or_else(|| "(unnamed)".into());
    let keys = keys
        .iter()
        .map(|k| format!("0x{} from {}", k.fingerprint(), k.url))
        .collect::<Vec<_>>()
        .join(", ");
    Err(VerifyError::UnknownKey { issuer, keys })
}

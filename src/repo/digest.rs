//! The checksum types repository metadata uses (repomd.xml for its files, primary for its
//! packages), computed as data streams by. sha1 and md5 are not among them: a signature
//! over a weak digest proves nothing.

use sha2::Digest as _;

/// A running digest of one of the accepted types.
pub enum Digest {
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Digest {
    /// None for a type that is not accepted.
    pub fn new(alg: &str) -> Option<Digest> {
        Some(match alg {
            "sha224" => Digest::Sha224(sha2::Sha224::new()),
            "sha256" => Digest::Sha256(sha2::Sha256::new()),
            "sha384" => Digest::Sha384(sha2::Sha384::new()),
            "sha512" => Digest::Sha512(sha2::Sha512::new()),
            _ => return None,
        })
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Digest::Sha224(h) => h.update(bytes),
            Digest::Sha256(h) => h.update(bytes),
            Digest::Sha384(h) => h.update(bytes),
            Digest::Sha512(h) => h.update(bytes),
        }
    }

    /// Lower-case hex.
    pub fn hex(self) -> String {
        match self {
            Digest::Sha224(h) => hex::encode(h.finalize()),
            Digest::Sha256(h) => hex::encode(h.finalize()),
            Digest::Sha384(h) => hex::encode(h.finalize()),
            Digest::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

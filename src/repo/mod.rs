//! Repository metadata: fetched over file:// or http(s)://, its signature verified against
//! the configured keys before anything else in it is used, then parsed into a `RepoIndex`.
//!
//! Order of trust: repomd.xml and its detached signature are fetched, the signature is
//! checked against `gpg_keys`; only then is repomd.xml parsed, and every file it points to
//! (primary, comps) is checked against the checksum it gives before being decompressed.

mod body;
mod client;
mod closure;
mod comps;
mod digest;
mod evr;
mod fetch;
mod primary;
mod repomd;
mod rich;
mod tls;
mod types;
mod verify;
mod xml;

pub use client::{HttpClient, http_client, http_client_tls, use_proxy};
pub use digest::Digest;
pub use evr::{Evr, rpmvercmp};
pub use fetch::{FetchError, FetchPolicy, Fetcher, fetch, join as join_url};
pub use tls::ClientTls;
pub use types::*;
pub use verify::VerifyError;

use crate::answer::redact_url;
use fetch::join;

/// The verified index, and what the user should be told (e.g. unsigned repositories).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub index: RepoIndex,
    pub warnings: Vec<String>,
}

/// Loading repository `repo` (the `position`-th configured one) failed.
#[derive(Debug, thiserror::Error)]
#[error("repo \"{repo}\": {failure}")]
pub struct RepoError {
    /// Index into the sources given to `load` (for the answer key `repos[N]`).
    pub position: usize,
    pub repo: String,
    #[source]
    pub failure: RepoFailure,
}

#[derive(Debug, thiserror::Error)]
pub enum RepoFailure {
    #[error("gpg_check is on but gpg_keys is empty; list the key(s) that sign repomd.xml")]
    NoKeys,
    #[error("reading gpg key: {0}")]
    KeyFetch(#[source] FetchError),
    #[error("{0}")]
    Key(#[source] VerifyError),
    #[error(
        "repomd.xml is not signed (no repomd.xml.asc at {url}); set gpg_check = false and allow_unsigned = true to install from it anyway"
    )]
    Unsigned { url: String },
    #[error("repomd.xml {source} ({url})")]
    Signature {
        url: String,
        #[source]
        source: VerifyError,
    },
    #[error("fetching {what}: {source}")]
    Fetch {
        what: String,
        #[source]
        source: FetchError,
    },
    #[error("{file} checksum mismatch: {detail} ({url})")]
    Checksum {
        file: String,
        url: String,
        detail: String,
    },
    #[error("reading {file} ({url}): {detail}")]
    Parse {
        file: String,
        url: String,
        detail: String,
    },
}

/// Loads, verifies and parses every repository, with the default network policy.
pub fn load(sources: &[RepoSource]) -> Result<Loaded, RepoError> {
    load_with(sources, &FetchPolicy::default())
}

/// `load` with an explicit timeout and retry policy.
pub fn load_with(sources: &[RepoSource], policy: &FetchPolicy) -> Result<Loaded, RepoError> {
    let fetcher = Fetcher::new(policy.clone());
    let mut loaded = Loaded::default();
    for (position, source) in sources.iter().enumerate() {
        let meta =
            load_one(&fetcher, source, &mut loaded.warnings).map_err(|failure| RepoError {
                position,
                repo: source.name.clone(),
                failure,
            })?;
        loaded.index.repos.push(meta);
    }
    Ok(loaded)
}

fn load_one(
    fetcher: &Fetcher,
    source: &RepoSource,
    warnings: &mut Vec<String>,
) -> Result<RepoMeta, RepoFailure> {
    let get = |what: &str, url: &str| {
        fetcher.get(url).map_err(|source| RepoFailure::Fetch {
            what: what.to_owned(),
            source,
        })
    };
    let md_url = join(&source.url, "repodata/repomd.xml");
    let md_bytes = get("repomd.xml", &md_url)?;
    let signed_by = if source.gpg_check {
        Some(check_signature(fetcher, source, &md_url, &md_bytes)?)
    } else {
        warnings.push(format!(
            "repo \"{}\": gpg_check = false: repomd.xml ({}) is not verified, so \
             whoever controls the repository or the network path to it decides what is installed",
            source.name,
            redact_url(&md_url)
        ));
        None
    };
    let md = repomd::parse(&md_bytes).map_err(|detail| RepoFailure::Parse {
        file: "repomd.xml".into(),
        url: redact_url(&md_url).into_owned(),
        detail,
    })?;
    let open = |file: &repomd::DataFile| -> Result<(String, Vec<u8>), RepoFailure> {
        let url = join(&source.url, &file.location);
        let name = file.location.rsplit('/').next().unwrap_or(&file.location);
        // Content-addressed names ("<sha256>-primary.xml.gz") are shortened for messages.
        let short = name
            .split_once('-')
            .map_or(name, |(_, rest)| rest)
            .to_owned();
        let bytes = get(&short, &url)?;
        repomd::check(file, &bytes).map_err(|detail| RepoFailure::Checksum {
            file: short.clone(),
            url: redact_url(&url).into_owned(),
            detail: detail.trim_start_matches("checksum mismatch: ").to_owned(),
        })?;
        let data =
            repomd::decompress(&file.location, bytes).map_err(|detail| RepoFailure::Parse {
                file: short.clone(),
                url: redact_url(&url).into_owned(),
                detail,
            })?;
        Ok((url, data))
    };
    let primary_file = md.get("primary").cloned().unwrap_or_default();
    let (url, data) = open(&primary_file)?;
    let packages = primary::parse(&data).map_err(|detail| RepoFailure::Parse {
        file: "primary".into(),
        url: redact_url(&url).into_owned(),
        detail,
    })?;
    let group_file = ["group_gz", "group_zst", "group_xz", "group"]
        .iter()
        .find_map(|k| md.get(k));
    let groups = match group_file {
        None => Vec::new(),
        Some(f) => {
            let (url, data) = open(f)?;
            // A comps file dnf could still use must not stop the install: warn instead.
            comps::parse(&data).unwrap_or_else(|e| {
                warnings.push(format!(
                    "repo \"{}\": ignoring the groups in {}: {e}",
                    source.name,
                    redact_url(&url)
                ));
                Vec::new()
            })
        }
    };
    Ok(RepoMeta {
        name: source.name.clone(),
        url: source.url.clone(),
        signed_by,
        revision: md.revision,
        packages,
        groups,
    })
}

/// Verifies repomd.xml's detached signature; returns the signing key's fingerprint.
fn check_signature(
    fetcher: &Fetcher,
    source: &RepoSource,
    md_url: &str,
    md: &[u8],
) -> Result<String, RepoFailure> {
    if source.gpg_keys.is_empty() {
        return Err(RepoFailure::NoKeys);
    }
    let mut keys = Vec::new();
    for url in &source.gpg_keys {
        let bytes = fetcher.get(url).map_err(RepoFailure::KeyFetch)?;
        keys.extend(verify::parse_keys(&redact_url(url), &bytes).map_err(RepoFailure::Key)?);
    }
    let sig_url = format!("{md_url}.asc");
    let sig = fetcher.get(&sig_url).map_err(|e| {
        if e.is_not_found() {
            RepoFailure::Unsigned {
                url: redact_url(&sig_url).into_owned(),
            }
        } else {
            RepoFailure::Fetch {
                what: "repomd.xml.asc".into(),
                source: e,
            }
        }
    })?;
    verify::verify_detached(md, &sig, &keys).map_err(|source| RepoFailure::Signature {
        url: redact_url(&sig_url).into_owned(),
        source,
    })
}

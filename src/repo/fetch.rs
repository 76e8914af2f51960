//! Getting bytes from a file://, http:// or https:// URL within bounds: connect and read
//! timeouts, a deadline for the whole fetch (retries and waits included), a size cap, retries
//! with exponential backoff only for what a retry can fix (network errors, 5xx, 429; never a
//! redirect loop or another 4xx), a message every 10 s while it waits, and proxies from the
//! environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY). Messages mask credentials in URLs.

use std::time::{Duration, Instant};

use super::body::{Cut, Watch, read_bounded};
use super::client::{HttpClient, describe, error_chain, http_client};
use crate::answer::{human_bytes, redact_url};

/// How patient a fetch is and how much it accepts. The defaults suit repository metadata on
/// a data-centre network; tests shorten them.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Time to establish a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response; a slow but moving download is fine.
    pub read_timeout: Duration,
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub backoff: Duration,
    /// Longest the whole fetch may take, every attempt and wait included.
    pub deadline: Duration,
    /// Largest body accepted; a larger one is refused, not read to its end.
    pub max_bytes: u64,
}

impl Default for FetchPolicy {
    fn default() -> FetchPolicy {
        FetchPolicy {
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_secs(1),
            deadline: Duration::from_secs(600),
            // Fedora's whole primary.xml.zst is a few tens of MiB.
            max_bytes: 512 << 20,
        }
    }
}

impl FetchPolicy {
    /// An answer file: at most 1 MiB, and (on the ISO the network may still be coming up)
    /// retried for at most two minutes in all.
    pub fn answer() -> FetchPolicy {
        FetchPolicy {
            attempts: 8,
            deadline: Duration::from_secs(120),
            max_bytes: crate::answer::MAX_BYTES,
            ..Default::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: not found")]
    NotFound { url: String },
    #[error("{url}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("reading {path} ({url}): {source}")]
    File {
        url: String,
        path: String,
        source: std::io::Error,
    },
    #[error("{url}: HTTP status {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: {what} (gave up after {attempts} attempt(s))")]
    Network {
        url: String,
        what: String,
        attempts: u32,
    },
    #[error("{url}: larger than {} (the most accepted); not read further", human_bytes(*.limit))]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: not complete within {} s, the limit for the whole fetch{}", .deadline.as_secs(), last_try(.last))]
    Deadline {
        url: String,
        deadline: Duration,
        last: String,
    },
    #[error("{url}: {what} (not retried: it would redirect the same way again)")]
    Redirect { url: String, what: String },
    #[error("setting up the HTTP client: {0}")]
    Client(String),
    #[error("{url}: cannot verify https: {why} (the live system needs its CA certificates)")]
    NoTrust { url: String, why: String },
}

fn last_try(last: &str) -> String {
    if last.is_empty() {
        String::new()
    } else {
        format!(" (last attempt: {last})")
    }
}

impl FetchError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::NotFound { .. })
    }
}

/// Fetches `url` with the default policy. For one-off downloads; loading a repository
/// reuses one `Fetcher`.
pub fn fetch(url: &str) -> Result<Vec<u8>, FetchError> {
    Fetcher::new(FetchPolicy::default()).get(url)
}

/// A reusable HTTP client with its policy (connections are kept between requests).
pub struct Fetcher {
    policy: FetchPolicy,
    /// Sent with every http(s) request (a provisioning server's identifying headers).
    headers: Vec<(String, String)>,
    // Built on first http(s) use: file:// repositories need no client at all.
    client: std::cell::OnceCell<HttpClient>,
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Fetcher {
        Fetcher {
            policy,
            headers: Vec::new(),
            client: std::cell::OnceCell::new(),
        }
    }

    /// Sends `headers` with every http(s) request.
    pub fn with_headers(mut self, headers: Vec<(String, String)>) -> Fetcher {
        self.headers = headers;
        self
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// The whole body of `url`.
    pub fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let shown = redact_url(url).into_owned();
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("file") => read_file(url, &shown, self.policy.max_bytes),
            Some("http" | "https") => self.get_http(url, &shown),
            _ => Err(FetchError::BadUrl {
                url: shown,
                reason: "only file://, http:// and https:// URLs are supported".into(),
            }),
        }
    }

    fn client(&self) -> Result<&HttpClient, FetchError> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let c = http_client(self.policy.connect_timeout, self.policy.read_timeout)?;
        Ok(self.client.get_or_init(|| c))
    }

    fn get_http(&self, url: &str, shown: &str) -> Result<Vec<u8>, FetchError> {
        let http = self.client()?;
        if let Some(why) = &http.no_roots
            && url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            return Err(FetchError::NoTrust {
                url: shown.to_owned(),
                why: why.clone(),
            });
        }
        let policy = &self.policy;
        let end = Instant::now() + policy.deadline;
        let watch = Watch::start(shown.to_owned(), policy.deadline);
        let attempts = policy.attempts.max(1);
        let mut wait = policy.backoff;
        let mut last = String::new();
        let out_of_time = |last: &str| FetchError::Deadline {
            url: shown.to_owned(),
            deadline: policy.deadline,
            last: last.to_owned(),
        };
        for attempt in 1..=attempts {
            if attempt > 1 {
                if Instant::now() + wait >= end {
                    return Err(out_of_time(&last));
                }
                tracing::warn!(
                    "{shown}: {last}; retrying in {wait:?} (attempt {attempt} of {attempts})"
                );
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            // No wait for bytes goes past the deadline.
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(out_of_time(&last));
            }
            let once = Once {
                client: &http.client,
                headers: &self.headers,
                url,
                shown,
                timeout: left.min(policy.read_timeout),
                end,
                policy,
                watch: &watch,
            };
            match once.get() {
                Ok(body) => return Ok(body),
                Err(Attempt::Final(e)) => return Err(e),
                Err(Attempt::Retry(what)) => last = what,
            }
        }
        Err(FetchError::Network {
            url: shown.to_owned(),
            what: last,
            attempts,
        })
    }
}

/// The outcome of one failed attempt: worth retrying, or final.
enum Attempt {
    Retry(String),
    Final(FetchError),
}

/// One attempt at an http(s) fetch.
struct Once<'a> {
    client: &'a reqwest::blocking::Client,
    headers: &'a [(String, String)],
    url: &'a str,
    shown: &'a str,
    /// Longest wait for the headers and for each read of the body.
    timeout: Duration,
    /// When the whole fetch must have ended.
    end: Instant,
    policy: &'a FetchPolicy,
    watch: &'a Watch,
}

impl Once<'_> {
    fn get(&self) -> Result<Vec<u8>, Attempt> {
        let url = self.shown.to_owned();
        let mut request = self.client.get(self.url).timeout(self.timeout);
        for (k, v) in self.headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let sent = request.send();
        let mut resp = sent.map_err(|e| {
            if e.is_redirect() {
                Attempt::Final(FetchError::Redirect {
                    url: url.clone(),
                    what: describe(e),
                })
            } else {
                Attempt::Retry(describe(e))
            }
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Err(Attempt::Final(FetchError::NotFound { url }));
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(Attempt::Retry(format!("HTTP status {status}")));
        }
        if !status.is_success() {
            return Err(Attempt::Final(FetchError::Status {
                url,
                status: status.as_u16(),
            }));
        }
        let limit = self.policy.max_bytes;
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(Attempt::Final(FetchError::TooLarge { url, limit }));
        }
        // Reading the body is inside the attempt: a connection dropped mid-body is retried.
        read_bounded(&mut resp, limit, self.end, &self.watch.got).map_err(|cut| match cut {
            Cut::TooLarge => Attempt::Final(FetchError::TooLarge { url, limit }),
            Cut::Deadline => Attempt::Final(FetchError::Deadline {
                url,
                deadline: self.policy.deadline,
                last: "still receiving the body".into(),
            }),
            Cut::Io(e) => Attempt::Retry(format!("reading the response: {}", error_chain(&e))),
        })
    }
}

fn read_file(url: &str, shown: &str, limit: u64) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let path = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .ok_or_else(|| FetchError::BadUrl {
            url: shown.to_owned(),
            reason: "not a valid file:// URL (expected file:///absolute/path)".into(),
        })?;
    let failed = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            FetchError::NotFound { url: shown.into() }
        } else {
            FetchError::File {
                url: shown.into(),
                path: path.display().to_string(),
                source,
            }
        }
    };
    // Bounded like a download: a device such as /dev/zero never ends.
    let file = std::fs::File::open(&path).map_err(failed)?;
    let mut body = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(failed)?;
    if body.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            url: shown.into(),
            limit,
        });
    }
    Ok(body)
}

/// `base` (a repository URL) joined with a relative `href` from its metadata.
pub fn join(base: &str, href: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        href.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_one_slash() {
        assert_eq!(join("file:///r/", "/repodata/x"), "file:///r/repodata/x");
        assert_eq!(join("http://h/r", "repodata/x"), "http://h/r/repodata/x");
    }

    #[test]
    fn missing_file_is_not_found_and_bad_scheme_is_refused() {
        let f = Fetcher::new(FetchPolicy::default());
        assert!(
            f.get("file:///nonexistent/azl/x")
                .unwrap_err()
                .is_not_found()
        );
        let e = f.get("ftp://h/x").unwrap_err().to_string();
        assert!(e.contains("only file://"), "{e}");
    }
}

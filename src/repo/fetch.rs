//! Getting bytes from a file://, http:// or https:// URL, with connect and read timeouts,
//! retries with exponential backoff for what a retry can fix (network errors, 5xx, 429), and
//! proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).

use std::time::Duration;

/// How patient a fetch is. The defaults suit a data-centre network; tests shorten them.
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
}

impl Default for FetchPolicy {
    fn default() -> FetchPolicy {
        FetchPolicy {
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_secs(1),
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
    #[error("setting up the HTTP client: {0}")]
    Client(String),
    #[error("{url}: cannot verify https: {why} (the live system needs its CA certificates)")]
    NoTrust { url: String, why: String },
}

impl FetchError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::NotFound { .. })
    }
}

/// Fetches `url` with the default policy. For one-off downloads (an answer file); loading
/// a repository reuses one `Fetcher`.
pub fn fetch(url: &str) -> Result<Vec<u8>, FetchError> {
    Fetcher::new(FetchPolicy::default()).get(url)
}

/// An HTTP client, and why https cannot be verified when the system has no CA certificates.
pub struct HttpClient {
    pub client: reqwest::blocking::Client,
    pub no_roots: Option<String>,
}

/// The one way the installer builds an HTTP client (repositories, answer files, the
/// webhook): rustls with ring, the system's CA certificates, proxies from the environment.
/// A live system without CA certificates still gets a client: http:// works (an answer on
/// the deployment server) and https:// is refused naming the cause, instead of no client.
pub fn http_client(connect: Duration, read: Duration) -> Result<HttpClient, FetchError> {
    // reqwest is built without a default crypto provider (aws-lc needs cmake): use ring.
    // Installing fails harmlessly when a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The blocking client's `timeout` bounds the wait for the response headers and, when
    // the body is read through `io::Read`, each read: a read timeout, not a limit on the
    // whole download (which `bytes()` would impose).
    let builder = || {
        reqwest::blocking::Client::builder()
            .connect_timeout(connect)
            .timeout(read)
            .user_agent(concat!("azl-installer/", env!("CARGO_PKG_VERSION")))
    };
    match builder().build() {
        Ok(client) => Ok(HttpClient {
            client,
            no_roots: None,
        }),
        Err(e) => {
            let why = error_chain(&e);
            let client = builder()
                .tls_certs_only(std::iter::empty())
                .build()
                .map_err(|e2| FetchError::Client(format!("{why}; then: {}", error_chain(&e2))))?;
            tracing::warn!("https cannot be verified on this system: {why}");
            Ok(HttpClient {
                client,
                no_roots: Some(why),
            })
        }
    }
}

/// A reusable HTTP client with its policy (connections are kept between requests).
pub struct Fetcher {
    policy: FetchPolicy,
    // Built on first http(s) use: file:// repositories need no client at all.
    client: std::cell::OnceCell<HttpClient>,
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Fetcher {
        Fetcher {
            policy,
            client: std::cell::OnceCell::new(),
        }
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// The whole body of `url`.
    pub fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("file") => read_file(url),
            Some("http" | "https") => self.get_http(url),
            _ => Err(FetchError::BadUrl {
                url: url.to_owned(),
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

    fn get_http(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let http = self.client()?;
        if let Some(why) = &http.no_roots
            && url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            return Err(FetchError::NoTrust {
                url: url.to_owned(),
                why: why.clone(),
            });
        }
        let client = &http.client;
        let attempts = self.policy.attempts.max(1);
        let mut wait = self.policy.backoff;
        let mut last = String::new();
        for attempt in 1..=attempts {
            if attempt > 1 {
                tracing::warn!(
                    "{url}: {last}; retrying in {wait:?} (attempt {attempt} of {attempts})"
                );
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            match get_once(client, url) {
                Ok(body) => return Ok(body),
                Err(Attempt::Final(e)) => return Err(e),
                Err(Attempt::Retry(what)) => last = what,
            }
        }
        Err(FetchError::Network {
            url: url.to_owned(),
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

fn get_once(client: &reqwest::blocking::Client, url: &str) -> Result<Vec<u8>, Attempt> {
    let resp = client
        .get(url)
        .send()
        .map_err(|e| Attempt::Retry(describe(e)))?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
        return Err(Attempt::Final(FetchError::NotFound { url: url.into() }));
    }
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(Attempt::Retry(format!("HTTP status {status}")));
    }
    if !status.is_success() {
        return Err(Attempt::Final(FetchError::Status {
            url: url.into(),
            status: status.as_u16(),
        }));
    }
    // Reading the body is inside the attempt: a connection dropped mid-body is retried.
    let mut body = Vec::new();
    let mut resp = resp;
    std::io::Read::read_to_end(&mut resp, &mut body)
        .map_err(|e| Attempt::Retry(format!("reading the response: {}", error_chain(&e))))?;
    Ok(body)
}

/// "timed out: ..." first, and without the URL reqwest adds (the caller names it once).
fn describe(e: reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out: "
    } else if e.is_connect() {
        "cannot connect: "
    } else {
        ""
    };
    format!("{what}{}", error_chain(&e.without_url()))
}

/// An error and its sources, joined with ": ", without repeating the URL reqwest adds.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}

fn read_file(url: &str) -> Result<Vec<u8>, FetchError> {
    let path = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .ok_or_else(|| FetchError::BadUrl {
            url: url.to_owned(),
            reason: "not a valid file:// URL (expected file:///absolute/path)".into(),
        })?;
    std::fs::read(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            FetchError::NotFound { url: url.into() }
        } else {
            FetchError::File {
                url: url.into(),
                path: path.display().to_string(),
                source,
            }
        }
    })
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

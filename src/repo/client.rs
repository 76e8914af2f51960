//! The one HTTP client of the installer, and how its errors read.

use std::time::Duration;

use super::FetchError;
use super::tls::ClientTls;

/// The proxy every client built from now on goes through: `inst.proxy=` (for the answer
/// file itself), then the answer's `[network.proxy]`. None: the environment's (reqwest reads
/// http_proxy, https_proxy and no_proxy).
static PROXY: std::sync::RwLock<Option<(String, String)>> = std::sync::RwLock::new(None);

/// Sends the installer's own downloads (answer, repositories, packages, webhook) through
/// `url`, except to the hosts, domains and networks of `no_proxy`.
pub fn use_proxy(url: &str, no_proxy: &[String]) {
    if let Ok(mut p) = PROXY.write() {
        *p = Some((url.to_string(), no_proxy.join(",")));
    }
}

fn proxy() -> Option<reqwest::Proxy> {
    let (url, no_proxy) = PROXY.read().ok()?.clone()?;
    // The answer was validated: a URL reqwest refuses is left out, as if none were given.
    let p = reqwest::Proxy::all(url.as_str()).ok()?;
    Some(p.no_proxy(reqwest::NoProxy::from_string(&no_proxy)))
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
    http_client_tls(connect, read, &ClientTls::default())
}

/// `http_client` that also presents a client certificate and trusts extra CAs (`tls`).
pub fn http_client_tls(
    connect: Duration,
    read: Duration,
    tls: &ClientTls,
) -> Result<HttpClient, FetchError> {
    // reqwest is built without a default crypto provider (aws-lc needs cmake): use ring.
    // Installing fails harmlessly when a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The blocking client's `timeout` bounds the wait for the response headers and, when
    // the body is read through `io::Read`, each read: a read timeout, not a limit on the
    // whole download (which `bytes()` would impose).
    let builder = || {
        let b = reqwest::blocking::Client::builder()
            .connect_timeout(connect)
            .timeout(read)
            .user_agent(concat!("azl-installer/", env!("CARGO_PKG_VERSION")));
        let b = match &tls.identity {
            Some(id) => b.identity(id.clone()),
            None => b,
        };
        let b = b.tls_certs_merge(tls.roots.clone());
        match proxy() {
            Some(p) => b.proxy(p),
            None => b,
        }
    };
    match builder().build() {
        Ok(client) => Ok(HttpClient {
            client,
            no_roots: None,
        }),
        Err(e) => {
            let why = error_chain(&e);
            let client = builder()
                .tls_certs_only(tls.roots.clone())
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

/// "timed out: ..." first, and without the URL reqwest adds (the caller names it once).
pub(super) fn describe(e: reqwest::Error) -> String {
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
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
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

//! Reporting to a deployment server: the answer's `[reporting] webhook`, started the same
//! way by both front doors.

use std::sync::Arc;
use std::time::Duration;

use crate::answer::Reporting;
use crate::events::Webhook;

/// How a `Reporting`'s keys are named in errors: the answer's, or the kernel command
/// line's (`inst.webhook.cert=` ...).
pub const ANSWER_KEYS: [&str; 3] = [
    "reporting.client_cert",
    "reporting.client_key",
    "reporting.ca",
];
pub const CMDLINE_KEYS: [&str; 3] = [
    "inst.webhook.cert=",
    "inst.webhook.key=",
    "inst.webhook.ca=",
];

/// Starts posting events to `r.webhook` (with its bearer token, client certificate and
/// extra CAs); None when there is no webhook, or (with a warning) when no HTTP client can
/// be made. Each post is bounded (5 s to connect, 10 s in all), so a dead server costs
/// little. Err when the certificate, key or CAs cannot be read: the admin asked for them.
pub fn start_webhook(r: &Reporting, names: [&str; 3]) -> Result<Option<Arc<Webhook>>, String> {
    let Some(url) = r.webhook.as_deref() else {
        return Ok(None);
    };
    let tls = crate::repo::ClientTls::load(r, names)?;
    let shown = crate::answer::redact_url(url);
    Ok(
        match crate::repo::http_client_tls(Duration::from_secs(5), Duration::from_secs(10), &tls) {
            Ok(http) => Some(Arc::new(Webhook::start(
                url,
                &shown,
                r.token.as_deref(),
                http.client,
            ))),
            Err(e) => {
                tracing::warn!("webhook {shown}: {e}; events are not posted");
                None
            }
        },
    )
}

//! Reporting to a deployment server: the answer's `[reporting] webhook`, started the same
//! way by both front doors.

use std::sync::Arc;
use std::time::Duration;

use crate::events::Webhook;

/// Starts posting events to `url` (with `token` as a bearer token); None (with a warning)
/// when no HTTP client can be made. Each post is bounded (5 s to connect, 10 s in all), so a
/// dead server costs little.
pub fn start_webhook(url: &str, token: Option<&str>) -> Option<Arc<Webhook>> {
    let shown = crate::answer::redact_url(url);
    match crate::repo::http_client(Duration::from_secs(5), Duration::from_secs(10)) {
        Ok(http) => Some(Arc::new(Webhook::start(url, &shown, token, http.client))),
        Err(e) => {
            tracing::warn!("webhook {shown}: {e}; events are not posted");
            None
        }
    }
}

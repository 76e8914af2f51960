//! `[reporting] webhook`: every event POSTed as JSON to a deployment server. A background
//! thread does the posting, so a slow or dead server never slows the install; its failures
//! are logged, never fatal; when it falls behind or is down, events are dropped (and
//! counted), except the last one (`ended`), and the end of an install waits at most 30 s.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Event, Sink};

/// Events waiting to be posted before new ones are dropped.
const QUEUE: usize = 1024;
/// After a failed post, events are dropped (and counted) for this long before the next try,
/// so a dead or silent server costs one timeout per interval, not one per event.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// How long the end of an install waits for the last posts.
const FINISH_WAIT: Duration = Duration::from_secs(30);
/// How long the last event (`ended`) is retried, within the end's wait.
const LAST_RETRIES: Duration = Duration::from_secs(20);

pub struct Webhook {
    tx: Mutex<Option<SyncSender<Event>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    dropped: Arc<AtomicU64>,
}

impl Webhook {
    /// Starts posting to `url` (http or https) with `client` (its timeouts bound each post);
    /// warnings name it as `shown` (the URL with any credentials masked).
    pub fn start(
        url: &str,
        shown: &str,
        token: Option<&str>,
        client: reqwest::blocking::Client,
    ) -> Webhook {
        let (tx, rx) = sync_channel(QUEUE);
        let to = Target {
            url: url.to_owned(),
            shown: shown.to_owned(),
            token: token.map(str::to_owned),
        };
        let dropped = Arc::new(AtomicU64::new(0));
        let skipped = dropped.clone();
        let worker = std::thread::spawn(move || post_all(&to, &client, rx, &skipped));
        Webhook {
            tx: Mutex::new(Some(tx)),
            worker: Mutex::new(Some(worker)),
            dropped,
        }
    }

    /// Posts what is queued (each post bounded by the client's timeouts) and stops the
    /// thread. Called at the end of an install, and on drop.
    pub fn finish(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(w) = self.worker.lock().ok().and_then(|mut w| w.take()) {
            let deadline = Instant::now() + FINISH_WAIT;
            while !w.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if w.is_finished() {
                let _ = w.join();
            } else {
                tracing::warn!("webhook: gave up waiting for the server after {FINISH_WAIT:?}");
            }
        }
        let n = self.dropped.swap(0, Ordering::Relaxed);
        if n > 0 {
            tracing::warn!("webhook: {n} event(s) not posted: the server was too slow or down");
        }
    }
}

impl Sink for Webhook {
    fn send(&self, event: &Event) {
        let Ok(guard) = self.tx.lock() else { return };
        let Some(tx) = guard.as_ref() else { return };
        // The last event is the one the server waits for: it waits for room rather than
        // being dropped (each post is bounded, so this wait is too).
        if matches!(event, Event::Ended { .. }) {
            let _ = tx.send(event.clone());
        } else if let Err(TrySendError::Full(_)) = tx.try_send(event.clone()) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Where the posts go.
struct Target {
    url: String,
    /// The URL with its credentials masked, for warnings.
    shown: String,
    /// Sent as `Authorization: Bearer`; never logged.
    token: Option<String>,
}

fn post_all(
    to: &Target,
    client: &reqwest::blocking::Client,
    rx: Receiver<Event>,
    dropped: &AtomicU64,
) {
    let mut failed_at: Option<Instant> = None;
    for event in rx {
        let last = matches!(event, Event::Ended { .. });
        if !last && failed_at.is_some_and(|t| t.elapsed() < RETRY_AFTER) {
            dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let Ok(body) = serde_json::to_vec(&event) else {
            continue;
        };
        // The last event is retried with backoff (1, 2, 4, 8 s) within the end's wait; the
        // others are not (the install goes on; the next one is tried after RETRY_AFTER).
        let mut wait = Duration::from_secs(1);
        let started = Instant::now();
        let result = loop {
            let result = post(to, client, body.clone());
            let again = last && result.is_err() && started.elapsed() + wait < LAST_RETRIES;
            if !again {
                break result;
            }
            std::thread::sleep(wait);
            wait *= 2;
        };
        match result {
            Ok(_) => failed_at = None,
            Err(e) => {
                // One warning per outage, not one per event.
                if failed_at.is_none() || last {
                    // reqwest's message would repeat the URL with its credentials.
                    tracing::warn!("webhook {}: {}", to.shown, e.without_url());
                }
                dropped.fetch_add(1, Ordering::Relaxed);
                failed_at = Some(Instant::now());
            }
        }
    }
}

fn post(
    to: &Target,
    client: &reqwest::blocking::Client,
    body: Vec<u8>,
) -> Result<reqwest::blocking::Response, reqwest::Error> {
    let mut request = client
        .post(&to.url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = &to.token {
        request = request.bearer_auth(t);
    }
    request.send().and_then(|r| r.error_for_status())
}

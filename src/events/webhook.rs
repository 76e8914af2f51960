//! `[reporting] webhook`: every event POSTed as JSON to a deployment server. A background
//! thread does the posting, so a slow or dead server never slows the install; its failures
//! are logged, never fatal, and when it falls behind events are dropped (and counted).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use super::{Event, Sink};

/// Events waiting to be posted before new ones are dropped.
const QUEUE: usize = 1024;

pub struct Webhook {
    tx: Mutex<Option<SyncSender<Event>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    dropped: AtomicU64,
}

impl Webhook {
    /// Starts posting to `url` (http or https) with `client` (its timeouts bound each post).
    pub fn start(url: &str, client: reqwest::blocking::Client) -> Webhook {
        let (tx, rx) = sync_channel(QUEUE);
        let url = url.to_owned();
        let worker = std::thread::spawn(move || post_all(&url, &client, rx));
        Webhook {
            tx: Mutex::new(Some(tx)),
            worker: Mutex::new(Some(worker)),
            dropped: AtomicU64::new(0),
        }
    }

    /// Posts what is queued (each post bounded by the client's timeouts) and stops the
    /// thread. Called at the end of an install, and on drop.
    pub fn finish(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(w) = self.worker.lock().ok().and_then(|mut w| w.take()) {
            let _ = w.join();
        }
        let n = self.dropped.swap(0, Ordering::Relaxed);
        if n > 0 {
            tracing::warn!("webhook: {n} event(s) dropped because the server was too slow");
        }
    }
}

impl Sink for Webhook {
    fn send(&self, event: &Event) {
        let Ok(guard) = self.tx.lock() else { return };
        if let Some(tx) = guard.as_ref()
            && let Err(TrySendError::Full(_)) = tx.try_send(event.clone())
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.finish();
    }
}

fn post_all(url: &str, client: &reqwest::blocking::Client, rx: Receiver<Event>) {
    let mut failing = false;
    for event in rx {
        let Ok(body) = serde_json::to_vec(&event) else {
            continue;
        };
        let result = client
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .and_then(|r| r.error_for_status());
        match result {
            Ok(_) => failing = false,
            // One warning per outage, not one per event.
            Err(e) if !failing => {
                tracing::warn!("webhook {url}: {e}");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

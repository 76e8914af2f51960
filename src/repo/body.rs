//! Reading a response body within bounds (a size cap and a deadline), and telling the user
//! that a fetch is still waiting instead of going quiet for minutes.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How often a long fetch says that it is still waiting.
const EVERY: Duration = Duration::from_secs(10);

/// Why reading stopped early.
pub(super) enum Cut {
    /// More than the cap: the rest is not read.
    TooLarge,
    /// The deadline passed while bytes were still coming.
    Deadline,
    /// The connection failed mid-body (worth another attempt).
    Io(std::io::Error),
}

/// Reads `from` to its end, refusing more than `limit` bytes or reading past `deadline`;
/// `got` counts the bytes for the progress messages.
pub(super) fn read_bounded(
    from: &mut impl Read,
    limit: u64,
    deadline: Instant,
    got: &AtomicU64,
) -> Result<Vec<u8>, Cut> {
    let mut body = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(body),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Cut::Io(e)),
        };
        if body.len() as u64 + n as u64 > limit {
            return Err(Cut::TooLarge);
        }
        body.extend_from_slice(&buf[..n]);
        got.store(body.len() as u64, Ordering::Relaxed);
        if Instant::now() > deadline {
            return Err(Cut::Deadline);
        }
    }
}

/// While alive, says every 10 s that `url` is still being fetched, how much has arrived
/// and when the fetch gives up.
pub(super) struct Watch {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub got: Arc<AtomicU64>,
}

impl Watch {
    pub fn start(url: String, deadline: Duration) -> Watch {
        let (stop, rx) = mpsc::channel::<()>();
        let got = Arc::new(AtomicU64::new(0));
        let counter = got.clone();
        let started = Instant::now();
        let thread = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(EVERY) {
                tracing::warn!(
                    "still fetching {url}: {} s, {} received so far; giving up after {} s",
                    started.elapsed().as_secs(),
                    crate::answer::human_bytes(counter.load(Ordering::Relaxed)),
                    deadline.as_secs()
                );
            }
        });
        Watch {
            stop: Some(stop),
            thread: Some(thread),
            got,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Closing the channel wakes the thread at once.
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_body_is_cut_at_the_limit() {
        let got = AtomicU64::new(0);
        let far = Instant::now() + Duration::from_secs(60);
        let r = read_bounded(&mut std::io::repeat(b'x'), 1 << 20, far, &got);
        assert!(matches!(r, Err(Cut::TooLarge)));
        assert!(got.load(Ordering::Relaxed) <= 1 << 20);
        let ok = read_bounded(&mut &b"abc"[..], 3, far, &got);
        assert!(matches!(ok, Ok(ref b) if b == b"abc"));
    }

    #[test]
    fn a_body_past_the_deadline_is_cut() {
        let got = AtomicU64::new(0);
        let past = Instant::now() - Duration::from_millis(1);
        let r = read_bounded(&mut std::io::repeat(b'x'), u64::MAX, past, &got);
        assert!(matches!(r, Err(Cut::Deadline)));
    }
}

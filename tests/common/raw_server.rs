//! A TCP server on 127.0.0.1 that answers each connection with whatever a test scripts
//! (stall, drip, lie about the length, redirect forever), and counts the connections, to
//! see how a fetch behaves against servers that misbehave.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct RawServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    count: Arc<AtomicUsize>,
}

impl RawServer {
    /// Accepts connections in the background and runs `f` on each, in its own thread.
    pub fn start(f: impl Fn(TcpStream) + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        let f = Arc::new(f);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                c.fetch_add(1, Ordering::SeqCst);
                let f = f.clone();
                std::thread::spawn(move || f(conn));
            }
        });
        RawServer {
            base: format!("http://127.0.0.1:{port}"),
            count,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

/// Reads (the start of) a request, so the client is waiting for the response.
pub fn read_request(conn: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = conn.read(&mut buf);
}

//! A deployment server for webhook tests.
#![allow(dead_code)]

/// A deployment server on 127.0.0.1 that records the body of every POST.
pub struct Hook {
    port: u16,
    bodies: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Every request's Authorization header ("" when it had none), failed ones too.
    auth: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Hook {
    pub fn listen() -> Hook {
        Hook::listen_with(0)
    }

    /// A server that answers 503 to its first `fail_first` posts (a deployment server
    /// that is restarting), then records as `listen` does.
    pub fn listen_with(fail_first: usize) -> Hook {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = bodies.clone();
        let auth = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep_auth = auth.clone();
        let mut seen = 0usize;
        // Ends with the test process; it only ever answers on 127.0.0.1.
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let mut r = BufReader::new(conn);
                // One request per connection: the reply says Connection: close.
                let mut len = 0usize;
                let mut authorization = String::new();
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        authorization = line["authorization:".len()..].trim().to_string();
                    }
                }
                keep_auth.lock().unwrap().push(authorization);
                let mut body = vec![0; len];
                seen += 1;
                if seen <= fail_first {
                    let _ = r.read_exact(&mut body);
                    let _ = r.get_mut().write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    continue;
                }
                if r.read_exact(&mut body).is_ok() {
                    keep.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
                }
                let _ = r.get_mut().write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Hook { port, bodies, auth }
    }

    /// The Authorization header of every request so far, in order.
    pub fn authorizations(&self) -> Vec<String> {
        self.auth.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/installs", self.port)
    }

    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

/// An answer for `image` that installs nothing: its repository does not exist, so the
/// install is refused at preflight (exit 3) without touching the disk, after the events
/// began. `extra` is appended (e.g. a `[reporting]` table).
pub fn refused_answer(image: &std::path::Path, extra: &str) -> String {
    format!(
        "version = 1\n[install]\nconfirm = false\nfinish = \"none\"\n[target]\npath = \"{}\"\nwipe = true\n\
         [[repos]]\nname = \"gone\"\nurl = \"file:///nonexistent/repo\"\ngpg_check = false\nallow_unsigned = true\n{extra}",
        image.display()
    )
}

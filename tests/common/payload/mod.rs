//! Helpers for the payload tests: the fixture payload as the plan would build it, a name
//! query of a root's rpmdb, and an HTTP server on 127.0.0.1 that can be slowed down
//! (per request, and mid-body for .rpm files) and killed while transfers are running.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use azl_installer::plan::{Payload, RepoSource};

/// The package request of the tests (DESIGN.md's package set for UEFI, SELinux, SSH).
pub const PACKAGES: [&str; 10] = [
    "openssh-server",
    "selinux-policy-targeted",
    "grub2-efi-x64",
    "shim-x64",
    "efibootmgr",
    "shadow-utils",
    "NetworkManager",
    "grub2-tools",
    "policycoreutils",
    "vim-enhanced",
];

pub fn payload(repo_url: &str, key_url: &str) -> Payload {
    Payload {
        repos: vec![RepoSource {
            name: "fixture".into(),
            url: repo_url.into(),
            gpg_keys: vec![key_url.into()],
            gpg_check: true,
        }],
        packages: PACKAGES.iter().map(|s| s.to_string()).collect(),
        groups: vec!["core".into()],
        weak_deps: true,
        releasever: "4.0".into(),
        kernel: "kernel".into(),
        ..Default::default()
    }
}

/// `p` with the package files the plan finds in the verified metadata (what the prefetch
/// downloads).
pub fn with_files(mut p: Payload) -> Payload {
    let index = azl_installer::repo::load(&p.repos)
        .expect("loading the fixture repository")
        .index;
    let mut names = p.packages.clone();
    names.extend((!p.kernel.is_empty()).then(|| p.kernel.clone()));
    let closure = index.closure(&names, &p.groups, &p.exclude, p.weak_deps);
    p.files = index.package_files(&closure);
    p
}

/// Package names in ROOT's rpmdb at /var/lib/rpm (rpm told so by the installer's macro).
pub fn names_in(root: &Path) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".rpmmacros"),
        azl_installer::engine::payload::RPM_MACROS,
    )
    .unwrap();
    let out = Command::new("rpm")
        .arg("--root")
        .arg(root)
        .args(["-qa", "--qf", "%{NAME}\\n"])
        .env("HOME", home.path())
        .output()
        .expect("running rpm");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty() && *l != "gpg-pubkey")
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

/// A file server for one directory on 127.0.0.1 whose speed the test controls.
pub struct SlowServer {
    pub port: u16,
    /// Delay before answering any request, in ms.
    pub delay_ms: Arc<AtomicU64>,
    /// For .rpm files: pause this long (ms) after sending half of the body.
    pub rpm_stall_ms: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl SlowServer {
    pub fn serve(root: &Path) -> SlowServer {
        SlowServer::serve_on(root, 0)
    }

    /// On a given port (0: any), e.g. to bring a "dead" server back at the same address.
    pub fn serve_on(root: &Path, port: u16) -> SlowServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("binding on 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let mut s = SlowServer {
            port,
            delay_ms: Arc::default(),
            rpm_stall_ms: Arc::default(),
            stop: Arc::default(),
            requests: Arc::default(),
            open: Arc::default(),
            thread: None,
        };
        let (root, stop, reqs, open) = (
            root.to_owned(),
            s.stop.clone(),
            s.requests.clone(),
            s.open.clone(),
        );
        let (delay, stall) = (s.delay_ms.clone(), s.rpm_stall_ms.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                if let Ok(c) = conn.try_clone() {
                    open.lock().unwrap().push(c);
                }
                let (root, reqs) = (root.clone(), reqs.clone());
                let d = Duration::from_millis(delay.load(Ordering::SeqCst));
                let st = Duration::from_millis(stall.load(Ordering::SeqCst));
                std::thread::spawn(move || {
                    let _ = handle(conn, &root, &reqs, d, st);
                });
            }
            // The listener is dropped here: new connections are refused.
        });
        s.thread = Some(thread);
        s
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Paths of the .rpm files requested so far (one entry per request).
    pub fn rpm_requests(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.ends_with(".rpm"))
            .collect()
    }

    /// Stops listening and cuts every open connection: the server "dies".
    pub fn kill(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        for c in self.open.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn handle(
    conn: TcpStream,
    root: &Path,
    log: &Mutex<Vec<String>>,
    delay: Duration,
    stall: Duration,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/").to_owned();
    log.lock().unwrap().push(path.clone());
    std::thread::sleep(delay);
    // As an HTTP proxy, it is asked for absolute URLs ("GET http://host/path"): it serves
    // its directory for whatever host is named, and the log keeps the URL asked for.
    let local = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => path.as_str(),
    };
    let rel = local.trim_start_matches('/');
    let file: PathBuf = root.join(rel);
    let mut conn = conn;
    if rel.contains("..") || !file.is_file() {
        write!(
            conn,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return conn.flush();
    }
    let mut body = Vec::new();
    std::fs::File::open(&file)?.read_to_end(&mut body)?;
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method == "HEAD" {
        return conn.flush();
    }
    if path.ends_with(".rpm") && !stall.is_zero() {
        let half = body.len() / 2;
        conn.write_all(&body[..half])?;
        conn.flush()?;
        std::thread::sleep(stall);
        conn.write_all(&body[half..])?;
    } else {
        conn.write_all(&body)?;
    }
    conn.flush()
}

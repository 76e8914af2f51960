//! The signed fixture repository (`tests/fixtures/build-repo`) for integration tests: built
//! once per variant into `target/fixture-repo/<variant>` and reused (the script's stamp makes
//! a repeated call cost ~50 ms), a driver for the real `dnf --installroot`, and a tiny HTTP
//! file server bound to 127.0.0.1 that stops on drop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::flavor::Flavor;

/// Returns true (after saying why) when the calling test should return early because it
/// is not running as root. `AZL_REQUIRE_ROOT_TESTS=1` turns the skip into a failure.
pub fn skip_unless_root() -> bool {
    !super::is_root()
        && super::skip_or_fail("needs root (dnf --installroot runs scriptlets in a chroot)")
}

/// `target/` of this build (integration tests get `<target>/tmp` from cargo).
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent")
        .to_path_buf()
}

/// One built variant of the fixture repository (see tests/fixtures/README.md).
pub struct FixtureRepo {
    /// OUTDIR of build-repo: `repo/`, `RPM-GPG-KEY-fixture`, `fixture.env`, `gnupg/`.
    pub dir: PathBuf,
    pub variant: String,
}

impl FixtureRepo {
    /// Builds (or finds up to date) the variant: base, unsigned-repomd, other-key,
    /// bad-primary, unsigned-rpm, old-kernel.
    pub fn build(variant: &str) -> FixtureRepo {
        // Each generation builds and signs its own: rpm 4.18 on the host, rpm 6 in forky.
        let base = target_dir().join(match Flavor::current() {
            Flavor::Dnf4 => "fixture-repo",
            Flavor::Dnf5 => "fixture-repo-rpm6",
        });
        let dir = base.join(variant);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build-repo");
        let out = Command::new(&script)
            .arg(&dir)
            .args(["--variant", variant])
            .env("FIXTURE_CACHE", base.join(".rpm-cache"))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} {} --variant {variant} failed:\n{}",
            script.display(),
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        FixtureRepo {
            dir,
            variant: variant.to_owned(),
        }
    }

    pub fn base() -> FixtureRepo {
        FixtureRepo::build("base")
    }

    /// The repository directory (Packages/, repodata/).
    pub fn repo_dir(&self) -> PathBuf {
        self.dir.join("repo")
    }

    pub fn repo_url(&self) -> String {
        format!("file://{}", self.repo_dir().display())
    }

    /// The armored public key the packages and (except in other-key) repomd.xml are signed with.
    pub fn key_path(&self) -> PathBuf {
        self.dir.join("RPM-GPG-KEY-fixture")
    }

    pub fn key_url(&self) -> String {
        format!("file://{}", self.key_path().display())
    }

    /// The packages of the repository.
    pub fn packages(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.repo_dir().join("Packages"))
            .expect("reading Packages/")
            .map(|e| e.expect("reading Packages/").path())
            .filter(|p| p.extension().is_some_and(|x| x == "rpm"))
            .collect();
        v.sort();
        v
    }

    /// A value of `fixture.env` (variant, kernel_version, kernel_release, kernel_uname, ...).
    pub fn env(&self, key: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.dir.join("fixture.env")).ok()?;
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_owned())
    }

    /// `uname -r` of the repository's kernel, e.g. "6.18.2-1.azl4.x86_64".
    pub fn kernel_uname(&self) -> String {
        self.env("kernel_uname")
            .expect("fixture.env names the kernel")
    }
}

/// The real dnf, installing into a root with signature checks on (the command of
/// FIELD-NOTES): `rpm --initdb` and the key imported first, then dnf with `gpgcheck=1`,
/// `repo_gpgcheck=1` and no host repositories.
pub struct Dnf {
    pub root: PathBuf,
    repo_url: String,
    key_url: String,
    key_path: PathBuf,
    setopts: Vec<String>,
}

impl Dnf {
    pub fn new(root: &Path, repo: &FixtureRepo) -> Dnf {
        Dnf::with_urls(root, &repo.repo_url(), &repo.key_url(), &repo.key_path())
    }

    /// Any repository URL (file:// or http://) and key URL; `key_path` is imported into
    /// the root's rpmdb beforehand.
    pub fn with_urls(root: &Path, repo_url: &str, key_url: &str, key_path: &Path) -> Dnf {
        let dnf = Dnf {
            root: root.to_owned(),
            repo_url: repo_url.to_owned(),
            key_url: key_url.to_owned(),
            key_path: key_path.to_owned(),
            setopts: Vec::new(),
        };
        dnf.init_rpmdb();
        dnf
    }

    fn init_rpmdb(&self) {
        std::fs::create_dir_all(&self.root).expect("creating the install root");
        let root = self.root.to_string_lossy().into_owned();
        super::sh("rpm", &["--root", &root, "--initdb"]);
        super::sh(
            "rpm",
            &[
                "--root",
                &root,
                "--import",
                &self.key_path.to_string_lossy(),
            ],
        );
    }

    /// Adds `--setopt=OPT` (e.g. "install_weak_deps=False").
    pub fn setopt(mut self, opt: &str) -> Dnf {
        self.setopts.push(opt.to_owned());
        self
    }

    /// Runs dnf with ARGS ("install", "tmux", ...) and returns its output, success or not.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(Flavor::current().dnf());
        cmd.arg("-y")
            .arg(format!("--installroot={}", self.root.display()))
            .arg("--releasever=4.0")
            .arg("--setopt=reposdir=/nonexistent")
            .arg(format!("--repofrompath=fx,{}", self.repo_url))
            .arg("--setopt=fx.gpgcheck=1")
            .arg("--setopt=fx.repo_gpgcheck=1")
            .arg(format!("--setopt=fx.gpgkey={}", self.key_url));
        for o in &self.setopts {
            cmd.arg(format!("--setopt={o}"));
        }
        let out = cmd
            .args(args)
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null())
            .output()
            .expect("running dnf");
        self.stop_gpg_agents();
        out
    }

    /// gpgme (repo_gpgcheck, both dnf 4 and 5) leaves a daemonized gpg-agent per keyring
    /// in the cache.
    fn stop_gpg_agents(&self) {
        let cache = self.root.join(Flavor::current().default_cache());
        for ring in std::fs::read_dir(cache)
            .into_iter()
            .flatten()
            .flatten()
            .map(|d| d.path().join("pubring"))
            .filter(|r| r.is_dir())
        {
            let _ = Command::new("gpgconf")
                .arg("--homedir")
                .arg(&ring)
                .args(["--kill", "gpg-agent"])
                .status();
        }
    }

    /// Runs dnf and panics with its output unless it succeeds.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "dnf {args:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// NEVRAs installed in the root (rpm -qa), sorted.
    pub fn installed(&self) -> Vec<String> {
        let out = super::sh(
            "rpm",
            &[
                "--root",
                &self.root.to_string_lossy(),
                "-qa",
                "--qf",
                "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n",
            ],
        );
        let mut v: Vec<String> = out
            .lines()
            .filter(|l| !l.starts_with("gpg-pubkey"))
            .map(str::to_owned)
            .collect();
        v.sort();
        v
    }
}

/// A static file server on 127.0.0.1 (ephemeral port) for one directory: GET and HEAD,
/// one thread per connection, `Connection: close`. Stops when dropped.
pub struct HttpServer {
    pub port: u16,
    /// When set, every request needs `Authorization: Basic` with these "user:password".
    login: Option<String>,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub fn serve(root: &Path) -> HttpServer {
        HttpServer::serve_login(root, None)
    }

    /// A server that answers 401 to any request without the HTTP basic login "user:password".
    pub fn serve_with_login(root: &Path, user: &str, password: &str) -> HttpServer {
        HttpServer::serve_login(root, Some(format!("{user}:{password}")))
    }

    fn serve_login(root: &Path, login: Option<String>) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (root, stop2, requests2) = (root.to_owned(), stop.clone(), requests.clone());
        let want = login.as_deref().map(|l| {
            use base64::Engine;
            format!(
                "basic {}",
                base64::engine::general_purpose::STANDARD.encode(l)
            )
        });
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (root, requests, want) = (root.clone(), requests2.clone(), want.clone());
                std::thread::spawn(move || {
                    let _ = handle_http(conn, &root, &requests, want.as_deref());
                });
            }
        });
        HttpServer {
            port,
            login,
            stop,
            requests,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/` + path (no leading slash).
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    /// Request lines served so far ("GET /repodata/repomd.xml 200").
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `want`: the whole `Authorization` value required (lower-case scheme), if any.
fn handle_http(
    conn: TcpStream,
    root: &Path,
    log: &Mutex<Vec<String>>,
    want: Option<&str>,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            let value = value.trim();
            // The scheme is case-insensitive, the credentials are not.
            authorization = value
                .split_once(' ')
                .map(|(scheme, rest)| format!("{} {rest}", scheme.to_ascii_lowercase()));
        }
    }
    let authorized = want.is_none_or(|w| authorization.as_deref() == Some(w));
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let rel = percent_decode(path.trim_start_matches('/'));
    let file = root.join(&rel);
    let mut conn = conn;
    let (status, body) = if !authorized {
        ("401 Unauthorized", None)
    } else if rel.split('/').any(|c| c == "..") {
        ("403 Forbidden", None)
    } else if method != "GET" && method != "HEAD" {
        ("405 Method Not Allowed", None)
    } else {
        match std::fs::File::open(&file) {
            Ok(f) if file.is_file() => ("200 OK", Some(f)),
            _ => ("404 Not Found", None),
        }
    };
    log.lock()
        .expect("request log")
        .push(format!("{method} {path} {}", &status[..3]));
    match body {
        Some(mut f) => {
            let len = f.metadata()?.len();
            write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Length: {len}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
            )?;
            if method == "GET" {
                let mut buf = Vec::with_capacity(len as usize);
                f.read_to_end(&mut buf)?;
                conn.write_all(&buf)?;
            }
        }
        None => write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n{}\r\n",
            if authorized {
                ""
            } else {
                "WWW-Authenticate: Basic realm=\"fixture\"\r\n"
            }
        )?,
    }
    conn.flush()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

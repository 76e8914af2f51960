//! A fleet's deployment server that takes events over https only from clients holding a
//! certificate of its CA: Python's ssl module (OpenSSL) serving on 127.0.0.1, with a test
//! CA, server and client certificates made by the openssl command at test time.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The certificates of one test: a CA, the server's (for 127.0.0.1) and a client's signed
/// by it, and a client's signed by another CA (which the server must refuse).
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        ca(d, "ca", "fleet-test-ca");
        ca(d, "other-ca", "someone-elses-ca");
        leaf(
            d,
            "server",
            "ca",
            "127.0.0.1",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth",
        );
        leaf(
            d,
            "client",
            "ca",
            "rack-07.fleet",
            "extendedKeyUsage=clientAuth",
        );
        leaf(
            d,
            "stranger",
            "other-ca",
            "stranger.fleet",
            "extendedKeyUsage=clientAuth",
        );
        Pki { dir }
    }

    /// NAME.pem (certificate) or NAME.key (private key).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn openssl(args: &[&str]) {
    let o = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn ca(d: &Path, name: &str, cn: &str) {
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        &format!("/CN={cn}"),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        &d.join(format!("{name}.key")).to_string_lossy(),
        "-out",
        &d.join(format!("{name}.pem")).to_string_lossy(),
    ]);
}

fn leaf(d: &Path, name: &str, ca: &str, cn: &str, ext: &str) {
    let p = |s: &str| d.join(s).to_string_lossy().into_owned();
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        &format!("/CN={cn}"),
        "-keyout",
        &p(&format!("{name}.key")),
        "-out",
        &p(&format!("{name}.csr")),
    ]);
    std::fs::write(d.join(format!("{name}.ext")), ext).unwrap();
    openssl(&[
        "x509",
        "-req",
        "-days",
        "2",
        "-set_serial",
        "0x1000",
        "-in",
        &p(&format!("{name}.csr")),
        "-CA",
        &p(&format!("{ca}.pem")),
        "-CAkey",
        &p(&format!("{ca}.key")),
        "-extfile",
        &p(&format!("{name}.ext")),
        "-out",
        &p(&format!("{name}.pem")),
    ]);
}

const SERVER: &str = r#"
import http.server, json, ssl, sys
ca, cert, key, out = sys.argv[1:5]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        peer = self.connection.getpeercert() or {}
        cn = dict(p[0] for p in peer.get("subject", ())).get("commonName")
        with open(out, "a") as f:
            f.write(json.dumps({"cn": cn, "auth": self.headers.get("authorization"),
                                "body": body.decode()}) + "\n")
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(ca)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;

/// The server, stopped when dropped.
pub struct TlsHook {
    child: Child,
    port: u16,
    out: PathBuf,
}

/// One POST the server took: the client certificate's common name, the Authorization
/// header, the event.
pub struct Post {
    pub cn: Option<String>,
    pub auth: Option<String>,
    pub event: serde_json::Value,
}

impl TlsHook {
    pub fn start(pki: &Pki) -> TlsHook {
        let out = pki.file("posts.jsonl");
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SERVER)
            .arg(pki.file("ca.pem"))
            .arg(pki.file("server.pem"))
            .arg(pki.file("server.key"))
            .arg(&out)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the server's port");
        TlsHook { child, port, out }
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/installs", self.port)
    }

    pub fn posts(&self) -> Vec<Post> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                Post {
                    cn: v["cn"].as_str().map(str::to_string),
                    auth: v["auth"].as_str().map(str::to_string),
                    event: serde_json::from_str(v["body"].as_str().unwrap()).unwrap(),
                }
            })
            .collect()
    }
}

impl Drop for TlsHook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

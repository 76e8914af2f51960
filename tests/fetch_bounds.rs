//! Fetches are bounded: servers that never stop sending, lie about the length, drip, stay
//! silent or redirect forever are given up on within the policy's size and time, without
//! retrying what cannot change; a waiting fetch says so; credentials in URLs never show.

mod common;

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use azl_installer::repo::{FetchPolicy, Fetcher};
use common::raw_server::{RawServer, read_request};

fn policy(max_bytes: u64, deadline: Duration) -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(30),
        attempts: 4,
        backoff: Duration::from_millis(100),
        deadline,
        max_bytes,
    }
}

fn fetch_err(p: FetchPolicy, url: &str) -> (String, Duration) {
    let t = Instant::now();
    let e = match Fetcher::new(p).get(url) {
        Ok(body) => panic!("fetched {} bytes, should have been refused", body.len()),
        Err(e) => e.to_string(),
    };
    eprintln!("refused after {:?}: {e}", t.elapsed());
    (e, t.elapsed())
}

#[test]
fn an_endless_chunked_body_is_cut_at_the_size_limit() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        while conn.write_all(chunk.as_bytes()).is_ok() {}
    });
    let (e, took) = fetch_err(
        policy(1 << 20, Duration::from_secs(60)),
        &format!("{}/a.toml", server.base),
    );
    assert!(e.contains("larger than 1 MiB"), "{e}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(
        server.connections(),
        1,
        "a body too large is not asked for again"
    );
}

#[test]
fn a_huge_content_length_is_refused_before_reading() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nversion");
        std::thread::sleep(Duration::from_secs(30));
    });
    let (e, took) = fetch_err(
        policy(1 << 20, Duration::from_secs(60)),
        &format!("{}/a.toml", server.base),
    );
    assert!(e.contains("larger than 1 MiB"), "{e}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_redirect_loop_is_not_retried() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn.write_all(
            b"HTTP/1.1 302 Found\r\nLocation: /a.toml\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let (e, _) = fetch_err(
        policy(1 << 20, Duration::from_secs(60)),
        &format!("{}/a.toml", server.base),
    );
    assert!(e.contains("not retried"), "{e}");
    // One chain of redirects (reqwest follows at most 10), not one per attempt.
    let n = server.connections();
    assert!((2..=11).contains(&n), "{n} connections");
}

#[test]
fn a_forbidden_answer_is_not_retried() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let (e, _) = fetch_err(
        policy(1 << 20, Duration::from_secs(60)),
        &format!("{}/a.toml", server.base),
    );
    assert!(e.contains("HTTP status 403"), "{e}");
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_dripping_server_is_given_up_on_at_the_deadline() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        for _ in 0..100_000 {
            if conn.write_all(b"#").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let (e, took) = fetch_err(
        policy(1 << 20, Duration::from_secs(3)),
        &format!("{}/a.toml", server.base),
    );
    assert!(e.contains("not complete within 3 s"), "{e}");
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_silent_server_is_given_up_on_at_the_deadline_not_per_attempt() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        std::thread::sleep(Duration::from_secs(60));
    });
    // Each attempt alone could wait 30 s for the headers; the whole fetch has 3.
    let (e, took) = fetch_err(
        policy(1 << 20, Duration::from_secs(3)),
        &format!("{}/a.toml", server.base),
    );
    assert!(e.contains("not complete within 3 s"), "{e}");
    assert!(took < Duration::from_secs(6), "took {took:?}");
}

#[test]
fn the_answer_policy_is_one_mib_and_two_minutes() {
    let p = FetchPolicy::answer();
    assert_eq!(p.max_bytes, 1 << 20);
    assert_eq!(p.deadline, Duration::from_secs(120));
}

/// The installer on the command line, with its stderr and exit code.
fn installer(args: &[&str]) -> (Option<i32>, String) {
    installer_in(args, &std::env::temp_dir().join("azl-fetch-bounds-unused"))
}

/// The same, with `run_dir` as the installer's run directory (its log and event journal).
fn installer_in(args: &[&str], run_dir: &std::path::Path) -> (Option<i32>, String) {
    let t = Instant::now();
    let out = Command::new(common::bin())
        .args(args)
        .env("NO_COLOR", "1")
        .env("AZL_RUN_DIR", run_dir)
        .output()
        .expect("running the installer");
    let text = common::output_text(&out);
    eprintln!(
        "{args:?} -> {:?} after {:?}:\n{text}",
        out.status.code(),
        t.elapsed()
    );
    (out.status.code(), text)
}

/// Serves `body` as every response, after waiting `delay`.
fn answer_server(body: &'static str, delay: Duration) -> RawServer {
    RawServer::start(move |mut conn| {
        read_request(&mut conn);
        std::thread::sleep(delay);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(body.as_bytes());
    })
}

#[test]
fn a_slow_answer_server_gets_a_message_while_it_waits() {
    let server = answer_server("version = 1\n", Duration::from_secs(12));
    let url = format!("{}/a.toml", server.base);
    let (code, text) = installer(&["plan", &url]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(&format!("still fetching {url}: 10 s")),
        "{text}"
    );
    // It did get the answer, and read it.
    assert!(text.contains("missing key \"target\""), "{text}");
}

#[test]
fn an_upper_case_scheme_is_a_url() {
    let server = answer_server("version = 1\n", Duration::ZERO);
    let url = format!("{}/a.toml", server.base).replace("http://", "HTTP://");
    let (code, text) = installer(&["plan", &url]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("missing key \"target\""), "{text}");
    assert_eq!(server.connections(), 1);
}

#[test]
fn credentials_in_an_answer_url_are_never_shown() {
    // Busy once (a retry, with a warning), then not found (the error).
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let server = RawServer::start(move |mut conn| {
        read_request(&mut conn);
        let status = match asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => "503 Busy",
            _ => "404 Not Found",
        };
        let head = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = conn.write_all(head.as_bytes());
    });
    let url = server.base.replace("http://", "http://fleet:s3cr3t-pw@") + "/a.toml";
    let (code, text) = installer(&["plan", &url]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("503") && text.contains("retrying"), "{text}");
    assert!(text.contains("not found"), "{text}");
    assert!(text.contains("http://***@127.0.0.1"), "{text}");
    assert!(
        !text.contains("s3cr3t") && !text.contains("fleet:"),
        "{text}"
    );
}

#[test]
fn credentials_in_a_repository_url_are_never_shown() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ =
            conn.write_all(b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let answer = dir.path().join("a.toml");
    let repo = server.base.replace("http://", "http://fleet:s3cr3t-pw@") + "/repo";
    std::fs::write(
        &answer,
        format!(
            "version = 1\n[target]\npath = \"/dev/azl-no-such-disk\"\n\
             [[repos]]\nname = \"private\"\nurl = \"{repo}\"\ngpg_keys = [\"file:///etc/pki/rpm-gpg/RPM-GPG-KEY-azl-test\"]\n\
             [root]\npassword = \"locked\"\n"
        ),
    )
    .expect("writing the answer");
    let (code, text) = installer(&["plan", &answer.to_string_lossy()]);
    assert_eq!(
        code,
        Some(3),
        "a repository that cannot be loaded is a refusal: {text}"
    );
    assert!(text.contains("repos[0]") && text.contains("503"), "{text}");
    assert!(text.contains("http://***@127.0.0.1"), "{text}");
    assert!(
        !text.contains("s3cr3t") && !text.contains("fleet:"),
        "{text}"
    );
}

#[test]
fn an_answer_that_never_ends_is_refused_at_one_mib() {
    let t = Instant::now();
    let (code, text) = installer(&["validate", "/dev/zero"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("/dev/zero") && text.contains("1 MiB"),
        "{text}"
    );
    assert!(t.elapsed() < Duration::from_secs(10));
    let (code, text) = installer(&["plan", "/dev/zero"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("1 MiB"), "{text}");
}

#[test]
fn credentials_in_a_webhook_url_are_never_shown() {
    let hook = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn
            .write_all(b"HTTP/1.1 500 Broken\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let img = dir.path().join("disk.img");
    std::fs::File::create(&img)
        .and_then(|f| f.set_len(8 << 30))
        .expect("creating the image");
    let url = hook.base.replace("http://", "http://fleet:s3cr3t-pw@") + "/events";
    let answer = dir.path().join("a.toml");
    std::fs::write(
        &answer,
        format!(
            "version = 1\n[install]\nconfirm = false\n[target]\npath = \"{}\"\nwipe = true\n\
             [[repos]]\nname = \"gone\"\nurl = \"file:///nonexistent/repo\"\ngpg_check = false\n\
             allow_unsigned = true\n[reporting]\nwebhook = \"{url}\"\n",
            img.display()
        ),
    )
    .expect("writing the answer");
    let run = dir.path().join("run");
    let (code, text) = installer_in(&["install", "--yes", &answer.to_string_lossy()], &run);
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains("webhook http://***@127.0.0.1"),
        "the failed post is reported: {text}"
    );
    assert!(hook.connections() >= 1, "the webhook was tried");
    let mut logs = 0;
    for f in std::fs::read_dir(&run)
        .expect("the run directory")
        .flatten()
    {
        let written = std::fs::read_to_string(f.path()).expect("reading a log");
        assert!(
            !written.contains("s3cr3t"),
            "{}: {written}",
            f.path().display()
        );
        logs += 1;
    }
    assert!(logs >= 2, "an install log and an event journal");
    assert!(
        !text.contains("s3cr3t") && !text.contains("fleet:"),
        "{text}"
    );
}

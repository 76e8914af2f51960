//! Loading the real signed fixture repository (tests/fixtures/build-repo) over file:// and
//! HTTP, and the refusals: unsigned, signed by another key, tampered primary, missing key,
//! a server that stalls and one that drops the connection mid-body.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use azl_installer::repo::{self, FetchPolicy, RepoSource};
use common::fixture::{FixtureRepo, HttpServer};
use common::raw_server::{RawServer, read_request};

fn source(repo: &FixtureRepo) -> RepoSource {
    RepoSource {
        name: "fixture".into(),
        url: repo.repo_url(),
        gpg_keys: vec![repo.key_url()],
        gpg_check: true,
    }
}

/// Short timeouts so the network failure tests take seconds.
fn quick() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_millis(500),
        attempts: 3,
        backoff: Duration::from_millis(100),
        ..Default::default()
    }
}

fn load_err(sources: &[RepoSource]) -> String {
    match repo::load_with(sources, &quick()) {
        Ok(_) => panic!("loaded although it should have been refused"),
        Err(e) => {
            eprintln!("refused: {e}");
            e.to_string()
        }
    }
}

fn check_base_index(index: &repo::RepoIndex) {
    assert_eq!(index.repos.len(), 1);
    let meta = &index.repos[0];
    assert!(meta.signed_by.is_some(), "signed_by is recorded");
    let names: Vec<&str> = meta.packages.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "kernel",
        "kernel-core",
        "bash",
        "vim-enhanced",
        "tmux",
        "tmux-docs",
        "grub2-efi-x64",
        "shim-x64",
        "openssh-server",
        "selinux-policy-targeted",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let kernel = index.find("kernel");
    assert_eq!(kernel[0].version, "6.18.2");
    assert_eq!(kernel[0].nevra(), "kernel-6.18.2-1.azl4.x86_64");
    let core = &index.find("kernel-core")[0];
    assert!(core.size_installed > 0 && core.size_package > 0);
    let core = index.group("core").expect("core group");
    assert!(core.packages.iter().any(|p| p.name == "systemd"));
    assert!(index.group("standard").is_some());
    // Provides and file paths are found too.
    assert_eq!(index.find("/bin/sh")[0].name, "bash");
    assert_eq!(index.find("/usr/bin/sh")[0].name, "bash");
}

#[test]
fn loads_over_file_url() {
    let repo = FixtureRepo::base();
    let t = Instant::now();
    let loaded = repo::load(&[source(&repo)]).expect("loading the fixture");
    eprintln!("load over file:// took {:?}", t.elapsed());
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    check_base_index(&loaded.index);
    // The signing key's fingerprint is what gpg shows for the fixture key.
    let fpr = loaded.index.repos[0].signed_by.clone().unwrap();
    assert_eq!(fpr.len(), 40, "{fpr}");
}

#[test]
fn loads_over_http() {
    let repo = FixtureRepo::base();
    let server = HttpServer::serve(&repo.dir);
    let src = RepoSource {
        url: server.url("repo"),
        gpg_keys: vec![server.url("RPM-GPG-KEY-fixture")],
        ..source(&repo)
    };
    let t = Instant::now();
    let loaded = repo::load(&[src]).expect("loading the fixture over HTTP");
    eprintln!("load over http:// took {:?}", t.elapsed());
    check_base_index(&loaded.index);
    let reqs = server.requests();
    assert!(
        reqs.iter()
            .any(|r| r.starts_with("GET /repo/repodata/repomd.xml.asc 200")),
        "{reqs:?}"
    );
}

#[test]
fn loads_over_http_with_a_login_in_the_url() {
    let repo = FixtureRepo::base();
    let server = HttpServer::serve_with_login(&repo.dir, "fleet", "p@ss:w/rd");
    let with_login = |path: &str| {
        server
            .url(path)
            .replace("http://", "http://fleet:p%40ss%3Aw%2Frd@")
    };
    let src = RepoSource {
        url: with_login("repo"),
        gpg_keys: vec![with_login("RPM-GPG-KEY-fixture")],
        ..source(&repo)
    };
    let loaded = repo::load(std::slice::from_ref(&src)).expect("loading with a login");
    check_base_index(&loaded.index);
    // Without it, the server says no, and the message does not show the URL's password.
    let wrong = RepoSource {
        url: src.url.replace("fleet:", "fleex:"),
        ..src
    };
    let e = load_err(&[wrong]);
    assert!(
        e.contains("401") && e.contains("http://***@127.0.0.1"),
        "{e}"
    );
    assert!(!e.contains("p%40ss"), "{e}");
}

#[test]
fn refuses_an_unsigned_repomd() {
    let repo = FixtureRepo::build("unsigned-repomd");
    let e = load_err(&[source(&repo)]);
    assert!(
        e.starts_with("repo \"fixture\": repomd.xml is not signed (no repomd.xml.asc at file://"),
        "{e}"
    );
    assert!(
        e.contains("set gpg_check = false and allow_unsigned = true"),
        "{e}"
    );
}

#[test]
fn refuses_a_signature_by_another_key() {
    let repo = FixtureRepo::build("other-key");
    // other-key's repomd.xml is signed by a second throwaway key; trust only the first.
    let e = load_err(&[source(&repo)]);
    assert!(
        e.contains("repo \"fixture\": repomd.xml signature made by key 0x"),
        "{e}"
    );
    assert!(e.contains("which is not in gpg_keys"), "{e}");
    assert!(
        e.contains(&repo.key_url()),
        "names the trusted key's URL: {e}"
    );
}

#[test]
fn refuses_a_primary_whose_checksum_does_not_match() {
    let repo = FixtureRepo::build("bad-primary");
    let e = load_err(&[source(&repo)]);
    assert!(
        e.contains("primary.xml.gz checksum mismatch: expected sha256 "),
        "{e}"
    );
    assert!(e.contains(", got "), "{e}");
}

#[test]
fn refuses_a_key_url_that_does_not_exist() {
    let repo = FixtureRepo::base();
    let mut src = source(&repo);
    src.gpg_keys = vec![format!("file://{}/NO-SUCH-KEY", repo.dir.display())];
    let e = load_err(&[src]);
    assert!(
        e.contains("reading gpg key") && e.contains("NO-SUCH-KEY: not found"),
        "{e}"
    );
}

#[test]
fn tampered_repomd_fails_the_signature() {
    let repo = FixtureRepo::base();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("repo");
    common::sh(
        "cp",
        &[
            "-a",
            &repo.repo_dir().to_string_lossy(),
            &copy.to_string_lossy(),
        ],
    );
    let md = copy.join("repodata/repomd.xml");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("<revision>", "<revision>9")).unwrap();
    let src = RepoSource {
        url: format!("file://{}", copy.display()),
        ..source(&repo)
    };
    let e = load_err(&[src]);
    assert!(
        e.contains("repomd.xml signature by key 0x") && e.contains("changed after signing"),
        "{e}"
    );
}

#[test]
fn gpg_check_false_loads_with_a_warning() {
    let repo = FixtureRepo::build("unsigned-repomd");
    let src = RepoSource {
        gpg_keys: vec![],
        gpg_check: false,
        ..source(&repo)
    };
    let loaded = repo::load_with(&[src], &quick()).expect("loads unsigned when allowed");
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(loaded.warnings[0].contains("gpg_check = false"));
    assert!(loaded.index.repos[0].signed_by.is_none());
    assert!(!loaded.index.find("kernel").is_empty());
}

#[test]
fn the_second_repo_failing_is_reported_with_its_position() {
    let base = FixtureRepo::base();
    let other = FixtureRepo::build("unsigned-repomd");
    let mut second = source(&other);
    second.name = "extras".into();
    let e = repo::load_with(&[source(&base), second], &quick()).unwrap_err();
    assert_eq!((e.position, e.repo.as_str()), (1, "extras"));
}

#[test]
fn a_stalling_server_times_out_is_retried_then_named() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        std::thread::sleep(Duration::from_secs(30));
    });
    let url = format!("{}/repo", server.base);
    let src = RepoSource {
        name: "stall".into(),
        url: url.clone(),
        gpg_keys: vec![],
        gpg_check: false,
    };
    let t = Instant::now();
    let e = load_err(&[src]);
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    assert!(e.contains(&format!("{url}/repodata/repomd.xml")), "{e}");
    assert!(
        e.contains("timed out") && e.contains("after 3 attempt(s)"),
        "{e}"
    );
    assert_eq!(server.connections(), 3);
}

#[test]
fn a_connection_dropped_mid_body_is_retried_then_named() {
    let server = RawServer::start(|mut conn| {
        read_request(&mut conn);
        let _ = conn.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n<repomd",
        );
        let _ = conn.flush();
        // Dropping the stream closes the connection 7 bytes into 100000.
    });
    let url = format!("{}/repo", server.base);
    let src = RepoSource {
        name: "drop".into(),
        url: url.clone(),
        gpg_keys: vec![],
        gpg_check: false,
    };
    let e = load_err(&[src]);
    assert!(e.contains(&format!("{url}/repodata/repomd.xml")), "{e}");
    assert!(
        e.contains("reading the response") && e.contains("after 3 attempt(s)"),
        "{e}"
    );
    assert_eq!(server.connections(), 3);
}

#[test]
fn fetch_reads_file_and_http_urls() {
    let repo = FixtureRepo::base();
    let server = HttpServer::serve(&repo.dir);
    let a = repo::fetch(&repo.key_url()).unwrap();
    let b = repo::fetch(&server.url("RPM-GPG-KEY-fixture")).unwrap();
    assert_eq!(a, b);
    let e = repo::fetch(&server.url("nope")).unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

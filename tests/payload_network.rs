//! The payload step against the network: a prefetch that fills the cache, a prefetch killed mid-download, and a server dying mid-install.

mod common;
mod payload_common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use azl_installer::engine::payload;
use azl_installer::engine::prefetch::Prefetch;
use azl_installer::events::Recorder;
use common::fixture::{FixtureRepo, skip_unless_root};
use payload_common::{SlowServer, names_in, payload};

flavored_tests! {
    fn after_a_prefetch_the_install_downloads_nothing_again() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let server = SlowServer::serve(&repo.repo_dir());
        let p = payload(&server.url(), &repo.key_url());
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("cache");
        let rec = Arc::new(Recorder::default());
        let pf = Prefetch::start(&p, &cache, rec.clone());
        pf.wait().expect("prefetch");
        let fetched = server.rpm_requests();
        assert!(!fetched.is_empty());

        payload::install(&p, &tmp.path().join("root"), &cache, rec.as_ref()).expect("install");
        let all = server.rpm_requests();
        assert_eq!(all, fetched, "the install downloaded packages again");
        let mut uniq = all.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(
            uniq.len(),
            all.len(),
            "a package was requested twice: {all:?}"
        );
        assert_eq!(all.len(), names_in(&tmp.path().join("root")).len());
    }
}

flavored_tests! {
    fn a_prefetch_killed_mid_download_leaves_nothing_the_install_would_use() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let server = SlowServer::serve(&repo.repo_dir());
        // Every .rpm stops half way for 5 s: the kill lands with files half written.
        server.rpm_stall_ms.store(5000, Ordering::SeqCst);
        let p = payload(&server.url(), &repo.key_url());
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("cache");
        let rec = Arc::new(Recorder::default());
        let mut pf = Prefetch::start(&p, &cache, rec.clone());
        let t0 = Instant::now();
        while server.rpm_requests().len() < 3 {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "no download started"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(300));
        let t1 = Instant::now();
        pf.cancel();
        assert!(
            t1.elapsed() < Duration::from_secs(3),
            "cancel took {:?}",
            t1.elapsed()
        );
        assert!(!pf.is_running());
        // dnf (librepo) writes downloads under their final names: a half-written package
        // really is in the cache now, which is what this test is about.
        let partial = partial_files(&cache, &repo.repo_dir().join("Packages"));
        assert!(
            !partial.is_empty(),
            "the kill left no partial file to test with"
        );
        // Whatever dnf left in the cache, the install must verify it or fetch it again.
        server.rpm_stall_ms.store(0, Ordering::SeqCst);
        payload::install(&p, &tmp.path().join("root"), &cache, rec.as_ref())
            .expect("install after a killed prefetch");
        let names = names_in(&tmp.path().join("root"));
        assert!(names.contains(&"bash".to_owned()), "{names:?}");
        // Each half-written package was fetched again rather than used.
        let reqs = server.rpm_requests();
        for f in &partial {
            let n = reqs
                .iter()
                .filter(|r| r.ends_with(&format!("/{f}")))
                .count();
            assert!(n >= 2, "{f} was not downloaded again: {reqs:?}");
        }
    }
}

flavored_tests! {
    fn the_server_dying_mid_install_fails_clearly_and_soon() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let mut server = SlowServer::serve(&repo.repo_dir());
        server.rpm_stall_ms.store(30_000, Ordering::SeqCst);
        let p = payload(&server.url(), &repo.key_url());
        let tmp = tempfile::tempdir().unwrap();
        let (root, cache) = (tmp.path().join("root"), tmp.path().join("cache"));
        let rec = Recorder::default();
        let t0 = Instant::now();
        let err = std::thread::scope(|s| {
            let h = s.spawn(|| payload::install(&p, &root, &cache, &rec));
            while server.rpm_requests().is_empty() && t0.elapsed() < Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(300));
            server.kill();
            h.join()
                .unwrap()
                .expect_err("the install cannot succeed without its server")
        });
        let msg = err.to_string();
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "took {:?}",
            t0.elapsed()
        );
        assert!(msg.starts_with("installing packages into "), "{msg}");
        assert!(
            msg.contains("Cannot download")
                || msg.contains("Failed to download")
                || msg.contains("Curl error"),
            "{msg}"
        );
    }
}

/// Files in dnf's cache that are shorter than the repository's package of the same name:
/// what a killed download leaves behind.
fn partial_files(cache: &std::path::Path, packages: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![cache.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let full = std::fs::metadata(packages.join(name.trim_end_matches(".part")));
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            if let Ok(full) = full
                && len < full.len()
            {
                found.push(name);
            }
        }
    }
    found
}

//! The payload step against the network: a prefetch that fills the cache where dnf looks, a prefetch cancelled mid-download, and a server dying mid-install.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use azl_installer::engine::payload;
use azl_installer::engine::prefetch::Prefetch;
use azl_installer::events::Recorder;
use common::fixture::{FixtureRepo, skip_unless_root};
use common::payload::{SlowServer, names_in, payload, with_files};

flavored_tests! {
    fn after_a_prefetch_the_install_downloads_nothing_again() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let server = SlowServer::serve(&repo.repo_dir());
        let p = with_files(payload(&server.url(), &repo.key_url()));
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
    fn a_prefetch_cancelled_mid_download_leaves_nothing_the_install_would_use() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let server = SlowServer::serve(&repo.repo_dir());
        // Every .rpm stops half way for 5 s: the cancel lands with files half written.
        server.rpm_stall_ms.store(5000, Ordering::SeqCst);
        let p = with_files(payload(&server.url(), &repo.key_url()));
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
        let halfway = in_progress(&cache);
        assert!(!halfway.is_empty(), "no download was half way: {:?}", files_in(&cache));
        // The cancel does not wait for the stalled reads.
        let t1 = Instant::now();
        pf.cancel();
        assert!(t1.elapsed() < Duration::from_secs(1), "cancel took {:?}", t1.elapsed());
        assert!(!pf.is_running());
        // Under a package's own name there is only ever a whole package.
        let packages = repo.repo_dir().join("Packages");
        for f in files_in(&cache).iter().filter(|f| f.ends_with(".rpm")) {
            let name = f.file_name().unwrap();
            assert_eq!(
                std::fs::read(f).unwrap(),
                std::fs::read(packages.join(name)).unwrap(),
                "{} differs from the repository's",
                f.display()
            );
        }
        // The stalled downloads end when their reads return and remove what they wrote.
        while !in_progress(&cache).is_empty() {
            assert!(t1.elapsed() < Duration::from_secs(20), "left behind: {:?}", in_progress(&cache));
            std::thread::sleep(Duration::from_millis(100));
        }
        server.rpm_stall_ms.store(0, Ordering::SeqCst);
        payload::install(&p, &tmp.path().join("root"), &cache, rec.as_ref())
            .expect("install after a cancelled prefetch");
        let names = names_in(&tmp.path().join("root"));
        assert!(names.contains(&"bash".to_owned()), "{names:?}");
        // The half-way files were fetched again, by the transaction.
        let reqs = server.rpm_requests();
        for f in &halfway {
            let n = reqs.iter().filter(|r| r.ends_with(&format!("/{f}"))).count();
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

/// Every file under `dir`, recursively.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                found.push(e.path());
            }
        }
    }
    found
}

/// The packages whose download is under way: the prefetch's temporary files, by the
/// package's file name.
fn in_progress(cache: &std::path::Path) -> Vec<String> {
    files_in(cache)
        .iter()
        .filter_map(|f| {
            let name = f.file_name()?.to_string_lossy().into_owned();
            name.split_once(".azl-part-").map(|(pkg, _)| pkg.to_owned())
        })
        .collect()
}

//! engine::payload::install with the real dnf and the signed fixture repository: into a
//! directory and into a mounted ext4 on a loop device; the result compared with what plain
//! dnf resolves for the same request; the target's repo file and key; progress events.

mod common;

use std::path::Path;

use azl_installer::engine::payload::{self, request_specs};
use azl_installer::events::{Event, Level, Recorder, Step};
use common::fixture::{Dnf, FixtureRepo, skip_unless_root};
use common::payload::{names_in, payload};

/// What plain dnf installs for the same request (the oracle), as sorted names.
fn oracle(repo: &FixtureRepo, p: &azl_installer::plan::Payload) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let dnf = Dnf::new(&tmp.path().join("root"), repo);
    let specs = request_specs(p);
    let mut args = vec!["install"];
    args.extend(specs.iter().map(String::as_str));
    dnf.run_ok(&args);
    let mut names: Vec<String> = dnf
        .installed()
        .iter()
        .map(|nevra| {
            // name-version-release.arch: the name is all but the last two dash fields.
            let mut parts: Vec<&str> = nevra.rsplitn(3, '-').collect();
            parts.pop().unwrap().to_owned()
        })
        .collect();
    names.sort();
    names
}

fn check_installed(root: &Path, repo: &FixtureRepo) {
    let p = payload(&repo.repo_url(), &repo.key_url());
    let cache = tempfile::tempdir().unwrap();
    let rec = Recorder::default();
    let inst = payload::install(&p, root, cache.path(), &rec).expect("install");
    // Nothing dnf started outlives it (gpgme's gpg-agent daemonizes out of its group).
    let left = common::processes_mentioning(&cache.path().display().to_string());
    assert!(left.is_empty(), "still running: {left:?}");

    // The rpmdb is where Fedora keeps it, and matches plain dnf's resolution.
    assert!(root.join("var/lib/rpm/rpmdb.sqlite").is_file());
    assert!(!root.join("root/.rpmdb").exists());
    let ours = names_in(root);
    assert_eq!(ours, oracle(repo, &p));
    for must in [
        "kernel",
        "openssh-server",
        "selinux-policy-targeted",
        "bash",
    ] {
        assert!(ours.iter().any(|n| n == must), "{must} missing: {ours:?}");
    }
    assert_eq!(inst.packages.len(), ours.len());
    assert!(
        inst.packages
            .iter()
            .any(|n| n.starts_with("kernel-core-6.18.2"))
    );
    assert_eq!(inst.kernels, vec![repo.kernel_uname()]);

    // The installed system can update itself from the same repository, checked by its key.
    let repofile = std::fs::read_to_string(root.join("etc/yum.repos.d/fixture.repo")).unwrap();
    assert!(
        repofile.contains(&format!("baseurl={}\n", repo.repo_url())),
        "{repofile}"
    );
    assert!(
        repofile.contains("gpgcheck=1\nrepo_gpgcheck=1\n"),
        "{repofile}"
    );
    assert!(
        repofile.contains("gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fixture\n"),
        "{repofile}"
    );
    assert_eq!(
        std::fs::read(root.join("etc/pki/rpm-gpg/RPM-GPG-KEY-fixture")).unwrap(),
        std::fs::read(repo.key_path()).unwrap()
    );

    // Progress climbs to done == total, all on the payload step.
    let ev = rec.events();
    let progress: Vec<(u64, u64)> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Progress { step, done, total } => {
                assert_eq!(*step, Step::Payload);
                Some((*done, *total))
            }
            _ => None,
        })
        .collect();
    let last = *progress.last().expect("progress events");
    assert_eq!(last.0, last.1, "{progress:?}");
    assert_eq!(last.1 as usize, ours.len(), "{progress:?}");
    assert!(
        progress.windows(2).all(|w| w[0].0 <= w[1].0),
        "{progress:?}"
    );
    assert!(
        ev.iter().all(|e| !matches!(
            e,
            Event::Log {
                level: Level::Warn | Level::Error,
                ..
            }
        )),
        "{ev:?}"
    );
    // Scriptlets ran inside the target.
    assert!(root.join("var/lib/fixture-scriptlets/ran").is_file());
}

flavored_tests! {
    fn installs_the_fixture_payload_into_a_directory() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let tmp = tempfile::tempdir().unwrap();
        check_installed(&tmp.path().join("sysimage"), &repo);
    }
}

flavored_tests! {
    fn installs_the_fixture_payload_onto_a_mounted_ext4() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        let img = common::Image::sparse(512 << 20);
        let lo = common::LoopDevice::attach(&img.path, 512);
        common::sh("mkfs.ext4", &["-q", "-F", &lo.path.to_string_lossy()]);
        let mnt = img.dir.path().join("mnt");
        let _m = common::Mount::new(&lo.path, &mnt);
        check_installed(&mnt, &repo);
    }
}

flavored_tests! {
    fn gpg_check_off_installs_an_unsigned_package_with_a_warning() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::build("unsigned-rpm");
        let mut p = payload(&repo.repo_url(), &repo.key_url());
        p.repos[0].gpg_check = false;
        p.packages = vec!["tmux".into()];
        p.groups.clear();
        p.kernel.clear();
        let tmp = tempfile::tempdir().unwrap();
        let rec = Recorder::default();
        payload::install(
            &p,
            &tmp.path().join("root"),
            &tmp.path().join("cache"),
            &rec,
        )
        .expect("install without signature checks");
        assert!(names_in(&tmp.path().join("root")).contains(&"tmux".to_owned()));
        let warned = rec.events().into_iter().any(|e| {
            matches!(e, Event::Log { step: Some(Step::Payload), level: Level::Warn, message }
                if message.contains("gpg_check = false") && message.contains("fixture"))
        });
        assert!(warned, "{:?}", rec.events());
        let repofile =
            std::fs::read_to_string(tmp.path().join("root/etc/yum.repos.d/fixture.repo")).unwrap();
        assert!(
            repofile.contains("gpgcheck=0\nrepo_gpgcheck=0\n"),
            "{repofile}"
        );
    }
}

flavored_tests! {
    fn a_repository_behind_a_login_installs_and_keeps_the_password_private() {
        if skip_unless_root() {
            return;
        }
        use std::os::unix::fs::PermissionsExt;
        let repo = FixtureRepo::base();
        // A password with characters a URL must escape: '@', ':' and '/'.
        let server = common::fixture::HttpServer::serve_with_login(&repo.repo_dir(), "fleet", "p@ss:w/rd");
        let url = format!("http://fleet:p%40ss%3Aw%2Frd@127.0.0.1:{}/", server.port);
        let mut p = payload(&url, &repo.key_url());
        p.packages = vec!["tmux".into()];
        p.groups.clear();
        p.kernel.clear();
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let rec = Recorder::default();
        payload::install(&p, &root, &tmp.path().join("cache"), &rec).expect("install with a login");
        assert!(names_in(&root).contains(&"tmux".to_owned()));
        let served = server.requests();
        assert!(
            served.iter().any(|r| r.contains(".rpm") && r.ends_with(" 200")),
            "{served:?}"
        );
        // The installed system can use the repository too, and only root can read how.
        let file = root.join("etc/yum.repos.d/fixture.repo");
        let repofile = std::fs::read_to_string(&file).unwrap();
        let bare = format!("baseurl=http://127.0.0.1:{}/\n", server.port);
        assert!(repofile.contains(&bare), "{repofile}");
        assert!(
            repofile.contains("username=fleet\npassword=p@ss:w/rd\n"),
            "{repofile}"
        );
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file:?} is readable by others");
        let said = format!("{:?}", rec.events());
        assert!(!said.contains("p@ss") && !said.contains("p%40ss"), "{said}");
    }
}

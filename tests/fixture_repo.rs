//! The signed fixture repository, checked with the real tools: gpgv for repomd.xml.asc, rpm
//! for package signatures, and dnf installing into a scratch root (scriptlets run in a
//! chroot, so these tests need root; they skip otherwise, or fail under
//! AZL_REQUIRE_ROOT_TESTS=1).

mod common;

use common::fixture::{Dnf, FixtureRepo, HttpServer, skip_unless_root};
use common::sh;
use std::path::Path;
use std::process::{Command, Output};

/// gpgv of repodata/repomd.xml.asc against the variant's exported key.
fn gpgv_repomd(repo: &FixtureRepo, tmp: &Path) -> Output {
    let keyring = tmp.join("keyring.gpg");
    let armored = std::fs::read(repo.key_path()).expect("reading the key");
    let mut dearmor = Command::new("gpg")
        .args(["--batch", "--dearmor", "--output"])
        .arg(&keyring)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("running gpg --dearmor");
    use std::io::Write;
    dearmor
        .stdin
        .take()
        .expect("gpg stdin")
        .write_all(&armored)
        .expect("feeding gpg");
    assert!(dearmor.wait().expect("gpg --dearmor").success());
    let repodata = repo.repo_dir().join("repodata");
    Command::new("gpgv")
        .arg("--keyring")
        .arg(&keyring)
        .arg(repodata.join("repomd.xml.asc"))
        .arg(repodata.join("repomd.xml"))
        .env("GNUPGHOME", tmp)
        .output()
        .expect("running gpgv")
}

flavored_tests! {
    fn repomd_signature_verifies_with_the_exported_key() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let tmp = tempfile::tempdir().unwrap();
        let out = gpgv_repomd(&repo, tmp.path());
        assert!(
            out.status.success(),
            "gpgv failed: {}",
            common::output_text(&out)
        );
        // The copy of the key next to the repository (as on install media) is the same key.
        assert_eq!(
            std::fs::read(repo.key_path()).unwrap(),
            std::fs::read(repo.repo_dir().join("RPM-GPG-KEY-fixture")).unwrap()
        );
        // The comps group file is part of the signed metadata.
        let repomd = std::fs::read_to_string(repo.repo_dir().join("repodata/repomd.xml")).unwrap();
        assert!(repomd.contains(r#"<data type="group">"#), "{repomd}");

        // other-key: signed, but not by the exported key.
        let other = FixtureRepo::build("other-key");
        let tmp2 = tempfile::tempdir().unwrap();
        let out = gpgv_repomd(&other, tmp2.path());
        assert!(
            !out.status.success(),
            "gpgv accepted another key: {}",
            common::output_text(&out)
        );
    }
}

flavored_tests! {
    fn every_package_is_signed_by_the_fixture_key() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let pkgs = repo.packages();
        assert!(pkgs.len() >= 25, "only {} packages", pkgs.len());
        let names: Vec<String> = pkgs
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in [
            "filesystem-",
            "setup-",
            "bash-",
            "kernel-6.18.2-1.azl4.x86_64",
            "kernel-core-6.18.2-",
            "grub2-tools-",
            "grub2-pc-",
            "grub2-efi-x64-",
            "shim-x64-",
            "efibootmgr-",
            "shadow-utils-",
            "NetworkManager-",
            "systemd-",
            "selinux-policy-targeted-",
            "policycoreutils-",
            "openssh-server-",
            "vim-enhanced-",
            "tmux-docs-",
            "dracut-",
        ] {
            assert!(
                names.iter().any(|n| n.starts_with(want)),
                "no {want}* in {names:?}"
            );
        }

        // rpm -K against a scratch rpmdb holding only the fixture key.
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_string_lossy().into_owned();
        sh("rpm", &["--root", &root, "--initdb"]);
        sh(
            "rpm",
            &[
                "--root",
                &root,
                "--import",
                &repo.key_path().to_string_lossy(),
            ],
        );
        let mut args = vec!["--root".to_owned(), root.clone(), "-K".to_owned()];
        args.extend(pkgs.iter().map(|p| p.to_string_lossy().into_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sh("rpm", &args);
        for line in out.lines() {
            assert!(
                line.ends_with("digests signatures OK"),
                "not signed: {line}"
            );
        }

        // unsigned-rpm leaves exactly tmux unsigned, foreign-rpm signs exactly tmux with
        // another key: `rpm -K` against the variant's own key, as rpm 4.18 and rpm 6 say it.
        for (variant, verdict) in [
            ("unsigned-rpm", "digests OK"),
            ("foreign-rpm", "digests SIGNATURES NOT OK"),
        ] {
            let v = FixtureRepo::build(variant);
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().to_string_lossy().into_owned();
            sh("rpm", &["--root", &root, "--initdb"]);
            sh("rpm", &["--root", &root, "--import", &v.key_path().to_string_lossy()]);
            let out = Command::new("rpm")
                .args(["--root", &root, "-K"])
                .args(v.packages())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let odd: Vec<&str> = text
                .lines()
                .filter(|l| !l.ends_with("digests signatures OK"))
                .collect();
            assert_eq!(odd.len(), 1, "{variant}: {text}");
            assert!(
                odd[0].contains("/tmux-3.5a-") && odd[0].ends_with(&format!(": {verdict}")),
                "{variant}: {text}"
            );
        }
    }
}

flavored_tests! {
    fn dnf_installs_the_payload_with_signature_checks() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let dnf = Dnf::new(&root, &repo);
        dnf.run_ok(&[
            "install",
            "kernel",
            "openssh-server",
            "selinux-policy-targeted",
            "vim-enhanced",
            "@core",
        ]);
        let installed = dnf.installed();
        let has = |prefix: &str| installed.iter().any(|n| n.starts_with(prefix));
        assert!(has("kernel-core-6.18."), "{installed:?}");
        for pkg in [
            "filesystem-",
            "setup-",
            "bash-",
            "shadow-utils-",
            "NetworkManager-",
            "systemd-",
            "vim-common-",
            "policycoreutils-",
            "fixture-scriptlets-",
        ] {
            assert!(has(pkg), "{pkg} missing from {installed:?}");
        }

        // Scriptlets ran inside the root, with its /bin/sh (busybox through the /bin symlink).
        let ran = std::fs::read_to_string(root.join("var/lib/fixture-scriptlets/ran")).unwrap();
        assert!(ran.contains("post 1") && ran.contains("posttrans"), "{ran}");
        assert_eq!(
            std::fs::read_link(root.join("bin")).unwrap(),
            Path::new("usr/bin")
        );

        // kernel-core's %posttrans ran kernel-install, which ran dracut.
        let kver = repo.kernel_uname();
        assert!(root.join(format!("boot/vmlinuz-{kver}")).is_file());
        assert!(root.join(format!("boot/initramfs-{kver}.img")).is_file());
        assert!(
            root.join(format!("usr/lib/modules/{kver}/vmlinuz"))
                .is_file()
        );
        let calls = std::fs::read_to_string(root.join("var/log/fixture-calls.log")).unwrap();
        assert!(
            calls.contains(&format!(
                "kernel-install\tadd\t{kver}\t/lib/modules/{kver}/vmlinuz"
            )),
            "{calls}"
        );

        let selinux = std::fs::read_to_string(root.join("etc/selinux/config")).unwrap();
        assert!(selinux.contains("\nSELINUX=enforcing\n") && selinux.contains("SELINUXTYPE=targeted"));
        let sshd = std::fs::read_to_string(root.join("etc/ssh/sshd_config")).unwrap();
        let first = sshd
            .lines()
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap();
        assert_eq!(first, "Include /etc/ssh/sshd_config.d/*.conf");

        // The stand-ins the configure step will run in the chroot do their job.
        let chroot = |args: &[&str], stdin: &str| {
            use std::io::Write;
            let mut child = Command::new("chroot")
                .arg(&root)
                .args(args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("running chroot");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "chroot {args:?}: {}",
                common::output_text(&out)
            );
        };
        chroot(&["systemctl", "enable", "sshd"], "");
        let wants = root.join("etc/systemd/system/multi-user.target.wants/sshd.service");
        assert_eq!(
            std::fs::read_link(&wants).unwrap(),
            Path::new("/usr/lib/systemd/system/sshd.service")
        );
        chroot(
            &["useradd", "-m", "-G", "wheel", "-c", "Admin", "admin"],
            "",
        );
        chroot(&["chpasswd", "-e"], "admin:$y$j9T$salt$hash\n");
        let passwd = std::fs::read_to_string(root.join("etc/passwd")).unwrap();
        assert!(
            passwd.contains("admin:x:1000:1000:Admin:/home/admin:/bin/bash"),
            "{passwd}"
        );
        let shadow = std::fs::read_to_string(root.join("etc/shadow")).unwrap();
        assert!(shadow.contains("admin:$y$j9T$salt$hash:"), "{shadow}");
        let group = std::fs::read_to_string(root.join("etc/group")).unwrap();
        assert!(group.contains("wheel:x:10:admin"), "{group}");
        assert!(root.join("home/admin/.bashrc").is_file());
        let calls = std::fs::read_to_string(root.join("var/log/fixture-calls.log")).unwrap();
        assert!(calls.contains("systemctl\tenable\tsshd\n"), "{calls}");
        assert!(
            calls.contains("useradd\t-m\t-G\twheel\t-c\tAdmin\tadmin\n"),
            "{calls}"
        );
    }
}

flavored_tests! {
    fn weak_dependencies_follow_install_weak_deps() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let tmp = tempfile::tempdir().unwrap();

        let without = Dnf::new(&tmp.path().join("without"), &repo).setopt("install_weak_deps=False");
        without.run_ok(&["install", "tmux"]);
        let pkgs = without.installed();
        assert!(pkgs.iter().any(|p| p.starts_with("tmux-3")), "{pkgs:?}");
        assert!(!pkgs.iter().any(|p| p.starts_with("tmux-docs")), "{pkgs:?}");

        let with = Dnf::new(&tmp.path().join("with"), &repo).setopt("install_weak_deps=True");
        with.run_ok(&["install", "tmux"]);
        assert!(with.installed().iter().any(|p| p.starts_with("tmux-docs")));
    }
}

flavored_tests! {
    fn old_kernel_variant_has_no_6_18_kernel() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::build("old-kernel");
        assert!(repo.kernel_uname().starts_with("6.12."));
        let kernels: Vec<String> = repo
            .packages()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("kernel"))
            .collect();
        assert_eq!(kernels.len(), 3, "{kernels:?}");
        assert!(kernels.iter().all(|n| n.contains("-6.12.")), "{kernels:?}");

        let tmp = tempfile::tempdir().unwrap();
        let out = Dnf::new(tmp.path(), &repo).run_ok(&[
            "repoquery",
            "--qf",
            "%{name}-%{version}",
            "kernel-core",
        ]);
        let versions = String::from_utf8_lossy(&out.stdout);
        assert!(versions.contains("kernel-core-6.12."), "{versions}");
        assert!(!versions.contains("6.18"), "{versions}");
    }
}

flavored_tests! {
    fn dnf_installs_over_http_from_127_0_0_1() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let server = HttpServer::serve(&repo.repo_dir());
        let tmp = tempfile::tempdir().unwrap();
        let dnf = Dnf::with_urls(
            tmp.path(),
            &server.url(""),
            &server.url("RPM-GPG-KEY-fixture"),
            &repo.key_path(),
        );
        dnf.run_ok(&["install", "openssh-server"]);
        assert!(
            dnf.installed()
                .iter()
                .any(|p| p.starts_with("openssh-server-"))
        );
        let requests = server.requests();
        for want in [
            "GET /repodata/repomd.xml 200",
            "GET /repodata/repomd.xml.asc 200",
        ] {
            assert!(
                requests.iter().any(|r| r == want),
                "{want} not in {requests:?}"
            );
        }
        assert!(
            requests
                .iter()
                .any(|r| r.starts_with("GET /Packages/openssh-server-") && r.ends_with("200")),
            "{requests:?}"
        );
    }
}

flavored_tests! {
    fn build_repo_is_cached() {
        if skip_unless_root() {
            return;
        }
        let repo = FixtureRepo::base();
        let stamp = std::fs::read_to_string(repo.dir.join(".stamp")).unwrap();
        let started = std::time::Instant::now();
        let again = FixtureRepo::base();
        assert!(
            started.elapsed().as_secs_f64() < 2.0,
            "cached build took {:?}",
            started.elapsed()
        );
        assert_eq!(
            stamp,
            std::fs::read_to_string(again.dir.join(".stamp")).unwrap()
        );
    }
}

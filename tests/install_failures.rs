//! What happens when an install goes wrong: a failing post script, a disk that fills up, a
//! repository server that dies mid-download. Each gives a clear error and the right exit
//! code, leaves nothing mounted or attached, keeps its log, and a re-run then succeeds.
//! Also: answer and repository over HTTP, from `inst.answer=` on the kernel command line,
//! and a repository only the answer's proxy reaches.

mod common;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::Ordering;

use common::Image;
use common::fixture::{FixtureRepo, HttpServer};
use common::hook::Hook;
use common::installed::{Installed, assert_nothing_left};
use common::payload::SlowServer;
use serde_json::Value;

use azl_installer::units::GIB;

/// A small UEFI install: ESP, a 1 GiB root (quick to fill), rest /var.
fn answer(repo_url: &str, key_url: &str, image: &Path, script: &str) -> String {
    format!(
        r#"version = 1
[install]
confirm = false
finish = "none"
[target]
path = "{img}"
wipe = true
firmware = "uefi"
[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "300MiB"
[[storage.partitions]]
mount = "/"
size = "1GiB"
[[storage.partitions]]
mount = "/var"
size = "rest"
[[repos]]
name = "fixture"
url = "{repo_url}"
gpg_keys = ["{key_url}"]
[system]
hostname = "fail.example.com"
{script}
"#,
        img = image.display()
    )
}

struct Case {
    img: Image,
    answer: PathBuf,
}

impl Case {
    fn new(repo_url: &str, key_url: &str, script: &str) -> Case {
        let img = Image::sparse(4 * GIB);
        let answer = img.dir.path().join("answer.toml");
        std::fs::write(&answer, self::answer(repo_url, key_url, &img.path, script)).unwrap();
        Case { img, answer }
    }

    fn sysimage(&self) -> PathBuf {
        self.img.dir.path().join("sysimage")
    }

    fn run_dir(&self) -> PathBuf {
        self.img.dir.path().join("run")
    }

    fn install(&self, extra: &[&str]) -> Output {
        self.install_env(extra, &[])
    }

    fn install_env(&self, extra: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut c = Command::new(common::bin());
        c.envs(env.iter().copied());
        c.args(["install", "--yes", "--sysimage"])
            .arg(self.sysimage())
            .args(extra)
            // Its own log and package cache: tests run side by side.
            .env("AZL_RUN_DIR", self.run_dir());
        if !extra.iter().any(|a| a.starts_with("--cmdline")) {
            c.arg(&self.answer);
        }
        c.output().expect("running azl-installer")
    }

    /// The install log the failed run kept in its run directory.
    fn kept_log(&self) -> String {
        let logs: Vec<_> = std::fs::read_dir(self.run_dir())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("install-"))
            .collect();
        assert!(!logs.is_empty(), "no install log kept in the run directory");
        std::fs::read_to_string(logs[0].path()).unwrap()
    }
}

flavored_tests! {
    fn a_failing_post_script_is_exit_5_and_a_rerun_succeeds() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        // Fails the first time only: the marker is on the host, outside the target.
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("failed-once");
        let script = format!(
            "[[scripts.post]]\nchroot = false\nrun = \"\"\"\necho checking the agent\n\
             if [ ! -e {m} ]; then touch {m}; echo agent missing >&2; exit 7; fi\n\"\"\"\n",
            m = marker.display()
        );
        let case = Case::new(&repo.repo_url(), &repo.key_url(), &script);
        let o = case.install(&[]);
        assert_eq!(o.status.code(), Some(5), "{}", common::output_text(&o));
        let msg = common::output_text(&o);
        assert!(msg.contains("scripts.post[0]"), "{msg}");
        assert!(
            msg.contains("exit status: 7") && msg.contains("agent missing"),
            "{msg}"
        );
        assert_nothing_left(&case.img.path, &case.sysimage());
        // The log is kept: in the run directory, and on the target, which was still mounted.
        assert!(case.kept_log().contains("scripts.post[0]"));
        {
            let sys = Installed::open(&case.img.path, 512, 3, 2);
            let saved = sys.read("/var/log/azl-installer/install.log");
            assert!(
                saved.contains("running"),
                "the saved log has the commands run"
            );
        }
        // The same answer file again: this time the script passes.
        let o = case.install(&[]);
        assert!(
            o.status.success(),
            "re-run failed: {}",
            common::output_text(&o)
        );
        assert_nothing_left(&case.img.path, &case.sysimage());
    }
}

flavored_tests! {
    fn a_disk_that_fills_up_is_a_clear_error() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        let script = "[[scripts.post]]\nrun = \"dd if=/dev/zero of=/fill bs=1M count=4096\"\n";
        let case = Case::new(&repo.repo_url(), &repo.key_url(), script);
        let o = case.install(&[]);
        assert_eq!(o.status.code(), Some(5), "{}", common::output_text(&o));
        assert!(
            common::output_text(&o).contains("No space left on device"),
            "{}",
            common::output_text(&o)
        );
        assert_nothing_left(&case.img.path, &case.sysimage());
    }
}

flavored_tests! {
    fn a_repository_server_that_dies_mid_install_is_exit_4_and_a_rerun_succeeds() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        let mut server = SlowServer::serve(&repo.repo_dir());
        // Every .rpm stalls halfway, so the server can be killed in the middle of downloads.
        server.rpm_stall_ms.store(3000, Ordering::SeqCst);
        let case = Case::new(&server.url(), &repo.key_url(), "");
        let child = Command::new(common::bin())
            .args(["install", "--yes", "--sysimage"])
            .arg(case.sysimage())
            .arg(&case.answer)
            .env("AZL_RUN_DIR", case.run_dir())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = std::time::Instant::now();
        while server.rpm_requests().is_empty() && t0.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(
            !server.rpm_requests().is_empty(),
            "no package was ever requested"
        );
        server.kill();
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(4), "{}", common::output_text(&o));
        let msg = common::output_text(&o);
        assert!(msg.contains("Installing packages failed"), "{msg}");
        assert!(
            msg.contains("127.0.0.1"),
            "the error names the server: {msg}"
        );
        assert_nothing_left(&case.img.path, &case.sysimage());

        // The server is back (same address): the same answer file installs.
        let back = SlowServer::serve_on(&repo.repo_dir(), server.port);
        let o = case.install(&[]);
        assert!(
            o.status.success(),
            "re-run failed: {}",
            common::output_text(&o)
        );
        drop(back);
    }
}

flavored_tests! {
    fn answer_and_repository_over_http_from_the_kernel_command_line() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        // One server for both: the repository, and the answer file next to it.
        let site = tempfile::tempdir().unwrap();
        let status = Command::new("cp")
            .arg("-a")
            .arg(repo.repo_dir())
            .arg(site.path().join("repo"))
            .status();
        assert!(status.unwrap().success());
        let server = HttpServer::serve(site.path());
        let hook = Hook::listen();
        // Packages over HTTP; the key from a file, as keys never come over plain http.
        let reporting = format!("[reporting]\nwebhook = \"{}\"\n", hook.url());
        let case = Case::new(&server.url("repo/"), &repo.key_url(), &reporting);
        std::fs::copy(&case.answer, site.path().join("web.toml")).unwrap();
        let cmdline = case.img.dir.path().join("cmdline");
        std::fs::write(
            &cmdline,
            format!(
                "BOOT_IMAGE=/vmlinuz quiet inst.answer={} console=ttyS0\n",
                server.url("web.toml")
            ),
        )
        .unwrap();
        let arg = format!("--cmdline={}", cmdline.display());
        // As on a live system without CA certificates: plain http needs none.
        let no_certs_dir = tempfile::tempdir().unwrap();
        let no_certs = no_certs_dir.path().join("none.pem");
        std::fs::write(&no_certs, "").unwrap();
        let o = case.install_env(
            &[&arg, "--progress", "json"],
            &[
                ("SSL_CERT_FILE", &no_certs),
                ("SSL_CERT_DIR", no_certs_dir.path()),
            ],
        );
        assert!(o.status.success(), "{}", common::output_text(&o));
        assert!(
            server.requests().iter().any(|r| r.contains("web.toml")),
            "answer not fetched"
        );
        let reqs = server.requests();
        assert!(
            reqs.iter().any(|r| r.contains(".rpm")),
            "packages not from HTTP: {reqs:?}"
        );

        // --progress json: every step, in order, started and finished.
        let events: Vec<Value> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect();
        let started: Vec<&str> = events
            .iter()
            .filter(|e| e["event"] == "started")
            .map(|e| e["step"].as_str().unwrap())
            .collect();
        assert_eq!(
            started,
            [
                "preflight",
                "partition",
                "format",
                "mount",
                "payload",
                "configure",
                "bootloader",
                "post_scripts",
                "save_logs",
                "unmount",
                "finish"
            ]
        );
        let finished = events.iter().filter(|e| e["event"] == "finished").count();
        assert_eq!(finished, started.len(), "every step that started finished");

        // The webhook heard the same events, in the same order, by the time install exited.
        let posted = hook.bodies();
        let events_json: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        let posted_json: Vec<String> = posted
            .iter()
            .map(|b| serde_json::from_str::<Value>(b).unwrap().to_string())
            .collect();
        assert_eq!(
            posted_json, events_json,
            "webhook events differ from --progress json"
        );

        let sys = Installed::open(&case.img.path, 512, 3, 2);
        assert_eq!(sys.read("/etc/hostname").trim(), "fail.example.com");
    }
}

flavored_tests! {
    fn sigterm_during_a_post_script_is_exit_130_and_stops_the_script() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        let dir = tempfile::tempdir().unwrap();
        let mark = dir.path().join("script-started");
        // The script runs in a process group of its own, which a signal to the installer does
        // not reach: the installer must stop it.
        let script = format!(
            "[[scripts.post]]\nchroot = false\nrun = \"touch {m}; sleep 600\"\n",
            m = mark.display()
        );
        let case = Case::new(&repo.repo_url(), &repo.key_url(), &script);
        let mut child = Command::new(common::bin())
            .args(["install", "--yes", "--progress", "json", "--sysimage"])
            .arg(case.sysimage())
            .arg(&case.answer)
            .env("AZL_RUN_DIR", case.run_dir())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("running azl-installer");
        // Read as it comes, so a full pipe never stalls the installer.
        let mut out = child.stdout.take().unwrap();
        let events = std::thread::spawn(move || {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut out, &mut s).unwrap();
            s
        });
        let waited = std::time::Instant::now();
        while !mark.exists() {
            if let Some(st) = child.try_wait().unwrap() {
                panic!("the install ended before its post script ran: {st}");
            }
            assert!(
                waited.elapsed().as_secs() < 120,
                "the post script never started"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        common::sh("kill", &["-TERM", &child.id().to_string()]);
        let stopped = std::time::Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if stopped.elapsed().as_secs() > 30 {
                let _ = child.kill();
                panic!("the installer did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("interrupted"), "{stderr}");
        // A deployment server reading the JSON stream hears how it ended.
        let events = events.join().unwrap();
        let last: serde_json::Value =
            serde_json::from_str(events.lines().last().expect("no event at all")).unwrap();
        assert_eq!(last["event"], "ended", "{events}");
        assert_eq!(last["exit_code"], 130, "{last}");
        assert_eq!(last["failed_step"], "post_scripts", "{last}");
        assert_eq!(last["disk_changed"], true, "{last}");
        assert_nothing_left(&case.img.path, &case.sysimage());
        let left = common::processes_mentioning(&mark.display().to_string());
        assert!(left.is_empty(), "still running: {left:?}");
        assert!(case.kept_log().contains("interrupted"));
    }
}

flavored_tests! {
    fn a_repository_only_the_proxy_reaches_installs_and_the_system_keeps_the_proxy() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        let proxy = SlowServer::serve(&repo.repo_dir());
        let section = format!(
            "[network.proxy]\nurl = \"{}\"\nno_proxy = [\"localhost\", \".corp.example\"]\n",
            proxy.url()
        );
        // A host that cannot exist (.invalid): only through the proxy is it reached.
        let case = Case::new("http://repo.invalid/", &repo.key_url(), &section);
        let o = case.install(&[]);
        assert!(o.status.success(), "{}", common::output_text(&o));
        let asked = proxy.requests();
        let repomd = asked
            .iter()
            .filter(|r| *r == "http://repo.invalid/repodata/repomd.xml")
            .count();
        // The installer's own fetch (the preflight) and dnf's (its repository file).
        assert!(repomd >= 2, "repomd.xml asked {repomd} times: {asked:?}");
        assert!(
            asked
                .iter()
                .any(|r| r.starts_with("http://repo.invalid/") && r.ends_with(".rpm")),
            "no package came through the proxy: {asked:?}"
        );
        let sys = Installed::open(&case.img.path, 512, 3, 2);
        let repo_file = sys.read("/etc/yum.repos.d/fixture.repo");
        assert!(
            repo_file.contains(&format!("\nproxy={}\n", proxy.url())),
            "{repo_file}"
        );
        let env = sys.read("/etc/environment");
        assert!(
            env.contains(&format!("https_proxy={}\n", proxy.url()))
                && env.contains("no_proxy=localhost,.corp.example\n"),
            "{env}"
        );
    }
}

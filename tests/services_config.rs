//! The files the installer writes for chrony (`[time]`) and firewalld (`[firewall]`), read
//! by chrony's and firewalld's own parsers (in the forky root: Debian's chrony 4.9 and
//! firewalld 2.5): chronyd -p prints the configuration it would run with, or fails on a
//! line it cannot parse; firewall-offline-cmd reads /etc/firewalld as firewalld does at
//! boot. What they report must be what the answer asked for.

mod common;

use std::path::Path;
use std::process::Command;

use azl_installer::answer::{Answer, Time};
use azl_installer::engine::configure::services::{chrony_conf, default_zone, zone_xml};
use azl_installer::plan::FirewallSetup;

fn in_forky(script: &str) -> (String, bool) {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lib/in-forky");
    let out = Command::new(&helper)
        .args(["--", "sh", "-c", script])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", helper.display()));
    (common::output_text(&out), out.status.success())
}

fn forky_file(rel: &str) -> String {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lib/forky-root");
    let out = Command::new(&helper)
        .output()
        .expect("tests/lib/forky-root");
    assert!(out.status.success(), "{}", common::output_text(&out));
    let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
    std::fs::read_to_string(Path::new(&root).join(rel))
        .unwrap_or_else(|e| panic!("reading {rel} of the forky root: {e}"))
}

#[test]
fn chrony_runs_with_the_answers_sources_and_none_of_the_distributions() {
    if !common::is_root() && common::skip_or_fail("needs root for the forky root (chroot)") {
        return;
    }
    // Debian's chrony.conf as the package installs it (a pool, sourcedirs, a confdir).
    let debian = forky_file("etc/chrony/chrony.conf");
    assert!(debian.contains("\npool "), "{debian}");
    let time = Time {
        servers: vec!["ntp1.example.com".into(), "192.0.2.123".into()],
        pools: vec!["pool.example.org".into()],
        ..Time::default()
    };
    let dir = tempfile::tempdir_in("/tmp").unwrap();
    let conf = dir.path().join("chrony.conf");
    std::fs::write(&conf, chrony_conf(&debian, &time)).unwrap();
    let (out, ok) = in_forky(&format!("chronyd -p -f {}", conf.display()));
    assert!(ok, "chronyd refused the file:\n{out}");
    let sources: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("server ") || l.starts_with("pool "))
        .collect();
    assert_eq!(
        sources,
        [
            "server ntp1.example.com iburst",
            "server 192.0.2.123 iburst",
            "pool pool.example.org iburst"
        ],
        "{out}"
    );
    // Everything else of the distribution's file is still in effect.
    assert!(out.contains("makestep 1 3"), "{out}");
}

#[test]
fn firewalld_reads_the_zone_with_only_what_the_answer_allows() {
    if !common::is_root() && common::skip_or_fail("needs root for the forky root (chroot)") {
        return;
    }
    let answer: Answer = toml::from_str(
        "version = 1\n[target]\npath = \"/dev/vda\"\n\
         [[network.interfaces]]\nmatch = { name = \"eno1\" }\ndhcp = false\nipv6 = \"manual\"\n\
         addresses = [\"192.0.2.10/24\", \"2001:db8::10/64\"]\n\
         [firewall]\nzone = \"internal\"\nservices = [\"https\"]\nports = [\"8443/tcp\", \"6000-6010/udp\"]\n",
    )
    .unwrap();
    assert!(azl_installer::answer::validate(&answer).is_empty());
    let network = azl_installer::plan::connections(&answer).unwrap();
    let setup: FirewallSetup = azl_installer::plan::firewall_setup(&answer, &network).unwrap();
    // ssh for the SSH server (on by default); no dhcpv6-client: IPv6 is static.
    assert_eq!(setup.services, ["ssh", "https"]);

    let dir = tempfile::tempdir_in("/tmp").unwrap();
    std::fs::create_dir_all(dir.path().join("zones")).unwrap();
    let conf = default_zone(&forky_file("etc/firewalld/firewalld.conf"), &setup.zone);
    std::fs::write(dir.path().join("firewalld.conf"), conf).unwrap();
    std::fs::write(dir.path().join("zones/internal.xml"), zone_xml(&setup)).unwrap();
    let (out, ok) = in_forky(&format!(
        "mount --bind {} /etc/firewalld && firewall-offline-cmd --check-config && \
         echo zone=$(firewall-offline-cmd --get-default-zone) && \
         echo services=$(firewall-offline-cmd --zone=internal --list-services) && \
         echo ports=$(firewall-offline-cmd --zone=internal --list-ports)",
        dir.path().display()
    ));
    assert!(ok, "firewalld refused the configuration:\n{out}");
    for want in [
        "zone=internal",
        "services=https ssh",
        "ports=8443/tcp 6000-6010/udp",
    ] {
        assert!(out.lines().any(|l| l == want), "{want} not in:\n{out}");
    }
}

/// `[time] wait_for_sync`: before anything is fetched or installed, the installer asks the
/// answer's NTP server for the time with the live system's chronyd (chrony 4.9 in the forky
/// root), here a real chronyd serving NTP on 127.0.0.1 in a network namespace of the test's
/// own. `AZL_CLOCK_QUERY_ONLY=1` (chronyd -Q) measures without setting this machine's clock.
/// With the server, the install goes on to its plan and says how far off the clock was;
/// without it, it is refused before anything is written, naming the source and the wait.
#[test]
fn install_waits_for_the_clock_from_the_answers_ntp_server() {
    if !common::is_root() && common::skip_or_fail("needs root for the forky root and unshare") {
        return;
    }
    let repo = common::fixture::FixtureRepo::base();
    let dir = tempfile::tempdir_in("/tmp").unwrap();
    let img = dir.path().join("disk.img");
    std::fs::File::create(&img)
        .and_then(|f| f.set_len(8 << 30))
        .unwrap();
    let answer = |timeout: &str| {
        format!(
            "version = 1\n[install]\nconfirm = false\nfinish = \"none\"\n[target]\npath = \"{}\"\n\
             [[repos]]\nname = \"fixture\"\nurl = \"{}\"\ngpg_keys = [\"{}\"]\n\
             [root]\npassword = \"locked\"\nssh_keys = [\"{}\"]\n\
             [time]\nservers = [\"127.0.0.1\"]\nwait_for_sync = true\nsync_timeout = \"{timeout}\"\n",
            img.display(),
            repo.repo_url(),
            repo.key_url(),
            common::full_answer::KEY
        )
    };
    let run = |with_server: bool, timeout: &str| {
        let a = dir.path().join(format!("answer-{with_server}.toml"));
        std::fs::write(&a, answer(timeout)).unwrap();
        // Inside the forky root: the NTP server (foreground, killed on the way out), then
        // the installer, which finds the root's chronyd on its PATH.
        let server = if with_server {
            "chronyd -d -x -f /dev/null 'local stratum 8' 'allow 127.0.0.1' 'cmdport 0' \
             'pidfile /run/ntp-server.pid' 2>/dev/null & trap 'kill $!' EXIT; sleep 1"
        } else {
            ":"
        };
        let inner = dir.path().join(format!("inner-{with_server}.sh"));
        std::fs::write(
            &inner,
            format!(
                "{server}\nAZL_CLOCK_QUERY_ONLY=1 {} install --yes --stop-after preflight {}\n",
                common::bin().display(),
                a.display()
            ),
        )
        .unwrap();
        let forky = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lib/in-forky");
        let out = Command::new("unshare")
            .args(["--net", "--", "sh", "-c"])
            .arg(format!(
                "ip link set lo up && exec {} -- sh {}",
                forky.display(),
                inner.display()
            ))
            .output()
            .expect("unshare");
        (out.status.code(), common::output_text(&out))
    };
    // The clock is waited for first; then the plan, which refuses only because the small
    // fixture repository has no chrony package to install.
    let (code, text) = run(true, "30s");
    assert!(
        text.contains("clock: in sync with 127.0.0.1 (it was off by"),
        "{text}"
    );
    assert!(!text.contains("wait_for_sync"), "{text}");
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains("time: package \"chrony\" is not in the repositories"),
        "{text}"
    );
    let (code, text) = run(false, "3s");
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains(
            "time.wait_for_sync: the clock did not synchronise with 127.0.0.1 within 3 s"
        ),
        "{text}"
    );
}

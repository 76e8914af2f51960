//! Per-machine answers for fleets: `inst.answer=` URLs with placeholders filled from the
//! machine's identity, and the identifying headers kickstart's `inst.ks.sendmac` and
//! `inst.ks.sendsn` send, checked at a test HTTP server on 127.0.0.1 that records what it
//! was asked; and the bad cases, which fetch nothing.

mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::raw_server::RawServer;

/// A server that records each request's head and answers `body` (an answer file).
fn recording(body: &'static str) -> (RawServer, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = RawServer::start(move |mut conn| {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        s.lock()
            .expect("lock")
            .push(String::from_utf8_lossy(&head).into_owned());
        let _ = write!(
            conn,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    (server, seen)
}

/// Runs `install` with `cmdline` as the kernel command line; its exit code and output.
fn install(cmdline: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cmdline");
    std::fs::write(&file, cmdline).expect("cmdline");
    let out = Command::new(common::bin())
        .arg("--cmdline")
        .arg(&file)
        .arg("install")
        .output()
        .expect("azl-installer");
    (out.status.code(), common::output_text(&out))
}

/// The value of header `name` in a request head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn the_answer_url_is_filled_with_the_boot_nics_mac_and_the_request_identifies_the_machine() {
    // An answer the server hands every machine: it names no target, so the run stops right
    // after reading it (exit 2) and nothing here needs a disk.
    let (server, seen) = recording("version = 1\n");
    let (code, text) = install(&format!(
        "BOOT_IMAGE=/vmlinuz BOOTIF=01-52-54-00-AA-BB-CC inst.answer={}/answers/{{mac}}/{{mac_dashed}}.toml \
         inst.ks.sendmac inst.sendsn console=ttyS0\n",
        server.base
    ));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("/answers/52:54:00:aa:bb:cc/52-54-00-aa-bb-cc.toml:1:1: target: missing key"),
        "{text}"
    );
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 1, "{seen:?}");
    let head = &seen[0];
    assert!(
        head.starts_with("GET /answers/52:54:00:aa:bb:cc/52-54-00-aa-bb-cc.toml HTTP/1.1\r\n"),
        "{head}"
    );
    // Every NIC with a device, as Anaconda names them: "IFACE MAC", numbered from 0; each one
    // this machine's own (read back from sysfs by its name).
    let macs: Vec<&str> = (0..)
        .map_while(|i| header(head, &format!("X-RHN-Provisioning-MAC-{i}")))
        .collect();
    let nics = std::fs::read_dir("/sys/class/net")
        .expect("sysfs")
        .flatten()
        .filter(|e| e.path().join("device").exists())
        .count();
    assert_eq!(macs.len(), nics, "{head}");
    for m in macs {
        let (name, mac) = m.split_once(' ').unwrap_or_else(|| panic!("{m:?}"));
        let own = std::fs::read_to_string(format!("/sys/class/net/{name}/address"))
            .expect("the NIC's address");
        assert_eq!(mac, own.trim().to_ascii_lowercase(), "{head}");
    }
    // The serial number when the firmware has a real one (this machine's may have none, or
    // a vendor's filler text): then the header carries exactly it; else there is none.
    let serial = std::fs::read_to_string("/sys/class/dmi/id/product_serial").unwrap_or_default();
    let serial = serial.trim();
    let filler = [
        "",
        "0",
        "none",
        "not specified",
        "to be filled by o.e.m.",
        "system serial number",
        "default string",
    ];
    if filler.contains(&serial.to_ascii_lowercase().as_str()) {
        assert_eq!(header(head, "X-System-Serial-Number"), None, "{head}");
    } else {
        assert_eq!(
            header(head, "X-System-Serial-Number"),
            Some(serial),
            "{head}"
        );
    }
}

#[test]
fn without_the_flags_no_identifying_header_is_sent() {
    let (server, seen) = recording("version = 7\n");
    let (code, text) = install(&format!("inst.answer={}/a.toml\n", server.base));
    assert_eq!(code, Some(2), "{text}");
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("GET /a.toml "), "{}", seen[0]);
    assert!(!seen[0].contains("X-RHN-Provisioning-MAC"), "{}", seen[0]);
    assert!(!seen[0].contains("X-System-Serial-Number"), "{}", seen[0]);
}

#[test]
fn a_bad_placeholder_fetches_nothing_and_says_why() {
    let (server, seen) = recording("version = 7\n");
    for (url, says) in [
        (
            "/answers/{serail}.toml",
            "unknown placeholder {serail}: known are {mac}",
        ),
        ("/answers/{mac.toml", "a \"{\" without its \"}\""),
    ] {
        let (code, text) = install(&format!("inst.answer={}{url}\n", server.base));
        assert_eq!(code, Some(2), "{url}: {text}");
        assert!(text.contains(says), "{url}: {text}");
    }
    assert!(seen.lock().expect("lock").is_empty());
}

#[test]
fn validate_reads_an_answer_at_a_url_and_refuses_one_with_placeholders() {
    let (good, _) = recording("version = 1\n[target]\npath = \"/dev/vda\"\n");
    let (bad, _) =
        recording("version = 1\n[target]\npath = \"/dev/vda\"\n[system]\nhostnme = \"x\"\n");
    let out = Command::new(common::bin())
        .args(["validate", &format!("{}/good.toml", good.base)])
        .output()
        .expect("validate");
    let text = common::output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("/good.toml: ok"), "{text}");
    let out = Command::new(common::bin())
        .args(["validate", &format!("{}/bad.toml", bad.base)])
        .output()
        .expect("validate");
    let text = common::output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("/bad.toml:5:1: system.hostnme: unknown key"),
        "{text}"
    );
    let out = Command::new(common::bin())
        .args(["validate", &format!("{}/answers/{{mac}}.toml", good.base)])
        .output()
        .expect("validate");
    let text = common::output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("has placeholders, which are filled on the machine being installed"),
        "{text}"
    );
}

/// A fleet's answer in files: a base, and per-machine sections over it.
fn fleet_files(dir: &std::path::Path, default_host: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("common")).expect("dir");
    std::fs::write(
        dir.join("common/base.toml"),
        "version = 1\n[target]\npath = \"/dev/vda\"\n\n[system]\nhostname = \"base.example.com\"\ntimezone = \"Europe/Paris\"\n",
    )
    .expect("base");
    let fleet = dir.join("fleet.toml");
    std::fs::write(
        &fleet,
        format!(
            "include = [\"common/base.toml\"]\n\n[[machine]]\nmatch = {{ serial = \"NO-SUCH-SERIAL*\" }}\n\
             system = {{ hostname = \"db01.example.com\" }}\n\n[[machine]]\nsystem = {{ hostname = \"{default_host}\" }}\n"
        ),
    )
    .expect("fleet");
    fleet
}

#[test]
fn validate_checks_every_machine_section_over_the_merged_includes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = fleet_files(dir.path(), "spare example");
    let out = Command::new(common::bin())
        .arg("validate")
        .arg(&fleet)
        .output()
        .expect("validate");
    let text = common::output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("machine[0] (match { serial = \"NO-SUCH-SERIAL*\" }): ok"),
        "{text}"
    );
    // The default section's problem, at its own file and line.
    assert!(
        text.contains(&format!(
            "{}:8:23: system.hostname: \"spare example\" is not a valid host name",
            fleet.display()
        )),
        "{text}"
    );
}

#[test]
fn show_answer_prints_the_merged_answer_with_where_each_value_came_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = fleet_files(dir.path(), "spare.example.com");
    let out = Command::new(common::bin())
        .args(["plan", "--show-answer"])
        .arg(&fleet)
        .output()
        .expect("plan --show-answer");
    let text = common::output_text(&out);
    assert!(out.status.success(), "{text}");
    // This machine's serial is not NO-SUCH-SERIAL…: the default section applies.
    assert!(text.contains("machine[1] (the default)"), "{text}");
    assert!(
        text.contains(&format!(
            "system.hostname = \"spare.example.com\"  # {}:8",
            fleet.display()
        )),
        "{text}"
    );
    let base = dir.path().join("common/base.toml");
    assert!(
        text.contains(&format!(
            "system.timezone = \"Europe/Paris\"  # {}:7",
            base.display()
        )),
        "{text}"
    );
}

#[test]
fn an_include_beside_an_answer_at_a_url_is_fetched_from_the_same_server() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = RawServer::start(move |mut conn| {
        let mut head = vec![0u8; 4096];
        let n = conn.read(&mut head).unwrap_or(0);
        let head = String::from_utf8_lossy(&head[..n]).into_owned();
        let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
        s.lock().expect("lock").push(path.clone());
        let body = match path.as_str() {
            "/a/fleet.toml" => "include = [\"base.toml\"]\n[system]\nhostname = \"web 1\"\n",
            "/a/base.toml" => "version = 1\n[target]\npath = \"/dev/vda\"\n",
            _ => "",
        };
        let status = if body.is_empty() {
            "404 Not Found"
        } else {
            "200 OK"
        };
        let _ = write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let (code, text) = install(&format!("inst.answer={}/a/fleet.toml\n", server.base));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "{}/a/fleet.toml:3:12: system.hostname",
            server.base
        )),
        "{text}"
    );
    assert_eq!(
        *seen.lock().expect("lock"),
        ["/a/fleet.toml", "/a/base.toml"]
    );
}

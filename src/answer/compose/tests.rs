use std::collections::HashMap;

use super::*;

fn reader(files: &[(&str, &str)]) -> impl Fn(&str) -> Result<String, String> + use<> {
    let map: HashMap<String, String> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |loc: &str| map.get(loc).cloned().ok_or_else(|| "not found".to_string())
}

const BASE: &str = r#"version = 1
[target]
path = "/dev/vda"

[system]
hostname = "base.example.com"
timezone = "Europe/Paris"

[[users]]
name = "ops"
"#;

const WEB: &str = r#"include = ["common/base.toml"]

[system]
hostname = "web.example.com"

[[users]]
name = "web"
"#;

fn errors(r: Result<impl std::fmt::Debug, Vec<Located>>) -> Vec<String> {
    match r {
        Err(e) => e.iter().map(ToString::to_string).collect(),
        Ok(v) => panic!("expected problems, got {v:?}"),
    }
}

#[test]
fn an_include_is_merged_under_the_including_file() {
    let read = reader(&[("/a/web.toml", WEB), ("/a/common/base.toml", BASE)]);
    let c = compose("/a/web.toml", &read, None).expect("composed");
    let a = c.load().expect("loads");
    // Tables merged key by key; arrays replaced whole; the including file wins.
    assert_eq!(a.system.hostname.as_deref(), Some("web.example.com"));
    assert_eq!(a.system.timezone, "Europe/Paris");
    let users: Vec<&str> = a.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(users, ["web"]);
    assert_eq!(a.target.path.as_deref(), Some("/dev/vda"));
    // Where each value came from.
    let shown = c.show();
    assert!(
        shown.contains("system.hostname = \"web.example.com\"  # /a/web.toml:4\n"),
        "{shown}"
    );
    assert!(
        shown.contains("system.timezone = \"Europe/Paris\"  # /a/common/base.toml:7\n"),
        "{shown}"
    );
    assert!(
        shown.contains("target.path = \"/dev/vda\"  # /a/common/base.toml:3\n"),
        "{shown}"
    );
}

#[test]
fn a_problem_is_reported_in_the_file_and_line_its_value_came_from() {
    let base = BASE.replace("Europe/Paris", "Europe Paris");
    let web = WEB.replace("web.example.com", "web_01!");
    let read = reader(&[("/a/web.toml", &web), ("/a/common/base.toml", &base)]);
    let e = errors(
        compose("/a/web.toml", &read, None)
            .expect("composed")
            .load(),
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("/a/web.toml:4:") && m.contains("system.hostname")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("/a/common/base.toml:7:") && m.contains("system.timezone")),
        "{e:#?}"
    );
}

#[test]
fn a_missing_include_and_a_loop_are_named_at_the_include() {
    let read = reader(&[("/a/web.toml", WEB)]);
    let e = errors(compose("/a/web.toml", &read, None).map(|_| ()));
    assert_eq!(
        e,
        ["/a/web.toml:1: include: including /a/common/base.toml: not found"]
    );
    let read = reader(&[
        ("/a/x.toml", "include = [\"y.toml\"]\nversion = 1\n"),
        ("/a/y.toml", "version = 1\n\ninclude = [\"x.toml\"]\n"),
    ]);
    let e = errors(compose("/a/x.toml", &read, None).map(|_| ()));
    assert_eq!(
        e,
        ["/a/y.toml:3: include: an include loop: /a/x.toml includes /a/y.toml includes /a/x.toml"]
    );
    let read = reader(&[("/a/x.toml", "include = \"y.toml\"\n")]);
    let e = errors(compose("/a/x.toml", &read, None).map(|_| ()));
    assert!(e[0].contains("expected a list of answer files"), "{e:?}");
}

const FLEET: &str = r#"include = ["common/base.toml"]

[[machine]]
match = { serial = "CZ12*" }
system = { hostname = "db01.example.com" }

[[machine]]
match = { mac = "52:54:00:ab:*", vendor = "QEMU" }
system = { hostname = "web07.example.com" }

[[machine]]
system = { hostname = "spare.example.com" }
"#;

fn facts(serial: &str, mac: &str) -> MachineFacts {
    MachineFacts {
        macs: vec!["52:54:00:00:00:01".into(), mac.into()],
        serial: Some(serial.into()),
        vendor: Some("QEMU".into()),
        ..MachineFacts::default()
    }
}

#[test]
fn the_first_machine_section_that_matches_applies_else_the_default() {
    let read = reader(&[("/a/fleet.toml", FLEET), ("/a/common/base.toml", BASE)]);
    let host = |f: &MachineFacts| {
        let c = compose("/a/fleet.toml", &read, Some(f)).expect("composed");
        (c.load().expect("loads").system.hostname, c.machine.clone())
    };
    let (h, m) = host(&facts("cz1234", "52:54:00:ab:00:07"));
    assert_eq!(h.as_deref(), Some("db01.example.com"));
    assert!(m.is_some_and(|m| m.contains("machine[0]")));
    assert_eq!(
        host(&facts("X9", "52:54:00:ab:00:07")).0.as_deref(),
        Some("web07.example.com")
    );
    let (h, m) = host(&facts("X9", "52:54:00:cd:00:07"));
    assert_eq!(h.as_deref(), Some("spare.example.com"));
    assert!(m.is_some_and(|m| m.contains("(the default)")));
}

#[test]
fn no_matching_section_and_no_default_is_an_error_naming_the_machine() {
    let fleet = FLEET.replace(
        "[[machine]]\nsystem = { hostname = \"spare.example.com\" }\n",
        "",
    );
    let read = reader(&[("/a/fleet.toml", &fleet), ("/a/common/base.toml", BASE)]);
    let e = errors(
        compose(
            "/a/fleet.toml",
            &read,
            Some(&facts("X9", "52:54:00:cd:00:07")),
        )
        .map(|_| ()),
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("/a/fleet.toml:3:"), "{e:?}");
    assert!(
        e[0].contains("no [[machine]] section matches this machine (serial \"X9\", vendor \"QEMU\", MACs 52:54:00:00:00:01 52:54:00:cd:00:07)"),
        "{e:?}"
    );
}

#[test]
fn an_unknown_fact_in_a_match_is_refused_at_its_line() {
    let fleet = FLEET.replace(
        "match = { serial = \"CZ12*\" }",
        "match = { serail = \"CZ12*\" }",
    );
    let read = reader(&[("/a/fleet.toml", &fleet), ("/a/common/base.toml", BASE)]);
    let e = errors(compose("/a/fleet.toml", &read, Some(&facts("X9", "x"))).map(|_| ()));
    assert!(
        e.iter()
            .any(|m| m.starts_with("/a/fleet.toml:4:") && m.contains("not matched by \"serail\"")),
        "{e:?}"
    );
}

#[test]
fn every_branch_is_checked_with_its_problems_in_its_section() {
    let fleet = FLEET.replace("web07.example.com", "web 07");
    let read = reader(&[("/a/fleet.toml", &fleet), ("/a/common/base.toml", BASE)]);
    let b = branches("/a/fleet.toml", &read).expect("branches");
    assert_eq!(b.len(), 3);
    let results: Vec<Result<_, _>> = b.iter().map(|(_, c)| c.load()).collect();
    assert!(results[0].is_ok() && results[2].is_ok());
    let e = errors(results[1].clone().map(|_| ()));
    assert!(
        e.iter()
            .any(|m| m.starts_with("/a/fleet.toml:9:") && m.contains("system.hostname")),
        "{e:?}"
    );
    assert!(b[1].0.contains("machine[1] (match"), "{}", b[1].0);
}

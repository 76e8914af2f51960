//! Every example answer file in installer-config/examples loads cleanly, survives a round
//! trip through `to_toml`, and the committed JSON Schema matches the types.

mod common;

use std::path::{Path, PathBuf};

use azl_installer::answer::{
    self, FirmwareChoice, Layout, Password, SelinuxMode, Size, load_file, load_str, to_toml,
};

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("installer-config")
}

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(config_dir().join("examples"))
        .expect("installer-config/examples exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn example(name: &str) -> answer::Answer {
    let path = config_dir().join("examples").join(name);
    load_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_example_validates() {
    let files = examples();
    let names: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    for want in [
        "bios.toml",
        "custom-layout.toml",
        "demo.toml",
        "demo-fixture.toml",
        "match-rules.toml",
        "minimal-uefi.toml",
        "static-network.toml",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
    }
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| load_file(p).err().map(|e| e.to_string()))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_round_trips_through_to_toml() {
    for path in examples() {
        let a = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let text = to_toml(&a);
        let again = load_str(&text).unwrap_or_else(|issues| {
            let lines: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
            panic!(
                "{}: to_toml output does not load:\n{}\n{text}",
                path.display(),
                lines.join("\n")
            )
        });
        assert_eq!(again, a, "{}", path.display());
    }
}

#[test]
fn examples_say_what_their_names_say() {
    let bios = example("bios.toml");
    assert_eq!(bios.target.firmware, FirmwareChoice::Bios);

    let custom = example("custom-layout.toml");
    assert_eq!(custom.storage.layout, Layout::Custom);
    let mounts: Vec<&str> = custom
        .storage
        .partitions
        .iter()
        .filter_map(|p| p.mount.as_deref())
        .collect();
    assert_eq!(mounts, ["/boot/efi", "/boot", "swap", "/", "/home", "/var"]);
    assert_eq!(
        custom.storage.partitions.last().and_then(|p| p.size),
        Some(Size::Rest)
    );

    let net = example("static-network.toml");
    assert!(!net.network.interfaces[0].addressing.dhcp);
    assert_eq!(net.system.hostname.as_deref(), Some("web01.example.com"));
    assert_eq!(net.users.len(), 2);

    let dc = example("network-bond-vlan-bridge.toml");
    let profiles: Vec<String> = azl_installer::plan::connections(&dc)
        .expect("plannable")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        profiles,
        [
            "bond0",
            "bond0-port-pci-0000_3b_00.0",
            "bond0-port-pci-0000_3b_00.1",
            "br-vm",
            "bond0.10",
            "bond0.20"
        ]
    );

    let rules = example("match-rules.toml");
    assert!(rules.target.path.is_none());
    assert_eq!(rules.target.rules.as_ref().map(Vec::len), Some(4));

    let minimal = example("minimal-uefi.toml");
    assert!(!minimal.install.confirm);
    assert_eq!(minimal.root.ssh_keys.len(), 1);
}

#[test]
fn demo_examples_match_what_tests_demo_expects() {
    for (name, policy) in [("demo.toml", "default"), ("demo-fixture.toml", "targeted")] {
        let demo = example(name);
        assert_eq!(demo.target.path.as_deref(), Some("target/demo/disk.img"));
        assert!(demo.target.wipe);
        assert!(!demo.install.confirm);
        assert_eq!(demo.repos[0].url, "file:///run/azl-demo/repo");
        assert_eq!(
            demo.repos[0].gpg_keys,
            ["file:///run/azl-demo/RPM-GPG-KEY-azl-demo"]
        );
        assert_eq!(demo.system.hostname.as_deref(), Some("demo.example.com"));
        assert_eq!(demo.selinux.mode, SelinuxMode::Enforcing);
        assert_eq!(demo.selinux.policy, policy, "{name}");
        let admin = &demo.users[0];
        assert_eq!(admin.name, "admin");
        assert_eq!(admin.groups, ["wheel"]);
        assert!(
            matches!(&admin.password, Password::Hash { hash } if hash.starts_with("$y$")),
            "admin needs a yescrypt hash"
        );
    }
}

#[test]
fn committed_schema_is_current() {
    common::committed_is_current(
        "installer-config/answer.schema.json",
        &answer::schema_json(),
        "--test answer_examples committed_schema_is_current",
    );
}

#[test]
fn schema_describes_the_answer_file() {
    let schema: serde_json::Value =
        serde_json::from_str(&answer::schema_json()).expect("schema_json is JSON");
    assert_eq!(schema["title"], "azl-installer answer file");
    assert_eq!(schema["required"], serde_json::json!(["version", "target"]));
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["$defs"]["PartitionSpec"]["properties"]["size"].is_object());
    // The composition keys, for editors: include, and [[machine]] sections of any key but
    // version, each with a match on the machine's facts.
    assert_eq!(schema["properties"]["include"]["items"]["type"], "string");
    let section = &schema["properties"]["machine"]["items"]["properties"];
    let facts: Vec<&String> = section["match"]["properties"]
        .as_object()
        .expect("match's facts")
        .keys()
        .collect();
    assert_eq!(
        facts,
        ["hostname", "mac", "product", "serial", "uuid", "vendor"]
    );
    assert!(section["system"].is_object() && section["storage"].is_object());
    assert!(section["version"].is_null());
}

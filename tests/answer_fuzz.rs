//! Property tests of the two parts that take whatever a user writes: the answer loader and
//! the layout planner. Any input gives an answer or clean issues, never a panic; a loaded
//! answer survives a round trip through TOML; a plan never places a byte outside its disk.
//! Inputs are random (proptest), bounded in number so the suite stays quick.

mod common;

use std::path::Path;

use azl_installer::answer::{Answer, load_str, to_toml};
use azl_installer::plan::Plan;
use azl_installer::probe::Firmware;
use proptest::prelude::*;

use azl_installer::units::MIB;

fn examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("installer-config/examples");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .expect("reading the examples")
        .map(|e| std::fs::read_to_string(e.expect("an entry").path()).expect("an example"))
        .collect();
    v.sort();
    v
}

/// What every outcome of the loader must satisfy, whatever the input.
fn check_loaded(text: &str) {
    match load_str(text) {
        Ok(answer) => {
            let again = to_toml(&answer);
            let back = load_str(&again)
                .unwrap_or_else(|e| panic!("the answer's own TOML does not load: {e:?}\n{again}"));
            assert_eq!(back, answer, "round trip changed the answer:\n{again}");
        }
        Err(issues) => {
            assert!(!issues.is_empty(), "an error without an issue");
            let lines = text.split('\n').count();
            for i in &issues {
                let shown = i.to_string();
                assert!(
                    !shown.chars().any(|c| c.is_control()),
                    "control characters in {shown:?}"
                );
                // Values are cut: a long input never makes a long message.
                assert!(shown.len() < 2048, "a {} byte message", shown.len());
                if let Some(l) = i.line {
                    assert!(l >= 1 && l <= lines, "line {l} of {lines}: {shown}");
                }
            }
        }
    }
}

/// Values of every TOML type, including the hostile ones: control characters, huge and
/// negative numbers, deep nesting.
fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        "[ -~]{0,40}".prop_map(|s| format!("{:?}", s)),
        any::<String>().prop_map(|s| toml_string(&s)),
        prop_oneof![
            Just("\"rest\""),
            Just("\"18446744073709551615B\""),
            Just("\"100%\""),
            Just("\"0B\""),
            Just("\"1B\""),
            Just("\"600MiB\""),
            Just("\"16EiB\""),
            Just("1e400"),
            Just("nan"),
            Just("\"/proc\""),
            Just("\"/\""),
            Just("\"swap\""),
            Just("\"bios-boot\""),
            Just("\"/boot/efi\""),
            Just("{ hash = \"$y$j9T$abc\" }"),
            Just("{ plain = \"x\" }"),
            Just("\"locked\""),
        ]
        .prop_map(String::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((key(), inner), 0..4).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

/// A TOML basic string holding `s` exactly, escapes included.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32 & 0xFFFF)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Keys of the answer file, a few near misses, and nonsense.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "version",
            "confirm",
            "finish",
            "path",
            "match",
            "wipe",
            "firmware",
            "layout",
            "filesystem",
            "swap",
            "mount",
            "size",
            "fs",
            "label",
            "options",
            "name",
            "url",
            "gpg_keys",
            "gpg_check",
            "allow_unsigned",
            "groups",
            "install",
            "exclude",
            "weak_deps",
            "package",
            "series",
            "hardening",
            "cmdline",
            "mode",
            "policy",
            "enable",
            "permit_root_login",
            "password_authentication",
            "hostname",
            "timezone",
            "locale",
            "keymap",
            "mac",
            "dhcp",
            "addresses",
            "gateway",
            "dns",
            "password",
            "ssh_keys",
            "chroot",
            "run",
            "timeout",
            "webhook",
            "hostnme",
            "largest",
            "serial",
            "transport",
            "min_size",
            "keep",
        ])
        .prop_map(String::from),
        "[a-z_]{1,12}",
    ]
}

const SECTIONS: &[&str] = &[
    "[install]",
    "[target]",
    "[storage]",
    "[[storage.partitions]]",
    "[[repos]]",
    "[packages]",
    "[kernel]",
    "[selinux]",
    "[ssh]",
    "[system]",
    "[[network.interfaces]]",
    "[root]",
    "[[users]]",
    "[[scripts.post]]",
    "[reporting]",
    "[nonsense]",
];

/// A document of answer-file sections with random keys and values.
fn answer_like() -> impl Strategy<Value = String> {
    let section = (
        prop::sample::select(SECTIONS),
        prop::collection::vec((key(), toml_value()), 0..6),
    )
        .prop_map(|(head, kv)| {
            let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{head}\n{}\n", body.join("\n"))
        });
    (any::<bool>(), prop::collection::vec(section, 0..8)).prop_map(|(v1, sections)| {
        let head = if v1 { "version = 1\n" } else { "" };
        format!("{head}{}", sections.concat())
    })
}

/// An example answer with one edit: bytes replaced, inserted or removed.
fn mutated_example() -> impl Strategy<Value = String> {
    let examples = examples();
    (
        prop::sample::select(examples),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<u8>(), 0..8),
        0usize..16,
    )
        .prop_map(|(text, at, insert, remove)| {
            let mut bytes = text.into_bytes();
            let i = at.index(bytes.len() + 1);
            let end = (i + remove).min(bytes.len());
            bytes.splice(i..end, insert);
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_loads_or_gives_clean_issues(text in any::<String>()) {
        check_loaded(&text);
    }

    #[test]
    fn answer_shaped_documents_load_or_give_clean_issues(text in answer_like()) {
        check_loaded(&text);
    }

    #[test]
    fn edited_examples_load_or_give_clean_issues(text in mutated_example()) {
        check_loaded(&text);
    }
}

/// One custom partition: a mount (or role) and a size of every kind.
fn partition() -> impl Strategy<Value = String> {
    let mount = prop::sample::select(vec![
        "/",
        "/boot",
        "/boot/efi",
        "/home",
        "/var",
        "/srv",
        "/data",
        "swap",
        "bios-boot",
    ]);
    let size = prop_oneof![
        (1u64..=1 << 44).prop_map(|b| format!("{b}B")),
        // Near the top of u64, where unchecked rounding and sums overflow.
        (0u64..(1 << 21)).prop_map(|d| format!("{}B", u64::MAX - d)),
        (0u64..(1 << 21)).prop_map(|d| format!("{}B", (1u64 << 63) - d)),
        any::<u64>().prop_map(|b| format!("{b}B")),
        (1u64..=1 << 24).prop_map(|t| format!("{t}TiB")),
        (1u64..=4096).prop_map(|m| format!("{m}MiB")),
        (0u8..=100).prop_map(|p| format!("{p}%")),
        Just("rest".to_string()),
    ];
    (mount, size)
        .prop_map(|(m, s)| format!("[[storage.partitions]]\nmount = \"{m}\"\nsize = \"{s}\"\n"))
}

fn layout() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(partition(), 1..7)
            .prop_map(|p| format!("[storage]\nlayout = \"custom\"\n{}", p.concat())),
        (
            prop::sample::select(vec!["none", "auto", "1MiB", "8GiB", "2TiB"]),
            prop::sample::select(vec!["ext4", "xfs"])
        )
            .prop_map(|(swap, fs)| format!(
                "[storage]\nswap = \"{swap}\"\nfilesystem = \"{fs}\"\n"
            )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the layout and the disk, the plan is refused or fits inside the disk: aligned,
    /// in order, clear of both GPT copies.
    #[test]
    fn a_plan_never_places_a_partition_outside_its_disk(
        storage in layout(),
        disk_bytes in prop_oneof![0u64..(64 * MIB), (1u64 << 30)..(1u64 << 42), (1u64 << 42)..u64::MAX],
        sector in prop::sample::select(vec![512u32, 4096]),
        uefi in any::<bool>(),
        memory in any::<u64>(),
    ) {
        let text = format!(
            "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\n{storage}"
        );
        // Only answers that load go on to the planner, as in the installer.
        let Ok(answer) = load_str(&text) else { return Ok(()) };
        let firmware = if uefi { Firmware::Uefi } else { Firmware::Bios };
        let hw = common::machine::one_disk(firmware, disk_bytes, sector, memory);
        let Ok(plan) = Plan::resolve(&answer, &hw, &common::machine::small_index()) else {
            return Ok(());
        };
        check_inside(&plan, &answer, disk_bytes, sector);
    }
}

fn check_inside(plan: &Plan, answer: &Answer, disk_bytes: u64, sector: u32) {
    let t = &plan.target().table;
    let ss = u64::from(sector);
    assert_eq!(t.sector_size, sector);
    assert_eq!(t.disk_sectors, disk_bytes / ss);
    // The primary GPT: LBA 0-1 and 16 KiB of entries; the backup: the same at the end.
    let entries = (128 * 128u64).div_ceil(ss);
    let first_usable = 2 + entries;
    let last_usable = t.disk_sectors - entries - 2;
    let per_mib = MIB / ss;
    let mut prev_end = None;
    for p in &t.partitions {
        assert!(p.first_lba <= p.last_lba, "empty or reversed: {p:?}");
        assert!(p.first_lba >= first_usable, "over the primary GPT: {p:?}");
        assert!(
            p.last_lba <= last_usable,
            "over the backup GPT: {p:?} of {}",
            t.disk_sectors
        );
        assert_eq!(p.first_lba % per_mib, 0, "unaligned start: {p:?}");
        if let Some(prev) = prev_end {
            assert!(p.first_lba > prev, "overlap: {p:?}");
        }
        prev_end = Some(p.last_lba);
    }
    if answer.storage.partitions.is_empty() {
        assert!(!t.partitions.is_empty());
    } else {
        assert_eq!(t.partitions.len(), answer.storage.partitions.len());
    }
}

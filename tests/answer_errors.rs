//! Broken answer files: each problem is reported with the key path and the line a user
//! would look at, and a file with several problems reports all of them in one run.

mod common;

use azl_installer::answer::{Issue, LoadError, load_file, load_str, validate};
use common::error_table::{self, Case};

fn show(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|i| i.render("t.toml"))
        .collect::<Vec<_>>()
        .join("\n")
}

const TARGET: &str = "version = 1\n[target]\npath = \"/dev/vda\"\n";

const CASES: &[Case] = &[
    Case {
        name: "unknown key with did-you-mean",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[system]\nhostnme = \"web01\"\n",
        path: "system.hostnme",
        line: 5,
        says: "unknown key \"hostnme\"",
        hint: None,
    },
    Case {
        name: "wrong type",
        text: "version = 1\n[install]\nconfirm = \"no\"\n[target]\npath = \"/dev/vda\"\n",
        path: "install.confirm",
        line: 3,
        says: "expected a boolean, found a string",
        hint: None,
    },
    Case {
        name: "bad size",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"12gb\"\n",
        path: "storage.partitions[0].size",
        line: 8,
        says: "expected a size such as",
        hint: None,
    },
    Case {
        name: "two rest",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n\
               [[storage.partitions]]\nmount = \"/var\"\nsize = \"rest\"\n",
        path: "storage.partitions[1].size",
        line: 11,
        says: "storage.partitions[0] already takes the \"rest\"",
        hint: None,
    },
    Case {
        name: "rest not last",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n\
               [[storage.partitions]]\nmount = \"/var\"\nsize = \"10GiB\"\n",
        path: "storage.partitions[0].size",
        line: 8,
        says: "only the last partition",
        hint: None,
    },
    Case {
        name: "no root partition",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/var\"\nsize = \"rest\"\n",
        path: "storage.partitions",
        line: 6,
        says: "nothing is mounted at \"/\"",
        hint: None,
    },
    Case {
        name: "duplicate mount points",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"10GiB\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions[1].mount",
        line: 10,
        says: "more than one device",
        hint: None,
    },
    Case {
        name: "unnormalized mount point",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"10GiB\"\n\
               [[storage.partitions]]\nmount = \"/var/../etc\"\nsize = \"rest\"\n",
        path: "storage.partitions[1].mount",
        line: 10,
        says: "normalized",
        hint: None,
    },
    Case {
        name: "swap fs on a mount path",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\nfs = \"swap\"\n",
        path: "storage.partitions[0].fs",
        line: 9,
        says: "cannot be mounted",
        hint: None,
    },
    Case {
        name: "uefi custom layout without ESP",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\nfirmware = \"uefi\"\n[storage]\n\
               layout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions",
        line: 7,
        says: "EFI system partition",
        hint: None,
    },
    Case {
        name: "ESP at /efi, where shim and GRUB do not install",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\nfirmware = \"uefi\"\n[storage]\n\
               layout = \"custom\"\n[[storage.partitions]]\nmount = \"/efi\"\nsize = \"600MiB\"\n\
               fs = \"vfat\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions[0].mount",
        line: 8,
        says: "mounted at \"/boot/efi\" on this distribution",
        hint: None,
    },
    Case {
        name: "label too long for xfs",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n\
               [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\nfs = \"xfs\"\nlabel = \"thirteen-char\"\n",
        path: "storage.partitions[0].label",
        line: 10,
        says: "xfs labels hold at most 12",
        hint: None,
    },
    Case {
        name: "percent swap",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nswap = \"10%\"\n",
        path: "storage.swap",
        line: 5,
        says: "swap cannot be \"10%\"",
        hint: None,
    },
    Case {
        name: "bad hostname",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[system]\nhostname = \"-web01\"\n",
        path: "system.hostname",
        line: 5,
        says: "not a valid host name",
        hint: None,
    },
    Case {
        name: "time zone",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[system]\ntimezone = \"Paris\"\n",
        path: "system.timezone",
        line: 5,
        says: "not a time zone",
        hint: None,
    },
    Case {
        name: "unparseable ssh key",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[root]\n\
               ssh_keys = [\"ssh-ed25519 bm90IGEga2V5 me@host\"]\n",
        path: "root.ssh_keys[0]",
        line: 5,
        says: "not an SSH public key",
        hint: None,
    },
    Case {
        name: "both path and match",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\nmatch = [{ largest = true }]\n",
        path: "target.match",
        line: 4,
        says: "not several",
        hint: None,
    },
    Case {
        name: "neither path nor match",
        text: "version = 1\n[target]\nwipe = true\n",
        path: "target",
        line: 2,
        says: "no disk given",
        hint: None,
    },
    Case {
        name: "match rule with largest and smallest",
        text: "version = 1\n[target]\nmatch = [\n  { ssd = true },\n  { largest = true, smallest = true },\n]\n",
        path: "target.match[1].smallest",
        line: 5,
        says: "both the largest and the smallest",
        hint: None,
    },
    Case {
        name: "match rule min_size above max_size",
        text: "version = 1\n[target]\nmatch = [{ min_size = \"2TiB\", max_size = \"1TiB\" }]\n",
        path: "target.match[0].max_size",
        line: 3,
        says: "smaller than min_size",
        hint: None,
    },
    Case {
        name: "gpg_check off without allow_unsigned",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[repos]]\nname = \"base\"\n\
               url = \"https://example.com/repo\"\ngpg_check = false\n",
        path: "repos[0].gpg_check",
        line: 7,
        says: "unverified packages",
        hint: None,
    },
    Case {
        name: "gpg key over plain http",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[repos]]\nname = \"base\"\n\
               url = \"https://example.com/repo\"\ngpg_keys = [\"http://example.com/KEY\"]\n",
        path: "repos[0].gpg_keys[0]",
        line: 7,
        says: "cannot be trusted",
        hint: None,
    },
    Case {
        name: "repository url scheme",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[repos]]\nname = \"base\"\n\
               url = \"ftp://example.com/repo\"\ngpg_keys = [\"file:///k\"]\n",
        path: "repos[0].url",
        line: 6,
        says: "not supported",
        hint: None,
    },
    Case {
        name: "md5 password hash",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[root]\n\
               password = { hash = '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/' }\n",
        path: "root.password.hash",
        line: 5,
        says: "MD5",
        hint: None,
    },
    Case {
        name: "password of the wrong shape",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[root]\npassword = \"hunter2\"\n",
        path: "root.password",
        line: 5,
        says: "expected one of \"locked\"",
        hint: None,
    },
    Case {
        name: "user called root",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[users]]\nname = \"root\"\n",
        path: "users[0].name",
        line: 5,
        says: "[root]",
        hint: None,
    },
    Case {
        name: "duplicate user",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[users]]\nname = \"ann\"\n\
               [[users]]\nname = \"ann\"\n",
        path: "users[1].name",
        line: 7,
        says: "given twice",
        hint: None,
    },
    Case {
        name: "bad enum value lists the allowed ones",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\nfirmware = \"efi\"\n",
        path: "target.firmware",
        line: 4,
        says: "expected one of \"auto\", \"uefi\" or \"bios\", found \"efi\"",
        hint: None,
    },
    Case {
        name: "missing required key",
        text: "[target]\npath = \"/dev/vda\"\n",
        path: "version",
        line: 1,
        says: "missing key \"version\"",
        hint: None,
    },
    Case {
        name: "unsupported version",
        text: "version = 2\n[target]\npath = \"/dev/vda\"\n",
        path: "version",
        line: 1,
        says: "unsupported answer file version 2",
        hint: None,
    },
    Case {
        name: "static interface without addresses",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[network.interfaces]]\n\
               match = { name = \"eno1\" }\ndhcp = false\n",
        path: "network.interfaces[0].addresses",
        line: 4,
        says: "needs static addresses",
        hint: None,
    },
    Case {
        name: "bad CIDR",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[network.interfaces]]\n\
               match = { name = \"eno1\" }\ndhcp = false\naddresses = [\"192.0.2.10/33\"]\n",
        path: "network.interfaces[0].addresses[0]",
        line: 7,
        says: "prefix",
        hint: None,
    },
    Case {
        name: "bad duration",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[scripts.post]]\nrun = \"true\"\n\
               timeout = \"5 minutes\"\n",
        path: "scripts.post[0].timeout",
        line: 6,
        says: "expected a duration",
        hint: None,
    },
    Case {
        name: "kernel series",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[kernel]\nseries = \"6\"\n",
        path: "kernel.series",
        line: 5,
        says: "not a kernel series",
        hint: None,
    },
    Case {
        name: "webhook scheme",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"file:///tmp/x\"\n",
        path: "reporting.webhook",
        line: 5,
        says: "not supported",
        hint: None,
    },
    Case {
        name: "a webhook token that is not one word",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"https://fleet.example/i\"\ntoken = \"two words\"\n",
        path: "reporting.token",
        line: 6,
        says: "a bearer token is one word",
        hint: None,
    },
    Case {
        name: "a webhook token without a webhook",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\ntoken = \"abc\"\n",
        path: "reporting.token",
        line: 5,
        says: "without a webhook",
        hint: None,
    },
    Case {
        name: "a private key among the installer's remote keys",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[install]\nremote_ssh_keys = [\"-----BEGIN OPENSSH PRIVATE KEY-----\"]\n",
        path: "install.remote_ssh_keys[0]",
        line: 5,
        says: "this is a private key",
        hint: Some("ssh-ed25519 AAAA"),
    },
    Case {
        name: "a client certificate without its key",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"https://fleet.example/i\"\nclient_cert = \"/etc/fleet/client.pem\"\n",
        path: "reporting.client_key",
        line: 4,
        says: "needs its private key",
        hint: None,
    },
    Case {
        name: "a client certificate for an http webhook",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"http://fleet.example/i\"\nclient_cert = \"/etc/fleet/client.pem\"\nclient_key = \"/etc/fleet/client.key\"\n",
        path: "reporting.client_cert",
        line: 6,
        says: "https:// webhook only",
        hint: None,
    },
    Case {
        name: "a relative path to the webhook's CA",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"https://fleet.example/i\"\nca = \"fleet-ca.pem\"\n",
        path: "reporting.ca",
        line: 6,
        says: "an absolute path on the live system",
        hint: Some("/run/install/repo/fleet/client.pem"),
    },
    Case {
        name: "a certificate's PEM text where the key goes",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[reporting]\nwebhook = \"https://fleet.example/i\"\nclient_cert = \"/c.pem\"\nclient_key = \"\"\"\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n\"\"\"\n",
        path: "reporting.client_key",
        line: 7,
        says: "holds no PRIVATE KEY block",
        hint: None,
    },
    Case {
        name: "bios custom layout without bios-boot",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\nfirmware = \"bios\"\n[storage]\n\
               layout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions",
        line: 7,
        says: "bios-boot",
        hint: None,
    },
    Case {
        name: "custom layout without partitions",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[storage]\nlayout = \"custom\"\n",
        path: "storage.layout",
        line: 5,
        says: "no partitions",
        hint: None,
    },
    Case {
        name: "auto layout with partitions",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[[storage.partitions]]\n\
               mount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions",
        line: 4,
        says: "layout is \"auto\"",
        hint: None,
    },
    Case {
        name: "negative integer",
        text: "version = -1\n[target]\npath = \"/dev/vda\"\n",
        path: "version",
        line: 1,
        says: "out of range",
        hint: None,
    },
    Case {
        name: "date where a string belongs",
        text: "version = 1\n[target]\npath = 2024-01-01\n",
        path: "target.path",
        line: 3,
        says: "expected a string, found a date-time",
        hint: None,
    },
    Case {
        name: "unknown section lists the allowed keys when nothing is close",
        text: "version = 1\n[target]\npath = \"/dev/vda\"\n[zzz]\n",
        path: "zzz",
        line: 4,
        says: "unknown key \"zzz\"",
        hint: None,
    },
    Case {
        name: "TOML syntax error",
        text: "version = 1\n[target]\npath = /dev/vda\n",
        path: "",
        line: 3,
        says: "invalid TOML",
        hint: None,
    },
];

#[test]
fn each_broken_file_names_key_path_and_line() {
    error_table::run("", CASES, |_, _| {});
}

#[test]
fn did_you_mean_is_a_hint() {
    let found = error_table::issues(
        "version = 1\n[target]\npath = \"/dev/vda\"\n[system]\nhostnme = \"web01\"\n",
    );
    assert_eq!(
        found[0].render("answer.toml"),
        "answer.toml:5:1: system.hostnme: unknown key \"hostnme\" (hint: did you mean \"hostname\"?)"
    );
    // Nothing close: the hint lists what is allowed at that level instead.
    let found = error_table::issues("version = 1\n[target]\npath = \"/dev/vda\"\nzzz = 1\n");
    assert_eq!(
        found[0].hint.as_deref(),
        Some("allowed keys here: firmware, match, path, paths, wipe")
    );
}

#[test]
fn syntax_errors_have_line_and_column() {
    let found = error_table::issues("version = 1\n[target]\npath = /dev/vda\n");
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert_eq!((found[0].line, found[0].column), (Some(3), Some(8)));
}

#[test]
fn a_file_with_several_problems_reports_all_of_them() {
    // A misspelt key (structure) does not hide the semantic problems of the rest.
    let text = "\
version = 1
[target]
path = \"/dev/vda\"
match = [{ ssd = true }]
[system]
hostnme = \"web01\"
hostname = \"web_01\"
[[repos]]
name = \"base\"
url = \"https://example.com/repo\"
gpg_check = false
[root]
password = { hash = '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/' }
";
    let found = error_table::issues(text);
    let got: Vec<(&str, Option<usize>)> = found.iter().map(|i| (i.path.as_str(), i.line)).collect();
    assert_eq!(
        got,
        [
            ("target.match", Some(4)),
            ("system.hostnme", Some(6)),
            ("system.hostname", Some(7)),
            ("repos[0].gpg_check", Some(11)),
            ("root.password.hash", Some(13)),
        ],
        "{}",
        show(&found)
    );
}

#[test]
fn several_structural_problems_are_all_reported() {
    let text = "\
version = \"1\"
[install]
finish = \"halt\"
[target]
path = 7
[storage]
swap = \"lots\"
";
    let found = error_table::issues(text);
    let paths: Vec<&str> = found.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        ["version", "install.finish", "target.path", "storage.swap"],
        "{}",
        show(&found)
    );
}

#[test]
fn a_valid_minimal_file_loads_with_defaults() {
    let a = load_str(TARGET).unwrap_or_else(|i| panic!("{}", show(&i)));
    assert!(a.install.confirm, "confirm defaults to asking");
    assert_eq!(a.kernel.series, "6.18");
    assert_eq!(a.system.timezone, "UTC");
}

#[test]
fn validate_checks_answers_built_in_code_without_positions() {
    let mut a = load_str(TARGET).unwrap_or_else(|i| panic!("{}", show(&i)));
    assert!(validate(&a).is_empty());
    a.system.hostname = Some("bad host".into());
    a.target.rules = Some(Vec::new());
    let found = validate(&a);
    let paths: Vec<&str> = found.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["target.match", "target.match", "system.hostname"]);
    assert!(found.iter().all(|i| i.line.is_none()));
}

#[test]
fn load_file_names_the_file_in_every_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("answer.toml");
    std::fs::write(&path, "version = 1\n[target]\nwipe = \"yes\"\n").expect("write");
    let err = load_file(&path).expect_err("invalid file");
    assert!(matches!(err, LoadError::Invalid { .. }));
    let text = err.to_string();
    let shown = path.display().to_string();
    assert_eq!(err.issues().len(), 1, "{text}");
    assert!(
        text.starts_with(&format!("{shown}:3:8: target.wipe: expected a boolean")),
        "{text}"
    );
}

#[test]
fn unreadable_files_are_read_errors() {
    let err = load_file(std::path::Path::new("/nonexistent/answer.toml")).expect_err("no file");
    assert!(matches!(err, LoadError::Read { .. }));
    assert!(
        err.to_string()
            .starts_with("reading /nonexistent/answer.toml:"),
        "{err}"
    );
    assert!(err.issues().is_empty());
}

#[test]
fn truncated_and_mangled_examples_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("installer-config/examples");
    for entry in std::fs::read_dir(dir).expect("examples") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("example");
        let cuts = text.char_indices().map(|(i, _)| i).step_by(5);
        for cut in cuts {
            // Cut short, and with one character dropped: every outcome must be Ok or issues.
            let _ = load_str(&text[..cut]);
            let mut dropped = text.clone();
            dropped.remove(cut);
            if let Err(found) = load_str(&dropped) {
                assert!(found.iter().all(|i| i.line.is_some()), "{}", show(&found));
            }
        }
    }
}

//! Signature enforcement, under dnf 4 / rpm 4.18 and dnf 5 / rpm 6 alike: an unsigned
//! package, a package signed by another key, an unsigned or foreign-signed `repomd.xml`
//! and tampered metadata are each refused with a message naming the package or file, and
//! nothing is installed. The engine's payload step is run directly, so dnf itself must
//! refuse (the installer's own preflight, which refuses the metadata cases earlier, is
//! tested through `install` at the end). The installer never relies on the distribution's
//! rpm macros for this: Debian's rpm 6 sets `%_pkgverify_level digest`, and the packages
//! are still refused, by dnf's gpgcheck.

mod common;

use std::path::Path;
use std::process::Command;

use azl_installer::engine::payload::{self, PayloadError};
use azl_installer::events::{Event, Level, Recorder, Step};
use common::fixture::{FixtureRepo, skip_unless_root};
use common::payload::{names_in, payload};

const TMUX: &str = "tmux-3.5a-1.azl4.x86_64";

/// Variant, what the refusal must name, and a word of why (lowercased), per variant.
const TABLE: [(&str, &str, &[&str]); 5] = [
    ("unsigned-rpm", TMUX, &["not signed"]),
    ("foreign-rpm", TMUX, &["key"]),
    ("unsigned-repomd", "repomd.xml", &["signature"]),
    ("other-key", "repomd.xml", &["signature", "signing key"]),
    ("bad-primary", "primary.xml", &["checksum"]),
];

/// dnf's reason: what the error says before the command line.
fn reason(msg: &str) -> &str {
    msg.split_once("\n`").map_or(msg, |(r, _)| r)
}

fn refuses(variant: &str, names: &str, why: &[&str]) {
    let repo = FixtureRepo::build(variant);
    let mut p = payload(&repo.repo_url(), &repo.key_url());
    p.packages = vec!["tmux".into()];
    p.groups.clear();
    p.kernel.clear();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let rec = Recorder::default();
    let err = payload::install(&p, &root, &tmp.path().join("cache"), &rec)
        .expect_err(&format!("{variant}: must not install"));
    let msg = err.to_string();
    eprintln!("{variant}: {msg}");
    assert!(
        matches!(err, PayloadError::Transaction { .. }),
        "{variant}: {msg}"
    );
    let r = reason(&msg);
    assert!(
        r.starts_with("installing packages into ")
            && r.contains(&format!(" from fixture at {}: ", repo.repo_url()))
            && r.contains(names),
        "{variant}: the reason must name {names}:\n{msg}"
    );
    let lower = r.to_lowercase();
    assert!(
        why.iter().any(|w| lower.contains(w)),
        "{variant}: the reason must say one of {why:?}:\n{msg}"
    );
    // The reason is logged as an error, and nothing else is: no progress bar as "error".
    let errors: Vec<String> = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Log {
                step: Some(Step::Payload),
                level: Level::Error,
                message,
            } => Some(message),
            _ => None,
        })
        .collect();
    assert!(
        errors.iter().any(|e| e.contains(names)),
        "{variant}: {errors:?}"
    );
    assert!(
        errors.iter().all(|e| !e.contains("% |")),
        "{variant}: progress logged as errors: {errors:?}"
    );
    assert!(
        names_in(&root).is_empty(),
        "{variant}: {:?}",
        names_in(&root)
    );
    assert!(!root.join("usr/bin/tmux").exists(), "{variant}");
}

flavored_tests! {
    fn dnf_refuses_every_signature_failure_naming_the_package_or_file() {
        if skip_unless_root() {
            return;
        }
        for (variant, names, why) in TABLE {
            refuses(variant, names, why);
        }
    }
}

flavored_tests! {
    fn install_refuses_bad_metadata_before_the_disk_and_bad_packages_at_the_payload() {
        require_loop_devices!();
        for (variant, code, names) in [
            ("other-key", 3, "repomd.xml"),
            ("bad-primary", 3, "primary"),
            ("foreign-rpm", 4, TMUX),
        ] {
            let repo = FixtureRepo::build(variant);
            let img = common::Image::sparse(2 << 30);
            let answer = img.dir.path().join("answer.toml");
            std::fs::write(&answer, answer_text(&repo, &img.path)).unwrap();
            let before = common::sha256_of(&img.path);
            let o = Command::new(common::bin())
                .args(["install", "--yes", "--sysimage"])
                .arg(img.dir.path().join("sysimage"))
                .arg(&answer)
                .env("AZL_RUN_DIR", img.dir.path().join("run"))
                .output()
                .unwrap();
            let text = common::output_text(&o);
            assert_eq!(o.status.code(), Some(code), "{variant}: {text}");
            assert!(text.contains(names), "{variant}: must name {names}: {text}");
            if code == 3 {
                assert_eq!(common::sha256_of(&img.path), before, "{variant}: disk written");
            }
            common::installed::assert_nothing_left(&img.path, &img.dir.path().join("sysimage"));
        }
    }
}

fn answer_text(repo: &FixtureRepo, image: &Path) -> String {
    format!(
        r#"version = 1
[install]
confirm = false
finish = "none"
[target]
path = "{}"
wipe = true
firmware = "uefi"
[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "300MiB"
[[storage.partitions]]
mount = "/"
size = "rest"
[[repos]]
name = "fixture"
url = "{}"
gpg_keys = ["{}"]
[packages]
install = ["tmux"]
"#,
        image.display(),
        repo.repo_url(),
        repo.key_url()
    )
}

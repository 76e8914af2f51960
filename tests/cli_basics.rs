//! The commands that touch no disk: validate, schema, probe, plan refusals and exit codes.

mod common;

use std::process::Command;

#[test]
fn validate_accepts_the_examples_and_rejects_a_broken_file_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\n[target]\npath = \"/dev/sda\"\n[system]\nhostnme = \"x\"\n",
    )
    .unwrap();
    let o = common::installer(&["validate", "installer-config/examples/minimal-uefi.toml"]);
    assert!(o.status.success());
    let o = common::installer(&[
        "validate",
        "installer-config/examples/bios.toml",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{}:5:1: system.hostnme: unknown key \"hostnme\"",
            bad.display()
        )),
        "{err}"
    );
    assert!(err.contains("did you mean \"hostname\"?"), "{err}");
}

#[test]
fn schema_prints_the_committed_schema() {
    let o = common::installer(&["schema"]);
    assert!(o.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/installer-config/answer.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn probe_json_lists_the_disks_of_this_machine() {
    let o = common::installer(&["probe", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hw: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = hw["disks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    // Every whole disk in sysfs with a size shows up (loop devices included in the JSON).
    for entry in std::fs::read_dir("/sys/block").unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let size: u64 = std::fs::read_to_string(format!("/sys/block/{name}/size"))
            .map(|s| s.trim().parse().unwrap_or(0))
            .unwrap_or(0);
        let skipped = ["ram", "zram", "dm-", "md", "sr", "fd", "nbd"]
            .iter()
            .any(|p| name.starts_with(p));
        if size > 0 && !skipped {
            assert!(
                names.contains(&name.as_str()),
                "{name} missing from {names:?}"
            );
        }
    }
}

#[test]
fn plan_refuses_the_disk_holding_the_running_system_with_exit_3() {
    // The disk under /, found without the probe under test.
    let Some(root_disk) = common::root_disk() else {
        common::skip_or_fail("no disk holds / here (a container?)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    std::fs::write(
        &a,
        format!("version = 1\n[target]\npath = \"/dev/{root_disk}\"\nwipe = true\n"),
    )
    .unwrap();
    let o = common::installer(&["plan", a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("refused before writing anything"), "{err}");
    assert!(err.contains("it holds the running system"), "{err}");
}

#[test]
fn no_rule_matching_is_refused_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    std::fs::write(
        &a,
        "version = 1\n[target]\nmatch = [{ model = \"NoSuchDisk*\" }]\n",
    )
    .unwrap();
    let o = common::installer(&["plan", a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("target.match[0] matched no disk"), "{err}");
}

#[test]
fn install_without_an_argument_reads_inst_answer_from_the_kernel_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk.img");
    std::fs::File::create(&img)
        .unwrap()
        .set_len(20 << 30)
        .unwrap();
    let a = dir.path().join("a.toml");
    let repo = common::fixture::FixtureRepo::base();
    std::fs::write(
        &a,
        format!(
            "version = 1\n[install]\nconfirm = false\n[target]\npath = \"{}\"\n\
             [[repos]]\nname = \"fixture\"\nurl = \"{}\"\ngpg_keys = [\"{}\"]\n",
            img.display(),
            repo.repo_url(),
            repo.key_url()
        ),
    )
    .unwrap();
    let cmdline = dir.path().join("cmdline");
    std::fs::write(
        &cmdline,
        format!(
            "BOOT_IMAGE=/vmlinuz quiet inst.answer=file:{} console=ttyS0\n",
            a.display()
        ),
    )
    .unwrap();
    let o = common::installer(&[
        "install",
        "--cmdline",
        cmdline.to_str().unwrap(),
        "--stop-after",
        "preflight",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!("Target disk: disk image {}", img.display())),
        "{err}"
    );

    std::fs::write(&cmdline, "BOOT_IMAGE=/vmlinuz quiet\n").unwrap();
    let o = common::installer(&["install", "--cmdline", cmdline.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no inst.answer= on the kernel command line")
    );
}

/// A live system without CA certificates (SSL_CERT_FILE/SSL_CERT_DIR point at nothing, so
/// no system store is read): https answers are refused naming the cause, not "no client".
#[test]
fn without_ca_certificates_https_is_refused_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("no-certs.pem");
    std::fs::write(&empty, "").unwrap();
    let o = Command::new(common::bin())
        .args(["plan", "https://127.0.0.1:9/answer.toml"])
        .env("SSL_CERT_FILE", &empty)
        .env("SSL_CERT_DIR", dir.path())
        .output()
        .expect("running azl-installer");
    assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("https://127.0.0.1:9/answer.toml: cannot verify https")
            && err.contains("CA certificates"),
        "{err}"
    );
}

#[test]
fn a_log_file_that_cannot_be_written_is_an_error_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let answer = "installer-config/examples/minimal-uefi.toml";
    let missing = dir.path().join("no-such-dir/install.log");
    for (log, cause) in [
        (missing.as_path(), "No such file or directory"),
        (dir.path(), "Is a directory"),
    ] {
        let o = common::installer(&["validate", "--log", &log.to_string_lossy(), answer]);
        let text = common::output_text(&o);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(
            text.contains(&format!("cannot write the log file {}", log.display()))
                && text.contains(cause),
            "{text}"
        );
        assert!(!text.contains(": ok"), "it went on to validate: {text}");
    }
    // A writable one gets the log.
    let log = dir.path().join("install.log");
    let o = common::installer(&["validate", "--log", &log.to_string_lossy(), answer]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    assert!(log.is_file());
}

#[test]
fn a_run_directory_that_cannot_be_created_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\n").unwrap();
    let o = Command::new(common::bin())
        .args(["install", "--yes", &bad.to_string_lossy()])
        .env("AZL_RUN_DIR", file.join("run"))
        .output()
        .expect("running azl-installer");
    let text = common::output_text(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!("cannot write {}", file.join("run").display()))
            && text.contains("keeps no log there"),
        "{text}"
    );
}

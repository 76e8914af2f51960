//! Refusals the live system can cause: a program the install would run is missing, or the
//! target image is attached to a loop device and mounted. The install is refused at
//! preflight (exit 3) saying why, and the disk image is not touched.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use common::fixture::FixtureRepo;

/// A directory of links to every program on PATH but `left_out`: the live system without
/// that one package's program.
fn path_without(dir: &Path, left_out: &str) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let link = dir.join(e.file_name());
            if e.file_name() != left_out && !link.exists() {
                std::os::unix::fs::symlink(e.path(), &link).unwrap();
            }
        }
    }
    dir.display().to_string()
}

fn answer_text(repo: &FixtureRepo, image: &Path) -> String {
    answer_with(repo, image, "filesystem = \"xfs\"")
}

fn answer_with(repo: &FixtureRepo, image: &Path, storage: &str) -> String {
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
{}
[[repos]]
name = "fixture"
url = "{}"
gpg_keys = ["{}"]
"#,
        image.display(),
        storage,
        repo.repo_url(),
        repo.key_url()
    )
}

flavored_tests! {
    fn without_mkfs_xfs_an_xfs_install_is_refused_before_the_disk_is_touched() {
        require_loop_devices!();
        let repo = FixtureRepo::base();
        let img = common::Image::sparse(8 << 30);
        let answer = img.dir.path().join("answer.toml");
        std::fs::write(&answer, answer_text(&repo, &img.path)).unwrap();
        let bin = img.dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let path = path_without(&bin, "mkfs.xfs");
        assert!(bin.join("mkfs.ext4").exists() && !bin.join("mkfs.xfs").exists());
        let sysimage = img.dir.path().join("sysimage");
        let o = Command::new(common::bin())
            .args(["install", "--yes", "--sysimage"])
            .arg(&sysimage)
            .arg(&answer)
            .env("PATH", &path)
            .env("AZL_RUN_DIR", img.dir.path().join("run"))
            .output()
            .unwrap();
        let text = common::output_text(&o);
        assert_eq!(o.status.code(), Some(3), "{text}");
        assert!(
            text.contains("mkfs.xfs is not on this live system")
                && text.contains("formats partitions 2 (/boot), 3 (/) as xfs")
                && text.contains("xfsprogs"),
            "{text}"
        );
        // A sparse image: any write, zeros included, would have allocated blocks.
        assert_eq!(std::fs::metadata(&img.path).unwrap().blocks(), 0, "the image was written");
        common::installed::assert_nothing_left(&img.path, &sysimage);

        // With mkfs.xfs back on PATH, the same answer passes preflight.
        let o = Command::new(common::bin())
            .args(["install", "--yes", "--stop-after", "preflight", "--sysimage"])
            .arg(&sysimage)
            .arg(&answer)
            .env("AZL_RUN_DIR", img.dir.path().join("run"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", common::output_text(&o));
    }
}

#[test]
fn an_image_attached_and_mounted_elsewhere_is_refused_and_left_alone() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let img = common::Image::sparse(2 << 30);
    // Attached without --partscan, a filesystem on the whole device, mounted read-only
    // (so that the mount itself writes nothing).
    let out = Command::new("losetup")
        .args(["--find", "--show"])
        .arg(&img.path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lo = common::LoopDevice {
        path: String::from_utf8_lossy(&out.stdout).trim().into(),
    };
    common::sh("mkfs.ext4", &["-q", "-F", &lo.path.to_string_lossy()]);
    let mnt = img.dir.path().join("elsewhere");
    let _m = common::Mount::new_ro(&lo.path, &mnt);
    let before = common::sha256_of(&img.path);

    let answer = img.dir.path().join("answer.toml");
    let layout = "layout = \"custom\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"300MiB\"\n\
                  [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"";
    std::fs::write(&answer, answer_with(&repo, &img.path, layout)).unwrap();
    let sysimage = img.dir.path().join("sysimage");
    let o = Command::new(common::bin())
        .args(["install", "--yes", "--sysimage"])
        .arg(&sysimage)
        .arg(&answer)
        .env("AZL_RUN_DIR", img.dir.path().join("run"))
        .output()
        .unwrap();
    let text = common::output_text(&o);
    assert_eq!(o.status.code(), Some(3), "{text}");
    let lo_name = lo.path.display().to_string();
    assert!(
        text.contains(&format!("it is attached to {lo_name} (losetup)"))
            && text.contains(&format!("{lo_name} is mounted at {}", mnt.display())),
        "{text}"
    );
    assert_eq!(
        common::sha256_of(&img.path),
        before,
        "the image was written"
    );
    assert!(!sysimage.exists() || std::fs::read_dir(&sysimage).unwrap().next().is_none());
}

#[test]
fn a_refusal_ends_the_event_stream_and_reaches_the_webhook() {
    let hook = common::hook::Hook::listen();
    let img = common::Image::sparse(8 << 30);
    let answer = img.dir.path().join("answer.toml");
    let text = common::hook::refused_answer(
        &img.path,
        &format!("[reporting]\nwebhook = \"{}\"\n", hook.url()),
    );
    std::fs::write(&answer, text).unwrap();
    let o = Command::new(common::bin())
        .args(["install", "--yes", "--progress", "json"])
        .arg(&answer)
        .env("AZL_RUN_DIR", img.dir.path().join("run"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let last: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("no event at all")).unwrap();
    assert_eq!(last["event"], "ended", "{stdout}");
    assert_eq!(last["exit_code"], 3);
    assert_eq!(last["failed_step"], "preflight");
    assert_eq!(last["disk_changed"], false);
    assert!(
        last["error"].as_str().unwrap().contains("repos[0]"),
        "{last}"
    );
    // The webhook got the same last word (the install waits for it before exiting).
    let posted = hook.bodies();
    let hooked: serde_json::Value =
        serde_json::from_str(posted.last().expect("nothing posted")).unwrap();
    assert_eq!(hooked, last);
    assert_eq!(std::fs::metadata(&img.path).unwrap().blocks(), 0);
}

/// A fleet's server named on the kernel command line (`inst.webhook=`, with
/// `inst.webhook.token=`), restarting when the install begins: the install is not held up,
/// the last event (`ended`, with the final report: the machine's MACs) reaches it through
/// the retries, every request carries the bearer token, and the token is in no output.
#[test]
fn the_kernel_command_lines_webhook_gets_the_last_event_with_its_token_through_retries() {
    const TOKEN: &str = "s3cr3t-fleet-token";
    let hook = common::hook::Hook::listen_with(2);
    let img = common::Image::sparse(8 << 30);
    let answer = img.dir.path().join("answer.toml");
    std::fs::write(&answer, common::hook::refused_answer(&img.path, "")).unwrap();
    let cmdline = img.dir.path().join("cmdline");
    std::fs::write(
        &cmdline,
        format!(
            "console=ttyS0 inst.webhook={} inst.webhook.token={TOKEN}\n",
            hook.url()
        ),
    )
    .unwrap();
    let log = img.dir.path().join("install.log");
    let o = Command::new(common::bin())
        .arg("--cmdline")
        .arg(&cmdline)
        .args(["install", "--yes", "--progress", "json", "--log"])
        .arg(&log)
        .arg(&answer)
        .env("AZL_RUN_DIR", img.dir.path().join("run"))
        .output()
        .unwrap();
    let text = common::output_text(&o);
    assert_eq!(o.status.code(), Some(3), "{text}");
    let posted = hook.bodies();
    let hooked: serde_json::Value =
        serde_json::from_str(posted.last().expect("nothing posted")).unwrap();
    assert_eq!(hooked["event"], "ended", "{posted:?}");
    assert_eq!(hooked["exit_code"], 3);
    assert!(
        hooked["report"]["machine"]["macs"].is_array(),
        "no final report: {hooked}"
    );
    let auth = hook.authorizations();
    assert!(auth.len() >= 3, "{auth:?}");
    assert!(
        auth.iter().all(|a| a == &format!("Bearer {TOKEN}")),
        "{auth:?}"
    );
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !text.contains(TOKEN) && !logged.contains(TOKEN),
        "the token was shown"
    );
}

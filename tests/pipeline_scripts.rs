//! `[[scripts.post]]`: run in the installer environment or chrooted into the target, with
//! their output in the log, their failures named, and their timeouts enforced on every
//! process they started.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use azl_installer::answer::{self, Script};
use azl_installer::engine::scripts::{ScriptError, run_post};
use azl_installer::events::{Event, Recorder, Step};

fn script(chroot: bool, run: &str, timeout_secs: u64) -> Script {
    Script {
        chroot,
        run: run.into(),
        timeout: answer::Duration(Duration::from_secs(timeout_secs)),
    }
}

fn logs(rec: &Recorder) -> Vec<String> {
    rec.events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Log {
                step: Some(Step::PostScripts),
                message,
                ..
            } => Some(message),
            _ => None,
        })
        .collect()
}

#[test]
fn outside_the_chroot_the_root_is_in_the_environment() {
    let root = tempfile::tempdir().expect("temp dir");
    let rec = Recorder::default();
    let scripts = [script(
        false,
        "echo written > \"$AZL_INSTALLER_ROOT/marker\"\necho \"PATH=$PATH LANG=$LANG\"\necho oops >&2\n",
        30,
    )];
    run_post(&scripts, root.path(), &rec).expect("running the script");
    let marker = std::fs::read_to_string(root.path().join("marker")).expect("marker");
    assert_eq!(marker, "written\n");
    let logs = logs(&rec);
    let want = "scripts.post[0]: PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8";
    assert!(logs.iter().any(|l| l == want), "{logs:?}");
    assert!(
        logs.iter().any(|l| l == "scripts.post[0]: oops"),
        "{logs:?}"
    );
    // Only the target's files are there: the script file was not left behind.
    let left: Vec<_> = std::fs::read_dir(root.path()).expect("listing").collect();
    assert_eq!(left.len(), 1);
}

#[test]
fn inside_the_chroot_the_target_shell_runs() {
    if !common::is_root() && common::skip_or_fail("chroot needs root") {
        return;
    }
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.exists(),
        "needs a static busybox (Debian's busybox-static)"
    );
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(root.path().join("bin")).expect("mkdir bin");
    std::fs::copy(busybox, root.path().join("bin/sh")).expect("copying busybox");
    let rec = Recorder::default();
    // AZL_INSTALLER_ROOT is only for scripts outside: inside, / is the target.
    let scripts = [script(
        true,
        "echo inside > /marker\necho \"root=[$AZL_INSTALLER_ROOT] pwd=$(pwd)\"\n",
        30,
    )];
    run_post(&scripts, root.path(), &rec).expect("running the script");
    let marker = std::fs::read_to_string(root.path().join("marker")).expect("marker");
    assert_eq!(marker, "inside\n");
    let logs = logs(&rec);
    assert!(
        logs.iter().any(|l| l == "scripts.post[0]: root=[] pwd=/"),
        "{logs:?}"
    );
    // The script file went into the target's /tmp and is gone again.
    let tmp: Vec<_> = std::fs::read_dir(root.path().join("tmp"))
        .expect("listing tmp")
        .collect();
    assert!(tmp.is_empty(), "{tmp:?}");
}

#[test]
fn a_failing_script_is_named_with_its_status_and_output() {
    let root = tempfile::tempdir().expect("temp dir");
    let rec = Recorder::default();
    let scripts = [
        script(false, "echo first", 30),
        script(
            false,
            "echo 'some output'\necho 'went wrong' >&2\nexit 3\n",
            30,
        ),
        script(false, "echo never > \"$AZL_INSTALLER_ROOT/never\"", 30),
    ];
    let err = run_post(&scripts, root.path(), &rec).expect_err("the second script fails");
    assert!(matches!(err, ScriptError::Run { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with("running scripts.post[1]: "), "{msg}");
    assert!(msg.contains("exit status: 3"), "{msg}");
    assert!(
        msg.contains("some output") && msg.contains("went wrong"),
        "{msg}"
    );
    assert!(!root.path().join("never").exists(), "a later script ran");
}

#[test]
fn a_script_past_its_timeout_is_killed_with_its_children() {
    let root = tempfile::tempdir().expect("temp dir");
    let rec = Recorder::default();
    let scripts = [script(
        false,
        "sleep 60 &\necho $! > \"$AZL_INSTALLER_ROOT/child\"\necho started\nsleep 60\n",
        1,
    )];
    let start = Instant::now();
    let err = run_post(&scripts, root.path(), &rec).expect_err("the script times out");
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "took {took:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("running scripts.post[0]: "), "{msg}");
    assert!(msg.contains("timed out after 1s"), "{msg}");
    assert!(msg.contains("started"), "{msg}");

    let pid = std::fs::read_to_string(root.path().join("child")).expect("child pid");
    let proc_dir = Path::new("/proc").join(pid.trim());
    // Dead means gone, or a zombie its new parent has not reaped yet.
    let deadline = Instant::now() + Duration::from_secs(2);
    let alive = || {
        std::fs::read_to_string(proc_dir.join("stat"))
            .map(|s| {
                !s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(false)
    };
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(), "the background sleep {} survived", pid.trim());
}

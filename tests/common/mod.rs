//! Helpers shared by the integration tests: disk images and loop devices that clean up after
//! themselves even when a test fails. Tests only ever write to these.
#![allow(dead_code)]

pub mod configure;
pub mod error_table;
pub mod fake_sysfs;
pub mod fixture;
pub mod flavor;
pub mod full_answer;
pub mod hook;
pub mod installed;
pub mod machine;
pub mod partition;
pub mod payload;
pub mod raw_server;
pub mod real;
pub mod tls_hook;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::Command;

/// True when the test may use loop devices (root, and losetup works).
pub fn can_use_loop_devices() -> bool {
    is_root()
        && Command::new("losetup")
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
}

/// True when the test runs with an effective user id of 0 (what chroot, mount and losetup
/// check), read from /proc so the tests need no libc.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// For a test whose subject this machine lacks: returns true (the test returns early)
/// after saying why, or fails when `AZL_REQUIRE_ROOT_TESTS` is set, as in `tests/run`,
/// where every test must run.
pub fn skip_or_fail(why: &str) -> bool {
    if std::env::var_os("AZL_REQUIRE_ROOT_TESTS").is_some() {
        panic!("this test cannot run here: {why}");
    }
    eprintln!("skipped: {why}");
    true
}

/// Skips the calling test (returns from it) when loop devices are unavailable, saying why.
/// CI runs as root, where this never skips; `AZL_REQUIRE_ROOT_TESTS=1` turns a skip into a failure.
#[macro_export]
macro_rules! require_loop_devices {
    () => {
        if !common::can_use_loop_devices() && common::skip_or_fail("needs root and loop devices") {
            return;
        }
    };
}

/// The whole disk holding "/", found without the probe under test: mountinfo's device
/// number, then sysfs, down through device-mapper and md layers (`slaves/`) to a disk.
/// None when "/" is not on a block device (a container's overlay).
pub fn root_disk() -> Option<String> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let devno = info.lines().find_map(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        (f.get(4) == Some(&"/")).then(|| f[2].to_owned())
    })?;
    let mut dev = std::fs::canonicalize(format!("/sys/dev/block/{devno}")).ok()?;
    loop {
        if dev.join("partition").exists() {
            dev = dev.parent()?.to_owned();
        }
        let lower = std::fs::read_dir(dev.join("slaves"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .and_then(|e| std::fs::canonicalize(e.path()).ok());
        match lower {
            Some(l) => dev = l,
            None => return Some(dev.file_name()?.to_string_lossy().into_owned()),
        }
    }
}

/// A sparse image file in its own temporary directory.
pub struct Image {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Image {
    pub fn sparse(size_bytes: u64) -> Image {
        let dir = tempfile::tempdir().expect("creating a temp dir");
        let path = dir.path().join("disk.img");
        let f = std::fs::File::create(&path).expect("creating the image");
        f.set_len(size_bytes).expect("sizing the image");
        Image { dir, path }
    }
}

/// A loop device attached to an image; detached on drop (after unmounting anything on it).
pub struct LoopDevice {
    pub path: PathBuf,
}

impl LoopDevice {
    pub fn attach(image: &Path, sector_size: u32) -> LoopDevice {
        Self::attach_with(image, sector_size, &["--partscan"])
    }

    /// A plain `losetup --find`: the kernel is not asked for the partitions, so it has no
    /// nodes for them (what an admin gets without `-P`).
    pub fn attach_without_partscan(image: &Path) -> LoopDevice {
        Self::attach_with(image, 512, &[])
    }

    fn attach_with(image: &Path, sector_size: u32, extra: &[&str]) -> LoopDevice {
        let out = Command::new("losetup")
            .args(["--find", "--show", "--sector-size"])
            .arg(sector_size.to_string())
            .args(extra)
            .arg(image)
            .output()
            .expect("running losetup");
        assert!(
            out.status.success(),
            "losetup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        LoopDevice { path }
    }

    /// "/dev/loop3p2" for partition 2.
    pub fn partition(&self, n: u32) -> PathBuf {
        PathBuf::from(format!("{}p{n}", self.path.display()))
    }
}

impl Drop for LoopDevice {
    fn drop(&mut self) {
        // Unmount whatever a failed test left mounted from this device, deepest first.
        if let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") {
            let dev = self.path.to_string_lossy().into_owned();
            let mut points: Vec<&str> = mounts
                .lines()
                .filter_map(|l| {
                    let mut f = l.split_whitespace();
                    let src = f.next()?;
                    let dst = f.next()?;
                    (src == dev || src.starts_with(&format!("{dev}p"))).then_some(dst)
                })
                .collect();
            points.sort_by_key(|p| std::cmp::Reverse(p.len()));
            for p in points {
                let _ = Command::new("umount").arg("-l").arg(p).status();
            }
        }
        let _ = Command::new("losetup").arg("-d").arg(&self.path).status();
    }
}

/// A mount that is unmounted on drop.
pub struct Mount {
    pub target: PathBuf,
}

impl Mount {
    pub fn new(device: &Path, target: &Path) -> Mount {
        Mount::with_options(device, target, "rw")
    }

    /// Read-only, so that looking at an installed system changes nothing in it.
    pub fn new_ro(device: &Path, target: &Path) -> Mount {
        Mount::with_options(device, target, "ro")
    }

    pub fn with_options(device: &Path, target: &Path, options: &str) -> Mount {
        std::fs::create_dir_all(target).expect("creating the mount point");
        let st = Command::new("mount")
            .args(["-o", options])
            .arg(device)
            .arg(target)
            .status()
            .expect("running mount");
        assert!(st.success(), "mount {} failed", device.display());
        Mount {
            target: target.to_owned(),
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.target).status();
    }
}

/// SHA-256 of a whole file or block device, to prove that nothing was written.
pub fn sha256_of(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path).expect("opening for hashing");
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).expect("reading for hashing");
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    format!("{:x}", h.finalize())
}

/// Runs a command, panicking with its stderr when it fails; returns stdout.
pub fn sh(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A generated file committed to the repository (a JSON Schema) is what the code makes
/// now; with UPDATE_SCHEMA set it is written instead. `test` names the test to run then.
pub fn committed_is_current(rel: &str, want: &str, test: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, want).unwrap_or_else(|e| panic!("writing {rel}: {e}"));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{rel} is out of date with the code; regenerate it with: UPDATE_SCHEMA=1 cargo test {test}"
    );
}

/// Path of the built binary, for tests of the command line.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_azl-installer"))
}

/// Runs the installer with `args` (no stdin, from the repository's directory, so relative
/// paths such as `installer-config/examples/...` work) and returns how it ended.
pub fn installer(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running azl-installer")
}

/// `installer`, with its own run directory (log, package cache): tests that install run
/// side by side.
pub fn installer_in(run_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .env("AZL_RUN_DIR", run_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running azl-installer")
}

/// A finished program's stdout and stderr together, for assertion messages.
pub fn output_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Command lines of the running processes that mention `needle` (a test's own temp path):
/// what an interrupted install must not leave running.
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|e| e.file_name().to_string_lossy() != me)
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(needle))
        .collect()
}

//! The real-system repository (`tests/real/build-repo`): Debian's packages of a bootable
//! server as signed RPMs, with Fedora's names where the installer asks for them. Built
//! (cached) into `target/real-repo` on the host; `tests/run` builds it before the suite, so
//! that the tests run again inside the forky root (dnf5) find it there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use super::fixture::target_dir;
use super::flavor::Flavor;

pub struct RealRepo {
    /// OUTDIR of build-repo: `repo/`, `RPM-GPG-KEY-real`, `real.env`, `manifest.tsv`.
    pub dir: PathBuf,
}

impl RealRepo {
    pub fn build() -> RealRepo {
        let dir = target_dir().join("real-repo");
        // Inside the forky root there is no debootstrap: the host built it.
        if Flavor::current() == Flavor::Dnf4 {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real/build-repo");
            super::sh(&script.to_string_lossy(), &[&dir.to_string_lossy()]);
        }
        assert!(
            dir.join("real.env").is_file(),
            "{} is not built: run tests/real/build-repo {0} first (tests/run does)",
            dir.display()
        );
        RealRepo { dir }
    }

    pub fn repo_url(&self) -> String {
        format!("file://{}", self.dir.join("repo").display())
    }

    pub fn key_url(&self) -> String {
        format!("file://{}", self.dir.join("RPM-GPG-KEY-real").display())
    }

    /// A value of `real.env` (kernel_uname, kernel_version, package_count, ...).
    pub fn env(&self, key: &str) -> String {
        let text = std::fs::read_to_string(self.dir.join("real.env")).expect("reading real.env");
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim_matches('\'').to_owned())
            .unwrap_or_else(|| panic!("real.env has no {key}"))
    }
}

//! The two package-manager generations the payload tests run under, each test once per
//! flavour and reported by its own name (`…::dnf4`, `…::dnf5`):
//! - **dnf4**: the host's dnf 4 / rpm 4.18 (Debian 12), in this process;
//! - **dnf5**: dnf5 5.4 / rpm 6.1 (rpm-sequoia) as on Azure Linux 4.0: this test binary
//!   runs the same test again inside the forky root (`tests/lib/in-forky`, loop devices
//!   and /tmp from the host), and the test passes only when it ran there and passed.
//!
//! A test that differs in outcome between the two is a failing test, so the bodies assert
//! the same things under both; where the tools word things differently, `Flavor::current`
//! says which one is running.

use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Dnf4,
    Dnf5,
}

/// Set for the test binary re-run inside the forky root.
const INSIDE: &str = "AZL_TEST_FLAVOR";

impl Flavor {
    /// The toolchain this process runs with.
    pub fn current() -> Flavor {
        match std::env::var(INSIDE).as_deref() {
            Ok("dnf5") => Flavor::Dnf5,
            _ => Flavor::Dnf4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Dnf4 => "dnf4",
            Flavor::Dnf5 => "dnf5",
        }
    }

    /// The package manager's command (Debian's dnf5 has no `dnf` link).
    pub fn dnf(self) -> &'static str {
        match self {
            Flavor::Dnf4 => "dnf",
            Flavor::Dnf5 => "dnf5",
        }
    }

    /// dnf's cache inside an install root when no cachedir is given.
    pub fn default_cache(self) -> &'static str {
        match self {
            Flavor::Dnf4 => "var/cache/dnf",
            Flavor::Dnf5 => "var/cache/libdnf5",
        }
    }
}

/// Runs one flavour of a test: `test` is the test's path as libtest names it with the
/// crate's name in front (`module_path!()` of the generated module).
pub fn run(flavor: Flavor, module: &str, body: fn()) {
    if flavor == Flavor::current() {
        return body();
    }
    assert_eq!(
        flavor,
        Flavor::Dnf5,
        "the dnf 4 flavour runs on the host, not inside the forky root"
    );
    let name = format!(
        "{}::{}",
        module.split_once("::").map_or(module, |(_, rest)| rest),
        flavor.name()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lib/in-forky");
    let exe = std::env::current_exe().expect("finding the test binary");
    let out = Command::new(&script)
        .arg("--bind")
        .arg(super::fixture::target_dir())
        .arg("--")
        .arg(&exe)
        .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, flavor.name())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Shown by libtest when this test fails (or with --nocapture).
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "{name} failed inside the forky root (dnf5, rpm 6): {}\n--- its output above ---",
        out.status
    );
    // A filter that matched nothing also exits 0: the test must really have run.
    assert!(
        stdout.contains(&format!("test {name} ... ok")) && stdout.contains("1 passed"),
        "{name} did not run inside the forky root"
    );
}

/// Declares tests that run once per flavour: each `fn NAME() { … }` becomes the module
/// `NAME` with the tests `NAME::dnf4` and `NAME::dnf5`, whose body sees the parent's items.
#[macro_export]
macro_rules! flavored_tests {
    ($($(#[$meta:meta])* fn $name:ident() $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                $(#[$meta])*
                fn body() $body

                #[test]
                fn dnf4() {
                    $crate::common::flavor::run(
                        $crate::common::flavor::Flavor::Dnf4,
                        module_path!(),
                        body,
                    )
                }

                #[test]
                fn dnf5() {
                    $crate::common::flavor::run(
                        $crate::common::flavor::Flavor::Dnf5,
                        module_path!(),
                        body,
                    )
                }
            }
        )*
    };
}

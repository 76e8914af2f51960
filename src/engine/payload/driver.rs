//! The one wrapper around dnf and rpm: every call of either goes through here, with the
//! private HOME (for `.rpmmacros`, see `config::RPM_MACROS`) and the private configuration.
//!
//! dnf 5 is preferred when present (`dnf5` on PATH, or `dnf` being a link to it, as on
//! Azure Linux 4.0 and Fedora 41+), else dnf 4. Both take the same global options; they
//! differ in where `--downloadonly` goes and in how they report progress (progress.rs).
//! Both are tested against the real programs: dnf 4.14 / rpm 4.18 and dnf5 5.4 / rpm 6.1
//! (README, "Payload").

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, CmdError, Limits, Output, Stream};
use crate::plan::Payload;

use super::PayloadError;
use super::config::PrivateConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Dnf4,
    Dnf5,
}

/// Columns dnf 5 lays its bars out in (tests/fixtures/capture-dnf5-output uses the same).
const DNF5_COLUMNS: &str = "300";

pub struct Tools {
    flavor: Flavor,
    /// The program to run: `dnf5`, or `dnf` (which may be dnf 5 under its old name).
    program: &'static str,
    home: PathBuf,
}

/// A failed dnf run: its reason in its own words, and the command's error.
pub struct DnfFailure {
    pub reason: String,
    pub source: CmdError,
}

/// What a dnf run installs, where, with which package cache.
pub struct Request<'a> {
    pub payload: &'a Payload,
    pub root: &'a Path,
    pub cache: &'a Path,
}

/// dnf 5 installed as `dnf` is a link whose target is named dnf5.
fn is_dnf5(program: &Path) -> bool {
    std::fs::canonicalize(program).is_ok_and(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("dnf5"))
    })
}

impl Tools {
    pub fn detect(private: &PrivateConfig) -> Result<Tools, PayloadError> {
        let (flavor, program) = if crate::cmd::find_program("dnf5").is_some() {
            (Flavor::Dnf5, "dnf5")
        } else if let Some(p) = crate::cmd::find_program("dnf") {
            (
                if is_dnf5(&p) {
                    Flavor::Dnf5
                } else {
                    Flavor::Dnf4
                },
                "dnf",
            )
        } else {
            return Err(PayloadError::NoDnf(
                "neither dnf5 nor dnf is on PATH".into(),
            ));
        };
        Ok(Tools {
            flavor,
            program,
            home: private.home(),
        })
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    fn rpm(&self, root: &Path) -> Cmd {
        Cmd::new("rpm")
            .env("HOME", &self.home)
            .arg("--root")
            .arg(root)
    }

    /// An empty rpmdb at ROOT/var/lib/rpm with the keys imported, before dnf runs: dnf
    /// then checks packages against exactly these keys.
    pub fn init_root(&self, root: &Path, keys: &[PathBuf]) -> Result<(), PayloadError> {
        let err = |source| PayloadError::Rpm {
            root: root.to_owned(),
            source,
        };
        std::fs::create_dir_all(root).map_err(|source| PayloadError::Io {
            action: "creating",
            path: root.to_owned(),
            source,
        })?;
        self.rpm(root).arg("--initdb").run().map_err(err)?;
        for k in keys {
            self.rpm(root).arg("--import").arg(k).run().map_err(err)?;
        }
        Ok(())
    }

    /// Installed NEVRAs (epoch shown when set), sorted; keys (gpg-pubkey) left out.
    pub fn installed(&self, root: &Path) -> Result<Vec<String>, PayloadError> {
        let out = self
            .rpm(root)
            .args(["-qa", "--qf", "%{NEVRA}\\n"])
            .run()
            .map_err(|source| PayloadError::Query {
                root: root.to_owned(),
                source,
            })?;
        let mut v: Vec<String> = out
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("gpg-pubkey-"))
            .map(str::to_owned)
            .collect();
        v.sort();
        Ok(v)
    }

    /// Runs dnf; `on_progress` gets the lines that report progress, and a failure's
    /// `reason` is dnf's own words (failure.rs), from its stderr.
    pub fn dnf(
        &self,
        private: &PrivateConfig,
        req: &Request,
        on_progress: impl FnMut(&str),
    ) -> Result<Output, DnfFailure> {
        let mut stderr = String::new();
        let result = self.run_dnf(private, req, on_progress, &mut stderr);
        super::agents::stop_gpg_agents(req.cache);
        result.map_err(|source| DnfFailure {
            reason: super::failure::reason(&stderr),
            source,
        })
    }

    fn run_dnf(
        &self,
        private: &PrivateConfig,
        req: &Request,
        mut on_progress: impl FnMut(&str),
        stderr: &mut String,
    ) -> Result<Output, CmdError> {
        let flavor = self.flavor;
        Cmd::new(self.program)
            .env("HOME", &self.home)
            // dnf 4: Python buffers a piped stdout in blocks; progress must arrive line by line.
            .env("PYTHONUNBUFFERED", "1")
            // dnf 5: one finished line per item when not on a terminal, and wide enough
            // that package names are not cut ("Installing selinux-policy-targe" at its
            // default 80 columns); it reads DNF5_FORCE_COLUMNS, not FORCE_COLUMNS.
            .env("DNF5_FORCE_INTERACTIVE", "0")
            .env("DNF5_FORCE_COLUMNS", DNF5_COLUMNS)
            .args(dnf_args(flavor, private, req))
            .run_streaming(
                Limits {
                    timeout: None,
                    kill: None,
                    // Ctrl-C abandons the install: dnf stops with it, as in a terminal.
                    stop: Some(crate::engine::interrupted),
                },
                &mut |stream, line| {
                    // dnf 4 reports progress on stdout, dnf 5 its bars on stderr; both
                    // print their errors on stderr.
                    if stream == Stream::Stderr {
                        stderr.push_str(line);
                        stderr.push('\n');
                    }
                    if stream == Stream::Stdout || flavor == Flavor::Dnf5 {
                        on_progress(line)
                    }
                },
            )
    }
}

fn dnf_args(flavor: Flavor, private: &PrivateConfig, req: &Request) -> Vec<String> {
    let p = req.payload;
    let mut a = vec![
        "-y".to_owned(),
        format!("--installroot={}", req.root.display()),
        // On the command line these are host paths whatever --installroot says (dnf(8),
        // dnf5-installroot(7)); without them dnf 5 would read the config inside the root.
        format!("--config={}", private.conf().display()),
        format!("--setopt=reposdir={}", private.reposdir().display()),
        format!("--setopt=cachedir={}", req.cache.display()),
    ];
    if flavor == Flavor::Dnf5 {
        // dnf 5 as root caches in system_cachedir; both must be the installer's cache.
        a.push(format!("--setopt=system_cachedir={}", req.cache.display()));
    }
    a.extend([
        "--setopt=keepcache=1".to_owned(),
        format!(
            "--setopt=install_weak_deps={}",
            if p.weak_deps { "True" } else { "False" }
        ),
        format!("--releasever={}", p.releasever),
    ]);
    for e in &p.exclude {
        a.push(format!("--exclude={e}"));
    }
    a.push("install".to_owned());
    a.extend(request_specs(p));
    a
}

/// The package specs: the kernel the plan chose, the packages, then `@group`s.
pub fn request_specs(p: &Payload) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    if !p.kernel.is_empty() && !p.packages.contains(&p.kernel) {
        v.push(p.kernel.clone());
    }
    v.extend(p.packages.iter().cloned());
    v.extend(p.groups.iter().map(|g| format!("@{g}")));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload {
            packages: vec!["bash".into()],
            groups: vec!["core".into()],
            exclude: vec!["nano".into()],
            releasever: "4.0".into(),
            kernel: "kernel-6.18.2-1.azl4.x86_64".into(),
            ..Default::default()
        }
    }

    fn args(flavor: Flavor) -> Vec<String> {
        let p = payload();
        let cache = Path::new("/cache");
        let private = PrivateConfig::create(&p, &[], cache).unwrap();
        let req = Request {
            payload: &p,
            root: Path::new("/mnt/sysimage"),
            cache,
        };
        dnf_args(flavor, &private, &req)
    }

    fn position(a: &[String], s: &str) -> usize {
        a.iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{s} not in {a:?}"))
    }

    #[test]
    fn both_flavors_get_host_paths_checks_and_the_request() {
        for flavor in [Flavor::Dnf4, Flavor::Dnf5] {
            let a = args(flavor);
            assert!(
                a.contains(&"--installroot=/mnt/sysimage".to_owned()),
                "{a:?}"
            );
            assert!(a.iter().any(|x| x.starts_with("--config=/")), "{a:?}");
            assert!(
                a.iter().any(|x| x.starts_with("--setopt=reposdir=/")),
                "{a:?}"
            );
            assert!(a.contains(&"--setopt=cachedir=/cache".to_owned()));
            assert!(a.contains(&"--setopt=install_weak_deps=False".to_owned()));
            assert!(a.contains(&"--releasever=4.0".to_owned()));
            assert!(a.contains(&"--exclude=nano".to_owned()));
            let i = position(&a, "install");
            assert_eq!(
                a[i + 1..],
                ["kernel-6.18.2-1.azl4.x86_64", "bash", "@core"],
                "{a:?}"
            );
        }
    }

    #[test]
    fn dnf5_caches_in_the_installer_cache() {
        let a5 = args(Flavor::Dnf5);
        assert!(a5.contains(&"--setopt=system_cachedir=/cache".to_owned()));
        let a4 = args(Flavor::Dnf4);
        assert!(!a4.iter().any(|x| x.contains("system_cachedir")));
    }

    #[test]
    fn dnf_that_links_to_dnf5_is_dnf5() {
        let dir = std::env::temp_dir().join(format!("azl-dnf-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("dnf5"), "").unwrap();
        std::fs::write(dir.join("dnf-3"), "").unwrap();
        std::os::unix::fs::symlink("dnf5", dir.join("dnf")).unwrap();
        std::os::unix::fs::symlink("dnf-3", dir.join("dnf4")).unwrap();
        assert!(is_dnf5(&dir.join("dnf")));
        assert!(!is_dnf5(&dir.join("dnf4")));
        assert!(!is_dnf5(&dir.join("missing")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

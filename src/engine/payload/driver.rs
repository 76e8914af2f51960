//! The one wrapper around dnf and rpm: every call of either goes through here, with the
//! private HOME (for `.rpmmacros`, see `config::RPM_MACROS`) and the private configuration.
//!
//! dnf 5 is preferred when on PATH, per the design; only dnf 4 is implemented because dnf 5
//! is not installable on the machines this was built on. Adding it means a `Flavor::Dnf5`
//! arm in `dnf_args` (its options are the same: `--installroot`, `-c`, `--setopt`,
//! `--releasever`, `--exclude`, `--downloadonly`) and a `[i/N]` parser in progress.rs.

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, CmdError, KillHandle, Limits, Output, Stream};
use crate::plan::Payload;

use super::PayloadError;
use super::config::PrivateConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Dnf4,
}

pub struct Tools {
    flavor: Flavor,
    home: PathBuf,
}

/// What a dnf run does: install into the root, or only fill the cache.
pub struct Request<'a> {
    pub payload: &'a Payload,
    pub root: &'a Path,
    pub cache: &'a Path,
    pub download_only: bool,
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
}

impl Tools {
    pub fn detect(private: &PrivateConfig) -> Result<Tools, PayloadError> {
        let flavor = if on_path("dnf") {
            // dnf5 would be chosen first here once Flavor::Dnf5 exists.
            Flavor::Dnf4
        } else if on_path("dnf5") {
            return Err(PayloadError::NoDnf(
                "only dnf5 is installed, and the dnf5 driver is not written yet".into(),
            ));
        } else {
            return Err(PayloadError::NoDnf(
                "neither dnf5 nor dnf is on PATH".into(),
            ));
        };
        Ok(Tools {
            flavor,
            home: private.home(),
        })
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

    pub fn dnf(
        &self,
        private: &PrivateConfig,
        req: &Request,
        kill: Option<&KillHandle>,
        mut on_line: impl FnMut(&str),
    ) -> Result<Output, CmdError> {
        Cmd::new(match self.flavor {
            Flavor::Dnf4 => "dnf",
        })
        .env("HOME", &self.home)
        // Python buffers a piped stdout in blocks; progress must arrive line by line.
        .env("PYTHONUNBUFFERED", "1")
        .args(dnf_args(self.flavor, private, req))
        .run_streaming(
            Limits {
                timeout: None,
                kill,
            },
            &mut |stream, line| {
                // Progress is on stdout; stderr still reaches the log and the error.
                if stream == Stream::Stdout {
                    on_line(line)
                }
            },
        )
    }
}

fn dnf_args(flavor: Flavor, private: &PrivateConfig, req: &Request) -> Vec<String> {
    let p = req.payload;
    let Flavor::Dnf4 = flavor;
    let mut a = vec![
        "-y".to_owned(),
        format!("--installroot={}", req.root.display()),
        format!("--config={}", private.conf().display()),
        // On the command line both are host paths whatever --installroot says (dnf(8)).
        format!("--setopt=reposdir={}", private.reposdir().display()),
        format!("--setopt=cachedir={}", req.cache.display()),
        "--setopt=keepcache=1".to_owned(),
        format!(
            "--setopt=install_weak_deps={}",
            if p.weak_deps { "True" } else { "False" }
        ),
        format!("--releasever={}", p.releasever),
    ];
    for e in &p.exclude {
        a.push(format!("--exclude={e}"));
    }
    if req.download_only {
        a.push("--downloadonly".to_owned());
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

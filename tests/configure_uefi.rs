//! The configure step on a UEFI target: the fixture payload installed by the real dnf into
//! a scratch root, then every file and tool call the step makes. Needs root (dnf scriptlets
//! and the step's tools run in a chroot); skips otherwise.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use azl_installer::engine::configure::{EfiVars, HARDENING_CMDLINE};
use azl_installer::probe::Firmware;
use common::configure::*;
use common::fixture::skip_unless_root;

const ROOT_PLAIN: &str = "Root-Pl41n-S3cret-x7";
const BOB_PLAIN: &str = "Bob-Pl41n-S3cret-q2";
const ALICE_HASH: &str =
    "$y$j9T$UsXfP1SCYsjrERFtdrnbI0$NkUsfMKXwDDyfH5pHBToBJ8ATLpvi1hciE9szlucXU5";
const ALICE_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk alice@example.com";
const ROOT_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILfTr6BcHkWISiji54fDEjIeMNMhY9vVJ9xLdnFDbsQ9 root@example.com";

fn full_answer() -> String {
    format!(
        r#"
[kernel]
cmdline = ["console=ttyS0,115200"]
[ssh]
permit_root_login = "no"
[system]
hostname = "web01.example.com"
timezone = "Europe/Paris"
locale = "de_DE.UTF-8"
keymap = "de"
[[network.interfaces]]
match = {{ mac = "52:54:00:12:34:56" }}
dhcp = false
addresses = ["192.0.2.10/24", "2001:db8::10/64"]
gateway = "192.0.2.1"
dns = ["192.0.2.53", "2001:db8::53"]
[[network.interfaces]]
match = {{ name = "eno2" }}
[root]
password = {{ plain = "{ROOT_PLAIN}" }}
ssh_keys = ["{ROOT_KEY}"]
[[users]]
name = "alice"
groups = ["wheel", "ops"]
password = {{ hash = '{ALICE_HASH}' }}
ssh_keys = ["{ALICE_KEY}"]
[[users]]
name = "bob"
password = {{ plain = "{BOB_PLAIN}" }}
"#
    )
}

/// libxcrypt's crypt() (python3's crypt module) must reproduce the stored hash.
fn crypt_verifies(password: &str, hash: &str) -> bool {
    let out = Command::new("python3")
        .args([
            "-W",
            "ignore",
            "-c",
            "import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]))",
            password,
            hash,
        ])
        .output()
        .expect("running python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim() == hash
}

fn passwd_ids(t: &Target, user: &str) -> (u32, u32) {
    let passwd = t.read("/etc/passwd");
    let f: Vec<&str> = passwd
        .lines()
        .find(|l| l.starts_with(&format!("{user}:")))
        .unwrap_or_else(|| panic!("{user} not in /etc/passwd"))
        .split(':')
        .collect();
    (f[2].parse().unwrap(), f[3].parse().unwrap())
}

fn mode_owner(t: &Target, path: &str) -> (u32, u32, u32) {
    let m = std::fs::metadata(t.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    (m.permissions().mode() & 0o7777, m.uid(), m.gid())
}

#[test]
fn uefi_target_is_configured_end_to_end() {
    if skip_unless_root() {
        return;
    }
    let t = Target::new("base", Firmware::Uefi);
    // The fixture has no tzdata: give the target the zones this test uses.
    for z in ["Europe/Paris", "UTC"] {
        let p = t.path(&format!("/usr/share/zoneinfo/{z}"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"TZif2").unwrap();
    }
    t.clear_calls();
    let answer = answer(&full_answer());
    let plan = plan(&answer, Firmware::Uefi);
    let parts = formatted(Firmware::Uefi);
    let (r, events) = run(&t, &plan, &parts, EfiVars::Writable);
    r.unwrap_or_else(|e| panic!("configure failed: {e}"));
    assert_eq!(warnings(&events), Vec::<String>::new());

    // System.
    assert_eq!(t.read("/etc/hostname"), "web01.example.com\n");
    assert_eq!(
        std::fs::read_link(t.path("/etc/localtime")).unwrap(),
        std::path::Path::new("../usr/share/zoneinfo/Europe/Paris")
    );
    assert_eq!(t.read("/etc/locale.conf"), "LANG=de_DE.UTF-8\n");
    assert_eq!(t.read("/etc/vconsole.conf"), "KEYMAP=de\n");

    // Network: static by MAC, DHCP by name, 0600 root-owned (keys in NetworkManager's own
    // order, as it writes them back).
    let dir = "/etc/NetworkManager/system-connections";
    let stat = t.read(&format!("{dir}/ether-525400123456.nmconnection"));
    assert!(
        stat.contains("[ethernet]\nmac-address=52:54:00:12:34:56\n"),
        "{stat}"
    );
    assert!(!stat.contains("interface-name="), "{stat}");
    assert!(
        stat.contains(
            "[ipv4]\naddress1=192.0.2.10/24\ndns=192.0.2.53;\ngateway=192.0.2.1\nmethod=manual\n"
        ),
        "{stat}"
    );
    assert!(
        stat.contains("[ipv6]\naddress1=2001:db8::10/64\ndns=2001:db8::53;\nmethod=manual\n"),
        "{stat}"
    );
    let dhcp = t.read(&format!("{dir}/eno2.nmconnection"));
    assert!(dhcp.contains("interface-name=eno2\n"), "{dhcp}");
    assert!(dhcp.contains("[ipv4]\nmethod=auto\n"), "{dhcp}");
    assert!(dhcp.contains("[ipv6]\nmethod=auto\n"), "{dhcp}");
    for f in ["ether-525400123456", "eno2"] {
        assert_eq!(
            mode_owner(&t, &format!("{dir}/{f}.nmconnection")),
            (0o600, 0, 0)
        );
    }

    // Accounts: groups (ops created), hashes, no plain password anywhere.
    let group = t.read("/etc/group");
    let members = |g: &str| {
        group
            .lines()
            .find(|l| l.starts_with(&format!("{g}:")))
            .unwrap_or_else(|| panic!("no group {g}: {group}"))
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(members("wheel"), "alice");
    assert_eq!(members("ops"), "alice");
    assert_eq!(shadow_field(&t, "alice"), ALICE_HASH);
    for (user, plain) in [("root", ROOT_PLAIN), ("bob", BOB_PLAIN)] {
        let h = shadow_field(&t, user);
        assert!(h.starts_with("$y$j9T$"), "{user}: {h}");
        assert!(
            crypt_verifies(plain, &h),
            "crypt() does not reproduce {user}'s hash {h}"
        );
    }
    for plain in [ROOT_PLAIN, BOB_PLAIN] {
        let grep = Command::new("grep")
            .args(["-r", "-a", "-l", "-F", plain])
            .arg(t.root())
            .output()
            .unwrap();
        assert!(
            grep.stdout.is_empty(),
            "plain password in: {}",
            String::from_utf8_lossy(&grep.stdout)
        );
        let json = serde_json::to_string(&events).unwrap();
        assert!(!json.contains(plain), "plain password in the events");
    }
    let chpasswd = t.calls_of("chpasswd");
    assert_eq!(chpasswd, [vec!["chpasswd".to_owned(), "-e".into()]]);

    // authorized_keys: modes and owners.
    let (uid, gid) = passwd_ids(&t, "alice");
    assert!(uid >= 1000, "{uid}");
    assert_eq!(mode_owner(&t, "/home/alice/.ssh"), (0o700, uid, gid));
    assert_eq!(
        mode_owner(&t, "/home/alice/.ssh/authorized_keys"),
        (0o600, uid, gid)
    );
    assert_eq!(
        t.read("/home/alice/.ssh/authorized_keys"),
        format!("{ALICE_KEY}\n")
    );
    assert_eq!(mode_owner(&t, "/root/.ssh"), (0o700, 0, 0));
    assert_eq!(mode_owner(&t, "/root/.ssh/authorized_keys"), (0o600, 0, 0));
    assert_eq!(
        t.read("/root/.ssh/authorized_keys"),
        format!("{ROOT_KEY}\n")
    );
    assert!(!t.path("/home/bob/.ssh").exists(), "bob has no keys");

    // SSH: drop-in, enabled, no host keys.
    let drop_in = t.read("/etc/ssh/sshd_config.d/50-azl-installer.conf");
    assert!(drop_in.contains("\nPermitRootLogin no\n"), "{drop_in}");
    assert!(
        drop_in.contains("\nPasswordAuthentication no\n"),
        "{drop_in}"
    );
    let wants = t.path("/etc/systemd/system/multi-user.target.wants/sshd.service");
    assert!(
        wants
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
    );
    let host_keys: Vec<_> = std::fs::read_dir(t.path("/etc/ssh"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("ssh_host_"))
        .map(|e| e.file_name())
        .collect();
    assert!(
        host_keys.is_empty(),
        "host keys made at install: {host_keys:?}"
    );

    // SELinux: config edited in place, labelled offline, no relabel at boot.
    let config = t.read("/etc/selinux/config");
    assert!(config.contains("\nSELINUX=enforcing\n"), "{config}");
    assert!(config.contains("\nSELINUXTYPE=targeted\n"), "{config}");
    assert!(
        config.starts_with("# This file controls"),
        "comments kept: {config}"
    );
    let setfiles = t.calls_of("setfiles");
    assert_eq!(setfiles.len(), 1, "{setfiles:?}");
    let args = &setfiles[0];
    assert_eq!(args[1], "-F");
    assert_eq!(
        args[args.len() - 2..],
        ["/etc/selinux/targeted/contexts/files/file_contexts", "/"]
    );
    for ex in ["/dev", "/proc", "/sys", "/boot/efi"] {
        assert!(
            args.windows(2).any(|w| w == ["-e", ex]),
            "{args:?} excludes {ex}"
        );
    }
    assert!(!t.path("/.autorelabel").exists());

    // Kernel: command line, sysctls, boot entry rebuilt with it.
    let cmdline = t.read("/etc/kernel/cmdline");
    assert!(
        cmdline.starts_with(&format!("root=UUID={ROOT_UUID} ro ")),
        "{cmdline}"
    );
    for a in HARDENING_CMDLINE.iter().chain(&["console=ttyS0,115200"]) {
        assert!(
            cmdline.split_whitespace().any(|x| x == *a),
            "{a} missing: {cmdline}"
        );
    }
    assert!(!cmdline.contains("selinux=0"), "{cmdline}");
    let sysctl = t.read("/etc/sysctl.d/90-azl-hardening.conf");
    for l in [
        "kernel.kptr_restrict = 2",
        "kernel.yama.ptrace_scope = 1",
        "net.core.bpf_jit_harden = 2",
    ] {
        assert!(sysctl.contains(l), "{l} missing: {sysctl}");
    }
    let ki = t.calls_of("kernel-install");
    assert_eq!(ki.len(), 1, "{ki:?}");
    let kver = &ki[0][2];
    assert!(kver.starts_with("6.18."), "{kver}");
    assert_eq!(ki[0][3], format!("/lib/modules/{kver}/vmlinuz"));
    let entries: Vec<_> = std::fs::read_dir(t.path("/boot/loader/entries"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(entries.len(), 1);
    let entry = std::fs::read_to_string(entries[0].path()).unwrap();
    assert!(
        entry.contains(&format!("options root=UUID={ROOT_UUID} ro")),
        "{entry}"
    );

    // Bootloader.
    assert_eq!(
        t.calls_of("grub2-mkconfig"),
        [vec![
            "grub2-mkconfig".to_owned(),
            "-o".into(),
            "/boot/grub2/grub.cfg".into()
        ]]
    );
    let grub = t.read("/etc/default/grub");
    assert!(
        grub.contains("GRUB_CMDLINE_LINUX=\"init_on_alloc=1 "),
        "{grub}"
    );
    assert!(!grub.contains("root=UUID"), "{grub}");
    assert!(grub.contains("GRUB_ENABLE_BLSCFG=true"), "{grub}");
    let stub = t.read("/boot/efi/EFI/azurelinux/grub.cfg");
    assert!(stub.contains(&format!("--set=dev {BOOT_UUID}")), "{stub}");
    let create: Vec<_> = t
        .calls_of("efibootmgr")
        .into_iter()
        .filter(|c| c.contains(&"--create".to_owned()))
        .collect();
    assert_eq!(
        create,
        [[
            "efibootmgr",
            "--create",
            "--disk",
            DISK,
            "--part",
            "1",
            "--label",
            "Azure Linux",
            "--loader",
            "\\EFI\\azurelinux\\shimx64.efi",
        ]
        .map(str::to_owned)
        .to_vec()]
    );
    // The loader path names a file that is on the ESP.
    assert!(t.path("/boot/efi/EFI/azurelinux/shimx64.efi").is_file());
    assert!(t.path("/boot/efi/EFI/BOOT/BOOTX64.EFI").is_file());
    // The fixture lists an old "Azure Linux" entry: it is replaced, not duplicated.
    assert!(
        t.calls_of("efibootmgr").contains(
            &["efibootmgr", "-b", "0000", "-B"]
                .map(str::to_owned)
                .to_vec()
        )
    );
}

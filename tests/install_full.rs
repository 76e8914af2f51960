//! Whole unattended installs through the real binary onto disk images, from the signed
//! fixture repository with the real dnf, then checked the way an admin would check them.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use common::fixture::FixtureRepo;
use common::full_answer::{ADMIN_PASSWORD, KEY, answer};
use common::installed::{Installed, assert_nothing_left, blkid_uuid, crypt, files_containing};
use common::{Image, sh};
use serde_json::Value;

use azl_installer::units::GIB;
struct Done {
    img: Image,
    plan: Value,
    log: String,
}

fn install(firmware: &str, storage: &str) -> Done {
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let a = img.dir.path().join("answer.toml");
    std::fs::write(&a, answer(&repo, &img.path, firmware, storage)).unwrap();
    let p = common::installer(&["plan", a.to_str().unwrap(), "--json"]);
    assert!(p.status.success(), "plan: {}", common::output_text(&p));
    let plan: Value = serde_json::from_slice(&p.stdout).unwrap();
    let log = img.dir.path().join("install.log");
    let sysimage = img.dir.path().join("sysimage");
    // Its own run directory (log, package cache): the tests install side by side.
    let o = common::installer_in(
        &img.dir.path().join("run"),
        &[
            "install",
            a.to_str().unwrap(),
            "--yes",
            "--log",
            log.to_str().unwrap(),
            "--sysimage",
            sysimage.to_str().unwrap(),
        ],
    );
    assert!(
        o.status.success(),
        "install failed: {}",
        common::output_text(&o)
    );
    assert_nothing_left(&img.path, &sysimage);
    Done {
        log: std::fs::read_to_string(&log).unwrap_or_default(),
        img,
        plan,
    }
}

fn root_partition(plan: &Value) -> u32 {
    plan["filesystems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["mount"] == "/")
        .and_then(|f| f["on"]["number"].as_u64())
        .unwrap() as u32
}

/// What every install must have done, whatever the firmware and layout.
fn check_installed_system(done: &Done) -> Installed {
    let parts = done.plan["disks"][0]["table"]["partitions"]
        .as_array()
        .unwrap();
    // The GPT on the image is the planned one.
    let v = sh("sgdisk", &["-v", done.img.path.to_str().unwrap()]);
    assert!(v.contains("No problems found"), "{v}");
    let sf: Value =
        serde_json::from_str(&sh("sfdisk", &["--json", done.img.path.to_str().unwrap()])).unwrap();
    let got = sf["partitiontable"]["partitions"].as_array().unwrap();
    assert_eq!(got.len(), parts.len());
    for (g, w) in got.iter().zip(parts) {
        assert_eq!(g["start"], w["first_lba"]);
        assert_eq!(
            g["type"].as_str().unwrap().to_lowercase(),
            w["type_guid"].as_str().unwrap()
        );
    }

    let sys = Installed::open(
        &done.img.path,
        512,
        parts.len() as u32,
        root_partition(&done.plan),
    );

    // fstab: every filesystem by the UUID blkid reports for its partition.
    let fstab = sys.read("/etc/fstab");
    for w in done.plan["filesystems"].as_array().unwrap() {
        let n = w["on"]["number"].as_u64().unwrap() as u32;
        let uuid = blkid_uuid(&sys.lo.partition(n)).expect("a filesystem UUID");
        let line = fstab
            .lines()
            .find(|l| l.starts_with(&format!("UUID={uuid}")))
            .unwrap_or_else(|| panic!("no fstab line for partition {n} ({uuid}):\n{fstab}"));
        let mount = w["mount"].as_str().unwrap_or("none");
        assert!(line.split_whitespace().nth(1) == Some(mount), "{line}");
    }

    // System settings.
    assert_eq!(sys.read("/etc/hostname").trim(), "web01.example.com");
    // A zone other than UTC pulled in tzdata, and /etc/localtime points into it.
    let lt = std::fs::read_link(sys.path("/etc/localtime")).expect("/etc/localtime is a link");
    assert_eq!(lt, Path::new("../usr/share/zoneinfo/Europe/Paris"));
    let zone = std::fs::read(sys.path("/usr/share/zoneinfo/Europe/Paris")).unwrap();
    assert!(zone.starts_with(b"TZif"), "real zoneinfo data");
    assert!(sys.read("/etc/locale.conf").contains("LANG=en_US.UTF-8"));
    assert!(sys.read("/etc/vconsole.conf").contains("KEYMAP=us"));

    // Network: a static keyfile bound to the MAC, a DHCP one bound to the name, both 0600.
    let nm = sys.path("/etc/NetworkManager/system-connections");
    let files: Vec<_> = std::fs::read_dir(&nm)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let all: String = files
        .iter()
        .map(|f| {
            assert_eq!(
                std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
                0o600,
                "{f:?}"
            );
            std::fs::read_to_string(f).unwrap()
        })
        .collect();
    assert!(
        all.to_lowercase().contains("mac-address=52:54:00:12:34:56"),
        "{all}"
    );
    assert!(all.contains("192.0.2.10/24"), "{all}");
    assert!(all.contains("192.0.2.53"), "{all}");
    assert!(all.contains("interface-name=eth1"), "{all}");

    // Users: admin in wheel, its hash is what libxcrypt computes for the password, keys 0600.
    let passwd = sys.read("/etc/passwd");
    let admin = passwd
        .lines()
        .find(|l| l.starts_with("admin:"))
        .expect("admin in /etc/passwd");
    let f: Vec<&str> = admin.split(':').collect();
    let (uid, gid): (u32, u32) = (f[2].parse().unwrap(), f[3].parse().unwrap());
    let group = sys.read("/etc/group");
    let wheel = group
        .lines()
        .find(|l| l.starts_with("wheel:"))
        .expect("wheel group");
    assert!(
        wheel
            .split(':')
            .nth(3)
            .unwrap()
            .split(',')
            .any(|m| m == "admin"),
        "{wheel}"
    );
    let shadow = sys.read("/etc/shadow");
    let hash = shadow
        .lines()
        .find(|l| l.starts_with("admin:"))
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .to_string();
    assert!(hash.starts_with("$y$"), "yescrypt: {hash}");
    assert_eq!(
        crypt(ADMIN_PASSWORD, &hash),
        hash,
        "the stored hash does not verify"
    );
    let root_hash = shadow
        .lines()
        .find(|l| l.starts_with("root:"))
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap();
    assert!(
        root_hash.starts_with('!') || root_hash == "*",
        "root is locked: {root_hash}"
    );
    for (home, owner) in [("/home/admin", (uid, gid)), ("/root", (0, 0))] {
        let ssh = sys.path(&format!("{home}/.ssh"));
        let keys = ssh.join("authorized_keys");
        let (dm, km) = (
            std::fs::metadata(&ssh).unwrap(),
            std::fs::metadata(&keys).unwrap(),
        );
        assert_eq!(dm.permissions().mode() & 0o777, 0o700, "{ssh:?}");
        assert_eq!(km.permissions().mode() & 0o777, 0o600, "{keys:?}");
        assert_eq!((km.uid(), km.gid()), owner, "{keys:?}");
        assert!(std::fs::read_to_string(&keys).unwrap().contains(KEY));
    }

    // SSH: the drop-in, sshd enabled, and no host keys made on the installer.
    let dropin = sys.read("/etc/ssh/sshd_config.d/50-azl-installer.conf");
    assert!(
        dropin.contains("PermitRootLogin prohibit-password"),
        "{dropin}"
    );
    assert!(dropin.contains("PasswordAuthentication no"), "{dropin}");
    // An absolute symlink inside the target: look at the link, not through it.
    let wants = sys.path("/etc/systemd/system/multi-user.target.wants/sshd.service");
    assert!(wants.symlink_metadata().is_ok(), "sshd is not enabled");
    let host_keys: Vec<_> = std::fs::read_dir(sys.path("/etc/ssh"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("ssh_host_"))
        .collect();
    assert!(
        host_keys.is_empty(),
        "host keys were generated: {host_keys:?}"
    );

    // SELinux, kernel command line, hardening.
    let se = sys.read("/etc/selinux/config");
    assert!(se.lines().any(|l| l == "SELINUX=enforcing"), "{se}");
    assert!(se.lines().any(|l| l == "SELINUXTYPE=targeted"), "{se}");
    let root_uuid = blkid_uuid(&sys.lo.partition(root_partition(&done.plan))).unwrap();
    let cmdline = sys.read("/etc/kernel/cmdline");
    assert!(
        cmdline.contains(&format!("root=UUID={root_uuid}")),
        "{cmdline}"
    );
    assert!(
        cmdline.contains("init_on_alloc=1") && cmdline.contains("console=ttyS0,115200"),
        "{cmdline}"
    );
    assert!(!cmdline.contains("selinux=0"), "{cmdline}");
    let sysctl: String = std::fs::read_dir(sys.path("/etc/sysctl.d"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(sysctl.contains("kernel.kptr_restrict"), "{sysctl}");

    // The 6.18 kernel from the repository, in the rpmdb where Fedora keeps it.
    let rpms = sys.rpms().join(
        "
",
    );
    assert!(
        rpms.lines().any(|l| l.starts_with("kernel-core-6.18.")),
        "{rpms}"
    );
    assert!(
        rpms.lines().any(|l| l.starts_with("vim-enhanced-")),
        "{rpms}"
    );
    assert!(sys.path("/etc/yum.repos.d/fixture.repo").exists());

    // The post script ran inside the installed system.
    assert_eq!(sys.read("/etc/post-script-marker").trim(), "post-ran");

    // Logs: saved on the target, the answer with the hash instead of the password, 0600.
    let logs = sys.path("/var/log/azl-installer");
    for f in ["install.log", "events.jsonl", "answer.toml"] {
        assert!(logs.join(f).exists(), "{f} missing from the saved logs");
    }
    let saved = std::fs::metadata(logs.join("answer.toml")).unwrap();
    assert_eq!(saved.permissions().mode() & 0o777, 0o600);
    let saved_answer = sys.read("/var/log/azl-installer/answer.toml");
    assert!(
        saved_answer.contains(&hash),
        "the saved answer carries the installed hash"
    );
    // No password anywhere: not in the installed system's files, not in the host-side log.
    let leaks = files_containing(&sys.root(), ADMIN_PASSWORD);
    assert!(leaks.is_empty(), "the password is in {leaks:?}");
    assert!(
        !done.log.contains(ADMIN_PASSWORD),
        "the password is in the --log file"
    );
    assert!(!done.log.is_empty(), "the --log file has the commands run");
    sys
}

fn calls(sys: &Installed) -> String {
    std::fs::read_to_string(sys.path("/var/log/fixture-calls.log")).unwrap_or_default()
}

flavored_tests! {
    fn uefi_auto_layout() {
        require_loop_devices!();
        let done = install("uefi", "");
        let sys = check_installed_system(&done);
        let c = calls(&sys);
        assert!(c.contains("grub2-mkconfig"), "{c}");
        // An image install cannot write the machine's NVRAM: skipped, with a warning.
        assert!(!c.contains("efibootmgr"), "{c}");
        assert!(
            done.log.contains("efibootmgr") || done.log.contains("NVRAM"),
            "the skip is logged"
        );
        // The ESP (partition 1) holds shim, GRUB and the fallback loader.
        for f in [
            "/EFI/BOOT/BOOTX64.EFI",
            "/EFI/azurelinux/shimx64.efi",
            "/EFI/azurelinux/grubx64.efi",
        ] {
            assert!(sys.fat_has(1, f), "{f} missing from the ESP");
        }
    }
}

flavored_tests! {
    fn bios_auto_layout() {
        require_loop_devices!();
        let done = install("bios", "[storage]\nfilesystem = \"ext4\"\n");
        let sys = check_installed_system(&done);
        let c = calls(&sys);
        let line = c
            .lines()
            .find(|l| l.contains("grub2-install"))
            .unwrap_or_else(|| panic!("{c}"));
        assert!(line.contains("--target=i386-pc"), "{line}");
        assert!(
            line.contains("/dev/loop"),
            "grub2-install was given the disk: {line}"
        );
    }
}

flavored_tests! {
    fn custom_layout() {
        require_loop_devices!();
        let storage = r#"[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "300MiB"
[[storage.partitions]]
mount = "/boot"
size = "512MiB"
fs = "ext4"
[[storage.partitions]]
mount = "swap"
size = "256MiB"
[[storage.partitions]]
mount = "/"
size = "4GiB"
[[storage.partitions]]
mount = "/var"
size = "rest"
fs = "ext4"
options = "nodev"
"#;
        let done = install("uefi", storage);
        let sys = check_installed_system(&done);
        let fstab = sys.read("/etc/fstab");
        assert!(fstab.lines().any(|l| l.contains(" swap ")), "{fstab}");
        assert!(
            fstab
                .lines()
                .any(|l| l.contains(" /var ") && l.contains("nodev")),
            "{fstab}"
        );
    }
}

//! The real system on loop devices: an unattended install of the real-system repository
//! (Debian's packages of a bootable server as signed RPMs, `tests/real/`) onto a disk
//! image, under dnf 4 and dnf5, then checked on the mounted result as an admin would before
//! booting it: an initramfs made by dracut with the drivers any machine needs for this
//! root, a grub.cfg made by grub-mkconfig that boots the installed kernel by UUID, accounts
//! that the real login accepts, labels from the real SELinux policy, every package of the
//! transaction in the rpmdb. `tests/vm/` boots such a system and logs in over SSH.

mod common;

use std::path::Path;
use std::process::Command;

use common::Image;
use common::installed::{Installed, assert_nothing_left, blkid_uuid};
use common::real::RealRepo;

use azl_installer::units::GIB;
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk admin@example.com";

fn answer(repo: &RealRepo, image: &Path) -> String {
    format!(
        r#"version = 1
[install]
confirm = false
finish = "none"
[target]
path = "{img}"
wipe = true
firmware = "uefi"
[[repos]]
name = "real"
url = "{url}"
gpg_keys = ["{key}"]
[packages]
install = ["sudo", "iproute", "procps-ng"]
[kernel]
cmdline = ["console=ttyS0,115200"]
[selinux]
mode = "enforcing"
policy = "default"
[system]
hostname = "real01.example.com"
timezone = "Europe/Paris"
[[network.interfaces]]
match = {{ mac = "52:54:00:12:34:56" }}
dhcp = false
addresses = ["10.0.2.15/24"]
gateway = "10.0.2.2"
dns = ["10.0.2.3"]
[root]
password = "locked"
[[users]]
name = "admin"
groups = ["wheel"]
password = {{ plain = "Adm1n-real-pass" }}
ssh_keys = ["{KEY}"]
"#,
        img = image.display(),
        url = repo.repo_url(),
        key = repo.key_url(),
    )
}

/// A command in the installed (read-only mounted) system, with /dev and a /tmp of its
/// own, in a private mount namespace so nothing outlives it.
fn in_target(root: &Path, script: &str) -> (bool, String) {
    let o = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!(
            "mount --bind /dev \"$1/dev\" && mount -t tmpfs tmpfs \"$1/tmp\" && chroot \"$1\" sh -c '{script}'"
        ))
        .arg("sh")
        .arg(root)
        .output()
        .expect("running unshare");
    (o.status.success(), common::output_text(&o))
}

fn selinux_label(path: &Path) -> String {
    let o = Command::new("python3")
        .args([
            "-c",
            "import os,sys; print(os.getxattr(sys.argv[1], 'security.selinux', follow_symlinks=False).rstrip(b'\\0').decode())",
        ])
        .arg(path)
        .output()
        .expect("python3");
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

flavored_tests! {
    fn the_real_system_installs_and_is_ready_to_boot() {
        require_loop_devices!();
        let repo = RealRepo::build();
        let uname = repo.env("kernel_uname");
        let img = Image::sparse(8 * GIB);
        let a = img.dir.path().join("answer.toml");
        std::fs::write(&a, answer(&repo, &img.path)).unwrap();
        let sysimage = img.dir.path().join("sysimage");
        let log = img.dir.path().join("install.log");
        let started = std::time::Instant::now();
        let o = Command::new(common::bin())
            .args(["install", "--yes", "--progress", "json", "--log"])
            .arg(&log)
            .arg("--sysimage")
            .arg(&sysimage)
            .arg(&a)
            .env("AZL_RUN_DIR", img.dir.path().join("run"))
            .output()
            .expect("running azl-installer");
        let events = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(o.status.success(), "install failed: {}", common::output_text(&o));
        eprintln!("real install took {:?}", started.elapsed());
        assert_nothing_left(&img.path, &sysimage);

        // UEFI auto layout on 8 GiB: ESP, /boot, / (no swap under 32 GiB).
        let sys = Installed::open(&img.path, 512, 3, 3);
        let root = sys.root();
        let root_uuid = blkid_uuid(&sys.lo.partition(3)).expect("the root's UUID");

        // The initramfs: made by dracut (its own lsinitrd reads it), generic for an image
        // (it boots elsewhere), with the root's filesystem and the disk drivers of the
        // machines it may boot on, each built into the kernel or in the image.
        let initrd = format!("/boot/initrd.img-{uname}");
        assert!(sys.path(&initrd).is_file(), "no {initrd}");
        let (ok, listing) = in_target(&root, &format!("lsinitrd {initrd}"));
        assert!(ok, "lsinitrd: {listing}");
        assert!(listing.contains("dracut modules:"), "{listing}");
        let builtin = sys.read(&format!("/lib/modules/{uname}/modules.builtin"));
        for (what, module) in [
            ("ext4 (the root)", "ext4"),
            ("virtio disks", "virtio_blk"),
            ("NVMe", "nvme"),
            ("SATA (AHCI)", "ahci"),
        ] {
            let file = format!("/{module}.ko");
            assert!(
                builtin.lines().any(|l| l.ends_with(&file))
                    || listing.lines().any(|l| l.contains(&file)),
                "{what}: {module} is neither built in nor in the initramfs:\n{listing}"
            );
        }
        assert!(sys.path("/etc/dracut.conf.d/90-azl-generic.conf").is_file());
        // Built fast (gzip -1: the gzip header's XFL byte is 4, "fastest"; dracut's own
        // gzip -9 writes 2), and the install-time setting is gone: kernel updates use the
        // distribution's.
        let image = std::fs::read(sys.path(&initrd)).expect("reading the initramfs");
        let gz = image
            .windows(3)
            .position(|w| w == [0x1f, 0x8b, 0x08])
            .expect("a gzip-compressed initramfs");
        assert_eq!(image[gz + 8], 4, "XFL of the initramfs's gzip header");
        assert!(!sys.path("/etc/dracut.conf.d/99-azl-install-compress.conf").exists());

        // grub.cfg by grub-mkconfig: the installed kernel, its initramfs, the root by UUID,
        // and the installed command line (hardening, SELinux enabled on this kernel).
        let cfg = sys.read("/boot/grub2/grub.cfg");
        // The header of grub-mkconfig (it names itself as called: grub2-mkconfig).
        assert!(cfg.contains("generated by grub2-mkconfig using templates"), "{cfg}");
        let linux = cfg
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("linux\t/vmlinuz-{uname} ")))
            .unwrap_or_else(|| panic!("no entry for {uname}:\n{cfg}"));
        assert!(linux.contains(&format!("root=UUID={root_uuid} ")), "{linux}");
        for arg in ["init_on_alloc=1", "security=selinux", "console=ttyS0,115200"] {
            assert!(linux.split_whitespace().any(|a| a == arg), "{arg}: {linux}");
        }
        assert!(
            cfg.lines().any(|l| l.trim() == format!("initrd\t/initrd.img-{uname}")),
            "{cfg}"
        );
        // The ESP: shim as the removable-media path, shim and GRUB in the vendor directory,
        // the stub that finds /boot by UUID.
        for f in ["/EFI/BOOT/BOOTX64.EFI", "/EFI/azurelinux/shimx64.efi", "/EFI/azurelinux/grubx64.efi", "/EFI/azurelinux/grub.cfg"] {
            assert!(sys.fat_has(1, f), "{f} missing from the ESP");
        }

        // Accounts the real login accepts; the admin logs in to bash and may use sudo.
        // pwck also reports Debian's system accounts whose homes no package makes (lp's
        // /var/spool/lpd, tss's /var/lib/tpm): the only complaint allowed, and never about
        // an account one can log in to (nologin or /bin/false).
        let passwd = sys.read("/etc/passwd");
        let (_, out) = in_target(&root, "pwck -r; echo pwck=$?; grpck -r; echo grpck=$?");
        for line in out.lines().filter(|l| !l.trim().is_empty()) {
            let system_home = line.strip_prefix("user '").and_then(|r| r.split_once("': directory '")).is_some_and(|(user, rest)| {
                rest.ends_with("' does not exist")
                    && passwd.lines().any(|p| {
                        let f: Vec<&str> = p.split(':').collect();
                        f[0] == user
                            && f[2].parse::<u32>().is_ok_and(|uid| uid < 1000)
                            && (f[6].ends_with("nologin") || f[6] == "/bin/false")
                    })
            });
            assert!(
                system_home
                    || ["pwck: no changes", "pwck=0", "pwck=2", "grpck=0"].contains(&line),
                "pwck/grpck: {line}\n{out}"
            );
        }
        let admin = passwd.lines().find(|l| l.starts_with("admin:")).expect("admin");
        assert!(admin.ends_with(":/home/admin:/bin/bash"), "{admin}");
        let wheel = sys.read("/etc/group");
        assert!(wheel.lines().any(|l| l.starts_with("wheel:") && l.ends_with(":admin")), "{wheel}");
        let (ok, out) = in_target(&root, "visudo -c");
        assert!(ok, "visudo: {out}");
        assert!(sys.read("/etc/sudoers.d/50-wheel").contains("%wheel"));
        assert!(passwd.lines().any(|l| l.starts_with("sshd:")), "{passwd}");

        // SSH enabled under Debian's unit name, no host keys shipped (first boot makes them).
        let wants = sys.path("/etc/systemd/system/multi-user.target.wants");
        assert!(wants.join("ssh.service").symlink_metadata().is_ok(), "ssh.service not enabled");
        assert!(!sys.path("/etc/ssh/ssh_host_ed25519_key").exists());

        // SELinux: enforcing with the policy the answer named, files labelled by setfiles.
        assert!(sys.read("/etc/selinux/config").contains("SELINUX=enforcing"));
        assert!(sys.read("/etc/selinux/config").contains("SELINUXTYPE=default"));
        assert_eq!(selinux_label(&sys.path("/etc/shadow")), "system_u:object_r:shadow_t:s0");
        assert_eq!(selinux_label(&sys.path("/usr/sbin/sshd")), "system_u:object_r:sshd_exec_t:s0");

        // Every package of the transaction is in the rpmdb, with its files intact.
        let installed = events
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find_map(|e| {
                let m = e["message"].as_str()?.to_owned();
                m.strip_prefix("installed ")?.split(' ').next()?.parse::<usize>().ok()
            })
            .expect("an 'installed N packages' event");
        // The imported key is in the rpmdb as a pseudo-package, not part of the transaction.
        let rpms: Vec<String> = sys.rpms().into_iter().filter(|r| !r.starts_with("gpg-pubkey-")).collect();
        assert_eq!(rpms.len(), installed, "{rpms:?}");
        assert!(installed > 150, "a real system, not {installed} packages");
        for name in ["kernel-6.18", "kernel-core-6.18", "openssh-server-", "network-manager-", "systemd-2", "dracut-1", "sudo-1", "selinux-policy-default-"] {
            assert!(
                rpms.iter().any(|r| r.starts_with(name)),
                "{name} not installed: {rpms:?}"
            );
        }
        let v = Command::new("rpm")
            .args(["--root", root.to_str().unwrap(), "--dbpath", "/var/lib/rpm", "-V", "openssh-server", "kernel-core", "dracut"])
            .output()
            .unwrap();
        assert!(v.status.success(), "rpm -V: {}", common::output_text(&v));
    }
}

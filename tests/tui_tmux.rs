//! A whole interactive install through the real binary in tmux (80x24, TERM=linux, as on
//! the Linux console): keys go in with `send-keys`, each screen is waited for by polling
//! `capture-pane`, and the disk image it installs onto is then checked like the unattended
//! installs in install_full.rs are.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::fixture::FixtureRepo;
use common::installed::{Installed, assert_nothing_left, blkid_uuid, crypt, files_containing};
use common::tmux::{Tmux, TuiRun, start_answer};
use common::{Image, sh};
use serde_json::Value;

use azl_installer::units::GIB;
const ROOT_PASSWORD: &str = "R00t-typed-in-tmux";
const ADMIN_PASSWORD: &str = "Adm1n-typed-in-tmux";
const HOSTNAME: &str = "tui01.example.com";
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk admin@example.com";
/// The x86-64 root partition type (Discoverable Partitions Specification).
const ROOT_TYPE: &str = "4f68bce3-e8cd-4db1-96e7-fbcaf984b709";

const SCREEN: Duration = Duration::from_secs(10);

/// From the network screen to the summary with the fewest answers: the host name and a
/// root password; the rest as it is.
fn through_to_summary(t: &Tmux) {
    t.wait_for(&["[Network]", "Host name"], SCREEN);
    t.type_text(HOSTNAME);
    t.keys(&["Enter"]);
    users_to_summary(t);
}

/// From the users screen to the summary: a root password; the rest as it is.
fn users_to_summary(t: &Tmux) {
    t.wait_for(&["[Users]", "< locked >"], SCREEN);
    t.keys(&["Right", "Tab"]);
    t.type_text(ROOT_PASSWORD);
    t.keys(&["Tab"]);
    t.type_text(ROOT_PASSWORD);
    t.keys(&["Enter"]);
    t.wait_for(&["[Security]"], SCREEN);
    t.keys(&["Enter"]);
    t.wait_for(&["[Software]", "Packages ("], SCREEN);
    t.keys(&["Enter"]);
}

fn field(line: &str, n: usize) -> &str {
    line.split(':').nth(n).unwrap_or("")
}

/// Each account's hash in the installed /etc/shadow.
fn shadow_hash(sys: &Installed, user: &str) -> String {
    let shadow = sys.read("/etc/shadow");
    let line = shadow
        .lines()
        .find(|l| l.starts_with(&format!("{user}:")))
        .unwrap_or_else(|| panic!("{user} in /etc/shadow"));
    field(line, 1).to_string()
}

#[test]
fn interactive_install_in_tmux() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let dir = img.dir.path();
    // Something to destroy, for the summary to name.
    sh(
        "sgdisk",
        &[
            "-n",
            "1:0:+64M",
            "-c",
            "1:old-data",
            img.path.to_str().unwrap(),
        ],
    );
    let start = dir.join("start.toml");
    // A deployment server and a post script, which the summary must name.
    let hook = common::hook::Hook::listen();
    let extra = format!(
        "[install]\nfinish = \"reboot\"\n[reporting]\nwebhook = \"{}\"\n\
         [[scripts.post]]\nrun = \"echo from-the-tui > /root/post-script-ran\"\n",
        hook.url()
    );
    std::fs::write(&start, start_answer(&repo, &img.path, &extra)).unwrap();
    let out = dir.join("out.toml");
    let began = Instant::now();
    let run = TuiRun::start(
        dir,
        &img.path,
        &format!(
            "--answer {} --answer-out {}",
            start.display(),
            out.display()
        ),
    );
    let t = &run.tmux;

    // Welcome: the image is listed among the disks.
    let pane = t.wait_for(&["[Welcome]", "disk.img"], SCREEN);
    // Other tests' loop devices are nobody's disks: not offered.
    assert!(!pane.contains("loop"), "{pane}");
    t.keys(&["Enter"]);

    // Disk: the image (the only free disk) is disk 1, the auto layout kept; its old
    // partition is listed, to be erased.
    let pane = t.wait_for(&["[Disk]", "Layout", "< auto >"], SCREEN);
    assert!(
        pane.contains("[1] disk.img"),
        "the image is picked:\n{pane}"
    );
    assert!(pane.contains("erased"), "{pane}");
    t.keys(&["Enter"]);

    // Network: the host name.
    t.wait_for(&["[Network]", "Host name"], SCREEN);
    t.type_text(HOSTNAME);
    t.keys(&["Enter"]);

    // Users: a root password, and an administrator with a password and an SSH key.
    t.wait_for(&["[Users]", "Root password", "< locked >"], SCREEN);
    t.keys(&["Right", "Tab"]);
    t.type_text(ROOT_PASSWORD);
    t.keys(&["Tab"]);
    t.type_text(ROOT_PASSWORD);
    t.keys(&["Tab", "Tab"]);
    t.type_text("admin");
    t.keys(&["Tab"]);
    t.type_text(ADMIN_PASSWORD);
    t.keys(&["Tab"]);
    t.type_text(ADMIN_PASSWORD);
    t.keys(&["Tab"]);
    t.type_text(KEY);
    let pane = t.wait_for(&["admin@example.com"], SCREEN);
    assert!(
        !pane.contains(ROOT_PASSWORD) && !pane.contains(ADMIN_PASSWORD),
        "passwords are masked:\n{pane}"
    );
    t.keys(&["Enter"]);

    // Security: SELinux permissive.
    t.wait_for(&["[Security]", "< enforcing >"], SCREEN);
    t.keys(&["Right"]);
    t.wait_for(&["< permissive >"], SCREEN);
    t.keys(&["Enter"]);

    // Software: search for vim-enhanced and choose it.
    t.wait_for(&["[Software]", "Packages ("], SCREEN);
    t.keys(&["/"]);
    t.type_text("vim-enh");
    t.wait_for(&["Packages (1 shown)"], SCREEN);
    t.keys(&["Tab", "Space"]);
    t.wait_for(&["[x] vim-enhanced", "Extra packages"], SCREEN);
    t.keys(&["Enter"]);

    // Summary: names the image and what is destroyed on it.
    let pane = t.wait_for(&["[Summary]", "Disk: disk image"], SCREEN);
    assert!(
        pane.contains(&format!("disk image {}", img.path.display())),
        "{pane}"
    );
    assert!(
        pane.contains("ALL DATA ON THIS DISK WILL BE ERASED"),
        "{pane}"
    );
    assert!(
        pane.contains("the gpt partition table with 1 partition(s)"),
        "{pane}"
    );
    // An image's partition has no node: named for what it is, not "disk.imgp1".
    assert!(
        pane.contains("partition 1 of disk.img (64 MiB, no filesystem)"),
        "{pane}"
    );
    assert!(
        pane.contains("Post scripts: 1 to run")
            && pane.contains("1. in the new system: echo from-the-tui"),
        "{pane}"
    );
    assert!(
        pane.contains(&format!(
            "Reporting: every event is posted to {}",
            hook.url()
        )),
        "{pane}"
    );
    assert!(
        pane.contains(HOSTNAME) && pane.contains("permissive"),
        "{pane}"
    );
    assert!(pane.contains("vim-enhanced"), "{pane}");
    assert!(pane.contains("admin (password, 1 SSH key)"), "{pane}");

    // The gate: Enter alone does not start, the word does.
    t.keys(&["Enter"]);
    t.wait_for(&["Erase the disk and install?", "Type erase"], SCREEN);
    t.keys(&["Enter"]);
    t.wait_for(&["Type the word erase"], SCREEN);
    t.type_text("erase");
    t.keys(&["Enter"]);
    t.wait_for(&["[Installing]"], SCREEN);

    // Finished: the image is not booted from, so the shell is preselected; take it.
    let pane = t.wait_for(&["[Done]", "What next?"], Duration::from_secs(90));
    assert!(pane.contains("The install finished in"), "{pane}");
    assert!(pane.contains("> Shell"), "{pane}");
    t.keys(&["Enter"]);
    assert_eq!(run.wait_exit(SCREEN), "EXIT=0", "{}", t.pane());
    eprintln!("interactive install took {:?}", began.elapsed());
    let (log, sysimage) = (run.log.clone(), run.sysimage.clone());
    let _leftovers = run.end();
    assert_nothing_left(&img.path, &sysimage);

    check_exported(&out);
    check_installed(&img, &log, &out);

    // The deployment server heard the whole install, ending with its last word.
    let posted: Vec<Value> = hook
        .bodies()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert!(
        posted
            .iter()
            .any(|e| e["event"] == "started" && e["step"] == "payload"),
        "{posted:?}"
    );
    let last = posted.last().expect("nothing posted");
    assert_eq!(last["event"], "ended", "{posted:?}");
    assert_eq!(last["exit_code"], 0);
    assert_eq!(last["disk_changed"], true);
}

/// The exported answer: valid, hashes only, and what was chosen on the screens.
fn check_exported(out: &Path) {
    let mode = std::fs::metadata(out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the exported answer holds hashes");
    let v = Command::new(common::bin())
        .arg("validate")
        .arg(out)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let text = std::fs::read_to_string(out).unwrap();
    for pw in [ROOT_PASSWORD, ADMIN_PASSWORD] {
        assert!(!text.contains(pw), "a password in the exported answer");
    }
    assert!(!text.contains("plain"), "{text}");
    let a: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(a["system"]["hostname"].as_str(), Some(HOSTNAME));
    assert_eq!(a["selinux"]["mode"].as_str(), Some("permissive"));
    assert_eq!(a["target"]["firmware"].as_str(), Some("uefi"));
    assert_eq!(a["target"]["wipe"].as_bool(), Some(true));
    assert_eq!(a["repos"][0]["name"].as_str(), Some("fixture"));
    let pkgs = a["packages"]["install"].as_array().unwrap();
    assert!(pkgs.iter().any(|p| p.as_str() == Some("vim-enhanced")));
}

fn check_installed(img: &Image, log: &Path, out: &Path) {
    let image = img.path.to_str().unwrap();
    let v = sh("sgdisk", &["-v", image]);
    assert!(v.contains("No problems found"), "{v}");
    let sf: Value = serde_json::from_str(&sh("sfdisk", &["--json", image])).unwrap();
    let parts = sf["partitiontable"]["partitions"].as_array().unwrap();
    // UEFI auto layout on 8 GiB: ESP, /boot, / (no swap under 32 GiB).
    assert_eq!(parts.len(), 3, "{sf}");
    let root = parts
        .iter()
        .position(|p| p["type"].as_str().unwrap_or("").to_lowercase() == ROOT_TYPE)
        .expect("a root partition") as u32
        + 1;
    let sys = Installed::open(&img.path, 512, parts.len() as u32, root);
    // The post script ran inside the new system.
    assert_eq!(sys.read("/root/post-script-ran"), "from-the-tui\n");

    // fstab: every filesystem by the UUID blkid reports.
    let fstab = sys.read("/etc/fstab");
    for n in 1..=parts.len() as u32 {
        let uuid = blkid_uuid(&sys.lo.partition(n)).expect("a filesystem UUID");
        assert!(
            fstab
                .lines()
                .any(|l| l.starts_with(&format!("UUID={uuid}"))),
            "partition {n} ({uuid}) not in fstab:\n{fstab}"
        );
    }
    for m in [" / ", " /boot ", " /boot/efi "] {
        assert!(fstab.contains(m), "{m} in fstab:\n{fstab}");
    }

    assert_eq!(sys.read("/etc/hostname").trim(), HOSTNAME);

    // Both passwords: the stored hashes are what libxcrypt computes at login.
    for (user, pw) in [("root", ROOT_PASSWORD), ("admin", ADMIN_PASSWORD)] {
        let hash = shadow_hash(&sys, user);
        assert!(hash.starts_with("$y$"), "{user}: yescrypt: {hash}");
        assert_eq!(crypt(pw, &hash), hash, "{user}'s hash does not verify");
    }
    let group = sys.read("/etc/group");
    let wheel = group.lines().find(|l| l.starts_with("wheel:")).unwrap();
    assert!(field(wheel, 3).split(',').any(|m| m == "admin"), "{wheel}");
    let keys = sys.path("/home/admin/.ssh/authorized_keys");
    assert_eq!(
        std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(std::fs::read_to_string(&keys).unwrap().contains(KEY));
    // No key was typed for root: none is installed.
    assert!(
        std::fs::read_to_string(sys.path("/root/.ssh/authorized_keys"))
            .map_or(true, |k| !k.contains("ssh-")),
        "root got a key"
    );

    let se = sys.read("/etc/selinux/config");
    assert!(se.lines().any(|l| l == "SELINUX=permissive"), "{se}");

    let rpms = sys.rpms().join(
        "
",
    );
    assert!(
        rpms.lines().any(|l| l.starts_with("vim-enhanced-")),
        "{rpms}"
    );
    assert!(
        rpms.lines().any(|l| l.starts_with("kernel-core-6.18.")),
        "{rpms}"
    );

    // Logs saved on the target (the event journal too), the answer with hashes only.
    let logs = sys.path("/var/log/azl-installer");
    for f in ["install.log", "events.jsonl", "answer.toml"] {
        assert!(logs.join(f).exists(), "{f} missing from the saved logs");
    }
    let saved = sys.read("/var/log/azl-installer/answer.toml");
    assert!(saved.contains(&shadow_hash(&sys, "admin")));
    // The saved one has a header comment; the rest is the exported answer.
    let exported = std::fs::read_to_string(out).unwrap();
    assert!(saved.ends_with(&exported), "{saved}\n---\n{exported}");
    let events = sys.read("/var/log/azl-installer/events.jsonl");
    assert!(events.lines().count() > 5, "{events}");
    for pw in [ROOT_PASSWORD, ADMIN_PASSWORD] {
        let leaks = files_containing(&sys.root(), pw);
        assert!(leaks.is_empty(), "a password is in {leaks:?}");
        let host_log = std::fs::read_to_string(log).unwrap_or_default();
        assert!(!host_log.is_empty(), "the --log file has the commands run");
        assert!(!host_log.contains(pw), "a password is in the --log file");
    }
}

#[test]
fn a_bad_starting_answer_is_refused_before_the_terminal_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("start.toml");
    std::fs::write(&bad, "version = 1\n[target]\npth = \"/dev/sda\"\n").unwrap();
    for arg in [bad.clone(), dir.path().join("missing.toml")] {
        let o = Command::new(common::bin())
            .arg("tui")
            .arg("--answer")
            .arg(&arg)
            .env("AZL_RUN_DIR", dir.path().join("run"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        // Every problem on its own line, naming the file; no escapes: the TUI never started.
        assert!(
            err.lines().all(|l| l.contains(arg.to_str().unwrap())),
            "{err}"
        );
        assert!(err.contains("pth") || err.contains("reading"), "{err}");
        assert!(!err.contains('\x1b'), "{err:?}");
    }
}

#[test]
fn without_a_terminal_the_tui_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(common::bin())
        .arg("tui")
        .env("AZL_RUN_DIR", dir.path().join("run"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(o.stdout.is_empty(), "nothing drawn: {:?}", o.stdout);
}

/// A reinstall that keeps /home, chosen on the disk screen: the image holds an ext4
/// partition labelled "home" at its end; the admin marks it to keep (mounted at /home, as
/// the label suggests), the summary and the erase gate say it is kept, and after the install
/// its file is unchanged and the new system mounts it at /home by its UUID.
#[test]
fn keeping_a_partition_in_tmux() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let image = img.path.to_str().unwrap();
    sh("sgdisk", &["-n", "1:7G:0", "-c", "1:home", image]);
    let home_uuid = {
        let lo = common::LoopDevice::attach(&img.path, 512);
        common::installed::wait_for_partitions(&lo, 1);
        let dev = lo.partition(1);
        sh("mkfs.ext4", &["-q", "-L", "home", dev.to_str().unwrap()]);
        let at = img.dir.path().join("home");
        std::fs::create_dir_all(&at).unwrap();
        let _m = common::Mount::new(&dev, &at);
        std::fs::write(at.join("keep-me.txt"), "written before the reinstall\n").unwrap();
        blkid_uuid(&dev).expect("a filesystem UUID")
    };
    let dir = img.dir.path();
    let start = dir.join("start.toml");
    std::fs::write(&start, start_answer(&repo, &img.path, "")).unwrap();
    let run = TuiRun::start(dir, &img.path, &format!("--answer {}", start.display()));
    let t = &run.tmux;
    t.wait_for(&["[Welcome]", "disk.img"], SCREEN);
    t.keys(&["Enter"]);
    // The partition is listed, to be erased until it is marked.
    t.wait_for(&["[Disk]", "disk.img#1", "\"home\"", "erased"], SCREEN);
    t.keys(&["Tab", "k"]);
    t.wait_for(&["KEEP at /home", "mount /home", "< custom >"], SCREEN);
    t.keys(&["Enter"]);
    let pane = t.wait_for(&["KEEP at /home", "as is (disk.img#1 ext4)"], SCREEN);
    assert!(!pane.contains("mount /home"), "{pane}");
    t.keys(&["Enter"]);
    through_to_summary(t);
    let pane = t.wait_for(&["[Summary]", "Kept (not written"], SCREEN);
    assert!(
        pane.contains("+ partition 1 (ext4 \"home\"") && pane.contains("/home (kept)"),
        "{pane}"
    );
    assert!(pane.contains("but what is kept"), "{pane}");
    t.keys(&["Enter"]);
    t.wait_for(
        &["Erase the disk and install?", "(ext4 \"home\") is kept."],
        SCREEN,
    );
    t.type_text("erase");
    t.keys(&["Enter"]);
    let pane = t.wait_for(&["[Done]", "What next?"], Duration::from_secs(90));
    assert!(pane.contains("The install finished in"), "{pane}");
    t.keys(&["Enter"]);
    assert_eq!(run.wait_exit(SCREEN), "EXIT=0", "{}", t.pane());
    let sysimage = run.sysimage.clone();
    let _leftovers = run.end();
    assert_nothing_left(&img.path, &sysimage);

    // ESP, /boot and / before it: the kept partition is number 4 now, as it was.
    let v = sh("sgdisk", &["-v", image]);
    assert!(v.contains("No problems found"), "{v}");
    {
        let lo = common::LoopDevice::attach(&img.path, 512);
        common::installed::wait_for_partitions(&lo, 4);
        let dev = lo.partition(4);
        assert_eq!(blkid_uuid(&dev).as_deref(), Some(home_uuid.as_str()));
        let at = dir.join("home-after");
        std::fs::create_dir_all(&at).unwrap();
        let _m = common::Mount::new_ro(&dev, &at);
        assert_eq!(
            std::fs::read_to_string(at.join("keep-me.txt")).unwrap(),
            "written before the reinstall\n"
        );
    }
    let sys = Installed::open(&img.path, 512, 4, 3);
    let fstab = sys.read("/etc/fstab");
    let line = fstab
        .lines()
        .find(|l| l.starts_with(&format!("UUID={home_uuid}")))
        .unwrap_or_else(|| panic!("no fstab line for the kept partition:\n{fstab}"));
    assert_eq!(line.split_whitespace().nth(1), Some("/home"), "{fstab}");
}

/// Encryption chosen on the disk screen of the real binary: the passphrase is typed twice
/// and never shown, with its strength beside it; the plan is made with the containers (the
/// fixture repository has no cryptsetup or lvm2, which the plan names). Turned off again,
/// the install goes on; no log, no file and no screen of the run ever holds the passphrase,
/// and the exported answer neither. Nothing is installed: the admin quits at the summary.
#[test]
fn encryption_in_tmux_never_shows_or_writes_the_passphrase() {
    require_loop_devices!();
    const PASSPHRASE: &str = "Tmux-typed-LUKS-passphrase";
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let dir = img.dir.path();
    let start = dir.join("start.toml");
    std::fs::write(&start, start_answer(&repo, &img.path, "")).unwrap();
    let out = dir.join("out.toml");
    let run = TuiRun::start(
        dir,
        &img.path,
        &format!(
            "--answer {} --answer-out {}",
            start.display(),
            out.display()
        ),
    );
    let t = &run.tmux;
    let mut panes = Vec::new();
    t.wait_for(&["[Welcome]"], SCREEN);
    t.keys(&["Enter"]);
    // Layout, Scheme, Filesystem, Swap, Encrypt.
    t.wait_for(&["[Disk]", "< plain >"], SCREEN);
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Space"]);
    t.wait_for(&["[x] yes", "Passphrase again"], SCREEN);
    t.keys(&["Tab"]);
    t.type_text(PASSPHRASE);
    panes.push(t.wait_for(
        &["strong (26 chars, 3 kinds)", "the two passphrases differ"],
        SCREEN,
    ));
    t.keys(&["Tab"]);
    t.type_text(PASSPHRASE);
    panes.push(t.wait_for(&["Passphrase again..: ****"], SCREEN));
    // The plan of the encrypted layout: refused for the packages it needs.
    t.keys(&["Enter"]);
    let pane = t.wait_for(
        &["package \"cryptsetup\" is not in the repositories"],
        SCREEN,
    );
    assert!(
        pane.contains("[Disk]") && !pane.contains("differ"),
        "{pane}"
    );
    panes.push(pane);
    // Encryption off: the passphrase is dropped, and the install can go on.
    t.keys(&["Up", "Up", "Space"]);
    panes.push(t.wait_for(&["Encrypt (LUKS2)...: [ ] no"], SCREEN));
    t.keys(&["Enter"]);
    through_to_summary(t);
    panes.push(t.wait_for(&["[Summary]", "Disk: disk image"], SCREEN));
    t.keys(&["e"]);
    panes.push(t.wait_for(&["Answer file written to"], SCREEN));
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(!exported.contains(PASSPHRASE), "{exported}");
    let a: toml::Value = toml::from_str(&exported).unwrap();
    assert!(a["storage"].get("encrypt").is_none(), "{exported}");
    assert!(a["storage"].get("encryption").is_none(), "{exported}");
    t.keys(&["q"]);
    t.wait_for(&["Quit?"], SCREEN);
    t.keys(&["y"]);
    run.wait_exit(SCREEN);
    let log = std::fs::read_to_string(&run.log).unwrap_or_default();
    assert!(!log.is_empty(), "the --log file has what the TUI did");
    assert!(!log.contains(PASSPHRASE), "the passphrase is in the log");
    // The run directory: the live system's copy of the log and the event journal.
    let leaks = files_containing(&dir.join("run"), PASSPHRASE);
    assert!(leaks.is_empty(), "the passphrase is in {leaks:?}");
    for p in &panes {
        assert!(!p.contains(PASSPHRASE), "{p}");
    }
}

/// A VLAN made on the network screen of the real binary, on this machine's first NIC (a
/// bond needs two, which the test machines do not have), with a static address: the
/// screen lists it, the summary names its profile and the exported answer has it. Nothing
/// is installed: the admin quits at the summary.
#[test]
fn a_vlan_on_the_network_screen_in_tmux() {
    require_loop_devices!();
    let nics = std::fs::read_dir("/sys/class/net")
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().join("device").exists())
                .count()
        })
        .unwrap_or(0);
    if nics == 0 && common::skip_or_fail("no NIC with a device on this machine") {
        return;
    }
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let dir = img.dir.path();
    let start = dir.join("start.toml");
    std::fs::write(&start, start_answer(&repo, &img.path, "")).unwrap();
    let out = dir.join("out.toml");
    let run = TuiRun::start(
        dir,
        &img.path,
        &format!(
            "--answer {} --answer-out {}",
            start.display(),
            out.display()
        ),
    );
    let t = &run.tmux;
    t.wait_for(&["[Welcome]"], SCREEN);
    t.keys(&["Enter"]);
    t.wait_for(&["[Disk]"], SCREEN);
    t.keys(&["Enter"]);
    t.wait_for(&["[Network]", "Host name"], SCREEN);
    t.type_text(HOSTNAME);
    // The list, v on its first NIC: the VLAN id, then its IPv4 static.
    t.keys(&["Down", "v"]);
    t.wait_for(
        &["VLAN id", "1-4094", "! VLAN id 0 is not between 1 and 4094"],
        SCREEN,
    );
    t.type_text("42");
    t.keys(&["Down", "Right", "Down"]);
    t.type_text("192.0.2.10/24");
    t.wait_for(&["VLAN 42 on", "static 192.0.2.10/24"], SCREEN);
    t.keys(&["Enter"]);
    users_to_summary(t);
    t.wait_for(
        &["[Summary]", "(VLAN 42 on", "static 192.0.2.10/24"],
        SCREEN,
    );
    t.keys(&["e"]);
    t.wait_for(&["Answer file written to"], SCREEN);
    let exported = std::fs::read_to_string(&out).unwrap();
    let a: toml::Value = toml::from_str(&exported).unwrap();
    let vlan = &a["network"]["vlans"][0];
    assert_eq!(vlan["id"].as_integer(), Some(42), "{exported}");
    assert_eq!(
        vlan["addresses"][0].as_str(),
        Some("192.0.2.10/24"),
        "{exported}"
    );
    t.keys(&["q"]);
    t.wait_for(&["Quit?"], SCREEN);
    t.keys(&["y"]);
    run.wait_exit(SCREEN);
}

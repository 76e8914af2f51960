//! Shared by the configure_* tests: a target root with the fixture payload installed by the
//! real dnf (once per test binary and firmware, then copied per test), a plan resolved from
//! an answer against fake hardware, and fake formatted partitions.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use azl_installer::answer::{Answer, FsType};
use azl_installer::engine::configure::{Context, EfiVars, configure_with};
use azl_installer::engine::target::Formatted;
use azl_installer::events::{Event, Recorder};
use azl_installer::plan::{Plan, Role};
use azl_installer::probe::Firmware;

use crate::common::fixture::{Dnf, FixtureRepo};
use crate::common::sh;

pub const ROOT_UUID: &str = "3f1b2a4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";
pub const BOOT_UUID: &str = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
pub const ESP_UUID: &str = "ABCD-1234";
/// The disk as the tools see it inside the root (a plain file stands in for the node).
pub const DISK: &str = "/dev/azl-test-disk";

pub const UEFI_PACKAGES: &[&str] = &[
    "kernel",
    "openssh-server",
    "selinux-policy-targeted",
    "policycoreutils",
    "shadow-utils",
    "NetworkManager",
    "grub2-tools",
    "grub2-efi-x64",
    "shim-x64",
    "efibootmgr",
];

/// Installs the payload into a template root once per (variant, firmware) and copies it.
pub struct Target {
    pub dir: tempfile::TempDir,
}

impl Target {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn new(variant: &str, firmware: Firmware) -> Target {
        static TEMPLATES: OnceLock<Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
        let key = format!("{variant}-{firmware:?}").to_lowercase();
        let templates = TEMPLATES.get_or_init(|| Mutex::new(Vec::new()));
        let template = {
            let mut t = templates.lock().unwrap_or_else(|e| e.into_inner());
            match t.iter().find(|(k, _)| *k == key) {
                Some((_, p)) => p.clone(),
                None => {
                    let p = build_template(variant, firmware, &key);
                    t.push((key, p.clone()));
                    p
                }
            }
        };
        let dir = tempfile::tempdir().expect("temp dir");
        sh(
            "cp",
            &[
                "-a",
                &format!("{}/.", template.display()),
                &dir.path().to_string_lossy(),
            ],
        );
        // The disk node the bootloader tools are given must exist inside the root.
        std::fs::create_dir_all(dir.path().join("dev")).unwrap();
        std::fs::write(dir.path().join(DISK.trim_start_matches('/')), b"").unwrap();
        Target { dir }
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path(path))
            .unwrap_or_else(|e| panic!("reading {path} of the target: {e}"))
    }

    pub fn path(&self, path: &str) -> PathBuf {
        self.root().join(path.trim_start_matches('/'))
    }

    /// The calls the fixture tools recorded, one Vec of program + arguments per call.
    pub fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.path("/var/log/fixture-calls.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect()
    }

    pub fn calls_of(&self, program: &str) -> Vec<Vec<String>> {
        self.calls()
            .into_iter()
            .filter(|c| c.first().is_some_and(|p| p == program))
            .collect()
    }

    /// Forgets the calls made while installing the payload.
    pub fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.path("/var/log/fixture-calls.log"));
    }
}

fn build_template(variant: &str, firmware: Firmware, key: &str) -> PathBuf {
    clean_stale_templates();
    let repo = FixtureRepo::build(variant);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("configure-template-{key}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut packages: Vec<&str> = UEFI_PACKAGES.to_vec();
    if firmware == Firmware::Bios {
        packages.retain(|p| !["grub2-efi-x64", "shim-x64", "efibootmgr"].contains(p));
        packages.push("grub2-pc");
    }
    let dnf = Dnf::new(&dir, &repo).setopt("install_weak_deps=False");
    let mut args = vec!["install"];
    args.extend(packages);
    dnf.run_ok(&args);
    dir
}

/// Templates live as long as their test process (statics are never dropped): each new
/// one first removes those of processes that have ended.
fn clean_stale_templates() {
    let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("configure-template-")
            .and_then(|r| r.rsplit('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

pub fn answer(text: &str) -> Answer {
    toml::from_str(&format!(
        "version = 1\n[target]\npath = \"/dev/sda\"\nwipe = true\n{text}"
    ))
    .unwrap_or_else(|e| panic!("bad test answer: {e}"))
}

pub fn plan(answer: &Answer, firmware: Firmware) -> Plan {
    plan_on(answer, firmware, None)
}

/// The plan for a target of another kind (a disk image, a loop device).
pub fn plan_on(
    answer: &Answer,
    firmware: Firmware,
    transport: Option<azl_installer::probe::Transport>,
) -> Plan {
    let mut hw = crate::common::machine::one_disk(firmware, 64 << 30, 512, 4 << 30);
    if let Some(t) = transport {
        hw.disks[0].transport = t;
    }
    // The real signed fixture's metadata: the preflight checks the package set against it.
    let index = crate::common::machine::fixture_index("base");
    Plan::resolve(answer, &hw, &index).unwrap_or_else(|e| panic!("{e}"))
}

/// The formatted partitions the format step would report for the auto layout.
pub fn formatted(firmware: Firmware) -> Vec<Formatted> {
    let part = |number, role, fs, uuid: Option<&str>, mount: Option<&str>| Formatted {
        on: azl_installer::plan::DeviceRef::Partition { disk: 0, number },
        number,
        role,
        device: PathBuf::from(format!("{DISK}{number}")),
        fs,
        uuid: uuid.map(str::to_owned),
        part_uuid: None,
        label: None,
        mount: mount.map(str::to_owned),
        options: None,
    };
    // The bios-boot partition holds no filesystem: the format step reports nothing for it.
    let mut v = match firmware {
        Firmware::Uefi => vec![part(
            1,
            Role::Esp,
            FsType::Vfat,
            Some(ESP_UUID),
            Some("/boot/efi"),
        )],
        Firmware::Bios => Vec::new(),
    };
    v.extend([
        part(2, Role::Boot, FsType::Xfs, Some(BOOT_UUID), Some("/boot")),
        part(
            3,
            Role::Swap,
            FsType::Swap,
            Some("0b1c2d3e-0000-4000-8000-000000000003"),
            None,
        ),
        part(4, Role::Root, FsType::Xfs, Some(ROOT_UUID), Some("/")),
    ]);
    v
}

/// Runs configure; returns its result and the events it sent.
pub fn run(
    target: &Target,
    plan: &Plan,
    formatted: &[Formatted],
    efivars: EfiVars,
) -> (
    Result<(), azl_installer::engine::configure::ConfigureError>,
    Vec<Event>,
) {
    let rec = Recorder::default();
    let disks = [std::path::PathBuf::from(DISK)];
    let storage = azl_installer::engine::layers::Facts::default();
    let ctx = Context {
        plan,
        root: target.root(),
        formatted,
        disk: Path::new(DISK),
        disks: &disks,
        efivars,
        storage: &storage,
    };
    let r = configure_with(&ctx, &rec);
    (r, rec.events())
}

/// The messages of Log events at warn level.
pub fn warnings(events: &[Event]) -> Vec<String> {
    logs_at(events, azl_installer::events::Level::Warn)
}

/// The messages of Log events at info level.
pub fn infos(events: &[Event]) -> Vec<String> {
    logs_at(events, azl_installer::events::Level::Info)
}

fn logs_at(events: &[Event], want: azl_installer::events::Level) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Log { level, message, .. } if *level == want => Some(message.clone()),
            _ => None,
        })
        .collect()
}

/// The password field of a user in the target's /etc/shadow.
pub fn shadow_field(t: &Target, user: &str) -> String {
    t.read("/etc/shadow")
        .lines()
        .find(|l| l.starts_with(&format!("{user}:")))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or_else(|| panic!("{user} not in /etc/shadow"))
        .to_owned()
}

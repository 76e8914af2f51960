//! Plans as files: `plan --json` holds the whole plan (read back, it is the same plan), its
//! schema is committed, and `install --plan` installs what installing the answer installs,
//! or refuses, before writing anything, a plan the machine no longer matches.

mod common;

use std::path::Path;

use azl_installer::plan::{self, Plan};
use azl_installer::probe::Firmware;
use azl_installer::units::GIB;
use common::fixture::FixtureRepo;
use common::full_answer::answer;
use common::installed::{Installed, assert_nothing_left};
use common::{Image, installer, installer_in, output_text, sh};
use serde_json::Value;

#[test]
fn committed_plan_schema_is_current() {
    let want = plan::schema_json();
    common::committed_is_current(
        "installer-config/plan.schema.json",
        &want,
        "--test plan_files committed_plan_schema_is_current",
    );
    let schema: Value = serde_json::from_str(&want).unwrap();
    for key in [
        "accounts",
        "ssh",
        "selinux",
        "kernel",
        "bootloader",
        "post_scripts",
        "finish",
        "network",
        "disks",
        "filesystems",
    ] {
        assert!(
            schema["properties"][key].is_object(),
            "no {key} in the schema"
        );
    }
}

/// Every section of an answer, resolved against a fake machine and the real fixture metadata.
fn full_plan() -> Plan {
    let repo = FixtureRepo::base();
    let text = answer(&repo, Path::new("/dev/sda"), "uefi", "");
    let a = toml::from_str(&text).unwrap();
    let hw = common::machine::one_disk(Firmware::Uefi, 64 * GIB, 512, 4 * GIB);
    Plan::resolve(&a, &hw, &common::machine::fixture_index("base"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_plan_read_back_from_json_is_the_same_plan() {
    let plan = full_plan();
    let json = serde_json::to_string_pretty(&plan).unwrap();
    let back = plan::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, plan);
    // Hashes only: the plain password is nowhere in it.
    assert!(!json.contains(common::full_answer::ADMIN_PASSWORD));
    let v: Value = serde_json::from_str(&json).unwrap();
    let admin = &v["accounts"]["users"][0];
    assert_eq!(admin["name"], "admin");
    assert_eq!(admin["password"]["kind"], "hashed");
    assert!(
        admin["password"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("$y$")
    );
    assert_eq!(v["accounts"]["root"]["password"]["kind"], "locked");
    assert_eq!(v["host"]["hostname"], "web01.example.com");
    assert_eq!(v["ssh"]["permit_root_login"], "prohibit-password");
    let cmdline = v["kernel"]["cmdline"].as_array().unwrap();
    assert!(
        cmdline.contains(&Value::from("console=ttyS0,115200")),
        "{cmdline:?}"
    );
    assert!(
        cmdline.contains(&Value::from("slab_nomerge")),
        "{cmdline:?}"
    );
    assert_eq!(
        v["post_scripts"][0]["run"],
        "echo post-ran > /etc/post-script-marker"
    );
    // The saved answer carries the plan's hash, not the plain text.
    assert!(
        plan.system
            .saved_answer
            .contains(admin["password"]["hash"].as_str().unwrap())
    );
}

/// `install --plan`'s check, on fake machines: the same machine passes; another firmware
/// (when the plan took the machine's) or another disk at the same path does not.
#[test]
fn a_plan_holds_only_on_the_machine_it_was_made_for() {
    let repo = FixtureRepo::base();
    let a = toml::from_str(&answer(&repo, Path::new("/dev/sda"), "auto", "")).unwrap();
    let machine = |fw, size| common::machine::one_disk(fw, size, 512, 4 * GIB);
    let uefi = machine(Firmware::Uefi, 64 * GIB);
    let plan = Plan::resolve(&a, &uefi, &common::machine::fixture_index("base"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plan.system.bootloader.detected);
    assert_eq!(plan::still_holds(&plan, &uefi), vec![]);

    let problems = plan::still_holds(&plan, &machine(Firmware::Bios, 64 * GIB));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "target.firmware");
    assert!(
        problems[0]
            .message
            .contains("boots with UEFI; this one boots with BIOS"),
        "{}",
        problems[0].message
    );

    let problems = plan::still_holds(&plan, &machine(Firmware::Uefi, 128 * GIB));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains(&format!("the size was {}, is {}", 64 * GIB, 128 * GIB)),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_plan_of_another_version_or_shape_is_refused_with_the_reason() {
    let mut v = serde_json::to_value(full_plan()).unwrap();
    v["version"] = 9.into();
    let e = plan::from_json(&v.to_string()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "plan version 9; this installer reads version {}",
            plan::PLAN_VERSION
        )
    );
    v["version"] = plan::PLAN_VERSION.into();
    v["disks"] = Value::Array(vec![]);
    let e = plan::from_json(&v.to_string()).unwrap_err().to_string();
    assert_eq!(e, "the plan has no disk to install onto");
    v["accounts"] = Value::Null;
    let e = plan::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("accounts") || e.contains("invalid type"), "{e}");
}

struct Done {
    img: Image,
    plan: Value,
}

/// Installs `img` from the answer, or from the plan written by `plan --json` first.
fn install(repo: &FixtureRepo, through_plan: bool) -> Done {
    let img = Image::sparse(8 * GIB);
    let dir = img.dir.path();
    let a = dir.join("answer.toml");
    std::fs::write(&a, answer(repo, &img.path, "uefi", "")).unwrap();
    let p = installer(&["plan", a.to_str().unwrap(), "--json"]);
    assert!(p.status.success(), "plan: {}", output_text(&p));
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, &p.stdout).unwrap();
    let sysimage = dir.join("sysimage");
    let mut args = vec!["install", "--yes", "--sysimage", sysimage.to_str().unwrap()];
    if through_plan {
        args.extend(["--plan", plan_file.to_str().unwrap()]);
    } else {
        args.push(a.to_str().unwrap());
    }
    let o = installer_in(&dir.join("run"), &args);
    assert!(o.status.success(), "install {args:?}: {}", output_text(&o));
    assert_nothing_left(&img.path, &sysimage);
    Done {
        plan: serde_json::from_slice(&p.stdout).unwrap(),
        img,
    }
}

/// The GPT without its random GUIDs: start, size, type and name of each partition.
fn table(img: &Path) -> Vec<(u64, u64, String, String)> {
    let sf: Value =
        serde_json::from_str(&sh("sfdisk", &["--json", img.to_str().unwrap()])).unwrap();
    sf["partitiontable"]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_u64().unwrap(),
                p["size"].as_u64().unwrap(),
                p["type"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// yescrypt hashes ("$y$...") replaced by "<hash>": each plan salts afresh.
fn without_hashes(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("$y$") {
        out.push_str(&rest[..i]);
        out.push_str("<hash>");
        let end = rest[i..]
            .find(|c: char| c == ':' || c == '"' || c.is_whitespace())
            .map_or(rest.len(), |e| i + e);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// What an admin would compare between two servers installed from the same answer; the
/// UUIDs (root filesystem, connection profiles), the image path and the password salts
/// differ by design and are taken out. Also
/// returns the raw /etc/shadow.
fn configuration(done: &Done) -> (Vec<(String, String)>, String) {
    let parts = done.plan["disks"][0]["table"]["partitions"]
        .as_array()
        .unwrap();
    let filesystems = done.plan["filesystems"].as_array().unwrap();
    let root = filesystems.iter().find(|f| f["mount"] == "/").unwrap()["on"]["number"]
        .as_u64()
        .unwrap() as u32;
    let sys = Installed::open(&done.img.path, 512, parts.len() as u32, root);
    let neutral = |text: String| {
        let t = without_hashes(&text).replace(done.img.path.to_str().unwrap(), "<image>");
        t.split_whitespace()
            .map(|w| {
                // Made afresh by each install, like the filesystems' UUIDs.
                if w.starts_with("root=UUID=") {
                    "root=UUID=<uuid>"
                } else if w.starts_with("uuid=") {
                    "uuid=<uuid>"
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut files = vec![
        "/etc/hostname",
        "/etc/passwd",
        "/etc/group",
        "/etc/shadow",
        "/etc/locale.conf",
        "/etc/vconsole.conf",
        "/etc/kernel/cmdline",
        "/etc/default/grub",
        "/etc/selinux/config",
        "/etc/ssh/sshd_config.d/50-azl-installer.conf",
        "/etc/post-script-marker",
        "/root/.ssh/authorized_keys",
        "/home/admin/.ssh/authorized_keys",
        "/var/log/azl-installer/answer.toml",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    let nm = "/etc/NetworkManager/system-connections";
    let mut keyfiles: Vec<String> = std::fs::read_dir(sys.path(nm))
        .unwrap()
        .flatten()
        .map(|e| format!("{nm}/{}", e.file_name().to_string_lossy()))
        .collect();
    keyfiles.sort();
    files.extend(keyfiles);
    let mut out: Vec<(String, String)> = files
        .into_iter()
        .map(|f| {
            let text = neutral(sys.read(&f));
            (f, text)
        })
        .collect();
    out.push(("rpm -qa".into(), sys.rpms().join(" ")));
    (out, sys.read("/etc/shadow"))
}

#[test]
fn installing_a_plan_read_back_does_what_installing_the_answer_does() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let from_plan = install(&repo, true);
    let from_answer = install(&repo, false);
    assert_eq!(table(&from_plan.img.path), table(&from_answer.img.path));
    let ((a, shadow), (b, _)) = (configuration(&from_plan), configuration(&from_answer));
    assert_eq!(a.len(), b.len());
    for ((file, got), (_, want)) in a.iter().zip(&b) {
        assert_eq!(
            got, want,
            "{file} differs between the plan's install and the answer's"
        );
    }
    // The plan's own hash is the one installed: the plan is what was done.
    let hash = from_plan.plan["accounts"]["users"][0]["password"]["hash"]
        .as_str()
        .unwrap();
    assert!(shadow.contains(&format!("admin:{hash}:")), "{shadow}");
}

#[test]
fn a_plan_whose_disk_changed_is_refused_before_anything_is_written() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let dir = img.dir.path();
    let a = dir.join("answer.toml");
    std::fs::write(&a, answer(&repo, &img.path, "uefi", "")).unwrap();
    let p = installer(&["plan", a.to_str().unwrap(), "--json"]);
    assert!(p.status.success(), "plan: {}", output_text(&p));
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, &p.stdout).unwrap();
    let run = |what: &str| {
        let before = common::sha256_of(&img.path);
        let o = installer_in(
            &dir.join("run"),
            &["install", "--plan", plan_file.to_str().unwrap(), "--yes"],
        );
        assert_eq!(o.status.code(), Some(3), "{what}: {}", output_text(&o));
        assert_eq!(
            common::sha256_of(&img.path),
            before,
            "{what}: the image was written"
        );
        output_text(&o)
    };

    // Someone partitioned the disk after the plan was made: the plan no longer says what
    // the install would erase.
    sh(
        "sgdisk",
        &[
            "-n",
            "1:2048:+16M",
            "-c",
            "1:newer",
            img.path.to_str().unwrap(),
        ],
    );
    let out = run("a new table");
    assert!(out.contains("has changed since the plan was made"), "{out}");
    assert!(out.contains("partition 1 of disk.img (16 MiB"), "{out}");

    // Another disk at the same path.
    std::fs::File::options()
        .write(true)
        .open(&img.path)
        .unwrap()
        .set_len(9 * GIB)
        .unwrap();
    let out = run("a bigger disk");
    assert!(
        out.contains("is not the disk the plan was made for"),
        "{out}"
    );
    assert!(
        out.contains(&format!("the size was {}, is {}", 8 * GIB, 9 * GIB)),
        "{out}"
    );

    // Not a plan at all: bad input, exit 2.
    std::fs::write(&plan_file, "{\"version\": 1}").unwrap();
    let o = installer(&["install", "--plan", plan_file.to_str().unwrap(), "--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", output_text(&o));
    assert!(output_text(&o).contains("plan.json"), "{}", output_text(&o));
}

/// The events of `--progress json` (the journal and the webhook too) as a committed JSON
/// Schema: a change to it is seen in review (`schema --events` prints it).
#[test]
fn committed_events_schema_is_current() {
    let want = azl_installer::events::schema_json();
    common::committed_is_current(
        "installer-config/events.schema.json",
        &want,
        "--test plan_files committed_events_schema_is_current",
    );
    let schema: Value = serde_json::from_str(&want).unwrap();
    let text = schema.to_string();
    for key in [
        "started",
        "progress",
        "log",
        "finished",
        "failed",
        "ended",
        "report",
        "disk_changed",
    ] {
        assert!(
            text.contains(&format!("\"{key}\"")),
            "no {key} in the schema: {text}"
        );
    }
}

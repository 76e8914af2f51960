//! `plan` and `install --stop-after partition` through the real binary, on real loop devices
//! and image files: the written GPT matches the plan, and refusals write nothing.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Image, LoopDevice, Mount, sh, sha256_of};
use serde_json::Value;

use azl_installer::units::{GIB, MIB};

/// A layout small enough for images that are hashed whole (1 GiB).
const SMALL_LAYOUT: &str = "firmware = \"uefi\"\n[storage]\nlayout = \"custom\"\n\
    [[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"100MiB\"\n\
    [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n";

/// `[[repos]]` naming the signed fixture repository: the preflight loads and verifies it.
fn fixture_repos() -> String {
    let repo = common::fixture::FixtureRepo::base();
    format!(
        "[[repos]]\nname = \"fixture\"\nurl = \"{}\"\ngpg_keys = [\"{}\"]\n",
        repo.repo_url(),
        repo.key_url()
    )
}

fn answer_file(dir: &Path, target: &Path, extra: &str) -> std::path::PathBuf {
    let p = dir.join("answer.toml");
    let text = format!(
        "version = 1\n[install]\nconfirm = false\n[target]\npath = \"{}\"\n{extra}\n{}",
        target.display(),
        fixture_repos()
    );
    std::fs::write(&p, text).unwrap();
    p
}

fn install(answer: &Path, extra: &[&str]) -> Output {
    let a = answer.to_str().unwrap();
    let mut args = vec!["install", a, "--stop-after", "partition"];
    args.extend_from_slice(extra);
    common::installer(&args)
}

/// `plan --json` for the answer: the table the install must write.
fn planned(answer: &Path) -> Value {
    let o = common::installer(&["plan", answer.to_str().unwrap(), "--json"]);
    assert!(
        o.status.success(),
        "plan failed: {}",
        common::output_text(&o)
    );
    serde_json::from_slice(&o.stdout).expect("plan --json is JSON")
}

/// The written GPT agrees with the plan: sgdisk finds no problem; sfdisk's starts, sizes,
/// types and names and blkid's view of each partition node equal the planned ones.
fn assert_disk_matches_plan(dev: &Path, plan: &Value, sector: u64, nodes: bool) {
    let v = sh("sgdisk", &["-v", dev.to_str().unwrap()]);
    assert!(v.contains("No problems found"), "sgdisk -v: {v}");
    let sf: Value =
        serde_json::from_str(&sh("sfdisk", &["--json", dev.to_str().unwrap()])).unwrap();
    let pt = &sf["partitiontable"];
    assert_eq!(pt["label"], "gpt");
    assert_eq!(pt["sectorsize"].as_u64(), Some(sector));
    let want = plan["disks"][0]["table"]["partitions"].as_array().unwrap();
    let got = pt["partitions"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let first = w["first_lba"].as_u64().unwrap();
        let last = w["last_lba"].as_u64().unwrap();
        assert_eq!(g["start"].as_u64(), Some(first), "partition {i} start");
        assert_eq!(
            g["size"].as_u64(),
            Some(last - first + 1),
            "partition {i} size"
        );
        assert_eq!(
            g["type"].as_str().unwrap().to_lowercase(),
            w["type_guid"].as_str().unwrap()
        );
        assert_eq!(g["name"], w["name"]);
        if nodes {
            let node = format!("{}p{}", dev.display(), i + 1);
            let b = sh("blkid", &["-p", "-o", "export", &node]);
            assert!(
                b.contains(&format!("PART_ENTRY_NAME={}", w["name"].as_str().unwrap())),
                "{b}"
            );
            assert!(
                b.contains(&format!(
                    "PART_ENTRY_TYPE={}",
                    w["type_guid"].as_str().unwrap()
                )),
                "{b}"
            );
            assert!(
                !b.contains("\nTYPE="),
                "a fresh partition carries no filesystem: {b}"
            );
        }
    }
}

fn partition_loop_device(sector: u32) {
    let img = Image::sparse(12 * GIB);
    let lo = LoopDevice::attach(&img.path, sector);
    let answer = answer_file(img.dir.path(), &lo.path, "[storage]\nswap = \"none\"");
    let plan = planned(&answer);
    assert_eq!(
        plan["disks"][0]["table"]["sector_size"].as_u64(),
        Some(u64::from(sector))
    );
    let o = install(&answer, &[]);
    assert!(
        o.status.success(),
        "install failed: {}",
        common::output_text(&o)
    );
    assert_disk_matches_plan(&lo.path, &plan, u64::from(sector), true);
}

#[test]
fn partitions_a_512_byte_sector_loop_device_as_planned() {
    require_loop_devices!();
    partition_loop_device(512);
}

#[test]
fn partitions_a_4096_byte_sector_loop_device_as_planned() {
    require_loop_devices!();
    partition_loop_device(4096);
}

#[test]
fn partitions_a_three_tib_image_file() {
    require_loop_devices!();
    let img = Image::sparse(3 << 40);
    let answer = answer_file(img.dir.path(), &img.path, "");
    let plan = planned(&answer);
    let o = install(&answer, &[]);
    assert!(
        o.status.success(),
        "install failed: {}",
        common::output_text(&o)
    );
    // The image was attached for the install and detached afterwards.
    let attached = sh("losetup", &["-j", img.path.to_str().unwrap()]);
    assert!(attached.trim().is_empty(), "still attached: {attached}");
    assert_disk_matches_plan(&img.path, &plan, 512, false);
    let root = plan["disks"][0]["table"]["partitions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        root["last_lba"].as_u64().unwrap() * 512 > 2 << 40,
        "root reaches past 2 TiB"
    );
    let used = std::fs::metadata(&img.path).map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.blocks() * 512
    });
    assert!(used.unwrap() < 64 * MIB, "the image stays sparse");
}

/// An old MBR with an ext4 and a swap partition, plus a whole-disk xfs signature past them.
fn disk_with_old_data(lo: &LoopDevice) {
    let dev = lo.path.to_str().unwrap();
    let script = "label: dos\n,300MiB,83\n,100MiB,82\n";
    let mut c = Command::new("sfdisk")
        .arg(dev)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    c.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(c.wait().unwrap().success());
    // This kernel may lack the MBR parser: tell it about the partitions.
    let _ = Command::new("partx").args(["--update", dev]).status();
    for _ in 0..50 {
        if lo.partition(2).exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    sh(
        "mkfs.ext4",
        &["-q", "-L", "olddata", lo.partition(1).to_str().unwrap()],
    );
    sh(
        "mkswap",
        &["-L", "oldswap", lo.partition(2).to_str().unwrap()],
    );
}

#[test]
fn old_mbr_and_filesystems_are_wiped_only_with_wipe_true() {
    require_loop_devices!();
    let img = Image::sparse(GIB);
    let lo = LoopDevice::attach(&img.path, 512);
    disk_with_old_data(&lo);
    let before = sha256_of(&lo.path);

    let answer = answer_file(img.dir.path(), &lo.path, SMALL_LAYOUT);
    let o = install(&answer, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    let msg = common::output_text(&o);
    assert!(msg.contains("target.wipe"), "{msg}");
    assert!(
        msg.contains("the dos partition table with 2 partition(s)"),
        "{msg}"
    );
    assert!(msg.contains("ext4 \"olddata\""), "{msg}");
    assert!(msg.contains("set target.wipe = true"), "{msg}");
    assert_eq!(
        sha256_of(&lo.path),
        before,
        "a refused install wrote to the disk"
    );

    let answer = answer_file(
        img.dir.path(),
        &lo.path,
        &format!("wipe = true\n{SMALL_LAYOUT}"),
    );
    let plan = planned(&answer);
    let destroys = plan["disks"][0]["destroys"].to_string();
    assert!(
        destroys.contains("olddata") && destroys.contains("swap"),
        "{destroys}"
    );
    let o = install(&answer, &[]);
    assert!(
        o.status.success(),
        "install failed: {}",
        common::output_text(&o)
    );
    assert_disk_matches_plan(&lo.path, &plan, 512, true);
    let sigs = sh(
        "wipefs",
        &["--no-act", "--output", "TYPE", lo.path.to_str().unwrap()],
    );
    assert!(
        !sigs.contains("dos") && !sigs.contains("ext4"),
        "old signatures left: {sigs}"
    );
}

#[test]
fn a_mounted_disk_is_refused_and_unchanged() {
    require_loop_devices!();
    let img = Image::sparse(GIB);
    let lo = LoopDevice::attach(&img.path, 512);
    sh("mkfs.ext4", &["-q", lo.path.to_str().unwrap()]);
    // Read-only: a read-write ext4 writes its superblock on its own, which would change the
    // hash whatever the installer does.
    let mnt = Mount::new_ro(&lo.path, &img.dir.path().join("mnt"));
    let before = sha256_of(&img.path);
    let answer = answer_file(
        img.dir.path(),
        &lo.path,
        &format!("wipe = true\n{SMALL_LAYOUT}"),
    );
    let o = install(&answer, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains(&format!("is mounted at {}", mnt.target.display())),
        "{}",
        common::output_text(&o)
    );
    assert_eq!(
        sha256_of(&img.path),
        before,
        "a refused install wrote to the disk"
    );
}

#[test]
fn without_confirmation_nothing_is_written() {
    require_loop_devices!();
    let img = Image::sparse(GIB);
    let p = img.dir.path().join("answer.toml");
    let body = format!(
        "version = 1\n[target]\npath = \"{}\"\n{SMALL_LAYOUT}{}",
        img.path.display(),
        fixture_repos()
    );
    std::fs::write(&p, body).unwrap();
    let before = sha256_of(&img.path);
    // No --yes, confirm defaults to true, and stdin is not a terminal: refuse.
    let o = Command::new(common::bin())
        .args(["install", p.to_str().unwrap(), "--stop-after", "partition"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", common::output_text(&o));
    assert!(
        common::output_text(&o).contains("without confirmation: pass --yes"),
        "{}",
        common::output_text(&o)
    );
    assert_eq!(sha256_of(&img.path), before);
}

#[test]
fn json_progress_is_one_event_per_line_in_step_order() {
    require_loop_devices!();
    let img = Image::sparse(8 * GIB);
    let answer = answer_file(img.dir.path(), &img.path, "");
    let o = common::installer(&[
        "install",
        answer.to_str().unwrap(),
        "--stop-after",
        "partition",
        "--progress",
        "json",
    ]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let events: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    // The stream's last word: done, nothing failed, the disk was changed.
    let ended = events.last().unwrap();
    assert_eq!(ended["event"], "ended");
    assert_eq!(ended["exit_code"], 0);
    assert_eq!(ended["disk_changed"], true);
    assert!(ended.get("failed_step").is_none());
    let marks: Vec<String> = events
        .iter()
        .filter(|e| e["event"] != "log" && e["event"] != "progress" && e["event"] != "ended")
        .map(|e| {
            format!(
                "{} {}",
                e["event"].as_str().unwrap(),
                e["step"].as_str().unwrap()
            )
        })
        .collect();
    // The image is detached by the finish step, which also runs when stopping early.
    assert_eq!(
        marks,
        [
            "started preflight",
            "finished preflight",
            "started partition",
            "finished partition",
            "started finish",
            "finished finish"
        ]
    );
    let progress: Vec<&Value> = events.iter().filter(|e| e["event"] == "progress").collect();
    assert!(!progress.is_empty(), "partitioning reports progress");
    let last = progress.last().unwrap();
    assert_eq!(last["done"], last["total"]);
    // The final report, for a fleet's server: the machine (its NICs' MACs as sysfs has
    // them), what the plan installs onto which disk, each step that began with its time.
    let report = &ended["report"];
    let macs: Vec<&str> = report["machine"]["macs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let nics = std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("device").exists())
        .count();
    assert_eq!(macs.len(), nics, "every NIC with a device: {report}");
    for mac in &macs {
        let own = std::fs::read_dir("/sys/class/net")
            .unwrap()
            .flatten()
            .any(|e| {
                std::fs::read_to_string(e.path().join("address"))
                    .is_ok_and(|a| a.trim().eq_ignore_ascii_case(mac))
            });
        assert!(own, "{mac} is no NIC of this machine: {report}");
    }
    let plan = report["plan"].as_str().unwrap_or_default();
    assert!(
        plan.contains(&img.path.display().to_string()) && plan.contains("package files"),
        "{report}"
    );
    let steps: Vec<String> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["step"].as_str().unwrap(), s["ok"]))
        .collect();
    assert_eq!(
        steps,
        ["preflight true", "partition true", "finish true"],
        "{report}"
    );
    let total = report["seconds"].as_f64().unwrap();
    let parts: f64 = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seconds"].as_f64().unwrap())
        .sum();
    assert!(total > 0.0 && parts <= total + 0.01, "{report}");
}

#[test]
fn stop_after_format_leaves_the_planned_filesystems_and_the_image_detached() {
    require_loop_devices!();
    let img = Image::sparse(2 * GIB);
    let layout = SMALL_LAYOUT.replace("size = \"rest\"", "size = \"1GiB\"")
        + "[[storage.partitions]]\nmount = \"/srv\"\nsize = \"300MiB\"\nlabel = \"srv\"\n";
    let answer = answer_file(img.dir.path(), &img.path, &layout);
    let o = common::installer(&[
        "install",
        answer.to_str().unwrap(),
        "--stop-after",
        "format",
        "--yes",
    ]);
    assert!(o.status.success(), "{}", common::output_text(&o));
    let image = img.path.to_str().unwrap();
    let attached = sh("losetup", &["-j", image]);
    assert!(attached.trim().is_empty(), "still attached: {attached}");
    let dev = LoopDevice::attach(&img.path, 512);
    common::installed::wait_for_partitions(&dev, 3);
    let blkid = |n: u32, tag: &str| {
        let p = dev.partition(n);
        sh(
            "blkid",
            &["-p", "-o", "value", "-s", tag, p.to_str().unwrap()],
        )
        .trim()
        .to_string()
    };
    assert_eq!(blkid(1, "TYPE"), "vfat", "the ESP");
    assert_eq!(blkid(2, "TYPE"), "ext4", "/");
    assert_eq!(
        (blkid(3, "TYPE"), blkid(3, "LABEL")),
        ("ext4".into(), "srv".into())
    );
}

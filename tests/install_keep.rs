//! A reinstall that keeps /home (`keep = true`), through the real binary, on a loop device,
//! from the signed fixture repository: the first install makes ESP, /boot, / and /home
//! (ext4 labelled "home"); files are written to /home; the second install, whose answer
//! keeps the partition with that filesystem label and gives / the rest of the space before
//! it (with no /boot of its own, so the kept partition is numbered 3 instead of 4), leaves
//! every file byte-identical (hashed), the filesystem and partition UUIDs as they were, and
//! mounts it at /home by UUID, while / is a new filesystem.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::fixture::FixtureRepo;
use common::full_answer::answer;
use common::installed::{
    Installed, assert_nothing_left, blkid_uuid, install_onto, wait_for_partitions,
};
use common::{Image, LoopDevice, Mount, sh};
use serde_json::Value;

use azl_installer::units::GIB;

const FIRST: &str = r#"[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "600MiB"
[[storage.partitions]]
mount = "/boot"
size = "1GiB"
[[storage.partitions]]
mount = "/"
size = "4GiB"
[[storage.partitions]]
mount = "/home"
size = "rest"
label = "home"
"#;

/// No separate /boot this time: the kept partition, 4 today, is numbered 3 after it.
const SECOND: &str = r#"[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "600MiB"
[[storage.partitions]]
mount = "/"
size = "rest"
[[storage.partitions]]
mount = "/home"
keep = true
match = { fs_label = "home" }
"#;

/// Every file under `dir` (relative path -> sha256).
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.is_file() {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, common::sha256_of(&p));
            }
        }
    }
    out
}

/// PARTUUID and filesystem UUID of partition `n` of the image, read by blkid.
fn ids(img: &Image, n: u32) -> (String, String) {
    let lo = LoopDevice::attach(&img.path, 512);
    wait_for_partitions(&lo, n);
    let dev = lo.partition(n);
    let partuuid = sh(
        "blkid",
        &[
            "-p",
            "-s",
            "PART_ENTRY_UUID",
            "-o",
            "value",
            dev.to_str().unwrap(),
        ],
    );
    (
        partuuid.trim().to_lowercase(),
        blkid_uuid(&dev).expect("a filesystem UUID"),
    )
}

#[test]
fn a_reinstall_keeps_home_byte_for_byte() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let img = Image::sparse(10 * GIB);
    let a = img.dir.path().join("first.toml");
    std::fs::write(&a, answer(&repo, &img.path, "uefi", FIRST)).unwrap();
    let (o, sysimage) = install_onto(&img, &a);
    assert!(
        o.status.success(),
        "first install: {}",
        common::output_text(&o)
    );
    assert_nothing_left(&img.path, &sysimage);

    // An admin's files on /home: text, a binary blob, a nested tree.
    let (home_partuuid, home_uuid) = ids(&img, 4);
    let (_, old_root_uuid) = ids(&img, 3);
    let before = {
        let lo = LoopDevice::attach(&img.path, 512);
        wait_for_partitions(&lo, 4);
        let at = img.dir.path().join("home");
        std::fs::create_dir_all(&at).unwrap();
        let _m = Mount::new(&lo.partition(4), &at);
        std::fs::create_dir_all(at.join("alice/projects/deep")).unwrap();
        std::fs::write(at.join("alice/notes.txt"), "keep me\n").unwrap();
        let blob: Vec<u8> = (0..5 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        std::fs::write(at.join("alice/projects/data.bin"), &blob).unwrap();
        std::fs::write(at.join("alice/projects/deep/x"), "x".repeat(10_000)).unwrap();
        hashes(&at)
    };
    // With the first install's own: the administrator's home.
    assert!(before.contains_key("alice/projects/data.bin"), "{before:?}");
    assert!(
        before.contains_key("admin/.ssh/authorized_keys"),
        "{before:?}"
    );

    // The plan keeps partition 4 and leaves it out of what it destroys.
    let b = img.dir.path().join("second.toml");
    std::fs::write(&b, answer(&repo, &img.path, "uefi", SECOND)).unwrap();
    let p = common::installer(&["plan", b.to_str().unwrap(), "--json"]);
    assert!(p.status.success(), "plan: {}", common::output_text(&p));
    let plan: Value = serde_json::from_slice(&p.stdout).unwrap();
    let parts = plan["disks"][0]["table"]["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[2]["kept"]["number_now"], 4);
    assert_eq!(
        parts[2]["kept"]["part_uuid"]
            .as_str()
            .map(str::to_lowercase),
        Some(home_partuuid.clone())
    );
    let destroys = plan["disks"][0]["destroys"].to_string();
    assert!(
        !destroys.contains("\"fs_type\":\"ext4\",\"label\":\"home\""),
        "{destroys}"
    );
    let text = common::installer(&["plan", b.to_str().unwrap()]);
    let text = common::output_text(&text);
    assert!(
        text.contains("Keeps (not written, not formatted, only mounted):"),
        "{text}"
    );
    assert!(text.contains("numbered 3 from now on"), "{text}");

    let (o, sysimage) = install_onto(&img, &b);
    assert!(
        o.status.success(),
        "second install: {}",
        common::output_text(&o)
    );
    assert_nothing_left(&img.path, &sysimage);
    let log = common::output_text(&o);
    assert!(log.contains("kept as they were"), "{log}");

    // The table is valid, /home's partition and filesystem are the same ones, / is new.
    let v = sh("sgdisk", &["-v", img.path.to_str().unwrap()]);
    assert!(v.contains("No problems found"), "{v}");
    assert_eq!(ids(&img, 3), (home_partuuid, home_uuid.clone()));
    let (_, new_root_uuid) = ids(&img, 2);
    assert_ne!(new_root_uuid, old_root_uuid, "/ was not made anew");
    let after = {
        let lo = LoopDevice::attach(&img.path, 512);
        wait_for_partitions(&lo, 3);
        let at = img.dir.path().join("home-after");
        std::fs::create_dir_all(&at).unwrap();
        let _m = Mount::new_ro(&lo.partition(3), &at);
        hashes(&at)
    };
    assert_eq!(after, before, "a kept file changed");

    // The new system mounts it at /home by its UUID.
    let sys = Installed::open(&img.path, 512, 3, 2);
    let fstab = sys.read("/etc/fstab");
    let line = fstab
        .lines()
        .find(|l| l.starts_with(&format!("UUID={home_uuid}")))
        .unwrap_or_else(|| panic!("no fstab line for /home's UUID {home_uuid}:\n{fstab}"));
    assert_eq!(line.split_whitespace().nth(1), Some("/home"));
}

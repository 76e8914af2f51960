//! Installs onto two disks (image files) through the real binary, from the signed fixture
//! repository: a custom layout with the system on disk 1 and /srv and swap on disk 2. Both
//! disks get their planned tables, fstab names disk 2's filesystem by UUID, and what the
//! installed system writes to /srv lands on disk 2. A RAID layout whose repository lacks
//! mdadm is refused before either disk is touched.

mod common;

use std::os::unix::fs::MetadataExt;

use common::fixture::FixtureRepo;
use common::full_answer::answer;
use common::installed::{
    Installed, assert_nothing_left, blkid_uuid, install_onto, wait_for_partitions,
};
use common::{Image, LoopDevice, Mount, sh};
use serde_json::Value;

use azl_installer::units::GIB;

const LAYOUT: &str = r#"[storage]
layout = "custom"
[[storage.partitions]]
mount = "/boot/efi"
size = "600MiB"
[[storage.partitions]]
mount = "/boot"
size = "1GiB"
[[storage.partitions]]
mount = "/"
size = "rest"
[[storage.partitions]]
disk = 2
mount = "swap"
size = "512MiB"
[[storage.partitions]]
disk = 2
mount = "/srv"
size = "rest"
[[scripts.post]]
run = "echo on-disk-two > /srv/marker"
"#;

/// The full answer for `one`, with `target.paths` naming both images instead.
fn two_disk_answer(repo: &FixtureRepo, one: &Image, two: &Image, storage: &str) -> String {
    let text = answer(repo, &one.path, "uefi", storage);
    let path = format!("path = \"{}\"", one.path.display());
    let paths = format!(
        "paths = [\"{}\", \"{}\"]",
        one.path.display(),
        two.path.display()
    );
    assert!(text.contains(&path));
    text.replace(&path, &paths)
}

#[test]
fn the_system_on_disk_one_and_srv_on_disk_two() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let (one, two) = (Image::sparse(8 * GIB), Image::sparse(4 * GIB));
    let a = one.dir.path().join("answer.toml");
    std::fs::write(&a, two_disk_answer(&repo, &one, &two, LAYOUT)).unwrap();
    let p = common::installer(&["plan", a.to_str().unwrap(), "--json"]);
    assert!(p.status.success(), "plan: {}", common::output_text(&p));
    let plan: Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(plan["disks"].as_array().map(Vec::len), Some(2));

    let (o, sysimage) = install_onto(&one, &a);
    assert!(
        o.status.success(),
        "install failed: {}",
        common::output_text(&o)
    );
    assert_nothing_left(&one.path, &sysimage);
    assert_nothing_left(&two.path, &sysimage);

    // Each disk holds its planned GPT.
    for (d, img) in [&one, &two].into_iter().enumerate() {
        let v = sh("sgdisk", &["-v", img.path.to_str().unwrap()]);
        assert!(v.contains("No problems found"), "disk {}: {v}", d + 1);
        let sf: Value =
            serde_json::from_str(&sh("sfdisk", &["--json", img.path.to_str().unwrap()])).unwrap();
        let got = sf["partitiontable"]["partitions"]
            .as_array()
            .unwrap()
            .clone();
        let want = plan["disks"][d]["table"]["partitions"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "disk {}", d + 1);
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g["start"], w["first_lba"]);
            assert_eq!(
                g["type"].as_str().unwrap().to_lowercase(),
                w["type_guid"].as_str().unwrap()
            );
        }
    }

    // Disk 2's filesystems, as blkid reads them, are the ones fstab mounts.
    let lo = LoopDevice::attach(&two.path, 512);
    wait_for_partitions(&lo, 2);
    let swap = blkid_uuid(&lo.partition(1)).expect("swap has a UUID");
    let srv = blkid_uuid(&lo.partition(2)).expect("/srv has a UUID");
    let at = one.dir.path().join("srv");
    std::fs::create_dir_all(&at).unwrap();
    {
        let _m = Mount::new_ro(&lo.partition(2), &at);
        let marker = std::fs::read_to_string(at.join("marker")).expect("/srv/marker on disk 2");
        assert_eq!(marker.trim(), "on-disk-two");
    }
    drop(lo);
    let sys = Installed::open(&one.path, 512, 3, 3);
    let fstab = sys.read("/etc/fstab");
    let line = |uuid: &str| {
        fstab
            .lines()
            .find(|l| l.starts_with(&format!("UUID={uuid}")))
            .unwrap_or_else(|| panic!("no fstab line for UUID={uuid}:\n{fstab}"))
            .to_string()
    };
    assert_eq!(line(&srv).split_whitespace().nth(1), Some("/srv"));
    assert_eq!(line(&swap).split_whitespace().nth(2), Some("swap"));
}

/// The fixture repository has no mdadm: a RAID 1 install of it is refused, naming the
/// package the installed system would need to assemble its arrays, before either disk is
/// touched.
#[test]
fn a_raid_layout_without_mdadm_in_the_repository_is_refused_before_either_disk_is_touched() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let (one, two) = (Image::sparse(8 * GIB), Image::sparse(8 * GIB));
    let a = one.dir.path().join("answer.toml");
    let storage = "[storage]\nscheme = \"raid1\"\nswap = \"none\"\n";
    std::fs::write(&a, two_disk_answer(&repo, &one, &two, storage)).unwrap();
    let (o, sysimage) = install_onto(&one, &a);
    assert_eq!(o.status.code(), Some(3), "{}", common::output_text(&o));
    let text = common::output_text(&o);
    assert!(
        text.contains("package \"mdadm\" is not in the repositories (the layout has RAID arrays)"),
        "{text}"
    );
    for img in [&one, &two] {
        // Sparse images: any write, zeros included, would have allocated blocks.
        assert_eq!(
            std::fs::metadata(&img.path).unwrap().blocks(),
            0,
            "an image was written"
        );
        assert_nothing_left(&img.path, &sysimage);
    }
}

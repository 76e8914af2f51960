//! engine::disk::attach_image: image files become loop devices with partition scanning.

mod common;

use std::path::Path;

use azl_installer::engine::disk::{attach_image, partition};
use azl_installer::events::Recorder;
use common::Image;
use common::partition::*;

/// Loop devices backed by `image`, from `losetup --list`.
fn loops_of(image: &Path) -> Vec<String> {
    let (_, out, _) = run(
        "losetup",
        &["--list", "--noheadings", "--output", "NAME,BACK-FILE"],
    );
    out.lines()
        .filter(|l| l.split_whitespace().nth(1) == Some(&*image.to_string_lossy()))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
        .collect()
}

/// `losetup -d` on a device someone still has open (another test's blkid, a probe) only
/// marks it for autoclear; the kernel detaches on the last close. Wait a little for that.
fn detached(image: &Path) -> bool {
    for _ in 0..100 {
        if loops_of(image).is_empty() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

#[test]
fn attach_then_drop_detaches() {
    require_loop_devices!();
    let img = Image::sparse(64 * MIB);
    let att = attach_image(&img.path).expect("attaching");
    let dev = att.device().to_owned();
    assert_eq!(loops_of(&img.path), [dev.display().to_string()]);
    let name = dev
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let partscan = std::fs::read_to_string(format!("/sys/block/{name}/loop/partscan"));
    assert_eq!(partscan.ok().as_deref().map(str::trim), Some("1"));
    drop(att);
    assert!(detached(&img.path), "detached on drop");
}

#[test]
fn partition_an_attached_image_then_detach() {
    require_loop_devices!();
    let disk_bytes = 2 * GIB + 600 * MIB;
    let img = Image::sparse(disk_bytes);
    let att = attach_image(&img.path).expect("attaching");
    let table = uefi_table(512, disk_bytes);
    let nodes = partition(att.device(), &table, &Recorder::default()).expect("partitioning");
    verify_gpt(att.device(), &table, &nodes);
    att.detach().expect("detaching");
    assert!(detached(&img.path));
    // The table is in the file itself.
    assert_eq!(&read_at(&img.path, 512, 8), b"EFI PART");
}

#[test]
fn attaching_a_missing_file_names_it() {
    require_loop_devices!();
    let err = attach_image(Path::new("/nonexistent/disk.img")).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("attaching /nonexistent/disk.img to a loop device"),
        "{msg}"
    );
}

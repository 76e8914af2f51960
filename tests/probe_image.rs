//! `image_disk`: a disk image file described as a disk, its table and filesystems read by
//! libblkid from the file itself. Needs sfdisk and mkfs, not root.

mod common;

use common::fake_sysfs;

use azl_installer::probe::{ProbeError, Transport, image_disk};
use fake_sysfs::{filesystem, place, sfdisk, sparse};

const EXT4_UUID: &str = "7d0a3f57-3b0e-4a4e-9d1e-2f5b8c6a9e10";

#[test]
fn mbr_image_with_ext4() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = dir.path().join("disk.img");
    sparse(&img, 32 << 20);
    sfdisk(
        &img,
        "label: dos\nlabel-id: 0xdeadbeef\nstart=2048, type=83\n",
    );
    place(
        &img,
        1 << 20,
        &filesystem("ext4", 16 << 20, "data", EXT4_UUID),
    );

    let d = image_disk(&img).expect("describing the image");
    assert_eq!(d.name, "disk.img");
    assert_eq!(d.path, img);
    assert_eq!(d.transport, Transport::Image);
    assert_eq!(d.size_bytes, 32 << 20);
    assert_eq!((d.logical_sector, d.physical_sector), (512, 512));
    assert_eq!(d.table.as_deref(), Some("dos"));
    assert!(d.signatures.is_empty());
    assert_eq!(d.partitions.len(), 1);
    let p = &d.partitions[0];
    assert_eq!(p.name, "partition 1 of disk.img");
    assert_eq!(
        p.path, img,
        "an image partition has no node: it lives in the image"
    );
    assert_eq!(p.number, 1);
    assert_eq!((p.start_bytes, p.size_bytes), (1 << 20, 31 << 20));
    assert_eq!(p.fs_type.as_deref(), Some("ext4"));
    assert_eq!(p.label.as_deref(), Some("data"));
    assert_eq!(p.uuid.as_deref(), Some(EXT4_UUID));
    assert_eq!(p.part_uuid.as_deref(), Some("deadbeef-01"));
    assert!(d.has_content() && d.usage.is_empty());
}

#[test]
fn bare_filesystem_and_empty_images() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = dir.path().join("fs.img");
    std::fs::write(&img, filesystem("ext4", 8 << 20, "bare", EXT4_UUID)).expect("writing");
    let d = image_disk(&img).expect("describing the image");
    assert_eq!(d.table, None);
    assert!(d.partitions.is_empty());
    assert_eq!(d.signatures.len(), 1);
    assert_eq!(d.signatures[0].fs_type, "ext4");
    assert_eq!(d.signatures[0].uuid.as_deref(), Some(EXT4_UUID));

    let empty = dir.path().join("empty.img");
    sparse(&empty, 8 << 20);
    let d = image_disk(&empty).expect("describing the image");
    assert!(!d.has_content(), "{d:?}");
}

#[test]
fn not_an_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = image_disk(dir.path()).expect_err("a directory");
    assert!(matches!(err, ProbeError::NotAnImage { .. }), "{err}");
    let missing = dir.path().join("missing.img");
    let err = image_disk(&missing).expect_err("no such file");
    assert!(err.to_string().contains("missing.img"), "{err}");
}

#[test]
fn every_signature_of_an_ambivalent_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    let img = dir.path().join("both.img");
    std::fs::write(&img, filesystem("vfat", 8 << 20, "FAT", "1234-5678")).expect("writing");
    // An ext4 superblock left over in the FAT's reserved sectors: two claims on one disk.
    let ext4 = filesystem("ext4", 8 << 20, "old", EXT4_UUID);
    place(&img, 1024, &ext4[1024..2048]);
    let d = image_disk(&img).expect("describing the image");
    let mut types: Vec<&str> = d.signatures.iter().map(|s| s.fs_type.as_str()).collect();
    types.sort();
    assert_eq!(types, ["ext4", "vfat"], "{d:?}");
}

//! Format, mount and fstab on real loop devices: what blkid and /proc/self/mountinfo see
//! must be what engine::format returned and engine::mount promised, and the guard must
//! leave nothing mounted, also after a failure halfway.

mod common;

use std::path::{Path, PathBuf};

use azl_installer::answer::FsType;
use azl_installer::engine::disk::partition;
use azl_installer::engine::format::format_on;
use azl_installer::engine::fstab;
use azl_installer::engine::layers::Nodes;
use azl_installer::engine::mount::{MountError, mount_target};
use azl_installer::engine::target::Formatted;
use azl_installer::events::{Event, Recorder, Step};
use azl_installer::plan::{DeviceRef, FilesystemSetup, PartitionTable, Role};
use common::partition::{GIB, MIB, table};
use common::{Image, LoopDevice, sh};

/// ESP 300 MiB, /boot 512 MiB xfs, swap 64 MiB, / the rest.
fn uefi_like(
    sector_size: u32,
    disk_bytes: u64,
    root_fs: FsType,
) -> (PartitionTable, Vec<FilesystemSetup>) {
    let t = table(
        sector_size,
        disk_bytes,
        &[
            (Role::Esp, "ESP", Some(300 * MIB)),
            (Role::Boot, "boot", Some(512 * MIB)),
            (Role::Swap, "swap", Some(64 * MIB)),
            (Role::Root, "root", None),
        ],
    );
    let spec = [
        (
            FsType::Vfat,
            "esp",
            Some("/boot/efi"),
            Some("umask=0077,shortname=winnt"),
        ),
        (FsType::Xfs, "boot", Some("/boot"), None),
        (FsType::Swap, "swap", None, None),
        (root_fs, "root", Some("/"), None),
    ];
    let filesystems = t
        .partitions
        .iter()
        .zip(spec)
        .map(|(p, (fs, label, mount, options))| FilesystemSetup {
            on: DeviceRef::Partition {
                disk: 0,
                number: p.number,
            },
            role: p.role,
            fs,
            label: Some(label.into()),
            mount: mount.map(String::from),
            options: options.map(String::from),
            keep: false,
        })
        .collect();
    (t, filesystems)
}

fn blkid_value(node: &Path, tag: &str) -> String {
    let node = node.to_string_lossy();
    // -p reads the device itself, not blkid's cache.
    sh("blkid", &["-p", "-s", tag, "-o", "value", &node])
        .trim()
        .to_owned()
}

fn blkid_uuid(node: &Path) -> String {
    let node = node.to_string_lossy();
    sh(
        "blkid",
        &["-c", "/dev/null", "-s", "UUID", "-o", "value", &node],
    )
    .trim()
    .to_owned()
}

/// (mount point, fs type, source, per-mount options, super options) of every mount under `dir`.
fn mounts_under(dir: &Path) -> Vec<(PathBuf, String, String, String, String)> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").expect("reading mountinfo");
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let left: Vec<&str> = left.split(' ').collect();
            let right: Vec<&str> = right.split(' ').collect();
            let point = PathBuf::from(left.get(4)?);
            point.starts_with(dir).then(|| {
                (
                    point,
                    right[0].to_owned(),
                    right[1].to_owned(),
                    left[5].to_owned(),
                    right.get(2).copied().unwrap_or("").to_owned(),
                )
            })
        })
        .collect()
}

/// This test machine's kernel may lack FAT (no vfat in /proc/filesystems, no modules): the
/// ESP is still formatted and checked then, but left out of the mounts.
fn kernel_mounts_vfat() -> bool {
    let known = std::fs::read_to_string("/proc/filesystems").unwrap_or_default();
    let found = known
        .lines()
        .any(|l| l.split_whitespace().last() == Some("vfat"));
    if !found {
        eprintln!("note: this kernel cannot mount vfat: the ESP is not mounted in this test");
    }
    found
}

fn without_esp_if_unmountable(formatted: &[Formatted]) -> (Vec<Formatted>, bool) {
    let mut v = formatted.to_vec();
    let vfat = kernel_mounts_vfat();
    if !vfat {
        v.iter_mut()
            .filter(|f| f.fs == FsType::Vfat)
            .for_each(|f| f.mount = None);
    }
    (v, vfat)
}

fn format_mount_roundtrip(sector_size: u32, root_fs: FsType) {
    let disk_bytes = 2 * GIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, sector_size);
    let (table, filesystems) = uefi_like(sector_size, disk_bytes, root_fs);
    let rec = Recorder::default();
    let nodes = partition(&lo.path, &table, &rec).expect("partitioning");

    let formatted = format_on(
        &filesystems,
        &Nodes::one_disk(&table, &nodes),
        |_| table.sector_size,
        &rec,
    )
    .expect("formatting");
    assert_eq!(formatted.len(), 4);
    let want = [
        ("vfat", "ESP"),
        ("xfs", "boot"),
        ("swap", "swap"),
        (
            if root_fs == FsType::Xfs {
                "xfs"
            } else {
                "ext4"
            },
            "root",
        ),
    ];
    for (f, (ty, label)) in formatted.iter().zip(want) {
        assert_eq!(blkid_value(&f.device, "TYPE"), ty, "{f:?}");
        assert_eq!(blkid_value(&f.device, "LABEL"), label, "{f:?}");
        assert_eq!(f.uuid.as_deref(), Some(blkid_uuid(&f.device).as_str()));
        let part_uuid = blkid_value(&f.device, "PART_ENTRY_UUID");
        assert_eq!(f.part_uuid.as_deref(), Some(part_uuid.as_str()), "{f:?}");
        assert_eq!(f.label.as_deref(), Some(label));
    }
    let last = rec.events().into_iter().rev().find_map(|e| match e {
        Event::Progress {
            step: Step::Format,
            done,
            total,
        } => Some((done, total)),
        _ => None,
    });
    assert_eq!(last, Some((4, 4)));

    // fstab: by blkid's UUIDs, in mount order, swap last.
    let text = fstab::render(&formatted);
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect();
    let uuid = |i: usize| format!("UUID={}", blkid_uuid(&formatted[i].device));
    let root_row = match root_fs {
        FsType::Xfs => [
            uuid(3),
            "/".into(),
            "xfs".into(),
            "defaults".into(),
            "0".into(),
            "0".into(),
        ],
        _ => [
            uuid(3),
            "/".into(),
            "ext4".into(),
            "defaults".into(),
            "0".into(),
            "1".into(),
        ],
    };
    let expected: Vec<Vec<String>> = vec![
        root_row.to_vec(),
        vec![
            uuid(1),
            "/boot".into(),
            "xfs".into(),
            "defaults".into(),
            "0".into(),
            "0".into(),
        ],
        vec![
            uuid(0),
            "/boot/efi".into(),
            "vfat".into(),
            "umask=0077,shortname=winnt".into(),
            "0".into(),
            "2".into(),
        ],
        vec![
            uuid(2),
            "none".into(),
            "swap".into(),
            "defaults".into(),
            "0".into(),
            "0".into(),
        ],
    ];
    assert_eq!(rows, expected, "{text}");

    let dir = tempfile::tempdir().expect("creating a temp dir");
    let root = dir.path().join("sysimage");
    let (to_mount, vfat) = without_esp_if_unmountable(&formatted);
    let guard = mount_target(&to_mount, &root, &rec).expect("mounting");
    let root = root.canonicalize().expect("canonical root");
    assert_eq!(guard.root(), root);
    let mounts = mounts_under(&root);
    let find = |p: &str| {
        let point = if p == "/" { root.clone() } else { root.join(p) };
        mounts
            .iter()
            .find(|m| m.0 == point)
            .unwrap_or_else(|| panic!("{p} is not mounted: {mounts:#?}"))
            .clone()
    };
    let checked: &[(usize, &str)] = if vfat {
        &[(3, "/"), (1, "boot"), (0, "boot/efi")]
    } else {
        &[(3, "/"), (1, "boot")]
    };
    for &(f, point) in checked {
        let m = find(point);
        assert_eq!(m.1, want[f].0, "{m:?}");
        assert_eq!(Path::new(&m.2), formatted[f].device, "{m:?}");
    }
    if vfat {
        // vfat shows umask=0077 as fmask and dmask.
        let esp = find("boot/efi");
        assert!(
            esp.4.contains("fmask=0077") && esp.4.contains("dmask=0077"),
            "{esp:?}"
        );
        assert!(esp.4.contains("shortname=winnt"), "{esp:?}");
    }
    assert_eq!(find("proc").1, "proc");
    assert_eq!(find("sys").1, "sysfs");
    find("dev");
    find("run");
    // rbind: the host's /dev submounts came along.
    find("dev/pts");
    // Mount order: / before /boot before /boot/efi, binds last.
    let order: Vec<&PathBuf> = mounts.iter().map(|m| &m.0).collect();
    let pos = |p: &Path| order.iter().position(|o| *o == p).expect("mounted");
    assert!(pos(&root) < pos(&root.join("boot")));
    let last_fs = if vfat { "boot/efi" } else { "boot" };
    assert!(pos(&root.join("boot")) < pos(&root.join(last_fs)) || !vfat);
    assert!(pos(&root.join(last_fs)) < pos(&root.join("dev")));

    std::fs::create_dir_all(root.join(last_fs).join("EFI")).expect("mkdir");
    std::fs::write(root.join(last_fs).join("EFI/marker"), "esp").expect("writing a file");
    fstab::write(&root, &formatted).expect("writing fstab");
    drop(guard);
    assert_eq!(mounts_under(&root), vec![], "left mounted");
    assert!(Path::new("/dev/null").exists(), "host /dev survived");

    // Everything written is on the disk: mount again and read it back.
    let mut guard = mount_target(&to_mount, &root, &rec).expect("mounting again");
    let marker = std::fs::read_to_string(root.join(last_fs).join("EFI/marker")).expect("marker");
    assert_eq!(marker, "esp");
    let on_disk = std::fs::read_to_string(root.join("etc/fstab")).expect("fstab");
    assert_eq!(on_disk, text);
    guard.unmount_all().expect("unmounting");
    assert!(guard.mounted().is_empty());
    assert_eq!(mounts_under(&root), vec![], "left mounted");
}

#[test]
fn ext4_root_on_512_byte_sectors() {
    require_loop_devices!();
    format_mount_roundtrip(512, FsType::Ext4);
}

#[test]
fn xfs_root_on_512_byte_sectors() {
    require_loop_devices!();
    format_mount_roundtrip(512, FsType::Xfs);
}

#[test]
fn ext4_root_on_4096_byte_sectors() {
    require_loop_devices!();
    format_mount_roundtrip(4096, FsType::Ext4);
}

#[test]
fn xfs_root_on_4096_byte_sectors() {
    require_loop_devices!();
    format_mount_roundtrip(4096, FsType::Xfs);
}

#[test]
fn a_failing_mount_unmounts_the_earlier_ones() {
    require_loop_devices!();
    let disk_bytes = 2 * GIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    let (table, filesystems) = uefi_like(512, disk_bytes, FsType::Ext4);
    let rec = Recorder::default();
    let nodes = partition(&lo.path, &table, &rec).expect("partitioning");
    let formatted: Vec<Formatted> = format_on(
        &filesystems,
        &Nodes::one_disk(&table, &nodes),
        |_| table.sector_size,
        &rec,
    )
    .expect("formatting");
    let (mut formatted, _) = without_esp_if_unmountable(&formatted);
    // /boot mounts second, after /.
    formatted[1].options = Some("no_such_option".into());
    let dir = tempfile::tempdir().expect("creating a temp dir");

    let err = mount_target(&formatted, dir.path(), &rec).expect_err("/boot must not mount");
    assert!(matches!(err, MountError::Mount { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&*formatted[1].device.to_string_lossy()),
        "{msg}"
    );
    assert!(msg.contains("/boot"), "{msg}");
    assert!(msg.contains("no_such_option"), "{msg}");
    let root = dir.path().canonicalize().expect("canonical root");
    assert_eq!(mounts_under(&root), vec![], "left mounted");
    // / had been mounted when /boot failed.
    let logs: Vec<String> = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Log {
                step: Some(Step::Mount),
                message,
                ..
            } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert!(logs[0].starts_with(&format!("mounting {}", formatted[3].device.display())));
}

#[test]
fn a_busy_target_is_reported_then_detached_on_drop() {
    require_loop_devices!();
    let disk_bytes = 2 * GIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    let (table, filesystems) = uefi_like(512, disk_bytes, FsType::Xfs);
    let rec = Recorder::default();
    let nodes = partition(&lo.path, &table, &rec).expect("partitioning");
    let formatted = format_on(
        &filesystems,
        &Nodes::one_disk(&table, &nodes),
        |_| table.sector_size,
        &rec,
    )
    .expect("formatting");
    let (formatted, _) = without_esp_if_unmountable(&formatted);
    let dir = tempfile::tempdir().expect("creating a temp dir");
    let mut guard = mount_target(&formatted, dir.path(), &rec).expect("mounting");
    let root = guard.root().to_owned();

    let held = std::fs::File::create(root.join("boot/held")).expect("opening a file on /boot");
    let err = guard.unmount_all().expect_err("/boot is busy");
    match &err {
        MountError::Unmount { target, source } => {
            assert_eq!(target, &root.join("boot"));
            assert_eq!(*source, nix::errno::Errno::EBUSY);
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(err.to_string().starts_with("unmounting "), "{err}");
    // The binds came off; / and /boot are still held for another try.
    assert_eq!(guard.mounted(), [root.clone(), root.join("boot")]);

    drop(guard);
    assert_eq!(mounts_under(&root), vec![], "left mounted");
    drop(held);
}

/// Another program holding a new partition exclusively for a moment (udev's probe, on a real
/// system) costs a retry, said in the log, not the install.
#[test]
fn a_partition_held_for_a_moment_is_formatted_after_a_retry() {
    use std::os::unix::fs::OpenOptionsExt;
    require_loop_devices!();
    let disk_bytes = 2 * GIB;
    let img = Image::sparse(disk_bytes);
    let lo = LoopDevice::attach(&img.path, 512);
    let (table, filesystems) = uefi_like(512, disk_bytes, FsType::Xfs);
    let rec = Recorder::default();
    let nodes = partition(&lo.path, &table, &rec).expect("partitioning");
    // Our own exclusive open can meet the same moment's holder: a child that another test
    // thread forked still has a copy of partition()'s O_EXCL descriptor of the disk until
    // it execs. So it tries too.
    let hold = || {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_EXCL)
            .open(&nodes[0])
    };
    let held = (0..40)
        .find_map(|_| {
            hold().ok().or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            })
        })
        .expect("holding the ESP exclusively");
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(held);
    });
    let formatted = format_on(
        &filesystems,
        &Nodes::one_disk(&table, &nodes),
        |_| table.sector_size,
        &rec,
    )
    .expect("formatting after the ESP was released");
    release.join().unwrap();
    assert_eq!(blkid_value(&nodes[0], "TYPE"), "vfat");
    assert_eq!(formatted.len(), 4);
    let busy: Vec<String> = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } if message.contains("is busy") => Some(message),
            _ => None,
        })
        .collect();
    assert!(
        !busy.is_empty() && busy[0].starts_with(&format!("{} is busy", nodes[0].display())),
        "{busy:?}"
    );
}

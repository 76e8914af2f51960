//! A fake machine for the probe: sysfs, /proc and /dev below a temporary directory, laid out
//! like the kernel's (sys/block/X are links into sys/devices, `device` links, attribute
//! files), with "device nodes" that are regular files holding real partition tables and
//! filesystems made by sfdisk and mkfs, which libblkid probes like disks.
#![allow(dead_code)]

pub mod machine;

use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use azl_installer::probe::Roots;

pub struct FakeTree {
    pub dir: tempfile::TempDir,
}

impl FakeTree {
    pub fn new() -> FakeTree {
        let t = FakeTree {
            dir: tempfile::tempdir().expect("creating a temp dir"),
        };
        for d in [
            "sys/block",
            "sys/class/net",
            "sys/devices",
            "dev",
            "proc/self",
        ] {
            std::fs::create_dir_all(t.path(d)).expect("creating the fake tree");
        }
        t
    }

    pub fn roots(&self) -> Roots {
        Roots::under(self.dir.path())
    }

    /// A path below the tree's root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating its directories); a trailing newline like sysfs has.
    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("creating dirs");
        std::fs::write(&p, format!("{content}\n")).expect("writing a fake file");
    }

    pub fn write_bytes(&self, rel: &str, content: &[u8]) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("creating dirs");
        std::fs::write(&p, content).expect("writing a fake file");
    }

    /// A symlink at `rel` pointing to `target` (written as given: relative or absolute).
    pub fn link(&self, rel: &str, target: impl AsRef<Path>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("creating dirs");
        symlink(target, &p).expect("creating a fake link");
    }

    /// A block device at sys/`devdir`/`name` with sys/block/`name` linking to it, and a
    /// `device` link to sys/`device` when given. `attrs` are (file below the disk, content);
    /// "device/model" lands in the device directory through the link, like in sysfs.
    pub fn block(
        &self,
        name: &str,
        devdir: &str,
        device: Option<&str>,
        dev: &str,
        sectors: u64,
        attrs: &[(&str, &str)],
    ) {
        let dir = format!("sys/{devdir}/{name}");
        std::fs::create_dir_all(self.path(&dir)).expect("creating a fake disk");
        self.link(&format!("sys/block/{name}"), self.path(&dir));
        if let Some(d) = device {
            std::fs::create_dir_all(self.path(&format!("sys/{d}"))).expect("creating a device");
            self.link(&format!("{dir}/device"), self.path(&format!("sys/{d}")));
        }
        self.write(&format!("{dir}/dev"), dev);
        self.write(&format!("{dir}/size"), &sectors.to_string());
        for (f, v) in attrs {
            self.write(&format!("sys/block/{name}/{f}"), v);
        }
    }

    /// Partition `part` of `disk`: start and size in 512-byte units, like sysfs.
    pub fn partition(&self, disk: &str, part: &str, number: u32, dev: &str, start: u64, size: u64) {
        let dir = format!("sys/block/{disk}/{part}");
        self.write(&format!("{dir}/partition"), &number.to_string());
        self.write(&format!("{dir}/start"), &start.to_string());
        self.write(&format!("{dir}/size"), &size.to_string());
        self.write(&format!("{dir}/dev"), dev);
    }

    /// `holder` (e.g. "dm-0") holds `device` (a disk or "disk/partition" below sys/block).
    pub fn hold(&self, device: &str, holder: &str) {
        let slave = device.rsplit('/').next().unwrap_or(device);
        self.link(
            &format!("sys/block/{device}/holders/{holder}"),
            self.path(&format!("sys/block/{holder}")),
        );
        self.link(
            &format!("sys/block/{holder}/slaves/{slave}"),
            self.path(&format!("sys/block/{device}")),
        );
    }

    /// A network interface at sys/`devdir`/net/`name`; `driver` links the device's driver.
    pub fn nic(&self, name: &str, devdir: &str, driver: Option<&str>, attrs: &[(&str, &str)]) {
        let dir = format!("sys/{devdir}/net/{name}");
        std::fs::create_dir_all(self.path(&dir)).expect("creating a fake nic");
        self.link(&format!("sys/class/net/{name}"), self.path(&dir));
        if let Some(drv) = driver {
            let drv_dir = self.path(&format!("sys/bus/pci/drivers/{drv}"));
            std::fs::create_dir_all(&drv_dir).expect("creating a driver");
            self.link(
                &format!("{dir}/device"),
                self.path(&format!("sys/{devdir}")),
            );
            self.link(&format!("sys/{devdir}/driver"), drv_dir);
        }
        for (f, v) in attrs {
            self.write(&format!("{dir}/{f}"), v);
        }
    }
}

/// A sparse file of `size` bytes.
pub fn sparse(path: &Path, size: u64) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("creating dirs");
    let f = std::fs::File::create(path).expect("creating an image");
    f.set_len(size).expect("sizing an image");
}

/// A filesystem image made by the real tool: "ext4", "vfat" or "swap".
pub fn filesystem(kind: &str, size: u64, label: &str, uuid: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("creating a temp dir");
    let p = dir.path().join("fs.img");
    sparse(&p, size);
    let ps = p.to_str().expect("a UTF-8 path");
    match kind {
        "ext4" => super::sh("mkfs.ext4", &["-q", "-F", "-L", label, "-U", uuid, ps]),
        // vfat's "UUID" is its volume id, written XXXX-XXXX.
        "vfat" => super::sh(
            "mkfs.vfat",
            &["-n", label, "-i", &uuid.replace('-', ""), ps],
        ),
        "swap" => super::sh("mkswap", &["-L", label, "-U", uuid, ps]),
        other => panic!("no recipe for {other}"),
    };
    std::fs::read(&p).expect("reading the filesystem image")
}

/// Copies `bytes` into `image` at `offset` bytes.
pub fn place(image: &Path, offset: u64, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(image)
        .expect("opening an image");
    f.seek(SeekFrom::Start(offset))
        .expect("seeking in an image");
    f.write_all(bytes).expect("writing into an image");
}

/// Writes a partition table with sfdisk from its script format.
pub fn sfdisk(image: &Path, script: &str) {
    let mut child = Command::new("sfdisk")
        .arg("--quiet")
        .arg(image)
        .stdin(Stdio::piped())
        .spawn()
        .expect("running sfdisk");
    child
        .stdin
        .take()
        .expect("sfdisk's stdin")
        .write_all(script.as_bytes())
        .expect("writing to sfdisk");
    assert!(
        child.wait().expect("waiting for sfdisk").success(),
        "sfdisk failed"
    );
}

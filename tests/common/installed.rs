//! Opening a disk image after an install to check what was installed: attach it, let the
//! kernel see its partitions, and mount the root (with /boot and the ESP) read-only.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{LoopDevice, Mount, sh};

pub struct Installed {
    pub lo: LoopDevice,
    pub dir: tempfile::TempDir,
    /// Mounted read-only, deepest last, unmounted in reverse on drop.
    mounts: Vec<Mount>,
}

/// Waits until the kernel lists partition `n` of `lo` (this kernel may lack the GPT parser:
/// partx adds the partitions then).
pub fn wait_for_partitions(lo: &LoopDevice, count: u32) {
    let _ = Command::new("partx").arg("--update").arg(&lo.path).status();
    for _ in 0..100 {
        if (1..=count).all(|n| lo.partition(n).exists()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("partitions of {} did not appear", lo.path.display());
}

impl Installed {
    /// Attaches `image` (made with `sector` byte sectors) and mounts its filesystems below a
    /// temp dir as fstab says: partitions are found by the UUIDs in the installed fstab.
    pub fn open(image: &Path, sector: u32, partitions: u32, root_partition: u32) -> Installed {
        let lo = LoopDevice::attach(image, sector);
        wait_for_partitions(&lo, partitions);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let mut mounts = vec![Mount::new_ro(&lo.partition(root_partition), &root)];
        let fstab = std::fs::read_to_string(root.join("etc/fstab")).unwrap_or_default();
        // Filesystems this kernel cannot mount (vfat on some VMs) are read with mtools instead.
        let mut entries: Vec<(String, String)> = fstab
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() >= 3 && f[1].starts_with('/') && f[1] != "/" && kernel_has(f[2]))
                    .then(|| (f[0].to_string(), f[1].to_string()))
            })
            .collect();
        entries.sort_by_key(|(_, m)| m.len());
        for (spec, mountpoint) in entries {
            let Some(uuid) = spec.strip_prefix("UUID=") else {
                continue;
            };
            let dev = (1..=partitions)
                .map(|n| lo.partition(n))
                .find(|p| blkid_uuid(p).as_deref() == Some(uuid));
            if let Some(dev) = dev {
                mounts.push(Mount::new_ro(
                    &dev,
                    &root.join(mountpoint.trim_start_matches('/')),
                ));
            }
        }
        Installed { lo, dir, mounts }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel.trim_start_matches('/'))
    }

    /// The installed packages (NEVRAs) in the rpmdb where Fedora keeps it, /var/lib/rpm.
    pub fn rpms(&self) -> Vec<String> {
        let root = self.root();
        let args = [
            "--root",
            root.to_str().unwrap(),
            "--dbpath",
            "/var/lib/rpm",
            "-qa",
        ];
        sh("rpm", &args).lines().map(str::to_owned).collect()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| panic!("reading {rel} in the installed system: {e}"))
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        while let Some(m) = self.mounts.pop() {
            drop(m);
        }
    }
}

fn kernel_has(fstype: &str) -> bool {
    std::fs::read_to_string("/proc/filesystems")
        .map(|s| {
            s.lines()
                .any(|l| l.split_whitespace().last() == Some(fstype))
        })
        .unwrap_or(false)
}

impl Installed {
    /// True when `path` exists on the FAT filesystem of partition `n` (read with mtools, so
    /// it works whether or not the kernel can mount vfat).
    pub fn fat_has(&self, n: u32, path: &str) -> bool {
        Command::new("mdir")
            .args(["-b", "-i"])
            .arg(self.lo.partition(n))
            .arg(format!("::{path}"))
            .env("MTOOLS_SKIP_CHECK", "1")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }
}

/// The filesystem UUID of a device, as blkid reports it.
pub fn blkid_uuid(dev: &Path) -> Option<String> {
    let out = Command::new("blkid")
        .args(["-p", "-s", "UUID", "-o", "value"])
        .arg(dev)
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// crypt(3) of `password` with the salt of `hash`, by the system's libxcrypt (what a login
/// computes), to prove a stored hash is right. Linked directly: Python 3.13+ (Debian
/// testing) has no `crypt` module any more.
pub fn crypt(password: &str, hash: &str) -> String {
    use std::ffi::{CStr, CString, c_char};
    #[link(name = "crypt")]
    unsafe extern "C" {
        fn crypt(phrase: *const c_char, setting: *const c_char) -> *mut c_char;
    }
    // crypt(3) returns a static buffer: one caller at a time.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let phrase = CString::new(password).expect("a password without NUL");
    let setting = CString::new(hash).expect("a hash without NUL");
    // SAFETY: both arguments are NUL-terminated strings that outlive the call; the result
    // is NULL or a NUL-terminated string in libxcrypt's static buffer, copied under the lock.
    let out = unsafe { crypt(phrase.as_ptr(), setting.as_ptr()) };
    assert!(!out.is_null(), "crypt() refused the setting {hash:?}");
    // SAFETY: non-NULL, NUL-terminated (above).
    unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned()
}

/// Every regular file below `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file()
                && let Ok(bytes) = std::fs::read(e.path())
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                hits.push(e.path());
            }
        }
    }
    hits
}

/// Nothing of the installer's is still mounted at `sysimage` or attached for `image`.
pub fn assert_nothing_left(image: &Path, sysimage: &Path) {
    let attached = sh("losetup", &["-j", image.to_str().unwrap()]);
    assert!(attached.trim().is_empty(), "still attached: {attached}");
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    let at = sysimage.to_string_lossy();
    assert!(
        !mounts.contains(at.as_ref()),
        "still mounted under {at}: {mounts}"
    );
}

/// `install ANSWER --yes` onto the disk image `img` names, run from a directory of the
/// image's own (log, package cache) with a mount point of its own: the output and that
/// mount point.
pub fn install_onto(img: &super::Image, answer: &Path) -> (std::process::Output, PathBuf) {
    let sysimage = img.dir.path().join("sysimage");
    let o = super::installer_in(
        &img.dir.path().join("run"),
        &[
            "install",
            answer.to_str().unwrap(),
            "--yes",
            "--sysimage",
            sysimage.to_str().unwrap(),
        ],
    );
    (o, sysimage)
}

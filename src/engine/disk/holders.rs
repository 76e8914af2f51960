//! Who holds a busy disk, for the "in use" message: mounts, swap, dm/md holders.

use std::fs;
use std::path::Path;

use super::sysfs;

/// "/dev/loop3p1 mounted on /mnt; /dev/loop3p2 active swap; /dev/loop3 held by dm-0", or a
/// generic phrase when nothing specific is found.
pub fn describe(device: &Path) -> String {
    let Some(disk) = disk_name(device) else {
        return "opened exclusively by another program".into();
    };
    let mut names = vec![disk.clone()];
    names.extend(sysfs::partitions(&disk).into_iter().map(|p| p.name));
    let mut found = Vec::new();

    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let swaps = fs::read_to_string("/proc/swaps").unwrap_or_default();
    for name in &names {
        if let Some((maj, min)) = sysfs::dev_numbers(name) {
            let id = format!("{maj}:{min}");
            // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..."
            for l in mountinfo.lines() {
                let f: Vec<&str> = l.split_whitespace().collect();
                if f.get(2) == Some(&id.as_str())
                    && let Some(mp) = f.get(4)
                {
                    found.push(format!("/dev/{name} mounted on {mp}"));
                }
            }
        }
        let node = format!("/dev/{name}");
        if swaps
            .lines()
            .skip(1)
            .any(|l| l.split_whitespace().next() == Some(&node))
        {
            found.push(format!("{node} active swap"));
        }
        if let Ok(holders) = fs::read_dir(format!("/sys/class/block/{name}/holders")) {
            for h in holders.flatten() {
                found.push(format!(
                    "{node} held by {}",
                    h.file_name().to_string_lossy()
                ));
            }
        }
    }
    if found.is_empty() {
        "opened exclusively by another program".into()
    } else {
        found.join("; ")
    }
}

/// The kernel name of a device path, following /dev/disk/by-* links.
fn disk_name(device: &Path) -> Option<String> {
    let real = fs::canonicalize(device).ok()?;
    Some(real.file_name()?.to_string_lossy().into_owned())
}

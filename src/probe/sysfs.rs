//! Reading sysfs and procfs attribute files: required ones fail with the file's path,
//! optional ones become `None`.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use super::ProbeError;

/// A file the probe cannot do without.
pub fn required(path: &Path) -> Result<String, ProbeError> {
    std::fs::read_to_string(path).map_err(|source| ProbeError::Read {
        path: path.to_owned(),
        source,
    })
}

/// A required number, e.g. a disk's `size`.
pub fn required_u64(path: &Path) -> Result<u64, ProbeError> {
    let text = required(path)?;
    text.trim().parse().map_err(|_| ProbeError::Parse {
        path: path.to_owned(),
        value: text.trim().to_owned(),
        expected: "a number",
    })
}

/// An optional attribute, trimmed; `None` when absent, unreadable (sysfs answers EINVAL for
/// some attributes of an interface that is down) or blank.
pub fn attr(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

pub fn attr_u64(path: &Path) -> Option<u64> {
    attr(path)?.parse().ok()
}

/// "1" is true; anything else, or no file, is false.
pub fn flag(path: &Path) -> bool {
    attr(path).as_deref() == Some("1")
}

/// Names in a directory, naturally sorted; a directory that does not exist is empty (e.g. a
/// disk without `holders/`).
pub fn names(dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort_by(|a, b| natural_cmp(a, b));
    v
}

/// Names in a directory that must exist (e.g. `sys/block`).
pub fn required_names(dir: &Path) -> Result<Vec<String>, ProbeError> {
    std::fs::read_dir(dir).map_err(|source| ProbeError::Read {
        path: dir.to_owned(),
        source,
    })?;
    Ok(names(dir))
}

/// The last component of a symlink's target, e.g. the driver's name from `device/driver`.
pub fn link_name(path: &Path) -> Option<String> {
    let target = std::fs::read_link(path).ok()?;
    target.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Where a sysfs entry really lives, relative to the sysfs root ("devices/pci0000:00/…"), so
/// that the location of a fake tree never leaks into transport detection.
pub fn device_path(sys: &Path, entry: &Path) -> Option<String> {
    let real = std::fs::canonicalize(entry).ok()?;
    let root = std::fs::canonicalize(sys).unwrap_or_else(|_| sys.to_owned());
    let rel: PathBuf = real.strip_prefix(&root).ok()?.to_owned();
    Some(format!("/{}", rel.display()))
}

/// "loop2" before "loop10", "sda" before "sdb".
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let key = |s: &str| {
        let split = s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, digits) = s.split_at(split);
        (
            head.to_owned(),
            digits.parse::<u64>().unwrap_or(0),
            s.to_owned(),
        )
    };
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_puts_numbers_in_order() {
        let mut v = vec!["loop10", "loop2", "sdb", "sda", "nvme0n1"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["loop2", "loop10", "nvme0n1", "sda", "sdb"]);
    }

    #[test]
    fn required_names_the_file() {
        let err = required(Path::new("/nonexistent/size")).unwrap_err();
        assert!(err.to_string().starts_with("reading /nonexistent/size:"));
    }
}

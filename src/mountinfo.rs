//! The kernel's table of mounts (/proc/self/mountinfo, and the path escapes of /proc/swaps).
//! A leaf: the probe reads it to tell which disks are busy, the engine to unmount what it
//! mounted. One parser, so both agree on what the kernel wrote.

use std::path::PathBuf;

/// The fields of one mountinfo line that the installer uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// "major:minor" of the mounted device (3rd field).
    pub devno: String,
    /// Where it is mounted (5th field).
    pub mountpoint: PathBuf,
    /// After the " - " separator: the filesystem type and the source.
    pub fstype: String,
    pub source: String,
}

/// Parses mountinfo text, in the kernel's order (mount order). Malformed lines are skipped.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (head, tail) = line.split_once(" - ")?;
            let mut h = head.split(' ');
            let devno = h.nth(2)?.to_owned();
            let mountpoint = PathBuf::from(unescape(h.nth(1)?));
            let mut t = tail.split(' ');
            let fstype = t.next()?.to_owned();
            let source = unescape(t.next().unwrap_or(""));
            Some(Mount {
                devno,
                mountpoint,
                fstype,
                source,
            })
        })
        .collect()
}

/// This process's mounts, as the kernel lists them now.
pub fn read_own() -> std::io::Result<Vec<Mount>> {
    std::fs::read_to_string("/proc/self/mountinfo").map(|t| parse(&t))
}

/// The kernel writes space, tab, newline and backslash in paths as \040, \011, \012, \134.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // At most \377: anything else is not an escape the kernel writes.
        let octal = b.get(i + 1..i + 4).filter(|d| {
            (b'0'..=b'3').contains(&d[0]) && d[1..].iter().all(|c| (b'0'..=b'7').contains(c))
        });
        match (b[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn mountinfo_lines() {
        let text = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
                    90 27 8:17 / /mnt/my\\040disk rw shared:5 master:1 - vfat /dev/sdb1 rw\n\
                    91 27 0:45 / /run/x rw - tmpfs tmpfs rw\n";
        let m = parse(text);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].devno, "254:0");
        assert_eq!(m[0].mountpoint, Path::new("/"));
        assert_eq!(m[0].source, "/dev/vda");
        assert_eq!(m[1].mountpoint, Path::new("/mnt/my disk"));
        assert_eq!(m[1].fstype, "vfat");
        assert_eq!(m[1].source, "/dev/sdb1");
        assert_eq!(m[2].fstype, "tmpfs");
    }

    #[test]
    fn unescape_leaves_lone_backslashes() {
        assert_eq!(unescape(r"a\134b\0"), r"a\b\0");
        assert_eq!(unescape(r"\777"), r"\777");
        assert_eq!(unescape(r"/mnt/a\040b\134c"), r"/mnt/a b\c");
        assert_eq!(unescape(r"/x\04"), r"/x\04");
    }
}

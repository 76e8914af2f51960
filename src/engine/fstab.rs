//! The target's /etc/fstab: every filesystem by its UUID, in mount order, swap last.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::answer::FsType;

use super::target::{Formatted, mount_order};

#[derive(Debug, thiserror::Error)]
#[error("writing {path}: {source}")]
pub struct FstabError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

const HEADER: &str = "\
#
# /etc/fstab
# Written by azl-installer.
#
# Filesystems are named by UUID (see blkid(8) and /dev/disk/by-uuid/).
# See fstab(5), findfs(8) and mount(8) for more.
#
";

/// fsck pass as Anaconda sets it: 1 for an ext4 root, 2 for other checkable filesystems
/// (ext4, the ESP's FAT), 0 for XFS (fsck.xfs does nothing; the log is replayed at mount).
fn pass(f: &Formatted) -> u8 {
    match f.fs {
        FsType::Ext4 if f.mount.as_deref() == Some("/") => 1,
        FsType::Ext4 | FsType::Vfat => 2,
        FsType::Xfs | FsType::Swap | FsType::None => 0,
    }
}

/// The whole file. Partitions without a UUID (bios-boot) have no line.
pub fn render(formatted: &[Formatted]) -> String {
    let mut rows: Vec<[String; 6]> = Vec::new();
    for f in mount_order(formatted) {
        let (Some(uuid), Some(mount)) = (&f.uuid, &f.mount) else {
            continue;
        };
        rows.push([
            format!("UUID={uuid}"),
            mount.clone(),
            f.fs.as_str().into(),
            f.mount_options(),
            "0".into(),
            pass(f).to_string(),
        ]);
    }
    for f in formatted.iter().filter(|f| f.fs == FsType::Swap) {
        if let Some(uuid) = &f.uuid {
            rows.push([
                format!("UUID={uuid}"),
                "none".into(),
                "swap".into(),
                f.mount_options(),
                "0".into(),
                "0".into(),
            ]);
        }
    }
    let mut out = String::from(HEADER);
    // Aligned columns, for the admin who reads it.
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line = format!(
            "{:w0$} {:w1$} {:w2$} {:w3$} {} {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Writes `root`/etc/fstab (creating etc/ when the payload has not yet).
pub fn write(root: &Path, formatted: &[Formatted]) -> Result<(), FstabError> {
    let etc = root.join("etc");
    let path = etc.join("fstab");
    let err = |source| FstabError {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&etc).map_err(err)?;
    let mut f = std::fs::File::create(&path).map_err(err)?;
    f.write_all(render(formatted).as_bytes()).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Role;

    fn fmt(n: u32, role: Role, fs: FsType, mount: Option<&str>, uuid: Option<&str>) -> Formatted {
        Formatted {
            on: crate::plan::DeviceRef::Partition { disk: 0, number: n },
            number: n,
            role,
            device: format!("/dev/vda{n}").into(),
            fs,
            uuid: uuid.map(String::from),
            part_uuid: None,
            label: None,
            mount: mount.map(String::from),
            options: None,
        }
    }

    #[test]
    fn fedora_like_lines_in_mount_order_swap_last() {
        let mut esp = fmt(
            1,
            Role::Esp,
            FsType::Vfat,
            Some("/boot/efi"),
            Some("ABCD-1234"),
        );
        esp.options = Some("umask=0077".into());
        let list = vec![
            esp,
            fmt(2, Role::Boot, FsType::Xfs, Some("/boot"), Some("b-uuid")),
            fmt(3, Role::Swap, FsType::Swap, None, Some("s-uuid")),
            fmt(4, Role::BiosBoot, FsType::None, None, None),
            fmt(5, Role::Var, FsType::Ext4, Some("/var"), Some("v-uuid")),
            fmt(6, Role::Root, FsType::Ext4, Some("/"), Some("r-uuid")),
        ];
        let text = render(&list);
        assert!(text.starts_with("#\n# /etc/fstab\n# Written by azl-installer."));
        let lines: Vec<Vec<&str>> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            lines,
            vec![
                vec!["UUID=r-uuid", "/", "ext4", "defaults", "0", "1"],
                vec!["UUID=b-uuid", "/boot", "xfs", "defaults", "0", "0"],
                vec!["UUID=v-uuid", "/var", "ext4", "defaults", "0", "2"],
                vec![
                    "UUID=ABCD-1234",
                    "/boot/efi",
                    "vfat",
                    "umask=0077",
                    "0",
                    "2"
                ],
                vec!["UUID=s-uuid", "none", "swap", "defaults", "0", "0"],
            ]
        );
    }

    #[test]
    fn esp_without_options_gets_fedoras() {
        let esp = fmt(
            1,
            Role::Esp,
            FsType::Vfat,
            Some("/boot/efi"),
            Some("ABCD-1234"),
        );
        assert!(render(&[esp]).contains(" umask=0077,shortname=winnt 0 2\n"));
    }
}

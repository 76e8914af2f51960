//! Initramfs images and boot entries for the installed kernels, made by the target's own
//! kernel-install (or dracut) once /etc/kernel/cmdline exists.
//!
//! Why a faster compression for these first images: dracut's defaults are its strongest
//! levels (`gzip -9`, `zstd -15`), and they cost most of the configure step. Measured on a
//! 53 MiB generic image on 2 cores: `gzip -9` 9.3 s, `gzip -1` 1.2 s for a 6 % larger file,
//! `zstd -3` 0.3 s for a file smaller than gzip -9's. The setting is a drop-in that exists
//! only while the installer builds the images: later kernel updates use the distribution's.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cmd::Cmd;

use super::{ConfigureError, Context, Log, at, find_tool, write_file};

/// The drop-in present while the installer builds the first images.
pub const INSTALL_COMPRESS_DRACUT: &str = "/etc/dracut.conf.d/99-azl-install-compress.conf";

/// Builds the initramfs and boot entry of each kernel in `kernels` (versions as `uname -r`
/// prints them), whose build configurations are `configs` (where found).
pub(super) fn build(
    ctx: &Context,
    kernels: &[String],
    configs: &[String],
    log: &Log,
) -> Result<(), ConfigureError> {
    let fast = FastCompression::write(ctx.root, compressor(ctx.root, configs))?;
    let how = match fast.compress {
        Some(c) => format!(", compressed with {c} for the install"),
        None => String::new(),
    };
    for ver in kernels {
        let image = format!("/lib/modules/{ver}/vmlinuz");
        let started = Instant::now();
        let took = || format!("{:.1} s", started.elapsed().as_secs_f64());
        if let Some(ki) = find_tool(ctx.root, "kernel-install") {
            Cmd::new(ki)
                .args(["add", ver, &image])
                .in_root(ctx.root)
                .run()?;
            log.info(format!(
                "kernel {ver}: initramfs and boot entry (kernel-install{how}) in {}",
                took()
            ));
        } else if let Some(dracut) = find_tool(ctx.root, "dracut") {
            let initrd = format!("/boot/initramfs-{ver}.img");
            Cmd::new(dracut)
                .args(["-f", &initrd, ver])
                .in_root(ctx.root)
                .run()?;
            log.info(format!(
                "kernel {ver}: initramfs (dracut{how}) in {}",
                took()
            ));
        } else {
            log.warn(format!(
                "kernel {ver}: the target has neither kernel-install nor dracut; no initramfs made"
            ));
        }
    }
    fast.remove()
}

/// The fast compressor the target has and every kernel can unpack: dracut's own order of
/// preference (zstd, then gzip), at a fast level. None leaves dracut's default.
fn compressor(root: &Path, configs: &[String]) -> Option<&'static str> {
    let unpacks = |option: &str| {
        configs
            .iter()
            .all(|c| c.lines().any(|l| l.trim() == format!("{option}=y")))
    };
    [
        ("zstd", "CONFIG_RD_ZSTD", "zstd -q -3 -T0"),
        ("pigz", "CONFIG_RD_GZIP", "pigz -n -1"),
        ("gzip", "CONFIG_RD_GZIP", "gzip -n -1"),
    ]
    .into_iter()
    .find(|(tool, option, _)| find_tool(root, tool).is_some() && unpacks(option))
    .map(|(_, _, command)| command)
}

/// The install-time drop-in; removed by `remove`, or on drop when a build failed.
struct FastCompression {
    file: Option<PathBuf>,
    compress: Option<&'static str>,
}

impl FastCompression {
    fn write(root: &Path, compress: Option<&'static str>) -> Result<Self, ConfigureError> {
        let Some(c) = compress else {
            return Ok(FastCompression {
                file: None,
                compress,
            });
        };
        let text = format!(
            "# Written by azl-installer while it builds the first initramfs; removed after.\n\
             compress=\"{c}\"\n"
        );
        write_file(root, INSTALL_COMPRESS_DRACUT, text.as_bytes(), 0o644)?;
        Ok(FastCompression {
            file: Some(at(root, INSTALL_COMPRESS_DRACUT)),
            compress,
        })
    }

    fn remove(mut self) -> Result<(), ConfigureError> {
        match self.file.take() {
            Some(f) => std::fs::remove_file(&f)
                .map_err(super::io_err(format!("removing {INSTALL_COMPRESS_DRACUT}"))),
            None => Ok(()),
        }
    }
}

impl Drop for FastCompression {
    fn drop(&mut self) {
        if let Some(f) = self.file.take() {
            let _ = std::fs::remove_file(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(tools: &[&str]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("usr/bin")).unwrap();
        for t in tools {
            std::fs::write(d.path().join("usr/bin").join(t), "").unwrap();
        }
        d
    }

    #[test]
    fn zstd_first_when_every_kernel_unpacks_it() {
        let d = root_with(&["gzip", "zstd"]);
        let both = "CONFIG_RD_GZIP=y\nCONFIG_RD_ZSTD=y\n".to_owned();
        let gzip_only = "CONFIG_RD_GZIP=y\n# CONFIG_RD_ZSTD is not set\n".to_owned();
        assert_eq!(
            compressor(d.path(), std::slice::from_ref(&both)),
            Some("zstd -q -3 -T0")
        );
        assert_eq!(compressor(d.path(), &[both, gzip_only]), Some("gzip -n -1"));
    }

    #[test]
    fn no_known_compressor_leaves_dracut_its_default() {
        let d = root_with(&["xz"]);
        assert_eq!(compressor(d.path(), &["CONFIG_RD_XZ=y\n".to_owned()]), None);
    }
}

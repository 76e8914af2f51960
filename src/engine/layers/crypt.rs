//! cryptsetup, wrapped once: make a LUKS2 container, open and close it, read its UUID. The
//! passphrase goes through stdin, never on a command line, in a log or in an error.

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, CmdError};
use crate::plan::Secret;

/// `/dev/mapper/NAME`.
pub fn node(name: &str) -> PathBuf {
    PathBuf::from("/dev/mapper").join(name)
}

/// Makes a LUKS2 container on `device`, unlocked by `secret`.
pub fn format(device: &Path, secret: &Secret) -> Result<(), CmdError> {
    Cmd::new("cryptsetup")
        .args([
            "luksFormat",
            "--type",
            "luks2",
            "--batch-mode",
            "--key-file=-",
        ])
        .arg(device)
        .stdin(secret.expose().as_bytes().to_vec())
        .run()
        .map(drop)
}

/// Opens the container on `device` as /dev/mapper/NAME.
pub fn open(device: &Path, name: &str, secret: &Secret) -> Result<PathBuf, CmdError> {
    Cmd::new("cryptsetup")
        .args(["open", "--type", "luks2", "--key-file=-"])
        .arg(device)
        .arg(name)
        .stdin(secret.expose().as_bytes().to_vec())
        .run()?;
    Ok(node(name))
}

/// Closes /dev/mapper/NAME.
pub fn close(name: &str) -> Result<(), CmdError> {
    Cmd::new("cryptsetup")
        .arg("close")
        .arg(name)
        .run()
        .map(drop)
}

/// The container's LUKS UUID, for crypttab and the kernel command line.
pub fn uuid(device: &Path) -> Result<String, CmdError> {
    Cmd::new("cryptsetup")
        .arg("luksUUID")
        .arg(device)
        .run()
        .map(|o| o.stdout.trim().to_string())
}

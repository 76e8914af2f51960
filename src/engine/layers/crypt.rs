//! cryptsetup and systemd-cryptenroll, wrapped once: make a LUKS2 container, open and
//! close it, read its UUID, seal a key to the TPM2. The passphrase goes through stdin (the
//! environment for systemd-cryptenroll), never on a command line, in a log or in an error.

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

/// Adds a key sealed by this machine's TPM2 to `pcrs`; `secret` unlocks the container and
/// stays as the recovery passphrase.
pub fn enroll_tpm2(device: &Path, pcrs: &[u8], secret: &Secret) -> Result<(), CmdError> {
    let pcrs: Vec<String> = pcrs.iter().map(u8::to_string).collect();
    Cmd::new("systemd-cryptenroll")
        .arg("--tpm2-device=auto")
        .arg(format!("--tpm2-pcrs={}", pcrs.join("+")))
        .arg(device)
        .env("PASSWORD", secret.expose())
        .run()
        .map(drop)
}

/// Removes every passphrase key slot (the TPM2 one stays): for a TPM2-only container made
/// with a one-time key.
pub fn wipe_passphrases(device: &Path, secret: &Secret) -> Result<(), CmdError> {
    Cmd::new("systemd-cryptenroll")
        .arg("--wipe-slot=password")
        .arg(device)
        .env("PASSWORD", secret.expose())
        .run()
        .map(drop)
}

//! SSH access to the live installer (`inst.sshd`, `[install] remote_ssh_keys`): the live
//! system's own sshd, with a configuration of ours under the run directory: key logins
//! only, as root, with the given keys only, and every login put in front of the installer
//! (`azl-installer attach`: the progress of the install, or the TUI) instead of a shell.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, CmdError, find_program};

#[derive(Debug, thiserror::Error)]
pub enum LiveSshdError {
    #[error("SSH access needs sshd on the live system (openssh-server), and it has none")]
    NoSshd,
    #[error("SSH access: {0}")]
    Cmd(#[from] CmdError),
    #[error("SSH access: writing {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The installer's sshd: its files in `dir` (the run directory's `sshd/`).
pub struct LiveSshd {
    dir: PathBuf,
}

impl LiveSshd {
    pub fn new(run_dir: &Path) -> LiveSshd {
        LiveSshd {
            dir: run_dir.join("sshd"),
        }
    }

    /// The keys that may log in, read by sshd at each login (so keys added later count).
    pub fn authorized_keys(&self) -> PathBuf {
        self.dir.join("authorized_keys")
    }

    fn config(&self) -> PathBuf {
        self.dir.join("sshd_config")
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.join("sshd.pid")
    }

    /// Adds `keys` to those that may log in (keeping those there, no repeats); returns how
    /// many may log in now.
    pub fn allow(&self, keys: &[String]) -> Result<usize, LiveSshdError> {
        self.make_dir()?;
        let path = self.authorized_keys();
        let mut all: Vec<String> = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        for k in keys {
            let k = k.trim().to_string();
            if !k.is_empty() && !all.contains(&k) {
                all.push(k);
            }
        }
        let text: String = all.iter().map(|k| format!("{k}\n")).collect();
        super::save_logs::write_private(&path, text.as_bytes())
            .map_err(|source| LiveSshdError::Write { path, source })?;
        Ok(all.len())
    }

    /// The host key (made once) and the configuration; `listen` is sshd's ListenAddress
    /// (None: port 22 on every address); `attach` is what each login runs.
    pub fn prepare(&self, listen: Option<&str>, attach: &str) -> Result<(), LiveSshdError> {
        self.make_dir()?;
        let host_key = self.dir.join("ssh_host_ed25519_key");
        if !host_key.exists() {
            Cmd::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "azl-installer", "-f"])
                .arg(&host_key)
                .run()?;
        }
        // sshd refuses to start without its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let listen = listen.map_or(String::new(), |l| format!("ListenAddress {l}\n"));
        let text = format!(
            "# Written by azl-installer: SSH access to the installer (inst.sshd).\n\
             {listen}HostKey {key}\nPidFile {pid}\nAuthorizedKeysFile {auth}\n\
             PermitRootLogin prohibit-password\nAllowUsers root\nPubkeyAuthentication yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitEmptyPasswords no\n\
             UsePAM yes\nX11Forwarding no\nAllowTcpForwarding no\nPrintMotd no\n\
             ForceCommand {attach}\n",
            key = host_key.display(),
            pid = self.pid_file().display(),
            auth = self.authorized_keys().display(),
            attach = attach,
        );
        let path = self.config();
        super::save_logs::write_private(&path, text.as_bytes())
            .map_err(|source| LiveSshdError::Write { path, source })?;
        // sshd -t: a configuration it would refuse is said now, with its words.
        Cmd::new(sshd()?)
            .arg("-t")
            .arg("-f")
            .arg(self.config())
            .run()?;
        Ok(())
    }

    /// The host key's fingerprint, as `ssh` shows it on first connection ("SHA256:...").
    pub fn fingerprint(&self) -> Option<String> {
        let out = Cmd::new("ssh-keygen")
            .arg("-l")
            .arg("-f")
            .arg(self.dir.join("ssh_host_ed25519_key.pub"))
            .run()
            .ok()?;
        out.stdout.split_whitespace().nth(1).map(str::to_string)
    }

    /// The pid of this sshd when it runs.
    pub fn running(&self) -> Option<i32> {
        let pid: i32 = std::fs::read_to_string(self.pid_file())
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
    }

    /// Starts sshd in the background (it detaches itself and outlives the installer).
    pub fn start(&self) -> Result<(), LiveSshdError> {
        Cmd::new(sshd()?).arg("-f").arg(self.config()).run()?;
        Ok(())
    }

    /// Runs sshd in the foreground in place of this process (a systemd service's).
    pub fn exec(&self) -> LiveSshdError {
        match sshd() {
            Ok(p) => Cmd::new(p)
                .args(["-D", "-e", "-f"])
                .arg(self.config())
                .exec()
                .into(),
            Err(e) => e,
        }
    }

    fn make_dir(&self) -> Result<(), LiveSshdError> {
        super::save_logs::make_private_dir(&self.dir).map_err(|source| LiveSshdError::Write {
            path: self.dir.clone(),
            source,
        })
    }
}

/// sshd is in /usr/sbin, which a service's PATH may lack.
fn sshd() -> Result<PathBuf, LiveSshdError> {
    find_program("sshd")
        .or_else(|| find_program("/usr/sbin/sshd"))
        .ok_or(LiveSshdError::NoSshd)
}

/// The addresses an admin can reach this machine at: up, not loopback or link-local.
pub fn addresses() -> Vec<IpAddr> {
    use nix::net::if_::InterfaceFlags;
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in addrs {
        if !a.flags.contains(InterfaceFlags::IFF_UP)
            || a.flags.contains(InterfaceFlags::IFF_LOOPBACK)
        {
            continue;
        }
        let Some(s) = a.address else { continue };
        let ip = if let Some(v4) = s.as_sockaddr_in() {
            IpAddr::V4(v4.ip())
        } else if let Some(v6) = s.as_sockaddr_in6() {
            IpAddr::V6(v6.ip())
        } else {
            continue;
        };
        let link_local = match ip {
            IpAddr::V4(v4) => v4.is_link_local(),
            IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
        };
        if !link_local && !ip.is_loopback() && !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

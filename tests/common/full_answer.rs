//! The answer file of the whole-install tests: every section an admin sets, onto one image
//! from the signed fixture repository.

use std::path::Path;

use super::fixture::FixtureRepo;

/// The admin's plain password: it must end up hashed, never in a log.
pub const ADMIN_PASSWORD: &str = "Tr0ub4dor&3-not-in-logs";
pub const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIhPMlx7Y5kfC2BuXTAEds745OwGnSvSqaSeOOMagxk admin@example.com";

pub fn answer(repo: &FixtureRepo, image: &Path, firmware: &str, storage: &str) -> String {
    format!(
        r#"version = 1
[install]
confirm = false
finish = "none"
[target]
path = "{img}"
wipe = true
firmware = "{firmware}"
{storage}
[[repos]]
name = "fixture"
url = "{url}"
gpg_keys = ["{key}"]
[packages]
install = ["vim-enhanced"]
[kernel]
cmdline = ["console=ttyS0,115200"]
[selinux]
mode = "enforcing"
[ssh]
permit_root_login = "prohibit-password"
password_authentication = false
[system]
hostname = "web01.example.com"
timezone = "Europe/Paris"
locale = "en_US.UTF-8"
keymap = "us"
[[network.interfaces]]
match = {{ mac = "52:54:00:12:34:56" }}
dhcp = false
addresses = ["192.0.2.10/24"]
gateway = "192.0.2.1"
dns = ["192.0.2.53"]
[[network.interfaces]]
match = {{ name = "eth1" }}
dhcp = true
[root]
password = "locked"
ssh_keys = ["{KEY}"]
[[users]]
name = "admin"
groups = ["wheel"]
password = {{ plain = "{ADMIN_PASSWORD}" }}
ssh_keys = ["{KEY}"]
[[scripts.post]]
run = "echo post-ran > /etc/post-script-marker"
"#,
        img = image.display(),
        url = repo.repo_url(),
        key = repo.key_url(),
    )
}

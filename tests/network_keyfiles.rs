//! The NetworkManager keyfiles the installer writes, read back by NetworkManager itself:
//! each answer below (every kind of connection: NICs bound every way, static and DHCP,
//! IPv6 modes, routes, search domains, MTU, bonds of every option, VLANs on a bond and on a
//! NIC known by MAC, bridges with NIC, bond and VLAN ports) is planned, each profile's
//! keyfile is loaded with `nmcli --offline` (NetworkManager 1.46+, in the forky root: Debian
//! 12's 1.42 has no --offline), and every key the installer wrote must come back with the
//! same value: NetworkManager drops keys it does not know and resets values it cannot parse
//! without an error, so a clean exit alone would prove nothing.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use azl_installer::answer::Answer;
use azl_installer::engine::configure::keyfile::keyfile;
use azl_installer::plan::connections;

const ANSWERS: &[(&str, &str)] = &[
    (
        "nics",
        r#"
[[network.interfaces]]
match = { name = "eno1" }
dhcp = false
addresses = ["192.0.2.10/24", "192.0.2.11/24", "2001:db8::10/64"]
gateway = "192.0.2.1"
gateway6 = "2001:db8::1"
dns = ["192.0.2.53", "2001:db8::53"]
dns_search = ["example.com", "corp.example"]
routes = [
  { to = "10.0.0.0/8", via = "192.0.2.254", metric = 100 },
  { to = "172.16.0.0/12", via = "192.0.2.254" },
  { to = "198.18.0.0/15" },
  { to = "203.0.113.0/24", metric = 50 },
  { to = "2001:db8:1::/48", via = "2001:db8::fe" },
]
mtu = 9000
[[network.interfaces]]
match = { mac = "52:54:00:12:34:56" }
ipv6 = "dhcp"
[[network.interfaces]]
match = { driver = "ixgbe" }
ipv6 = "disabled"
mtu = 1400
[[network.interfaces]]
match = { pci_path = "0000:3b:00.1" }
dhcp = false
ipv6 = "auto"
[[network.interfaces]]
match = { first_with_link = true }
"#,
    ),
    (
        "bonds",
        r#"
[[network.bonds]]
name = "bond0"
members = ["eno1", { mac = "52:54:00:00:00:02" }]
mode = "802.3ad"
lacp_rate = "fast"
miimon = 250
mtu = 9000
dhcp = false
addresses = ["192.0.2.10/24"]
gateway = "192.0.2.1"
[[network.bonds]]
name = "bond1"
members = ["eno3", "eno4"]
primary = "eno3"
[[network.bonds]]
name = "bond2"
members = [{ pci_path = "0000:3b:00.0" }]
mode = "balance-alb"
ipv6 = "manual"
dhcp = false
addresses = ["2001:db8::2/64"]
"#,
    ),
    (
        "vlans-and-bridges",
        r#"
[[network.bonds]]
name = "bond0"
members = ["eno1", "eno2"]
[[network.vlans]]
id = 42
on = "bond0"
dhcp = false
addresses = ["192.0.2.10/24"]
[[network.vlans]]
id = 43
on = "bond0"
[[network.vlans]]
id = 7
on = { mac = "52:54:00:aa:bb:cc" }
name = "mgmt"
[[network.vlans]]
id = 100
on = "eno5"
[[network.bridges]]
name = "br0"
ports = ["bond0.43", "eno3", { mac = "52:54:00:00:00:09" }]
stp = true
dhcp = false
addresses = ["198.51.100.2/24"]
[[network.bonds]]
name = "bond9"
members = ["eno6"]
[[network.bridges]]
name = "br1"
ports = ["bond9"]
"#,
    ),
];

/// Every `key=value` under its section, comments and blank lines left out.
fn entries(keyfile: &str) -> BTreeMap<(String, String), String> {
    let mut section = String::new();
    let mut out = BTreeMap::new();
    for line in keyfile.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert((section.clone(), k.to_string()), v.to_string());
        }
    }
    out
}

/// `nmcli --offline` reading `text` as NetworkManager reads a keyfile, and writing it back.
fn through_networkmanager(text: &str) -> (String, String, bool) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lib/in-forky");
    // A property set to its default: the profile is read, verified and written unchanged.
    let mut child = Command::new(&script)
        .args(["--", "nmcli", "--offline", "connection", "modify"])
        .args(["connection.autoconnect-retries", "-1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("writing the keyfile to nmcli");
    let out = child.wait_with_output().expect("nmcli");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

/// Loads `text` with NetworkManager and requires every key to come back as written (no
/// warning but the offline one about a port's controller); returns our keys.
fn reads_back(what: &str, text: &str) -> BTreeMap<(String, String), String> {
    let (back, stderr, ok) = through_networkmanager(text);
    // Offline, nmcli knows no other profile: a port's controller is one it cannot
    // look up. That says nothing about the keyfile.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| {
            !(l.starts_with("Warning: controller '")
                && l.contains("doesn't refer to any existing profile"))
        })
        .collect();
    assert!(
        ok && warnings.is_empty(),
        "{what}: NetworkManager refused or warned:\n{stderr}\n--- keyfile ---\n{text}"
    );
    let ours = entries(text);
    let theirs = entries(&back);
    for (key, value) in &ours {
        assert_eq!(
            theirs.get(key),
            Some(value),
            "{what}: [{}] {} did not come back as written\n--- ours ---\n{text}\n--- NetworkManager's ---\n{back}",
            key.0,
            key.1
        );
    }
    ours
}

#[test]
fn networkmanager_reads_back_every_key_of_every_kind_of_connection() {
    if !common::is_root() && common::skip_or_fail("needs root for the forky root (chroot)") {
        return;
    }
    let mut kinds = std::collections::BTreeSet::new();
    for (name, network) in ANSWERS {
        let answer: Answer = toml::from_str(&format!(
            "version = 1\n[target]\npath = \"/dev/vda\"\n{network}"
        ))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let issues = azl_installer::answer::validate(&answer);
        assert!(issues.is_empty(), "{name} does not validate: {issues:?}");
        let planned = connections(&answer).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        for c in &planned {
            let text = keyfile(c);
            let ours = reads_back(&format!("{name}/{}", c.id), &text);
            kinds.insert(ours[&("connection".to_string(), "type".to_string())].clone());
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["bond", "bridge", "ethernet", "vlan"]
    );
}

/// The live ISO's `boot-network` (azl-installer-network.service, before NetworkManager
/// starts): a data-centre kernel command line (NICs named by MAC, an active-backup bond, a
/// VLAN on it as a bridge's port, static IPv4 and IPv6, a route, a DNS server) becomes
/// private profiles under the run-time directory that NetworkManager reads back key for
/// key, and NetworkManager is told to make no DHCP profiles of its own beside them.
#[test]
fn boot_network_writes_profiles_networkmanager_reads_for_the_kernel_command_line() {
    use std::os::unix::fs::PermissionsExt;
    if !common::is_root() && common::skip_or_fail("needs root for the forky root (chroot)") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let cmdline = tmp.path().join("cmdline");
    std::fs::write(
        &cmdline,
        "BOOT_IMAGE=/boot/vmlinuz console=ttyS0,115200 inst.answer=http://192.0.2.1/a.toml \
         ifname=nic0:52:54:00:12:34:60 ifname=nic1:52:54:00:12:34:61 \
         bond=bond0:nic0,nic1:mode=active-backup,miimon=100 \
         vlan=bond0.42:bond0 bridge=br42:bond0.42 \
         ip=10.0.2.15::10.0.2.2:255.255.255.0:web1:bond0:none \
         ip=192.0.2.10:::24::br42:none ip=[2001:db8::10]::[2001:db8::1]:64::br42:none \
         rd.route=198.51.100.0/24:192.0.2.254:br42 nameserver=10.0.2.3 rd.neednet=1\n",
    )
    .expect("cmdline");
    let nm = tmp.path().join("NetworkManager");
    let out = Command::new(common::bin())
        .arg("--cmdline")
        .arg(&cmdline)
        .args(["boot-network", "--dir"])
        .arg(&nm)
        .output()
        .expect("azl-installer boot-network");
    let said = common::output_text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("bond0 (bond, active-backup) static 10.0.2.15/24"),
        "{said}"
    );
    let dir = nm.join("system-connections");
    let mut types = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("profiles") {
        let path = entry.expect("entry").path();
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
        let text = std::fs::read_to_string(&path).expect("profile");
        let ours = reads_back(&path.display().to_string(), &text);
        let id = ours[&("connection".to_string(), "id".to_string())].clone();
        types.insert(id, ours);
    }
    let get = |id: &str, section: &str, key: &str| {
        types
            .get(id)
            .and_then(|t| t.get(&(section.to_string(), key.to_string())))
            .cloned()
            .unwrap_or_else(|| panic!("{id}: no [{section}] {key} in {types:#?}"))
    };
    assert_eq!(get("bond0", "bond", "mode"), "active-backup");
    assert_eq!(get("bond0", "ipv4", "address1"), "10.0.2.15/24");
    assert_eq!(get("bond0", "ipv4", "gateway"), "10.0.2.2");
    assert_eq!(
        get("bond0-port-ether-525400123460", "ethernet", "mac-address"),
        "52:54:00:12:34:60"
    );
    assert_eq!(get("bond0.42", "vlan", "id"), "42");
    assert_eq!(get("bond0.42", "connection", "controller"), "br42");
    assert_eq!(get("br42", "ipv6", "address1"), "2001:db8::10/64");
    assert_eq!(get("br42", "ipv4", "route1"), "198.51.100.0/24,192.0.2.254");
    assert_eq!(types.len(), 5, "{:?}", types.keys().collect::<Vec<_>>());
    let conf = std::fs::read_to_string(nm.join("conf.d/90-azl-boot-network.conf")).expect("conf");
    assert!(conf.contains("[main]\nno-auto-default=*"), "{conf}");
}

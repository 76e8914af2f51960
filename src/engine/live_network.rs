//! The live system's own network, for an install that fetches something (the repositories,
//! the webhook): NetworkManager profiles under /run (gone at the next boot), made with the
//! same keyfile writer as the installed system's.
//!
//! Two ways in: at boot, `boot-network` writes the profiles of the kernel command line's
//! `ip=`/`bond=`/`vlan=`/`bridge=` before NetworkManager starts (and stops it making its
//! DHCP-on-every-NIC defaults); during an install, [`ensure`] brings up the answer's
//! `[network]` when the live system has no default route, loading the profiles into the
//! running NetworkManager and activating them, ports first (a port brings up its
//! controller).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cmd::{Cmd, CmdError, find_program};
use crate::events::{Level, Sink, Step};
use crate::plan::{Connection, Kind, describe_connection};

use super::configure::keyfile::keyfile;

/// NetworkManager's run-time directory: profiles and configuration here last until reboot.
pub const NM_RUN_DIR: &str = "/run/NetworkManager";
/// How long one connection may take to come up (DHCP on a slow switch port, LACP).
const UP_TIMEOUT: Duration = Duration::from_secs(90);

#[derive(Debug, thiserror::Error)]
pub enum LiveNetworkError {
    #[error("{0}")]
    Cmd(#[from] CmdError),
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the live system has no default route, and no NetworkManager (nmcli) to bring up the \
         answer's [network] with"
    )]
    NoNetworkManager,
    #[error("{id} did not come up within {secs} s (NetworkManager says {state:?})")]
    Timeout {
        id: String,
        secs: u64,
        state: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LiveNetworkError + '_ {
    move |source| LiveNetworkError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes one keyfile per connection into `dir` (created 0700; files 0600, as
/// NetworkManager requires) and returns their paths.
pub fn write_profiles(
    dir: &Path,
    connections: &[Connection],
) -> Result<Vec<PathBuf>, LiveNetworkError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(dir))?;
    let mut paths = Vec::new();
    for c in connections {
        let path = dir.join(format!("{}.nmconnection", c.id));
        super::save_logs::write_private(&path, keyfile(c).as_bytes()).map_err(io(&path))?;
        paths.push(path);
    }
    Ok(paths)
}

/// At boot, before NetworkManager starts: the kernel command line's profiles under
/// `nm_dir` (/run/NetworkManager), and no automatic DHCP profiles beside them (a NIC the
/// command line leaves out stays down, as dracut does).
pub fn prepare_boot(nm_dir: &Path, connections: &[Connection]) -> Result<(), LiveNetworkError> {
    write_profiles(&nm_dir.join("system-connections"), connections)?;
    let conf = nm_dir.join("conf.d");
    std::fs::create_dir_all(&conf).map_err(io(&conf))?;
    let path = conf.join("90-azl-boot-network.conf");
    std::fs::write(
        &path,
        "# Written by azl-installer boot-network: the kernel command line names the network.\n\
         [main]\nno-auto-default=*\n",
    )
    .map_err(io(&path))
}

/// Whether a kernel routing table (/proc/net/route, /proc/net/ipv6_route) has a default
/// route on a device other than loopback.
pub fn has_default_route(route: &str, ipv6_route: &str) -> bool {
    // /proc/net/route: Iface Destination Gateway Flags ...; 0001 is RTF_UP.
    let v4 = route.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 3
            && f[0] != "lo"
            && f[1] == "00000000"
            && u16::from_str_radix(f[3], 16).is_ok_and(|fl| fl & 1 == 1)
    });
    // /proc/net/ipv6_route: dest prefixlen src srclen nexthop metric refcnt use flags dev.
    let v6 = ipv6_route.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() == 10
            && f[0].bytes().all(|b| b == b'0')
            && f[1] == "00"
            && f[9] != "lo"
            && u32::from_str_radix(f[8], 16).is_ok_and(|fl| fl & 1 == 1 && fl & 0x0020_0000 == 0)
    });
    v4 || v6
}

fn live_has_default_route() -> bool {
    let read = |p| std::fs::read_to_string(p).unwrap_or_default();
    has_default_route(&read("/proc/net/route"), &read("/proc/net/ipv6_route"))
}

/// Brings up `connections` on the live system unless it has a default route already
/// (after NetworkManager's own start-up, DHCP included, is over). True when it did.
pub fn ensure(connections: &[Connection], events: &dyn Sink) -> Result<bool, LiveNetworkError> {
    let say = |m: String| events.log(Step::Preflight, Level::Info, m);
    if connections.is_empty() {
        return Ok(false);
    }
    let nmcli = Cmd::new("nmcli");
    if find_program("nm-online").is_some() {
        // Waits for NetworkManager's start-up (its DHCP on every NIC); a timeout is fine.
        let _ = Cmd::new("nm-online").args(["-s", "-q", "-t", "30"]).run();
    }
    if live_has_default_route() {
        return Ok(false);
    }
    if find_program("nmcli").is_none() {
        return Err(LiveNetworkError::NoNetworkManager);
    }
    say("live network: no default route; bringing up the answer's [network]".into());
    let dir = Path::new(NM_RUN_DIR).join("system-connections");
    let files = write_profiles(&dir, connections)?;
    nmcli
        .clone()
        .args(["connection", "load"])
        .args(&files)
        .run()?;
    // Ports first, NICs before bonds and VLANs (a port activates its controller, which a
    // VLAN port of a bridge needs as its parent); then what is not up yet.
    let mut order: Vec<&Connection> = connections.iter().filter(|c| c.port_of.is_some()).collect();
    order.sort_by_key(|c| !matches!(c.kind, Kind::Ethernet { .. }));
    order.extend(connections.iter().filter(|c| c.port_of.is_none()));
    for c in order {
        match state(c)?.as_str() {
            "activated" => {}
            "activating" => wait_activated(c)?,
            _ => {
                nmcli
                    .clone()
                    .args(["--wait", &UP_TIMEOUT.as_secs().to_string()])
                    .args(["connection", "up", "uuid", &c.uuid])
                    .run()?;
            }
        }
        if c.port_of.is_none() {
            say(format!("live network: {} is up", describe_connection(c)));
        }
    }
    Ok(true)
}

/// NetworkManager's state of the connection: "activated", "activating", or "" (inactive).
fn state(c: &Connection) -> Result<String, LiveNetworkError> {
    let out = Cmd::new("nmcli")
        .args(["-g", "GENERAL.STATE", "connection", "show", "uuid", &c.uuid])
        .run()?;
    Ok(out.stdout.trim().to_string())
}

fn wait_activated(c: &Connection) -> Result<(), LiveNetworkError> {
    let start = Instant::now();
    loop {
        let s = state(c)?;
        if s == "activated" {
            return Ok(());
        }
        if start.elapsed() > UP_TIMEOUT {
            return Err(LiveNetworkError::Timeout {
                id: c.id.clone(),
                secs: UP_TIMEOUT.as_secs(),
                state: s,
            });
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
        bond0\t0002000A\t00000000\t0001\t0\t0\t300\t00FFFFFF\n";

    #[test]
    fn a_default_route_is_found_in_either_table() {
        assert!(!has_default_route(ROUTE, ""));
        let with = format!("{ROUTE}bond0\t00000000\t0202000A\t0003\t0\t0\t300\t00000000\n");
        assert!(has_default_route(&with, ""));
        let down = format!("{ROUTE}bond0\t00000000\t0202000A\t0002\t0\t0\t300\t00000000\n");
        assert!(!has_default_route(&down, ""));
        let v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 \
                  fe800000000000000000000000000002 00000400 00000001 00000000 00000003 bond0\n";
        assert!(has_default_route("", v6));
        // The kernel's unreachable default on lo is no route.
        let lo = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 \
                  00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n";
        assert!(!has_default_route("", lo));
    }

    #[test]
    fn profiles_are_written_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let words: Vec<String> = ["bond=bond0:eno1,eno2:mode=active-backup", "ip=bond0:dhcp"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let n = crate::answer::network_from_boot_args(&words)
            .expect("valid")
            .expect("some");
        let c = crate::plan::connections_of(&n).expect("planned");
        prepare_boot(tmp.path(), &c).expect("written");
        let dir = tmp.path().join("system-connections");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "bond0-port-eno1.nmconnection",
                "bond0-port-eno2.nmconnection",
                "bond0.nmconnection"
            ]
        );
        for n in &names {
            let mode = std::fs::metadata(dir.join(n))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{n}");
        }
        let conf = std::fs::read_to_string(tmp.path().join("conf.d/90-azl-boot-network.conf"))
            .expect("conf");
        assert!(conf.contains("no-auto-default=*"), "{conf}");
    }
}

//! Network interfaces from `sys/class/net`: MAC, driver, link and speed, and whether a
//! device is behind them.

use std::path::Path;

use super::sysfs::{attr, device_path, link_name, required_names};
use super::{Nic, ProbeError, Roots};

/// ARPHRD_LOOPBACK in `type`: loopback whatever it is called.
const LOOPBACK_TYPE: &str = "772";

pub fn scan(roots: &Roots) -> Result<Vec<Nic>, ProbeError> {
    let class = roots.sys.join("class/net");
    let mut nics = Vec::new();
    for name in required_names(&class)? {
        let dir = class.join(&name);
        if name == "lo" || attr(&dir.join("type")).as_deref() == Some(LOOPBACK_TYPE) {
            continue;
        }
        nics.push(describe(&roots.sys, name, &dir));
    }
    Ok(nics)
}

fn describe(sys: &Path, name: String, dir: &Path) -> Nic {
    let device = dir.join("device");
    // Bridges, bonds, veth, tun and the like live under devices/virtual and have no device.
    let is_virtual = !device.exists()
        || device_path(sys, dir).is_some_and(|p| p.starts_with("/devices/virtual/"));
    Nic {
        name,
        // A bond's port carries the bond's MAC while enslaved: its own is perm_hwaddr.
        mac: attr(&dir.join("bonding_slave/perm_hwaddr")).or_else(|| attr(&dir.join("address"))),
        driver: link_name(&device.join("driver")),
        // Reading carrier or speed of a down interface fails with EINVAL: unknown, not false.
        carrier: attr(&dir.join("carrier")).map(|c| c == "1"),
        // -1 (or 4294967295) means the driver does not know.
        speed_mbps: attr(&dir.join("speed"))
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|&s| s > 0 && s < i64::from(u32::MAX))
            .and_then(|s| u32::try_from(s).ok()),
        operstate: attr(&dir.join("operstate")).unwrap_or_else(|| "unknown".into()),
        is_virtual,
    }
}

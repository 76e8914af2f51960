//! A NIC match table: exactly one way to find the NIC, each in its own syntax.

use crate::answer::{InterfaceMatch, Issue, shown};

use super::is_ifname;

/// `first_with_link`: whether "the first NIC with a link" may be meant here (an interface
/// entry; never a bond member, bridge port or VLAN parent).
pub(super) fn check(m: &InterfaceMatch, path: &str, first_with_link: bool, out: &mut Vec<Issue>) {
    let given = [
        m.mac.is_some(),
        m.name.is_some(),
        m.driver.is_some(),
        m.pci_path.is_some(),
        m.first_with_link.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        1 => {}
        0 => out.push(Issue::new(path.to_string(), "no interface given").with_hint(
            "{ mac = \"52:54:00:12:34:56\" }, { name = \"eno1\" }, { driver = \"ixgbe\" }, { pci_path = \"0000:3b:00.0\" } or { first_with_link = true }",
        )),
        _ => out.push(Issue::new(
            path.to_string(),
            "give exactly one of mac, name, driver, pci_path, first_with_link",
        )),
    }
    if let Some(mac) = &m.mac
        && !is_mac(mac)
    {
        out.push(
            Issue::new(
                format!("{path}.mac"),
                format!("{} is not a MAC address", shown(mac)),
            )
            .with_hint("six hex pairs separated by \":\", e.g. \"52:54:00:12:34:56\""),
        );
    }
    if let Some(name) = &m.name
        && !is_ifname(name)
    {
        out.push(Issue::new(
            format!("{path}.name"),
            format!(
                "{} is not an interface name (1-15 characters, no \"/\", \":\" or spaces)",
                shown(name)
            ),
        ));
    }
    if let Some(driver) = &m.driver
        && (driver.is_empty()
            || !driver
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        out.push(Issue::new(
            format!("{path}.driver"),
            format!("{} is not a kernel driver name", shown(driver)),
        ));
    }
    if let Some(p) = &m.pci_path
        && !is_pci_address(p)
    {
        out.push(
            Issue::new(format!("{path}.pci_path"), format!("{} is not a PCI address", shown(p)))
                .with_hint("domain:bus:device.function, e.g. \"0000:3b:00.0\" (lspci -D, or ethtool -i's bus-info)"),
        );
    }
    match m.first_with_link {
        Some(false) => out.push(
            Issue::new(
                format!("{path}.first_with_link"),
                "first_with_link = false matches nothing",
            )
            .with_hint("use first_with_link = true, or match by mac or name"),
        ),
        Some(true) if !first_with_link => out.push(
            Issue::new(
                format!("{path}.first_with_link"),
                "a bond member, bridge port or VLAN parent must be a NIC that stays the same",
            )
            .with_hint("match it by name, mac or pci_path"),
        ),
        _ => {}
    }
}

pub(crate) fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// "0000:3b:00.0": 4 hex digits of domain, 2 of bus, 2 of device (up to 1f), 1 of function
/// (0-7).
fn is_pci_address(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = s.split(':').collect();
    let [domain, bus, devfn] = parts.as_slice() else {
        return false;
    };
    let Some((dev, func)) = devfn.split_once('.') else {
        return false;
    };
    hex(domain, 4)
        && hex(bus, 2)
        && hex(dev, 2)
        && u8::from_str_radix(dev, 16).is_ok_and(|d| d < 32)
        && func.len() == 1
        && func.chars().all(|c| ('0'..='7').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_and_pci_addresses() {
        assert!(is_mac("52:54:00:12:34:56"));
        assert!(is_mac("AA:bb:CC:dd:EE:ff"));
        assert!(!is_mac("52-54-00-12-34-56"));
        assert!(!is_mac("52:54:00:12:34"));
        assert!(is_pci_address("0000:3b:00.0"));
        assert!(is_pci_address("0000:00:1f.7"));
        assert!(!is_pci_address("3b:00.0"));
        assert!(!is_pci_address("0000:3b:20.0"));
        assert!(!is_pci_address("0000:3b:00.8"));
    }
}

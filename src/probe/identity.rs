//! Who this machine is, as a provisioning server knows it: the MAC of the NIC it booted
//! from, its NICs' MACs, the SMBIOS serial number, UUID, vendor and product, and the host
//! name DHCP gave the live system. Read for `inst.answer=` URLs with placeholders and the
//! identifying request headers kickstart's `inst.ks.sendmac`/`sendsn` send.

use std::path::Path;

use serde::Serialize;

use super::Roots;
use super::sysfs::attr;

/// What identifies this machine; a fact the firmware leaves empty (or fills with a vendor's
/// placeholder text) is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Physical NICs: kernel name and MAC (lower case), in kernel order.
    pub nics: Vec<(String, String)>,
    /// The NIC the machine booted from: PXE's `BOOTIF=`, else the one holding the default
    /// route, else the first with a link, else the first.
    pub boot_mac: Option<String>,
    pub serial: Option<String>,
    pub uuid: Option<String>,
    pub vendor: Option<String>,
    pub product: Option<String>,
    /// The live system's host name (DHCP's, when it gave one).
    pub hostname: Option<String>,
}

/// What vendors write where a value was never set: not an identity.
const NOT_SET: &[&str] = &[
    "",
    "0",
    "none",
    "not specified",
    "not applicable",
    "to be filled by o.e.m.",
    "system serial number",
    "system product name",
    "system manufacturer",
    "default string",
    "0123456789",
    "03000200-0400-0500-0006-000700080009",
];

fn fact(path: &Path) -> Option<String> {
    attr(path).filter(|v| !NOT_SET.contains(&v.to_ascii_lowercase().as_str()))
}

/// Reads the identity below `roots`; `bootif` is PXE's `BOOTIF=` value when the kernel
/// command line has one ("01-52-54-00-12-34-56").
pub fn identity(roots: &Roots, bootif: Option<&str>) -> Identity {
    let dmi = roots.sys.join("class/dmi/id");
    let nics: Vec<super::Nic> = super::nics::scan(roots)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.is_virtual && n.mac.is_some())
        .collect();
    let route_nic = default_route_nic(&roots.proc);
    let boot_mac = bootif
        .and_then(bootif_mac)
        .or_else(|| {
            nics.iter()
                .find(|n| Some(&n.name) == route_nic.as_ref())
                .and_then(|n| n.mac.clone())
        })
        .or_else(|| {
            nics.iter()
                .find(|n| n.carrier == Some(true))
                .and_then(|n| n.mac.clone())
        })
        .or_else(|| nics.first().and_then(|n| n.mac.clone()))
        .map(|m| m.to_ascii_lowercase());
    let hostname = attr(&roots.proc.join("sys/kernel/hostname"))
        .filter(|h| !matches!(h.as_str(), "" | "localhost" | "(none)"));
    Identity {
        nics: nics
            .iter()
            .filter_map(|n| Some((n.name.clone(), n.mac.clone()?.to_ascii_lowercase())))
            .collect(),
        boot_mac,
        serial: fact(&dmi.join("product_serial")),
        uuid: fact(&dmi.join("product_uuid")).map(|u| u.to_ascii_lowercase()),
        vendor: fact(&dmi.join("sys_vendor")),
        product: fact(&dmi.join("product_name")),
        hostname,
    }
}

/// "01-52-54-00-12-34-56" (ARP type 1, then the MAC): "52:54:00:12:34:56".
fn bootif_mac(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split('-').collect();
    let mac = match parts.len() {
        7 => &parts[1..],
        6 => &parts[..],
        _ => return None,
    };
    mac.iter()
        .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| mac.join(":").to_ascii_lowercase())
}

/// The interface of the IPv4 default route in `proc`/net/route.
fn default_route_nic(proc: &Path) -> Option<String> {
    let table = std::fs::read_to_string(proc.join("net/route")).ok()?;
    table.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.len() > 3 && f[1] == "00000000").then(|| f[0].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootif_is_read_with_or_without_its_arp_type() {
        assert_eq!(
            bootif_mac("01-52-54-00-12-34-AB").as_deref(),
            Some("52:54:00:12:34:ab")
        );
        assert_eq!(
            bootif_mac("52-54-00-12-34-56").as_deref(),
            Some("52:54:00:12:34:56")
        );
        assert_eq!(bootif_mac("52-54-00-12-34"), None);
        assert_eq!(bootif_mac("01-zz-54-00-12-34-56"), None);
    }

    /// An enslaved bond port shows the bond's MAC in `address`: its own is `perm_hwaddr`.
    #[test]
    fn a_bond_port_is_known_by_its_own_mac() {
        let dir = tempfile::tempdir().expect("tempdir");
        let roots = Roots::under(dir.path());
        let devices = roots
            .sys
            .join("devices/pci0000:00/0000:00:02.0/virtio0/net");
        for (name, own) in [("nic0", "52:54:00:12:34:60"), ("nic1", "52:54:00:12:34:61")] {
            let d = devices.join(name);
            std::fs::create_dir_all(d.join("bonding_slave")).expect("dir");
            std::fs::write(d.join("address"), "3e:7e:32:76:f4:5e\n").expect("w");
            std::fs::write(d.join("bonding_slave/perm_hwaddr"), format!("{own}\n")).expect("w");
            std::fs::create_dir_all(d.join("device")).expect("device");
            let class = roots.sys.join("class/net");
            std::fs::create_dir_all(&class).expect("class");
            std::os::unix::fs::symlink(&d, class.join(name)).expect("link");
        }
        let id = identity(&roots, Some("01-52-54-00-12-34-60"));
        assert_eq!(id.boot_mac.as_deref(), Some("52:54:00:12:34:60"));
        let macs: Vec<&str> = id.nics.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(macs, ["52:54:00:12:34:60", "52:54:00:12:34:61"]);
    }

    #[test]
    fn placeholder_values_of_vendors_are_no_facts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let roots = Roots::under(dir.path());
        let dmi = roots.sys.join("class/dmi/id");
        std::fs::create_dir_all(&dmi).expect("dmi");
        std::fs::write(dmi.join("product_serial"), "To Be Filled By O.E.M.\n").expect("w");
        std::fs::write(
            dmi.join("product_uuid"),
            "4C4C4544-0042-3510-8051-B7C04F4B4C31\n",
        )
        .expect("w");
        std::fs::write(dmi.join("sys_vendor"), "Dell Inc.\n").expect("w");
        std::fs::create_dir_all(roots.sys.join("class/net")).expect("net");
        let id = identity(&roots, None);
        assert_eq!(id.serial, None);
        assert_eq!(
            id.uuid.as_deref(),
            Some("4c4c4544-0042-3510-8051-b7c04f4b4c31")
        );
        assert_eq!(id.vendor.as_deref(), Some("Dell Inc."));
        assert_eq!(id.product, None);
        assert_eq!(id.boot_mac, None);
    }
}

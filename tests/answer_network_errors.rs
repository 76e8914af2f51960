//! The network and base-service keys of an answer file, broken one at a time: NIC matches,
//! addressing (IPv6 modes, gateways, routes, search domains, MTU), bonds, VLANs and bridges
//! and how they refer to each other, the proxy, `[time]`, `[firewall]` and `[kdump]`. Each problem is reported with its key path, the line a user would
//! look at, what is wrong and, where there is one, a hint.

mod common;

use common::error_table::{self, Case};

/// Every case's answer starts with this (its text is after it: line 4 on).
const PREFIX: &str = "version = 1\n[target]\npath = \"/dev/vda\"\n";

const CASES: &[Case] = &[
    Case {
        name: "two ways to match a NIC",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\", driver = \"ixgbe\" }\n",
        path: "network.interfaces[0].match",
        line: 5,
        says: "exactly one of mac, name, driver, pci_path",
        hint: None,
    },
    Case {
        name: "a PCI address that is not one",
        text: "[[network.interfaces]]\nmatch = { pci_path = \"3b:00.0\" }\n",
        path: "network.interfaces[0].match.pci_path",
        line: 5,
        says: "is not a PCI address",
        hint: Some("0000:3b:00.0"),
    },
    Case {
        name: "a driver name with a slash",
        text: "[[network.interfaces]]\nmatch = { driver = \"ix/gbe\" }\n",
        path: "network.interfaces[0].match.driver",
        line: 5,
        says: "not a kernel driver name",
        hint: None,
    },
    Case {
        name: "manual IPv6 without an IPv6 address",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\nipv6 = \"manual\"\n",
        path: "network.interfaces[0].ipv6",
        line: 6,
        says: "needs an IPv6 address",
        hint: Some("ipv6 = \"auto\""),
    },
    Case {
        name: "IPv6 disabled with an IPv6 address",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\nipv6 = \"disabled\"\naddresses = [\"2001:db8::1/64\"]\n",
        path: "network.interfaces[0].ipv6",
        line: 6,
        says: "disabled",
        hint: None,
    },
    Case {
        name: "an IPv4 gateway6",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\ngateway6 = \"192.0.2.1\"\n",
        path: "network.interfaces[0].gateway6",
        line: 6,
        says: "is an IPv4 address",
        hint: Some("goes in gateway"),
    },
    Case {
        name: "an IPv4 gateway without an IPv4 address",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\ndhcp = false\naddresses = [\"2001:db8::1/64\"]\ngateway = \"192.0.2.1\"\n",
        path: "network.interfaces[0].gateway",
        line: 8,
        says: "but no IPv4 address",
        hint: None,
    },
    Case {
        name: "a route via the other family",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\nroutes = [{ to = \"10.0.0.0/8\", via = \"2001:db8::1\" }]\n",
        path: "network.interfaces[0].routes[0].via",
        line: 6,
        says: "not of the family of 10.0.0.0/8",
        hint: None,
    },
    Case {
        name: "a route to an address without a prefix",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\nroutes = [{ to = \"10.0.0.0\" }]\n",
        path: "network.interfaces[0].routes[0].to",
        line: 6,
        says: "has no prefix length",
        hint: Some("CIDR"),
    },
    Case {
        name: "a search domain that is not a domain",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\ndns_search = [\"bad domain\"]\n",
        path: "network.interfaces[0].dns_search[0]",
        line: 6,
        says: "is not a domain name",
        hint: None,
    },
    Case {
        name: "an MTU too small for IPv6",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\nmtu = 1000\n",
        path: "network.interfaces[0].mtu",
        line: 6,
        says: "not between 1280 and 65535",
        hint: Some("ipv6 = \"disabled\""),
    },
    Case {
        name: "a bond without members",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = []\n",
        path: "network.bonds[0].members",
        line: 6,
        says: "at least one NIC",
        hint: Some("two for redundancy"),
    },
    Case {
        name: "a bond mode that does not exist",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\"]\nmode = \"lacp\"\n",
        path: "network.bonds[0].mode",
        line: 7,
        says: "lacp",
        hint: None,
    },
    Case {
        name: "lacp_rate without LACP",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\"]\nlacp_rate = \"fast\"\n",
        path: "network.bonds[0].lacp_rate",
        line: 7,
        says: "for mode \"802.3ad\"",
        hint: Some("mode = \"802.3ad\""),
    },
    Case {
        name: "a primary that is not a member",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\", \"eno2\"]\nprimary = \"eno3\"\n",
        path: "network.bonds[0].primary",
        line: 7,
        says: "not one of the bond's members",
        hint: None,
    },
    Case {
        name: "a bond name too long for the kernel",
        text: "[[network.bonds]]\nname = \"bond-of-the-uplinks\"\nmembers = [\"eno1\"]\n",
        path: "network.bonds[0].name",
        line: 5,
        says: "is not an interface name",
        hint: None,
    },
    Case {
        name: "a NIC in two bonds",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\"]\n[[network.bonds]]\nname = \"bond1\"\nmembers = [\"eno1\"]\n",
        path: "network.bonds[1].members[0]",
        line: 9,
        says: "already a member of bond bond0",
        hint: None,
    },
    Case {
        name: "a bond member with addresses of its own",
        text: "[[network.interfaces]]\nmatch = { name = \"eno1\" }\naddresses = [\"192.0.2.9/24\"]\n[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\"]\n",
        path: "network.interfaces[0].match",
        line: 5,
        says: "its addresses go on bond bond0",
        hint: Some("remove this interface entry"),
    },
    Case {
        name: "a member matched by first_with_link",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [{ first_with_link = true }]\n",
        path: "network.bonds[0].members[0].first_with_link",
        line: 6,
        says: "must be a NIC that stays the same",
        hint: Some("mac or pci_path"),
    },
    Case {
        name: "a VLAN id out of range",
        text: "[[network.vlans]]\nid = 4095\non = \"eno1\"\n",
        path: "network.vlans[0].id",
        line: 5,
        says: "not between 1 and 4094",
        hint: None,
    },
    Case {
        name: "a VLAN on a NIC known by MAC, without a name",
        text: "[[network.vlans]]\nid = 7\non = { mac = \"52:54:00:aa:bb:cc\" }\n",
        path: "network.vlans[0].name",
        line: 4,
        says: "needs a name of its own",
        hint: Some("name = \"vlan42\""),
    },
    Case {
        name: "a VLAN's default name too long",
        text: "[[network.vlans]]\nid = 4000\non = \"enp175s0f1np1\"\n",
        path: "network.vlans[0].name",
        line: 4,
        says: "longer than 15 characters",
        hint: Some("shorter name"),
    },
    Case {
        name: "a bridge named like a bond",
        text: "[[network.bonds]]\nname = \"br0\"\nmembers = [\"eno1\"]\n[[network.bridges]]\nname = \"br0\"\nports = []\n",
        path: "network.bridges[0].name",
        line: 8,
        says: "already the name of a bond",
        hint: None,
    },
    Case {
        name: "a bridge in a bridge",
        text: "[[network.bridges]]\nname = \"br0\"\nports = []\n[[network.bridges]]\nname = \"br1\"\nports = [\"br0\"]\n",
        path: "network.bridges[1].ports[0]",
        line: 9,
        says: "is a bridge",
        hint: None,
    },
    Case {
        name: "a bond that is a bridge port, with addresses",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\"]\naddresses = [\"192.0.2.9/24\"]\n[[network.bridges]]\nname = \"br0\"\nports = [\"bond0\"]\n",
        path: "network.bonds[0]",
        line: 4,
        says: "is a port of bridge br0",
        hint: Some("move dhcp, addresses"),
    },
    Case {
        name: "a proxy that is not http",
        text: "[network.proxy]\nurl = \"ftp://proxy.example.com\"\n",
        path: "network.proxy.url",
        line: 5,
        says: "ftp",
        hint: None,
    },
    Case {
        name: "a no_proxy entry with a space",
        text: "[network.proxy]\nurl = \"http://proxy:3128\"\nno_proxy = [\"a b\"]\n",
        path: "network.proxy.no_proxy[0]",
        line: 6,
        says: "not a host, domain or network",
        hint: None,
    },
    Case {
        name: "a time section without a source",
        text: "[time]\n",
        path: "time",
        line: 4,
        says: "no NTP server or pool",
        hint: Some("leave [time] out"),
    },
    Case {
        name: "an NTP server that is no host",
        text: "[time]\nservers = [\"ntp one\"]\n",
        path: "time.servers[0]",
        line: 5,
        says: "neither a host name nor an IP address",
        hint: None,
    },
    Case {
        name: "a clock wait of no time",
        text: "[time]\nservers = [\"ntp1.example.com\"]\nwait_for_sync = true\nsync_timeout = \"0s\"\n",
        path: "time.sync_timeout",
        line: 7,
        says: "0 s is not between 1 s and 1 h",
        hint: Some("sync_timeout = \"2m\""),
    },
    Case {
        name: "a firewall port without a protocol",
        text: "[firewall]\nports = [\"443\"]\n",
        path: "firewall.ports[0]",
        line: 5,
        says: "has no protocol",
        hint: Some("8443/tcp"),
    },
    Case {
        name: "a firewall zone with a space",
        text: "[firewall]\nzone = \"my zone\"\n",
        path: "firewall.zone",
        line: 5,
        says: "not a firewalld zone name",
        hint: None,
    },
    Case {
        name: "services for a firewall that is off",
        text: "[firewall]\nenable = false\nservices = [\"https\"]\n",
        path: "firewall.enable",
        line: 5,
        says: "services or ports are given",
        hint: Some("remove them, or enable it"),
    },
    Case {
        name: "crashkernel=auto",
        text: "[kdump]\ncrashkernel = \"auto\"\n",
        path: "kdump.crashkernel",
        line: 5,
        says: "not a crashkernel= size",
        hint: Some("512M"),
    },
    Case {
        name: "a bond key misspelt",
        text: "[[network.bonds]]\nname = \"bond0\"\nmembers = [\"eno1\"]\nmiimom = 100\n",
        path: "network.bonds[0].miimom",
        line: 7,
        says: "unknown key",
        hint: Some("miimon"),
    },
];

#[test]
fn each_broken_network_key_names_path_line_and_hint() {
    error_table::run(PREFIX, CASES, |_, _| {});
}

#[test]
fn a_data_centre_network_loads() {
    let text = "[[network.bonds]]\nname = \"bond0\"\nmembers = [{ pci_path = \"0000:3b:00.0\" }, { pci_path = \"0000:3b:00.1\" }]\n\
                mode = \"802.3ad\"\nlacp_rate = \"fast\"\nmtu = 9000\ndhcp = false\nipv6 = \"disabled\"\n\
                [[network.vlans]]\nid = 10\non = \"bond0\"\ndhcp = false\naddresses = [\"192.0.2.10/24\", \"2001:db8::10/64\"]\n\
                gateway = \"192.0.2.1\"\ngateway6 = \"2001:db8::1\"\ndns = [\"192.0.2.53\"]\ndns_search = [\"example.com\"]\n\
                routes = [{ to = \"10.0.0.0/8\", via = \"192.0.2.254\", metric = 100 }]\n\
                [[network.vlans]]\nid = 20\non = \"bond0\"\n\
                [[network.bridges]]\nname = \"br-vm\"\nports = [\"bond0.20\"]\ndhcp = false\nipv6 = \"disabled\"\n";
    let found = error_table::issues(&format!("{PREFIX}{text}"));
    assert!(found.is_empty(), "{found:?}");
}

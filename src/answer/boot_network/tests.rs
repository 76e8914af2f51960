use super::*;

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn net(line: &str) -> Network {
    match network_from_boot_args(&words(line)) {
        Ok(Some(n)) => n,
        other => panic!("{line}: {other:?}"),
    }
}

fn errors(line: &str) -> Vec<String> {
    match network_from_boot_args(&words(line)) {
        Err(e) => e.iter().map(ToString::to_string).collect(),
        other => panic!("{line}: expected errors, got {other:?}"),
    }
}

#[test]
fn no_network_arguments_is_none() {
    let w = words("console=ttyS0 inst.answer=http://x/a.toml rd.neednet=1 nameserver=192.0.2.1");
    assert_eq!(network_from_boot_args(&w), Ok(None));
}

#[test]
fn dhcp_on_the_first_nic_with_link_and_on_a_named_one() {
    let n = net("ip=dhcp");
    assert_eq!(n.interfaces.len(), 1);
    assert_eq!(n.interfaces[0].matcher.first_with_link, Some(true));
    assert!(n.interfaces[0].addressing.dhcp);
    let n = net("ip=eno2:dhcp6:9000");
    assert_eq!(n.interfaces[0].matcher.name.as_deref(), Some("eno2"));
    let a = &n.interfaces[0].addressing;
    assert!(!a.dhcp);
    assert_eq!(a.ipv6, Some(Ipv6Mode::Dhcp));
    assert_eq!(a.mtu, Some(9000));
}

#[test]
fn static_ipv4_and_ipv6_on_one_nic_merge() {
    let n = net("ip=192.0.2.10::192.0.2.1:255.255.255.0:web1:eno1:none \
                 ip=[2001:db8::10]::[2001:db8::1]:64::eno1:none nameserver=192.0.2.53 \
                 rd.route=10.0.0.0/8:192.0.2.254:eno1");
    assert_eq!(n.interfaces.len(), 1);
    let a = &n.interfaces[0].addressing;
    assert!(!a.dhcp);
    assert_eq!(a.addresses, ["192.0.2.10/24", "2001:db8::10/64"]);
    assert_eq!(a.gateway.as_deref(), Some("192.0.2.1"));
    assert_eq!(a.gateway6.as_deref(), Some("2001:db8::1"));
    assert_eq!(a.dns, ["192.0.2.53"]);
    assert_eq!(a.routes[0].to, "10.0.0.0/8");
    assert_eq!(a.routes[0].via.as_deref(), Some("192.0.2.254"));
}

#[test]
fn address_with_its_own_prefix_and_dns_fields() {
    let n = net("ip=192.0.2.10/25:::::eno1:off:192.0.2.53:192.0.2.54");
    let a = &n.interfaces[0].addressing;
    assert_eq!(a.addresses, ["192.0.2.10/25"]);
    assert_eq!(a.dns, ["192.0.2.53", "192.0.2.54"]);
}

#[test]
fn bond_with_a_vlan_and_a_bridge_over_it() {
    let n = net(
        "ifname=nic0:52:54:00:12:34:60 ifname=nic1:52:54:00:12:34:61 \
                 bond=bond0:nic0,nic1:mode=active-backup,miimon=100 \
                 vlan=bond0.42:bond0 bridge=br42:bond0.42 \
                 ip=10.0.2.15::10.0.2.2:255.255.255.0::bond0:none \
                 ip=192.0.2.10:::24::br42:none",
    );
    let b = &n.bonds[0];
    assert_eq!(b.mode, BondMode::ActiveBackup);
    assert_eq!(b.miimon, Some(100));
    assert_eq!(
        b.members[1],
        LinkRef::Match(InterfaceMatch {
            mac: Some("52:54:00:12:34:61".into()),
            ..Default::default()
        })
    );
    assert_eq!(b.addressing.addresses, ["10.0.2.15/24"]);
    let v = &n.vlans[0];
    assert_eq!((v.id, v.on.name()), (42, Some("bond0")));
    // A bridge port: nothing of its own.
    assert!(!v.addressing.is_set());
    assert_eq!(n.bridges[0].addressing.addresses, ["192.0.2.10/24"]);
    assert!(n.interfaces.is_empty());
    // The plan makes the profiles from it as from an answer.
    let c = crate::plan::connections_of(&n).expect("planned");
    let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
    assert!(
        ids.contains(&"bond0") && ids.contains(&"bond0.42") && ids.contains(&"br42"),
        "{ids:?}"
    );
}

#[test]
fn a_vlan_parent_without_ip_carries_no_addresses() {
    let n = net(
        "bond=bond0:eno1,eno2:mode=802.3ad,lacp_rate=fast vlan=vlan0042:bond0 \
                 ip=192.0.2.10::192.0.2.1:24::vlan0042:none",
    );
    assert_eq!(n.bonds[0].mode, BondMode::Lacp);
    assert!(!n.bonds[0].addressing.dhcp);
    assert_eq!(n.bonds[0].addressing.ipv6, Some(Ipv6Mode::Disabled));
    assert_eq!(n.vlans[0].id, 42);
}

#[test]
fn a_bond_without_a_mode_is_dracuts_balance_rr() {
    assert_eq!(
        net("bond=bond0:eno1,eno2").bonds[0].mode,
        BondMode::BalanceRr
    );
}

#[test]
fn bad_arguments_name_the_word_and_what_was_expected() {
    let table: &[(&str, &str)] = &[
        (
            "ip=192.0.2.10::192.0.2.1:255.255.0.255::eno1:none",
            "netmask 255.255.0.255 is not contiguous",
        ),
        ("ip=192.0.2.10::192.0.2.1:::eno1:none", "needs a netmask"),
        (
            "ip=192.0.2.10::192.0.2.1:24:::none",
            "sixth field names the NIC",
        ),
        ("ip=eno1:ibft", "\"ibft\" is not supported"),
        (
            "ip=eno1:dhcp::52:54:00:12:34:56",
            "setting a NIC's MAC address",
        ),
        (
            "ip=192.0.2.10:192.0.2.9:192.0.2.1:24::eno1:none",
            "point-to-point",
        ),
        ("ip=eno1", "expected ip=dhcp"),
        ("bond=bond0", "expected bond=NAME:NIC1,NIC2"),
        ("bond=bond0:eno1,eno2:mode=fast", "bond mode \"fast\""),
        (
            "bond=bond0:eno1,eno2:xmit_hash_policy=layer3+4",
            "not supported: mode, miimon",
        ),
        ("vlan=bond0.x:bond0 ip=dhcp", "VLAN id is not in its name"),
        ("vlan=bond0.5000:bond0", "vlan=bond0.5000:bond0: "),
        ("ifname=nic0 ip=dhcp", "expected ifname=NAME:MAC"),
        (
            "ip=dhcp rd.route=10.0.0.0/8:192.0.2.1:eno9",
            "eno9 has no ip= argument",
        ),
        (
            "ip=dhcp nameserver=dns.example",
            "nameserver=dns.example: expected an IP address",
        ),
        // The answer's own checks, reported at the word they are about.
        (
            "ip=[2001:db8::10]:::64::eno1:none:1000",
            "ip=[2001:db8::10]:::64::eno1:none:1000: ",
        ),
        (
            "bond=bond0:eno1,eno2 ip=eno1:dhcp",
            "ip=eno1:dhcp: eno1 is a member of bond bond0",
        ),
    ];
    for (line, want) in table {
        let e = errors(line);
        assert!(
            e.iter()
                .any(|m| m.contains(want) && m.starts_with("kernel command line: ")),
            "{line}: wanted {want:?} in {e:#?}"
        );
    }
}

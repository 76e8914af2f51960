//! The network screen's bonds and VLANs: made with keys, checked as they are typed,
//! planned into NetworkManager profiles, deleted again, and a starting answer's bonds,
//! VLANs and bridges kept.

use super::*;
use crate::answer::{BondMode, LinkRef, load_str};
use crate::plan::network::{Bind, Connection, Kind};
use crate::tui::screens::network_conn::Row;
use crate::tui::screens::network_form::{ADDR4, LIST, VID};
use crate::tui::text;
use Action::*;

/// From the welcome screen to the network screen, with a host name typed.
fn to_network(h: &mut H) {
    h.press([Enter, Enter]);
    assert_eq!(
        h.screen(),
        Screen::Network,
        "{:?}",
        h.messages(Screen::Disk)
    );
    h.typ("web01.example.com");
}

/// eno1 and eno2 marked and bonded; the cursor on the bond's name.
fn bond_eno1_eno2(h: &mut H) {
    h.press([Down, Char(' '), Down, Char(' '), Char('b')]);
}

/// The rendered line right after the one containing `what`.
fn line_after(screen: &str, what: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no {what:?} in\n{screen}"));
    lines.get(at + 1).map(|l| l.to_string()).unwrap_or_default()
}

fn planned(h: &H) -> Vec<Connection> {
    crate::plan::network::connections(&h.app.answer)
        .unwrap_or_else(|e| panic!("the answer's network plans: {e:?}"))
}

/// bond0 of eno1 and eno2 with static IPv4 and IPv6 addresses and both gateways, and
/// VLAN 42 on it with an address of its own.
fn make_bond_and_vlan(h: &mut H) {
    to_network(h);
    bond_eno1_eno2(h);
    assert_eq!(h.app.network.sel, Some(Row::Bond(0)));
    // Name (bond0), mode, primary, then IPv4: static.
    h.press([Down, Down, Down, Right, Down]);
    assert_eq!(h.app.network.form.focus, ADDR4);
    h.typ("192.0.2.10/24");
    h.press([Down]);
    h.typ("192.0.2.1");
    // IPv6: manual.
    h.press([Down, Right, Right, Down]);
    h.typ("2001:db8::10/64");
    h.press([Down]);
    h.typ("2001:db8::1");
    h.press(times(BackTab, 9));
    assert_eq!(h.app.network.form.focus, LIST);
    h.press([Char('v')]);
    assert_eq!(h.app.network.sel, Some(Row::Vlan(0)));
    h.typ("42");
    h.press([Down, Right, Down]);
    h.typ("198.51.100.10/24");
}

#[test]
fn a_bond_of_two_nics_with_a_vlan_on_it_is_planned_and_exported() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    make_bond_and_vlan(&mut h);
    assert!(
        h.messages(Screen::Network).is_empty(),
        "{:?}",
        h.messages(Screen::Network)
    );
    let screen = h.render();
    assert!(
        screen.contains("bond0      bond active-backup: eno1 eno2"),
        "{screen}"
    );
    assert!(screen.contains("bond0.42   VLAN 42 on bond0"), "{screen}");
    // The members are the bond's ports now, no longer NICs of their own.
    assert!(!screen.contains("[ ] eno1"), "{screen}");
    assert!(screen.contains("[ ] enp65s0f0"), "{screen}");

    let net = &h.app.answer.network;
    assert_eq!(net.bonds.len(), 1);
    assert_eq!(
        net.bonds[0].members,
        [LinkRef::Name("eno1".into()), LinkRef::Name("eno2".into())]
    );
    assert_eq!(net.bonds[0].mode, BondMode::ActiveBackup);
    assert!(net.interfaces.is_empty(), "{:?}", net.interfaces);

    let conns = planned(&h);
    let bond = conns
        .iter()
        .find(|c| matches!(&c.kind, Kind::Bond { interface, .. } if interface == "bond0"))
        .unwrap_or_else(|| panic!("a bond profile: {conns:?}"));
    let ip = bond.ip.as_ref().expect("the bond has addresses");
    assert!(!ip.dhcp);
    assert_eq!(ip.ipv4, ["192.0.2.10/24"]);
    assert_eq!(ip.ipv6, ["2001:db8::10/64"]);
    assert_eq!(
        ip.gateway.map(|g| g.to_string()).as_deref(),
        Some("192.0.2.1")
    );
    assert_eq!(
        ip.gateway6.map(|g| g.to_string()).as_deref(),
        Some("2001:db8::1")
    );
    let ports: Vec<&Bind> = conns
        .iter()
        .filter(|c| c.port_of.as_ref().is_some_and(|p| p.controller == "bond0"))
        .filter_map(|c| match &c.kind {
            Kind::Ethernet { bind } => Some(bind),
            _ => None,
        })
        .collect();
    assert_eq!(
        ports,
        [&Bind::Name("eno1".into()), &Bind::Name("eno2".into())]
    );
    let vlan = conns
        .iter()
        .find(|c| matches!(c.kind, Kind::Vlan { .. }))
        .unwrap_or_else(|| panic!("a VLAN profile: {conns:?}"));
    assert_eq!(
        vlan.kind,
        Kind::Vlan {
            interface: "bond0.42".into(),
            id: 42,
            parent: "bond0".into()
        }
    );
    let ip = vlan.ip.as_ref().expect("the VLAN has addresses");
    assert_eq!(ip.ipv4, ["198.51.100.10/24"]);
    assert!(ip.ipv6.is_empty());

    // On to the summary, which names them; exported, the answer loads back the same.
    h.press([Enter]);
    assert_eq!(
        h.screen(),
        Screen::Users,
        "{:?}",
        h.messages(Screen::Network)
    );
    walk_to(&mut h, Screen::Summary);
    let screen = h.render();
    for line in [
        "  bond0 (bond, active-backup) static 192.0.2.10/24 2001:db8::10/64 gw ",
        "    192.0.2.1 gw 2001:db8::1 ",
        "  eno1 in bond0",
        "  eno2 in bond0",
        "  bond0.42 (VLAN 42 on bond0) static 198.51.100.10/24",
    ] {
        assert!(screen.contains(line), "{line:?} in\n{screen}");
    }
    let Some(Effect::Export(toml)) = h.raw(Char('e')) else {
        panic!("e exports the answer");
    };
    assert!(toml.contains("[[network.bonds]]"), "{toml}");
    assert!(toml.contains("[[network.vlans]]"), "{toml}");
    let back = load_str(&toml).unwrap_or_else(|e| panic!("{e:?}\n{toml}"));
    assert_eq!(back, h.app.answer);
}

#[test]
fn deleting_a_bond_gives_its_nics_back() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    make_bond_and_vlan(&mut h);
    // Back on the list, up to the bond: d deletes it and the VLAN on it.
    h.press(times(BackTab, 4));
    assert_eq!(h.app.network.form.focus, LIST);
    h.press([Up]);
    assert_eq!(h.app.network.sel, Some(Row::Bond(0)));
    h.press([Char('d')]);
    let net = &h.app.answer.network;
    assert!(net.bonds.is_empty() && net.vlans.is_empty(), "{net:?}");
    assert!(net.interfaces.is_empty(), "back on DHCP: {net:?}");
    assert_eq!(h.app.network.sel, Some(Row::Nic(0)));
    let screen = h.render();
    for nic in ["eno1", "eno2", "enp65s0f0"] {
        assert!(screen.contains(&format!("[ ] {nic}")), "{screen}");
    }
    assert!(!screen.contains("bond0"), "{screen}");
    assert!(
        planned(&h).is_empty(),
        "NetworkManager's DHCP everywhere again"
    );
    // Deleting a NIC is not a thing: it says so.
    h.press([Char('d')]);
    assert_eq!(h.app.notice.as_deref(), Some(text::DELETE_WHAT));
    // Nor is a bond of one NIC.
    h.press([Char(' '), Char('b')]);
    assert_eq!(h.app.notice.as_deref(), Some(text::MARK_TWO));
    assert!(h.app.answer.network.bonds.is_empty());
}

#[test]
fn bad_values_show_under_their_field_as_typed_and_block_enter() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    to_network(&mut h);
    // eno1 static with a typo in its address.
    h.press([Down, Tab, Right, Down]);
    h.typ("192.0.2.300/24");
    let under = line_after(&h.render(), "IPv4 addresses....: 192.0.2.300/24");
    assert!(
        under.contains("! \"192.0.2.300\" is not an IP address"),
        "{under}"
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Network, "blocked while invalid");
    assert_eq!(h.app.notice.as_deref(), Some(text::FIX_FIRST));
    h.press(times(Backspace, 6));
    h.typ("10/24");
    assert!(h.messages(Screen::Network).is_empty());
    // An IPv6 address's issue goes under the IPv6 field; an IPv4 gateway6 under its own.
    h.press([Down, Down, Right, Right, Down]);
    h.typ("2001:db8::zz/64");
    let screen = h.render();
    let under = line_after(&screen, "IPv6 addresses....: 2001:db8::zz/64");
    assert!(under.contains("is not an IP address"), "{screen}");
    assert!(
        !line_after(&screen, "IPv4 addresses").contains('!'),
        "{screen}"
    );
    h.press(times(Backspace, 5));
    h.typ("10/64");
    h.press([Down]);
    h.typ("192.0.2.1");
    let under = line_after(&h.render(), "IPv6 gateway......: 192.0.2.1");
    assert!(under.contains("192.0.2.1 is an IPv4 address"), "{under}");
    h.press(times(Backspace, 9));
    assert!(h.messages(Screen::Network).is_empty());

    // A VLAN id out of range and a VLAN name another interface has: under theirs.
    h.press(times(BackTab, 6));
    assert_eq!(h.app.network.form.focus, LIST);
    h.press([Down, Char(' '), Down, Char(' '), Char('b')]);
    h.press(times(BackTab, 1));
    h.press([Char('v')]);
    h.typ("4095x");
    assert_eq!(
        h.app
            .network
            .form
            .text(crate::tui::screens::network_form::VID),
        "4095",
        "digits only"
    );
    let under = line_after(&h.render(), "VLAN id...........: 4095");
    assert!(
        under.contains("VLAN id 4095 is not between 1 and 4094"),
        "{under}"
    );
    h.press([Backspace, Char('4'), Up]);
    h.typ("bond0");
    let under = line_after(&h.render(), "Name..............: bond0");
    assert!(
        under.contains("\"bond0\" is already the name of a bond"),
        "{under}"
    );
    h.press(times(Backspace, 5));
    h.typ("a-name-of-16-chr");
    let under = line_after(&h.render(), "Name..............: a-name-of-16-chr");
    assert!(under.contains("is not an interface name"), "{under}");
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Network);
    h.press([Backspace]);
    assert!(
        h.messages(Screen::Network).is_empty(),
        "{:?}",
        h.messages(Screen::Network)
    );
    assert_eq!(
        h.app.answer.network.vlans[0].name.as_deref(),
        Some("a-name-of-16-ch")
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Users);
}

/// A VLAN on a NIC whose entry names it by MAC goes on that entry (one profile for the
/// NIC, which keeps its addresses), with the name it would have had.
#[test]
fn a_vlan_on_a_static_nic_shares_the_nics_profile() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    to_network(&mut h);
    h.press([Down, Tab, Right, Down]);
    h.typ("192.0.2.10/24");
    h.press(times(BackTab, 2));
    h.press([Char('v'), Paste("7x".into())]);
    assert_eq!(
        h.app.network.form.text(VID),
        "",
        "a paste of non-digits is refused"
    );
    h.press([Paste("7".into())]);
    assert!(
        h.messages(Screen::Network).is_empty(),
        "{:?}",
        h.messages(Screen::Network)
    );
    let vlan = &h.app.answer.network.vlans[0];
    assert_eq!(vlan.name.as_deref(), Some("eno1.7"));
    let conns = planned(&h);
    let eno1: Vec<&Connection> = conns
        .iter()
        .filter(|c| {
            c.kind
                == Kind::Ethernet {
                    bind: Bind::Mac("52:54:00:12:34:56".into()),
                }
        })
        .collect();
    assert_eq!(eno1.len(), 1, "{conns:?}");
    assert_eq!(conns.len(), 2, "{conns:?}");
    assert!(
        matches!(&conns[1].kind, Kind::Vlan { interface, id: 7, parent } if interface == "eno1.7" && *parent == eno1[0].uuid),
        "{conns:?}"
    );
}

fn example() -> crate::answer::Answer {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/installer-config/examples/network-bond-vlan-bridge.toml"
    );
    load_str(&std::fs::read_to_string(path).expect("the example")).expect("valid")
}

/// The example's LACP bond (of NICs by PCI address), its two VLANs and the bridge on one
/// of them are listed and kept as written; renaming the bond takes its VLANs and the
/// bridge's port along.
#[test]
fn an_answers_bonds_vlans_and_bridges_are_listed_and_kept() {
    let fake = FakeBackend::default();
    let given = example();
    let mut h = H::with_answer(&fake, given.clone());
    h.press([Enter, Enter]);
    assert_eq!(
        h.screen(),
        Screen::Network,
        "{:?}",
        h.messages(Screen::Disk)
    );
    let screen = h.render();
    for row in [
        "bond0      bond 802.3ad: 0000:3b:00.0 0000:~ no IPv4, no IPv6",
        "bond0.10   VLAN 10 on bond0",
        "bond0.20   VLAN 20 on bond0                  port of br-vm",
        "br-vm      bridge: bond0.20",
    ] {
        assert!(screen.contains(row), "{row:?} in\n{screen}");
    }
    assert_eq!(h.app.answer.network, given.network);
    // bond0 -> bond1.
    h.press([Down]);
    while h.app.network.sel != Some(Row::Bond(0)) {
        h.press([Down]);
    }
    h.press([Tab, End, Backspace, Char('1')]);
    let net = &h.app.answer.network;
    assert_eq!(net.bonds[0].name, "bond1");
    assert!(
        net.vlans
            .iter()
            .all(|v| v.on == LinkRef::Name("bond1".into())),
        "{net:?}"
    );
    assert_eq!(net.bridges[0].ports, [LinkRef::Name("bond1.20".into())]);
    assert!(
        h.messages(Screen::Network).is_empty(),
        "{:?}",
        h.messages(Screen::Network)
    );
    // A bridge's port cannot be deleted from under it.
    h.press([BackTab, Down, Down, Char('d')]);
    assert_eq!(h.app.notice.as_deref(), Some(text::PORT_STAYS));
    assert_eq!(h.app.answer.network.vlans.len(), 2);
}

#[test]
fn network_snapshots() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    make_bond_and_vlan(&mut h);
    insta::assert_snapshot!("network_vlan_on_bond", h.render());
    h.press(times(BackTab, 4));
    h.press([Up]);
    insta::assert_snapshot!("network_bond_list", h.render());
}

//! The network screen's model: the connections it lists (the NICs, bonds, VLANs and a
//! starting answer's bridges), each with its addressing as the form's texts, and how they
//! become `[network]` again, with the key path of each (where its issues point).

use crate::answer::{
    Addressing, Bond, BondMode, Bridge, Interface, InterfaceMatch, LinkRef, Network, Vlan,
};
use crate::probe::Nic;

pub use super::network_addr::{AddrText, BOND_MODES, IPV6_MODES};

/// A physical NIC.
#[derive(Debug, Clone)]
pub struct NicConn {
    pub nic: Nic,
    /// Its entry in the starting answer: its place among the interfaces, and its match.
    pub given: Option<(usize, InterfaceMatch)>,
    pub addr: AddrText,
}

#[derive(Debug, Clone)]
pub struct BondConn {
    /// Stays the same while the bond exists (its VLANs refer to it by this).
    pub uid: u32,
    /// Its addressing is `addr`'s.
    pub bond: Bond,
    pub addr: AddrText,
    /// Its name in the starting answer (a bridge port may name it).
    pub was: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VlanConn {
    /// Its id is `vid`'s, its addressing `addr`'s.
    pub vlan: Vlan,
    /// The id as typed (digits only; empty writes 0, which the checks refuse).
    pub vid: String,
    /// Made here on a bond: that bond's uid (its name may still change).
    pub on_bond: Option<u32>,
    /// Made here on a NIC: that NIC (it is named the way its interface entry names it).
    pub on_nic: Option<usize>,
    pub addr: AddrText,
    pub was: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BridgeConn {
    pub bridge: Bridge,
    pub addr: AddrText,
}

/// A line of the connection list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Nic(usize),
    Bond(usize),
    Vlan(usize),
    Bridge(usize),
}

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub nics: Vec<NicConn>,
    pub bonds: Vec<BondConn>,
    pub vlans: Vec<VlanConn>,
    pub bridges: Vec<BridgeConn>,
    /// The answer's interfaces no NIC here shows (`first_with_link`, a driver, a NIC that is
    /// not here), with their places: kept as they are.
    pub unshown: Vec<(usize, Interface)>,
    next_uid: u32,
}

pub fn matches(m: &InterfaceMatch, n: &Nic) -> bool {
    (m.mac.is_some()
        && m.mac.as_deref().map(str::to_lowercase) == n.mac.as_deref().map(str::to_lowercase))
        || (m.name.is_some() && m.name.as_deref() == Some(n.name.as_str()))
}

fn refers(l: &LinkRef, n: &Nic) -> bool {
    match l {
        LinkRef::Name(name) => *name == n.name,
        LinkRef::Match(m) => matches(m, n),
    }
}

/// How the screen names a new NIC entry: by MAC when it has one.
fn match_of(n: &Nic) -> InterfaceMatch {
    match &n.mac {
        Some(mac) => InterfaceMatch {
            mac: Some(mac.clone()),
            ..Default::default()
        },
        None => InterfaceMatch {
            name: Some(n.name.clone()),
            ..Default::default()
        },
    }
}

/// What `build` made: `[network]` (without the proxy), and each row's key path with the
/// number of its IPv4 addresses (rows without an entry have none).
pub struct Built {
    pub network: Network,
    pub keys: Vec<(Row, String, usize)>,
}

impl Built {
    pub fn key(&self, r: Row) -> Option<(&str, usize)> {
        self.keys
            .iter()
            .find(|(row, _, _)| *row == r)
            .map(|(_, k, n)| (k.as_str(), *n))
    }
}

/// An interface entry with its place (in the starting answer, then in probe order), and
/// the row it is (with its number of IPv4 addresses), if one.
type Placed = (usize, usize, Option<(Row, usize)>, Interface);

impl Model {
    pub fn new(nics: &[Nic], n: &Network) -> Model {
        let given = |nic: &Nic| {
            n.interfaces
                .iter()
                .enumerate()
                .find(|(_, i)| matches(&i.matcher, nic))
        };
        let nics_here = nics
            .iter()
            .map(|nic| NicConn {
                nic: nic.clone(),
                given: given(nic).map(|(k, i)| (k, i.matcher.clone())),
                addr: given(nic)
                    .map_or_else(AddrText::default, |(_, i)| AddrText::of(&i.addressing)),
            })
            .collect();
        let unshown = n
            .interfaces
            .iter()
            .cloned()
            .enumerate()
            .filter(|(_, i)| !nics.iter().any(|nic| matches(&i.matcher, nic)))
            .collect();
        let bonds: Vec<BondConn> = n
            .bonds
            .iter()
            .zip(0..)
            .map(|(b, uid)| BondConn {
                uid,
                bond: b.clone(),
                addr: AddrText::of(&b.addressing),
                was: Some(b.name.clone()),
            })
            .collect();
        // A VLAN on a bond follows the bond when it is renamed here.
        let bond_uid = |v: &Vlan| {
            let on = v.on.name()?;
            bonds.iter().find(|b| b.bond.name == on).map(|b| b.uid)
        };
        let vlans = n
            .vlans
            .iter()
            .map(|v| VlanConn {
                vlan: v.clone(),
                vid: v.id.to_string(),
                on_bond: match &v.on {
                    LinkRef::Name(_) => bond_uid(v),
                    LinkRef::Match(_) => None,
                },
                on_nic: None,
                addr: AddrText::of(&v.addressing),
                was: v.interface_name(),
            })
            .collect();
        let bridges = n
            .bridges
            .iter()
            .map(|b| BridgeConn {
                bridge: b.clone(),
                addr: AddrText::of(&b.addressing),
            })
            .collect();
        Model {
            nics: nics_here,
            next_uid: u32::try_from(bonds.len()).unwrap_or(u32::MAX),
            bonds,
            vlans,
            bridges,
            unshown,
        }
    }

    /// The bond or bridge NIC `i` is a member or port of.
    pub fn controller(&self, i: usize) -> Option<&str> {
        let n = &self.nics.get(i)?.nic;
        let bond = self
            .bonds
            .iter()
            .find(|b| b.bond.members.iter().any(|m| refers(m, n)))
            .map(|b| b.bond.name.as_str());
        bond.or_else(|| {
            self.bridges
                .iter()
                .find(|b| b.bridge.ports.iter().any(|p| refers(p, n)))
                .map(|b| b.bridge.name.as_str())
        })
    }

    /// The list: NICs that are no bond's or bridge's, then bonds, VLANs, bridges.
    pub fn rows(&self) -> Vec<Row> {
        let nics = (0..self.nics.len()).filter(|&i| self.controller(i).is_none());
        nics.map(Row::Nic)
            .chain((0..self.bonds.len()).map(Row::Bond))
            .chain((0..self.vlans.len()).map(Row::Vlan))
            .chain((0..self.bridges.len()).map(Row::Bridge))
            .collect()
    }

    pub fn addr(&self, r: Row) -> Option<&AddrText> {
        match r {
            Row::Nic(i) => self.nics.get(i).map(|c| &c.addr),
            Row::Bond(i) => self.bonds.get(i).map(|c| &c.addr),
            Row::Vlan(i) => self.vlans.get(i).map(|c| &c.addr),
            Row::Bridge(i) => self.bridges.get(i).map(|c| &c.addr),
        }
    }

    pub fn addr_mut(&mut self, r: Row) -> Option<&mut AddrText> {
        match r {
            Row::Nic(i) => self.nics.get_mut(i).map(|c| &mut c.addr),
            Row::Bond(i) => self.bonds.get_mut(i).map(|c| &mut c.addr),
            Row::Vlan(i) => self.vlans.get_mut(i).map(|c| &mut c.addr),
            Row::Bridge(i) => self.bridges.get_mut(i).map(|c| &mut c.addr),
        }
    }

    /// The interface name a row is known by ("eno1", "bond0", "bond0.42", "br0").
    pub fn name(&self, r: Row) -> String {
        match r {
            Row::Nic(i) => self.nics.get(i).map(|c| c.nic.name.clone()),
            Row::Bond(i) => self.bonds.get(i).map(|c| c.bond.name.clone()),
            Row::Vlan(i) => self.vlans.get(i).map(|v| self.vlan_name(v)),
            Row::Bridge(i) => self.bridges.get(i).map(|c| c.bridge.name.clone()),
        }
        .unwrap_or_default()
    }

    /// A VLAN's parent's name as it is now.
    pub fn parent_name(&self, v: &VlanConn) -> String {
        if let Some(b) = v
            .on_bond
            .and_then(|u| self.bonds.iter().find(|b| b.uid == u))
        {
            return b.bond.name.clone();
        }
        if let Some(c) = v.on_nic.and_then(|i| self.nics.get(i)) {
            return c.nic.name.clone();
        }
        super::network_list::link_name(&v.vlan.on)
    }

    /// "PARENT.ID", the name a VLAN without a name of its own gets.
    pub fn vlan_default_name(&self, v: &VlanConn) -> String {
        format!("{}.{}", self.parent_name(v), v.vid)
    }

    pub fn vlan_name(&self, v: &VlanConn) -> String {
        v.vlan
            .name
            .clone()
            .unwrap_or_else(|| self.vlan_default_name(v))
    }

    /// The bridge a bond or VLAN is a port of (it then has no addresses of its own).
    pub fn bridge_of(&self, r: Row) -> Option<String> {
        let name = match r {
            Row::Bond(i) => self.bonds.get(i).and_then(|b| b.was.clone()),
            Row::Vlan(i) => self.vlans.get(i).and_then(|v| v.was.clone()),
            _ => None,
        }?;
        self.bridges
            .iter()
            .find(|b| b.bridge.ports.iter().any(|p| p.name() == Some(&name)))
            .map(|b| b.bridge.name.clone())
    }

    /// A name no interface here has: `stem` and the lowest free number ("bond0").
    fn free_name(&self, stem: &str) -> String {
        let taken: Vec<String> = self
            .rows()
            .into_iter()
            .map(|r| self.name(r))
            .chain(self.nics.iter().map(|c| c.nic.name.clone()))
            .collect();
        (0..)
            .map(|n| format!("{stem}{n}"))
            .find(|n| !taken.contains(n))
            .unwrap_or_else(|| stem.to_string())
    }

    /// Bonds the NICs `members` (indices into `nics`) in an active-backup bond named
    /// after the first free "bondN". It takes the first member's addressing: the NICs'
    /// own entries go (a member has no addresses).
    pub fn add_bond(&mut self, members: &[usize]) -> usize {
        let addr = members
            .first()
            .and_then(|&i| self.nics.get(i))
            .map(|c| c.addr.clone())
            .unwrap_or_default();
        let name = self.free_name("bond");
        let mut refs = Vec::new();
        for &i in members {
            if let Some(c) = self.nics.get_mut(i) {
                refs.push(LinkRef::Name(c.nic.name.clone()));
                c.given = None;
                c.addr = AddrText::default();
            }
        }
        self.bonds.push(BondConn {
            uid: self.next_uid,
            bond: Bond {
                name,
                members: refs,
                mode: BondMode::ActiveBackup,
                miimon: None,
                lacp_rate: None,
                primary: None,
                addressing: Addressing::default(),
            },
            addr,
            was: None,
        });
        self.next_uid += 1;
        self.bonds.len() - 1
    }

    /// Removes bond `b` and the VLANs on it; its NICs are listed again, on DHCP. The NICs
    /// that were its members.
    pub fn remove_bond(&mut self, b: usize) -> Vec<usize> {
        let Some(gone) = self.bonds.get(b).cloned() else {
            return Vec::new();
        };
        let members: Vec<usize> = (0..self.nics.len())
            .filter(|&i| {
                gone.bond
                    .members
                    .iter()
                    .any(|m| refers(m, &self.nics[i].nic))
            })
            .collect();
        let name = gone.bond.name.clone();
        self.vlans
            .retain(|v| v.on_bond != Some(gone.uid) && v.vlan.on.name() != Some(name.as_str()));
        self.bonds.remove(b);
        members
    }

    /// Adds a VLAN (its id still to be typed) on the NIC or bond `parent`.
    pub fn add_vlan(&mut self, parent: Row) -> Option<usize> {
        let (on_bond, on_nic, on) = match parent {
            Row::Nic(i) => (None, Some(i), self.nics.get(i)?.nic.name.clone()),
            Row::Bond(i) => {
                let b = self.bonds.get(i)?;
                (Some(b.uid), None, b.bond.name.clone())
            }
            Row::Bridge(i) => (None, None, self.bridges.get(i)?.bridge.name.clone()),
            Row::Vlan(_) => return None,
        };
        self.vlans.push(VlanConn {
            vlan: Vlan {
                id: 0,
                on: LinkRef::Name(on),
                name: None,
                addressing: Addressing::default(),
            },
            vid: String::new(),
            on_bond,
            on_nic,
            addr: AddrText::default(),
            was: None,
        });
        Some(self.vlans.len() - 1)
    }

    /// The NIC entry of NIC `i`, if it is written: a starting answer's entry stays, a new
    /// one is written once something is set.
    fn nic_entry(&self, i: usize) -> Option<(usize, Interface, usize)> {
        let c = self.nics.get(i)?;
        if self.controller(i).is_some() {
            return None;
        }
        let (a, n4) = c.addr.addressing();
        match &c.given {
            Some((at, m)) => Some((
                *at,
                Interface {
                    matcher: m.clone(),
                    addressing: a,
                },
                n4,
            )),
            None if a.is_set() => Some((
                usize::MAX,
                Interface {
                    matcher: match_of(&c.nic),
                    addressing: a,
                },
                n4,
            )),
            None => None,
        }
    }

    /// `[network]` as the rows have it (the proxy is the caller's), and each row's key.
    pub fn build(&self) -> Built {
        let mut keys = Vec::new();
        // Interfaces in the starting answer's order, then the new ones in probe order.
        let mut ifaces: Vec<Placed> = self
            .unshown
            .iter()
            .map(|(at, i)| (*at, 0, None, i.clone()))
            .collect();
        for i in 0..self.nics.len() {
            if let Some((at, iface, n4)) = self.nic_entry(i) {
                ifaces.push((at, i, Some((Row::Nic(i), n4)), iface));
            }
        }
        ifaces.sort_by_key(|(at, i, _, _)| (*at, *i));
        let mut network = Network::default();
        for (k, (_, _, row, iface)) in ifaces.into_iter().enumerate() {
            if let Some((r, n4)) = row {
                keys.push((r, format!("network.interfaces[{k}]"), n4));
            }
            network.interfaces.push(iface);
        }
        // Names a bridge port may give a bond or VLAN of the starting answer, as they are now.
        let mut renamed: Vec<(String, String)> = Vec::new();
        for (j, b) in self.bonds.iter().enumerate() {
            let (a, n4) = b.addr.addressing();
            let mut bond = b.bond.clone();
            bond.addressing = a;
            keys.push((Row::Bond(j), format!("network.bonds[{j}]"), n4));
            if let Some(was) = &b.was {
                renamed.push((was.clone(), bond.name.clone()));
            }
            network.bonds.push(bond);
        }
        for (v, c) in self.vlans.iter().enumerate() {
            let (a, n4) = c.addr.addressing();
            let mut vlan = c.vlan.clone();
            vlan.addressing = a;
            vlan.id = c.vid.parse().unwrap_or(0);
            if c.on_bond.is_some() {
                vlan.on = LinkRef::Name(self.parent_name(c));
            }
            // On a NIC: named the way its entry names it, so that the NIC has one profile.
            if let Some(i) = c.on_nic {
                let m = self.nic_entry(i).map(|(_, e, _)| e.matcher);
                if let Some(m) = m.filter(|m| m.name.is_none()) {
                    vlan.on = LinkRef::Match(m);
                    vlan.name = vlan.name.or_else(|| Some(self.vlan_default_name(c)));
                }
            }
            keys.push((Row::Vlan(v), format!("network.vlans[{v}]"), n4));
            if let Some(was) = &c.was {
                renamed.push((was.clone(), self.vlan_name(c)));
            }
            network.vlans.push(vlan);
        }
        for (r, c) in self.bridges.iter().enumerate() {
            let (a, n4) = c.addr.addressing();
            let mut bridge = c.bridge.clone();
            bridge.addressing = a;
            for p in &mut bridge.ports {
                if let LinkRef::Name(n) = p
                    && let Some((_, now)) = renamed.iter().find(|(was, _)| was == n)
                {
                    *n = now.clone();
                }
            }
            keys.push((Row::Bridge(r), format!("network.bridges[{r}]"), n4));
            network.bridges.push(bridge);
        }
        Built { network, keys }
    }
}

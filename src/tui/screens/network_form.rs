//! The fields under the network screen's list: the selected connection's own settings (a
//! bond's name, mode and primary; a VLAN's id and name) and its addressing (IPv4 DHCP or
//! static, the IPv6 mode, addresses, gateways, DNS, MTU). Each field's key is the answer
//! key of that connection, so the answer's checks show under the field they are about.

use crate::answer::{BondMode, Ipv6Mode, Issue};
use crate::tui::text;
use crate::tui::widgets::form::{Field, Form, Value};
use crate::tui::widgets::input::LineInput;

use super::network_conn::{AddrText, BOND_MODES, Built, IPV6_MODES, Model, Row};

pub const HOST: usize = 0;
pub const LIST: usize = 1;
pub const NAME: usize = 2;
pub const BMODE: usize = 3;
pub const PRIMARY: usize = 4;
pub const VID: usize = 5;
pub const IPV4: usize = 6;
pub const ADDR4: usize = 7;
pub const GW: usize = 8;
pub const IPV6: usize = 9;
pub const ADDR6: usize = 10;
pub const GW6: usize = 11;
pub const DNS: usize = 12;
pub const SEARCH: usize = 13;
pub const MTU: usize = 14;

/// Fields that take digits only (and how many).
pub fn digits(field: usize) -> Option<usize> {
    match field {
        VID => Some(4),
        MTU => Some(5),
        _ => None,
    }
}

pub fn fields(host: &str) -> Vec<Field> {
    let modes: Vec<&str> = BOND_MODES.iter().map(|m| m.as_str()).collect();
    vec![
        Field::text(text::F_HOSTNAME, "system.hostname", host),
        Field::new(text::F_CONNS, "", Value::Zone),
        Field::text(text::F_NAME, "", ""),
        Field::choice(text::F_BOND_MODE, "", &modes, 0),
        Field::choice(text::F_PRIMARY, "", &[text::NO_PRIMARY], 0),
        Field::text(text::F_VLAN_ID, "", ""),
        Field::choice(text::F_IPV4, "", &text::IPV4_MODES, 0),
        Field::text(text::F_ADDR4, "", ""),
        Field::text(text::F_GW, "", ""),
        Field::choice(text::F_IPV6, "", &text::IPV6_MODES, 0),
        Field::text(text::F_ADDR6, "", ""),
        Field::text(text::F_GW6, "", ""),
        Field::text(text::F_DNS, "", ""),
        Field::text(text::F_DNS_SEARCH, "", ""),
        Field::text(text::F_MTU, "", ""),
    ]
}

fn set_text(form: &mut Form, f: usize, s: &str) {
    if let Some(i) = form.input_mut(f) {
        *i = LineInput::new(s);
    }
}

/// Shows row `r`'s settings in the fields.
pub fn load(form: &mut Form, m: &Model, r: Row) {
    let a = m.addr(r).cloned().unwrap_or_default();
    form.set_choice(IPV4, usize::from(a.fixed));
    let v6 = IPV6_MODES.iter().position(|x| *x == a.ipv6).unwrap_or(0);
    form.set_choice(IPV6, v6);
    for (f, s) in [
        (ADDR4, &a.v4),
        (GW, &a.gw),
        (ADDR6, &a.v6),
        (GW6, &a.gw6),
        (DNS, &a.dns),
        (SEARCH, &a.search),
        (MTU, &a.mtu),
    ] {
        set_text(form, f, s);
    }
    match r {
        Row::Bond(i) => {
            let Some(b) = m.bonds.get(i) else { return };
            set_text(form, NAME, &b.bond.name);
            let mode = BOND_MODES.iter().position(|x| *x == b.bond.mode);
            form.set_choice(BMODE, mode.unwrap_or(0));
            // The members known by name, and a starting answer's primary whatever it is.
            let mut options = vec![text::NO_PRIMARY.to_string()];
            options.extend(
                b.bond
                    .members
                    .iter()
                    .filter_map(|l| l.name().map(String::from)),
            );
            if let Some(p) = &b.bond.primary
                && !options.contains(p)
            {
                options.push(p.clone());
            }
            let index = b
                .bond
                .primary
                .as_ref()
                .and_then(|p| options.iter().position(|o| o == p))
                .unwrap_or(0);
            form.fields[PRIMARY].value = Value::Choice { options, index };
        }
        Row::Vlan(i) => {
            let Some(v) = m.vlans.get(i) else { return };
            set_text(form, NAME, v.vlan.name.as_deref().unwrap_or(""));
            set_text(form, VID, &v.vid);
        }
        _ => {}
    }
}

/// The fields' values back into row `r`.
pub fn store(form: &Form, m: &mut Model, r: Row) {
    let Some(given) = m.addr(r).map(|a| a.ipv6_given) else {
        return;
    };
    let a = AddrText {
        fixed: form.choice(IPV4) == 1,
        v4: form.text(ADDR4).into(),
        gw: form.text(GW).into(),
        ipv6: IPV6_MODES
            .get(form.choice(IPV6))
            .copied()
            .unwrap_or(Ipv6Mode::Auto),
        ipv6_given: given,
        v6: form.text(ADDR6).into(),
        gw6: form.text(GW6).into(),
        dns: form.text(DNS).into(),
        search: form.text(SEARCH).into(),
        mtu: form.text(MTU).into(),
        routes: m.addr(r).map(|a| a.routes.clone()).unwrap_or_default(),
    };
    // A bridge port's addresses are its bridge's: its fields are hidden, its entry kept.
    if m.bridge_of(r).is_none()
        && let Some(slot) = m.addr_mut(r)
    {
        *slot = a;
    }
    match r {
        Row::Bond(i) => {
            let Some(b) = m.bonds.get_mut(i) else { return };
            b.bond.name = form.text(NAME).trim().to_string();
            b.bond.mode = BOND_MODES
                .get(form.choice(BMODE))
                .copied()
                .unwrap_or(BondMode::ActiveBackup);
            b.bond.primary = match &form.fields[PRIMARY].value {
                Value::Choice { options, index } if *index > 0 => options.get(*index).cloned(),
                _ => None,
            };
        }
        Row::Vlan(i) => {
            let Some(v) = m.vlans.get_mut(i) else { return };
            let name = form.text(NAME).trim();
            v.vlan.name = (!name.is_empty()).then(|| name.to_string());
            v.vid = form.text(VID).to_string();
        }
        _ => {}
    }
}

/// Shows the fields row `r` has (none without a row), points their keys at its answer
/// entry, and notes what a field leaves to a default.
pub fn sync(form: &mut Form, m: &Model, r: Option<Row>, built: &Built) {
    let all = NAME..=MTU;
    let Some(r) = r else {
        for f in all {
            form.hide(f, true);
        }
        form.settle();
        return;
    };
    let port = m.bridge_of(r);
    let v6_on = IPV6_MODES.get(form.choice(IPV6)) != Some(&Ipv6Mode::Disabled);
    for f in all {
        let shown = match f {
            NAME => matches!(r, Row::Bond(_) | Row::Vlan(_)),
            BMODE | PRIMARY => matches!(r, Row::Bond(_)),
            VID => matches!(r, Row::Vlan(_)),
            ADDR6 | GW6 => port.is_none() && v6_on,
            _ => port.is_none(),
        };
        form.hide(f, !shown);
    }
    let prefix = built.key(r).map(|(k, _)| k.to_string());
    for (f, key) in [
        (NAME, "name"),
        (BMODE, "mode"),
        (PRIMARY, "primary"),
        (VID, "id"),
        (IPV4, "dhcp"),
        (ADDR4, "addresses4"),
        (GW, "gateway"),
        (IPV6, "ipv6"),
        (ADDR6, "addresses6"),
        (GW6, "gateway6"),
        (DNS, "dns"),
        (SEARCH, "dns_search"),
        (MTU, "mtu"),
    ] {
        form.fields[f].key = prefix
            .as_ref()
            .map(|p| format!("{p}.{key}"))
            .unwrap_or_default();
    }
    form.fields[NAME].note = match r {
        Row::Vlan(i) if form.text(NAME).trim().is_empty() => m
            .vlans
            .get(i)
            .map(|v| text::default_name(&m.vlan_default_name(v))),
        _ => None,
    };
    form.fields[VID].note = Some(text::VLAN_ID_NOTE.into());
    form.fields[IPV4].note = port.as_deref().map(text::port_of);
    form.fields[MTU].note = form.text(MTU).is_empty().then(|| text::MTU_NOTE.into());
    form.settle();
}

/// The answer's single `addresses` list is two fields here: an issue about address `i`
/// goes under the IPv4 field for the first `n4`, under the IPv6 field for the rest.
pub fn to_fields(issue: &Issue, built: &Built) -> Issue {
    let mut out = issue.clone();
    for (_, key, n4) in &built.keys {
        let Some(rest) = issue.path.strip_prefix(&format!("{key}.addresses")) else {
            continue;
        };
        let i = rest
            .strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok());
        let family = match i {
            Some(i) if i >= *n4 => "addresses6",
            _ => "addresses4",
        };
        out.path = format!("{key}.{family}");
    }
    out
}

//! The network screen's list of connections: every NIC that is no bond's (with link, MAC
//! and driver, and a box Space marks for a bond), each bond with its ports, each VLAN with
//! its parent, a starting answer's bridges; each with its addresses in short. The issues
//! of a connection other than the selected one are shown under its line.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::answer::{Issue, LinkRef};
use crate::tui::widgets::form::owns;
use crate::tui::{text, ui};

use super::network_conn::{Built, Model, Row};

/// What the list shows of one row: its mark box, name, what it is, its addresses.
fn columns(m: &Model, r: Row, marked: &[usize]) -> (String, String, String, String) {
    let setting = match m.bridge_of(r) {
        Some(br) => text::port_of(&br),
        None => m.addr(r).map(|a| a.setting()).unwrap_or_default(),
    };
    let name = m.name(r);
    match r {
        Row::Nic(i) => {
            let Some(c) = m.nics.get(i) else {
                return Default::default();
            };
            let n = &c.nic;
            let mark = if marked.contains(&i) { "[x]" } else { "[ ]" };
            let info = format!(
                "{:<4} {:<17} {}",
                text::link(n.carrier),
                n.mac.as_deref().unwrap_or("-"),
                n.driver.as_deref().unwrap_or("-"),
            );
            (mark.into(), name, info, setting)
        }
        Row::Bond(i) => {
            let Some(b) = m.bonds.get(i) else {
                return Default::default();
            };
            let ports: Vec<String> = b.bond.members.iter().map(link_name).collect();
            let info = text::bond_info(b.bond.mode.as_str(), &ports.join(" "));
            ("   ".into(), name, info, setting)
        }
        Row::Vlan(i) => {
            let Some(v) = m.vlans.get(i) else {
                return Default::default();
            };
            let info = text::vlan_info(&v.vid, &m.parent_name(v));
            ("   ".into(), name, info, setting)
        }
        Row::Bridge(i) => {
            let Some(b) = m.bridges.get(i) else {
                return Default::default();
            };
            let ports: Vec<String> = b.bridge.ports.iter().map(link_name).collect();
            (
                "   ".into(),
                name,
                text::bridge_info(&ports.join(" ")),
                setting,
            )
        }
    }
}

/// A member's or port's name: its kernel name, else what its match table says.
pub(super) fn link_name(l: &LinkRef) -> String {
    match l {
        LinkRef::Name(n) => n.clone(),
        LinkRef::Match(m) => m
            .name
            .clone()
            .or_else(|| m.mac.clone())
            .or_else(|| m.pci_path.clone())
            .or_else(|| m.driver.clone())
            .unwrap_or_else(|| "?".into()),
    }
}

pub struct ListView<'a> {
    pub model: &'a Model,
    pub rows: &'a [Row],
    pub sel: Option<Row>,
    pub marked: &'a [usize],
    pub built: &'a Built,
}

impl ListView<'_> {
    pub fn lines(&self, issues: &[Issue], focused: bool, width: usize) -> Vec<Line<'static>> {
        let head = format!(
            "     {:<10} {:<33} {}",
            text::CONN_HEAD[0],
            text::CONN_HEAD[1],
            text::CONN_HEAD[2]
        );
        let mut out = vec![Line::from(Span::styled(
            ui::cut(&head, width),
            if focused { ui::focus() } else { ui::heading() },
        ))];
        if self.rows.is_empty() {
            out.push(Line::from(format!("  {}", text::NO_NICS)));
        }
        for &r in self.rows {
            let here = self.sel == Some(r);
            let (mark, name, info, setting) = columns(self.model, r, self.marked);
            let s = format!(
                "{}{mark} {:<10} {:<33} {setting}",
                // The fields below are this row's: marked even while they have focus.
                match (here, focused) {
                    (true, true) => ">",
                    (true, false) => "*",
                    _ => " ",
                },
                ui::cut(&name, 10),
                ui::cut(&info, 33),
            );
            let style = if here && focused {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            out.push(Line::from(Span::styled(ui::cut(&s, width), style)));
            if here {
                continue;
            }
            // The selected row's issues are under its fields.
            if let Some((key, _)) = self.built.key(r) {
                for i in issues.iter().filter(|i| owns(key, &i.path)) {
                    out.extend(ui::loose_issue_lines(i, width));
                }
            }
        }
        // Apart from the fields below.
        out.push(Line::from(""));
        out
    }
}

/// The issues `ListView::lines` shows under rows that are not selected.
pub fn under_rows(built: &Built, sel: Option<Row>, issues: &[Issue]) -> Vec<bool> {
    issues
        .iter()
        .map(|i| {
            built
                .keys
                .iter()
                .any(|(r, key, _)| Some(*r) != sel && owns(key, &i.path))
        })
        .collect()
}

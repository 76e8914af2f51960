//! The network screen: every NIC with link state, MAC and driver; DHCP or static addresses
//! per interface; the host name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::{Answer, Interface, InterfaceMatch};
use crate::probe::{Hardware, Nic};
use crate::tui::app::{Action, App, Nav, Screen};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::input::LineInput;
use crate::tui::{text, ui};

const HOST: usize = 0;
const NIC: usize = 1;
const MODE: usize = 2;
const ADDR: usize = 3;
const GW: usize = 4;
const DNS: usize = 5;

/// One interface's settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NicCfg {
    pub fixed: bool,
    pub addresses: String,
    pub gateway: String,
    pub dns: String,
}

#[derive(Debug, Clone)]
pub struct NetState {
    pub form: Form,
    /// The physical NICs, in probe order.
    pub nics: Vec<Nic>,
    pub cfgs: Vec<NicCfg>,
    /// Which NIC's settings the form shows.
    pub shown: usize,
    /// Each NIC's entry in the starting answer: its match is kept when the NIC stays static,
    /// the whole entry when it stays DHCP (the screen has no DNS or address fields for a
    /// DHCP interface).
    pub given: Vec<Option<Interface>>,
    /// The answer's interfaces no NIC of this machine shows (`first_with_link`, a NIC that
    /// is not here): the screen cannot show them, so they stay as they are.
    pub unshown: Vec<Interface>,
}

fn matches(m: &InterfaceMatch, n: &Nic) -> bool {
    (m.mac.is_some()
        && m.mac.as_deref().map(str::to_lowercase) == n.mac.as_deref().map(str::to_lowercase))
        || (m.name.is_some() && m.name.as_deref() == Some(n.name.as_str()))
}

impl NetState {
    pub fn new(hw: &Hardware, answer: &Answer) -> NetState {
        let nics: Vec<Nic> = hw.nics.iter().filter(|n| !n.is_virtual).cloned().collect();
        let given: Vec<Option<Interface>> = nics
            .iter()
            .map(|n| {
                let all = &answer.network.interfaces;
                all.iter().find(|i| matches(&i.matcher, n)).cloned()
            })
            .collect();
        let unshown = answer
            .network
            .interfaces
            .iter()
            .filter(|i| !nics.iter().any(|n| matches(&i.matcher, n)))
            .cloned()
            .collect();
        let cfgs = nics
            .iter()
            .map(|n| {
                answer
                    .network
                    .interfaces
                    .iter()
                    .find(|i| matches(&i.matcher, n))
                    .map_or_else(NicCfg::default, |i| NicCfg {
                        fixed: !i.addressing.dhcp,
                        addresses: i.addressing.addresses.join(", "),
                        gateway: i.addressing.gateway.clone().unwrap_or_default(),
                        dns: i.addressing.dns.join(", "),
                    })
            })
            .collect();
        let mut names: Vec<String> = nics.iter().map(|n| n.name.clone()).collect();
        if names.is_empty() {
            names.push(text::NO_NICS.into());
        }
        let host = answer.system.hostname.as_deref().unwrap_or("");
        let form = Form::new(vec![
            Field::text(text::F_HOSTNAME, "system.hostname", host),
            Field::new(
                text::F_NIC,
                "",
                crate::tui::widgets::form::Value::Choice {
                    options: names,
                    index: 0,
                },
            ),
            Field::choice(text::F_MODE, "", &text::MODES, 0),
            Field::text(text::F_ADDR, "", ""),
            Field::text(text::F_GW, "", ""),
            Field::text(text::F_DNS, "", ""),
        ]);
        let mut st = NetState {
            form,
            nics,
            cfgs,
            shown: 0,
            given,
            unshown,
        };
        st.load(0);
        st
    }

    /// Shows NIC `i`'s settings in the form.
    fn load(&mut self, i: usize) {
        self.shown = i;
        let c = self.cfgs.get(i).cloned().unwrap_or_default();
        self.form.set_choice(MODE, usize::from(c.fixed));
        for (f, v) in [(ADDR, c.addresses), (GW, c.gateway), (DNS, c.dns)] {
            if let Some(input) = self.form.input_mut(f) {
                *input = LineInput::new(v);
            }
        }
        self.sync();
    }

    /// The form's values for the NIC it shows.
    fn current(&self) -> NicCfg {
        NicCfg {
            fixed: self.form.choice(MODE) == 1,
            addresses: self.form.text(ADDR).into(),
            gateway: self.form.text(GW).into(),
            dns: self.form.text(DNS).into(),
        }
    }

    /// Every NIC's settings, the shown one as the form has it.
    pub fn all(&self) -> Vec<NicCfg> {
        let mut v = self.cfgs.clone();
        if let Some(c) = v.get_mut(self.shown) {
            *c = self.current();
        }
        v
    }

    /// Hides static fields under DHCP and points issue keys at this NIC's answer entry.
    fn sync(&mut self) {
        let fixed = self.form.choice(MODE) == 1;
        for f in [ADDR, GW, DNS] {
            self.form.hide(f, !fixed || self.nics.is_empty());
        }
        self.form.hide(MODE, self.nics.is_empty());
        // Only static NICs are written to the answer: entry k is the k-th static one.
        let k = self
            .all()
            .iter()
            .take(self.shown)
            .filter(|c| c.fixed)
            .count();
        for (f, key) in [(ADDR, "addresses"), (GW, "gateway"), (DNS, "dns")] {
            self.form.fields[f].key = format!("network.interfaces[{k}].{key}");
        }
        self.form.settle();
    }

    pub fn update(&mut self, key: Action) -> Option<Nav> {
        let st = self;
        if let Some(nav) = st.form.navigate_or_edit(key) {
            return Some(nav);
        }
        let picked = st.form.choice(NIC);
        if picked != st.shown && picked < st.cfgs.len() {
            let cur = st.current();
            st.cfgs[st.shown] = cur;
            st.load(picked);
        }
        st.sync();
        None
    }
}

fn list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

impl NetState {
    /// Fields -> `system.hostname` and `[[network.interfaces]]`: the static NICs first (the
    /// screen's issue keys count them), then what the screen leaves as the answer had it: NICs
    /// left on DHCP with their entry, and the interfaces no NIC here shows. Other NICs keep
    /// NetworkManager's default, DHCP.
    pub fn apply(&self, answer: &mut Answer) {
        let host = self.form.text(HOST).trim();
        answer.system.hostname = (!host.is_empty()).then(|| host.to_string());
        let cfgs = self.all();
        let rows = || self.nics.iter().zip(&cfgs).zip(&self.given);
        let statics = rows().filter(|((_, c), _)| c.fixed).map(|((n, c), given)| {
            // What the answer gave beyond this screen's fields (IPv6, routes, ...) stays.
            let mut i = given.clone().unwrap_or_else(|| Interface::new(match_of(n)));
            i.addressing.dhcp = false;
            i.addressing.addresses = list(&c.addresses);
            i.addressing.gateway = Some(c.gateway.trim().to_string()).filter(|g| !g.is_empty());
            i.addressing.dns = list(&c.dns);
            i
        });
        let dhcp_given = rows()
            .filter(|((_, c), _)| !c.fixed)
            .filter_map(|(_, given)| given.clone().filter(|g| g.addressing.dhcp));
        answer.network.interfaces = statics
            .chain(dhcp_given)
            .chain(self.unshown.iter().cloned())
            .collect();
    }
}

/// How the screen names a NIC in the answer: by MAC when it has one.
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

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let st = &app.network;
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {:<10} {:<5} {:<18} {:<9} {:<9} {}",
            "Interface", "Link", "MAC", "Driver", "Speed", "Setting"
        ),
        ui::heading(),
    ))];
    for (i, (n, c)) in st.nics.iter().zip(st.all()).enumerate() {
        let mark = if i == st.shown { ">" } else { " " };
        let setting = if c.fixed {
            format!("static {}", c.addresses)
        } else {
            "DHCP".into()
        };
        let s = format!(
            "{mark} {:<10} {:<5} {:<18} {:<9} {:<9} {setting}",
            ui::cut(&n.name, 10),
            text::link(n.carrier),
            n.mac.as_deref().unwrap_or("-"),
            ui::cut(n.driver.as_deref().unwrap_or("-"), 9),
            n.speed_mbps.map_or("-".into(), |s| format!("{s}Mb/s")),
        );
        lines.push(Line::from(ui::cut(&s, w)));
    }
    lines.push(Line::from(""));
    let issues = app.issues_for(Screen::Network);
    lines.extend(
        st.form
            .lines(0..st.form.fields.len(), &issues, w, &mut |_, _, _| {}),
    );
    // Issues of NICs not shown right now, so that none is hidden.
    for i in st.form.unclaimed(&issues) {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    lines.push(Line::from(Span::styled(
        format!("  {}", text::NET_NOTE),
        ui::dim(),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::NET_TITLE)),
        area,
    );
}

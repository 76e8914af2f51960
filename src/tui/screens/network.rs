//! The network screen: the host name, then the connections the installed system gets (each
//! NIC that is no bond's, bonds, VLANs, a starting answer's bridges) in a list, and under
//! it the selected connection's settings. On the list, Space marks NICs and `b` bonds them,
//! `v` adds a VLAN on the selected NIC or bond, `d` deletes a bond (its NICs come back) or
//! a VLAN. It edits `system.hostname` and `[network]` (the proxy stays as given); the
//! answer's checks run on every key and show under the field they are about.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use crate::answer::{Answer, Issue};
use crate::probe::{Hardware, Nic};
use crate::tui::app::{Action, App, Nav, Screen};
use crate::tui::widgets::form::Form;
use crate::tui::widgets::input::Handled;
use crate::tui::{text, ui};

use super::network_conn::{Built, Model, Row};
use super::network_form::{self as nf, HOST, LIST, NAME, VID};
use super::network_list::{self, ListView};

#[derive(Debug, Clone)]
pub struct NetState {
    pub form: Form,
    pub model: Model,
    /// The row whose settings the fields show (the list's cursor).
    pub sel: Option<Row>,
    /// The NICs (indices into `model.nics`) Space marked for a bond.
    pub marked: Vec<usize>,
    /// A message for the notice line, taken by the App.
    pub notice: Option<&'static str>,
}

impl NetState {
    pub fn new(hw: &Hardware, answer: &Answer) -> NetState {
        let nics: Vec<Nic> = hw.nics.iter().filter(|n| !n.is_virtual).cloned().collect();
        let model = Model::new(&nics, &answer.network);
        let host = answer.system.hostname.as_deref().unwrap_or("");
        let mut st = NetState {
            form: Form::new(nf::fields(host)),
            sel: model.rows().first().copied(),
            model,
            marked: Vec::new(),
            notice: None,
        };
        st.show(st.sel);
        st
    }

    /// Shows row `r`'s settings.
    fn show(&mut self, r: Option<Row>) {
        self.sel = r;
        if let Some(r) = r {
            nf::load(&mut self.form, &self.model, r);
        }
        self.sync();
    }

    fn sync(&mut self) {
        let built = self.model.build();
        nf::sync(&mut self.form, &self.model, self.sel, &built);
    }

    pub fn typing(&self) -> bool {
        self.form.typing()
    }

    pub fn update(&mut self, key: Action) -> Option<Nav> {
        if self.form.focus == LIST && self.list_key(&key) != Handled::No {
            self.sync();
            return None;
        }
        // The VLAN id and the MTU are numbers: other characters are not taken.
        if let Some(max) = nf::digits(self.form.focus) {
            let typed = match &key {
                Action::Char(c) => Some(c.to_string()),
                Action::Paste(s) => Some(s.trim().to_string()),
                _ => None,
            };
            let len = self.form.text(self.form.focus).len();
            if let Some(t) = typed
                && (!t.chars().all(|c| c.is_ascii_digit()) || len + t.len() > max)
            {
                return None;
            }
        }
        let nav = self.form.navigate_or_edit(key);
        if let Some(r) = self.sel {
            nf::store(&self.form, &mut self.model, r);
        }
        self.sync();
        nav
    }

    /// The list's keys; `No` for what the form does (moving off the list, Enter, Esc).
    fn list_key(&mut self, key: &Action) -> Handled {
        let rows = self.model.rows();
        let at = self.sel.and_then(|s| rows.iter().position(|r| *r == s));
        match key {
            Action::Up | Action::Down => {
                let next = match (key, at) {
                    (Action::Up, Some(i)) if i > 0 => rows.get(i - 1),
                    (Action::Down, Some(i)) => rows.get(i + 1),
                    _ => None,
                };
                let Some(&r) = next else {
                    return Handled::No;
                };
                self.show(Some(r));
                Handled::Moved
            }
            Action::Char(' ') => {
                if let Some(Row::Nic(i)) = self.sel {
                    match self.marked.iter().position(|&m| m == i) {
                        Some(p) => {
                            self.marked.remove(p);
                        }
                        None => self.marked.push(i),
                    }
                }
                Handled::Changed
            }
            Action::Char('b') => {
                if self.marked.len() < 2 {
                    self.notice = Some(text::MARK_TWO);
                    return Handled::Moved;
                }
                let members = std::mem::take(&mut self.marked);
                let b = self.model.add_bond(&members);
                self.show(Some(Row::Bond(b)));
                self.form.focus = NAME;
                Handled::Changed
            }
            Action::Char('v') => {
                let Some(v) = self.sel.and_then(|r| self.model.add_vlan(r)) else {
                    self.notice = Some(text::VLAN_ON_WHAT);
                    return Handled::Moved;
                };
                self.show(Some(Row::Vlan(v)));
                self.form.focus = VID;
                Handled::Changed
            }
            Action::Char('d') => self.delete(),
            _ => Handled::No,
        }
    }

    /// `d`: a bond goes (its NICs come back, on DHCP, and its VLANs go with it), or a
    /// VLAN; a bridge's port stays (the bridge would lose it).
    fn delete(&mut self) -> Handled {
        let Some(r) = self.sel else {
            return Handled::Moved;
        };
        if self.model.bridge_of(r).is_some() {
            self.notice = Some(text::PORT_STAYS);
            return Handled::Moved;
        }
        let next = match r {
            Row::Bond(b) => {
                let members = self.model.remove_bond(b);
                members.first().copied().map(Row::Nic)
            }
            Row::Vlan(v) => {
                self.model.vlans.remove(v);
                None
            }
            _ => {
                self.notice = Some(text::DELETE_WHAT);
                return Handled::Moved;
            }
        };
        let rows = self.model.rows();
        self.show(next.or_else(|| rows.first().copied()));
        Handled::Changed
    }

    /// Fields -> `system.hostname` and `[network]`; the proxy stays as given.
    pub fn apply(&self, answer: &mut Answer) {
        let host = self.form.text(HOST).trim();
        answer.system.hostname = (!host.is_empty()).then(|| host.to_string());
        let proxy = answer.network.proxy.take();
        answer.network = self.model.build().network;
        answer.network.proxy = proxy;
    }
}

/// The issues as the fields know them (an address's issue goes to its family's field).
fn mapped(issues: &[Issue], built: &Built) -> Vec<Issue> {
    issues.iter().map(|i| nf::to_fields(i, built)).collect()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let st = &app.network;
    let w = area.width.saturating_sub(2) as usize;
    let built = st.model.build();
    let issues = mapped(&app.issues_for(Screen::Network), &built);
    let rows = st.model.rows();
    let view = ListView {
        model: &st.model,
        rows: &rows,
        sel: st.sel,
        marked: &st.marked,
        built: &built,
    };
    // Other connections' issues are under their lines in the list; the rest under fields.
    let listed = network_list::under_rows(&built, st.sel, &issues);
    let own: Vec<Issue> = issues
        .iter()
        .zip(&listed)
        .filter(|(_, l)| !**l)
        .map(|(i, _)| i.clone())
        .collect();
    let (mut lines, focus) =
        st.form
            .lines_and_focus(0..st.form.fields.len(), &own, w, &mut |_, focused, out| {
                out.extend(view.lines(&issues, focused, w))
            });
    for i in st.form.unclaimed(&own) {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    // Taller than the terminal: scrolled so that the focused field shows whole.
    let height = area.height.saturating_sub(2) as usize;
    let scroll = if focus.end <= height {
        0
    } else {
        focus.start.min(focus.end - height)
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(ui::block(app, text::NET_TITLE)),
        area,
    );
}

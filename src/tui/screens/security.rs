//! The security screen: SELinux mode, the SSH server (root login, password login) and the
//! kernel hardening settings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::{Answer, PermitRootLogin, SelinuxMode};
use crate::tui::app::{Action, App, Nav, Screen};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::{text, ui};

const SELINUX: usize = 0;
const SSH: usize = 1;
const ROOT_LOGIN: usize = 2;
const PW_AUTH: usize = 3;
const HARDEN: usize = 4;

const MODES: [SelinuxMode; 3] = [
    SelinuxMode::Enforcing,
    SelinuxMode::Permissive,
    SelinuxMode::Disabled,
];
const LOGINS: [PermitRootLogin; 3] = [
    PermitRootLogin::ProhibitPassword,
    PermitRootLogin::No,
    PermitRootLogin::Yes,
];

#[derive(Debug, Clone)]
pub struct SecurityState {
    pub form: Form,
}

impl SecurityState {
    pub fn new(a: &Answer) -> SecurityState {
        let pos = |i: Option<usize>| i.unwrap_or(0);
        let mut st = SecurityState {
            form: Form::new(vec![
                Field::choice(
                    text::F_SELINUX,
                    "selinux",
                    &text::SELINUX_MODES,
                    pos(MODES.iter().position(|m| *m == a.selinux.mode)),
                ),
                Field::toggle(text::F_SSH, "ssh.enable", a.ssh.enable).under(text::SSH_HEAD),
                Field::choice(
                    text::F_ROOT_LOGIN,
                    "ssh.permit_root_login",
                    &text::ROOT_LOGINS,
                    pos(LOGINS.iter().position(|m| *m == a.ssh.permit_root_login)),
                ),
                Field::toggle(
                    text::F_PW_AUTH,
                    "ssh.password_authentication",
                    a.ssh.password_authentication,
                ),
                Field::toggle(text::F_HARDEN, "kernel.hardening", a.kernel.hardening)
                    .under(text::KERNEL_HEAD),
            ]),
        };
        st.sync();
        st
    }

    fn sync(&mut self) {
        let ssh = self.form.toggle(SSH);
        self.form.hide(ROOT_LOGIN, !ssh);
        self.form.hide(PW_AUTH, !ssh);
        self.form.settle();
    }
}

impl SecurityState {
    pub fn update(&mut self, key: Action) -> Option<Nav> {
        let nav = self.form.navigate_or_edit(key);
        self.sync();
        nav
    }

    /// Fields -> `[selinux]`, `[ssh]` and `kernel.hardening`.
    pub fn apply(&self, a: &mut Answer) {
        let f = &self.form;
        a.selinux.mode = MODES.get(f.choice(SELINUX)).copied().unwrap_or_default();
        a.ssh.enable = f.toggle(SSH);
        a.ssh.permit_root_login = LOGINS
            .get(f.choice(ROOT_LOGIN))
            .copied()
            .unwrap_or_default();
        a.ssh.password_authentication = f.toggle(PW_AUTH);
        a.kernel.hardening = f.toggle(HARDEN);
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let f = &app.security.form;
    let w = area.width.saturating_sub(2) as usize;
    let issues = app.issues_for(Screen::Security);
    let mut lines = f.lines(0..f.fields.len(), &issues, w, &mut |_, _, _| {});
    for i in f.unclaimed(&issues) {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    lines.push(Line::from(""));
    // What the focused setting means, so the choice is an informed one.
    for l in ui::wrap(text::security_note(f.focus), w.saturating_sub(2)) {
        lines.push(Line::from(Span::styled(format!("  {l}"), ui::dim())));
    }
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::SECURITY_TITLE)),
        area,
    );
}

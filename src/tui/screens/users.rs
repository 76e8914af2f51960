//! The accounts screen: root (locked or a password, an SSH key) and an administrator in
//! wheel (name, password, SSH key). Passwords are masked, typed twice, and hashed when the
//! screen is left: the plain text is taken out of the input, hashed through the backend and
//! dropped; only the hash reaches the `Answer`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::{Answer, Issue, Password, User};
use crate::tui::app::{Account, Action, App, Effect, Nav, Screen};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::{text, ui};

const ROOT_MODE: usize = 0;
const ROOT_PW: usize = 1;
const ROOT_PW2: usize = 2;
const ROOT_KEY: usize = 3;
const ADMIN: usize = 4;
const ADMIN_PW: usize = 5;
const ADMIN_PW2: usize = 6;
const ADMIN_KEY: usize = 7;

#[derive(Debug, Clone)]
pub struct UsersState {
    pub form: Form,
    pub root_hash: Option<String>,
    pub admin_hash: Option<String>,
    /// Keys and users from a starting answer that this screen has no field for: kept.
    root_more_keys: Vec<String>,
    admin_more_keys: Vec<String>,
    /// The administrator's groups as given (wheel at least) and place among the users.
    admin_groups: Vec<String>,
    admin_at: usize,
    others: Vec<User>,
}

fn split(p: &Password) -> (Option<String>, String) {
    match p {
        Password::Locked => (None, String::new()),
        Password::Hash { hash } => (Some(hash.clone()), String::new()),
        Password::Plain { plain } => (None, plain.clone()),
    }
}

impl UsersState {
    pub fn new(answer: &Answer) -> UsersState {
        let (root_hash, root_plain) = split(&answer.root.password);
        let root_on = root_hash.is_some() || !root_plain.is_empty();
        let admin_i = answer
            .users
            .iter()
            .position(|u| u.groups.iter().any(|g| g == "wheel"));
        let admin = admin_i.and_then(|i| answer.users.get(i));
        let (admin_hash, admin_plain) = admin.map_or((None, String::new()), |u| split(&u.password));
        let first = |k: &[String]| k.first().cloned().unwrap_or_default();
        let rest = |k: &[String]| k.iter().skip(1).cloned().collect::<Vec<_>>();
        let mut form = Form::new(vec![
            Field::choice(
                text::F_ROOT_MODE,
                "",
                &text::ROOT_MODES,
                usize::from(root_on),
            )
            .under(text::ROOT_HEAD),
            Field::secret(text::F_PW, "root.password"),
            Field::secret(text::F_PW2, ""),
            Field::text(text::F_KEY, "root.ssh_keys", &first(&answer.root.ssh_keys)),
            Field::text(
                text::F_ADMIN,
                "users[0].name",
                admin.map_or("", |u| u.name.as_str()),
            )
            .under(text::ADMIN_HEAD),
            Field::secret(text::F_PW, "users[0].password"),
            Field::secret(text::F_PW2, ""),
            Field::text(
                text::F_KEY,
                "users[0].ssh_keys",
                &admin.map_or(String::new(), |u| first(&u.ssh_keys)),
            ),
        ]);
        for (f, plain) in [
            (ROOT_PW, &root_plain),
            (ROOT_PW2, &root_plain),
            (ADMIN_PW, &admin_plain),
            (ADMIN_PW2, &admin_plain),
        ] {
            if let Some(i) = form.input_mut(f) {
                *i = crate::tui::widgets::input::LineInput::new(plain.as_str());
            }
        }
        let mut st = UsersState {
            form,
            root_hash,
            admin_hash,
            root_more_keys: rest(&answer.root.ssh_keys),
            admin_more_keys: admin.map_or(Vec::new(), |u| rest(&u.ssh_keys)),
            admin_groups: admin.map_or_else(|| vec!["wheel".into()], |u| u.groups.clone()),
            admin_at: admin_i.unwrap_or(0),
            others: answer
                .users
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != admin_i)
                .map(|(_, u)| u.clone())
                .collect(),
        };
        st.sync();
        st
    }

    fn root_password(&self) -> bool {
        self.form.choice(ROOT_MODE) == 1
    }

    fn sync(&mut self) {
        let on = self.root_password();
        if !on {
            // Locked: nothing typed for root stays in memory.
            for f in [ROOT_PW, ROOT_PW2] {
                if let Some(i) = self.form.input_mut(f) {
                    drop(i.take());
                }
            }
        }
        self.form.hide(ROOT_PW, !on);
        self.form.hide(ROOT_PW2, !on);
        // A password already hashed: say so instead of showing an empty field.
        self.form.fields[ROOT_PW].label = if self.root_hash.is_some() {
            text::F_PW_SET
        } else {
            text::F_PW
        };
        self.form.fields[ADMIN_PW].label = if self.admin_hash.is_some() {
            text::F_PW_SET
        } else {
            text::F_PW
        };
        self.form.settle();
    }
}

impl UsersState {
    pub fn update(&mut self, key: Action) -> Option<Nav> {
        let nav = self.form.navigate_or_edit(key);
        self.sync();
        nav
    }

    /// Fields -> `[root]` and `[[users]]` (hashes only; a password still being typed is
    /// not in the answer yet).
    pub fn apply(&self, answer: &mut Answer) {
        let st = self;
        let f = &st.form;
        answer.root.password = if st.root_password() {
            password(&st.root_hash)
        } else {
            Password::Locked
        };
        answer.root.ssh_keys = keys(f.text(ROOT_KEY), &st.root_more_keys);
        let name = f.text(ADMIN).trim();
        let mut users = st.others.clone();
        if !name.is_empty() {
            let admin = User {
                name: name.to_string(),
                groups: st.admin_groups.clone(),
                password: password(&st.admin_hash),
                ssh_keys: keys(f.text(ADMIN_KEY), &st.admin_more_keys),
            };
            users.insert(st.admin_at.min(users.len()), admin);
        }
        answer.users = users;
    }
}

/// The next password to hash before leaving the screen, taken out of its inputs.
pub fn next_hash(app: &mut App) -> Option<Effect> {
    let root = app.users.root_password() && !app.users.form.text(ROOT_PW).is_empty();
    let f = &mut app.users.form;
    let (account, pw, pw2) = if root {
        (Account::Root, ROOT_PW, ROOT_PW2)
    } else if !f.text(ADMIN_PW).is_empty() && !f.text(ADMIN).trim().is_empty() {
        (Account::Admin, ADMIN_PW, ADMIN_PW2)
    } else {
        return None;
    };
    let plain = f.input_mut(pw).map(|i| i.take()).unwrap_or_default();
    if let Some(i) = f.input_mut(pw2) {
        drop(i.take());
    }
    Some(Effect::Hash { account, plain })
}

/// A hash came back: keep it, then carry on leaving the screen.
pub fn hashed(app: &mut App, account: Account, result: Result<String, String>) -> Option<Effect> {
    match result {
        Ok(h) => {
            match account {
                Account::Root => app.users.root_hash = Some(h),
                Account::Admin => app.users.admin_hash = Some(h),
            }
            app.users.sync();
            app.apply(Screen::Users);
            if app.pending.take().is_some() && app.screen == Screen::Users {
                return app.forward();
            }
            None
        }
        Err(e) => {
            app.pending = None;
            app.notice = Some(text::hash_failed(&e));
            None
        }
    }
}

fn password(hash: &Option<String>) -> Password {
    hash.clone()
        .map_or(Password::Locked, |hash| Password::Hash { hash })
}

fn keys(first: &str, more: &[String]) -> Vec<String> {
    let first = first.trim();
    (!first.is_empty())
        .then(|| first.to_string())
        .into_iter()
        .chain(more.iter().cloned())
        .collect()
}

/// What the answer checks cannot see: the passwords being typed, and whether anyone could
/// log in at all.
pub fn local_issues(app: &App) -> Vec<Issue> {
    let st = &app.users;
    let f = &st.form;
    let mut v = Vec::new();
    if st.root_password() {
        if f.text(ROOT_PW) != f.text(ROOT_PW2) {
            v.push(Issue::new("root.password", text::PW_DIFFER));
        } else if f.text(ROOT_PW).is_empty() && st.root_hash.is_none() {
            v.push(Issue::new("root.password", text::PW_MISSING));
        }
    }
    if f.text(ADMIN_PW) != f.text(ADMIN_PW2) {
        v.push(Issue::new("users[0].password", text::PW_DIFFER));
    }
    let a = &app.answer;
    let typed = !f.text(ROOT_PW).is_empty() || !f.text(ADMIN_PW).is_empty();
    let can_login = typed
        || a.root.password != Password::Locked
        || !a.root.ssh_keys.is_empty()
        || a.users
            .iter()
            .any(|u| u.password != Password::Locked || !u.ssh_keys.is_empty());
    if !can_login {
        v.push(Issue::new("root", text::NOBODY_LOGS_IN));
    }
    v
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let st = &app.users;
    let w = area.width.saturating_sub(2) as usize;
    let issues = app.issues_for(Screen::Users);
    let mut lines = st
        .form
        .lines(0..st.form.fields.len(), &issues, w, &mut |_, _, _| {});
    for i in st.form.unclaimed(&issues) {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!("  {}", text::USERS_NOTE),
        ui::dim(),
    )));
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::USERS_TITLE)),
        area,
    );
}

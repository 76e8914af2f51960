//! The TUI's state and its one way to change: `update(&mut App, Action) -> Option<Effect>`.
//! Keys and results of background work arrive as actions; anything that needs the outside
//! world (hashing, resolving, the engine, files) leaves as an effect that the runner in
//! `mod.rs` performs through the `Backend`, feeding the result back as another action.

use std::path::PathBuf;
use std::time::Duration;

use crate::answer::{self, Answer, Issue};
use crate::events::Event;
use crate::plan::{Plan, Refused};
use crate::probe::Hardware;
use crate::repo::RepoIndex;

use super::screens::{self, disk, finished, network, progress, security, software, summary, users};
use super::widgets::input::LineInput;
use super::{Outcome, text};

/// The screens, in the order the installer walks through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Disk,
    Network,
    Users,
    Security,
    Software,
    Summary,
    Progress,
    Finished,
}

impl Screen {
    /// The screens a person moves between with Enter and Esc.
    pub const WIZARD: [Screen; 7] = [
        Screen::Welcome,
        Screen::Disk,
        Screen::Network,
        Screen::Users,
        Screen::Security,
        Screen::Software,
        Screen::Summary,
    ];

    fn offset(self, by: isize) -> Option<Screen> {
        let i = Screen::WIZARD.iter().position(|s| *s == self)?;
        Screen::WIZARD.get(i.checked_add_signed(by)?).copied()
    }

    /// The sections of the answer this screen edits (and whose issues it shows).
    pub fn sections(self) -> &'static [Section] {
        use Section::*;
        match self {
            Screen::Disk => &[Target, Storage],
            Screen::Network => &[Hostname, Network],
            Screen::Users => &[Root, Users],
            Screen::Security => &[Selinux, Ssh, KernelHardening],
            Screen::Software => &[Packages, Repos, Kernel],
            _ => &[],
        }
    }

    /// True when an answer key (an `Issue` path) is in a section this screen edits.
    pub fn owns(self, key: &str) -> bool {
        // Everything is shown on the summary: any issue blocks the install.
        self == Screen::Summary || Section::of(key).is_some_and(|s| self.sections().contains(&s))
    }
}

/// A part of the answer that one screen edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Target,
    Storage,
    Hostname,
    Network,
    Root,
    Users,
    Selinux,
    Ssh,
    KernelHardening,
    Packages,
    Repos,
    /// `[kernel]` but `hardening`.
    Kernel,
}

impl Section {
    /// The section an answer key path ("storage.partitions[2].size") is in.
    pub fn of(key: &str) -> Option<Section> {
        let under = |p: &str| super::widgets::form::owns(p, key);
        // Most specific first: kernel.hardening is the security screen's, the rest of
        // [kernel] the software screen's; of [system] only the host name has a screen.
        let table = [
            ("kernel.hardening", Section::KernelHardening),
            ("kernel", Section::Kernel),
            ("system.hostname", Section::Hostname),
            ("target", Section::Target),
            ("storage", Section::Storage),
            ("network", Section::Network),
            ("root", Section::Root),
            ("users", Section::Users),
            ("selinux", Section::Selinux),
            ("ssh", Section::Ssh),
            ("packages", Section::Packages),
            ("repos", Section::Repos),
        ];
        table.into_iter().find(|(p, _)| under(p)).map(|(_, s)| s)
    }
}

/// A key, or the result of something an `Effect` started.
#[derive(Debug, Clone)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Tab,
    BackTab,
    Enter,
    Esc,
    Char(char),
    Backspace,
    Delete,
    Home,
    End,
    PageUp,
    PageDown,
    /// Ctrl-C: asks before quitting, or before aborting an install.
    Interrupt,
    Paste(String),
    Resize,
    /// Time since the install started.
    Tick(Duration),
    Repos(Result<RepoIndex, String>),
    Resolved(Box<Result<Plan, Refused>>),
    Hashed {
        account: Account,
        result: Result<String, String>,
    },
    Engine(Event),
    /// The engine's thread ended (its sender was dropped).
    EngineDone,
    Exported(Result<PathBuf, String>),
}

/// What a screen's keys ask of the App: the answer-editing screens own their fields and
/// change nothing else; moving between screens is the App's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Forward,
    Back,
}

/// Whose password is being hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Root,
    Admin,
}

/// Work for the runner; its result comes back as an `Action`.
#[derive(Debug)]
pub enum Effect {
    LoadRepos,
    Resolve,
    Hash {
        account: Account,
        plain: String,
    },
    StartInstall(Box<Plan>),
    AbortInstall,
    /// Write this TOML to the export path.
    Export(String),
    Quit(Outcome),
}

#[derive(Debug, Clone)]
pub enum Popup {
    /// Before the install: quit without installing?
    Quit,
    /// During the install: abort it?
    Abort,
    /// The last gate: type "erase" to start.
    Confirm { input: LineInput, wrong: bool },
}

pub struct App {
    pub screen: Screen,
    pub hw: Hardware,
    pub answer: Answer,
    pub repos: Option<Result<RepoIndex, String>>,
    pub plan: Option<Result<Plan, Refused>>,
    /// `answer::validate` plus the TUI's own checks, recomputed after every action.
    pub issues: Vec<Issue>,
    /// Where to go once a pending resolve or hash has come back.
    pub pending: Option<Screen>,
    pub popup: Option<Popup>,
    /// A one-line message under the screen until the next key.
    pub notice: Option<String>,
    pub ascii: bool,
    pub export_path: PathBuf,
    pub log_path: Option<PathBuf>,
    pub disk: disk::DiskState,
    pub network: network::NetState,
    pub users: users::UsersState,
    pub security: security::SecurityState,
    pub software: software::SoftwareState,
    pub summary: summary::SummaryState,
    pub progress: progress::ProgressState,
    pub finished: finished::FinishedState,
}

impl App {
    /// A new session over `hw`, starting from `answer` (usually [`App::default_answer`]).
    pub fn new(hw: Hardware, answer: Answer) -> App {
        let mut app = App {
            screen: Screen::Welcome,
            disk: disk::DiskState::new(&hw, &answer),
            network: network::NetState::new(&hw, &answer),
            users: users::UsersState::new(&answer),
            security: security::SecurityState::new(&answer),
            software: software::SoftwareState::new(&answer),
            summary: summary::SummaryState::default(),
            progress: progress::ProgressState::default(),
            finished: finished::FinishedState::default(),
            hw,
            answer,
            repos: None,
            plan: None,
            issues: Vec::new(),
            pending: None,
            popup: None,
            notice: None,
            ascii: false,
            export_path: PathBuf::from(text::DEFAULT_EXPORT),
            log_path: None,
        };
        app.recheck();
        app
    }

    /// The answer the TUI starts from: every section at its default, no disk yet.
    pub fn default_answer() -> Answer {
        Answer::minimal()
    }

    /// Copies `screen`'s fields into the sections of the answer it owns (what it cannot
    /// show stays as given), then re-runs the checks. Only a screen that is shown or was
    /// just used writes: the others' sections stay as they are.
    pub fn apply(&mut self, screen: Screen) {
        let a = &mut self.answer;
        match screen {
            Screen::Disk => self.disk.apply(&self.hw, a),
            Screen::Network => self.network.apply(a),
            Screen::Users => self.users.apply(a),
            Screen::Security => self.security.apply(a),
            Screen::Software => self.software.apply(a),
            _ => {}
        }
        self.recheck();
    }

    /// Re-runs the answer's checks and the screens' own.
    pub fn recheck(&mut self) {
        self.issues = answer::validate(&self.answer);
        self.issues.extend(users::local_issues(self));
        self.issues.extend(disk::local_issues(self));
    }

    /// The issues shown on (and blocking) `screen`.
    pub fn issues_for(&self, screen: Screen) -> Vec<Issue> {
        let mut v: Vec<Issue> = self
            .issues
            .iter()
            .filter(|i| screen.owns(&i.path))
            .cloned()
            .collect();
        if let Some(Err(refused)) = &self.plan {
            v.extend(
                refused
                    .problems
                    .iter()
                    .filter(|p| screen.owns(&p.path))
                    .cloned(),
            );
        }
        v
    }

    /// True while a text field has focus: letters are text, not commands.
    pub fn typing(&self) -> bool {
        match self.screen {
            Screen::Disk => self.disk.typing(),
            Screen::Network => self.network.typing(),
            Screen::Users => self.users.form.typing(),
            Screen::Software => self.software.typing(),
            _ => false,
        }
    }

    /// Enters `screen`, starting what it needs: the repositories are fetched and verified
    /// as soon as the admin leaves the welcome screen, so every later plan checks packages.
    pub fn go(&mut self, screen: Screen) -> Option<Effect> {
        self.screen = screen;
        if screen != Screen::Welcome && self.repos.is_none() {
            return Some(Effect::LoadRepos);
        }
        None
    }

    /// Enter on a wizard screen: checks this screen's fields, then resolves the plan (so
    /// that refusals show where they belong) before moving on.
    pub fn forward(&mut self) -> Option<Effect> {
        let next = self.screen.offset(1)?;
        // A password is being hashed: this screen is left when its hash is back.
        if self.pending.is_some() {
            return None;
        }
        if !self.issues_for(self.screen).is_empty()
            && !matches!(self.screen, Screen::Welcome | Screen::Summary)
        {
            self.notice = Some(text::FIX_FIRST.into());
            return None;
        }
        if self.screen == Screen::Users
            && let Some(effect) = users::next_hash(self)
        {
            self.pending = Some(next);
            return Some(effect);
        }
        if self.screen == Screen::Welcome {
            return self.go(next);
        }
        self.pending = Some(next);
        Some(Effect::Resolve)
    }

    fn navigate(&mut self, nav: Option<Nav>) -> Option<Effect> {
        match nav? {
            Nav::Forward => self.forward(),
            Nav::Back => self.back(),
        }
    }

    pub fn back(&mut self) -> Option<Effect> {
        if let Some(prev) = self.screen.offset(-1) {
            self.screen = prev;
        }
        None
    }

    fn resolved(&mut self, result: Result<Plan, Refused>) -> Option<Effect> {
        self.plan = Some(result);
        let next = self.pending.take()?;
        if !self.issues_for(self.screen).is_empty() && self.screen != Screen::Summary {
            self.notice = Some(text::FIX_FIRST.into());
            return None;
        }
        self.go(next)
    }
}

/// Applies one action; returns the work it starts, if any.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    let used = app.screen;
    // Results of background work, whatever the screen.
    let (effect, changed) = match action {
        Action::Repos(r) => {
            app.repos = Some(r);
            app.software.reset_cursor();
            // A plan made while they were loading lacked them: make it again.
            (
                app.plan.is_some().then_some(Effect::Resolve),
                Some(Screen::Software),
            )
        }
        Action::Resolved(r) => (app.resolved(*r), None),
        Action::Hashed { account, result } => {
            (users::hashed(app, account, result), Some(Screen::Users))
        }
        Action::Engine(e) => (progress::event(app, e), None),
        Action::EngineDone => (progress::done(app), None),
        Action::Tick(d) => {
            app.progress.elapsed = d;
            (None, None)
        }
        Action::Exported(r) => {
            let passphrase = app
                .answer
                .storage
                .encryption
                .as_ref()
                .is_some_and(|e| e.passphrase.is_some());
            app.notice = Some(match r {
                Ok(p) if passphrase => text::exported_without_passphrase(&p),
                Ok(p) => text::exported(&p),
                Err(e) => text::export_failed(&e),
            });
            (None, None)
        }
        Action::Resize => (None, None),
        key => {
            app.notice = None;
            let effect = if app.popup.is_some() {
                screens::popup::update(app, key)
            } else {
                keypress(app, key)
            };
            (effect, Some(used))
        }
    };
    let before = app.answer.clone();
    // The screen a key was for, and the one now shown (its fields are the answer as soon
    // as they are on the screen).
    for screen in [changed, (app.screen != used).then_some(app.screen)]
        .into_iter()
        .flatten()
    {
        app.apply(screen);
    }
    app.recheck();
    // A plan (and its refusals) is about the answer it was made from: a changed answer is
    // planned again on the next Enter.
    if app.answer != before && matches!(app.plan, Some(Err(_))) {
        app.plan = None;
    }
    effect
}

fn keypress(app: &mut App, key: Action) -> Option<Effect> {
    let before_install = !matches!(app.screen, Screen::Progress | Screen::Finished);
    match key {
        Action::Interrupt if app.screen == Screen::Progress => {
            app.popup = Some(Popup::Abort);
            return None;
        }
        Action::Interrupt if before_install => {
            app.popup = Some(Popup::Quit);
            return None;
        }
        Action::Char('q') if before_install && !app.typing() => {
            app.popup = Some(Popup::Quit);
            return None;
        }
        _ => {}
    }
    let nav = match app.screen {
        Screen::Welcome => {
            return match key {
                Action::Enter | Action::Tab => app.forward(),
                _ => None,
            };
        }
        Screen::Summary => return summary::update(app, key),
        Screen::Progress => return progress::update(app, key),
        Screen::Finished => return finished::update(app, key),
        // The components: their keys change only their own state.
        Screen::Disk => {
            let nav = app.disk.update(key, &app.hw);
            if let Some(n) = app.disk.notice.take() {
                app.notice = Some(n.into());
            }
            nav
        }
        Screen::Network => {
            let nav = app.network.update(key);
            if let Some(n) = app.network.notice.take() {
                app.notice = Some(n.into());
            }
            nav
        }
        Screen::Users => app.users.update(key),
        Screen::Security => app.security.update(key),
        Screen::Software => {
            let index = app.repos.as_ref().and_then(|r| r.as_ref().ok());
            app.software.update(key, index)
        }
    };
    app.navigate(nav)
}

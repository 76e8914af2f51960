//! The interactive front door: a ratatui TUI that builds an `Answer`, shows the plan and its
//! refusals, and runs the engine on a worker thread, reading its events from a channel.
//!
//! Elm-style: a key becomes an [`app::Action`], [`app::update`] changes the [`app::App`] and
//! may return an [`app::Effect`], which the [`Runner`] performs through the [`Backend`]
//! (repository loading, hashing and the plan on threads of their own; install, export)
//! and feeds back as another action; `ui::draw` renders the state. Everything a test needs
//! runs without a terminal.

pub mod app;
pub mod backend;
pub mod door;
#[cfg(test)]
pub mod fake;
mod keys;
pub mod screens;
pub mod terminal;
pub mod text;
pub mod ui;
pub mod widgets;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use anyhow::Context;

pub use app::{Account, Action, App, Effect, update};
pub use backend::{Backend, RealBackend};
#[cfg(test)]
pub use fake::FakeBackend;

use crate::answer::Answer;
use crate::events::{Event, Step};
use crate::plan::Refused;

#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// `--answer-out`: the answer file is written here when the install starts, and by the
    /// summary's export key.
    pub answer_out: Option<PathBuf>,
    /// ASCII borders and bars; `None` decides from `TERM` and `AZL_ASCII`.
    pub ascii: Option<bool>,
    /// The install log, named on the last screen.
    pub log_path: Option<PathBuf>,
    /// Start from this answer instead of the defaults.
    pub answer: Option<Answer>,
}

/// What the user chose at the end; the caller carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Reboot,
    PowerOff,
    Shell,
    /// Left before installing anything.
    Quit,
}

/// How the TUI ended: what the user chose, and how the install went, so that the caller can
/// exit with the code an unattended install would have had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub outcome: Outcome,
    /// The step that failed and its error, when an install ran and failed.
    pub failed: Option<(Step, String)>,
    /// The admin aborted the running install.
    pub aborted: bool,
}

impl Ended {
    pub fn of(app: &App, outcome: Outcome) -> Ended {
        let ran = app.screen == app::Screen::Finished;
        Ended {
            outcome,
            failed: app.finished.failed.clone().filter(|_| ran),
            aborted: ran && app.finished.aborted,
        }
    }
}

/// Runs the TUI on the terminal until the user quits or picks what to do after the install.
pub fn run(opts: TuiOptions, backend: Box<dyn Backend>) -> anyhow::Result<Ended> {
    let hw = backend
        .hardware()
        .map_err(anyhow::Error::msg)
        .context("probing the hardware")?;
    let mut app = App::new(hw, opts.answer.clone().unwrap_or_else(App::default_answer));
    app.ascii = opts.ascii.unwrap_or_else(terminal::ascii_wanted);
    app.log_path = opts.log_path.clone();
    if let Some(p) = &opts.answer_out {
        app.export_path = p.clone();
    }
    let mut runner = Runner::new(backend.as_ref(), opts.answer_out.clone());
    let (mut term, _guard) = terminal::setup().context("setting up the terminal")?;
    use ratatui::crossterm::event;
    loop {
        term.draw(|f| ui::draw(f, &app)).context("drawing")?;
        let mut actions = runner.poll();
        // Short waits while installing or loading, so the clock and gauges move and a
        // result shows soon.
        let wait = if runner.installing() || runner.loading() {
            250
        } else {
            1000
        };
        if event::poll(Duration::from_millis(wait)).context("reading the terminal")? {
            actions.extend(keys::map(event::read().context("reading the terminal")?));
        }
        actions.extend(runner.tick().map(Action::Tick));
        for a in actions {
            // What a key changed is on the screen before its effect runs (a plan takes a
            // moment to resolve): no screen is left showing after it was left.
            let mut redraw = |app: &App| {
                let _ = term.draw(|f| ui::draw(f, app));
            };
            if let Some(o) = runner.drive(&mut app, a, &mut redraw) {
                return Ok(Ended::of(&app, o));
            }
        }
    }
}

/// Performs effects through a backend and holds the engine's channel.
pub struct Runner<'b> {
    backend: &'b dyn Backend,
    answer_out: Option<PathBuf>,
    rx: Option<Receiver<Event>>,
    started: Option<Instant>,
    /// The repository load running on its own thread, until its result is taken.
    repos: Option<Receiver<Action>>,
    /// A password being hashed on its own thread (yescrypt takes a moment).
    hashing: Option<(Account, Receiver<Action>)>,
    /// The plan being made on its own thread (the dependency closure of a large
    /// repository takes a moment); a newer one replaces it.
    resolving: Option<Receiver<Action>>,
}

impl<'b> Runner<'b> {
    pub fn new(backend: &'b dyn Backend, answer_out: Option<PathBuf>) -> Self {
        Runner {
            backend,
            answer_out,
            rx: None,
            started: None,
            repos: None,
            hashing: None,
            resolving: None,
        }
    }

    pub fn installing(&self) -> bool {
        self.rx.is_some()
    }

    /// True while the repositories are being loaded.
    pub fn loading(&self) -> bool {
        self.repos.is_some() || self.hashing.is_some() || self.resolving.is_some()
    }

    /// What background work has produced since the last call: the repositories once
    /// loaded, a password's hash, the engine's events.
    pub fn poll(&mut self) -> Vec<Action> {
        let mut v = Vec::new();
        if let Some(rx) = &self.repos
            && let Some(a) = finished(rx, repos_failed)
        {
            v.push(a);
            self.repos = None;
        }
        if let Some((account, rx)) = &self.hashing
            && let Some(a) = finished(rx, || hash_failed(*account))
        {
            v.push(a);
            self.hashing = None;
        }
        if let Some(rx) = &self.resolving
            && let Some(a) = finished(rx, resolve_failed)
        {
            v.push(self.resolved(a));
            self.resolving = None;
        }
        v.extend(self.poll_engine());
        v
    }

    /// Waits for the repository load, the hashing or the plan, if one runs (tests: their
    /// keys come after it).
    pub fn wait_for_background(&mut self) -> Option<Action> {
        if let Some(rx) = self.repos.take() {
            return Some(rx.recv().unwrap_or_else(|_| repos_failed()));
        }
        if let Some((account, rx)) = self.hashing.take() {
            return Some(rx.recv().unwrap_or_else(|_| hash_failed(account)));
        }
        let rx = self.resolving.take()?;
        let a = rx.recv().unwrap_or_else(|_| resolve_failed());
        Some(self.resolved(a))
    }

    /// As soon as a disk is chosen and the repositories verified, downloads start.
    fn resolved(&self, a: Action) -> Action {
        if let Action::Resolved(r) = &a
            && let Ok(plan) = r.as_ref()
        {
            self.backend.start_prefetch(plan);
        }
        a
    }

    /// Time since the install started, while it runs.
    pub fn tick(&self) -> Option<Duration> {
        self.rx.as_ref().and(self.started).map(|s| s.elapsed())
    }

    /// Applies `action` and every action its effects lead to; `Some` when the TUI is done.
    /// `before` sees the state before each effect is performed (to redraw).
    pub fn drive(
        &mut self,
        app: &mut App,
        action: Action,
        before: &mut dyn FnMut(&App),
    ) -> Option<Outcome> {
        let mut next = Some(action);
        while let Some(a) = next.take() {
            let effect = update(app, a)?;
            before(app);
            match self.perform(app, effect) {
                Ok(a) => next = a,
                Err(outcome) => return Some(outcome),
            }
        }
        None
    }

    /// Performs one effect: the action it produces, or the outcome that ends the TUI.
    pub fn perform(&mut self, app: &App, effect: Effect) -> Result<Option<Action>, Outcome> {
        let b = self.backend;
        Ok(Some(match effect {
            Effect::Quit(o) => return Err(o),
            Effect::LoadRepos => {
                if self.repos.is_none() {
                    let load = b.repo_loader(&app.answer);
                    // A dead mirror keeps this thread, not the screen, waiting.
                    match background("repos", move || Action::Repos(load())) {
                        Ok(rx) => self.repos = Some(rx),
                        Err(e) => return Ok(Some(Action::Repos(Err(e)))),
                    }
                }
                return Ok(None);
            }
            Effect::Resolve => {
                // Without verified metadata there is no plan to make: the software screen
                // shows why the repositories could not be loaded, and nothing installs.
                let Some(Ok(index)) = &app.repos else {
                    return Ok(Some(Action::Resolved(Box::new(Err(Refused {
                        problems: Vec::new(),
                    })))));
                };
                let mut answer = app.answer.clone();
                // A passphrase named by file is read here, into this copy only: the TUI's
                // own answer (and so its export) never holds it.
                if let Err(issue) = b.read_secrets(&mut answer) {
                    return Ok(Some(Action::Resolved(Box::new(Err(Refused {
                        problems: vec![issue],
                    })))));
                }
                let (hw, index) = (app.hw.clone(), index.clone());
                let make = move || {
                    let plan = crate::plan::Plan::resolve(&answer, &hw, &index);
                    Action::Resolved(Box::new(plan))
                };
                match background("plan", make) {
                    Ok(rx) => self.resolving = Some(rx),
                    Err(e) => return Ok(Some(resolve_failed_with(&e))),
                }
                return Ok(None);
            }
            Effect::Hash { account, plain } => {
                // Off the UI thread: the screen stays drawn and Ctrl-C answers meanwhile.
                let hash = move || {
                    let result =
                        crate::answer::hash_plain("the account", &plain).map_err(|e| e.to_string());
                    // The plain text ends here.
                    drop(plain);
                    Action::Hashed { account, result }
                };
                match background("hash", hash) {
                    Ok(rx) => self.hashing = Some((account, rx)),
                    Err(e) => {
                        let result = Err(e);
                        return Ok(Some(Action::Hashed { account, result }));
                    }
                }
                return Ok(None);
            }
            Effect::StartInstall(plan) => {
                let toml = plan.system.saved_answer.clone();
                let (tx, rx) = std::sync::mpsc::channel();
                self.rx = Some(rx);
                self.started = Some(Instant::now());
                b.start_install(*plan, app.answer.reporting.clone(), tx);
                match &self.answer_out {
                    Some(p) => Action::Exported(write_answer(p, &toml).map(|()| p.clone())),
                    None => return Ok(None),
                }
            }
            Effect::AbortInstall => {
                b.abort_install();
                return Ok(None);
            }
            Effect::Export(toml) => {
                let p = app.export_path.clone();
                Action::Exported(write_answer(&p, &toml).map(|()| p))
            }
        }))
    }

    /// The engine's events so far; `Tick` and `EngineDone` once its thread has ended.
    pub fn poll_engine(&mut self) -> Vec<Action> {
        let mut v = Vec::new();
        while let Some(rx) = &self.rx {
            match rx.try_recv() {
                Ok(e) => v.push(Action::Engine(e)),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    v.extend(self.tick().map(Action::Tick));
                    v.push(Action::EngineDone);
                    self.rx = None;
                }
            }
        }
        v
    }
}

/// Runs `work` on a thread of its own; its action arrives on the receiver. The error says
/// why the thread could not start.
fn background(
    name: &str,
    work: impl FnOnce() -> Action + Send + 'static,
) -> Result<Receiver<Action>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map(|_| rx)
        .map_err(|e| format!("cannot start the {name} task: {e}"))
}

/// A background job's result once it is there. Each job sends before it ends, so a closed
/// channel means it panicked: `failed` says so.
fn finished(rx: &Receiver<Action>, failed: impl FnOnce() -> Action) -> Option<Action> {
    match rx.try_recv() {
        Ok(a) => Some(a),
        Err(TryRecvError::Empty) => None,
        Err(TryRecvError::Disconnected) => Some(failed()),
    }
}

fn repos_failed() -> Action {
    Action::Repos(Err("loading the repositories failed".into()))
}

fn resolve_failed() -> Action {
    resolve_failed_with("the plan could not be made")
}

fn resolve_failed_with(why: &str) -> Action {
    Action::Resolved(Box::new(Err(Refused {
        problems: vec![crate::answer::Issue::new("", why)],
    })))
}

fn hash_failed(account: Account) -> Action {
    Action::Hashed {
        account,
        result: Err("hashing failed".into()),
    }
}

/// Writes an answer file readable by root only: it holds password hashes.
fn write_answer(path: &std::path::Path, toml: &str) -> Result<(), String> {
    crate::engine::save_logs::write_private(path, toml.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

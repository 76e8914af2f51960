//! Tests of the whole TUI without a terminal: actions in, state and rendered screens out,
//! on the fake machine.

mod keep;
mod nav;
mod network;
mod progress;
mod roundtrip;
mod snapshots;
mod storage;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::{Action, App, Effect, Screen, update};
use super::fake::FakeBackend;
use super::{Outcome, Runner, ui};

/// The app on the fake machine, in ASCII mode (the serial console), with its runner.
pub struct H<'b> {
    pub app: App,
    pub runner: Runner<'b>,
}

impl<'b> H<'b> {
    pub fn new(fake: &'b FakeBackend) -> H<'b> {
        Self::with_answer(fake, App::default_answer())
    }

    /// Starts from `answer`, as `tui --answer` does.
    pub fn with_answer(fake: &'b FakeBackend, answer: crate::answer::Answer) -> H<'b> {
        let mut app = App::new(fake.hw.clone(), answer);
        app.ascii = true;
        H {
            app,
            runner: Runner::new(fake, None),
        }
    }

    /// Applies actions, performing their effects through the fake backend; a repository
    /// load an action starts (on its thread) is waited for before the next action.
    pub fn press(&mut self, actions: impl IntoIterator<Item = Action>) -> Option<Outcome> {
        for a in actions {
            let mut next = Some(a);
            while let Some(a) = next.take() {
                if let Some(o) = self.runner.drive(&mut self.app, a, &mut |_| {}) {
                    return Some(o);
                }
                next = self.runner.wait_for_background();
            }
        }
        None
    }

    pub fn typ(&mut self, s: &str) {
        self.press(s.chars().map(Action::Char));
    }

    /// Applies one action without performing its effect.
    pub fn raw(&mut self, a: Action) -> Option<Effect> {
        update(&mut self.app, a)
    }

    pub fn engine(&mut self) {
        let actions = self.runner.poll_engine();
        self.press(actions);
    }

    pub fn screen(&self) -> Screen {
        self.app.screen
    }

    pub fn messages(&self, screen: Screen) -> Vec<String> {
        self.app
            .issues_for(screen)
            .into_iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect()
    }

    pub fn render(&self) -> String {
        render(&self.app, 80, 24)
    }
}

pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| ui::draw(f, app)).expect("draws");
    t.backend().to_string()
}

/// A well-formed ed25519 public key line (random key bytes are fine for the checks).
pub fn ssh_key(comment: &str) -> String {
    use base64::Engine;
    let mut blob = Vec::new();
    blob.extend_from_slice(&11u32.to_be_bytes());
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&32u32.to_be_bytes());
    blob.extend_from_slice(&[7u8; 32]);
    format!(
        "ssh-ed25519 {} {comment}",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}

/// One screen's worth of valid defaults (and a root password), then Enter.
pub fn step(h: &mut H) {
    use Action::*;
    match h.screen() {
        Screen::Network => h.typ("web01.example.com"),
        Screen::Users => {
            h.press([Right, Tab]);
            h.typ("hunter2hunter2");
            h.press([Tab]);
            h.typ("hunter2hunter2");
        }
        _ => {}
    }
    h.press([Enter]);
}

/// Goes from the screen it is on to `target` with valid defaults and a root password.
/// Enter on the disk screen: the network screen must follow (else the disk screen's
/// messages say why), and the plan of what was chosen.
pub fn leave_disk(h: &mut H) -> crate::plan::Plan {
    h.press([Action::Enter]);
    assert_eq!(
        h.screen(),
        Screen::Network,
        "{:?}",
        h.messages(Screen::Disk)
    );
    match &h.app.plan {
        Some(Ok(plan)) => plan.clone(),
        other => panic!("no plan: {other:?}"),
    }
}

pub fn walk_to(h: &mut H, target: Screen) {
    while h.screen() != target {
        let here = h.screen();
        assert!(
            Screen::WIZARD.contains(&here) && here != Screen::Summary,
            "walking to {target:?}: stuck on {here:?}"
        );
        step(h);
        assert_ne!(
            h.screen(),
            here,
            "walking to {target:?}: {:?}",
            h.messages(here)
        );
    }
}

/// `n` times the same key.
pub fn times(a: Action, n: usize) -> impl Iterator<Item = Action> {
    std::iter::repeat_n(a, n)
}

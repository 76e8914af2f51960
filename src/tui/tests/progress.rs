//! The install through the runner: scripted engine events drive the gauges, the end leads to
//! the finished screen, and Ctrl-C asks before it aborts.

use super::*;
use crate::events::{Event, Step};
use crate::tui::app::Popup;
use crate::tui::fake::script;
use crate::tui::screens::progress::Status;
use Action::*;
use std::time::Duration;

fn start(h: &mut H) {
    walk_to(h, Screen::Summary);
    h.press([Enter]);
    h.typ("erase");
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Progress);
}

#[test]
fn events_move_the_gauges_then_the_finished_screen_shows_time_and_log() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.app.log_path = Some("/run/azl-installer/install-4242.log".into());
    start(&mut h);
    // Part of the script by hand, to look at the screen half way.
    let events: Vec<Event> = script(true)
        .into_iter()
        .take_while(|e| {
            !matches!(
                e,
                Event::Finished {
                    step: Step::Payload
                }
            )
        })
        .collect();
    let events: Vec<Event> = events
        .into_iter()
        .take_while(|e| !matches!(e, Event::Progress { done: 3, .. }))
        .collect();
    h.press(events.into_iter().map(Engine));
    h.press([Tick(Duration::from_secs(192))]);
    let p = &h.app.progress;
    let row = |s: Step| {
        p.rows
            .iter()
            .find(|r| r.step == s)
            .map(|r| (r.status, r.done, r.total))
    };
    assert_eq!(row(Step::Partition), Some((Status::Done, 0, 0)));
    assert_eq!(row(Step::Payload), Some((Status::Running, 2, 3)));
    assert_eq!(p.current.as_deref(), Some("Installing kernel"));
    assert!((p.overall() - (4.0 + 2.0 / 3.0) / 11.0).abs() < 1e-9);
    let screen = h.render();
    assert!(screen.contains("Installing packages"), "{screen}");
    assert!(screen.contains("2/3"), "{screen}");
    assert!(screen.contains("03:12"), "{screen}");
    assert!(screen.contains("Now: Installing kernel"), "{screen}");
    // The real script through the channel: the engine ends, the finished screen follows.
    h.engine();
    assert_eq!(h.screen(), Screen::Finished);
    let screen = h.render();
    assert!(screen.contains("The install finished in"), "{screen}");
    assert!(
        screen.contains("/run/azl-installer/install-4242.log"),
        "{screen}"
    );
    assert_eq!(h.press([Enter]), Some(Outcome::Reboot));
}

#[test]
fn the_answers_finish_action_is_preselected() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    // A TUI started from an answer file that says poweroff.
    let mut answer = App::default_answer();
    answer.install.finish = crate::answer::Finish::Poweroff;
    h.app = App::new(fake.hw.clone(), answer);
    start(&mut h);
    h.engine();
    assert_eq!(h.press([Enter]), Some(Outcome::PowerOff));
}

#[test]
fn a_failed_install_says_where_and_offers_a_shell() {
    let fake = FakeBackend {
        script: script(false),
        ..Default::default()
    };
    let mut h = H::new(&fake);
    start(&mut h);
    h.engine();
    assert_eq!(h.screen(), Screen::Finished);
    let screen = h.render();
    assert!(screen.contains("failed"), "{screen}");
    assert!(screen.contains("no space left on device"), "{screen}");
    assert_eq!(h.press([Enter]), Some(Outcome::Shell));
    // The caller learns which step failed, to exit with install's code.
    let ended = crate::tui::Ended::of(&h.app, Outcome::Shell);
    assert_eq!(ended.failed.map(|(s, _)| s), Some(Step::Payload));
    assert!(!ended.aborted);
}

#[test]
fn a_finished_install_or_a_quit_before_it_ends_without_failure() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    assert_eq!(
        crate::tui::Ended::of(&h.app, Outcome::Quit),
        crate::tui::Ended {
            outcome: Outcome::Quit,
            failed: None,
            aborted: false
        }
    );
    start(&mut h);
    h.engine();
    assert_eq!(h.screen(), Screen::Finished);
    let ended = crate::tui::Ended::of(&h.app, Outcome::Shell);
    assert!(ended.failed.is_none() && !ended.aborted, "{ended:?}");
}

#[test]
fn ctrl_c_while_installing_asks_before_aborting() {
    let fake = FakeBackend {
        script: Vec::new(),
        ..Default::default()
    };
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Summary);
    h.press([Enter]);
    h.typ("erase");
    assert!(matches!(h.raw(Enter), Some(Effect::StartInstall(_))));
    assert!(h.raw(Interrupt).is_none());
    assert!(matches!(h.app.popup, Some(Popup::Abort)));
    assert!(h.raw(Char('n')).is_none());
    assert!(h.app.popup.is_none() && !h.app.progress.aborting);
    assert!(
        h.raw(Char('q')).is_none(),
        "q does not quit during the install"
    );
    assert!(h.app.popup.is_none());
    h.raw(Interrupt);
    assert!(matches!(h.raw(Char('y')), Some(Effect::AbortInstall)));
    assert!(h.app.progress.aborting);
    assert!(h.render().contains("Aborting"));
}

//! Every screen at 80x24 on the fake machine (ASCII mode, as on a serial console), compared
//! with the reviewed snapshots in `snapshots/`.

use super::*;
use crate::events::{Event, Step};
use crate::tui::fake::script;
use Action::*;
use std::time::Duration;

fn snap(name: &str, h: &H) {
    insta::assert_snapshot!(name, h.render());
}

#[test]
fn welcome() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    snap("welcome", &h);
    h.app.ascii = false;
    snap("welcome_unicode", &h);
    h.app.ascii = true;
    h.press([Char('q')]);
    snap("quit_popup", &h);
}

#[test]
fn disk() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right]);
    snap("disk_auto", &h);
    h.press([Tab, Tab, Right, Down, Down, Char('a')]);
    snap("disk_custom_editing", &h);
    h.press([Esc, Char('d'), Char('d'), Char('d'), Char('d'), Char('d')]);
    snap("disk_custom_empty_refused", &h);
}

#[test]
fn network() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Enter]);
    h.typ("web01..example");
    h.press([Down, Down, Tab, Right, Down]);
    h.typ("192.0.2.10/24");
    h.press([Down]);
    h.typ("192.0.2.1");
    h.press([Down, Down, Down, Down]);
    h.typ("192.0.2.53");
    snap("network_static", &h);
}

#[test]
fn users() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Users);
    snap("users_nobody", &h);
    h.press([Right, Tab]);
    h.typ("secret");
    h.press([Tab]);
    h.typ("secreT");
    h.press([Tab]);
    h.press([Paste(ssh_key("root@example"))]);
    h.press([Tab]);
    h.typ("admin");
    snap("users_mismatch", &h);
}

#[test]
fn security() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Security);
    snap("security", &h);
}

#[test]
fn software() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Software);
    snap("software", &h);
    h.press([Char('/')]);
    h.typ("vim");
    h.press([Tab, Char(' ')]);
    snap("software_search", &h);
}

#[test]
fn summary() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right]);
    walk_to(&mut h, Screen::Summary);
    snap("summary_erases_sda", &h);
    h.press([Enter]);
    h.typ("yes");
    h.press([Enter]);
    snap("summary_confirm_wrong", &h);
}

#[test]
fn summary_names_post_scripts_and_the_webhook() {
    let fake = FakeBackend::default();
    let mut answer = App::default_answer();
    let script = |chroot, run: &str| crate::answer::Script {
        chroot,
        run: run.into(),
        timeout: crate::answer::Duration(std::time::Duration::from_secs(60)),
    };
    answer.scripts.post = vec![
        script(true, "systemctl enable myagent\n"),
        script(
            false,
            "\u{1b}[2Jcurl -fsS https://deploy.example/done\necho 1\necho 2\n",
        ),
    ];
    answer.reporting.webhook = Some("https://fleet:s3cret@deploy.example/api/installs".into());
    let mut h = H::with_answer(&fake, answer);
    h.press([Enter, Right, Right]);
    walk_to(&mut h, Screen::Summary);
    let screen = h.render();
    assert!(!screen.contains("s3cret"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "{screen}");
    snap("summary_scripts_webhook", &h);
}

#[test]
fn progress_and_finished() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.app.log_path = Some("/run/azl-installer/install-4242.log".into());
    walk_to(&mut h, Screen::Summary);
    h.press([Enter]);
    h.typ("erase");
    h.press([Enter]);
    let half: Vec<Event> = script(true)
        .into_iter()
        .take_while(|e| {
            !matches!(
                e,
                Event::Progress {
                    step: Step::Payload,
                    done: 3,
                    ..
                }
            )
        })
        .collect();
    h.press(half.into_iter().map(Engine));
    h.press([Tick(Duration::from_secs(192))]);
    snap("progress", &h);
    h.press([Char('l')]);
    snap("progress_log", &h);
    h.press([Interrupt]);
    snap("progress_abort_popup", &h);
    h.press([Char('n')]);
    h.press([Tick(Duration::from_secs(754)), EngineDone]);
    snap("finished", &h);
}

#[test]
fn finished_failed() {
    let fake = FakeBackend {
        script: script(false),
        ..Default::default()
    };
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Summary);
    h.press([Enter]);
    h.typ("erase");
    h.press([Enter]);
    h.engine();
    snap("finished_failed", &h);
}

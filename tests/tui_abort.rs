//! Ctrl-C during an interactive install, through the real binary in tmux: the TUI asks
//! first, "n" goes on, "y" stops the running step, everything is unmounted and detached,
//! the screen says the install was aborted, and the installer exits 130 with the terminal
//! given back. On the way, a resize redraws the screen at the new size.

mod common;

use std::path::Path;
use std::time::Duration;

use common::Image;
use common::fixture::FixtureRepo;
use common::installed::assert_nothing_left;
use common::tmux::{TuiRun, start_answer};

use azl_installer::units::GIB;
const SCREEN: Duration = Duration::from_secs(10);

/// Everything the screens need is in the answer, so Enter walks through them; the post
/// script (on the host) leaves a mark and then takes long enough to be interrupted.
fn answer(repo: &FixtureRepo, image: &Path, mark: &Path) -> String {
    let extra = format!(
        "[system]\nhostname = \"abort01.example.com\"\n\
         [root]\npassword = {{ plain = \"Abort-me-1\" }}\n\
         [[scripts.post]]\nchroot = false\nrun = \"touch {}; sleep 600\"\n",
        mark.display()
    );
    start_answer(repo, image, &extra)
}

#[test]
fn ctrl_c_while_installing_asks_then_aborts_cleanly() {
    require_loop_devices!();
    let repo = FixtureRepo::base();
    let img = Image::sparse(8 * GIB);
    let dir = img.dir.path();
    let mark = dir.join("post-script-started");
    let start = dir.join("start.toml");
    std::fs::write(&start, answer(&repo, &img.path, &mark)).unwrap();
    let run = TuiRun::start(dir, &img.path, &format!("--answer {}", start.display()));
    let t = &run.tmux;

    for screen in [
        "[Welcome]",
        "[Disk]",
        "[Network]",
        "[Users]",
        "[Security]",
        "[Software]",
    ] {
        t.wait_for(&[screen], SCREEN);
        t.keys(&["Enter"]);
    }
    t.wait_for(&["[Summary]", "abort01.example.com"], SCREEN);
    // A resize redraws the whole screen at the new size.
    t.resize(100, 30);
    let pane = t.wait_for(&["[Summary]", "abort01.example.com"], SCREEN);
    let frame = |l: &&str| l.starts_with('+') && l.trim_end().ends_with('+');
    assert!(
        pane.lines()
            .filter(frame)
            .any(|l| l.trim_end().len() == 100),
        "the frame is 100 columns wide after the resize:\n{pane}"
    );
    assert!(pane.lines().count() >= 29, "{pane}");
    t.resize(80, 24);
    t.keys(&["Enter"]);
    t.wait_for(&["Type erase"], SCREEN);
    t.type_text("erase");
    t.keys(&["Enter"]);
    t.wait_for(&["[Installing]"], SCREEN);

    // The post script runs: the disk is partitioned, formatted, mounted and installed.
    t.wait_for_file(&mark, Duration::from_secs(120));
    t.keys(&["C-c"]);
    t.wait_for(&["Abort the install?", "y: yes"], SCREEN);
    t.keys(&["n"]);
    let pane = t.wait_for(&["[Installing]"], SCREEN);
    assert!(!pane.contains("Abort the install?"), "{pane}");
    assert!(!run.exited(), "\"n\" must not stop the install:\n{pane}");

    t.keys(&["C-c"]);
    t.wait_for(&["Abort the install?"], SCREEN);
    t.keys(&["y"]);
    let pane = t.wait_for(
        &["[Done]", "The install was aborted after"],
        Duration::from_secs(60),
    );
    assert!(
        pane.contains("> Shell"),
        "a shell is offered first:\n{pane}"
    );
    t.keys(&["Enter"]);
    assert_eq!(run.wait_exit(SCREEN), "EXIT=130", "{}", t.pane());

    // Nothing mounted, attached or still running, while tmux (and so the shell that
    // started the TUI) still lives.
    assert_nothing_left(&img.path, &run.sysimage);
    let left = common::processes_mentioning(&mark.display().to_string());
    assert!(left.is_empty(), "the post script still runs: {left:?}");
    let log_text = std::fs::read_to_string(&run.log).unwrap_or_default();
    assert!(
        log_text.contains("post_scripts") || log_text.contains("post scripts"),
        "the log names the step that was stopped:\n{log_text}"
    );
    // The terminal is given back: the TUI's alternate screen is gone.
    let pane = t.pane();
    assert!(!pane.contains("[Done]"), "the TUI is still drawn:\n{pane}");
}

//! Partitions kept from what is on the picked disks: marked on the disk screen's list,
//! refused by the plan on their own line when they cannot be kept, and named by the
//! summary and the erase gate.

use super::*;
use crate::answer::{Layout, load_str};
use crate::tui::screens::disk::KEEP;
use crate::tui::text;
use Action::*;

/// sda holds a 1.9 TiB ext4 "data" partition and swap: keep the data, mounted at /srv.
#[test]
fn a_partition_marked_to_keep_is_kept_and_named_everywhere() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right, Tab]);
    assert_eq!(h.app.disk.form.focus, KEEP);
    h.press([Char('k')]);
    assert_eq!(h.app.answer.storage.layout, Layout::Custom);
    assert_eq!(h.app.notice.as_deref(), Some(text::KEEP_MADE_CUSTOM));
    assert!(h.app.typing(), "the mount point is asked for");
    h.press(times(Backspace, 5));
    h.typ("/srv");
    h.press([Enter]);
    let rows = &h.app.answer.storage.partitions;
    let kept: Vec<_> = rows.iter().filter(|r| r.keep).collect();
    assert_eq!(kept.len(), 1, "{rows:?}");
    assert_eq!(kept[0].mount.as_deref(), Some("/srv"));
    assert_eq!(
        kept[0]
            .existing
            .as_ref()
            .and_then(|m| m.fs_label.as_deref()),
        Some("data"),
        "found by its filesystem label, the only one on the disk"
    );
    // The kept partition is at the start of sda: the new ones follow it.
    assert!(rows[0].keep, "{rows:?}");
    let screen = h.render();
    assert!(screen.contains("KEEP at /srv"), "{screen}");
    assert!(
        screen.contains("Layout............: < custom >"),
        "{screen}"
    );
    leave_disk(&mut h);
    walk_to(&mut h, Screen::Summary);
    let screen = h.render();
    assert!(screen.contains("but what is kept"), "{screen}");
    assert!(
        screen.contains("+ partition 1 (ext4 \"data\", 1.9 TiB"),
        "{screen}"
    );
    assert!(screen.contains("/srv (kept)"), "{screen}");
    assert!(
        !screen.contains("/dev/sda1 (1.9 TiB"),
        "not destroyed:\n{screen}"
    );
    h.press([Enter]);
    let Some(Ok(plan)) = &h.app.plan else {
        panic!("a plan");
    };
    let words = text::confirm_lines(plan).join(" ");
    assert!(
        words.ends_with("2.0 TiB will be erased, but partition 1 (ext4 \"data\") is kept."),
        "{words}"
    );
    let gate = h.render();
    assert!(gate.contains("(ext4 \"data\") is kept."), "{gate}");
    // Exported, it loads back the same.
    h.press([Esc]);
    let Some(Effect::Export(toml)) = h.raw(Char('e')) else {
        panic!("e exports the answer");
    };
    assert_eq!(load_str(&toml).ok().as_ref(), Some(&h.app.answer), "{toml}");
}

#[test]
fn what_cannot_be_kept_is_refused_on_its_line_and_unmarking_goes_back_to_auto() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right, Tab, Down, Char('k'), Enter]);
    let rows = &h.app.answer.storage.partitions;
    let swap = rows.iter().find(|r| r.keep).expect("a kept row");
    assert_eq!(
        swap.existing.as_ref().and_then(|m| m.uuid.as_deref()),
        Some("d2f8b7a4-1c3e-4b6a-8f5d-9e0a7b3c0002"),
        "no label: found by its partition UUID"
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Disk, "the plan refuses to keep swap");
    let screen = h.render();
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("sda2") && l.contains("KEEP at /data"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(lines[at + 1].contains("! partition 2 of"), "{screen}");
    assert!(screen.contains("holds swap"), "{screen}");
    // Unmarked: nothing is kept, the layout is auto again, and the refusal is gone.
    h.press([Char('k')]);
    assert_eq!(h.app.notice.as_deref(), Some(text::BACK_TO_AUTO));
    assert_eq!(h.app.answer.storage.layout, Layout::Auto);
    assert!(h.app.answer.storage.partitions.is_empty());
    assert!(!h.render().contains("holds swap"));
    leave_disk(&mut h);
}

#[test]
fn the_auto_layout_is_refused_while_partitions_are_kept() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right, Tab, Char('k'), Enter, Tab, Left]);
    assert_eq!(h.app.answer.storage.layout, Layout::Custom);
    assert_eq!(h.app.notice.as_deref(), Some(text::AUTO_KEEPS_NOTHING));
    // Editing the rows makes them the admin's: reset gives back the auto layout's rows
    // around the kept partition.
    h.press([Tab, Down, Down, Char('d')]);
    let n = h.app.answer.storage.partitions.len();
    h.press([Char('r')]);
    assert_eq!(h.app.answer.storage.partitions.len(), n + 1);
    assert_eq!(h.app.notice.as_deref(), Some(text::ROWS_RESET));
    assert!(h.app.answer.storage.partitions.iter().any(|r| r.keep));
}

/// The keep list as the admin sees it: the mount point asked for, then sda1 kept.
#[test]
fn keep_snapshots() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right, Tab, Char('k')]);
    insta::assert_snapshot!("disk_keep_mount_asked", h.render());
    h.press([Enter, Down]);
    insta::assert_snapshot!("disk_keep_marked", h.render());
}

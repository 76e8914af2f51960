//! The disk screen's server storage: several disks and the schemes they allow, encryption
//! with a passphrase typed twice (and never written anywhere), custom rows that follow the
//! disks, and how the summary and the erase gate name all of it.

use super::*;
use crate::answer::{Scheme, load_str, to_toml};
use crate::tui::app::Popup;
use crate::tui::screens::disk::DISKS;
use crate::tui::text;
use Action::*;

const PASSPHRASE: &str = "Correct-Horse-Battery";

/// The fields below the disk list, by how many Tabs from it (no disk with partitions
/// picked, auto layout): Layout 1, Scheme 2, Filesystem 3, Swap 4, Encrypt 5.
fn tab(h: &mut H, n: usize) {
    for _ in 0..n {
        h.press([Tab]);
    }
}

/// On the disk screen with both NVMe disks picked (disk 1 nvme0n1, disk 2 nvme1n1).
fn two_disks(h: &mut H) {
    h.press([Enter, Down, Char(' ')]);
    assert_eq!(h.app.disk.picked(), [0, 1]);
}

/// From the disk list: the scheme `rights` steps right of the one chosen, then Encrypt on
/// (the focus stays on it).
fn scheme_and_encrypt(h: &mut H, rights: usize) {
    tab(h, 2);
    h.press(times(Right, rights));
    tab(h, 3);
    h.press([Char(' ')]);
}

#[test]
fn two_disks_are_written_as_target_paths_and_offer_raid1() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter]);
    assert!(
        h.render()
            .contains("Scheme............: < plain >  RAID 1 needs two disks"),
        "{}",
        h.render()
    );
    h.press([Down, Char(' ')]);
    let t = &h.app.answer.target;
    assert_eq!(t.path, None);
    assert_eq!(
        t.paths.as_deref(),
        Some(
            &[
                "/dev/disk/by-id/nvme-Samsung_SSD_980_500GB_S64DNX0R123456".to_string(),
                "/dev/disk/by-id/nvme-WD_BLACK_SN770_500GB_22517U804213".to_string(),
            ][..]
        )
    );
    // Plain uses one disk: the scheme became LVM, which spans both.
    assert_eq!(h.app.answer.storage.scheme, Scheme::Lvm);
    let screen = h.render();
    assert!(
        screen.contains("[1] nvme0n1") && screen.contains("[2] nvme1n1"),
        "{screen}"
    );
    tab(&mut h, 2);
    h.press([Right]);
    assert_eq!(h.app.answer.storage.scheme, Scheme::Raid1);
    h.press([Right]);
    assert_eq!(h.app.answer.storage.scheme, Scheme::Raid1Lvm);
    h.press([Right]);
    assert_eq!(h.app.answer.storage.scheme, Scheme::Lvm, "three offered");
    h.press([Left]);
    let plan = leave_disk(&mut h);
    assert_eq!(plan.disks.len(), 2);
    assert!(
        plan.arrays.iter().any(|a| a.name == "pv"),
        "{:?}",
        plan.arrays
    );
    // Back, and disk 2 unpicked: a mirror needs two disks, so the scheme follows.
    h.press([Esc]);
    h.app.disk.form.focus = DISKS;
    h.press([Char(' ')]);
    assert_eq!(h.app.answer.target.paths, None);
    assert_eq!(
        h.app.answer.target.path.as_deref(),
        Some("/dev/disk/by-id/nvme-Samsung_SSD_980_500GB_S64DNX0R123456")
    );
    assert_eq!(h.app.answer.storage.scheme, Scheme::Lvm);
    // Three disks: only LVM spans them.
    h.press([Char(' '), Down, Char(' ')]);
    assert_eq!(h.app.disk.picked(), [0, 1, 2]);
    assert_eq!(h.app.answer.storage.scheme, Scheme::Lvm);
    assert!(
        h.render()
            .contains("< lvm >  lvm spans them; RAID 1 needs two")
    );
}

#[test]
fn the_passphrase_is_typed_twice_with_a_strength_hint() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    two_disks(&mut h);
    scheme_and_encrypt(&mut h, 2);
    assert!(h.app.answer.storage.encrypt);
    // Nothing unlocks it yet: the answer's own check says so, under the passphrase.
    let m = h.messages(Screen::Disk);
    assert!(
        m.iter().any(|m| m.starts_with("storage.encryption")),
        "{m:?}"
    );
    h.press([Tab]);
    h.typ("hunter2");
    assert!(
        h.render().contains("too short (7 chars, 2 kinds)"),
        "{}",
        h.render()
    );
    let m = h.messages(Screen::Disk);
    assert!(
        m.iter().any(|m| m.contains("at least 8 are needed")),
        "the answer's rule: {m:?}"
    );
    h.press(times(Backspace, 7));
    h.typ(PASSPHRASE);
    assert!(
        h.render().contains("strong (21 chars, 3 kinds)"),
        "{}",
        h.render()
    );
    // Typed once: the inputs differ, which blocks the screen.
    assert!(
        h.messages(Screen::Disk)
            .iter()
            .any(|m| m.contains("differ"))
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Disk);
    assert_eq!(h.app.notice.as_deref(), Some(text::FIX_FIRST));
    h.press([Tab]);
    h.typ("Correct-Horse-Battery!");
    assert!(
        h.messages(Screen::Disk)
            .iter()
            .any(|m| m.contains("differ"))
    );
    h.press([Backspace]);
    assert!(
        h.messages(Screen::Disk).is_empty(),
        "{:?}",
        h.messages(Screen::Disk)
    );
    // This machine has a TPM 2.0: it may unlock too.
    h.press([Tab, Char(' ')]);
    let e = h.app.answer.storage.encryption.clone().expect("encryption");
    assert_eq!(e.passphrase.as_deref(), Some(PASSPHRASE));
    assert!(e.tpm2);
    let screen = h.render();
    assert!(!screen.contains(PASSPHRASE), "masked:\n{screen}");
    assert!(screen.contains(&"*".repeat(PASSPHRASE.len())), "{screen}");
    let plan = leave_disk(&mut h);
    let unlock = plan.unlock.as_ref().expect("containers are unlocked");
    assert!(unlock.passphrase && unlock.tpm2_pcrs.is_some());
    assert_eq!(
        unlock.secret.as_ref().map(|s| s.expose()),
        Some(PASSPHRASE),
        "the plan gets the passphrase for luksFormat"
    );
    // Encryption off: the typed passphrase is dropped, and with it [storage.encryption].
    h.press([Esc]);
    h.app.disk.form.focus = crate::tui::screens::disk::ENCRYPT;
    h.press([Char(' ')]);
    assert_eq!(h.app.answer.storage.encryption, None);
    assert!(
        h.app
            .disk
            .form
            .text(crate::tui::screens::disk::PASS)
            .is_empty()
    );
}

#[test]
fn without_a_tpm_no_tpm2_toggle_is_offered() {
    let mut fake = FakeBackend::default();
    fake.hw.tpm2 = false;
    let mut h = H::new(&fake);
    h.press([Enter]);
    tab(&mut h, 5);
    h.press([Char(' ')]);
    let screen = h.render();
    assert!(screen.contains("Passphrase again"), "{screen}");
    assert!(!screen.contains("TPM2"), "{screen}");
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter]);
    tab(&mut h, 5);
    h.press([Char(' ')]);
    assert!(
        h.render().contains("Unlock with TPM2..: [ ] no"),
        "{}",
        h.render()
    );
}

/// The passphrase reaches the plan, and nothing else: no screen, no exported or saved
/// answer, no debug output.
#[test]
fn the_passphrase_is_never_written_out_or_shown() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    let mut screens = Vec::new();
    h.press([Enter]);
    tab(&mut h, 2);
    h.press([Right]);
    tab(&mut h, 3);
    h.press([Char(' '), Tab]);
    h.typ(PASSPHRASE);
    screens.push(h.render());
    h.press([Tab]);
    h.typ(PASSPHRASE);
    // The TPM2 too: the exported answer (without the passphrase) still unlocks.
    h.press([Tab, Char(' ')]);
    screens.push(h.render());
    while h.screen() != Screen::Summary {
        screens.push(h.render());
        let here = h.screen();
        step(&mut h);
        assert_ne!(h.screen(), here, "{:?}", h.messages(here));
    }
    screens.push(h.render());
    assert_eq!(
        h.app
            .answer
            .storage
            .encryption
            .as_ref()
            .and_then(|e| e.passphrase.as_deref()),
        Some(PASSPHRASE),
        "the answer in memory has it"
    );
    let Some(Effect::Export(toml)) = h.raw(Char('e')) else {
        panic!("e exports the answer");
    };
    assert!(!toml.contains(PASSPHRASE), "{toml}");
    let back = load_str(&toml).unwrap_or_else(|e| panic!("{e:?}\n{toml}"));
    assert_eq!(back, h.app.answer.without_secrets());
    let e = back.storage.encryption.expect("the TPM2 unlocks");
    assert!(e.tpm2 && e.passphrase.is_none());
    // The export's notice says what is left out.
    h.press([Char('e')]);
    screens.push(h.render());
    let debug = format!("{:?} {:?}", h.app.answer, h.app.plan);
    assert!(!debug.contains(PASSPHRASE), "{debug}");
    // The answer written when the install starts (--answer-out) and saved on the target.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("answer-out.toml");
    h.runner = crate::tui::Runner::new(&fake, Some(out.clone()));
    h.press([Enter]);
    screens.push(h.render());
    h.typ("erase");
    h.press([Enter]);
    screens.push(h.render());
    let written = std::fs::read_to_string(&out).expect("written at install start");
    assert!(!written.contains(PASSPHRASE), "{written}");
    assert_eq!(written, toml);
    h.engine();
    screens.push(h.render());
    for s in &screens {
        assert!(!s.contains(PASSPHRASE), "{s}");
    }
}

#[test]
fn a_starting_answers_passphrase_is_used_but_not_exported() {
    let fake = FakeBackend::default();
    let mut answer = App::default_answer();
    answer.target.path = Some("/dev/nvme0n1".into());
    answer.storage.scheme = Scheme::Lvm;
    answer.storage.encrypt = true;
    answer.storage.encryption = Some(crate::answer::Encryption {
        passphrase: Some(PASSPHRASE.into()),
        ..Default::default()
    });
    let given = answer.clone();
    let mut h = H::with_answer(&fake, answer);
    walk_to(&mut h, Screen::Summary);
    assert_eq!(
        (&h.app.answer.target, &h.app.answer.storage),
        (&given.target, &given.storage),
        "used as given"
    );
    let Some(Ok(plan)) = &h.app.plan else {
        panic!("a plan");
    };
    let unlock = plan.unlock.as_ref().expect("unlock");
    assert_eq!(unlock.secret.as_ref().map(|s| s.expose()), Some(PASSPHRASE));
    let Some(Effect::Export(toml)) = h.raw(Char('e')) else {
        panic!("e exports the answer");
    };
    assert!(!toml.contains(PASSPHRASE), "{toml}");
    // Nothing else unlocks: installing from the file needs a passphrase added, and its
    // checks say so.
    let Err(issues) = load_str(&toml) else {
        panic!("an encrypted answer without a way to unlock: {toml}");
    };
    assert!(
        issues.iter().all(|i| i.path == "storage.encryption"),
        "{issues:?}"
    );
    h.press([Char('e')]);
    assert!(
        h.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("without the disk passphrase")),
        "{:?}",
        h.app.notice
    );
}

/// A passphrase file named by the starting answer is read for the plan only (the plan
/// needs the passphrase to make the containers); the TUI's answer keeps naming the file.
#[test]
fn a_passphrase_file_is_read_for_the_plan_only() {
    let fake = FakeBackend {
        passphrase_file: Some(PASSPHRASE.into()),
        ..Default::default()
    };
    let mut answer = App::default_answer();
    answer.target.path = Some("/dev/nvme0n1".into());
    answer.storage.encrypt = true;
    answer.storage.encryption = Some(crate::answer::Encryption {
        passphrase_file: Some("/run/install/repo/luks-passphrase".into()),
        ..Default::default()
    });
    let given = answer.storage.clone();
    let mut h = H::with_answer(&fake, answer);
    walk_to(&mut h, Screen::Summary);
    let Some(Ok(plan)) = &h.app.plan else {
        panic!("a plan");
    };
    let unlock = plan.unlock.as_ref().expect("unlock");
    assert_eq!(unlock.secret.as_ref().map(|s| s.expose()), Some(PASSPHRASE));
    assert_eq!(h.app.answer.storage, given);
}

/// The roundtrip example's passphrase file: offered as it was given, kept, and switched
/// to a typed passphrase on request.
#[test]
fn a_passphrase_file_is_kept_or_replaced_by_a_typed_one() {
    let fake = FakeBackend::default();
    let mut answer = App::default_answer();
    answer.target.path = Some("/dev/nvme0n1".into());
    answer.storage.encrypt = true;
    answer.storage.encryption = Some(crate::answer::Encryption {
        passphrase_file: Some("/run/install/repo/luks-passphrase".into()),
        ..Default::default()
    });
    let mut h = H::with_answer(&fake, answer);
    h.press([Enter]);
    let screen = h.render();
    assert!(
        screen.contains("< the file /run/install/repo/luks-passphrase >"),
        "{screen}"
    );
    assert!(!screen.contains("Passphrase again"), "{screen}");
    h.app.disk.form.focus = crate::tui::screens::disk::PASS_FROM;
    h.press([Right]);
    let e = h.app.answer.storage.encryption.clone();
    assert_eq!(e, None, "nothing typed yet, no file: nothing unlocks");
    h.press([Tab]);
    h.typ(PASSPHRASE);
    h.press([Tab]);
    h.typ(PASSPHRASE);
    let e = h.app.answer.storage.encryption.clone().expect("encryption");
    assert_eq!(e.passphrase_file, None);
    assert_eq!(e.passphrase.as_deref(), Some(PASSPHRASE));
}

/// Two disks in a custom layout: each row names its disk. Written out from the auto
/// layout, the rows follow the disks picked; the admin's own rows move with their disk.
#[test]
fn custom_rows_follow_the_picked_disks() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    two_disks(&mut h);
    tab(&mut h, 1);
    h.press([Right]);
    let rows = &h.app.answer.storage.partitions;
    assert!(rows.iter().any(|r| r.disk == Some(2)), "{rows:?}");
    assert!(
        h.render().contains("(# disk mount size fs)"),
        "{}",
        h.render()
    );
    leave_disk(&mut h);
    h.press([Esc]);
    h.app.disk.form.focus = DISKS;
    h.press([Up, Char(' ')]);
    assert_eq!(h.app.disk.picked(), [1]);
    let rows = &h.app.answer.storage.partitions;
    assert!(rows.iter().all(|r| r.disk.is_none()), "{rows:?}");
    assert!(
        h.app.answer.storage.volume_groups[0].on == ["pv1"],
        "written anew"
    );
    assert!(
        h.messages(Screen::Disk).is_empty(),
        "{:?}",
        h.messages(Screen::Disk)
    );
    // The admin's own rows: disk 1's go with it, disk 2's become disk 1's.
    h.press([Char(' ')]);
    assert_eq!(h.app.disk.picked(), [1, 0]);
    tab(&mut h, 2);
    h.press([Char('+')]);
    let before = h.app.answer.storage.partitions.clone();
    h.app.disk.form.focus = DISKS;
    h.press([Down, Char(' ')]);
    assert_eq!(h.app.disk.picked(), [0]);
    let rows = &h.app.answer.storage.partitions;
    let moved: Vec<_> = before
        .iter()
        .filter(|r| r.disk == Some(2))
        .map(|r| (r.name.clone(), r.mount.clone()))
        .collect();
    let now: Vec<_> = rows
        .iter()
        .map(|r| (r.name.clone(), r.mount.clone()))
        .collect();
    assert_eq!(now, moved);
    assert!(rows.iter().all(|r| r.disk.is_none()), "{rows:?}");
}

#[test]
fn the_gate_and_the_summary_name_every_disk() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    two_disks(&mut h);
    scheme_and_encrypt(&mut h, 2);
    h.press([Tab]);
    h.typ(PASSPHRASE);
    h.press([Tab]);
    h.typ(PASSPHRASE);
    h.press([Tab, Char(' ')]);
    walk_to(&mut h, Screen::Summary);
    let toml = to_toml(&h.app.answer.without_secrets());
    assert!(toml.contains("scheme = \"raid1-lvm\""), "{toml}");
    insta::assert_snapshot!("summary_raid1_lvm_encrypted", h.render());
    h.press([Enter]);
    assert!(matches!(h.app.popup, Some(Popup::Confirm { .. })));
    insta::assert_snapshot!("confirm_two_disks", h.render());
}

/// Taller than 24 rows (sda's partitions, encryption, its issues): the screen scrolls so
/// that the focused field shows.
#[test]
fn the_disk_screen_scrolls_to_the_focused_field() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Right, Right]);
    h.app.disk.form.focus = crate::tui::screens::disk::ENCRYPT;
    h.press([Char(' '), Tab]);
    h.typ("short");
    h.press([Tab, Tab]);
    let screen = h.render();
    assert!(screen.contains("> Unlock with TPM2"), "{screen}");
    assert!(
        !screen.contains("Use Device"),
        "scrolled past the top:\n{screen}"
    );
    h.app.disk.form.focus = DISKS;
    h.press([Up]);
    let screen = h.render();
    assert!(screen.contains("Use Device"), "{screen}");
}

/// The disk screen as the admin sees it at 80x24: two disks mirrored and encrypted (the
/// passphrase masked, its strength beside it).
#[test]
fn disk_screen_snapshots() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    two_disks(&mut h);
    scheme_and_encrypt(&mut h, 1);
    h.press([Tab]);
    h.typ(PASSPHRASE);
    h.press([Tab]);
    h.typ("Correct-Horse");
    let screen = h.render();
    assert!(!screen.contains("Correct"), "{screen}");
    insta::assert_snapshot!("disk_two_disks_encrypted", screen);
}

/// A reinstall: the live system assembled the old mirror over both NVMe disks. They may be
/// picked; the summary and the gate say the array is stopped first.
#[test]
fn an_old_array_on_the_disks_is_stopped_first_and_the_gate_says_so() {
    use crate::probe::{Signature, Stacked, StackedKind, Usage};
    let mut fake = FakeBackend::default();
    let mut disks = Vec::new();
    for d in fake
        .hw
        .disks
        .iter_mut()
        .filter(|d| d.name.starts_with("nvme"))
    {
        d.signatures = vec![Signature {
            fs_type: "linux_raid_member".into(),
            label: Some("old:pv".into()),
            uuid: None,
        }];
        d.usage = vec![Usage::Held {
            device: d.path.clone(),
            holder: "md127".into(),
        }];
        disks.push(d.path.clone());
    }
    fake.hw.stacks = vec![Stacked {
        name: "md127".into(),
        path: "/dev/md127".into(),
        kind: StackedKind::Md {
            level: Some("raid1".into()),
            array: Some("pv".into()),
        },
        on: vec!["nvme0n1".into(), "nvme1n1".into()],
        holders: vec![],
        disks,
    }];
    let mut h = H::new(&fake);
    two_disks(&mut h);
    walk_to(&mut h, Screen::Summary);
    let screen = h.render();
    assert!(
        screen.contains("Stops first") && screen.contains("  - raid1 array md127 (pv)"),
        "{screen}"
    );
    h.press([Enter]);
    assert!(matches!(h.app.popup, Some(Popup::Confirm { .. })));
    let screen = h.render();
    assert!(
        screen.contains("First stopped: raid1 array md127 (pv)."),
        "{screen}"
    );
}

//! `update()` screen by screen: moving forward and back, inline validation, and the gates.

use super::*;
use crate::answer::{Layout, Password, RootFs, SelinuxMode, Swap};
use crate::tui::app::Popup;
use crate::tui::screens::network_conn::Row;
use Action::*;

#[test]
fn welcome_forward_and_back() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    assert_eq!(h.screen(), Screen::Welcome);
    h.press([Esc]);
    assert_eq!(h.screen(), Screen::Welcome);
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Disk);
    h.press([Esc]);
    assert_eq!(h.screen(), Screen::Welcome);
}

#[test]
fn a_slow_mirror_never_freezes_the_screen_or_ctrl_c() {
    let fake = FakeBackend {
        repo_delay: std::time::Duration::from_secs(3),
        ..FakeBackend::default()
    };
    let mut h = H::new(&fake);
    let t0 = std::time::Instant::now();
    // Straight through the runner: H::press would wait for the load.
    assert!(h.runner.drive(&mut h.app, Enter, &mut |_| {}).is_none());
    assert_eq!(h.screen(), Screen::Disk);
    assert!(h.runner.loading());
    assert!(h.runner.drive(&mut h.app, Interrupt, &mut |_| {}).is_none());
    assert!(matches!(h.app.popup, Some(Popup::Quit)));
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        t0.elapsed()
    );
    assert!(h.app.repos.is_none());
    let loaded = h.runner.wait_for_background().expect("the load's result");
    h.press([loaded]);
    assert!(matches!(h.app.repos, Some(Ok(_))));
}

#[test]
fn disk_lists_busy_disks_but_offers_only_free_ones() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter]);
    // Both NVMe disks and sda are free; the USB stick and the running system's disk are not.
    assert_eq!(h.app.disk.pick.free, vec![0, 1, 2]);
    assert_eq!(
        h.app.answer.target.path.as_deref(),
        Some("/dev/disk/by-id/nvme-Samsung_SSD_980_500GB_S64DNX0R123456")
    );
    assert!(!h.app.answer.target.wipe, "the NVMe disk is empty");
    // Left/Right pick only the previous/next disk.
    h.press([Right, Right]);
    assert_eq!(h.app.answer.target.path.as_deref(), Some("/dev/sda"));
    assert!(
        h.app.answer.target.wipe,
        "sda holds data: the answer must say wipe"
    );
    h.press([Right]);
    assert_eq!(
        h.app.answer.target.path.as_deref(),
        Some("/dev/disk/by-id/nvme-Samsung_SSD_980_500GB_S64DNX0R123456")
    );
    // The busy disks are not in the cursor's way: Down from the last free disk leaves.
    h.press([Down, Down]);
    assert_eq!(h.app.disk.form.focus, crate::tui::screens::disk::DISKS);
    h.press([Char(' ')]);
    assert_eq!(h.app.disk.picked(), [0, 2], "Space picks sda as disk 2");
    h.press([Char(' ')]);
    assert_eq!(h.app.disk.picked(), [0]);
    // Filesystem and swap of the auto layout.
    h.press([Tab, Tab, Tab, Right, Tab, Right, Right]);
    assert_eq!(h.app.answer.storage.filesystem, RootFs::Xfs);
    assert_eq!(
        h.app.answer.storage.swap,
        Swap::Size("2GiB".parse().expect("size"))
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Network);
    assert!(matches!(h.app.plan, Some(Ok(_))));
}

#[test]
fn custom_layout_starts_with_the_partitions_of_the_answers_firmware() {
    // The fake machine boots UEFI; a starting answer that says BIOS gets a BIOS layout.
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    let mut answer = App::default_answer();
    answer.target.firmware = crate::answer::FirmwareChoice::Bios;
    h.app = App::new(fake.hw.clone(), answer);
    h.press([Enter, Tab, Right]);
    let first = &h.app.answer.storage.partitions[0];
    assert_eq!(first.mount.as_deref(), Some("bios-boot"));
    assert!(
        h.messages(Screen::Disk).is_empty(),
        "{:?}",
        h.messages(Screen::Disk)
    );
}

#[test]
fn disk_custom_layout_refusal_keeps_you_on_the_disk_screen() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Tab, Right]);
    assert_eq!(h.app.answer.storage.layout, Layout::Custom);
    assert_eq!(h.app.answer.storage.partitions.len(), 4);
    // Into the editor; make /boot 1 TiB: the layout no longer fits the 500 GiB disk.
    h.press([Down, Down, Char('e'), Tab]);
    for _ in 0..4 {
        h.press([Backspace]);
    }
    h.typ("1TiB");
    h.press([Enter]);
    assert_eq!(
        h.app.answer.storage.partitions[1]
            .size
            .map(|s| s.to_string())
            .as_deref(),
        Some("1TiB")
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Disk, "the plan refused the layout");
    let m = h.messages(Screen::Disk);
    assert!(m.iter().any(|m| m.starts_with("storage")), "{m:?}");
    // Back to 1 GiB: the refusal goes once the plan is made again.
    h.press([Char('e'), Tab]);
    for _ in 0..4 {
        h.press([Backspace]);
    }
    h.typ("1GiB");
    h.press([Enter, Enter]);
    assert_eq!(
        h.screen(),
        Screen::Network,
        "{:?}",
        h.messages(Screen::Disk)
    );
}

#[test]
fn network_hostname_message_appears_and_disappears() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Enter]);
    assert_eq!(h.screen(), Screen::Network);
    h.typ("bad_host");
    let m = h.messages(Screen::Network);
    assert!(m.iter().any(|m| m.starts_with("system.hostname")), "{m:?}");
    assert!(h.render().contains("not a valid host name"));
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Network, "blocked while invalid");
    for _ in 0..5 {
        h.press([Backspace]);
    }
    h.typ("-host");
    assert!(h.messages(Screen::Network).is_empty());
    assert_eq!(h.app.answer.system.hostname.as_deref(), Some("bad-host"));
    // 'q' in a text field is a letter, not quit.
    h.typ("q");
    assert!(h.app.popup.is_none());
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Users);
    h.press([Esc]);
    assert_eq!(h.screen(), Screen::Network);
}

#[test]
fn network_static_interface_with_a_bad_gateway() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Enter, Enter]);
    // The list, eno2, its IPv4 setting: static.
    h.press([Down, Down, Tab, Right, Down]);
    h.typ("192.0.2.10/24");
    h.press([Down]);
    h.typ("192.0.2.300");
    let m = h.messages(Screen::Network);
    assert!(
        m.iter()
            .any(|m| m.starts_with("network.interfaces[0].gateway")),
        "{m:?}"
    );
    h.press([Backspace, Backspace, Backspace, Char('1')]);
    assert!(
        h.messages(Screen::Network).is_empty(),
        "{:?}",
        h.messages(Screen::Network)
    );
    let i = &h.app.answer.network.interfaces;
    assert_eq!(i.len(), 1);
    assert_eq!(i[0].matcher.mac.as_deref(), Some("52:54:00:12:34:57"));
    assert_eq!(i[0].addressing.addresses, vec!["192.0.2.10/24"]);
    assert_eq!(i[0].addressing.gateway.as_deref(), Some("192.0.2.1"));
    // Back to eno1: its own settings (DHCP); eno2 keeps its static address.
    h.press([Up, Up, Up, Up]);
    assert_eq!(h.app.network.sel, Some(Row::Nic(0)));
    assert_eq!(h.app.answer.network.interfaces.len(), 1);
}

/// yescrypt takes a moment: the hash is made on a thread of its own, the screen stays
/// live meanwhile (another Enter does not leave it half-done), and it moves on once the
/// hash is back.
#[test]
fn hashing_runs_off_the_screen_and_then_moves_on() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Users);
    h.press([Right, Tab]);
    h.typ("secret-one");
    h.press([Tab]);
    h.typ("secret-one");
    assert!(h.runner.drive(&mut h.app, Enter, &mut |_| {}).is_none());
    assert!(h.runner.loading(), "hashing in the background");
    assert_eq!(h.screen(), Screen::Users);
    assert_eq!(h.app.answer.root.password, Password::Locked, "no hash yet");
    assert!(h.runner.drive(&mut h.app, Enter, &mut |_| {}).is_none());
    assert_eq!(h.screen(), Screen::Users, "waits for the hash");
    let hashed = h.runner.wait_for_background().expect("the hash");
    h.press([hashed]);
    assert_eq!(h.screen(), Screen::Security);
    assert!(
        matches!(&h.app.answer.root.password, Password::Hash { hash } if hash.starts_with("$y$"))
    );
}

#[test]
fn users_passwords_must_match_and_are_hashed_on_leaving() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Users);
    let m = h.messages(Screen::Users);
    assert!(m.iter().any(|m| m.contains("nobody could log in")), "{m:?}");
    h.press([Right, Tab]);
    h.typ("secret-one");
    h.press([Tab]);
    h.typ("secret-two");
    assert!(
        h.messages(Screen::Users)
            .iter()
            .any(|m| m.contains("differ"))
    );
    assert!(!h.render().contains("secret"), "passwords are masked");
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Users, "blocked while they differ");
    for _ in 0..3 {
        h.press([Backspace]);
    }
    h.typ("one");
    assert!(
        h.messages(Screen::Users).is_empty(),
        "{:?}",
        h.messages(Screen::Users)
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Security);
    match &h.app.answer.root.password {
        Password::Hash { hash } => assert!(hash.starts_with("$y$")),
        p => panic!("not hashed: {p:?}"),
    }
    // The plain text is gone from the state.
    assert!(h.app.users.form.text(1).is_empty() && h.app.users.form.text(2).is_empty());
    h.press([Esc]);
    assert!(h.render().contains("Password (set)"));
}

#[test]
fn security_choices_reach_the_answer() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Security);
    h.press([Right, Down, Down, Right, Down, Char(' '), Down, Char(' ')]);
    let a = &h.app.answer;
    assert_eq!(a.selinux.mode, SelinuxMode::Permissive);
    assert_eq!(a.ssh.permit_root_login, crate::answer::PermitRootLogin::No);
    assert!(a.ssh.password_authentication);
    assert!(!a.kernel.hardening);
    // SSH off hides its details.
    h.press([Up, Up, Up, Char(' ')]);
    assert!(!h.app.answer.ssh.enable);
    assert!(!h.render().contains("Root login"));
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Software);
    h.press([Esc]);
    assert_eq!(h.screen(), Screen::Security);
}

#[test]
fn software_groups_and_search() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Software);
    assert!(matches!(h.app.repos, Some(Ok(_))));
    // core is on by default; add "standard".
    h.press([Down, Char(' ')]);
    assert_eq!(
        h.app.answer.packages.groups,
        Some(vec!["core".into(), "standard".into()])
    );
    h.press([Char('/')]);
    h.typ("vim");
    h.press([Tab, Down, Char(' ')]);
    assert_eq!(
        h.app.answer.packages.install,
        vec!["vim-minimal".to_string()]
    );
    h.press([Up, Char(' '), Char(' '), Char(' ')]);
    assert_eq!(
        h.app.answer.packages.install,
        vec!["vim-minimal".to_string(), "vim-enhanced".to_string()]
    );
    h.press([Enter]);
    assert_eq!(h.screen(), Screen::Summary);
}

#[test]
fn software_without_repository_metadata_blocks_the_install() {
    let fake = FakeBackend {
        index: Err("repository loading not available".into()),
        ..Default::default()
    };
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Summary);
    let screen = h.render();
    assert!(screen.contains("The install cannot start"), "{screen}");
    let blockers = crate::tui::screens::summary::blockers(&h.app);
    assert!(
        blockers
            .iter()
            .any(|i| i.message.contains("repository loading not available"))
    );
    h.press([Enter]);
    assert!(h.app.popup.is_none(), "no confirmation while blocked");
}

#[test]
fn confirm_gate_enter_alone_never_installs() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Summary);
    assert!(h.raw(Enter).is_none());
    assert!(matches!(h.app.popup, Some(Popup::Confirm { .. })));
    assert!(h.raw(Enter).is_none(), "Enter with nothing typed");
    assert!(matches!(
        h.app.popup,
        Some(Popup::Confirm { wrong: true, .. })
    ));
    for c in "eras".chars() {
        assert!(h.raw(Char(c)).is_none());
    }
    assert!(h.raw(Enter).is_none(), "a partial word");
    assert!(h.raw(Esc).is_none());
    assert!(h.app.popup.is_none());
    assert_eq!(h.screen(), Screen::Summary);
    h.raw(Enter);
    for c in "erase".chars() {
        assert!(h.raw(Char(c)).is_none());
    }
    assert!(matches!(h.raw(Enter), Some(Effect::StartInstall(_))));
    assert_eq!(h.screen(), Screen::Progress);
}

#[test]
fn quit_asks_first() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Char('q')]);
    assert!(matches!(h.app.popup, Some(Popup::Quit)));
    h.press([Char('n')]);
    assert!(h.app.popup.is_none());
    h.press([Interrupt]);
    assert!(matches!(h.app.popup, Some(Popup::Quit)));
    h.press([Enter, Esc]);
    assert!(h.app.popup.is_none());
    h.press([Interrupt]);
    assert_eq!(h.press([Char('y')]), Some(Outcome::Quit));
}

#[test]
fn ctrl_c_twice_quits() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    h.press([Char('q')]);
    h.press([Char('n')]);
    h.press([Interrupt]);
    assert!(matches!(h.app.popup, Some(Popup::Quit)));
    assert!(h.render().contains("Ctrl-C: quit"));
    assert_eq!(h.press([Interrupt]), Some(Outcome::Quit));
}

#[test]
fn each_issue_belongs_to_the_screen_that_edits_its_section() {
    use crate::tui::app::Section;
    assert_eq!(
        Section::of("kernel.hardening"),
        Some(Section::KernelHardening)
    );
    assert_eq!(Section::of("kernel.cmdline[0]"), Some(Section::Kernel));
    assert_eq!(
        Section::of("storage.partitions[2].size"),
        Some(Section::Storage)
    );
    assert_eq!(Section::of("system.hostname"), Some(Section::Hostname));
    // No screen edits the time zone; a key that only starts like a section is not in it.
    assert_eq!(Section::of("system.timezone"), None);
    assert_eq!(Section::of("usersx"), None);
    assert!(Screen::Security.owns("kernel.hardening"));
    assert!(!Screen::Software.owns("kernel.hardening"));
    assert!(Screen::Software.owns("kernel.series"));
    assert!(Screen::Users.owns("users[1].password"));
    assert!(Screen::Summary.owns("system.timezone"));
}

/// The plan (a dependency closure over the whole repository) is made on a thread of its
/// own: the screen stays live and moves on when the plan is back.
#[test]
fn the_plan_is_made_off_the_screen_and_then_it_moves_on() {
    let fake = FakeBackend::default();
    let mut h = H::new(&fake);
    walk_to(&mut h, Screen::Software);
    assert!(h.runner.drive(&mut h.app, Enter, &mut |_| {}).is_none());
    assert!(h.runner.loading(), "the plan is being made");
    assert_eq!(h.screen(), Screen::Software);
    let resolved = h.runner.wait_for_background().expect("the plan");
    assert!(matches!(&resolved, Action::Resolved(r) if r.is_ok()));
    h.press([resolved]);
    assert_eq!(h.screen(), Screen::Summary);
    assert!(matches!(h.app.plan, Some(Ok(_))));
}

//! Answers written to break the installed system or the terminal: every value that ends up
//! in a file or on a command line is refused with its key and line, and the message shows
//! the value quoted, escaped and cut, never raw.

use azl_installer::answer::{Issue, load_str};

const HEAD: &str = "version = 1\n[target]\npath = \"/dev/vda\"\n";

fn issues(body: &str) -> Vec<Issue> {
    match load_str(&format!("{HEAD}{body}")) {
        Ok(_) => Vec::new(),
        Err(issues) => issues,
    }
}

fn custom(mount: &str, extra: &str) -> String {
    format!(
        "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"10GiB\"\n\
         [[storage.partitions]]\nmount = \"{mount}\"\nsize = \"rest\"\n{extra}"
    )
}

/// (what, answer body after the target, key path, line, message contains)
const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIF4BlXI8UhshSQHMZnw/Z2thBI0t9Xvn9lC48xVxAh74";

#[test]
fn values_that_would_land_in_files_are_refused() {
    let two_keys = format!(
        "[root]\nssh_keys = [\"\"\"ssh-ed25519 {KEY} a\ncommand=\"/bin/sh\" ssh-ed25519 {KEY} b\"\"\"]\n"
    );
    let cases: Vec<(&str, String, &str, usize, &str)> = vec![
        ("/proc", custom("/proc", ""), "storage.partitions[1].mount", 10, "kernel filesystem"),
        ("/sys", custom("/sys/fs", ""), "storage.partitions[1].mount", 10, "kernel filesystem"),
        ("/dev", custom("/dev", ""), "storage.partitions[1].mount", 10, "kernel filesystem"),
        ("/run", custom("/run", ""), "storage.partitions[1].mount", 10, "tmpfs"),
        ("/etc", custom("/etc", ""), "storage.partitions[1].mount", 10, "on the root filesystem"),
        (
            "options with a newline",
            custom("/srv", "options = \"defaults 0 0\\n/dev/sda1 /x xfs\"\n"),
            "storage.partitions[1].options",
            12,
            "fstab cannot hold",
        ),
        (
            "options with a space",
            custom("/srv", "options = \"noatime nodev\"\n"),
            "storage.partitions[1].options",
            12,
            "fstab cannot hold",
        ),
        (
            "empty option",
            custom("/srv", "options = \"noatime,,nodev\"\n"),
            "storage.partitions[1].options",
            12,
            "empty option",
        ),
        (
            "vfat root",
            "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\nfs = \"vfat\"\n".into(),
            "storage.partitions[0].fs",
            9,
            "cannot be vfat",
        ),
        ("vfat /var/log", custom("/var/log", "fs = \"vfat\"\n"), "storage.partitions[1].fs", 12, "cannot be vfat"),
        (
            "locale",
            "[system]\nlocale = \"en_US.UTF-8;reboot\"\n".into(),
            "system.locale",
            5,
            "\"en_US.UTF-8;reboot\" is not a locale name",
        ),
        ("keymap", "[system]\nkeymap = \"us;reboot\"\n".into(), "system.keymap", 5, "not a keymap"),
        ("two keys in one entry", two_keys, "root.ssh_keys[0]", 5, "one key per entry"),
    ];
    for (what, body, path, line, says) in cases {
        let found = issues(&body);
        assert!(
            found
                .iter()
                .any(|i| i.path == path && i.line == Some(line) && i.message.contains(says)),
            "{what}: expected {path} at line {line} saying {says:?}, got {found:#?}"
        );
    }
}

#[test]
fn a_vfat_esp_and_data_partition_are_still_fine() {
    let body = "[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n\
                [[storage.partitions]]\nmount = \"/exchange\"\nsize = \"1GiB\"\nfs = \"vfat\"\noptions = \"umask=0077,shortname=winnt\"\n\
                [[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n";
    assert_eq!(issues(body), Vec::<Issue>::new());
}

#[test]
fn values_in_messages_are_escaped_and_cut() {
    let long = "a".repeat(20_000_000);
    let found = issues(&format!("[system]\nhostname = \"x{long}\"\n"));
    let text: String = found.iter().map(|i| i.to_string()).collect();
    assert!(text.len() < 1000, "{} bytes of message", text.len());
    assert!(
        text.contains("(20000001 characters)"),
        "{}",
        &text[..text.len().min(300)]
    );

    let found = issues("[system]\nhostname = \"web\\u001b[2J\\u0000x\"\n");
    let text: String = found.iter().map(|i| i.to_string()).collect();
    assert!(!text.contains('\u{1b}') && !text.contains('\0'), "{text:?}");
    assert!(text.contains(r#""web\u{1b}[2J\0x""#), "{text}");
}

#[test]
fn a_password_in_the_wrong_place_is_not_repeated() {
    let found = issues(
        "[root]\npassword = \"hunter2\"\n[[users]]\nname = \"ops\"\npassword = \"s3cr3t-pw\"\n",
    );
    let text: String = found.iter().map(|i| format!("{i}\n")).collect();
    assert_eq!(found.len(), 2, "{text}");
    assert!(
        !text.contains("hunter2") && !text.contains("s3cr3t-pw"),
        "{text}"
    );
    assert!(
        text.contains("root.password: expected one of \"locked\""),
        "{text}"
    );
}

#[test]
fn a_wrong_type_does_not_hide_the_other_problems() {
    let text = "version = 2\n[target]\npath = \"/dev/vda\"\n[selinux]\nmode = 7\n[system]\nhostname = \"Bad_Host\"\n";
    let found = match load_str(text) {
        Ok(_) => Vec::new(),
        Err(issues) => issues,
    };
    let at: Vec<(&str, Option<usize>)> = found.iter().map(|i| (i.path.as_str(), i.line)).collect();
    assert_eq!(
        at,
        [
            ("version", Some(1)),
            ("selinux.mode", Some(5)),
            ("system.hostname", Some(7))
        ],
        "{found:#?}"
    );
}

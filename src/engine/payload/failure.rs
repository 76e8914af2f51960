//! What dnf itself said when it failed, picked out of its output: dnf 5 prints its progress
//! bars and its errors on the same stream, so the last forty lines of a failed run are
//! mostly bars, and the reason ("Transaction failed: Signature verification failed. OpenPGP
//! check for package …") must come first in the error, not after them.

use super::progress::{Line, parse};

/// At most this many lines of dnf's own words.
const MAX_LINES: usize = 8;

/// Lines dnf 5 and dnf 4 print on every run, failed or not.
const CHATTER: [&str; 18] = [
    ">>> Interrupted",
    "Importing GPG key",
    "Userid",
    "Key imported successfully",
    "Updating and loading repositories:",
    "Repositories loaded.",
    "Running transaction",
    "Total size of inbound packages",
    "After this operation",
    "The operation will only download",
    "Importing OpenPGP key",
    "UserID",
    "Fingerprint",
    "From ",
    "The key was successfully imported",
    "Transaction Summary",
    "Complete!",
    "Downloading Packages:",
];

/// dnf's reason for failing: the lines of `output` that are neither progress nor what it
/// prints on every run, joined, at most the last few. Empty when nothing is left.
pub fn reason(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .flat_map(|l| l.split('\r'))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_chatter(l))
        .collect();
    let start = lines.len().saturating_sub(MAX_LINES);
    let mut kept: Vec<&str> = Vec::new();
    for l in &lines[start..] {
        // dnf 5 says the same thing as ">>> X" and then "Failed …: X": keep the latter.
        if kept
            .last()
            .and_then(|k| k.strip_prefix(">>> "))
            .is_some_and(|x| l.ends_with(x))
        {
            kept.pop();
        }
        kept.push(l);
    }
    kept.join("\n")
}

fn is_chatter(l: &str) -> bool {
    if CHATTER.iter().any(|c| l.starts_with(c)) || l.chars().all(|c| c == '-' || c == '=') {
        return true;
    }
    // A repository's metadata bar: " fixture   100% | 1.2 MiB/s | 3.4 KiB | 00m00s".
    if l.contains("% |") {
        return true;
    }
    matches!(
        parse(l),
        Line::Downloaded { .. } | Line::Transaction { .. } | Line::Step { .. } | Line::Cached
    ) || l.contains("use Alien instead")
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNSIGNED: &str = include_str!("testdata/dnf5-unsigned-package.stderr");
    const FOREIGN: &str = include_str!("testdata/dnf5-foreign-repomd.stderr");

    #[test]
    fn a_signature_failure_is_dnf5s_own_words_without_the_bars() {
        let r = reason(UNSIGNED);
        assert!(
            r.starts_with("Transaction failed: Signature verification failed."),
            "{r}"
        );
        assert!(
            r.contains("OpenPGP check for package \"tmux-3.5a-1.azl4.x86_64\""),
            "{r}"
        );
        assert!(r.ends_with("The package is not signed."), "{r}");
        assert_eq!(r.lines().count(), 2, "{r}");
    }

    #[test]
    fn a_metadata_failure_keeps_the_reason_once() {
        let r = reason(FOREIGN);
        assert_eq!(r.lines().count(), 1, "{r}");
        assert!(
            r.starts_with("Failed to download metadata") && r.contains("Signing key not found"),
            "{r}"
        );
    }

    /// dnf 4.14's stderr for a package signed by another key.
    #[test]
    fn dnf4_key_import_lines_are_not_the_reason() {
        let r = reason(
            "Importing GPG key 0x3B0C5517:\n Userid     : \"Fixture <f@fixture.invalid>\"\n \
             Fingerprint: 0B9E 3B0C 5517\n From       : file:///k\nKey imported successfully\n\
             Package tmux-3.5a-1.azl4.x86_64.rpm is not signed\nError: GPG check FAILED\n",
        );
        assert_eq!(
            r,
            "Package tmux-3.5a-1.azl4.x86_64.rpm is not signed\nError: GPG check FAILED"
        );
    }

    #[test]
    fn nothing_but_progress_gives_nothing() {
        assert_eq!(
            reason("Running transaction\n[1/2] Verify package files 100% | 1 B/s | 1 B | 00m00s\n"),
            ""
        );
    }
}

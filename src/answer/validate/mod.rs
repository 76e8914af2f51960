//! Semantic checks of an [`Answer`]: what the types alone cannot say (exactly one of two
//! keys, sizes that only make sense in some places, names and addresses with a syntax).
//! Pure: no I/O, no hardware, no network. Issues carry key paths; the loader adds positions.

mod accounts;
mod layers;
mod network;
mod services;
mod software;
mod sshkey;
mod storage;
mod system;
mod target;
mod url;

pub(crate) use network::is_mac;

use super::{Answer, Issue, shown};

/// Every semantic problem of `answer`, in answer-file order (positions left empty).
pub fn validate(answer: &Answer) -> Vec<Issue> {
    let mut out = Vec::new();
    version(answer.version, &mut out);
    target::check(&answer.target, &mut out);
    storage::check(&answer.storage, &answer.target, &mut out);
    software::repos(&answer.repos, &mut out);
    software::packages(&answer.packages, &mut out);
    software::kernel(&answer.kernel, &mut out);
    software::selinux(&answer.selinux, &mut out);
    system::check(&answer.system, &mut out);
    network::check(&answer.network, &mut out);
    services::check(answer, &mut out);
    accounts::keys(
        &answer.install.remote_ssh_keys,
        "install.remote_ssh_keys",
        &mut out,
    );
    accounts::root(&answer.root, &mut out);
    accounts::users(&answer.users, &mut out);
    system::scripts(&answer.scripts, &mut out);
    system::reporting(&answer.reporting, &mut out);
    out
}

/// Whether one line is an SSH public key as authorized_keys takes it (why not, if not).
pub fn check_ssh_key(line: &str) -> Result<(), String> {
    sshkey::check(line)
}

/// The problems of a `[network]` part on its own (the kernel command line's network).
pub fn validate_network(n: &super::Network) -> Vec<Issue> {
    let mut out = Vec::new();
    network::check(n, &mut out);
    out
}

fn version(v: u32, out: &mut Vec<Issue>) {
    if v != 1 {
        out.push(
            Issue::new("version", format!("unsupported answer file version {v}"))
                .with_hint("this installer reads version = 1"),
        );
    }
}

/// True when `s` is non-empty and has no whitespace or control characters: one word for a
/// command line or a package manager.
fn is_word(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A DNS name: labels of letters, digits and "-", 1-63 each, 253 in all; NetworkManager's
/// "~" prefix (a routing-only domain) allowed.
pub(crate) fn is_domain(s: &str) -> bool {
    let s = s.strip_prefix('~').unwrap_or(s);
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

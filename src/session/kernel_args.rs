//! The kernel command line, read and split once per run: every argument the installer
//! takes from it (the answer, a kickstart, the proxy, the webhook, SSH access, `BOOTIF=`,
//! the boot network) is looked up here.

use std::path::{Path, PathBuf};

/// The words of a kernel command line (`/proc/cmdline`, or `--cmdline FILE`).
#[derive(Debug, Clone, Default)]
pub struct KernelArgs {
    words: Vec<String>,
    path: PathBuf,
    /// Why the file could not be read (it then has no words).
    unread: Option<String>,
}

impl KernelArgs {
    /// Reads `path`; a file that cannot be read gives no words, and `require` says why.
    pub fn read(path: &Path) -> KernelArgs {
        match std::fs::read_to_string(path) {
            Ok(line) => KernelArgs {
                path: path.to_path_buf(),
                ..KernelArgs::parse(&line)
            },
            Err(e) => KernelArgs {
                words: Vec::new(),
                path: path.to_path_buf(),
                unread: Some(format!("reading {}: {e}", path.display())),
            },
        }
    }

    pub fn parse(line: &str) -> KernelArgs {
        KernelArgs {
            words: split(line),
            ..KernelArgs::default()
        }
    }

    /// The file it was read from, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Ok when the file was read; else why not ("reading FILE: ...", bad input): for
    /// what needs the command line itself (no answer given, the boot network, SSH keys).
    pub fn require(&self) -> Result<(), super::Failure> {
        match &self.unread {
            Some(why) => Err(super::Failure::BadInput(anyhow::anyhow!("{why}"))),
            None => Ok(()),
        }
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The value of the last `key` (with its `=`: "inst.answer="), as the kernel's own
    /// parameters take the last one.
    pub fn last(&self, key: &str) -> Option<&str> {
        self.words.iter().rev().find_map(|w| w.strip_prefix(key))
    }

    /// Every value of `key`, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl DoubleEndedIterator<Item = &'a str> + 'a {
        self.words.iter().filter_map(move |w| w.strip_prefix(key))
    }

    /// Whether any of `flags` is there as a word of its own.
    pub fn has(&self, flags: &[&str]) -> bool {
        self.words.iter().any(|w| flags.contains(&w.as_str()))
    }

    /// `inst.answer=`: where the answer file is.
    pub fn answer(&self) -> Option<&str> {
        self.last("inst.answer=")
    }

    /// `inst.ks=`: a kickstart, imported as the answer when there is no `inst.answer=`.
    pub fn kickstart(&self) -> Option<&str> {
        self.last("inst.ks=")
    }

    /// `inst.proxy=`: the proxy the answer itself is fetched through (the answer's
    /// `[network.proxy]` takes over once it is read).
    pub fn proxy(&self) -> Option<&str> {
        self.last("inst.proxy=")
    }

    /// `BOOTIF=` (PXE): the NIC the machine booted from.
    pub fn bootif(&self) -> Option<&str> {
        self.last("BOOTIF=")
    }

    /// The webhook named here: `inst.webhook=` (URL), `inst.webhook.token=` (bearer
    /// token), `inst.webhook.cert=`, `inst.webhook.key=` and `inst.webhook.ca=` (paths of
    /// PEM files on the live system).
    pub fn webhook(&self) -> crate::answer::Reporting {
        let last = |key: &str| self.last(key).map(str::to_string);
        crate::answer::Reporting {
            webhook: last("inst.webhook="),
            token: last("inst.webhook.token="),
            client_cert: last("inst.webhook.cert="),
            client_key: last("inst.webhook.key="),
            ca: last("inst.webhook.ca="),
        }
    }
}

/// Splits a kernel command line into words, honouring double quotes like the kernel does.
pub fn split(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_of_a_key_wins_and_quotes_hold_spaces() {
        let k = KernelArgs::parse(
            "BOOT_IMAGE=/vmlinuz console=ttyS0 inst.answer=http://10.0.0.1/a.toml quiet\n",
        );
        assert_eq!(k.answer(), Some("http://10.0.0.1/a.toml"));
        assert_eq!(KernelArgs::parse("quiet splash").answer(), None);
        let k = KernelArgs::parse("inst.answer=/a.toml inst.answer=\"/b c.toml\" inst.sshd");
        assert_eq!(k.answer(), Some("/b c.toml"));
        assert!(k.has(&["inst.sshd"]) && !k.has(&["inst.sendmac"]));
        assert_eq!(k.all("inst.answer=").count(), 2);
    }

    #[test]
    fn an_unreadable_file_has_no_words_and_says_why() {
        let k = KernelArgs::read(Path::new("/nonexistent/cmdline"));
        assert!(k.words().is_empty());
        assert!(
            k.require()
                .unwrap_err()
                .to_string()
                .starts_with("reading /nonexistent/cmdline: ")
        );
    }
}

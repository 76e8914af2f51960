//! Kickstart import: a kickstart file (the commands fleets use with Anaconda) converted
//! into an [`Answer`]. Pure: text in, answer and warnings out. Whatever cannot be said in
//! the answer is a [`Warning`] naming its line and why; nothing is dropped silently.

mod commands;
mod lexer;
mod network;
mod sections;
mod settle;
mod storage;

use super::{Answer, Finish, Install};

pub use lexer::split;

/// The answer a kickstart converts to, and what of it could not be converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub answer: Answer,
    pub warnings: Vec<Warning>,
}

/// Something of the kickstart the answer does not say, or says differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line of the kickstart.
    pub line: usize,
    /// The command or section it is about ("part", "%pre").
    pub command: String,
    pub why: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.line, self.command, self.why)
    }
}

/// A command's options: `--name=value`, `--name value` (for the options that take one)
/// and flags; what is left when the converter has taken what it knows is warned about.
pub(crate) struct Opts {
    opts: Vec<(String, Option<String>)>,
    pub args: Vec<String>,
}

impl Opts {
    /// `valued` are the options that take a value as the next word when written without `=`.
    pub fn new(words: &[String], valued: &[&str]) -> Opts {
        let mut opts = Vec::new();
        let mut args = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if let Some(o) = w.strip_prefix("--") {
                match o.split_once('=') {
                    Some((k, v)) => opts.push((k.to_string(), Some(v.to_string()))),
                    None if valued.contains(&o) => opts.push((o.to_string(), it.next().cloned())),
                    None => opts.push((o.to_string(), None)),
                }
            } else {
                args.push(w.clone());
            }
        }
        Opts { opts, args }
    }

    /// Takes every occurrence of any of `names`; the last value wins (as in Anaconda).
    fn take(&mut self, names: &[&str]) -> Option<Option<String>> {
        let mut found = None;
        self.opts.retain(|(k, v)| {
            if names.contains(&k.as_str()) {
                found = Some(v.clone());
                false
            } else {
                true
            }
        });
        found
    }

    pub fn flag(&mut self, names: &[&str]) -> bool {
        self.take(names).is_some()
    }

    pub fn value(&mut self, names: &[&str]) -> Option<String> {
        self.take(names).flatten()
    }

    /// A comma-separated list value, empty items left out.
    pub fn list(&mut self, names: &[&str]) -> Vec<String> {
        self.value(names)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The options nobody took, as written.
    pub fn rest(&mut self) -> Vec<String> {
        std::mem::take(&mut self.opts)
            .into_iter()
            .map(|(k, v)| match v {
                Some(v) => format!("--{k}={v}"),
                None => format!("--{k}"),
            })
            .collect()
    }
}

/// The conversion under way: the answer, the warnings, and the storage commands gathered
/// until the end (the disks they name are only known then).
pub(crate) struct Ctx {
    pub answer: Answer,
    pub warnings: Vec<Warning>,
    pub storage: storage::Gathered,
    /// `sshkey` lines, applied at the end: they may come before their `user`.
    pub sshkeys: Vec<(usize, String, String)>,
    /// Whether a `reboot`/`poweroff`/... said how the install ends.
    pub finish_given: bool,
}

impl Ctx {
    pub fn warn(&mut self, line: usize, command: &str, why: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            command: command.to_string(),
            why: why.into(),
        });
    }

    /// Warns about each option of `o` no converter took.
    pub fn leftover(&mut self, line: usize, command: &str, o: &mut Opts) {
        for opt in o.rest() {
            self.warn(line, command, format!("{opt} is not converted"));
        }
    }
}

/// An answer with every default: what a kickstart that says nothing would give.
fn empty_answer() -> Answer {
    Answer {
        // A kickstart installs without asking (Anaconda asks nothing it is told).
        install: Install {
            confirm: false,
            finish: Finish::None,
            ..Install::default()
        },
        ..Answer::minimal()
    }
}

/// Converts a kickstart file's text.
pub fn convert(text: &str) -> Conversion {
    let mut cx = Ctx {
        answer: empty_answer(),
        warnings: Vec::new(),
        storage: Default::default(),
        sshkeys: Vec::new(),
        finish_given: false,
    };
    for item in lexer::items(text) {
        match item {
            lexer::Item::Bad { line, why } => cx.warn(line, "(line)", format!("not read: {why}")),
            lexer::Item::Command { line, words } => command(&mut cx, line, &words),
            lexer::Item::Section {
                line,
                header,
                body,
                closed,
            } => sections::section(&mut cx, line, &header, &body, closed),
        }
    }
    commands::finish(&mut cx);
    settle::finish(&mut cx);
    cx.warnings.sort_by_key(|w| w.line);
    Conversion {
        answer: cx.answer,
        warnings: cx.warnings,
    }
}

fn command(cx: &mut Ctx, line: usize, words: &[String]) {
    let Some((name, args)) = words.split_first() else {
        return;
    };
    if name.starts_with('%') {
        let why = match name.as_str() {
            "%include" => format!(
                "{} is not followed: convert it separately and merge the result",
                args.first().map_or("(no file)", String::as_str)
            ),
            "%ksappend" => format!(
                "{} is not followed",
                args.first().map_or("(no file)", String::as_str)
            ),
            "%end" => "%end without a section".to_string(),
            _ => "unknown section; not converted".to_string(),
        };
        cx.warn(line, name, why);
        return;
    }
    if !(commands::command(cx, line, name, args)
        || network::command(cx, line, name, args)
        || storage::command(cx, line, name, args))
    {
        cx.warn(line, name, "unknown or unsupported command; not converted");
    }
}

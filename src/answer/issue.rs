//! One problem found in an answer file, and how it is printed:
//! `FILE:LINE:COL: KEY.PATH: MESSAGE (hint: ...)`.

use std::fmt;

/// A problem with an answer: where (key path and, when loaded from text, line and column),
/// what is wrong or expected, and a hint where one exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Key path such as `storage.partitions[2].size` (array indices count from 0); empty for
    /// TOML syntax errors, which have no key.
    pub path: String,
    /// 1-based line in the answer file, when the answer came from text.
    pub line: Option<usize>,
    /// 1-based column (in characters) in the answer file.
    pub column: Option<usize>,
    /// What is wrong, or what was expected.
    pub message: String,
    /// How to fix it, e.g. `did you mean "hostname"?`.
    pub hint: Option<String>,
}

/// Longest part of a value a message repeats: enough to recognise it, never a flood.
const SHOWN_CHARS: usize = 64;

/// A value as a message shows it: quoted, control characters and quotes escaped (no ESC or
/// NUL ever reaches a terminal), and cut after 64 characters with its full length.
pub fn shown(value: impl fmt::Display) -> String {
    let value = value.to_string();
    let count = value.chars().count();
    let head: String = value.chars().take(SHOWN_CHARS).collect();
    let escaped = head.escape_debug().to_string();
    if count > SHOWN_CHARS {
        format!("\"{escaped}\"… ({count} characters)")
    } else {
        format!("\"{escaped}\"")
    }
}

/// `s` with control characters escaped (`\u{1b}`, `\n`), the rest as it is.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

impl Issue {
    /// An issue at `path` without a position (the loader fills positions in).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    /// The same issue with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The issue as one line prefixed with `file` (and line:column when known).
    pub fn render(&self, file: &str) -> String {
        match (file.is_empty(), self.line) {
            (true, _) => self.to_string(),
            (false, Some(_)) => format!("{file}:{self}"),
            (false, None) => format!("{file}: {self}"),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(col)) => write!(f, "{line}:{col}: ")?,
            (Some(line), None) => write!(f, "{line}: ")?,
            _ => {}
        }
        // Whatever a message repeats, no control character reaches the terminal.
        if !self.path.is_empty() {
            write!(f, "{}: ", printable(&self.path))?;
        }
        f.write_str(&printable(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {})", printable(hint))?;
        }
        Ok(())
    }
}

/// All issues of one file, printed one per line as `FILE:LINE:COL: KEY.PATH: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub file: String,
    pub issues: Vec<Issue>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&issue.render(&self.file))?;
        }
        Ok(())
    }
}

/// Suggests the candidate closest to `word` when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean \"{c}\"?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_path_message_hint() {
        let mut issue = Issue::new("system.hostnme", "unknown key \"hostnme\"")
            .with_hint("did you mean \"hostname\"?");
        issue.line = Some(12);
        issue.column = Some(1);
        assert_eq!(
            issue.render("answer.toml"),
            "answer.toml:12:1: system.hostnme: unknown key \"hostnme\" (hint: did you mean \"hostname\"?)"
        );
    }

    #[test]
    fn renders_without_position_or_path() {
        let issue = Issue::new("", "expected `=`");
        assert_eq!(issue.render("a.toml"), "a.toml: expected `=`");
        assert_eq!(
            Issue::new("version", "must be 1").to_string(),
            "version: must be 1"
        );
    }

    #[test]
    fn suggests_only_close_words() {
        assert_eq!(
            did_you_mean("hostnme", ["hostname", "timezone", "locale"]).as_deref(),
            Some("did you mean \"hostname\"?")
        );
        assert_eq!(did_you_mean("zzz", ["hostname", "timezone"]), None);
    }
}

//! The table runner of the answer-file error tests: each case a broken answer and the
//! problem it must be reported with (key path, line, part of the message and of the hint).

use azl_installer::answer::{Issue, load_str};

pub struct Case {
    pub name: &'static str,
    /// The answer after the table's prefix.
    pub text: &'static str,
    pub path: &'static str,
    pub line: usize,
    pub says: &'static str,
    /// A part of the hint, when the case has one.
    pub hint: Option<&'static str>,
}

/// What loading `text` reports (nothing when it loads).
pub fn issues(text: &str) -> Vec<Issue> {
    match load_str(text) {
        Ok(_) => Vec::new(),
        Err(issues) => issues,
    }
}

/// Loads `prefix` + each case's text and requires its problem among those reported;
/// `also` sees every case's problems (for checks of the table's own). Every miss is
/// reported at once.
pub fn run(prefix: &str, cases: &[Case], also: impl Fn(&Case, &[Issue])) {
    let mut failures = Vec::new();
    for case in cases {
        let found = issues(&format!("{prefix}{}", case.text));
        let hit = found.iter().any(|i| {
            i.path == case.path
                && i.line == Some(case.line)
                && i.message.contains(case.says)
                && case
                    .hint
                    .is_none_or(|h| i.hint.as_deref().is_some_and(|x| x.contains(h)))
        });
        if !hit {
            let got: Vec<String> = found.iter().map(|i| i.render("t.toml")).collect();
            failures.push(format!(
                "{}: wanted {} on line {} saying {:?} (hint {:?}), got:\n{}",
                case.name,
                case.path,
                case.line,
                case.says,
                case.hint,
                got.join("\n")
            ));
        }
        also(case, &found);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

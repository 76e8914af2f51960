//! Loading an answer file: TOML syntax, then the structural pass against the schema, then
//! serde, then the semantic checks; every problem found in one run, each with a position.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use toml::de::DeTable;

use super::tree::{Lines, locate};
use super::{Answer, Issue, Report, schema_value, shape, validate};

/// The largest answer file read (1 MiB): ample for any real answer, and a file or URL that
/// never ends (a device, an endless response) is refused instead of filling memory.
pub const MAX_BYTES: u64 = 1 << 20;

/// Why an answer file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: larger than 1 MiB, the most an answer file may be; not read further", path.display())]
    TooLarge { path: PathBuf },
    #[error("{}: not UTF-8 text", path.display())]
    NotText { path: PathBuf },
    /// The file was read but has problems; the report prints one per line.
    #[error("{report}")]
    Invalid { report: Report },
}

impl LoadError {
    /// The problems found in the file (none for read errors).
    pub fn issues(&self) -> &[Issue] {
        match self {
            LoadError::Read { .. } | LoadError::TooLarge { .. } | LoadError::NotText { .. } => &[],
            LoadError::Invalid { report } => &report.issues,
        }
    }
}

/// Reads and loads the answer file at `path`; issues are reported with its name.
pub fn load_file(path: &Path) -> Result<Answer, LoadError> {
    let text = read_text(path)?;
    load_str(&text).map_err(|issues| LoadError::Invalid {
        report: Report {
            file: path.display().to_string(),
            issues,
        },
    })
}

/// The text of the answer file at `path`: at most 1 MiB of UTF-8 (a device or an endless
/// file is refused, not read to its end).
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let read = |source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(read)?
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    String::from_utf8(bytes).map_err(|_| LoadError::NotText {
        path: path.to_path_buf(),
    })
}

/// Parses and checks an answer file's text. On failure returns every issue found, in file
/// order, each with line and column.
pub fn load_str(text: &str) -> Result<Answer, Vec<Issue>> {
    let lines = Lines::new(text);
    let mut doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let (line, column) = lines.position(e.span().map_or(0, |s| s.start));
            return Err(vec![Issue {
                path: String::new(),
                line: Some(line),
                column: Some(column),
                message: format!("invalid TOML: {}", e.message().trim_end()),
                hint: None,
            }]);
        }
    };

    // Generated once: the schema is the same for every file.
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    let shape = shape::check(SCHEMA.get_or_init(schema_value), &mut doc, &lines);
    let mut issues = shape.issues;
    // The structural pass removed unknown keys and wrong values, so serde sees only known,
    // well-typed ones and the semantic checks still run when those were optional.
    match Answer::deserialize(toml::de::Deserializer::from(doc.clone())) {
        Ok(answer) => {
            let semantic = validate(&answer);
            if issues.is_empty() && semantic.is_empty() {
                return Ok(answer);
            }
            // What is said about a removed value (now its default) or what holds it
            // would be about the default, not the file.
            let related = |p: &str| shape.removed.iter().any(|r| within(p, r) || within(r, p));
            issues.extend(
                semantic
                    .into_iter()
                    .filter(|i| !related(&i.path))
                    .map(|mut issue| {
                        let (line, column) = lines.position(locate(&doc, &issue.path).start);
                        issue.line = Some(line);
                        issue.column = Some(column);
                        issue
                    }),
            );
        }
        // A required key was wrong (already reported), or the structural pass missed
        // something the types refuse.
        Err(_) if shape.severe => {}
        Err(e) => {
            let (line, column) = lines.position(e.span().map_or(0, |s| s.start));
            issues.push(Issue {
                path: String::new(),
                line: Some(line),
                column: Some(column),
                message: e.message().trim_end().to_string(),
                hint: None,
            });
        }
    }
    // Stable: issues at the same place keep the order the passes found them in.
    issues.sort_by_key(|i| (i.line, i.column));
    Err(issues)
}

/// True when key path `p` is `outer` or below it.
fn within(p: &str, outer: &str) -> bool {
    p.strip_prefix(outer)
        .is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('['))
}

/// The answer as TOML; loading the result gives back an equal [`Answer`].
pub fn to_toml(answer: &Answer) -> String {
    // Every field of Answer is a string, number, bool, table or array of those: toml's
    // serializer only fails on maps with non-string keys or bare values at the top level.
    toml::to_string_pretty(answer).expect("an Answer always serialises to TOML")
}

//! One answer from several files, and per machine: `include = ["base.toml", "https://…"]`
//! merges other answer files under this one (tables deep-merged, arrays and values
//! replaced: the including file wins, later includes over earlier ones), and `[[machine]]`
//! sections, each with a `match` on the machine's facts (glob patterns: `serial =
//! "CZ12*"`), override the merged answer for the machines they match: the first that
//! matches, else the one without `match` (the default). The merged text is then loaded as
//! any answer, and each problem is reported at the file and line the value came from.
//!
//! An answer without `include` or `[[machine]]` never comes here: it loads as before.

mod merge;
mod select;

use std::collections::BTreeMap;

use toml::Table;
use toml::de::DeTable;

use super::tree::{Lines, locate};
use super::{Answer, Issue, load_str};

pub use select::MachineFacts;

/// How deep includes may nest (a loop is found before; this bounds a long chain).
const MAX_DEPTH: usize = 8;

/// Reads the text of an answer file by its location (a path or URL, as given or resolved
/// against the including file's). Supplied by the caller: this module does no I/O.
pub type Reader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// A problem of the composition itself (a missing include, a loop), or one of the merged
/// answer, at the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub issue: Issue,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.issue.render(&self.file))
    }
}

/// One file read and parsed.
struct Source {
    location: String,
    text: String,
}

/// The merged answer as TOML, and where each of its values came from.
pub struct Composed {
    files: Vec<Source>,
    pub table: Table,
    /// Key path -> (file index, the path's prefix in that file: "" or "machine[N]").
    owners: BTreeMap<String, (usize, String)>,
    /// Which `[[machine]]` section applied, when one did: "FILE: machine[N]".
    pub machine: Option<String>,
    /// Every `[[machine]]` section of every file, in include order: (file index, its index
    /// in that file, the section).
    sections: Vec<(usize, usize, Table)>,
}

/// Whether an answer's text asks for composition (has `include` or `[[machine]]`).
pub fn is_composed(text: &str) -> bool {
    text.parse::<Table>()
        .is_ok_and(|t| t.contains_key("include") || t.contains_key("machine"))
}

/// Merges `root` and its includes, then the `[[machine]]` section `facts` select (none
/// when `facts` is `None`: the answer as every machine starts from it).
pub fn compose(
    root: &str,
    read: Reader<'_>,
    facts: Option<&MachineFacts>,
) -> Result<Composed, Vec<Located>> {
    let mut c = Composed {
        files: Vec::new(),
        table: Table::new(),
        owners: BTreeMap::new(),
        machine: None,
        sections: Vec::new(),
    };
    merge::file(&mut c, root, None, read, &mut Vec::new())?;
    if let Some(facts) = facts {
        select::apply(&mut c, facts)?;
    }
    Ok(c)
}

/// Every branch of a composed answer: the answer alone when it has no `[[machine]]`, else
/// each section merged over it (what `validate` checks). Each with its name.
pub fn branches(root: &str, read: Reader<'_>) -> Result<Vec<(String, Composed)>, Vec<Located>> {
    let base = compose(root, read, None)?;
    let count = base.sections.len();
    if count == 0 {
        return Ok(vec![(String::new(), base)]);
    }
    (0..count)
        .map(|i| {
            let mut c = compose(root, read, None)?;
            let name = select::force(&mut c, i)?;
            Ok((name, c))
        })
        .collect()
}

impl Composed {
    /// Loads the merged answer; each problem at the file and line its value came from.
    pub fn load(&self) -> Result<Answer, Vec<Located>> {
        let text = toml::to_string(&self.table)
            .map_err(|e| vec![self.at("", format!("the merged answer is not TOML: {e}"))])?;
        load_str(&text).map_err(|issues| {
            issues
                .into_iter()
                .map(|mut issue| {
                    let (file, line, column) = self.position(&issue.path);
                    issue.line = line;
                    issue.column = column;
                    Located { file, issue }
                })
                .collect()
        })
    }

    /// The merged answer, one value per line with the file and line it came from.
    pub fn show(&self) -> String {
        let mut out = String::new();
        if let Some(m) = &self.machine {
            out.push_str(&format!("# for this machine: {m}\n"));
        }
        self.show_table(&self.table, "", &mut out);
        out
    }

    fn show_table(&self, t: &Table, prefix: &str, out: &mut String) {
        for (k, v) in t {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(inner) => self.show_table(inner, &path, out),
                _ => {
                    let (file, line, _) = self.position(&path);
                    let at = line.map_or(file.clone(), |l| format!("{file}:{l}"));
                    out.push_str(&format!("{path} = {v}  # {at}\n"));
                }
            }
        }
    }

    /// File, line and column of key path `path`: the closest owned ancestor's file, and the
    /// closest node there.
    fn position(&self, path: &str) -> (String, Option<usize>, Option<usize>) {
        let owner = self
            .owners
            .iter()
            .filter(|(p, _)| within(path, p))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, o)| o.clone());
        let (index, prefix) = owner.unwrap_or((0, String::new()));
        let full = match (prefix.is_empty(), path.is_empty()) {
            (true, _) => path.to_string(),
            (false, true) => prefix,
            (false, false) => format!("{prefix}.{path}"),
        };
        self.file_position(index, &full)
    }

    /// File, line and column of key path `path` in file `index` (its closest node).
    fn file_position(&self, index: usize, path: &str) -> (String, Option<usize>, Option<usize>) {
        let Some(src) = self.files.get(index) else {
            return (String::new(), None, None);
        };
        match DeTable::parse(&src.text) {
            Ok(doc) => {
                let (line, column) = Lines::new(&src.text).position(locate(&doc, path).start);
                (src.location.clone(), Some(line), Some(column))
            }
            Err(_) => (src.location.clone(), None, None),
        }
    }

    /// A problem at key path `path` of file `index` (a `[[machine]]` section's match).
    fn at_file(&self, index: usize, path: &str, message: String) -> Located {
        let (file, line, column) = self.file_position(index, path);
        located(file, line, column, path, message)
    }

    fn at(&self, path: &str, message: String) -> Located {
        let (file, line, column) = self.position(path);
        located(file, line, column, path, message)
    }
}

fn located(
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    path: &str,
    message: String,
) -> Located {
    Located {
        file,
        issue: Issue {
            path: path.to_string(),
            line,
            column,
            message,
            hint: None,
        },
    }
}

/// True when key path `p` is `outer` or below it ("" is above everything).
fn within(p: &str, outer: &str) -> bool {
    outer.is_empty()
        || p.strip_prefix(outer)
            .is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('['))
}

#[cfg(test)]
mod tests;

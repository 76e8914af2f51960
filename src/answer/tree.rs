//! Positions in the parsed (spanned) TOML tree: byte offset -> line:column, and key path ->
//! the closest node that exists, so that every issue can point at a line.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Maps byte offsets of one text to 1-based line and column (column counted in characters).
pub(crate) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// Line and column of a byte offset (clamped to the text).
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// One step of a key path: a table key or an array index.
#[derive(Debug, PartialEq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// Splits `storage.partitions[2].size` into steps. Answer keys never contain `.` or `[`.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            if let Ok(i) = inner[..end].parse() {
                out.push(Step::Index(i));
            }
            rest = &inner[end + 1..];
        }
    }
    out
}

/// The span of the node at `path`, or of its closest existing ancestor (the whole document
/// when nothing matches; its span is empty at offset 0).
pub(crate) fn locate(doc: &Spanned<DeTable<'_>>, path: &str) -> Range<usize> {
    let mut span = doc.span();
    let mut table = Some(doc.get_ref());
    let mut array = None;
    for step in steps(path) {
        let next: Option<&Spanned<DeValue<'_>>> = match step {
            Step::Key(k) => table.and_then(|t| t.get(k)),
            Step::Index(i) => array.and_then(|a: &[Spanned<DeValue<'_>>]| a.get(i)),
        };
        let Some(next) = next else { break };
        span = next.span();
        table = next.get_ref().as_table();
        array = next.get_ref().as_array().map(|a| &a[..]);
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let lines = Lines::new("a = 1\nbé = 2\n");
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(6), (2, 1));
        // Columns count characters, not bytes: "bé" is 3 bytes.
        assert_eq!(lines.position(9), (2, 3));
        assert_eq!(lines.position(999), (3, 1));
    }

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            steps("storage.partitions[2].size"),
            vec![
                Step::Key("storage"),
                Step::Key("partitions"),
                Step::Index(2),
                Step::Key("size")
            ]
        );
    }

    #[test]
    fn locate_falls_back_to_the_closest_ancestor() {
        let text = "version = 1\n[target]\npath = \"x\"\n[[storage.partitions]]\nmount = \"/\"\n";
        let doc = DeTable::parse(text).expect("valid TOML");
        let lines = Lines::new(text);
        let line = |p: &str| lines.position(locate(&doc, p).start).0;
        assert_eq!(line("target.path"), 3);
        assert_eq!(line("target.match"), 2);
        assert_eq!(line("storage.partitions[0].mount"), 5);
        assert_eq!(line("storage.partitions[0].size"), 4);
        assert_eq!(line("storage.partitions[7].size"), 4);
        assert_eq!(line("users[0].name"), 1);
    }
}

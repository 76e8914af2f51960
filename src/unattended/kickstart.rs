//! `import-kickstart`: a kickstart file converted into an answer file, with what could not
//! be converted on stderr; the result is checked as `validate` checks an answer.

use std::path::Path;

use anyhow::anyhow;

use crate::session::{Failure, kickstart, parse_source, print_out};

/// Converts the kickstart at `ks` (a path or http(s):// URL) and writes the answer to
/// `out`, or stdout. Exit 0 when the answer validates, warnings or not (they say what to
/// review); 2 when it does not (it is still written, to be fixed by hand).
pub fn import_kickstart(ks: &str, out: Option<&Path>) -> Result<(), Failure> {
    let source = parse_source(ks).map_err(|e| Failure::BadInput(e.into()))?;
    let (shown, c) = kickstart::convert(&source)?;
    for line in kickstart::warning_lines(&shown, &c) {
        eprintln!("{line}");
    }
    let text = kickstart::answer_text(&shown, &c);
    match out {
        // The answer may hold passwords and a disk passphrase: its owner's only.
        Some(path) => crate::engine::save_logs::write_private(path, text.as_bytes())
            .map_err(|e| Failure::BadInput(anyhow!("writing {}: {e}", path.display())))?,
        None => print_out(&text),
    }
    kickstart::check(&shown, &text).map(|_| ())
}

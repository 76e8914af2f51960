//! A kickstart file as the answer's source (`inst.ks=` on the kernel command line, and
//! `import-kickstart`): read as an answer is, converted, and its warnings shown.

use anyhow::anyhow;

use super::{Failure, Source, compose::read_text};
use crate::answer::{self, Answer, kickstart::Conversion};

/// The kickstart at `source` (a path or URL), converted; `shown` names it in messages.
pub fn convert(source: &Source) -> Result<(String, Conversion), Failure> {
    let (location, headers) = match source {
        Source::Path(p) => (p.display().to_string(), Vec::new()),
        Source::Url(u, h) => (u.clone(), h.clone()),
        Source::Kickstart(inner) => return convert(inner),
    };
    let shown = answer::redact_url(&location).into_owned();
    let text = read_text(&location, &headers)
        .map_err(|e| Failure::BadInput(anyhow!("reading the kickstart {shown}: {e}")))?;
    Ok((shown, answer::kickstart::convert(&text)))
}

/// Each warning as `KS:LINE: command: why` (no line for those about the whole file).
pub fn warning_lines(shown: &str, c: &Conversion) -> Vec<String> {
    c.warnings
        .iter()
        .map(|w| match w.line {
            0 => format!("{shown}: {}: {}", w.command, w.why),
            _ => format!("{shown}:{w}"),
        })
        .collect()
}

/// The converted answer as TOML, with a note of where it came from.
pub fn answer_text(shown: &str, c: &Conversion) -> String {
    format!(
        "# Converted from the kickstart {shown} by azl-installer import-kickstart.\n\
         # {} warning(s): what the kickstart said that this answer does not.\n\n{}",
        c.warnings.len(),
        answer::to_toml(&c.answer)
    )
}

/// The problems of the converted answer, as `validate` reports them.
pub fn check(shown: &str, text: &str) -> Result<Answer, Failure> {
    answer::load_str(text).map_err(|issues| {
        let report = answer::Report {
            file: format!("{shown} (converted)"),
            issues,
        };
        Failure::BadInput(answer::LoadError::Invalid { report }.into())
    })
}

/// `inst.ks=`: the kickstart converted, its warnings on the console, the answer checked.
pub fn load(source: &Source) -> Result<Answer, Failure> {
    let (shown, c) = convert(source)?;
    for line in warning_lines(&shown, &c) {
        eprintln!("kickstart: {line}");
        tracing::warn!("kickstart: {line}");
    }
    check(&shown, &answer_text(&shown, &c))
}

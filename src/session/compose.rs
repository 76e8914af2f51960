//! Answers made of several files and per-machine sections (`answer::compose`): each piece
//! read as the answer itself is (a path, or a URL with the identifying headers), and this
//! machine's facts for the `[[machine]]` sections.

use anyhow::anyhow;

use super::{Failure, Source};
use crate::answer::{self, Composed, MachineFacts};
use crate::probe::{self, Roots};

/// The text at `location` (a path or an http(s) URL, fetched with `headers`), read as an
/// answer file is: at most 1 MiB of UTF-8.
pub(super) fn read_text(location: &str, headers: &[(String, String)]) -> Result<String, String> {
    if !answer::is_remote(location) {
        let path = location.strip_prefix("file://").unwrap_or(location);
        return answer::read_text(std::path::Path::new(path)).map_err(|e| e.to_string());
    }
    let bytes = crate::repo::Fetcher::new(crate::repo::FetchPolicy::answer())
        .with_headers(headers.to_vec())
        .get(location)
        .map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map_err(|_| format!("{} is not UTF-8 text", answer::redact_url(location)))
}

/// This machine as the final report names it: the boot NIC's MAC first (the one
/// `bootif`, the kernel command line's BOOTIF= of a PXE boot, names, as {mac} takes it).
pub fn machine_id(bootif: Option<&str>) -> crate::events::MachineId {
    let id = probe::identity(&Roots::host(), bootif);
    let mut macs: Vec<String> = id.boot_mac.iter().cloned().collect();
    macs.extend(
        id.nics
            .into_iter()
            .map(|(_, m)| m)
            .filter(|m| Some(m) != id.boot_mac.as_ref()),
    );
    crate::events::MachineId {
        macs,
        serial: id.serial,
        uuid: id.uuid,
    }
}

/// This machine as a `[[machine]]` match sees it.
pub fn machine_facts() -> MachineFacts {
    let id = probe::identity(&Roots::host(), None);
    MachineFacts {
        macs: id.nics.into_iter().map(|(_, mac)| mac).collect(),
        serial: id.serial,
        uuid: id.uuid,
        vendor: id.vendor,
        product: id.product,
        hostname: id.hostname,
    }
}

/// Where a source is, as includes are resolved against it, and its request headers.
fn location(source: &Source) -> (String, Vec<(String, String)>) {
    match source {
        Source::Path(p) => (p.display().to_string(), Vec::new()),
        Source::Url(u, h) => (u.clone(), h.clone()),
        Source::Kickstart(inner) => location(inner),
    }
}

/// The answer at `source` with its includes, for this machine (`facts`) or for none.
/// `root` is its text when it was read already.
pub fn composed(
    source: &Source,
    root: Option<&str>,
    facts: Option<&MachineFacts>,
) -> Result<Composed, Failure> {
    let (at, headers) = location(source);
    let read = |loc: &str| match root {
        Some(text) if loc == at => Ok(text.to_string()),
        _ => read_text(loc, &headers),
    };
    answer::compose(&at, &read, facts).map_err(bad)
}

/// Every problem, one per line with its file and line.
pub fn bad(problems: Vec<answer::Located>) -> Failure {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Failure::BadInput(anyhow!("{}", lines.join("\n")))
}

/// For `validate`: when the answer at `source` composes, each branch (the answer alone,
/// or each `[[machine]]` section over it) with its problems, one per line; else `None`.
#[allow(clippy::type_complexity)]
pub fn branch_problems(source: &Source) -> Result<Option<Vec<(String, Vec<String>)>>, Failure> {
    let (at, headers) = location(source);
    let root = read_text(&at, &headers)
        .map_err(|e| Failure::BadInput(anyhow!("reading {}: {e}", answer::redact_url(&at))))?;
    if !answer::is_composed(&root) {
        return Ok(None);
    }
    let read = |loc: &str| {
        if loc == at {
            Ok(root.clone())
        } else {
            read_text(loc, &headers)
        }
    };
    let branches = answer::branches(&at, &read).map_err(bad)?;
    Ok(Some(
        branches
            .into_iter()
            .map(|(name, c)| {
                let problems = match c.load() {
                    Ok(_) => Vec::new(),
                    Err(p) => p.iter().map(ToString::to_string).collect(),
                };
                (name, problems)
            })
            .collect(),
    ))
}

/// The root text of `source` when it composes (has `include` or `[[machine]]`).
pub fn composes(source: &Source) -> Option<String> {
    let (at, headers) = location(source);
    let text = match source {
        // A file is read again by the plain loader when it does not compose.
        Source::Path(_) => read_text(&at, &headers).ok()?,
        // A URL is fetched once, by the loader, which composes what it got when it must.
        Source::Url(..) => return None,
        // A kickstart is converted, never composed.
        Source::Kickstart(_) => return None,
    };
    answer::is_composed(&text).then_some(text)
}

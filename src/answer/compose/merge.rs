//! Reading one file of a composed answer and merging it in: its includes first (each
//! resolved against this file's location), then the file itself over them.

use toml::de::DeTable;
use toml::{Table, Value};

use super::super::tree::{Lines, locate};
use super::{Composed, Issue, Located, MAX_DEPTH, Reader, Source, within};

/// Reads `location`, merges its includes and then itself into `c`; `from` is the including
/// file and the line of its `include` (for problems with this file).
pub(super) fn file(
    c: &mut Composed,
    location: &str,
    from: Option<(&str, usize)>,
    read: Reader<'_>,
    stack: &mut Vec<String>,
) -> Result<(), Vec<Located>> {
    let at_includer = |message: String| {
        let (file, line) = from.map_or((location.to_string(), None), |(f, l)| {
            (f.to_string(), Some(l))
        });
        vec![Located {
            file,
            issue: Issue {
                path: "include".into(),
                line,
                column: None,
                message,
                hint: None,
            },
        }]
    };
    if stack.iter().any(|s| s == location) {
        let chain: Vec<&str> = stack
            .iter()
            .skip_while(|s| *s != location)
            .map(String::as_str)
            .chain([location])
            .collect();
        return Err(at_includer(format!(
            "an include loop: {}",
            chain.join(" includes ")
        )));
    }
    if stack.len() >= MAX_DEPTH {
        return Err(at_includer(format!(
            "includes nest deeper than {MAX_DEPTH} files at {location}"
        )));
    }
    let text = read(location).map_err(|e| at_includer(format!("including {location}: {e}")))?;
    let lines = Lines::new(&text);
    let doc = DeTable::parse(&text).map_err(|e| {
        let (line, column) = lines.position(e.span().map_or(0, |s| s.start));
        vec![Located {
            file: location.to_string(),
            issue: Issue {
                path: String::new(),
                line: Some(line),
                column: Some(column),
                message: format!("invalid TOML: {}", e.message().trim_end()),
                hint: None,
            },
        }]
    })?;
    let line_of = |path: &str| lines.position(locate(&doc, path).start).0;
    let mut table: Table = text.parse().map_err(|e: toml::de::Error| {
        at_includer(format!("{location}: invalid TOML: {}", e.message()))
    })?;
    let index = c.files.len();
    let problem = |path: &str, message: String| Located {
        file: location.to_string(),
        issue: Issue {
            path: path.to_string(),
            line: Some(line_of(path)),
            column: None,
            message,
            hint: None,
        },
    };
    let includes = match table.remove("include") {
        None => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_str) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            return Err(vec![problem(
                "include",
                "expected a list of answer files (paths or URLs): include = [\"base.toml\"]".into(),
            )]);
        }
    };
    let sections = match table.remove("machine") {
        None => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_table) => a,
        Some(_) => {
            return Err(vec![problem(
                "machine",
                "expected [[machine]] sections (tables with a match and what they set)".into(),
            )]);
        }
    };
    c.files.push(Source {
        location: location.to_string(),
        text: text.clone(),
    });
    stack.push(location.to_string());
    for (i, inc) in includes.iter().enumerate() {
        let line = line_of(&format!("include[{i}]"));
        file(
            c,
            &resolve(location, inc),
            Some((location, line)),
            read,
            stack,
        )?;
    }
    stack.pop();
    for (j, s) in sections.into_iter().enumerate() {
        if let Value::Table(t) = s {
            c.sections.push((index, j, t));
        }
    }
    merge_into(
        &mut c.table,
        table,
        "",
        &(index, String::new()),
        &mut c.owners,
    );
    Ok(())
}

/// Merges `src` over `dst`: tables key by key, anything else replaced (arrays whole); the
/// keys `src` sets are owned by `owner` from then on.
pub(super) fn merge_into(
    dst: &mut Table,
    src: Table,
    prefix: &str,
    owner: &(usize, String),
    owners: &mut std::collections::BTreeMap<String, (usize, String)>,
) {
    for (k, v) in src {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (dst.get_mut(&k), v) {
            (Some(Value::Table(d)), Value::Table(s)) => merge_into(d, s, &path, owner, owners),
            (_, v) => {
                owners.retain(|p, _| !within(p, &path));
                owners.insert(path, owner.clone());
                dst.insert(k, v);
            }
        }
    }
}

/// An include's location: as given when absolute (a path from "/" or a URL), else beside
/// the including file.
fn resolve(base: &str, include: &str) -> String {
    let is_url = |s: &str| s.contains("://");
    if include.starts_with('/') || is_url(include) {
        return include.to_string();
    }
    match base.rfind('/') {
        Some(i) if !is_url(base) || i > base.find("://").map_or(0, |s| s + 2) => {
            format!("{}/{include}", &base[..i])
        }
        _ if is_url(base) => format!("{base}/{include}"),
        _ => include.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn includes_resolve_beside_the_including_file() {
        assert_eq!(resolve("/srv/a/web.toml", "base.toml"), "/srv/a/base.toml");
        assert_eq!(resolve("/srv/a/web.toml", "/etc/b.toml"), "/etc/b.toml");
        assert_eq!(resolve("web.toml", "base.toml"), "base.toml");
        assert_eq!(
            resolve("http://p.example/answers/web.toml", "common/base.toml"),
            "http://p.example/answers/common/base.toml"
        );
        assert_eq!(
            resolve("http://p.example/web.toml", "https://q.example/x.toml"),
            "https://q.example/x.toml"
        );
    }
}

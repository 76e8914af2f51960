//! `[[machine]]` sections: which one applies to this machine. A section's `match` names
//! facts (`mac`, `serial`, `uuid`, `vendor`, `product`, `hostname`) with glob patterns
//! (`*`, `?`; case does not matter); a section applies when every fact it names matches
//! (`mac`: any of the machine's NICs). The first section that applies wins; a section
//! without `match` is the default, for a machine no other one matches.

use toml::Value;

use super::merge::merge_into;
use super::{Composed, Located};

/// What a `match` may name: the machine's facts as the probe found them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineFacts {
    /// Every NIC's MAC, lower case.
    pub macs: Vec<String>,
    pub serial: Option<String>,
    pub uuid: Option<String>,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub hostname: Option<String>,
}

impl MachineFacts {
    /// As a problem names the machine: "serial CZ123, MACs 52:54:00:12:34:56".
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("serial", &self.serial),
            ("uuid", &self.uuid),
            ("vendor", &self.vendor),
            ("product", &self.product),
            ("hostname", &self.hostname),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k} {v:?}"));
            }
        }
        if !self.macs.is_empty() {
            parts.push(format!("MACs {}", self.macs.join(" ")));
        }
        parts.join(", ")
    }

    fn has(&self, key: &str, pattern: &str) -> bool {
        let one = |v: &Option<String>| v.as_deref().is_some_and(|v| glob(pattern, v));
        match key {
            "mac" => self.macs.iter().any(|m| glob(pattern, m)),
            "serial" => one(&self.serial),
            "uuid" => one(&self.uuid),
            "vendor" => one(&self.vendor),
            "product" => one(&self.product),
            "hostname" => one(&self.hostname),
            _ => false,
        }
    }
}

const KEYS: [&str; 6] = ["mac", "serial", "uuid", "vendor", "product", "hostname"];

/// Problems of the sections' `match` tables (unknown facts, values that are no pattern).
pub(super) fn check(c: &Composed) -> Vec<Located> {
    let mut out = Vec::new();
    for (file, j, t) in &c.sections {
        let path = format!("machine[{j}].match");
        match t.get("match") {
            None => {}
            Some(Value::Table(m)) => {
                for (k, v) in m {
                    if !KEYS.contains(&k.as_str()) {
                        out.push(c.at_file(
                            *file,
                            &format!("{path}.{k}"),
                            format!("a machine is not matched by {k:?}: by {}", KEYS.join(", ")),
                        ));
                    } else if !v.is_str() {
                        out.push(c.at_file(
                            *file,
                            &format!("{path}.{k}"),
                            "expected a pattern in quotes (\"CZ12*\")".into(),
                        ));
                    }
                }
            }
            Some(_) => out.push(c.at_file(
                *file,
                &path,
                "expected a table: match = { serial = \"CZ12*\" }".into(),
            )),
        }
    }
    out
}

/// Merges the section that applies to `facts` over the answer.
pub(super) fn apply(c: &mut Composed, facts: &MachineFacts) -> Result<(), Vec<Located>> {
    if c.sections.is_empty() {
        return Ok(());
    }
    let problems = check(c);
    if !problems.is_empty() {
        return Err(problems);
    }
    let matches = |t: &toml::Table| match t.get("match") {
        Some(Value::Table(m)) => m
            .iter()
            .all(|(k, v)| v.as_str().is_some_and(|p| facts.has(k, p))),
        _ => false,
    };
    let chosen = c
        .sections
        .iter()
        .position(|(_, _, t)| matches(t))
        .or_else(|| {
            c.sections
                .iter()
                .position(|(_, _, t)| !t.contains_key("match"))
        });
    let Some(n) = chosen else {
        let (file, j, _) = &c.sections[0];
        return Err(vec![c.at_file(
            *file,
            &format!("machine[{j}]"),
            format!(
                "no [[machine]] section matches this machine ({}), and none is the default \
                 (a section without match)",
                facts.describe()
            ),
        )]);
    };
    force(c, n)?;
    Ok(())
}

/// Merges section `n` over the answer; its name ("FILE: machine[J] (match …)").
pub(super) fn force(c: &mut Composed, n: usize) -> Result<String, Vec<Located>> {
    let problems = check(c);
    if !problems.is_empty() {
        return Err(problems);
    }
    let Some((file, j, mut t)) = c.sections.get(n).cloned() else {
        return Ok(String::new());
    };
    let described = match t.remove("match") {
        Some(m) => format!(" (match {m})"),
        None => " (the default)".into(),
    };
    merge_into(
        &mut c.table,
        t,
        "",
        &(file, format!("machine[{j}]")),
        &mut c.owners,
    );
    let name = format!("{}: machine[{j}]{described}", c.files[file].location);
    c.machine = Some(name.clone());
    Ok(name)
}

/// `*` any run of characters, `?` one; case does not matter.
fn glob(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let v: Vec<char> = value.to_lowercase().chars().collect();
    // Iterative matching with one backtrack point for the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < v.len() {
        if i < p.len() && (p[i] == '?' || p[i] == v[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("CZ12*", "cz1234"));
        assert!(glob("*", ""));
        assert!(glob("52:54:00:*:56", "52:54:00:12:34:56"));
        assert!(glob("web0?", "WEB07"));
        assert!(!glob("web0?", "web10"));
        assert!(!glob("CZ12*", "XCZ12"));
        assert!(glob("*a*b", "xxaxxb"));
        assert!(!glob("*a*b", "xxaxxbc"));
    }
}

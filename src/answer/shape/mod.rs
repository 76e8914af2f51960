//! The structural pass: walks the spanned TOML tree against the JSON Schema generated from
//! [`Answer`](super::Answer), so the expected shape is written only once (in the types).
//! Reports every unknown key, wrong type, bad enum value, bad size or duration and missing
//! key, each with its position. Unknown keys are removed from the tree afterwards so that the
//! remaining problems can still be found by the semantic checks.

use serde_json::{Map, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

mod words;

use super::issue::{did_you_mean, shown};
use super::tree::Lines;
use super::{Duration, Issue, Size, Swap};
use words::{enum_values, found, int_enum, quoted_list, type_matches, type_name, types};

/// What the structural pass found.
pub(crate) struct Outcome {
    pub issues: Vec<Issue>,
    /// True when an issue other than an unknown key was found.
    pub severe: bool,
    /// Keys whose values were wrong and were removed from the tree (with the unknown
    /// keys), so that serde can still read the rest when they are optional and the
    /// semantic checks report their problems in the same run.
    pub removed: Vec<String>,
}

/// Checks `doc` against `schema` (a schemars root schema with `$defs`).
pub(crate) fn check(schema: &Value, doc: &mut Spanned<DeTable<'_>>, lines: &Lines<'_>) -> Outcome {
    let empty = Map::new();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut walker = Walker {
        defs,
        lines,
        issues: Vec::new(),
        severe: false,
        bad: Vec::new(),
        removed: Vec::new(),
    };
    let span = doc.span();
    walker.table(schema, doc.get_mut(), span, "");
    Outcome {
        issues: walker.issues,
        severe: walker.severe,
        removed: walker.removed,
    }
}

/// Strings whose syntax the schema only states as a pattern: their own parser gives the
/// message users see.
type ScalarParser = fn(&str) -> Result<(), String>;

fn scalar_parser(def: &str) -> Option<ScalarParser> {
    fn parse<T: std::str::FromStr<Err: ToString>>(s: &str) -> Result<(), String> {
        s.parse::<T>().map(drop).map_err(|e| e.to_string())
    }
    match def {
        "Size" => Some(parse::<Size>),
        "Duration" => Some(parse::<Duration>),
        "Swap" => Some(parse::<Swap>),
        _ => None,
    }
}

struct Walker<'s, 'l> {
    defs: &'s Map<String, Value>,
    lines: &'l Lines<'l>,
    issues: Vec<Issue>,
    severe: bool,
    /// Paths of the severe issues found.
    bad: Vec<String>,
    removed: Vec<String>,
}

/// Keys whose values are never repeated in a message.
fn secret(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(last, "password" | "plain" | "hash")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'s> Walker<'s, '_> {
    fn report(&mut self, path: &str, offset: usize, message: String, hint: Option<String>) {
        let (line, col) = self.lines.position(offset);
        self.issues.push(Issue {
            path: path.to_string(),
            line: Some(line),
            column: Some(col),
            message,
            hint,
        });
    }

    fn severe(&mut self, path: &str, offset: usize, message: String, hint: Option<String>) {
        self.severe = true;
        self.bad.push(path.to_string());
        self.report(path, offset, message, hint);
    }

    /// Follows `$ref`s; returns the target schema and the name of the last definition.
    fn resolve(&self, mut schema: &'s Value) -> (&'s Value, Option<&'s str>) {
        let mut name = None;
        // Bounded: schemars never emits reference cycles without an object in between.
        for _ in 0..16 {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(def) = r.strip_prefix("#/$defs/") else {
                break;
            };
            match self.defs.get(def) {
                Some(target) => {
                    name = Some(def);
                    schema = target;
                }
                None => break,
            }
        }
        (schema, name)
    }

    /// One-line description of what a schema accepts, for "expected ..." messages.
    fn describe(&self, schema: &'s Value) -> String {
        let (schema, _) = self.resolve(schema);
        if let Some(values) = enum_values(schema) {
            return quoted_list(&values);
        }
        let ts = types(schema);
        if ts == ["object"]
            && let Some(props) = schema.get("properties").and_then(Value::as_object)
        {
            let keys: Vec<String> = props.keys().map(|k| format!("{k} = ...")).collect();
            return format!("{{ {} }}", keys.join(", "));
        }
        let names: Vec<&str> = ts.iter().map(|t| type_name(t)).collect();
        names.join(" or ")
    }

    fn value(&mut self, schema: &'s Value, v: &mut Spanned<DeValue<'_>>, path: &str) {
        let (schema, def) = self.resolve(schema);
        let span = v.span();
        if let Some(parse) = def.and_then(scalar_parser) {
            match v.get_ref().as_str() {
                Some(s) => {
                    if let Err(e) = parse(s) {
                        self.severe(path, span.start, e, None);
                    }
                }
                None => {
                    let msg = format!("expected a string, found {}", found(v.get_ref()));
                    self.severe(path, span.start, msg, None);
                }
            }
            return;
        }
        if let Some(Value::Array(alts)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            self.alternatives(alts, v, path);
            return;
        }
        if let Some(ints) = int_enum(schema) {
            let n = match v.get_ref() {
                DeValue::Integer(n) => {
                    i64::from_str_radix(&n.as_str().replace('_', ""), n.radix()).ok()
                }
                _ => None,
            };
            if !n.is_some_and(|n| ints.contains(&n)) {
                let list: Vec<String> = ints.iter().map(i64::to_string).collect();
                let (last, rest) = list
                    .split_last()
                    .map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
                let what = match v.get_ref() {
                    DeValue::Integer(n) => n.as_str().to_string(),
                    other => found(other).to_string(),
                };
                let msg = format!(
                    "expected one of {} or {last}, found {what}",
                    rest.join(", ")
                );
                self.severe(path, span.start, msg, None);
            }
            return;
        }
        if let Some(values) = enum_values(schema) {
            self.enumeration(&values, v, path);
            return;
        }
        let ts = types(schema);
        if !ts.is_empty() && !ts.iter().any(|t| type_matches(t, v.get_ref())) {
            let want: Vec<&str> = ts.iter().map(|t| type_name(t)).collect();
            let msg = format!(
                "expected {}, found {}",
                want.join(" or "),
                found(v.get_ref())
            );
            self.severe(path, span.start, msg, None);
            return;
        }
        match v.get_mut() {
            DeValue::Table(t) => self.table(schema, t, span, path),
            DeValue::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter_mut().enumerate() {
                        self.value(item_schema, item, &format!("{path}[{i}]"));
                    }
                }
            }
            DeValue::Integer(n) => {
                let digits = n.as_str().replace('_', "");
                let parsed = i128::from_str_radix(&digits, n.radix()).ok();
                let max = match schema.get("format").and_then(Value::as_str) {
                    Some("uint32") => Some(i128::from(u32::MAX)),
                    _ => schema
                        .get("maximum")
                        .and_then(Value::as_i64)
                        .map(i128::from),
                };
                let min = schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .map(i128::from);
                let out_of_range = match parsed {
                    Some(x) => min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m),
                    None => true,
                };
                if out_of_range {
                    let msg = format!("integer {} is out of range", n.as_str());
                    self.severe(path, span.start, msg, None);
                }
            }
            _ => {}
        }
    }

    fn enumeration(&mut self, values: &[&str], v: &Spanned<DeValue<'_>>, path: &str) {
        let start = v.span().start;
        let expected = format!("expected one of {}", quoted_list(values));
        match v.get_ref().as_str() {
            Some(s) if values.contains(&s) => {}
            // A password given as a bare string is most likely the password itself.
            Some(_) if secret(path) => {
                let msg = format!("{expected}, found a string (not shown: it may be a password)");
                let hint = "a plain password is written password = { plain = \"...\" }";
                self.severe(path, start, msg, Some(hint.into()));
            }
            Some(s) => {
                let hint = did_you_mean(s, values.iter().copied());
                self.severe(
                    path,
                    start,
                    format!("{expected}, found {s_shown}", s_shown = shown(s)),
                    hint,
                );
            }
            None => {
                let msg = format!("{expected}, found {}", found(v.get_ref()));
                self.severe(path, start, msg, None);
            }
        }
    }

    /// `anyOf`/`oneOf`: options (`Option<T>` as T-or-null, untagged enums such as Password).
    fn alternatives(&mut self, alts: &'s [Value], v: &mut Spanned<DeValue<'_>>, path: &str) {
        let alts: Vec<&'s Value> = alts
            .iter()
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [only] = alts[..] {
            return self.value(only, v, path);
        }
        let resolved: Vec<&'s Value> = alts.iter().map(|a| self.resolve(a).0).collect();
        if let Some(values) = resolved
            .iter()
            .map(|s| enum_values(s))
            .collect::<Option<Vec<_>>>()
        {
            let all: Vec<&str> = values.concat();
            return self.enumeration(&all, v, path);
        }
        let admits = |s: &&Value| {
            if enum_values(s).is_some() {
                v.get_ref().is_str()
            } else {
                types(s).iter().any(|t| type_matches(t, v.get_ref()))
            }
        };
        let fitting: Vec<usize> = (0..alts.len()).filter(|&i| admits(&resolved[i])).collect();
        let chosen = match fitting[..] {
            [] => {
                let wanted: Vec<String> = alts.iter().map(|a| self.describe(a)).collect();
                let msg = format!(
                    "expected {}, found {}",
                    wanted.join(" or "),
                    found(v.get_ref())
                );
                self.severe(path, v.span().start, msg, None);
                return;
            }
            [i] => i,
            // Several tables fit: take the one sharing the most keys with the value.
            _ => {
                let shared = |i: usize| match (resolved[i].get("properties"), v.get_ref()) {
                    (Some(Value::Object(props)), DeValue::Table(t)) => t
                        .keys()
                        .filter(|k| props.contains_key(k.get_ref().as_ref()))
                        .count(),
                    _ => 0,
                };
                let best = fitting
                    .iter()
                    .copied()
                    .max_by_key(|&i| (shared(i), usize::MAX - i));
                best.unwrap_or(fitting[0])
            }
        };
        self.value(alts[chosen], v, path);
    }

    fn table(
        &mut self,
        schema: &'s Value,
        t: &mut DeTable<'_>,
        span: std::ops::Range<usize>,
        path: &str,
    ) {
        let props = schema.get("properties").and_then(Value::as_object);
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        let mut unknown = Vec::new();
        let mut wrong = Vec::new();
        for (k, v) in t.iter_mut() {
            let key: &str = k.get_ref();
            let key_path = join(path, key);
            match props.and_then(|p| p.get(key)) {
                Some(prop) => {
                    self.value(prop, v, &key_path);
                    if self.bad.contains(&key_path) {
                        wrong.push(key.to_string());
                        self.removed.push(key_path);
                    }
                }
                None if closed => {
                    let keys: Vec<&str> = props
                        .iter()
                        .flat_map(|p| p.keys())
                        .map(String::as_str)
                        .collect();
                    let hint = did_you_mean(key, keys.iter().copied())
                        .or_else(|| Some(format!("allowed keys here: {}", keys.join(", "))));
                    let msg = format!("unknown key {key_shown}", key_shown = shown(key));
                    self.report(&key_path, k.span().start, msg, hint);
                    unknown.push(key.to_string());
                }
                None => {}
            }
        }
        for key in unknown.iter().chain(&wrong) {
            t.remove(key.as_str());
        }
        if let Some(Value::Array(required)) = schema.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                // A wrong value was reported as such, not as missing.
                if t.get(r).is_none() && !wrong.iter().any(|w| w == r) {
                    let where_ = if path.is_empty() { "the file" } else { path };
                    let msg = format!("missing key {r_shown} in {where_}", r_shown = shown(r));
                    self.severe(&join(path, r), span.start, msg, None);
                }
            }
        }
    }
}

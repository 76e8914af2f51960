//! How schema types and TOML values are named in messages, and reading `type`/`enum`
//! from a schema node.

use serde_json::Value;
use toml::de::DeValue;

/// "a string", "an integer", ... as TOML users know them.
pub(super) fn found(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

pub(super) fn type_matches(ty: &str, v: &DeValue<'_>) -> bool {
    matches!(
        (ty, v),
        ("string", DeValue::String(_))
            | ("integer", DeValue::Integer(_))
            | ("number", DeValue::Integer(_) | DeValue::Float(_))
            | ("boolean", DeValue::Boolean(_))
            | ("array", DeValue::Array(_))
            | ("object", DeValue::Table(_))
    )
}

pub(super) fn type_name(ty: &str) -> &str {
    match ty {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "array" => "an array",
        "object" => "a table",
        other => other,
    }
}

/// The schema's `type` as a list, without `null` (TOML has no null; absent keys are None).
pub(super) fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|t| *t != "null")
    .collect()
}

/// The allowed string values of an enum-like schema (`enum`, `const`).
/// The allowed integers of an integer enum (a RAID level).
pub(super) fn int_enum(schema: &Value) -> Option<Vec<i64>> {
    let Some(Value::Array(vs)) = schema.get("enum") else {
        return None;
    };
    let ints: Vec<i64> = vs.iter().filter_map(Value::as_i64).collect();
    (!ints.is_empty() && ints.len() == vs.len()).then_some(ints)
}

pub(super) fn enum_values(schema: &Value) -> Option<Vec<&str>> {
    if let Some(Value::Array(vs)) = schema.get("enum") {
        return Some(vs.iter().filter_map(Value::as_str).collect());
    }
    schema.get("const").and_then(Value::as_str).map(|c| vec![c])
}

pub(super) fn quoted_list(values: &[&str]) -> String {
    let q: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => q.join(""),
    }
}

//! The JSON Schema of the answer file, generated from the [`Answer`] types so that the shape
//! is written once. Editors use it (`azl-installer schema`); the loader's structural pass
//! walks it to report unknown keys and wrong types with positions.

use super::Answer;

/// The JSON Schema of [`Answer`] as a `serde_json::Value`, with title and description.
pub fn schema_value() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Answer);
    schema.insert("title".into(), "azl-installer answer file".into());
    schema.insert(
        "description".into(),
        "Unattended install description for azl-installer (answer file v1). \
         Sizes are strings such as \"600MiB\", \"25%\" or \"rest\"; unknown keys are errors."
            .into(),
    );
    schema.to_value()
}

/// The JSON Schema of the answer file for editors, pretty-printed, ending in a newline:
/// [`schema_value`] and the composition keys (`include`, `[[machine]]`), which are merged
/// away before the loader checks the shape.
pub fn schema_json() -> String {
    let mut schema = schema_value();
    with_composition(&mut schema);
    // Serialising a serde_json::Value to a String cannot fail.
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// Adds `include` (answer files merged under this one) and `machine` (sections of any of
/// the answer's keys, each with a `match` on the machine's facts) to the top level.
fn with_composition(schema: &mut serde_json::Value) {
    use serde_json::json;
    let Some(props) = schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    let mut section = props.clone();
    section.remove("version");
    let glob =
        json!({ "type": "string", "description": "A glob pattern (*, ?); case does not matter." });
    section.insert(
        "match".into(),
        json!({
            "description": "The facts this section applies to (all must match); a section without it is the default.",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "mac": glob, "serial": glob, "uuid": glob,
                "vendor": glob, "product": glob, "hostname": glob
            }
        }),
    );
    props.insert(
        "include".into(),
        json!({
            "description": "Answer files (paths relative to this one, or URLs) merged under this one: tables deep-merged, arrays and values replaced; later includes over earlier ones, this file over all.",
            "type": "array",
            "items": { "type": "string" }
        }),
    );
    props.insert(
        "machine".into(),
        json!({
            "description": "Per-machine sections: the first whose match fits the machine is merged over the answer, else the one without match.",
            "type": "array",
            "items": { "type": "object", "additionalProperties": false, "properties": section }
        }),
    );
}

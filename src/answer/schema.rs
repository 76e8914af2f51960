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

/// The JSON Schema of the answer file, pretty-printed, ending in a newline.
pub fn schema_json() -> String {
    // Serialising a serde_json::Value to a String cannot fail.
    let mut s = serde_json::to_string_pretty(&schema_value()).unwrap_or_default();
    s.push('\n');
    s
}

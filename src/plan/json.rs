//! The plan as JSON (`plan --json`): its schema, generated from the types so that the shape
//! is written once (`schema --plan`, committed as installer-config/plan.schema.json), and
//! reading a plan back.

use super::Plan;

/// The `version` of the plans this installer writes and reads. Fields may be added within
/// a version; a rename or a change of meaning makes a new one.
pub const PLAN_VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum PlanReadError {
    #[error("not a plan: {0}")]
    Syntax(serde_json::Error),
    #[error("plan version {found}; this installer reads version {PLAN_VERSION}")]
    Version { found: u64 },
    #[error("the plan has no disk to install onto")]
    Disks(usize),
}

/// The JSON Schema of `plan --json`, pretty-printed, ending in a newline.
pub fn schema_json() -> String {
    let mut schema = schemars::schema_for!(Plan);
    schema.insert("title".into(), "azl-installer plan".into());
    schema.insert(
        "description".into(),
        "What `azl-installer install` will do on one machine, as `azl-installer plan --json` \
         prints it (plan version 1). Sizes are bytes, partition bounds are logical sectors; \
         repository credentials are masked."
            .into(),
    );
    // Serialising a serde_json::Value to a String cannot fail.
    let mut s = serde_json::to_string_pretty(&schema.to_value()).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads a plan written by `plan --json`, refusing other versions and shapes this
/// installer cannot carry out.
pub fn from_json(text: &str) -> Result<Plan, PlanReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(PlanReadError::Syntax)?;
    let found = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if found != u64::from(PLAN_VERSION) {
        return Err(PlanReadError::Version { found });
    }
    let plan: Plan = serde_json::from_value(value).map_err(PlanReadError::Syntax)?;
    match plan.disks.len() {
        0 => Err(PlanReadError::Disks(0)),
        _ => Ok(plan),
    }
}

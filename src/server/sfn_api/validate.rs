//! `ValidateStateMachineDefinition`: the parser's diagnostics, plus the EXPRESS rules.

use serde_json::{json, Value};

use super::{machine_type, SfnMembers};
use crate::asl;
use crate::engine::{ApiError, Engine, MachineType};
use crate::server::json::Members;

/// `ValidateStateMachineDefinition`.
pub(super) fn validate_state_machine_definition(
    _engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let definition = r.required("definition")?;
    let kind = machine_type(r.string("type")?.as_deref())?;
    let diagnostics = match asl::parse_str(&definition) {
        Ok(def) if kind == MachineType::Express => crate::asl::validate::express_violations(&def),
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics,
    };
    Ok(json!({
        "result": if diagnostics.is_empty() { "OK" } else { "FAIL" },
        "diagnostics": diagnostics,
        "truncated": false,
    }))
}

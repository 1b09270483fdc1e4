//! [`IntoDefinition`]: what `create_state_machine` accepts.

use serde_json::Value;

/// Anything that can be a definition: JSON text (`&str`, `String`, e.g. from `include_str!`) or
/// a JSON value (`serde_json::Value`, `&Value`, e.g. from `json!`).
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let text = r#"{ "StartAt": "Done", "States": { "Done": { "Type": "Succeed" } } }"#;
/// let value = json!({ "StartAt": "Done", "States": { "Done": { "Type": "Succeed" } } });
///
/// h.create_state_machine("from-text", text).await?;
/// h.create_state_machine("from-a-value", &value).await?;
///
/// // Your own helpers can take any of them.
/// fn as_text(d: impl IntoDefinition) -> String {
///     d.into_definition()
/// }
/// assert_eq!(serde_json::from_str::<serde_json::Value>(&as_text(text))?, value);
/// # Ok(()) }
/// ```
pub trait IntoDefinition {
    /// The definition as JSON text.
    fn into_definition(self) -> String;
}

impl IntoDefinition for &str {
    fn into_definition(self) -> String {
        self.to_string()
    }
}

impl IntoDefinition for String {
    fn into_definition(self) -> String {
        self
    }
}

impl IntoDefinition for Value {
    fn into_definition(self) -> String {
        self.to_string()
    }
}

impl IntoDefinition for &Value {
    fn into_definition(self) -> String {
        self.to_string()
    }
}

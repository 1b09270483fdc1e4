//! The Amazon States Language: definitions, paths, payload templates, intrinsic functions and
//! Choice rules.
//!
//! Everything here is a pure function over [`serde_json::Value`]: no I/O, no clock, no
//! randomness except what a caller passes in. The engine builds executions on
//! top of it.
//!
//! ```
//! use sfn_harness::asl;
//! use serde_json::json;
//!
//! let def = asl::parse(&json!({
//!     "StartAt": "Hello",
//!     "States": { "Hello": { "Type": "Pass", "End": true } }
//! })).unwrap();
//! assert_eq!(def.start_at, "Hello");
//! ```

// Public here: parsing and the parsed definition, which a user may inspect offline (what
// `create_state_machine` would accept or refuse, and why). The evaluators (paths, payload
// templates, intrinsics, JSONata, Choice) are the engine's: a fuzzer or a conformance suite
// reaches them through `crate::internals`.
pub(crate) mod choice;
mod cursor;
mod definition;
pub(crate) mod env;
pub(crate) mod error;
pub(crate) mod intrinsics;
pub(crate) mod jsonata;
pub(crate) mod parse;
pub(crate) mod path;
pub(crate) mod payload;
mod references;
pub(crate) mod validate;

pub use definition::Definition;
pub(crate) use definition::*;
pub(crate) use env::Env;
pub use error::StatesError;
pub(crate) use parse::expression_text;
pub use parse::{parse, parse_str, Code, Diagnostic, InvalidDefinition, Severity};
pub(crate) use references::variable_references;

//! The Amazon States Language: definitions, paths, payload templates, intrinsic functions and
//! Choice rules.
//!
//! Everything here is a pure function over [`serde_json::Value`]: no I/O, no clock, no
//! randomness except what a caller passes in. The [engine](crate::engine) builds executions on
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

pub mod choice;
mod cursor;
pub mod definition;
pub mod env;
pub mod error;
pub mod intrinsics;
pub mod jsonata;
pub mod parse;
pub mod path;
pub mod payload;
mod references;
pub mod validate;

pub use definition::*;
pub use env::Env;
pub use error::StatesError;
pub use parse::{expression_text, parse, parse_str, Code, Diagnostic, InvalidDefinition, Severity};
pub use references::variable_references;

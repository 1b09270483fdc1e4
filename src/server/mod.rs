//! The HTTP endpoint.

pub mod sfn;

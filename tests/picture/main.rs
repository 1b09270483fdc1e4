//! Pictures of definitions and executions: the Mermaid text (snapshots), the harness's
//! pictures and reports, the `sfn-harness picture` command, and the render check that parses
//! every snapshot with the real Mermaid library in a headless browser.

#[cfg(feature = "cli")]
mod cli;
mod definitions;
mod harness;
mod render;

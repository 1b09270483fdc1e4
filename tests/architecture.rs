//! The layout's arrows, checked on the source files so they stay true (README: "How it is
//! built"). Each rule names the folder, what it may not import, and why.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            // Unit-test files may use threads and runtimes to test the code they sit beside.
            out.push(path);
        }
    }
}

/// Lines of code in `folder` (relative to `src/`) that mention any of `forbidden`, skipping
/// comments (doc examples may show how the layers fit together).
fn offenders(folder: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no source files under src/{folder}");
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for f in forbidden {
                if code.contains(f) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

fn assert_none(rule: &str, found: Vec<String>) {
    assert!(found.is_empty(), "{rule}:\n{}", found.join("\n"));
}

#[test]
fn sqs_knows_nothing_of_step_functions() {
    assert_none(
        "src/sqs is a peer service: it may use time and ids, never the engine or the integrations",
        offenders(
            "sqs",
            &[
                "crate::sns",
                "crate::engine",
                "crate::integrations",
                "crate::harness",
                "crate::server",
                "crate::asl",
            ],
        ),
    );
}

#[test]
fn s3_knows_nothing_of_step_functions() {
    assert_none(
        "src/s3 is a peer service like src/sqs: it may use time, never the engine, the integrations or the server",
        offenders(
            "s3",
            &[
                "crate::engine",
                "crate::integrations",
                "crate::harness",
                "crate::server",
                "crate::asl",
                "crate::sqs",
            ],
        ),
    );
}

#[test]
fn sns_knows_nothing_of_step_functions_or_sqs() {
    assert_none(
        "src/sns is a peer service: it delivers to queues through its QueueDelivery port (account.rs plugs SQS in), never the engine, the integrations or SQS itself",
        offenders(
            "sns",
            &[
                "crate::engine",
                "crate::integrations",
                "crate::harness",
                "crate::server",
                "crate::asl",
                "crate::sqs",
                "crate::account",
            ],
        ),
    );
}

#[test]
fn the_engine_knows_no_integration() {
    assert_none(
        "src/engine defines the task port (engine::task); integrations implement it, so the engine may not import them",
        offenders("engine", &["crate::integrations", "crate::harness", "crate::server", "crate::sqs", "crate::s3", "crate::sns", "crate::account"]),
    );
}

#[test]
fn asl_is_pure() {
    assert_none(
        "src/asl is the language alone: no I/O, no clock, no runtime",
        offenders(
            "asl",
            &[
                "tokio",
                "hyper",
                "crate::time",
                "crate::engine",
                "crate::server",
                "crate::sqs",
                "crate::s3",
                "crate::harness",
                "std::net",
                "std::fs",
                "std::thread",
            ],
        ),
    );
}

#[test]
fn the_server_only_translates_http() {
    assert_none(
        "src/server translates HTTP; it registers no integration and builds no account (account.rs does)",
        offenders("server", &["register_resource", "crate::integrations", "crate::harness", "crate::account"]),
    );
}

#[test]
fn time_and_ids_sit_below_everything() {
    let mut found = offenders("time", &["crate::"]);
    found.retain(|l| !l.contains("crate::sync"));
    assert_none("src/time may use only crate::sync", found);
}

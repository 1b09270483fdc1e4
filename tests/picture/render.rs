//! Every Mermaid picture that `tests/picture/definitions.rs` and `harness.rs` snapshot, parsed and rendered by the real
//! Mermaid library in headless Chromium; and the HTML pages opened offline.
//!
//! Needs Debian's `chromium`, `node`, and the npm packages `mermaid` and `puppeteer-core` in
//! `target/mermaid-render/` (or `$MERMAID_RENDER_DIR`): `bash .ci/install-render-deps.sh`
//! installs all of them. Without them the test prints what is missing and passes, except
//! when `CI` is set: then it fails, so CI cannot skip it silently.
//!
//! It leaves PNG screenshots in `target/mermaid-render/out/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use sfn_harness::Picture;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn render_dir() -> PathBuf {
    std::env::var_os("MERMAID_RENDER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("target").join("mermaid-render"))
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.exists() {
        return Some(fixed.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.exists())
    })
}

fn has_node() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// What is missing, if anything.
fn missing() -> Vec<String> {
    let mut out = Vec::new();
    if chromium().is_none() {
        out.push("chromium (apt-get install chromium)".to_string());
    }
    if !has_node() {
        out.push("node (apt-get install nodejs npm)".to_string());
    }
    let dir = render_dir();
    for pkg in ["mermaid", "puppeteer-core"] {
        if !dir
            .join("node_modules")
            .join(pkg)
            .join("package.json")
            .exists()
        {
            out.push(format!("npm package {pkg} in {}", dir.display()));
        }
    }
    out
}

/// The Mermaid texts of the snapshots `tests/picture/definitions.rs` and `tests/picture/harness.rs` wrote.
fn snapshots() -> Vec<(String, String)> {
    let dir = manifest().join("tests").join("picture").join("snapshots");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("picture__") && n.ends_with(".snap"))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
            // insta's header is `---` ... `---`; the snapshot follows it.
            let body = text
                .strip_prefix("---\n")
                .and_then(|t| t.split_once("\n---\n"))
                .map(|(_, body)| body)
                .unwrap_or_else(|| panic!("{} has no insta header", p.display()));
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            (name, body.to_string())
        })
        .collect()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Pages to open: a definition alone and two executions.
fn pages(out: &Path) -> Vec<Value> {
    let mut list = Vec::new();
    let mut page = |name: &str, picture: Picture, title: &str| {
        let html = out.join(format!("{name}.html"));
        std::fs::write(&html, picture.html(title)).unwrap_or_else(|e| panic!("{e}"));
        list.push(json!({
            "name": name,
            "html": html,
            "png": out.join(format!("{name}.png")),
        }));
    };
    let order = read_json(&manifest().join("fixtures/order.asl.json"));
    page(
        "order",
        Picture::of_definition(&order).unwrap_or_else(|e| panic!("{e}")),
        "Order pipeline",
    );
    for (name, file) in [
        (
            "map_catch",
            "cases/scenarios.test_map_state_catch.get_execution_history.json",
        ),
        (
            "parallel_callback_catch",
            "v2/callback.test_callback.test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN].get_execution_history.json",
        ),
    ] {
        let case = read_json(&manifest().join("../shared/conformance").join(file));
        let events = case["expected"]["events"].as_array().cloned().unwrap_or_default();
        let picture = Picture::of_definition(&case["definition"])
            .unwrap_or_else(|e| panic!("{e}"))
            .with_history(&events);
        page(name, picture, &format!("{file} <execution>"));
    }
    list
}

#[test]
fn mermaid_accepts_every_picture() {
    let missing = missing();
    if !missing.is_empty() {
        let msg = format!(
            "picture_render: cannot check the pictures with Mermaid; missing: {}.\n\
             Install them with: bash .ci/install-render-deps.sh",
            missing.join(", ")
        );
        if std::env::var_os("CI").is_some() {
            panic!("{msg}\n(CI is set, so this is a failure, not a skip)");
        }
        println!("SKIPPED {msg}");
        return;
    }
    let diagrams = snapshots();
    assert!(
        diagrams.len() >= 15,
        "expected the snapshots of tests/picture/, found {}",
        diagrams.len()
    );
    let out = render_dir().join("out");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let job = json!({
        "modules": render_dir(),
        "chromium": chromium(),
        "diagrams": diagrams.iter().map(|(n, t)| json!({"name": n, "text": t})).collect::<Vec<_>>(),
        "shots": [
            {"diagram": "picture__definitions__map_with_callbacks_running", "png": out.join("map_with_callbacks_running.png")},
            {"diagram": "picture__definitions__parallel_definition", "png": out.join("parallel_definition.png")},
            {"diagram": "picture__definitions__conformance_map_catch", "png": out.join("conformance_map_catch.png")},
            {"diagram": "picture__definitions__escaping_odd_names", "png": out.join("escaping_odd_names.png")},
        ],
        "pages": pages(&out),
    });
    let job_path = out.join("job.json");
    std::fs::write(&job_path, job.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let script = manifest().join("tests/render/render.mjs");
    let run = Command::new("node")
        .arg(&script)
        .arg(&job_path)
        .output()
        .unwrap_or_else(|e| panic!("running node: {e}"));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}");
    let results: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let failures: Vec<&Value> = results.iter().filter(|r| r["ok"] != json!(true)).collect();
    assert!(
        run.status.success() && failures.is_empty(),
        "Mermaid/Chromium rejected pictures: {failures:#?}\nstderr: {stderr}"
    );
    let expected = diagrams.len() + 4 + 3;
    assert_eq!(
        results.len(),
        expected,
        "expected {expected} results\nstderr: {stderr}"
    );
}

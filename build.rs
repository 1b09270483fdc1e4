// `#[files("fixtures/...")]` in tests expands its glob at compile time: rebuild when fixtures change.
fn main() {
    println!("cargo::rerun-if-changed=fixtures");
}

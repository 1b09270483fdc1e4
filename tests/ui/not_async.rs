#[sfn_harness::test]
fn not_async(h: sfn_harness::prelude::Harness) {
    let _ = h;
}

fn main() {}

#[sfn_harness::test]
async fn two_parameters(h: sfn_harness::prelude::Harness, other: sfn_harness::prelude::Harness) {
    let _ = (h, other);
}

fn main() {}

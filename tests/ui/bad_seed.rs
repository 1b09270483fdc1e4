#[sfn_harness::test(seed = "seven")]
async fn bad_seed(h: sfn_harness::prelude::Harness) {
    let _ = h;
}

fn main() {}

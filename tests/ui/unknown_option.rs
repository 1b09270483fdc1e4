#[sfn_harness::test(speed = 10)]
async fn unknown_option(h: sfn_harness::prelude::Harness) {
    let _ = h;
}

fn main() {}

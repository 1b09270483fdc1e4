#[sfn_harness::test]
async fn wrong_parameter(h: String) {
    let _ = h;
}

fn main() {}

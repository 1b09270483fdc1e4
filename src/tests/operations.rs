//! The operation tables fault names are checked against match what the APIs serve (moved into
//! the crate from `tests/scenarios/faults.rs`: it reaches the router's services directly).

use crate::Harness;

#[test]
fn every_listed_operation_is_served() {
    // The operation lists faults are checked against must match what the APIs serve.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let h = Harness::start().await;
        let router = crate::server::Router::new(h.clock().clone())
            .with_sqs(h.sqs().clone())
            .with_service(
                "AWSStepFunctions",
                crate::server::sfn_api::SfnApi::new(h.engine().clone()),
            );
        let sfn_ops: Vec<&str> = crate::server::sfn_api::SFN_OPERATIONS
            .iter()
            .map(|op| op.name())
            .collect();
        for (prefix, ops) in [
            ("AWSStepFunctions", &sfn_ops[..]),
            ("AmazonSQS", crate::server::sqs_api::SQS_OPERATIONS),
        ] {
            for op in ops {
                let reply = router.handle(Some(&format!("{prefix}.{op}")), b"{}").await;
                let body = String::from_utf8_lossy(&reply.body);
                assert!(!body.contains("UnknownOperation"), "{prefix}.{op}: {body}");
            }
        }
    });
}

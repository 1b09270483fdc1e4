//! ValidateStateMachineDefinition.

use super::*;

#[sfn_harness::test(seed = 5)]
async fn validate_state_machine_definition(h: Harness) {
    let c = h.sfn_client().await;
    let ok = c
        .validate_state_machine_definition()
        .definition(pass_definition())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.result.as_str(), "OK");
    assert!(ok.diagnostics.is_empty());

    let bad = c
        .validate_state_machine_definition()
        .definition(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.result.as_str(), "FAIL");
    let d = &bad.diagnostics[0];
    assert_eq!(d.code, "MISSING_TRANSITION_TARGET");
    assert_eq!(d.location(), Some("/States/A/Next"));
    assert_eq!(d.severity.as_str(), "ERROR");

    // A definition a STANDARD machine may have can be invalid for EXPRESS.
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012/q";
    let standard = c
        .validate_state_machine_definition()
        .definition(callback_definition(q, 10))
        .send()
        .await
        .unwrap();
    assert_eq!(standard.result.as_str(), "OK");
    let express = c
        .validate_state_machine_definition()
        .definition(callback_definition(q, 10))
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap();
    assert_eq!(express.result.as_str(), "FAIL");
    assert_eq!(
        express.diagnostics[0].location(),
        Some("/States/Work/Resource")
    );
}

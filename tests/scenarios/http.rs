//! HTTP Tasks (`arn:aws:states:::http:invoke`) against a real HTTP server: a `wiremock` server
//! stands in for the API, and the test asserts the requests the workflow made.

use serde_json::{json, Value};
use sfn_harness::prelude::*;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::one_state;

const CONNECTION: &str =
    "arn:aws:events:us-east-1:123456789012:connection/payments/81210c42-8af1-456b-9c4a-6ff02fc664ac";

fn http_task(parameters: Value, extra: Value) -> Value {
    let mut task = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": parameters,
        "End": true
    });
    if let (Some(t), Some(e)) = (task.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    task
}

#[sfn_harness::test(seed = 91)]
async fn an_http_task_calls_the_api_and_answers_with_aws_shape(h: Harness) {
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/charges"))
        .and(query_param("currency", "eur"))
        .and(header("x-idempotency-key", "order-7"))
        .and(body_string("amount=1200&items%5B0%5D=a&items%5B1%5D=b"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({ "id": "ch_1", "paid": true })),
        )
        .expect(1)
        .mount(&api)
        .await;
    let parameters = json!({
        "ApiEndpoint": format!("{}/v1/charges", api.uri()),
        "Method": "POST",
        "Authentication": { "ConnectionArn": CONNECTION },
        "Headers": { "x-idempotency-key.$": "$.key" },
        "QueryParameters": { "currency": "eur" },
        "RequestBody": { "amount.$": "$.amount", "items.$": "$.items" },
        "Transform": { "RequestBodyEncoding": "URL_ENCODED" }
    });
    let machine = h
        .create_state_machine(
            "charge",
            one_state("Charge", http_task(parameters, json!({}))),
        )
        .await?;

    let done = machine
        .start(json!({ "key": "order-7", "amount": 1200, "items": ["a", "b"] }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["StatusCode"], 201);
    assert_eq!(out["StatusText"], "Created");
    assert_eq!(out["ResponseBody"], json!({ "id": "ch_1", "paid": true }));
    assert_eq!(out["Headers"]["content-type"], json!(["application/json"]));
    api.verify().await;
}

#[sfn_harness::test(seed = 92)]
async fn a_failing_status_is_states_http_status_code_and_can_be_retried(h: Harness) {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/stock/42"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/stock/42"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "error": "no such item" })))
        .expect(1)
        .mount(&api)
        .await;
    let parameters = json!({
        "ApiEndpoint": format!("{}/stock/42", api.uri()),
        "Method": "GET",
        "Authentication": { "ConnectionArn": CONNECTION }
    });
    let extra = json!({
        "Retry": [{ "ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 2, "MaxAttempts": 1 }]
    });
    let machine = h
        .create_state_machine("stock", one_state("Stock", http_task(parameters, extra)))
        .await?;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Http.StatusCode.404"));
    let cause: Value = serde_json::from_str(&done.cause().unwrap_or_default()).unwrap();
    assert_eq!(cause["StatusCode"], 404);
    assert_eq!(cause["StatusText"], "Not Found");
    assert_eq!(cause["ResponseBody"], json!({ "error": "no such item" }));
    api.verify().await;
}

#[sfn_harness::test(seed = 93)]
async fn an_http_task_without_a_connection_is_refused(h: Harness) {
    let parameters = json!({ "ApiEndpoint": "http://127.0.0.1:9/x", "Method": "GET" });
    let machine = h
        .create_state_machine("bare", one_state("Call", http_task(parameters, json!({}))))
        .await?;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.error().as_deref(), Some("States.Runtime"));
    assert!(done
        .cause()
        .unwrap_or_default()
        .contains("'Authentication.ConnectionArn' is required"));
}

//! Retry and Catch.

use super::*;

#[sfn_harness::test(seed = 5)]
async fn order_waits_retries_and_ships_every_item(h: Harness) {
    let machine = h.create_state_machine("order", ORDER).await?;
    h.on_task("Charge")
        .respond_with(Reply::fail("PaymentBusy", "try again"))
        .then(Reply::fail("PaymentBusy", "try again"))
        .then(Reply::respond(json!({ "charged": 42 })))
        .expect(3)
        .mount()
        .await;
    h.on_task("ShipItem")
        .respond_with(
            Reply::with(|task| Answer::Success(json!({ "shipped": task.input["item"]["sku"] })))
                .after(Duration::from_secs(30)),
        )
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "orderId": "o-42", "items": ["apple", "pear", "plum"] }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["payment"], json!({ "charged": 42 }));
    assert_eq!(
        out["shipments"],
        json!([{ "shipped": "apple" }, { "shipped": "pear" }, { "shipped": "plum" }])
    );
    // 1 h wait + retries after 60 s and 120 s + two lanes of 30 s shipments (3 items => 60 s).
    assert_eq!(done.duration(), Duration::from_secs(3600 + 60 + 120 + 60));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 6)]
async fn payment_that_never_recovers_is_refunded(h: Harness) {
    let machine = h.create_state_machine("order", ORDER).await?;
    h.on_task("Charge")
        .respond_with(Reply::fail("PaymentBusy", "still busy"))
        .expect(4)
        .mount()
        .await;

    let done = machine
        .start(json!({ "orderId": "o-1", "items": [] }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output().unwrap()["outcome"], "refunded");
    // A Lambda function's error: the cause is Lambda's error JSON, as AWS records it.
    let error = &done.output().unwrap()["error"];
    assert_eq!(error["Error"], "PaymentBusy");
    let cause: Value = serde_json::from_str(error["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["errorMessage"], "still busy");
    assert_eq!(cause["errorType"], "PaymentBusy");
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 12)]
async fn retry_then_success(h: Harness) {
    let machine = h
        .create_state_machine(
            "reserve",
            json!({ "StartAt": "Reserve", "States": { "Reserve": callback(json!({
                "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 10, "BackoffRate": 2.0, "MaxAttempts": 3 }]
            })) } }),
        )
        .await?;
    h.on_task("Reserve")
        .respond_with(Reply::fail("Busy", "warehouse busy"))
        .then(Reply::fail("Busy", "still busy"))
        .then(Reply::respond(json!({ "reserved": true })))
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "sku": "s-1" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "reserved": true })));
    // Retried after 10 s, then after 20 s (BackoffRate 2).
    assert_eq!(done.duration(), Duration::from_secs(30));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 13)]
async fn catch_then_fallback(h: Harness) {
    let machine = h
        .create_state_machine(
            "pay",
            json!({
                "StartAt": "CardPayment",
                "States": {
                    "CardPayment": callback(json!({
                        "Catch": [{ "ErrorEquals": ["CardDeclined"], "ResultPath": "$.declined", "Next": "SendInvoice" }],
                        "Next": "Paid"
                    })),
                    "SendInvoice": callback(json!({ "ResultPath": "$.invoice" })),
                    "Paid": { "Type": "Succeed" }
                }
            }),
        )
        .await?;
    h.on_task("CardPayment")
        .respond_with(Reply::fail("CardDeclined", "insufficient funds"))
        .expect(1)
        .mount()
        .await;
    h.on_task("SendInvoice")
        .respond_with(Reply::respond(json!({ "invoice": "inv-7" })).after(Duration::from_secs(2)))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "amount": 30 }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!({
            "amount": 30,
            "declined": { "Error": "CardDeclined", "Cause": "insufficient funds" },
            "invoice": { "invoice": "inv-7" }
        }))
    );
    insta::assert_json_snapshot!(done.history());
}

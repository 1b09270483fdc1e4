//! Error shapes and malformed requests, in both protocols.

use super::*;

#[tokio::test]
async fn errors_carry_the_query_error_header_and_request_id() {
    let f = fake(Clock::real());
    let err = f
        .client
        .get_queue_url()
        .queue_name("missing")
        .send()
        .await
        .unwrap_err();
    let raw = err.raw_response().expect("a response");
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(
        raw.headers().get("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
    assert_eq!(
        raw.headers().get("content-type"),
        Some("application/x-amz-json-1.0")
    );
    let body: serde_json::Value = serde_json::from_slice(raw.body().bytes().unwrap()).unwrap();
    assert_eq!(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
    assert_eq!(body["message"], "The specified queue does not exist.");
    let ok = f.client.list_queues().send().await.unwrap();
    use aws_sdk_sqs::operation::RequestId;
    assert!(ok.request_id().is_some_and(|id| id.len() == 36));
}

/// Sends one raw HTTP/1.1 request and returns (status, body).
async fn raw(addr: std::net::SocketAddr, target: Option<&str>, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(t) = target {
        head.push_str(&format!("x-amz-target: {t}\r\n"));
    }
    head.push_str("\r\n");
    let (mut rd, mut wr) = s.split();
    let write = async {
        wr.write_all(head.as_bytes()).await?;
        wr.write_all(body).await?;
        wr.flush().await
    };
    let mut resp = Vec::new();
    let read = rd.read_to_end(&mut resp);
    let (w, r) = tokio::join!(write, read);
    w.expect("write");
    r.expect("read");
    let text = String::from_utf8_lossy(&resp);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(resp.len(), |i| i + 4);
    (status, resp[split..].to_vec())
}

fn malformed_cases(queue_url: &str) -> Vec<(Option<String>, Vec<u8>)> {
    let sqs = |op: &str| Some(format!("AmazonSQS.{op}"));
    let mut cases: Vec<(Option<String>, Vec<u8>)> = Vec::new();
    // Bodies that are not JSON objects.
    for body in [
        &b"{"[..],
        b"[]",
        b"\"str\"",
        b"42",
        b"{\"QueueUrl\":",
        b"\xff\xfe\x00garbage",
        b"{\"QueueUrl\": \"\\ud800\"}",
        b"null",
        b"{}{}",
    ] {
        for op in [
            "SendMessage",
            "ReceiveMessage",
            "CreateQueue",
            "DeleteMessageBatch",
        ] {
            cases.push((sqs(op), body.to_vec()));
        }
    }
    // Members of the wrong type.
    let q = queue_url;
    for body in [
        serde_json::json!({"QueueUrl": 5, "MessageBody": "x"}),
        serde_json::json!({"QueueUrl": q, "MessageBody": ["x"]}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "DelaySeconds": "5"}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "DelaySeconds": 1.5}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": []}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": "b"}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "%%%"}}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Foo", "StringValue": "v"}}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Number", "StringValue": "nan"}}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "\u{0}"}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "DelaySeconds": 99999999999999999i64}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageGroupId": ""}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageDeduplicationId": "d"}),
    ] {
        cases.push((sqs("SendMessage"), body.to_string().into_bytes()));
    }
    for body in [
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": "ten"}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": 0}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": 11}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": -1}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": 1e30}),
        serde_json::json!({"QueueUrl": q, "WaitTimeSeconds": 21}),
        serde_json::json!({"QueueUrl": q, "VisibilityTimeout": 43201}),
        serde_json::json!({"QueueUrl": q, "MessageSystemAttributeNames": ["Bogus"]}),
        serde_json::json!({"QueueUrl": q, "AttributeNames": "All"}),
        serde_json::json!({"QueueUrl": []}),
        serde_json::json!({"QueueUrl": "not a url"}),
        serde_json::json!({"QueueUrl": "http://127.0.0.1/123456789012/nope"}),
    ] {
        cases.push((sqs("ReceiveMessage"), body.to_string().into_bytes()));
    }
    // Missing members.
    for op in [
        "CreateQueue",
        "GetQueueUrl",
        "DeleteQueue",
        "PurgeQueue",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "TagQueue",
        "UntagQueue",
        "ListQueueTags",
        "ListDeadLetterSourceQueues",
    ] {
        cases.push((sqs(op), b"{}".to_vec()));
        if op.ends_with("Batch") {
            // `Entries` of the wrong type.
            cases.push((
                sqs(op),
                serde_json::json!({"QueueUrl": q, "Entries": {}})
                    .to_string()
                    .into_bytes(),
            ));
        }
    }
    for body in [
        serde_json::json!({"QueueUrl": q}),
        serde_json::json!({"QueueUrl": q, "Entries": []}),
        serde_json::json!({"QueueUrl": q, "Entries": [{"Id": "a"}]}),
        serde_json::json!({"QueueUrl": q, "Entries": [{"Id": "a", "ReceiptHandle": 7}]}),
        serde_json::json!({"QueueUrl": q, "Entries": ["x"]}),
    ] {
        cases.push((sqs("DeleteMessageBatch"), body.to_string().into_bytes()));
    }
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q","Attributes":{"DelaySeconds":5}}"#.to_vec(),
    ));
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q!","Attributes":{}}"#.to_vec(),
    ));
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q","Attributes":{"Nope":"1"}}"#.to_vec(),
    ));
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q","Attributes":{"RedrivePolicy":"{"}}"#.to_vec(),
    ));
    cases.push((sqs("ListQueues"), br#"{"MaxResults":0}"#.to_vec()));
    cases.push((sqs("ListQueues"), br#"{"NextToken":"!!!"}"#.to_vec()));
    // Unknown targets.
    for t in [
        None,
        Some("AmazonSQS.Nope".to_string()),
        Some("AmazonSQS".to_string()),
        Some("Foo.Bar".to_string()),
        Some("".to_string()),
        Some("AWSStepFunctions.StartExecution".to_string()),
        Some("AmazonSQS.".to_string()),
        Some("AmazonSQS.AddPermission".to_string()),
    ] {
        cases.push((t, b"{}".to_vec()));
    }
    // Bad receipt handles.
    for h in [
        "",
        "x",
        "====",
        "c2ZuaDEgcSBpZCBub25jZQ==",
        "\u{7f}",
        &"A".repeat(5000),
    ] {
        cases.push((
            sqs("DeleteMessage"),
            serde_json::json!({"QueueUrl": q, "ReceiptHandle": h})
                .to_string()
                .into_bytes(),
        ));
        cases.push((
            sqs("ChangeMessageVisibility"),
            serde_json::json!({"QueueUrl": q, "ReceiptHandle": h, "VisibilityTimeout": 1})
                .to_string()
                .into_bytes(),
        ));
    }
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_malformed_requests_get_aws_shaped_errors() {
    let f = fake(Clock::real());
    let url = create(&f, "robust").await;
    let addr: std::net::SocketAddr = host_port(&f.server).parse().expect("host:port");
    let cases = malformed_cases(&url);
    let mut all = Vec::new();
    while all.len() < 1_100 {
        all.extend(cases.iter().cloned());
    }
    // Oversized bodies (3 MiB, over the 2 MiB limit).
    for _ in 0..3 {
        all.push((
            Some("AmazonSQS.SendMessage".into()),
            vec![b'x'; 3 * 1024 * 1024],
        ));
    }
    let total = all.len();
    let all = Arc::new(all);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let all = all.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in (w..all.len()).step_by(8) {
                let (target, body) = &all[i];
                let (status, resp) = raw(addr, target.as_deref(), body).await;
                let parsed: Option<serde_json::Value> = serde_json::from_slice(&resp).ok();
                let shaped = parsed.as_ref().is_some_and(|v| {
                    v["__type"].as_str().is_some_and(|t| !t.is_empty()) && v["message"].is_string()
                });
                if !(400..600).contains(&status) || !shaped {
                    failures.push(format!(
                        "{target:?} {} -> {status} {}",
                        String::from_utf8_lossy(&body[..body.len().min(120)]),
                        String::from_utf8_lossy(&resp)
                    ));
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.unwrap());
    }
    assert!(total >= 1_000);
    assert!(
        failures.is_empty(),
        "{} of {total} not AWS-shaped errors:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The server is still healthy.
    let sent = f
        .client
        .send_message()
        .queue_url(&url)
        .message_body("still alive")
        .send()
        .await
        .unwrap();
    assert!(sent.message_id.is_some());
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages()[0].body(), Some("still alive"));
}

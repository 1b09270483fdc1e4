//! SendMessage and ReceiveMessage: attributes, MD5 digests, delays.

use super::*;

#[tokio::test]
async fn send_and_receive_with_attributes_and_md5s() {
    let f = fake(Clock::real());
    let c = &f.client;
    let url = create(&f, "attrs").await;
    let sent = c
        .send_message()
        .queue_url(&url)
        .message_body("héllo wörld")
        .message_attributes(
            "Hello",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("There")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "count",
            MessageAttributeValue::builder()
                .data_type("Number.int")
                .string_value("42")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "Help.Me",
            MessageAttributeValue::builder()
                .data_type("Binary")
                .binary_value(Blob::new(vec![0u8, 1, 2, 255]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let body_md5 = hex_md5("héllo wörld".as_bytes());
    let all_md5 = attrs_md5(&[
        ("Hello", "String", b"There", 1),
        ("count", "Number.int", b"42", 1),
        ("Help.Me", "Binary", &[0, 1, 2, 255], 2),
    ]);
    assert_eq!(sent.md5_of_message_body.as_deref(), Some(body_md5.as_str()));
    assert_eq!(
        sent.md5_of_message_attributes.as_deref(),
        Some(all_md5.as_str())
    );
    assert!(sent.sequence_number.is_none());

    let got = c
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some("héllo wörld"));
    assert_eq!(m.md5_of_body(), Some(body_md5.as_str()));
    assert_eq!(m.md5_of_message_attributes(), Some(all_md5.as_str()));
    assert_eq!(m.message_id(), sent.message_id());
    let attrs = m.message_attributes().unwrap();
    assert_eq!(attrs["count"].string_value(), Some("42"));
    assert_eq!(
        attrs["Help.Me"].binary_value().map(|b| b.as_ref()),
        Some(&[0u8, 1, 2, 255][..])
    );
    let sys = m.attributes().unwrap();
    assert_eq!(
        sys[&MessageSystemAttributeName::ApproximateReceiveCount],
        "1"
    );
    assert_eq!(sys[&MessageSystemAttributeName::SenderId], ACCOUNT);
    assert!(
        sys[&MessageSystemAttributeName::SentTimestamp]
            .parse::<u64>()
            .unwrap()
            > 1_600_000_000_000
    );

    // Filters: prefix `Help.*` and an exact name; the MD5 covers what is returned.
    let got = c
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("Help.*")
        .message_attribute_names("count")
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.message_attributes().unwrap().len(), 2);
    assert_eq!(
        m.md5_of_message_attributes(),
        Some(
            attrs_md5(&[
                ("count", "Number.int", b"42", 1),
                ("Help.Me", "Binary", &[0, 1, 2, 255], 2)
            ])
            .as_str()
        )
    );
    assert!(m.attributes().is_none());
    // No names: no attributes and no attribute MD5.
    let got = c.receive_message().queue_url(&url).send().await.unwrap();
    assert!(got.messages()[0].message_attributes().is_none());
    assert!(got.messages()[0].md5_of_message_attributes().is_none());

    // Validation errors.
    let err = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(11)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert_eq!(
        err.message(),
        Some("Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
    );
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("a\u{1}b")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_message_contents());
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x".repeat(262_145))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
    );
    c.send_message()
        .queue_url(&url)
        .message_body("x".repeat(262_144))
        .send()
        .await
        .unwrap();
    let err = c.send_message().queue_url(&url).send().await.unwrap_err();
    assert_eq!(err.code(), Some("MissingParameter"));
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_attributes(
            "AWS.reserved",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .delay_seconds(901)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn delay_seconds_follow_the_clock() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let url = create(&f, "delayed").await;
    c.send_message()
        .queue_url(&url)
        .message_body("later")
        .delay_seconds(60)
        .send()
        .await
        .unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        attrs[&QueueAttributeName::ApproximateNumberOfMessagesDelayed],
        "1"
    );
    assert!(c
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .messages()
        .is_empty());
    f.clock.advance(Duration::from_secs(60)).await;
    let got = c.receive_message().queue_url(&url).send().await.unwrap();
    assert_eq!(got.messages()[0].body(), Some("later"));
}

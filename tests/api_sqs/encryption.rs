//! Server-side encryption attributes as AWS answered them in LocalStack's AWS-validated
//! `test_set_queue_attributes_default_values` and `test_sse_queue_attributes`
//! (`tests/aws/services/sqs/test_sqs.snapshot.json` in localstack/localstack): a KMS key turns
//! SQS-managed encryption off, and an empty key removes the KMS attributes.

use std::collections::HashMap;

use super::*;

async fn all_attributes(f: &Fake, url: &str) -> HashMap<QueueAttributeName, String> {
    f.client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default()
}

#[tokio::test]
async fn a_kms_key_replaces_sqs_managed_encryption_and_an_empty_key_removes_it() {
    let f = fake(Clock::virtual_now());
    let url = create(&f, "sse").await;
    let a = all_attributes(&f, &url).await;
    assert_eq!(
        a.get(&QueueAttributeName::SqsManagedSseEnabled)
            .map(String::as_str),
        Some("true")
    );
    assert!(!a.contains_key(&QueueAttributeName::KmsMasterKeyId));

    f.client
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::KmsMasterKeyId, "testKeyId")
        .attributes(QueueAttributeName::KmsDataKeyReusePeriodSeconds, "6000")
        .send()
        .await
        .unwrap();
    let a = all_attributes(&f, &url).await;
    assert_eq!(
        a.get(&QueueAttributeName::KmsMasterKeyId)
            .map(String::as_str),
        Some("testKeyId")
    );
    assert_eq!(
        a.get(&QueueAttributeName::KmsDataKeyReusePeriodSeconds)
            .map(String::as_str),
        Some("6000")
    );
    assert_eq!(
        a.get(&QueueAttributeName::SqsManagedSseEnabled)
            .map(String::as_str),
        Some("false")
    );

    // Back to the defaults: the KMS attributes are gone, SQS-managed encryption stays off.
    f.client
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::KmsMasterKeyId, "")
        .attributes(QueueAttributeName::KmsDataKeyReusePeriodSeconds, "300")
        .send()
        .await
        .unwrap();
    let a = all_attributes(&f, &url).await;
    assert!(
        !a.contains_key(&QueueAttributeName::KmsMasterKeyId),
        "{a:?}"
    );
    assert!(
        !a.contains_key(&QueueAttributeName::KmsDataKeyReusePeriodSeconds),
        "{a:?}"
    );
    assert_eq!(
        a.get(&QueueAttributeName::SqsManagedSseEnabled)
            .map(String::as_str),
        Some("false")
    );
}

#[tokio::test]
async fn a_kms_key_with_an_explicit_sse_setting_keeps_that_setting() {
    // `test_sse_queue_attributes`: the three set together are answered as set.
    let f = fake(Clock::virtual_now());
    let url = create(&f, "sse-kms").await;
    f.client
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::KmsMasterKeyId, "testKeyId")
        .attributes(QueueAttributeName::KmsDataKeyReusePeriodSeconds, "6000")
        .attributes(QueueAttributeName::SqsManagedSseEnabled, "false")
        .send()
        .await
        .unwrap();
    let got = f
        .client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::KmsMasterKeyId)
        .attribute_names(QueueAttributeName::KmsDataKeyReusePeriodSeconds)
        .attribute_names(QueueAttributeName::SqsManagedSseEnabled)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    assert_eq!(got.len(), 3, "{got:?}");

    // SQS-managed encryption alone: no KMS attributes are answered.
    let url = create(&f, "sse-sqs").await;
    f.client
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::SqsManagedSseEnabled, "true")
        .send()
        .await
        .unwrap();
    let got = f
        .client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::KmsMasterKeyId)
        .attribute_names(QueueAttributeName::KmsDataKeyReusePeriodSeconds)
        .attribute_names(QueueAttributeName::SqsManagedSseEnabled)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    assert_eq!(
        got.into_iter().collect::<Vec<_>>(),
        vec![(QueueAttributeName::SqsManagedSseEnabled, "true".to_string())]
    );
}

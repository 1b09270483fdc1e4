//! TagResource, UntagResource, ListTagsForResource.

use super::*;

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

#[sfn_harness::test(seed = 12)]
async fn tags(h: Harness) {
    let c = h.sfn_client().await;
    let arn = c
        .create_state_machine()
        .name("tagged")
        .definition(pass_definition())
        .role_arn(ROLE)
        .tags(tag("team", "payments"))
        .tags(tag("env", "test"))
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let listed = |c: Client, arn: String| async move {
        c.list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .unwrap()
            .tags()
            .iter()
            .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
            .collect::<Vec<_>>()
    };
    let pairs = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(c.clone(), arn.clone()).await,
        pairs(&[("team", "payments"), ("env", "test")])
    );
    c.tag_resource()
        .resource_arn(&arn)
        .tags(tag("env", "prod"))
        .tags(tag("owner", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed(c.clone(), arn.clone()).await,
        pairs(&[("team", "payments"), ("env", "prod"), ("owner", "")])
    );
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed(c.clone(), arn.clone()).await,
        pairs(&[("env", "prod"), ("owner", "")])
    );

    let unknown = "arn:aws:states:us-east-1:123456789012:stateMachine:nope";
    let err = refused!(c.tag_resource().resource_arn(unknown).tags(tag("a", "b")));
    assert!(err.is_resource_not_found(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Resource not found: '{unknown}'").as_str())
    );
    let err = refused!(c.list_tags_for_resource().resource_arn(unknown));
    assert!(err.is_resource_not_found(), "{err:?}");
    let err = refused!(c.untag_resource().resource_arn("nope").tag_keys("a"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let mut too_many = c.tag_resource().resource_arn(&arn);
    for i in 0..50 {
        too_many = too_many.tags(tag(&format!("k{i}"), "v"));
    }
    let err = refused!(too_many);
    assert!(err.is_too_many_tags(), "{err:?}");
}

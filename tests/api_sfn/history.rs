//! GetExecutionHistory: paging, reverse order, data hiding.

use super::*;

#[sfn_harness::test(seed = 8)]
async fn execution_history_pages_reverses_and_hides_data(h: Harness) {
    let c = h.sfn_client().await;
    let pass = create(&c, "pass", &pass_definition()).await;
    let arn = start(&c, &pass, None, r#"{"secret":"s3cr3t"}"#).await;
    wait_done(&c, &arn).await;

    let full = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let types: Vec<_> = full.events.iter().map(|e| e.r#type.clone()).collect();
    assert_eq!(
        types,
        [
            HistoryEventType::ExecutionStarted,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::ExecutionSucceeded,
        ]
    );
    let ids: Vec<i64> = full.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let prev: Vec<i64> = full.events.iter().map(|e| e.previous_event_id).collect();
    // The first state's entry points back to nothing, as on AWS (previousEventId 0).
    assert_eq!(prev, [0, 0, 2, 3, 4, 5]);
    let started = full.events[0].execution_started_event_details().unwrap();
    assert_eq!(started.input(), Some(r#"{"secret":"s3cr3t"}"#));
    assert!(full.next_token.is_none());

    // reverseOrder: newest first.
    let rev = c
        .get_execution_history()
        .execution_arn(&arn)
        .reverse_order(true)
        .send()
        .await
        .unwrap();
    let rev_ids: Vec<i64> = rev.events.iter().map(|e| e.id).collect();
    assert_eq!(rev_ids, [6, 5, 4, 3, 2, 1]);

    // maxResults + nextToken, in both orders.
    for reverse in [false, true] {
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let page = c
                .get_execution_history()
                .execution_arn(&arn)
                .reverse_order(reverse)
                .max_results(4)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            assert!(page.events.len() <= 4);
            ids.extend(page.events.iter().map(|e| e.id));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        let expected: Vec<i64> = if reverse {
            rev_ids.clone()
        } else {
            (1..=6).collect()
        };
        assert_eq!(ids, expected);
    }

    // includeExecutionData=false: the events without their input and output.
    let bare = c
        .get_execution_history()
        .execution_arn(&arn)
        .include_execution_data(false)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.events.len(), 6);
    let started = bare.events[0].execution_started_event_details().unwrap();
    assert_eq!(started.input(), None);
    assert_eq!(started.role_arn(), Some(ROLE));
    let entered = bare.events[1].state_entered_event_details().unwrap();
    assert_eq!((entered.name.as_str(), entered.input()), ("First", None));
    let exited = bare.events[2].state_exited_event_details().unwrap();
    assert_eq!(exited.output(), None);
    let succeeded = bare.events[5].execution_succeeded_event_details().unwrap();
    assert_eq!(succeeded.output(), None);
    assert!(format!("{bare:?}").find("s3cr3t").is_none());

    let err = refused!(c
        .get_execution_history()
        .execution_arn(&arn)
        .next_token("sfnh-page-99"));
    assert!(err.is_invalid_token(), "{err:?}");
}

//! Long polling, on the real and the virtual clock.

use super::*;

#[tokio::test]
async fn long_polling_returns_as_soon_as_a_message_arrives() {
    let f = fake(Clock::real());
    let url = create(&f, "poll").await;
    let sender = f.client.clone();
    let url2 = url.clone();
    let t0 = Instant::now();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sender
            .send_message()
            .queue_url(&url2)
            .message_body("ping")
            .send()
            .await
            .unwrap();
    });
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(10)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages()[0].body(), Some("ping"));
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // With nothing to receive, it returns empty after the wait.
    let t0 = Instant::now();
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    assert!(got.messages().is_empty());
    assert!(t0.elapsed() >= Duration::from_millis(900));

    let err = f
        .client
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(21)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn long_polls_skip_ahead_on_a_virtual_clock() {
    let f = fake(Clock::virtual_at(1_700_000_000_000));
    let url = create(&f, "vpoll").await;
    let t0 = Instant::now();
    let got = f
        .clock
        .run_until(
            f.client
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send(),
        )
        .await
        .unwrap();
    assert!(got.messages().is_empty());
    assert_eq!(f.clock.now_ms(), 1_700_000_020_000);
    assert!(t0.elapsed() < Duration::from_secs(5));

    // A message that becomes visible during the wait (after its delay) ends the poll then.
    f.client
        .send_message()
        .queue_url(&url)
        .message_body("soon")
        .delay_seconds(7)
        .send()
        .await
        .unwrap();
    let start = f.clock.now_ms();
    let got = f
        .clock
        .run_until(
            f.client
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send(),
        )
        .await
        .unwrap();
    assert_eq!(got.messages()[0].body(), Some("soon"));
    assert_eq!(f.clock.now_ms() - start, 7_000);
}

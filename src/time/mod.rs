//! Time: the one clock every timer, timestamp and timeout in the crate reads.
//!
//! The [`Clock`] is either real (wall time) or virtual (it skips ahead when nothing can happen
//! before the next timer). It sits below every other module: the ASL engine, SQS, the
//! integrations and the harness all take their time from here, so one virtual clock moves all
//! of them together.
//!
//! ```
//! use sfn_harness::Clock;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let clock = Clock::virtual_at(0);
//! clock.run_until(clock.sleep(Duration::from_secs(60))).await;
//! assert_eq!(clock.now_ms(), 60_000);
//! # }
//! ```

mod clock;

pub use clock::Clock;
pub(crate) use clock::Millis;

/// `ms` as AWS writes timestamps in JSON and XML bodies: ISO 8601 in UTC with milliseconds
/// (`2024-03-17T12:49:59.123Z`); empty if `ms` is out of range.
pub(crate) fn iso8601(ms: Millis) -> String {
    jiff::Timestamp::from_millisecond(ms as i64)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// `ms` as an HTTP `Date` header (RFC 1123: `Sun, 17 Mar 2024 12:49:59 GMT`); empty if `ms`
/// is out of range.
///
/// The text of the last second asked for is kept per thread: every SQS answer of an execution
/// carries the date (its `SdkHttpMetadata`), and on a virtual clock most fall in one second
/// (issue 13: formatting it was ~4,000 instructions a round trip).
pub(crate) fn http_date(ms: Millis) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(Millis, String)>> = const { std::cell::RefCell::new(None) };
    }
    let second = ms / 1000;
    LAST.with(|last| {
        // Not re-entered (formatting calls no code of ours); were it ever, no cache.
        let Ok(mut last) = last.try_borrow_mut() else {
            return format_http_date(ms);
        };
        match &*last {
            Some((s, text)) if *s == second => text.clone(),
            _ => {
                let text = format_http_date(ms);
                *last = Some((second, text.clone()));
                text
            }
        }
    })
}

fn format_http_date(ms: Millis) -> String {
    jiff::Timestamp::from_millisecond(ms as i64)
        .map(|t| t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod formats {
    #[test]
    fn iso8601_and_http_date() {
        assert_eq!(
            super::iso8601(1_710_679_799_123),
            "2024-03-17T12:49:59.123Z"
        );
        assert_eq!(
            super::http_date(1_710_679_799_123),
            "Sun, 17 Mar 2024 12:49:59 GMT"
        );
        // The kept text is the same second's only.
        assert_eq!(
            super::http_date(1_710_679_799_999),
            "Sun, 17 Mar 2024 12:49:59 GMT"
        );
        assert_eq!(
            super::http_date(1_710_679_800_000),
            "Sun, 17 Mar 2024 12:50:00 GMT"
        );
        assert_eq!(
            super::http_date(1_710_679_799_000),
            "Sun, 17 Mar 2024 12:49:59 GMT"
        );
    }
}

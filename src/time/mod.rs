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
pub(crate) fn http_date(ms: Millis) -> String {
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
    }
}

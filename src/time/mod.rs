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

pub use clock::{Clock, Millis};

//! Executions: the interpreter loop, retries and catchers, timeouts, the task-token registry,
//! the history, the clock and ids.

pub mod clock;

//! Expectations: how many times a worker must take a task, or a fault must fire ([`Times`]), and
//! the verification entry an unmet one adds to the report.

use std::fmt;
use std::ops::{Bound, RangeBounds};

/// How many times something is expected to happen: `.expect(1)`, `.expect(2..)`,
/// `.expect(..=3)`. Workers count deliveries ([`Worker::expect`](crate::Worker::expect)),
/// faults count injections ([`Fault::expect`](crate::Fault::expect)); both are verified by
/// [`Harness::verify`](crate::Harness::verify) and when the harness is dropped.
///
/// ```
/// use sfn_harness::prelude::*;
///
/// assert_eq!(Times::from(1).to_string(), "exactly 1");
/// assert_eq!(Times::from(2..=3).to_string(), "between 2 and 3");
/// assert_eq!(Times::from(1..).to_string(), "at least 1");
/// assert_eq!(Times::from(..3).to_string(), "between 0 and 2");
///
/// // Anything that converts into `Times` is accepted by `.expect(..)`.
/// let worker = Worker::on_task("Charge").respond(serde_json::json!({})).expect(1..=2);
/// # drop(worker);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    min: u64,
    max: Option<u64>,
}

impl Times {
    /// Whether `n` occurrences meet the expectation.
    pub(crate) fn contains(&self, n: u64) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

impl fmt::Display for Times {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(m) if m == self.min => write!(f, "exactly {m}"),
            Some(m) => write!(f, "between {} and {m}", self.min),
            None => write!(f, "at least {}", self.min),
        }
    }
}

impl From<u64> for Times {
    fn from(n: u64) -> Times {
        Times {
            min: n,
            max: Some(n),
        }
    }
}

macro_rules! times_from_range {
    ($($t:ty),*) => {$(
        impl From<$t> for Times {
            fn from(r: $t) -> Times {
                let min = match r.start_bound() {
                    Bound::Included(&n) => n,
                    Bound::Excluded(&n) => n + 1,
                    Bound::Unbounded => 0,
                };
                let max = match r.end_bound() {
                    Bound::Included(&n) => Some(n),
                    Bound::Excluded(&n) => Some(n.saturating_sub(1)),
                    Bound::Unbounded => None,
                };
                Times { min, max }
            }
        }
    )*};
}
times_from_range!(
    std::ops::Range<u64>,
    std::ops::RangeInclusive<u64>,
    std::ops::RangeFrom<u64>,
    std::ops::RangeTo<u64>,
    std::ops::RangeToInclusive<u64>
);

/// What an expectation counts, as the verification report words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    /// A worker's deliveries.
    Deliveries,
    /// A fault's injections.
    Injections,
}

/// One expectation not met: who (a worker's or fault's label), what was expected, what happened,
/// and the log of what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    /// The worker's or fault's label (`worker 'the bureau' (state 'CheckCredit')`).
    pub label: String,
    /// What was expected.
    pub expected: Times,
    /// How many times it happened.
    pub actual: u64,
    /// What the worker did, one line per action (empty for faults).
    pub log: Vec<String>,
    pub(crate) counted: Counted,
}

impl Unmet {
    /// The entry if `actual` does not meet `expect`.
    pub(crate) fn check(
        label: String,
        counted: Counted,
        expect: Option<Times>,
        actual: u64,
        log: impl FnOnce() -> Vec<String>,
    ) -> Option<Unmet> {
        let expected = expect?;
        (!expected.contains(actual)).then(|| Unmet {
            label,
            expected,
            actual,
            log: log(),
            counted,
        })
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (expected, happened) = match self.counted {
            Counted::Deliveries => ("Expected deliveries", "Received"),
            Counted::Injections => ("Expected injections", "Injected"),
        };
        write!(
            f,
            "{}\n\t{expected}: {}\n\t{happened}: {}",
            self.label, self.expected, self.actual
        )?;
        for line in &self.log {
            write!(f, "\n\t- {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_convert_with_their_bounds() {
        assert_eq!(Times::from(3..5).to_string(), "between 3 and 4");
        assert_eq!(Times::from(..=2).to_string(), "between 0 and 2");
        assert!(Times::from(2..).contains(7));
    }

    #[test]
    fn unmet_entries_read_as_before() {
        let worker = Unmet::check("w".into(), Counted::Deliveries, Some(1.into()), 0, || {
            vec!["#0: respond {}".into()]
        });
        assert_eq!(
            worker.map(|u| u.to_string()).as_deref(),
            Some("w\n\tExpected deliveries: exactly 1\n\tReceived: 0\n\t- #0: respond {}")
        );
        let fault = Unmet::check(
            "f".into(),
            Counted::Injections,
            Some((1..).into()),
            0,
            Vec::new,
        );
        assert_eq!(
            fault.map(|u| u.to_string()).as_deref(),
            Some("f\n\tExpected injections: at least 1\n\tInjected: 0")
        );
        assert!(Unmet::check("w".into(), Counted::Deliveries, None, 0, Vec::new).is_none());
    }
}

//! What a scripted worker or a fault applies to: one [`Scope`] type for both, so they narrow
//! the same way (`.for_machine(..)`, `.on_queue(..)`, `.when(..)`, `.times(n)`, `.expect(..)`)
//! and match with the same code.
//!
//! A worker's scope always names a state (the one given to `on_task`); a fault's may. The
//! predicate sees what each applies to: a worker's, the task's input (the message body, for
//! SQS); a fault's, the [`FaultEvent`](crate::FaultEvent).

use std::fmt;
use std::sync::Arc;

use crate::harness::expect::{Counted, Times, Unmet};

/// A predicate over what a worker or fault sees.
pub(crate) type Predicate<T> = Arc<dyn Fn(&T) -> bool + Send + Sync>;

/// The narrowing, frequency and expectation of a worker or a fault.
pub(crate) struct Scope<T: ?Sized> {
    /// The name shown in reports.
    pub(crate) name: Option<String>,
    /// Only tasks of this Task state.
    pub(crate) state: Option<String>,
    /// Only this state machine (name or ARN).
    pub(crate) machine: Option<String>,
    /// Only this queue (name or URL).
    pub(crate) queue: Option<String>,
    /// Only invocations of this Lambda function (by name), for workers made by `on_lambda`.
    pub(crate) function: Option<String>,
    /// Only what this predicate admits.
    pub(crate) predicate: Option<Predicate<T>>,
    /// At most this many times.
    pub(crate) times: Option<u64>,
    /// Expected this many times.
    pub(crate) expect: Option<Times>,
}

// Derived `Clone` would require `T: Clone`; the predicate is shared, not cloned.
impl<T: ?Sized> Clone for Scope<T> {
    fn clone(&self) -> Self {
        Scope {
            name: self.name.clone(),
            state: self.state.clone(),
            machine: self.machine.clone(),
            queue: self.queue.clone(),
            function: self.function.clone(),
            predicate: self.predicate.clone(),
            times: self.times,
            expect: self.expect,
        }
    }
}

impl<T: ?Sized> Default for Scope<T> {
    fn default() -> Self {
        Scope {
            name: None,
            state: None,
            machine: None,
            queue: None,
            function: None,
            predicate: None,
            times: None,
            expect: None,
        }
    }
}

impl<T: ?Sized> fmt::Debug for Scope<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("name", &self.name)
            .field("state", &self.state)
            .field("machine", &self.machine)
            .field("queue", &self.queue)
            .field("function", &self.function)
            .field("predicate", &self.predicate.as_ref().map(|_| "<fn>"))
            .field("times", &self.times)
            .field("expect", &self.expect)
            .finish()
    }
}

/// The narrowing methods workers and faults share, written once over their `scope` field. Each
/// type gives its own docs (and examples): `fn method(kind);`, where `kind` is the [`Scope`]
/// field the method sets (`when` takes a predicate over `seen`).
macro_rules! scope_methods {
    (impl [$($generics:tt)*] $ty:ty, seen: $seen:ty {
        $($(#[$doc:meta])* fn $method:ident($kind:ident);)*
    }) => {
        impl<$($generics)*> $ty {
            $($crate::harness::scope::scope_methods!(@method $seen, $(#[$doc])* $method $kind);)*
        }
    };
    (@method $seen:ty, $(#[$doc:meta])* $method:ident when) => {
        $(#[$doc])*
        pub fn $method<F>(mut self, predicate: F) -> Self
        where
            F: Fn(&$seen) -> bool + Send + Sync + 'static,
        {
            self.scope.predicate = Some(::std::sync::Arc::new(predicate));
            self
        }
    };
    (@method $seen:ty, $(#[$doc:meta])* $method:ident times) => {
        $(#[$doc])*
        pub fn $method(mut self, n: u64) -> Self {
            self.scope.times = Some(n);
            self
        }
    };
    (@method $seen:ty, $(#[$doc:meta])* $method:ident expect) => {
        $(#[$doc])*
        pub fn $method(mut self, times: impl Into<$crate::harness::Times>) -> Self {
            self.scope.expect = Some(times.into());
            self
        }
    };
    (@method $seen:ty, $(#[$doc:meta])* $method:ident $field:ident) => {
        $(#[$doc])*
        pub fn $method(mut self, $field: impl Into<String>) -> Self {
            self.scope.$field = Some($field.into());
            self
        }
    };
}
pub(crate) use scope_methods;

/// What a task, call or message is about, as a scope sees it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Subject<'a> {
    /// The Task state whose task it is.
    pub(crate) state: Option<&'a str>,
    /// Every way of naming its state machine that is known (names and ARNs); a scope's
    /// `machine` must equal one of them.
    pub(crate) machine: &'a [&'a str],
    /// Its queue, by name or URL.
    pub(crate) queue: Option<&'a str>,
    /// The Lambda function it invokes, by name.
    pub(crate) function: Option<&'a str>,
}

impl<T: ?Sized> Scope<T> {
    /// A scope for the Task state `state`.
    pub(crate) fn for_state(state: &str) -> Self {
        Scope {
            state: Some(state.to_string()),
            ..Scope::default()
        }
    }

    /// Whether the scope admits `subject`, which shows `seen` to the predicate. The predicate
    /// runs last, only for subjects the other narrowing admits.
    pub(crate) fn admits(&self, subject: &Subject<'_>, seen: &T) -> bool {
        if let Some(s) = &self.state {
            if subject.state != Some(s.as_str()) {
                return false;
            }
        }
        if let Some(m) = &self.machine {
            if !subject.machine.contains(&m.as_str()) {
                return false;
            }
        }
        if let Some(f) = &self.function {
            if subject.function != Some(f.as_str()) {
                return false;
            }
        }
        if let Some(q) = &self.queue {
            let Some(actual) = subject.queue else {
                return false;
            };
            if !same_queue(q, actual) {
                return false;
            }
        }
        if let Some(p) = &self.predicate {
            if !p(seen) {
                return false;
            }
        }
        true
    }

    /// Whether `.times(n)` allows one more after `so_far`.
    pub(crate) fn allows(&self, so_far: u64) -> bool {
        self.times.is_none_or(|limit| so_far < limit)
    }

    /// The verification entry if `actual` does not meet `.expect(..)`.
    pub(crate) fn unmet(
        &self,
        label: String,
        counted: Counted,
        actual: u64,
        log: impl FnOnce() -> Vec<String>,
    ) -> Option<Unmet> {
        Unmet::check(label, counted, self.expect, actual, log)
    }
}

/// Whether a scope's queue (a name or URL) is `actual` (a name or URL).
fn same_queue(scope: &str, actual: &str) -> bool {
    use crate::sqs::queue_name_in as name;
    actual == scope || name(actual) == scope || name(scope) == actual
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";

    fn subject<'a>(machine: &'a [&'a str], queue: Option<&'a str>) -> Subject<'a> {
        Subject {
            state: Some("Work"),
            machine,
            queue,
            function: None,
        }
    }

    #[test]
    fn machines_match_by_any_known_name() {
        let mut s = Scope::<()>::for_state("Work");
        s.machine = Some("orders".into());
        assert!(s.admits(&subject(&[ARN, "orders"], None), &()));
        s.machine = Some(ARN.into());
        assert!(s.admits(&subject(&[ARN, "orders"], None), &()));
        assert!(!s.admits(&subject(&[], None), &()));
    }

    #[test]
    fn queues_match_by_name_or_url() {
        let url = "http://127.0.0.1:1/123456789012/jobs";
        let mut s = Scope::<()>::for_state("Work");
        for q in ["jobs", url] {
            s.queue = Some(q.into());
            assert!(s.admits(&subject(&[], Some(url)), &()), "{q}");
            assert!(s.admits(&subject(&[], Some("jobs")), &()), "{q}");
            assert!(!s.admits(&subject(&[], Some("other")), &()), "{q}");
            assert!(!s.admits(&subject(&[], None), &()), "{q}");
        }
    }

    #[test]
    fn the_predicate_runs_last() {
        let mut s = Scope::<u32>::for_state("Work");
        s.predicate = Some(Arc::new(|n: &u32| *n > 1));
        assert!(s.admits(&subject(&[], None), &2));
        assert!(!s.admits(&subject(&[], None), &1));
        let other = Subject {
            state: Some("Other"),
            ..subject(&[], None)
        };
        assert!(!s.admits(&other, &2));
        s.times = Some(1);
        assert!(s.allows(0) && !s.allows(1));
    }
}

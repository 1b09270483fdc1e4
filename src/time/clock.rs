//! One clock for everything the engine waits on.
//!
//! A [`Clock`] is either *real* (wall time, tokio timers) or *virtual*: time stands still until
//! it is moved, by hand with [`Clock::advance`] or automatically while someone awaits a result
//! through [`Clock::run_until`]. Automatic skipping happens only when nothing that could still
//! act sooner is in flight: every piece of work that might create a timer or answer one (an
//! execution's interpreter loop, an HTTP request being served, a scripted worker) counts as an
//! *activity*, and the clock skips to the next timer only when no activity is runnable.
//!
//! Activities are counted precisely, with no real-time guesswork: [`Clock::activity`] marks a
//! fiber of work as live, and [`Clock::park`] wraps every await point that waits on something
//! outside the fiber. A parked fiber stops counting; the moment whatever it waits for wakes it,
//! the waker counts it again *before* it is scheduled, so there is no window in which a woken but
//! not yet polled fiber looks idle.
//!
//! ```
//! use sfn_harness::time::Clock;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let clock = Clock::virtual_at(1_700_000_000_000);
//! let start = clock.now_ms();
//! // An hour-long sleep finishes at once: nothing else can happen before it.
//! clock.run_until(clock.sleep(Duration::from_secs(3600))).await;
//! assert_eq!(clock.now_ms() - start, 3_600_000);
//! # }
//! ```

use crate::sync::lock;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

/// How long [`Clock::settle`] waits at most for live activities to finish. It returns as soon
/// as nothing is live, so the bound only matters when something stays busy; it is generous
/// because on a loaded machine (a CI runner running many tests on two cores) a woken fiber can
/// wait more than a second to be scheduled, and a settle that gave up on it then let
/// `advance` move time past a timer the fiber was about to set (a scripted worker's answer
/// went missing that way under load).
pub(crate) const SETTLE_BOUND: Duration = Duration::from_secs(10);

/// Milliseconds since the Unix epoch, the engine's unit of time (a plain `u64` in the public
/// signatures: `Clock::now_ms`, `Clock::virtual_at`, `HarnessBuilder::start_time_ms`).
pub(crate) type Millis = u64;

/// The engine's clock: real or virtual. Cheap to clone; clones share one time line.
///
/// A test meets it as [`Harness::clock`](crate::Harness::clock): to read the time, to move it by
/// hand, or to run its own worker on it so that the worker's long polls end in virtual time.
///
/// ```
/// use sfn_harness::prelude::*;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() {
/// let h = Harness::builder().seed(1).start().await;
/// let clock: &Clock = h.clock();
/// let t0 = clock.now_ms();
///
/// // A sleep on the harness clock: an hour passes in virtual time, not in wall time.
/// let sleeper = clock.clone();
/// let woke = clock.run_until(async move { sleeper.sleep(Duration::from_secs(3600)).await; sleeper.now_ms() }).await;
/// assert_eq!(woke - t0, 3_600_000);
/// # }
/// ```
#[derive(Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("virtual", &self.is_virtual())
            .field("now_ms", &self.now_ms())
            .finish()
    }
}

/// A condition under which virtual time must not skip (see [`Clock::add_hold`]).
pub(crate) type Hold = Arc<dyn Fn() -> bool + Send + Sync>;

struct Inner {
    virtual_time: bool,
    state: Mutex<State>,
    /// A copy of `State::now`, stored (under the state lock) whenever it moves: reading the
    /// time takes no lock (the interpreter reads it for every event; issue 13).
    now: AtomicU64,
    holds: Mutex<Vec<Hold>>,
    /// Held for the whole of an [`Clock::advance`]: advances do not interleave, and automatic
    /// skipping stands aside while one is under way.
    advancing: tokio::sync::Mutex<()>,
    /// Signalled whenever the clock may have become idle (or a timer was added).
    changed: Notify,
}

#[derive(Default)]
struct State {
    now: Millis,
    /// Live activities (running or runnable fibers, requests in flight, skip locks).
    active: i64,
    /// Pending timers, ordered by deadline then registration order.
    timers: BTreeMap<(Millis, u64, u64), Arc<TimerSlot>>,
    next_seq: u64,
    next_fiber: u64,
    /// Bumped on every change, so the skipper can tell a stable idle state from a passing one.
    generation: u64,
}

struct TimerSlot {
    fired: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

fn wall_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

impl Default for Clock {
    fn default() -> Self {
        Clock::real()
    }
}

impl Clock {
    /// A clock that follows wall time.
    pub fn real() -> Clock {
        Clock::new(false, 0)
    }

    /// A virtual clock that starts at `start_ms` (milliseconds since the Unix epoch) and moves
    /// only when advanced or skipped.
    ///
    /// ```
    /// use sfn_harness::Clock;
    ///
    /// let start = 1_704_067_200_000; // 2024-01-01T00:00:00Z
    /// assert_eq!(Clock::virtual_at(start).now_ms(), start);
    /// ```
    pub fn virtual_at(start_ms: Millis) -> Clock {
        Clock::new(true, start_ms)
    }

    /// A virtual clock that starts at the current wall time.
    pub fn virtual_now() -> Clock {
        Clock::virtual_at(wall_ms())
    }

    fn new(virtual_time: bool, now: Millis) -> Clock {
        Clock {
            inner: Arc::new(Inner {
                virtual_time,
                now: AtomicU64::new(now),
                state: Mutex::new(State {
                    now,
                    ..State::default()
                }),
                holds: Mutex::new(Vec::new()),
                advancing: tokio::sync::Mutex::new(()),
                changed: Notify::new(),
            }),
        }
    }

    /// Whether this clock is virtual (its `Debug` says so too).
    pub(crate) fn is_virtual(&self) -> bool {
        self.inner.virtual_time
    }

    /// The current time in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> Millis {
        if self.inner.virtual_time {
            self.inner.now.load(Ordering::Acquire)
        } else {
            wall_ms()
        }
    }

    /// Sleeps for `d` on this clock.
    pub async fn sleep(&self, d: Duration) {
        let deadline = self.now_ms().saturating_add(d.as_millis() as Millis);
        self.sleep_until(deadline).await
    }

    /// Sleeps until `deadline` (milliseconds since the Unix epoch) on this clock.
    pub(crate) async fn sleep_until(&self, deadline: Millis) {
        if !self.inner.virtual_time {
            let now = wall_ms();
            if deadline > now {
                // Boxed: tokio's timer entry is ~110 bytes, and every future that can sleep
                // (a task waiting on its token with a timeout, say) would hold room for it for as
                // long as it waits, asleep or not (issue 13).
                Box::pin(tokio::time::sleep(Duration::from_millis(deadline - now))).await;
            }
            return;
        }
        let slot = {
            let mut st = lock(&self.inner.state);
            if deadline <= st.now {
                return;
            }
            let slot = Arc::new(TimerSlot {
                fired: AtomicBool::new(false),
                waker: Mutex::new(None),
            });
            let seq = st.next_seq;
            st.next_seq += 1;
            st.generation += 1;
            // Timers due at the same instant fire in the order of the fibers that set them
            // (fibers are numbered as they are spawned), then in the order they were set: the
            // same order on every run, whatever the thread scheduling.
            let fiber = FIBER.try_with(|f| *f).unwrap_or(u64::MAX);
            st.timers.insert((deadline, fiber, seq), slot.clone());
            drop(st);
            self.inner.changed.notify_waiters();
            TimerGuard {
                clock: self.clone(),
                key: (deadline, fiber, seq),
                slot,
            }
        };
        TimerWait { guard: &slot }.await;
    }

    /// Marks a fiber of work as live until the returned guard is dropped. While any activity
    /// is live and not parked, virtual time does not skip.
    pub(crate) fn activity(&self) -> Activity {
        let mut st = lock(&self.inner.state);
        st.active += 1;
        st.generation += 1;
        Activity {
            clock: Arc::downgrade(&self.inner),
        }
    }

    /// Awaits `fut` as an idle wait of the current fiber: while it is pending the fiber does not
    /// count as live; when `fut`'s waker fires, the fiber counts again at once.
    ///
    /// Only a fiber that holds an [`Activity`] may park (a long poll inside a request handler,
    /// say); tasks started with [`Clock::spawn`] are parked as a whole already, and a park nested
    /// inside another is transparent.
    pub(crate) fn park<F: Future>(&self, fut: F) -> Park<F> {
        Park {
            fut,
            clock: self.clone(),
            flag: None,
        }
    }

    /// Spawns `fut` as a tracked task: it counts as an activity while it is runnable, so virtual
    /// time never skips while it could still make progress.
    pub fn spawn<F>(&self, fut: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let activity = self.activity();
        let fiber = {
            let mut st = lock(&self.inner.state);
            st.next_fiber += 1;
            st.next_fiber
        };
        let parked = self.park(FIBER.scope(fiber, fut));
        // A `map` rather than an `async move` block: the block would store the future twice
        // (captured, and as the awaited value), and a parked execution's task holds this for
        // as long as it waits (issue 13: its task's allocation went from 1,152 to 640 bytes).
        tokio::spawn(futures_util::FutureExt::map(parked, move |out| {
            drop(activity);
            out
        }))
    }

    /// Moves virtual time forward by `d`, firing every timer that falls due on the way, in
    /// deadline order. Has no effect on a real clock. An advance asked for while another is
    /// under way starts when that one has finished.
    pub async fn advance(&self, d: Duration) {
        drop(self.advance_holding(d).await);
    }

    /// [`Clock::advance`], returning an activity taken before the advance lets the next one
    /// start: whoever waits for this advance can hand it on, so no other advance finds the
    /// clock idle in between (and skips past a fiber that this advance is about to wake).
    pub(crate) async fn advance_holding(&self, d: Duration) -> Activity {
        if !self.inner.virtual_time {
            return self.activity();
        }
        let _one_at_a_time = self.inner.advancing.lock().await;
        // Let whatever is running now settle first: an answer just sent must be seen before
        // any timer it would cancel can fire.
        self.settle().await;
        let target = self.now_ms().saturating_add(d.as_millis() as Millis);
        loop {
            let fired = {
                let mut st = lock(&self.inner.state);
                match st.timers.first_key_value() {
                    Some((&(deadline, _, _), _)) if deadline <= target => {
                        st.now = st.now.max(deadline);
                        self.inner.now.store(st.now, Ordering::Release);
                        Self::fire_due(&mut st)
                    }
                    _ => {
                        st.now = st.now.max(target);
                        self.inner.now.store(st.now, Ordering::Release);
                        st.generation += 1;
                        break;
                    }
                }
            };
            wake_all(fired);
            // Let the woken fibers run (and perhaps set new timers) before going further.
            self.settle().await;
        }
        self.activity()
    }

    /// Waits until no activity is live: everything that can happen without time passing has
    /// happened (bounded by `SETTLE_BOUND` (10 s) of wall time, for activities that stay busy, such as
    /// a request being served to a slow client).
    pub async fn settle(&self) {
        let deadline = tokio::time::Instant::now() + SETTLE_BOUND;
        loop {
            tokio::task::yield_now().await;
            let notified = self.inner.changed.notified();
            if lock(&self.inner.state).active <= 0 || tokio::time::Instant::now() >= deadline {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(1), notified).await;
        }
    }

    /// Fires the first due timer. Timers fire one at a time, each after the system has settled
    /// from the previous one, so simultaneous timers act in a repeatable order.
    fn fire_due(st: &mut State) -> Vec<Arc<TimerSlot>> {
        let mut fired = Vec::new();
        if let Some(entry) = st.timers.first_entry() {
            if entry.key().0 <= st.now {
                fired.push(entry.remove());
            }
        }
        st.generation += 1;
        for slot in &fired {
            slot.fired.store(true, Ordering::SeqCst);
        }
        fired
    }

    /// The deadline of the next pending timer, if any.
    #[cfg(test)]
    pub(crate) fn next_deadline(&self) -> Option<Millis> {
        lock(&self.inner.state)
            .timers
            .first_key_value()
            .map(|(k, _)| k.0)
    }

    /// Awaits `fut` while skipping virtual time forward whenever everything else is idle: no
    /// activity is live, and a timer is pending. On a real clock this simply awaits `fut`.
    pub async fn run_until<F: Future>(&self, fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        if !self.inner.virtual_time {
            return fut.await;
        }
        loop {
            let notified = self.inner.changed.notified();
            tokio::select! {
                biased;
                out = &mut fut => return out,
                _ = notified => {}
                // A periodic re-check guards against a change that happened between the check
                // below and the registration of `notified`.
                _ = tokio::time::sleep(Duration::from_millis(5)) => {}
            }
            self.try_skip().await;
        }
    }

    /// Adds a condition under which automatic skipping waits, even though no activity is live:
    /// work the clock cannot see that is about to happen (a worker in another task about to
    /// take a task that is waiting for it). While `hold` returns `true`, [`Clock::run_until`]
    /// does not skip; [`Clock::advance`] is explicit and ignores holds. A hold is asked only
    /// when the clock is otherwise idle, must be cheap, and must not keep what owns the clock
    /// alive (capture `Weak` references).
    pub(crate) fn add_hold(&self, hold: Hold) {
        lock(&self.inner.holds).push(hold);
    }

    fn held(&self) -> bool {
        let holds = lock(&self.inner.holds).clone();
        holds.iter().any(|h| h())
    }

    /// Skips to the next timer if the clock is idle and stays idle across a few scheduler turns.
    async fn try_skip(&self) {
        let Ok(_no_advance) = self.inner.advancing.try_lock() else {
            return; // an advance is under way; it fires what falls due
        };
        let snapshot = {
            let st = lock(&self.inner.state);
            if st.active > 0 || st.timers.is_empty() {
                return;
            }
            st.generation
        };
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        if self.held() {
            return;
        }
        let fired = {
            let mut st = lock(&self.inner.state);
            if st.active > 0 || st.generation != snapshot {
                return;
            }
            let Some((&(deadline, _, _), _)) = st.timers.first_key_value() else {
                return;
            };
            st.now = st.now.max(deadline);
            self.inner.now.store(st.now, Ordering::Release);
            Self::fire_due(&mut st)
        };
        wake_all(fired);
    }

    /// Whether nothing can ever happen on this clock by itself: it is virtual, no activity is
    /// live, no timer is pending, no advance is under way and no hold holds. Only a wake from
    /// outside the clock (a real client's request, a test's own code) can change that. Always
    /// `false` on a real clock.
    pub(crate) fn is_quiescent(&self) -> bool {
        if !self.inner.virtual_time {
            return false;
        }
        let Ok(_no_advance) = self.inner.advancing.try_lock() else {
            return false;
        };
        {
            let st = lock(&self.inner.state);
            if st.active > 0 || !st.timers.is_empty() {
                return false;
            }
        }
        !self.held()
    }

    /// The number of live activities (for diagnostics and tests).
    #[cfg(test)]
    pub(crate) fn active(&self) -> i64 {
        lock(&self.inner.state).active
    }

    fn bump(&self, delta: i64) {
        bump(&self.inner, delta);
    }
}

fn bump(inner: &Inner, delta: i64) {
    let idle = {
        let mut st = lock(&inner.state);
        st.active += delta;
        st.generation += 1;
        st.active <= 0
    };
    if idle {
        inner.changed.notify_waiters();
    }
}

fn wake_all(fired: Vec<Arc<TimerSlot>>) {
    for slot in fired {
        if let Some(w) = lock(&slot.waker).take() {
            w.wake();
        }
    }
}

/// A live fiber of work; see [`Clock::activity`]. Dropping it ends the activity.
#[must_use = "an activity ends when the guard is dropped"]
pub(crate) struct Activity {
    clock: Weak<Inner>,
}

impl std::fmt::Debug for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Activity")
    }
}

impl Drop for Activity {
    fn drop(&mut self) {
        if let Some(inner) = self.clock.upgrade() {
            bump(&inner, -1);
        }
    }
}

struct TimerGuard {
    clock: Clock,
    key: (Millis, u64, u64),
    slot: Arc<TimerSlot>,
}

impl Drop for TimerGuard {
    fn drop(&mut self) {
        if !self.slot.fired.load(Ordering::SeqCst) {
            let mut st = lock(&self.clock.inner.state);
            st.timers.remove(&self.key);
            st.generation += 1;
        }
    }
}

struct TimerWait<'a> {
    guard: &'a TimerGuard,
}

impl Future for TimerWait<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let slot = &self.guard.slot;
        if slot.fired.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *lock(&slot.waker) = Some(cx.waker().clone());
        if slot.fired.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

tokio::task_local! {
    /// The number of the tracked task (fiber) being polled, to order simultaneous timers.
    static FIBER: u64;
}

thread_local! {
    /// How many `Park`s are being polled on this thread's stack. A `Park` polled inside another
    /// is transparent: the outermost one accounts for the whole fiber.
    static PARK_DEPTH: Cell<u32> = const { Cell::new(0) };
}

struct DepthGuard;

impl DepthGuard {
    fn enter() -> Option<DepthGuard> {
        PARK_DEPTH.with(|d| {
            if d.get() > 0 {
                None
            } else {
                d.set(1);
                Some(DepthGuard)
            }
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        PARK_DEPTH.with(|d| d.set(0));
    }
}

const RUNNING: u8 = 0;
const RUNNING_WOKEN: u8 = 1;
const IDLE: u8 = 2;

struct ParkFlag {
    clock: Weak<Inner>,
    state: AtomicU8,
    inner: Mutex<Waker>,
}

impl Wake for ParkFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(inner) = self.clock.upgrade() {
            let mut st = lock(&inner.state);
            match self.state.load(Ordering::SeqCst) {
                IDLE => {
                    self.state.store(RUNNING, Ordering::SeqCst);
                    st.active += 1;
                    st.generation += 1;
                }
                RUNNING => self.state.store(RUNNING_WOKEN, Ordering::SeqCst),
                _ => {}
            }
        }
        lock(&self.inner).wake_by_ref();
    }
}

/// The future returned by [`Clock::park`].
pub(crate) struct Park<F> {
    fut: F,
    clock: Clock,
    flag: Option<Arc<ParkFlag>>,
}

impl<F> std::fmt::Debug for Park<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Park")
            .field("clock", &self.clock)
            .field("parked", &self.flag.is_some())
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for Park<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `fut` is structurally pinned: it is never moved out of `self`, and `Park` has
        // no `Unpin` impl of its own beyond what the auto trait derives from `F`.
        let this = unsafe { self.get_unchecked_mut() };
        let depth = if this.clock.inner.virtual_time {
            DepthGuard::enter()
        } else {
            None
        };
        if depth.is_none() {
            // Real time, or nested inside another park: poll transparently.
            // SAFETY: as above.
            return unsafe { Pin::new_unchecked(&mut this.fut) }.poll(cx);
        }
        let flag = this
            .flag
            .get_or_insert_with(|| {
                Arc::new(ParkFlag {
                    clock: Arc::downgrade(&this.clock.inner),
                    state: AtomicU8::new(RUNNING),
                    inner: Mutex::new(cx.waker().clone()),
                })
            })
            .clone();
        {
            let mut w = lock(&flag.inner);
            if !w.will_wake(cx.waker()) {
                *w = cx.waker().clone();
            }
        }
        {
            // Being polled means we run: count the fiber if it was idle.
            let mut st = lock(&this.clock.inner.state);
            if flag.state.swap(RUNNING, Ordering::SeqCst) == IDLE {
                st.active += 1;
                st.generation += 1;
            }
        }
        let waker = Waker::from(flag.clone());
        let mut inner_cx = Context::from_waker(&waker);
        // SAFETY: as above.
        let res = unsafe { Pin::new_unchecked(&mut this.fut) }.poll(&mut inner_cx);
        if res.is_pending() {
            let mut st = lock(&this.clock.inner.state);
            if flag
                .state
                .compare_exchange(RUNNING, IDLE, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                st.active -= 1;
                st.generation += 1;
                let idle = st.active <= 0;
                drop(st);
                if idle {
                    this.clock.inner.changed.notify_waiters();
                }
            } else {
                // Woken while being polled: we will run again soon, so stay counted.
                flag.state.store(RUNNING, Ordering::SeqCst);
            }
        }
        res
    }
}

impl<F> Drop for Park<F> {
    fn drop(&mut self) {
        if let Some(flag) = &self.flag {
            // Dropped while idle: the fiber that dropped us is running, so count it again.
            if flag.state.swap(RUNNING, Ordering::SeqCst) == IDLE {
                self.clock.bump(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn real_clock_sleeps_for_real() {
        let c = Clock::real();
        let t0 = std::time::Instant::now();
        c.sleep(Duration::from_millis(20)).await;
        assert!(t0.elapsed() >= Duration::from_millis(19));
    }

    #[tokio::test]
    async fn advance_fires_timers_in_order() {
        let c = Clock::virtual_at(1_000);
        let order = Arc::new(Mutex::new(Vec::new()));
        for (i, ms) in [(1, 300u64), (2, 100), (3, 200)] {
            let (c2, o) = (c.clone(), order.clone());
            c.spawn(async move {
                c2.sleep(Duration::from_millis(ms)).await;
                lock(&o).push((i, c2.now_ms()));
            });
        }
        c.settle().await;
        c.advance(Duration::from_millis(250)).await;
        assert_eq!(*lock(&order), vec![(2, 1_100), (3, 1_200)]);
        assert_eq!(c.now_ms(), 1_250);
        c.advance(Duration::from_millis(100)).await;
        assert_eq!(lock(&order).len(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn run_until_skips_only_when_idle() {
        let c = Clock::virtual_at(0);
        let c2 = c.clone();
        let task = c.spawn(async move {
            // Busy for real time without parking: the clock must not skip meanwhile.
            let before = c2.now_ms();
            std::thread::sleep(Duration::from_millis(30));
            assert_eq!(c2.now_ms(), before);
            c2.sleep(Duration::from_secs(3600)).await;
            c2.sleep(Duration::from_secs(60)).await;
            c2.now_ms()
        });
        let end = c.run_until(task).await.unwrap();
        assert_eq!(end, 3_660_000);
    }

    #[tokio::test]
    async fn dropped_park_restores_count() {
        let c = Clock::virtual_at(0);
        let _a = c.activity();
        {
            let sleep = c.sleep(Duration::from_secs(5));
            let _ = tokio::time::timeout(Duration::from_millis(5), sleep).await;
        }
        assert_eq!(c.active(), 1);
        assert_eq!(c.next_deadline(), None, "a dropped sleep removes its timer");
    }

    /// Moved from the doc example of the (now crate-private) method it exercises.
    #[tokio::test]
    async fn a_hold_stops_the_skip_until_it_lets_go() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        use std::time::Duration;

        let clock = Clock::virtual_at(0);
        let busy = Arc::new(AtomicBool::new(true));
        let b = busy.clone();
        clock.add_hold(Arc::new(move || b.load(Ordering::SeqCst)));
        let held = tokio::time::timeout(
            Duration::from_millis(50),
            clock.run_until(clock.sleep(Duration::from_secs(60))),
        )
        .await;
        assert!(held.is_err(), "no skip while held");
        busy.store(false, Ordering::SeqCst);
        clock.run_until(clock.sleep(Duration::from_secs(60))).await;
        assert_eq!(clock.now_ms(), 60_000);
    }

    /// Moved from the doc example of the (now crate-private) method it exercises.
    #[tokio::test]
    async fn quiescent_when_nothing_can_happen_by_itself() {
        use std::time::Duration;

        let clock = Clock::virtual_at(0);
        assert!(clock.is_quiescent());
        let sleeper = clock.clone();
        let sleeping = tokio::spawn(async move { sleeper.sleep(Duration::from_secs(1)).await });
        while clock.next_deadline().is_none() {
            tokio::task::yield_now().await;
        }
        assert!(!clock.is_quiescent(), "a timer is due");
        clock.run_until(sleeping).await.unwrap();
        assert!(clock.is_quiescent());
    }
}

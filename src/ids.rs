//! Identifiers: execution names, task tokens, uuids.
//!
//! Real task tokens are unguessable: 128 bits from a cryptographically secure generator
//! (`rand`'s `ThreadRng`: ChaCha12, seeded from the operating system and reseeded as it goes;
//! asking the OS for every id cost a `getrandom` system call each, five a callback round
//! trip, issue 13). A harness built with a seed draws every id from one seeded generator
//! instead, so a test's ids (and therefore its history) repeat byte for byte.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::{RngCore, SeedableRng};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::sync::lock;
use rand_chacha::ChaCha12Rng;

/// Random bytes in a token: 128 bits.
const TOKEN_BYTES: usize = 16;

/// A seeded random stream kept as its seed and position: 32 bytes, where a live generator
/// holds ~330 (its key, counter and a 256-byte output buffer). A parked execution keeps two
/// (its own and its token generator's), so it keeps them like this (issue 13). Each draw
/// materialises the generator at the position and stores the position after it.
///
/// The stream is `StdRng::seed_from_u64(seed)`'s: rand 0.8's `StdRng` is `ChaCha12Rng`, seeded
/// the same way, and a ChaCha generator's state is its key and word position, so the values
/// drawn are the same, however the draws are split (tested below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stream {
    seed: u64,
    /// How many 32-bit words of the stream were drawn.
    word_pos: u128,
}

impl Stream {
    /// The stream of `StdRng::seed_from_u64(seed)`, from its start.
    pub(crate) fn seed_from_u64(seed: u64) -> Stream {
        Stream { seed, word_pos: 0 }
    }

    /// Runs `f` on the generator at the stream's position, and moves the position past what
    /// it drew.
    fn draw<R>(&mut self, f: impl FnOnce(&mut ChaCha12Rng) -> R) -> R {
        let mut rng = ChaCha12Rng::seed_from_u64(self.seed);
        if self.word_pos != 0 {
            rng.set_word_pos(self.word_pos);
        }
        let r = f(&mut rng);
        self.word_pos = rng.get_word_pos();
        r
    }
}

impl RngCore for Stream {
    fn next_u32(&mut self) -> u32 {
        self.draw(|r| r.next_u32())
    }

    fn next_u64(&mut self) -> u64 {
        self.draw(|r| r.next_u64())
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.draw(|r| r.fill_bytes(dest));
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.draw(|r| r.try_fill_bytes(dest))
    }
}

/// [`Ids`] shared by the threads of an engine or a service. Seeded, the one stream is drawn
/// under a lock, in call order (so the ids repeat); unseeded, each draw uses the calling
/// thread's generator and takes no lock at all (issue 13: every request of the callback round
/// trip took the lock, contended by the other worker thread).
#[derive(Debug)]
pub(crate) struct SharedIds {
    /// Whether `ids` is seeded, read without the lock.
    seeded: AtomicBool,
    ids: Mutex<Ids>,
}

impl SharedIds {
    /// Shares `ids`.
    pub(crate) fn new(ids: Ids) -> SharedIds {
        SharedIds {
            seeded: AtomicBool::new(ids.is_seeded()),
            ids: Mutex::new(ids),
        }
    }

    /// Draws from now on from `ids`.
    pub(crate) fn set(&self, ids: Ids) {
        let seeded = ids.is_seeded();
        *lock(&self.ids) = ids;
        self.seeded.store(seeded, Ordering::Release);
    }

    /// Whether ids are deterministic.
    pub(crate) fn is_seeded(&self) -> bool {
        self.seeded.load(Ordering::Acquire)
    }

    /// Runs `f` on the ids: the shared seeded stream, or an unseeded source of this thread's.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Ids) -> R) -> R {
        if self.is_seeded() {
            f(&mut lock(&self.ids))
        } else {
            f(&mut Ids::random())
        }
    }
}

/// A source of identifiers: seeded (deterministic) or from the thread's secure generator.
#[derive(Debug)]
pub(crate) struct Ids {
    seeded: Option<Stream>,
}

impl Ids {
    /// The prefix of every task token (AWS tokens start with `AQ` too).
    pub(crate) const TOKEN_PREFIX: &'static str = "AQsfnh";

    /// The length of every task token: the prefix and 128 bits in unpadded base64 (22
    /// characters).
    pub(crate) const TOKEN_LEN: usize = Self::TOKEN_PREFIX.len() + (TOKEN_BYTES * 8).div_ceil(6);

    /// Ids from the thread's secure generator (seeded from the operating system).
    pub(crate) fn random() -> Ids {
        Ids { seeded: None }
    }

    /// Deterministic ids from `seed`.
    pub(crate) fn seeded(seed: u64) -> Ids {
        Ids {
            seeded: Some(Stream::seed_from_u64(seed)),
        }
    }

    /// Whether ids are deterministic.
    pub(crate) fn is_seeded(&self) -> bool {
        self.seeded.is_some()
    }

    fn fill(&mut self, buf: &mut [u8]) {
        match &mut self.seeded {
            Some(rng) => rng.fill_bytes(buf),
            None => rand::thread_rng().fill_bytes(buf),
        }
    }

    /// A random 64-bit number (used to seed per-execution generators).
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        u64::from_le_bytes(b)
    }

    /// A version-4 UUID, hyphenated lower case.
    pub(crate) fn uuid(&mut self) -> String {
        let mut buf = uuid::Uuid::encode_buffer();
        // Encoded into a buffer, not through `fmt` (issue 13): the same text.
        self.random_uuid()
            .hyphenated()
            .encode_lower(&mut buf)
            .to_owned()
    }

    /// [`Ids::uuid`] without its hyphens (drawn the same way: the same stream).
    pub(crate) fn uuid_simple(&mut self) -> String {
        let mut buf = uuid::Uuid::encode_buffer();
        self.random_uuid()
            .simple()
            .encode_lower(&mut buf)
            .to_owned()
    }

    fn random_uuid(&mut self) -> uuid::Uuid {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    /// A new task token.
    pub(crate) fn task_token(&mut self) -> String {
        let mut b = [0u8; TOKEN_BYTES];
        self.fill(&mut b);
        format!("{}{}", Self::TOKEN_PREFIX, URL_SAFE_NO_PAD.encode(b))
    }

    /// The well-formed tokens that occur in `text` (a message body, say), in order.
    pub(crate) fn find_tokens(text: &str) -> impl Iterator<Item = &str> {
        text.match_indices(Self::TOKEN_PREFIX)
            .filter_map(move |(i, _)| text.get(i..i + Self::TOKEN_LEN))
            .filter(|t| Self::is_well_formed_token(t))
    }

    /// Whether `token` has the shape of a token this engine issues (AWS answers `InvalidToken`
    /// for malformed tokens and `TaskDoesNotExist` for well-formed unknown ones).
    pub(crate) fn is_well_formed_token(token: &str) -> bool {
        token
            .strip_prefix(Self::TOKEN_PREFIX)
            .and_then(|rest| URL_SAFE_NO_PAD.decode(rest).ok())
            .is_some_and(|b| b.len() == TOKEN_BYTES)
    }
}

#[cfg(test)]
mod doc_example_7 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::ids::Ids;

        let mut a = Ids::seeded(7);
        let mut b = Ids::seeded(7);
        assert_eq!(a.task_token(), b.task_token());
        assert!(Ids::is_well_formed_token(&a.task_token()));
        assert!(!Ids::is_well_formed_token("not-a-token"));
        let token = a.task_token();
        assert!(token.starts_with(Ids::TOKEN_PREFIX));
        assert_eq!(token.len(), Ids::TOKEN_LEN);
    }
}

#[cfg(test)]
mod doc_example_92 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::ids::Ids;
        let t = Ids::seeded(1).task_token();
        let body = format!(r#"{{"TaskToken":"{t}","n":1}}"#);
        assert_eq!(
            Ids::find_tokens(&body).collect::<Vec<_>>(),
            vec![t.as_str()]
        );
    }
}

#[cfg(test)]
mod stream {
    use rand::rngs::StdRng;
    use rand::{Rng, RngCore, SeedableRng};

    use super::{Ids, Stream};

    /// Draws of every kind and size, in an order that crosses the generator's 64-word buffer
    /// at odd offsets: a `Stream` gives what one live `StdRng` gives.
    #[test]
    fn a_stream_draws_what_std_rng_draws() {
        for seed in [0, 1, 7, u64::MAX, 0x746f_6b65_6e73] {
            let mut live = StdRng::seed_from_u64(seed);
            let mut parked = Stream::seed_from_u64(seed);
            for i in 0..300usize {
                match i % 5 {
                    0 => assert_eq!(live.next_u32(), parked.next_u32()),
                    1 => assert_eq!(live.next_u64(), parked.next_u64()),
                    2 => {
                        let (mut a, mut b) = (vec![0u8; i % 37], vec![0u8; i % 37]);
                        live.fill_bytes(&mut a);
                        parked.fill_bytes(&mut b);
                        assert_eq!(a, b);
                    }
                    3 => assert_eq!(live.r#gen::<f64>(), parked.r#gen::<f64>()),
                    _ => assert_eq!(live.gen_range(0..1000), parked.gen_range(0..1000)),
                }
            }
        }
    }

    /// The token generator kept as a stream issues the tokens it issued as a `StdRng`.
    #[test]
    fn a_simple_uuid_is_the_uuid_without_hyphens() {
        let (mut a, mut b) = (Ids::seeded(3), Ids::seeded(3));
        for _ in 0..50 {
            assert_eq!(a.uuid_simple(), b.uuid().replace('-', ""));
        }
    }

    #[test]
    fn seeded_ids_are_those_of_std_rng() {
        let mut ids = Ids::seeded(42);
        let mut rng = StdRng::seed_from_u64(42);
        for _ in 0..20 {
            let mut b = [0u8; 16];
            rng.fill_bytes(&mut b);
            let token = ids.task_token();
            assert_eq!(
                token,
                format!(
                    "{}{}",
                    Ids::TOKEN_PREFIX,
                    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b)
                )
            );
            let mut w = [0u8; 8];
            rng.fill_bytes(&mut w);
            assert_eq!(ids.next_u64(), u64::from_le_bytes(w));
        }
    }

    #[test]
    fn a_stream_is_small() {
        assert!(std::mem::size_of::<Stream>() <= 32);
    }
}

#[cfg(test)]
mod shared_tests {
    use super::{Ids, SharedIds};

    /// Seeded, shared ids are the seeded stream's, in call order, from any thread; unseeded,
    /// they are well formed and all different; `set` switches between the two.
    #[test]
    fn shared_ids_draw_the_seeded_stream_or_the_threads_generator() {
        let shared = SharedIds::new(Ids::seeded(9));
        let mut alone = Ids::seeded(9);
        assert!(shared.is_seeded());
        let first = shared.with(Ids::task_token);
        let from_another_thread = std::thread::scope(|s| {
            s.spawn(|| shared.with(Ids::task_token))
                .join()
                .expect("the thread draws a token")
        });
        assert_eq!(
            [first, from_another_thread],
            [alone.task_token(), alone.task_token()]
        );

        shared.set(Ids::random());
        assert!(!shared.is_seeded());
        let tokens: std::collections::HashSet<String> =
            (0..64).map(|_| shared.with(Ids::task_token)).collect();
        assert_eq!(tokens.len(), 64);
        assert!(tokens.iter().all(|t| Ids::is_well_formed_token(t)));

        shared.set(Ids::seeded(9));
        assert_eq!(shared.with(Ids::uuid), Ids::seeded(9).uuid());
    }
}

//! Identifiers: execution names, task tokens, uuids.
//!
//! Real task tokens are unguessable: 128 bits from the operating system's RNG. A harness built
//! with a seed draws every id from one seeded generator instead, so a test's ids (and therefore
//! its history) repeat byte for byte.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::{RngCore, SeedableRng};
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

/// A source of identifiers: seeded (deterministic) or from the OS RNG.
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

    /// Ids from the operating system's RNG.
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
            None => OsRng.fill_bytes(buf),
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
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid::Builder::from_random_bytes(b)
            .into_uuid()
            .hyphenated()
            .to_string()
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

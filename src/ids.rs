//! Identifiers: execution names, task tokens, uuids.
//!
//! Real task tokens are unguessable: 128 bits from the operating system's RNG. A harness built
//! with a seed draws every id from one seeded generator instead, so a test's ids (and therefore
//! its history) repeat byte for byte.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng};

/// Random bytes in a token: 128 bits.
const TOKEN_BYTES: usize = 16;

/// A source of identifiers: seeded (deterministic) or from the OS RNG.
#[derive(Debug)]
pub(crate) struct Ids {
    seeded: Option<StdRng>,
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
            seeded: Some(StdRng::seed_from_u64(seed)),
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

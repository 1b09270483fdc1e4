//! A character cursor shared by the hand-written parsers of the language: JSONPath
//! ([`path`](crate::asl::path)) and intrinsic function calls
//! ([`intrinsics`](crate::asl::intrinsics)).
//!
//! It knows characters, not grammar: peeking, eating, skipping whitespace, and the one token
//! both grammars read the same way, a bare literal such as `42`, `-1.5e3`, `true` or `null`
//! ([`Cursor::literal_token`]).

/// A position in a text, read one `char` at a time. Reading past the end yields `None`, never a
/// panic.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &str) -> Self {
        Cursor {
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    /// The position, in characters from the start.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Whether every character has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    /// The current character.
    pub(crate) fn peek(&self) -> Option<char> {
        self.peek_at(0)
    }

    /// The character `n` places after the current one.
    pub(crate) fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    /// Whether the unread text starts with `s`.
    pub(crate) fn starts_with(&self, s: &str) -> bool {
        let mut unread = self.chars.get(self.pos..).unwrap_or_default().iter();
        s.chars().all(|c| unread.next() == Some(&c))
    }

    /// Moves one character on.
    pub(crate) fn bump(&mut self) {
        self.advance(1);
    }

    /// Moves `n` characters on.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// Eats `c` if it is the current character.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Moves on while `pred` holds for the current character.
    pub(crate) fn eat_while(&mut self, pred: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
    }

    /// Skips whitespace.
    pub(crate) fn skip_ws(&mut self) {
        self.eat_while(char::is_whitespace);
    }

    /// The text from `start` to the current position.
    pub(crate) fn since(&self, start: usize) -> String {
        self.chars
            .get(start..self.pos)
            .unwrap_or_default()
            .iter()
            .collect()
    }

    /// A bare literal: the run of ASCII letters, digits, `+`, `-` and `.` from here (possibly
    /// empty). The caller decides what it means, usually with `serde_json`.
    pub(crate) fn literal_token(&mut self) -> String {
        let start = self.pos;
        self.eat_while(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        self.since(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literals_and_stops_at_punctuation() {
        let mut c = Cursor::new("  -1.5e3, true)");
        c.skip_ws();
        assert_eq!(c.literal_token(), "-1.5e3");
        assert!(c.eat(','));
        c.skip_ws();
        assert!(c.starts_with("true)"));
        assert_eq!(c.literal_token(), "true");
        assert!(c.starts_with(")"));
        c.bump();
        assert!(c.at_end());
        assert_eq!(c.peek(), None);
        assert_eq!(c.literal_token(), "");
    }
}

//! JSON text written by hand, byte for byte as `serde_json` writes the same value: string
//! literals and compact objects, for the texts the hot paths write without building a `Value`
//! first (history events, the replies of the round-trip operations; issue 13).
//!
//! Example: the unit test `json_text::tests::objects_are_written_as_serde_json_writes_them`.

/// Appends `s` as a JSON string literal (as serde_json writes it), without an allocation.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    push_json_str_contents(out, s);
    out.push('"');
}

/// What [`push_json_str`] writes between the quotes: `s` escaped as serde_json escapes a
/// `&str` (`"`, `\\` and the control characters; everything else, UTF-8 included, as is),
/// the runs between escapes copied whole (issue 13: the input and output texts of the
/// replies are full of quotes).
pub(crate) fn push_json_str_contents(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    // Names, ARNs and ids need no escape: copied whole.
    if !needs_escape(bytes) {
        out.push_str(s);
        return;
    }
    // Without control characters (JSON text, say), only `"` and `\\` are escaped: found with
    // `memchr`, the runs between them copied whole.
    if !bytes.iter().any(|&b| b < 0x20) {
        let mut start = 0;
        for i in memchr::memchr2_iter(b'"', b'\\', bytes) {
            // An ASCII byte: `i` and `i + 1` are character boundaries.
            out.push_str(&s[start..i]);
            out.push('\\');
            start = i;
        }
        out.push_str(&s[start..]);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            0x20.. => continue,
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0x08 => 'b',
            0x0c => 'f',
            _ => 'u',
        };
        // `b` is ASCII: `i` and `i + 1` are character boundaries.
        out.push_str(&s[start..i]);
        out.push('\\');
        out.push(short);
        if short == 'u' {
            out.push_str("00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Whether `bytes` hold a `"`, a `\\` or a control character (what a JSON string literal
/// escapes), eight bytes at a time: a byte equal to `c` is a zero byte of `x ^ c…c`, found
/// with the classic `(v - 0x01…01) & !v & 0x80…80` test, and a byte below `0x20` likewise.
fn needs_escape(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let quote = x ^ (LO * u64::from(b'"'));
        let backslash = x ^ (LO * u64::from(b'\\'));
        let found = (quote.wrapping_sub(LO) & !quote)
            | (backslash.wrapping_sub(LO) & !backslash)
            | (x.wrapping_sub(LO * 0x20) & !x);
        if found & HI != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// A compact JSON object written member by member, in the order written: the text
/// `serde_json` writes for the `Value` built in the same order (with `preserve_order`).
pub(crate) struct ObjectText(String);

impl ObjectText {
    /// An empty object (`{}` if nothing is added).
    pub(crate) fn new() -> ObjectText {
        let mut s = String::with_capacity(256);
        s.push('{');
        ObjectText(s)
    }

    fn key(&mut self, key: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        push_json_str(&mut self.0, key);
        self.0.push(':');
        &mut self.0
    }

    /// A string member.
    pub(crate) fn string(&mut self, key: &str, value: &str) -> &mut ObjectText {
        let out = self.key(key);
        push_json_str(out, value);
        self
    }

    /// A number member, written as `serde_json` writes an `f64` (`null` if not finite).
    pub(crate) fn number(&mut self, key: &str, value: f64) -> &mut ObjectText {
        let out = self.key(key);
        if value.is_finite() {
            out.push_str(zmij::Buffer::new().format_finite(value));
        } else {
            out.push_str("null");
        }
        self
    }

    /// An integer member.
    pub(crate) fn integer(&mut self, key: &str, value: i64) -> &mut ObjectText {
        let out = self.key(key);
        out.push_str(itoa::Buffer::new().format(value));
        self
    }

    /// A member whose value is JSON text already written (compact).
    pub(crate) fn raw(&mut self, key: &str, json: &str) -> &mut ObjectText {
        self.key(key).push_str(json);
        self
    }

    /// The object's text.
    pub(crate) fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// What the writer writes is what serde_json writes for the same value.
    #[test]
    fn objects_are_written_as_serde_json_writes_them() {
        for (s, n) in [
            ("plain", 1_764_763_200.123),
            ("q\"uo\\te \u{1} \n é", 0.1),
            ("", 1e21),
            ("x", -0.0),
            ("y", 5.0),
            ("z", 1.0e-7),
        ] {
            let mut o = ObjectText::new();
            o.string("a", s)
                .number("n", n)
                .integer("i", -42)
                .raw("r", r#"{"k":[1]}"#);
            o.string(s, "key escaped");
            let expected = json!({ "a": s, "n": n, "i": -42, "r": { "k": [1] }, s: "key escaped" });
            assert_eq!(o.finish(), serde_json::to_string(&expected).unwrap());
        }
        assert_eq!(ObjectText::new().finish(), "{}");
        // Every byte, at every place of an eight-byte word and in the remainder.
        for b in 0u8..=0xff {
            for at in 0..17 {
                let mut bytes = vec![b'a'; 17];
                bytes[at] = b;
                let want = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(needs_escape(&bytes), want, "byte {b:#x} at {at}");
            }
        }
        // Every byte that needs an escape, alone and between others.
        let all: String = (0u8..0x80).map(char::from).collect();
        for s in [all.as_str(), "\"", "\\", "a\u{7f}é\u{1f}\"b", ""] {
            let mut out = String::new();
            push_json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
        let mut o = ObjectText::new();
        o.number("inf", f64::INFINITY);
        assert_eq!(
            o.finish(),
            serde_json::to_string(&json!({ "inf": Value::Null })).unwrap()
        );
    }
}

//! Details texts as a record keeps them: the JSON text with AWS's recurring fragments written
//! as one byte each (issue 13).
//!
//! A history repeats the same pieces in every execution: `,"inputDetails":{"truncated":false}`
//! after every state's input, and, in the answer of each optimized integration (SQS, SNS, …),
//! the `SdkHttpMetadata` AWS records, ~450 bytes of header names and fixed values around a
//! request id and a date. A parked SQS callback's `TaskSubmitted` was 821 bytes of text; packed,
//! it is about 270.
//!
//! The codes are the bytes `0x01`–`0x1F`. JSON text never holds them raw: a string must escape
//! every control character (RFC 8259 §7, and serde_json and [`super::quoted_json_text`] do), and
//! compact text has no whitespace between tokens. So a packed text is still UTF-8, still a
//! `str`, and unpacking it is unambiguous whatever the fragments are. Packing finds the
//! fragments with `aho-corasick` (leftmost-longest); the renderers of the per-state events,
//! which run at every transition, write their fixed parts' codes directly ([`code`]) and are
//! scanned only when long, so a short state event costs nothing extra.
//!
//! ```text
//! {"name":"Ask","input":"{…}","inputDetails":{"truncated":false}}
//! \x03"Ask"\x04"{…}"\x01}
//! ```

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// The fragments; the code of `FRAGMENTS[i]` is the byte `i + 1`. Packed texts live only in
/// memory, so the table may change freely, as long as [`code`] names the same positions
/// (tested).
///
/// Read off the histories the engine writes for AWS's shapes (`events.rs`) and the SDK
/// metadata of `integrations::sdk_metadata`; at most 31.
const FRAGMENTS: [&str; 28] = [
    // 0x01–0x0D: written by the event renderers too (see `code`).
    r#","inputDetails":{"truncated":false}"#,
    r#","outputDetails":{"truncated":false}"#,
    r#"{"name":"#,
    r#","input":"#,
    r#","output":"#,
    r#"{"input":"#,
    r#"{"output":"#,
    r#"{"resourceType":""#,
    r#"","resource":""#,
    r#"","region":""#,
    r#"","parameters":"#,
    r#","timeoutInSeconds":"#,
    r#","heartbeatInSeconds":"#,
    // 0x0E–0x10: found by the scan (0x0E and 0x0F are written by the renderers too).
    r#","roleArn":"arn:aws:iam::"#,
    r#".waitForTaskToken"#,
    r#"arn:aws:states:"#,
    // 0x11–0x19: `SdkHttpMetadata` and `SdkResponseMetadata` inside an answer's text.
    r#"{\"MD5OfMessageBody\":\""#,
    r#"\",\"MessageId\":\""#,
    r#"\",\"SdkHttpMetadata\":{\"AllHttpHeaders\":{\"x-amzn-RequestId\":[\""#,
    r#"\"],\"connection\":[\"keep-alive\"],\"Content-Length\":[\""#,
    r#"\"],\"Date\":[\""#,
    r#" GMT\"],\"Content-Type\":[\"application/x-amz-json-1.0\"]},\"HttpHeaders\":{\"connection\":\"keep-alive\",\"Content-Length\":\""#,
    r#"\",\"Content-Type\":\"application/x-amz-json-1.0\",\"Date\":\""#,
    r#" GMT\",\"x-amzn-RequestId\":\""#,
    r#"\"},\"HttpStatusCode\":200},\"SdkResponseMetadata\":{\"RequestId\":\""#,
    // 0x1A–0x1C: errors and the Lambda answer.
    r#"{"error":""#,
    r#"","cause":""#,
    r#"\"StatusCode\":200"#,
];

/// The codes the per-state renderers write in place of their fixed parts.
pub(crate) mod code {
    /// `,"inputDetails":{"truncated":false}`
    pub(crate) const INPUT_DETAILS: &str = "\u{1}";
    /// `,"outputDetails":{"truncated":false}`
    pub(crate) const OUTPUT_DETAILS: &str = "\u{2}";
    /// `{"name":`
    pub(crate) const NAME_FIRST: &str = "\u{3}";
    /// `,"input":`
    pub(crate) const INPUT: &str = "\u{4}";
    /// `,"output":`
    pub(crate) const OUTPUT: &str = "\u{5}";
    /// `{"input":`
    pub(crate) const INPUT_FIRST: &str = "\u{6}";
    /// `{"output":`
    pub(crate) const OUTPUT_FIRST: &str = "\u{7}";
    /// `{"resourceType":"`
    pub(crate) const RESOURCE_TYPE_FIRST: &str = "\u{8}";
    /// `","resource":"`
    pub(crate) const RESOURCE: &str = "\u{9}";
    /// `","region":"`
    pub(crate) const REGION: &str = "\u{a}";
    /// `","parameters":`
    pub(crate) const PARAMETERS: &str = "\u{b}";
    /// `,"timeoutInSeconds":`
    pub(crate) const TIMEOUT: &str = "\u{c}";
    /// `,"heartbeatInSeconds":`
    pub(crate) const HEARTBEAT: &str = "\u{d}";
    /// `,"roleArn":"arn:aws:iam::`
    pub(crate) const ROLE_ARN_IAM: &str = "\u{e}";
    /// `.waitForTaskToken`
    pub(crate) const WAIT_FOR_TASK_TOKEN: &str = "\u{f}";
}

/// Texts at least this long are scanned for fragments; shorter ones (a Pass state's events)
/// keep only the codes their renderer wrote.
const SCAN_FROM: usize = 128;

/// Finds the fragments. Teddy (`aho_corasick::packed`, SIMD) where the CPU has it: the
/// fragments start with the same few bytes (`,"`, `{"`, `\"`) that fill every JSON text, so
/// the automaton's prefilter stops at almost every byte and the search cost ~80 instructions a
/// byte (issue 13: a third of the interpreter's work in the callback round trip); Teddy ~7.
/// Elsewhere, the automaton without a prefilter (~20).
enum Finder {
    Teddy(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Finder {
    /// Teddy when `simd` and the CPU has it, else the automaton; `None` only if the automaton
    /// cannot be built, which these few short constant strings never cause.
    fn new(simd: bool) -> Option<Finder> {
        let teddy = simd
            .then(|| {
                aho_corasick::packed::Config::new()
                    .match_kind(aho_corasick::packed::MatchKind::LeftmostLongest)
                    .builder()
                    .extend(FRAGMENTS)
                    .build()
            })
            .flatten();
        match teddy {
            Some(s) => Some(Finder::Teddy(s)),
            None => AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .prefilter(false)
                .build(FRAGMENTS)
                .ok()
                .map(Finder::Automaton),
        }
    }

    /// `text` with every fragment replaced by its code.
    fn pack(&self, text: String) -> Box<str> {
        let packed = match self {
            Finder::Teddy(s) => splice(&text, s.find_iter(&text)),
            Finder::Automaton(a) => splice(&text, a.find_iter(&text)),
        };
        packed.unwrap_or_else(|| text.into_boxed_str())
    }
}

/// `text` with the fragments `found` in it replaced by their codes, or `None` when it holds
/// none. One scan: the text is copied only when it holds a fragment.
fn splice(text: &str, found: impl Iterator<Item = aho_corasick::Match>) -> Option<Box<str>> {
    let mut found = found.peekable();
    found.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for m in found {
        out.push_str(&text[start..m.start()]);
        out.push_str(CODES[m.pattern().as_usize()]);
        start = m.end();
    }
    out.push_str(&text[start..]);
    Some(out.into_boxed_str())
}

static FINDER: LazyLock<Option<Finder>> = LazyLock::new(|| Finder::new(true));

/// The codes, as `str`s, in the order of [`FRAGMENTS`].
const CODES: [&str; 31] = [
    "\u{1}", "\u{2}", "\u{3}", "\u{4}", "\u{5}", "\u{6}", "\u{7}", "\u{8}", "\u{9}", "\u{a}",
    "\u{b}", "\u{c}", "\u{d}", "\u{e}", "\u{f}", "\u{10}", "\u{11}", "\u{12}", "\u{13}", "\u{14}",
    "\u{15}", "\u{16}", "\u{17}", "\u{18}", "\u{19}", "\u{1a}", "\u{1b}", "\u{1c}", "\u{1d}",
    "\u{1e}", "\u{1f}",
];

/// Packs a JSON text written by serde_json or an event renderer: every fragment replaced by
/// its code. `always` false skips the search for a short text whose renderer wrote its codes.
pub(crate) fn pack(text: String, always: bool) -> Box<str> {
    if !always && text.len() < SCAN_FROM {
        return text.into_boxed_str();
    }
    // Building the automaton from these constant strings cannot fail (they are few and
    // short); were it ever to, texts are kept unpacked, which unpacks to themselves.
    let Some(finder) = FINDER.as_ref() else {
        return text.into_boxed_str();
    };
    finder.pack(text)
}

/// The JSON text a packed text stands for.
pub(crate) fn unpack(packed: &str) -> Cow<'_, str> {
    if !packed.bytes().any(|b| b < 0x20) {
        return Cow::Borrowed(packed);
    }
    let mut out = String::with_capacity(packed.len() * 2);
    let mut start = 0;
    for (i, b) in packed.bytes().enumerate() {
        if b < 0x20 {
            // `b` is ASCII: `i` and `i + 1` are character boundaries.
            out.push_str(&packed[start..i]);
            match FRAGMENTS.get(usize::from(b).wrapping_sub(1)) {
                Some(f) => out.push_str(f),
                // Not a code (no writer leaves one): kept as it was.
                None => out.push(char::from(b)),
            }
            start = i + 1;
        }
    }
    out.push_str(&packed[start..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn the_renderers_codes_stand_for_their_fragments() {
        for (c, f) in [
            (
                code::INPUT_DETAILS,
                r#","inputDetails":{"truncated":false}"#,
            ),
            (
                code::OUTPUT_DETAILS,
                r#","outputDetails":{"truncated":false}"#,
            ),
            (code::NAME_FIRST, r#"{"name":"#),
            (code::INPUT, r#","input":"#),
            (code::OUTPUT, r#","output":"#),
            (code::INPUT_FIRST, r#"{"input":"#),
            (code::OUTPUT_FIRST, r#"{"output":"#),
            (code::RESOURCE_TYPE_FIRST, r#"{"resourceType":""#),
            (code::RESOURCE, r#"","resource":""#),
            (code::REGION, r#"","region":""#),
            (code::PARAMETERS, r#"","parameters":"#),
            (code::TIMEOUT, r#","timeoutInSeconds":"#),
            (code::HEARTBEAT, r#","heartbeatInSeconds":"#),
            (code::ROLE_ARN_IAM, r#","roleArn":"arn:aws:iam::"#),
            (code::WAIT_FOR_TASK_TOKEN, ".waitForTaskToken"),
        ] {
            assert_eq!(unpack(c), f);
        }
        assert!(FRAGMENTS.len() <= CODES.len());
        assert!(FINDER.is_some(), "the fragments build an automaton");
        // No fragment holds a code, so packing never nests.
        assert!(FRAGMENTS.iter().all(|f| f.bytes().all(|b| b >= 0x20)));
    }

    #[test]
    fn an_sqs_answer_packs_to_a_third_and_back() {
        let details = json!({
            "resourceType": "sqs",
            "resource": "sendMessage.waitForTaskToken",
            "output": json!({
                "MD5OfMessageBody": "f6185c085a50a9b2b02c79681b21976c",
                "MessageId": "2d48ddc9-8871-4eb6-812d-c15095c4f86b",
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {
                        "x-amzn-RequestId": ["9a51c89e-16a7-4aeb-8379-e340bc351a2f"],
                        "connection": ["keep-alive"],
                        "Content-Length": ["106"],
                        "Date": ["Mon, 01 Jan 2024 00:00:00 GMT"],
                        "Content-Type": ["application/x-amz-json-1.0"]
                    },
                    "HttpHeaders": {
                        "connection": "keep-alive",
                        "Content-Length": "106",
                        "Content-Type": "application/x-amz-json-1.0",
                        "Date": "Mon, 01 Jan 2024 00:00:00 GMT",
                        "x-amzn-RequestId": "9a51c89e-16a7-4aeb-8379-e340bc351a2f"
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": { "RequestId": "9a51c89e-16a7-4aeb-8379-e340bc351a2f" }
            })
            .to_string(),
            "outputDetails": { "truncated": false }
        });
        let text = details.to_string();
        let packed = pack(text.clone(), true);
        assert!(
            packed.len() * 3 < text.len(),
            "{} of {} bytes: {packed:?}",
            packed.len(),
            text.len()
        );
        assert_eq!(unpack(&packed), text);
    }

    #[test]
    fn a_short_rendered_text_is_kept_as_written() {
        let rendered = format!(
            "{}\"P\"{}\"{{}}\"{}}}",
            code::NAME_FIRST,
            code::INPUT,
            code::INPUT_DETAILS
        );
        assert_eq!(&*pack(rendered.clone(), false), rendered);
        assert_eq!(
            unpack(&rendered),
            r#"{"name":"P","input":"{}","inputDetails":{"truncated":false}}"#
        );
        // A control byte that is no code (no writer leaves one) is kept, not a panic.
        assert_eq!(unpack("a\u{0}b\u{1f}c"), "a\u{0}b\u{1f}c");
        // Text without codes unpacks to itself, borrowed.
        assert!(matches!(unpack("{\"a\":1}"), Cow::Borrowed(_)));
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            // Any text, fragments and control characters included.
            prop_oneof![
                any::<String>(),
                proptest::sample::select(FRAGMENTS.to_vec()).prop_map(String::from),
                "[\\x00-\\x1f\"\\\\a-z]{0,12}",
            ]
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        "[a-zA-Z]{1,8}".boxed(),
                        proptest::sample::select(vec![
                            "inputDetails",
                            "output",
                            "name",
                            "resource",
                            "SdkHttpMetadata"
                        ])
                        .prop_map(String::from)
                        .boxed()
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    static AUTOMATON: LazyLock<Option<Finder>> = LazyLock::new(|| Finder::new(false));

    #[test]
    fn both_finders_are_built() {
        assert!(matches!(*AUTOMATON, Some(Finder::Automaton(_))));
        // This crate's CI runs on x86_64, where Teddy is built (SSSE3 or AVX2).
        #[cfg(target_arch = "x86_64")]
        assert!(matches!(*FINDER, Some(Finder::Teddy(_))));
    }

    proptest! {
        /// Whatever serde_json writes packs and unpacks to itself, and so does the text of a
        /// value that holds the fragments themselves as strings or as text.
        #[test]
        fn json_text_round_trips(v in json_value(), nested in any::<bool>()) {
            let text = if nested {
                json!({ "output": v.to_string(), "outputDetails": { "truncated": false } }).to_string()
            } else {
                v.to_string()
            };
            let packed = pack(text.clone(), true);
            prop_assert_eq!(unpack(&packed), text.as_str());
            // The automaton, used where the CPU has no Teddy, packs the same.
            let automaton = AUTOMATON.as_ref().map(|f| f.pack(text.clone()));
            prop_assert_eq!(automaton.as_deref(), Some(&*packed));
        }
    }
}

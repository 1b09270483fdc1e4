//! Reading AWS JSON 1.0 request members and shaping replies.
//!
//! Coral-based AWS JSON services reject a member of the wrong JSON type with a
//! `SerializationException` before any validation runs, and a malformed body the same way; a
//! missing required member is the service's own error (for SQS `MissingParameter`). `null` is
//! read as "absent", since some SDKs send it for unset members.

use bytes::Bytes;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// `__type` of a body or member that cannot be deserialized.
pub(crate) const SERIALIZATION_EXCEPTION: &str = "com.amazon.coral.service#SerializationException";
/// `__type` of a target that names no operation.
pub(crate) const UNKNOWN_OPERATION_EXCEPTION: &str =
    "com.amazon.coral.service#UnknownOperationException";

/// A reply to one AWS JSON request: status, extra headers and the JSON body. The server adds
/// `content-type: application/x-amz-json-1.0`, `x-amzn-requestid` and the content length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonReply {
    /// HTTP status code.
    pub status: u16,
    /// Extra response headers (e.g. `x-amzn-query-error`).
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Bytes,
}

impl JsonReply {
    /// A 200 reply with `value` as its body.
    pub(crate) fn ok(value: &Value) -> JsonReply {
        JsonReply {
            status: 200,
            headers: Vec::new(),
            // The same bytes as `value.to_string()`, written straight into a `Vec` instead of
            // through `fmt` (issue 13). Writing a `Value` cannot fail (its keys are strings).
            body: Bytes::from(
                serde_json::to_vec(value).unwrap_or_else(|_| value.to_string().into_bytes()),
            ),
        }
    }

    /// A 200 reply with `body` as its body: a `Value` is written, text is sent as it is.
    pub(crate) fn ok_body(body: ReplyBody) -> JsonReply {
        match body {
            ReplyBody::Value(v) => JsonReply::ok(&v),
            ReplyBody::Text(text) => JsonReply {
                status: 200,
                headers: Vec::new(),
                body: Bytes::from(text),
            },
            ReplyBody::Empty => JsonReply {
                status: 200,
                headers: Vec::new(),
                body: Bytes::from_static(b"{}"),
            },
        }
    }

    /// An AWS JSON error: `{"__type": type_, "message": message}`.
    pub(crate) fn error(status: u16, type_: &str, message: &str) -> JsonReply {
        JsonReply {
            status,
            headers: Vec::new(),
            body: Bytes::from(
                serde_json::json!({ "__type": type_, "message": message }).to_string(),
            ),
        }
    }

    /// A `SerializationException` (400).
    pub(crate) fn serialization(message: &str) -> JsonReply {
        JsonReply::error(400, SERIALIZATION_EXCEPTION, message)
    }

    /// An `UnknownOperationException` (400).
    pub(crate) fn unknown_operation(target: &str) -> JsonReply {
        JsonReply::error(
            400,
            UNKNOWN_OPERATION_EXCEPTION,
            &format!("The operation {target} is not recognized by this endpoint."),
        )
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> JsonReply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// The body of a successful reply: a `Value`, or the JSON text a handler wrote itself
/// ([`crate::json_text::ObjectText`]: the operations of the callback round trip, issue 13),
/// or `{}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReplyBody {
    /// A value, written as compact JSON.
    Value(Value),
    /// Compact JSON text, as `serde_json` would write its value.
    Text(String),
    /// `{}`.
    Empty,
}

impl ReplyBody {
    /// The body as a `Value` (text is parsed; it is JSON its writer wrote).
    #[cfg(test)]
    pub(crate) fn into_value(self) -> Value {
        match self {
            ReplyBody::Value(v) => v,
            ReplyBody::Text(t) => serde_json::from_str(&t).unwrap_or_default(),
            ReplyBody::Empty => Value::Object(Map::new()),
        }
    }
}

/// A member of the wrong type, or an undecodable body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

impl From<Malformed> for JsonReply {
    fn from(m: Malformed) -> JsonReply {
        JsonReply::serialization(&m.0)
    }
}

/// Why a request to a JSON-protocol service failed: a member that cannot be read, or the
/// service's own error `E` (`SqsError`, `SnsError`). Each service's handlers answer
/// `Result<Value, Failure<E>>`.
#[derive(Debug)]
pub(crate) enum Failure<E> {
    /// The body or a member could not be read.
    Malformed(Malformed),
    /// The service refused the request.
    Service(E),
}

impl<E> From<Malformed> for Failure<E> {
    fn from(m: Malformed) -> Self {
        Failure::Malformed(m)
    }
}

/// Parses a request body into a JSON object. An empty body reads as `{}`.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Malformed> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Malformed(
            "Start of structure or map found where not expected.".into(),
        )),
        Err(e) => Err(unreadable(e)),
    }
}

/// The error of a body (or member) serde_json cannot read.
fn unreadable(e: serde_json::Error) -> Malformed {
    Malformed(format!("Unable to parse request body: {e}"))
}

/// A request body, read as [`parse_object`] reads it but without building a `Value` for
/// every member: its top-level members are kept as raw JSON text and read when asked for
/// (issue 13: five requests a round trip each built, then dropped, a whole `Value`). A
/// structure, list or map member is read from the whole body, parsed once when first asked.
///
/// Whatever the raw reading could judge differently from `parse_object` goes the old way:
/// a body it cannot read (not an object, malformed, a key with escapes), and one with a
/// member holding a `\u` escape, a number with an exponent or deep nesting (which `Value`
/// may refuse: a lone surrogate, a number out of range, its recursion limit; raw text would
/// not). Errors are therefore `parse_object`'s.
///
/// Example: the unit test `server::json::tests::a_request_reads_as_its_value_did`.
pub(crate) struct Request<'a> {
    /// The top-level members in order (`None`: the body was read as a whole instead).
    raw: Option<Vec<(&'a str, &'a RawValue)>>,
    body: &'a [u8],
    /// The whole body as an object, once something needed it.
    whole: std::sync::OnceLock<Map<String, Value>>,
}

/// Reads a request body (see [`Request`]). An empty body reads as `{}`.
pub(crate) fn parse_request(body: &[u8]) -> Result<Request<'_>, Malformed> {
    if let Ok(RawMembers(members)) = serde_json::from_slice::<RawMembers<'_>>(body) {
        if !members.iter().any(|(_, v)| needs_value(v.get())) {
            return Ok(Request {
                raw: Some(members),
                body,
                whole: std::sync::OnceLock::new(),
            });
        }
    }
    Ok(Request {
        raw: None,
        body,
        whole: std::sync::OnceLock::from(parse_object(body)?),
    })
}

/// Whether a member's raw `text` holds what only a `Value` judges right: a `\\u` escape in a
/// string (a lone surrogate is refused), a number with an exponent (one out of range is
/// refused), or deep nesting. In a list or an object, an `e` or `E` after a digit or a point
/// may be either; inside a string that is harmless, the body is just read the old way.
fn needs_value(text: &str) -> bool {
    let t = text.as_bytes();
    match t.first() {
        Some(b'"') => memchr::memmem::find(t, b"\\u").is_some(),
        Some(b'[' | b'{') => {
            memchr::memmem::find(t, b"\\u").is_some()
                // serde_json's `Value` refuses nesting past its recursion limit (128), raw
                // text does not: many openings (in strings or not) go the old way.
                || memchr::memchr2_iter(b'[', b'{', t).nth(64).is_some()
                || memchr::memchr2_iter(b'e', b'E', t)
                    .any(|i| i > 0 && (t[i - 1].is_ascii_digit() || t[i - 1] == b'.'))
        }
        Some(b'-' | b'0'..=b'9') => memchr::memchr2(b'e', b'E', t).is_some(),
        _ => false,
    }
}

impl<'a> Request<'a> {
    /// The members of the body.
    pub(crate) fn members(&'a self) -> Members<'a> {
        Members(Source::Request(self))
    }

    /// The whole body as an object, parsed on first use. `parse_request` read it as an
    /// object already, so it parses (an empty body is `{}`).
    fn whole(&self) -> &Map<String, Value> {
        self.whole
            .get_or_init(|| parse_object(self.body).unwrap_or_default())
    }
}

/// The top-level members of a JSON object as raw text, in order.
struct RawMembers<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for RawMembers<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RawMembers<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some((k, v)) = map.next_entry::<&'de str, &'de RawValue>()? {
                    members.push((k, v));
                }
                Ok(RawMembers(members))
            }
        }
        d.deserialize_map(Visit)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn wrong(member: &str, v: &Value, want: &str) -> Malformed {
    wrong_kind(member, kind(v), want)
}

fn wrong_kind(member: &str, kind: &str, want: &str) -> Malformed {
    Malformed(format!(
        "{kind} can not be converted to {want} (member {member})"
    ))
}

/// The kind of a raw JSON value, named as [`kind`] names a `Value`'s (from its first byte:
/// the text is a whole, valid value).
fn raw_kind(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'"') => "STRING_VALUE",
        Some(b't' | b'f') => "BOOLEAN_VALUE",
        Some(b'n') => "NULL_VALUE",
        Some(b'[') => "START_ARRAY",
        Some(b'{') => "START_OBJECT",
        _ => "NUMBER_VALUE",
    }
}

/// A raw JSON string literal's contents: copied as they are when they hold no escape.
fn raw_string(text: &str) -> Result<String, Malformed> {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(inner.to_string()),
        // JSON text in a string (an execution's input) escapes only quotes and backslashes.
        Some(inner) => match unescape_quotes(inner) {
            Some(s) => Ok(s),
            None => serde_json::from_str(text).map_err(unreadable),
        },
        _ => serde_json::from_str(text).map_err(unreadable),
    }
}

/// The contents of a string literal whose only escapes are `\\"`, `\\\\` and `\\/`, unescaped
/// by copying the runs between them; `None` for any other escape (serde_json reads those).
fn unescape_quotes(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut start = 0;
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'\\', &b[at..]).map(|i| at + i) {
        let next = *b.get(i + 1)?;
        if !matches!(next, b'"' | b'\\' | b'/') {
            return None;
        }
        // `i` and `i + 1` are ASCII: character boundaries.
        out.push_str(&inner[start..i]);
        start = i + 1;
        at = i + 2;
    }
    out.push_str(&inner[start..]);
    Some(out)
}

/// A raw JSON value as a `Value`.
fn raw_value(text: &str) -> Result<Value, Malformed> {
    serde_json::from_str(text).map_err(unreadable)
}

/// Typed access to the members of one request (or nested structure).
#[derive(Clone, Copy)]
pub(crate) struct Members<'a>(Source<'a>);

#[derive(Clone, Copy)]
enum Source<'a> {
    Request(&'a Request<'a>),
    Map(&'a Map<String, Value>),
}

impl std::fmt::Debug for Members<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Members").field(self.map()).finish()
    }
}

/// One member as found: a `Value`, or raw text not read yet.
enum Member<'a> {
    Value(&'a Value),
    Raw(&'a str),
}

impl<'a> Members<'a> {
    /// The members of a JSON object.
    pub(crate) fn of(map: &'a Map<String, Value>) -> Members<'a> {
        Members(Source::Map(map))
    }

    /// All members as a `Value` map (a request's is parsed once, on first use).
    fn map(&self) -> &'a Map<String, Value> {
        match self.0 {
            Source::Request(r) => r.whole(),
            Source::Map(m) => m,
        }
    }

    /// Member `name` as it is (`null` included), as a `Value`.
    pub(crate) fn value(&self, name: &str) -> Option<&'a Value> {
        self.map().get(name)
    }

    /// Whether member `name` is present (whatever its value, `null` included).
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self.0 {
            Source::Request(Request { raw: Some(raw), .. }) => raw.iter().any(|(k, _)| *k == name),
            _ => self.map().contains_key(name),
        }
    }

    /// Member `name` unless it is absent or `null`. A duplicated name reads as its last
    /// occurrence, as in a `Value`.
    fn member(&self, name: &str) -> Option<Member<'a>> {
        match self.0 {
            Source::Request(Request { raw: Some(raw), .. }) => raw
                .iter()
                .rev()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.get())
                .filter(|text| *text != "null")
                .map(Member::Raw),
            _ => self.get(name).map(Member::Value),
        }
    }

    /// A structured member, read from the whole body (not parsed for a member a request
    /// does not have).
    fn get(&self, name: &str) -> Option<&'a Value> {
        if let Source::Request(Request { raw: Some(_), .. }) = self.0 {
            self.member(name)?;
        }
        self.map().get(name).filter(|v| !v.is_null())
    }

    /// An optional string member.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, Malformed> {
        match self.member(name) {
            None => Ok(None),
            Some(Member::Value(Value::String(s))) => Ok(Some(s.clone())),
            Some(Member::Value(v)) => Err(wrong(name, v, "a String")),
            Some(Member::Raw(text)) => match raw_kind(text) {
                "STRING_VALUE" => raw_string(text).map(Some),
                kind => Err(wrong_kind(name, kind, "a String")),
            },
        }
    }

    /// An optional integer member.
    pub(crate) fn integer(&self, name: &str) -> Result<Option<i64>, Malformed> {
        let owned;
        let v = match self.member(name) {
            None => return Ok(None),
            Some(Member::Value(v)) => v,
            Some(Member::Raw(text)) => {
                owned = raw_value(text)?;
                &owned
            }
        };
        match v {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => Err(Malformed(format!(
                    "NUMBER_VALUE can not be converted to an Integer (member {name})"
                ))),
            },
            v => Err(wrong(name, v, "an Integer")),
        }
    }

    /// An optional boolean member.
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, Malformed> {
        match self.member(name) {
            None => Ok(None),
            Some(Member::Value(Value::Bool(b))) => Ok(Some(*b)),
            Some(Member::Value(v)) => Err(wrong(name, v, "a Boolean")),
            Some(Member::Raw("true")) => Ok(Some(true)),
            Some(Member::Raw("false")) => Ok(Some(false)),
            Some(Member::Raw(text)) => Err(wrong_kind(name, raw_kind(text), "a Boolean")),
        }
    }

    /// An optional list of strings (absent = empty).
    pub(crate) fn string_list(&self, name: &str) -> Result<Vec<String>, Malformed> {
        if let Some(Member::Raw(text)) = self.member(name) {
            if !text.starts_with('[') {
                return Err(wrong_kind(name, raw_kind(text), "a List"));
            }
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(unreadable)?;
            return items
                .into_iter()
                .map(|item| match raw_kind(item.get()) {
                    "STRING_VALUE" => raw_string(item.get()),
                    kind => Err(wrong_kind(name, kind, "a String")),
                })
                .collect();
        }
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    v => Err(wrong(name, v, "a String")),
                })
                .collect(),
            Some(v) => Err(wrong(name, v, "a List")),
        }
    }
    /// An optional map of strings to strings (absent = empty).
    pub(crate) fn string_map(
        &self,
        name: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, Malformed> {
        match self.get(name) {
            None => Ok(Default::default()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    v => Err(wrong(name, v, "a String")),
                })
                .collect(),
            Some(v) => Err(wrong(name, v, "a Map")),
        }
    }

    /// An optional map of structures (absent = empty).
    pub(crate) fn object_map(&self, name: &str) -> Result<Vec<(String, Members<'a>)>, Malformed> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::Object(o) => Ok((k.clone(), Members::of(o))),
                    v => Err(wrong(name, v, "a Structure")),
                })
                .collect(),
            Some(v) => Err(wrong(name, v, "a Map")),
        }
    }

    /// An optional list of structures (absent = empty).
    pub(crate) fn object_list(&self, name: &str) -> Result<Vec<Members<'a>>, Malformed> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Object(o) => Ok(Members::of(o)),
                    v => Err(wrong(name, v, "a Structure")),
                })
                .collect(),
            Some(v) => Err(wrong(name, v, "a List")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members() {
        let m = parse_object(br#"{"A":"x","N":3,"L":["a"],"M":{"k":"v"},"Z":null}"#).unwrap();
        let r = Members::of(&m);
        assert_eq!(r.string("A").unwrap().as_deref(), Some("x"));
        assert_eq!(r.string("Z").unwrap(), None);
        assert_eq!(r.integer("N").unwrap(), Some(3));
        assert_eq!(r.boolean("Z").unwrap(), None);
        assert!(r.boolean("N").is_err());
        assert!(r.integer("A").is_err());
        assert!(r.string("N").is_err());
        assert_eq!(r.string_list("L").unwrap(), vec!["a".to_string()]);
        assert_eq!(r.string_map("M").unwrap().len(), 1);
        assert!(parse_object(b"[1]").is_err());
        assert!(parse_object(b"{").is_err());
        assert!(parse_object(b"").unwrap().is_empty());
    }

    /// Every reading of a member through `parse_request` is what it was through
    /// `parse_object`: the same values, and the same errors, word for word.
    fn same_as_value(body: &[u8], names: &[&str]) {
        let raw = parse_request(body);
        let whole = parse_object(body);
        let (raw, whole) = match (raw, whole) {
            (Ok(r), Ok(w)) => (r, w),
            (Err(a), Err(b)) => return assert_eq!(a, b, "{}", String::from_utf8_lossy(body)),
            (a, b) => panic!(
                "{}: {:?} vs {:?}",
                String::from_utf8_lossy(body),
                a.map(|_| ()),
                b.map(|_| ())
            ),
        };
        let (a, b) = (raw.members(), Members::of(&whole));
        let text = String::from_utf8_lossy(body);
        for &n in names {
            assert_eq!(a.string(n), b.string(n), "string {n} of {text}");
            assert_eq!(a.integer(n), b.integer(n), "integer {n} of {text}");
            assert_eq!(a.boolean(n), b.boolean(n), "boolean {n} of {text}");
            assert_eq!(a.string_list(n), b.string_list(n), "list {n} of {text}");
            assert_eq!(a.string_map(n), b.string_map(n), "map {n} of {text}");
            assert_eq!(a.contains(n), b.contains(n), "contains {n} of {text}");
            assert_eq!(a.value(n), b.value(n), "value {n} of {text}");
            assert_eq!(
                a.object_list(n).map(|l| l.len()),
                b.object_list(n).map(|l| l.len()),
                "objects {n} of {text}"
            );
        }
    }

    #[test]
    fn a_request_reads_as_its_value_did() {
        let names = ["A", "B", "Q", "k", "é"];
        for body in [
            r#"{"A":"x","B":3,"Q":true}"#,
            r#"{"A":"x\"y","B":-7,"Q":false,"k":null}"#,
            r#"{"A":"{\"k\":\"v\\\/\"}","B":"\\","Q":"a\nb\t"}"#,
            r#"{"A":"\\\"","B":"\/\\n","k":"trailing \\"}"#,
            r#"{"A":"one","A":"two","B":1,"B":"late"}"#,
            r#"{"A":["a","b"],"B":{"k":"v"},"Q":[{"k":1}]}"#,
            r#"{"A":[],"B":{},"Q":[1]}"#,
            r#"{"A":1.5,"B":12345678901234567890,"Q":"3"}"#,
            r#"{"A":1e400}"#,
            r#"{"A":[1e400],"B":"x"}"#,
            r#"{"A":{"k":-1.5E400}}"#,
            r#"{"A":["x",null],"B":["x",3],"Q":[["x"]]}"#,
            r#"{"A":"1e5 in a string","B":["2e3"]}"#,
            r#"{"A":"\ud800"}"#,
            r#"{"A":"caf\u00e9","é":"x"}"#,
            r#"{"\u0041":"escaped key","B":2}"#,
            r#"  { "A" : "spaced" , "B" : [ "x" ] }  "#,
            r#"{"A":"x"} trailing"#,
            r#"["A"]"#,
            r#""A""#,
            "{",
            "",
            "   ",
            "{}",
            r#"{"A":tru}"#,
        ] {
            same_as_value(body.as_bytes(), &names);
        }
        // The usual request is read raw; what only a `Value` judges is read whole.
        assert!(parse_request(br#"{"A":"x","B":[1]}"#).is_ok_and(|r| r.raw.is_some()));
        assert!(parse_request(br#"{"A":1e4}"#).is_ok_and(|r| r.raw.is_none()));
        // Absent structured members are read without the whole body.
        let r = parse_request(br#"{"A":"x"}"#).unwrap();
        assert_eq!(r.members().string_list("L"), Ok(Vec::new()));
        assert!(r.members().object_list("L").is_ok_and(|l| l.is_empty()));
        assert!(r.whole.get().is_none(), "the body was parsed whole");
        assert!(parse_request(br#"{"A":"1e4","B":[1]}"#).is_ok_and(|r| r.raw.is_some()));
        assert!(parse_request(br#"{"A":["\u0041"]}"#).is_ok_and(|r| r.raw.is_none()));
        // Nesting deeper than serde_json's limit is refused as before.
        let deep = format!(r#"{{"A":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
        same_as_value(deep.as_bytes(), &names);
        let deep = format!(r#"{{"A":{}"x"{}}}"#, "[".repeat(126), "]".repeat(126));
        same_as_value(deep.as_bytes(), &names);
        // Bytes that are not UTF-8, inside and outside a string.
        same_as_value(b"{\"A\":\"\xff\"}", &names);
        same_as_value(b"{\"A\":1,\xff}", &names);
    }

    proptest::proptest! {
        /// Arbitrary objects read alike, compact and pretty.
        #[test]
        fn arbitrary_requests_read_as_their_values_did(
            v in crate::asl::path::tests_support::arb_json()
        ) {
            let names = ["a", "b", "c", "ab"];
            same_as_value(v.to_string().as_bytes(), &names);
            same_as_value(serde_json::to_string_pretty(&v).unwrap_or_default().as_bytes(), &names);
        }
    }
}

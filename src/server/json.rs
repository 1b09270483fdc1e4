//! Reading AWS JSON 1.0 request members and shaping replies.
//!
//! Coral-based AWS JSON services reject a member of the wrong JSON type with a
//! `SerializationException` before any validation runs, and a malformed body the same way; a
//! missing required member is the service's own error (for SQS `MissingParameter`). `null` is
//! read as "absent", since some SDKs send it for unset members.

use bytes::Bytes;
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
        Err(e) => Err(Malformed(format!("Unable to parse request body: {e}"))),
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
    Malformed(format!(
        "{} can not be converted to {want} (member {member})",
        kind(v)
    ))
}

/// Typed access to the members of one request (or nested structure).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Members<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Members<'a> {
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// An optional string member.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, Malformed> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(wrong(name, v, "a String")),
        }
    }

    /// An optional integer member.
    pub(crate) fn integer(&self, name: &str) -> Result<Option<i64>, Malformed> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => Err(Malformed(format!(
                    "NUMBER_VALUE can not be converted to an Integer (member {name})"
                ))),
            },
            Some(v) => Err(wrong(name, v, "an Integer")),
        }
    }

    /// An optional boolean member.
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, Malformed> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(wrong(name, v, "a Boolean")),
        }
    }

    /// An optional list of strings (absent = empty).
    pub(crate) fn string_list(&self, name: &str) -> Result<Vec<String>, Malformed> {
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
                    Value::Object(o) => Ok((k.clone(), Members(o))),
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
                    Value::Object(o) => Ok(Members(o)),
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
        let r = Members(&m);
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
}

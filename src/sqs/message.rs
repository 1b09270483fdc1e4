//! Messages: their attributes, the validation SQS applies on send, and receipt handles.
//!
//! Validation follows the SQS Developer Guide ("Amazon SQS message attributes", "Amazon SQS
//! message quotas"): a body must be non-empty and contain only `#x9 | #xA | #xD | #x20 to
//! #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`; at most 10 message attributes, whose names
//! are up to 256 characters of `A-Za-z0-9_-.`, do not start with `AWS.` or `Amazon.` (any case),
//! do not start or end with `.` and have no `..`; whose data types are `String`, `Number` or
//! `Binary`, optionally followed by `.label`; and whose values are non-empty. The body plus every
//! attribute's name, type and value count against the queue's `MaximumMessageSize`.

use std::collections::BTreeMap;

use base64::Engine as _;

use super::error::SqsError;
use crate::time::Millis;

/// A message attribute value (`MessageAttributeValue` in the SQS API).
///
/// Example: the unit test `sqs_message_20` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAttributeValue {
    /// `String`, `Number` or `Binary`, optionally followed by `.label`.
    pub data_type: String,
    /// The value of a `String` or `Number` attribute.
    pub string_value: Option<String>,
    /// The value of a `Binary` attribute (raw bytes; base64 on the wire).
    pub binary_value: Option<Vec<u8>>,
}

impl MessageAttributeValue {
    /// A `String` attribute.
    #[cfg(test)]
    pub(crate) fn string(value: impl Into<String>) -> Self {
        MessageAttributeValue {
            data_type: "String".into(),
            string_value: Some(value.into()),
            binary_value: None,
        }
    }

    /// A `Number` attribute (numbers travel as strings).
    #[cfg(test)]
    pub(crate) fn number(value: impl Into<String>) -> Self {
        MessageAttributeValue {
            data_type: "Number".into(),
            string_value: Some(value.into()),
            binary_value: None,
        }
    }

    /// A `Binary` attribute.
    #[cfg(test)]
    pub(crate) fn binary(value: impl Into<Vec<u8>>) -> Self {
        MessageAttributeValue {
            data_type: "Binary".into(),
            string_value: None,
            binary_value: Some(value.into()),
        }
    }

    /// Whether the data type is `Binary` or `Binary.<label>`.
    pub(crate) fn is_binary(&self) -> bool {
        base_type(&self.data_type) == Some("Binary")
    }

    /// The value base64-encoded, as a `BinaryValue` travels in JSON.
    pub(crate) fn binary_base64(&self) -> Option<String> {
        self.binary_value
            .as_ref()
            .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
    }

    /// The number of bytes this attribute counts against the message size limit.
    pub(crate) fn size(&self, name: &str) -> usize {
        name.len()
            + self.data_type.len()
            + self.string_value.as_ref().map_or(0, |s| s.len())
            + self.binary_value.as_ref().map_or(0, |b| b.len())
    }
}

fn base_type(data_type: &str) -> Option<&str> {
    let base = data_type.split('.').next().unwrap_or(data_type);
    match base {
        "String" | "Number" | "Binary" => Some(base),
        _ => None,
    }
}

/// Whether `c` is in the character set SQS accepts in bodies and string attribute values.
pub(crate) fn allowed_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

const ALLOWED_SET: &str =
    "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

/// Checks a message body: non-empty, allowed characters only.
pub(crate) fn validate_body(body: &str) -> Result<(), SqsError> {
    if body.is_empty() {
        return Err(SqsError::MissingParameter("MessageBody".into()));
    }
    // An ASCII body is judged by its bytes (issue 13): below `#x20`, only tab, line feed
    // and carriage return are allowed.
    if body.is_ascii()
        && body
            .bytes()
            .all(|b| b >= 0x20 || matches!(b, 0x9 | 0xA | 0xD))
    {
        return Ok(());
    }
    if let Some(c) = body.chars().find(|c| !allowed_char(*c)) {
        return Err(SqsError::InvalidMessageContents(format!(
            "Invalid binary character '#x{:X}' was found in the message body, the set of allowed characters is {ALLOWED_SET}",
            c as u32
        )));
    }
    Ok(())
}

fn valid_attribute_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !lower.starts_with("aws.")
        && !lower.starts_with("amazon.")
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
}

/// Checks user message attributes; returns their total size in bytes.
pub(crate) fn validate_attributes(
    attrs: &BTreeMap<String, MessageAttributeValue>,
) -> Result<usize, SqsError> {
    if attrs.len() > 10 {
        return Err(SqsError::InvalidParameterValue(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [10].",
            attrs.len()
        )));
    }
    let mut size = 0;
    for (name, value) in attrs {
        if !valid_attribute_name(name) {
            return Err(SqsError::InvalidParameterValue(format!(
                "Message (user) attribute name '{name}' is invalid. The attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters. The name must not start or end with a period, and it should not have successive periods. It must not start with AWS. or Amazon.."
            )));
        }
        validate_value(name, value, "Message (user) attribute")?;
        size += value.size(name);
    }
    Ok(size)
}

fn validate_value(name: &str, value: &MessageAttributeValue, what: &str) -> Result<(), SqsError> {
    if value.data_type.is_empty() {
        return Err(SqsError::InvalidParameterValue(format!(
            "The message attribute '{name}' must contain non-empty message attribute type."
        )));
    }
    let Some(base) = base_type(&value.data_type) else {
        return Err(SqsError::InvalidParameterValue(format!(
            "The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
        )));
    };
    if value.data_type.len() > 256 {
        return Err(SqsError::InvalidParameterValue(format!(
            "Message (user) attribute '{name}' type must be at most 256 characters long."
        )));
    }
    match base {
        "Binary" => match &value.binary_value {
            Some(b) if !b.is_empty() => Ok(()),
            _ => Err(SqsError::InvalidParameterValue(format!(
                "{what} '{name}' must contain a non-empty value of type '{base}'."
            ))),
        },
        _ => match &value.string_value {
            Some(s) if !s.is_empty() => {
                if let Some(c) = s.chars().find(|c| !allowed_char(*c)) {
                    return Err(SqsError::InvalidParameterValue(format!(
                        "{what} '{name}' contains invalid character '#x{:X}'.",
                        c as u32
                    )));
                }
                if base == "Number" && !valid_number(s) {
                    return Err(SqsError::InvalidParameterValue(format!(
                        "Can't cast the value of message (user) attribute '{name}' to a number."
                    )));
                }
                Ok(())
            }
            _ => Err(SqsError::InvalidParameterValue(format!(
                "{what} '{name}' must contain a non-empty value of type '{base}'."
            ))),
        },
    }
}

/// A decimal number as SQS accepts it: optional sign, digits, optional fraction and exponent,
/// at most 38 significant digits.
fn valid_number(s: &str) -> bool {
    let t = s.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    let digits_ok = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return false;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits_ok(e) {
            return false;
        }
    }
    let significant = format!("{int}{frac}");
    significant.trim_start_matches('0').len() <= 38
}

/// Checks `MessageSystemAttributes`: only `AWSTraceHeader` (a `String`) exists.
pub(crate) fn validate_system_attributes(
    attrs: &BTreeMap<String, MessageAttributeValue>,
) -> Result<(), SqsError> {
    for (name, value) in attrs {
        if name != "AWSTraceHeader" {
            return Err(SqsError::InvalidParameterValue(format!(
                "Message system attribute name '{name}' is invalid."
            )));
        }
        if value.data_type != "String" {
            return Err(SqsError::InvalidParameterValue(format!(
                "The message system attribute '{name}' must be of type 'String'."
            )));
        }
        validate_value(name, value, "Message system attribute")?;
    }
    Ok(())
}

/// A message stored in a queue.
#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    pub id: String,
    pub body: String,
    pub md5_of_body: String,
    pub attributes: BTreeMap<String, MessageAttributeValue>,
    pub system_attributes: BTreeMap<String, MessageAttributeValue>,
    pub sent_at: Millis,
    /// When the message is next visible (send time + delay, or end of its visibility timeout).
    pub visible_at: Millis,
    pub receive_count: u32,
    pub first_received_at: Option<Millis>,
    pub last_received_at: Option<Millis>,
    /// The receipt handle of the latest receive.
    pub receipt: Option<String>,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sequence_number: Option<String>,
    pub sender_id: String,
    /// Set when the message was moved here from a source queue by a redrive policy.
    pub dead_letter_source_arn: Option<String>,
    /// 0 for the message as sent; 1, 2, … for duplicate copies a delivery fault added (same
    /// `MessageId`, their own receipts).
    pub copy: u32,
}

impl StoredMessage {
    /// What receipt handles name: the message id, and the copy for a duplicate.
    pub(crate) fn key(&self) -> String {
        if self.copy == 0 {
            self.id.clone()
        } else {
            format!("{}~{}", self.id, self.copy)
        }
    }

    /// Whether receipt handles name this message as `key` ([`StoredMessage::key`], compared
    /// without building it: deletes compare it with every message before theirs).
    pub(crate) fn has_key(&self, key: &str) -> bool {
        match key.strip_prefix(self.id.as_str()) {
            Some("") => self.copy == 0,
            Some(rest) => self.copy != 0 && rest == format!("~{}", self.copy),
            None => false,
        }
    }

    /// Received at least once and still invisible.
    pub(crate) fn in_flight(&self, now: Millis) -> bool {
        self.receive_count > 0 && self.visible_at > now
    }

    /// Never received and still within its delay.
    pub(crate) fn delayed(&self, now: Millis) -> bool {
        self.receive_count == 0 && self.visible_at > now
    }
}

/// A decoded receipt handle: the queue it was issued by, the message, and the receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Receipt {
    pub queue: String,
    pub message_id: String,
}

const RECEIPT_PREFIX: &str = "sfnh1";

/// Mints an opaque receipt handle (base64, like AWS's) for one receive of a message (its
/// [`StoredMessage::key`]); `nonce` is 32 hex digits, new for every receive.
pub(crate) fn mint_receipt(queue: &str, message_id: &str, nonce: &str) -> String {
    // `RECEIPT_PREFIX queue message_id nonce`, joined without `fmt` (issue 13).
    let raw = [RECEIPT_PREFIX, queue, message_id, nonce].join(" ");
    base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
}

/// Decodes a receipt handle; `None` when it is not well-formed.
pub(crate) fn parse_receipt(handle: &str) -> Option<Receipt> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(handle.as_bytes())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.split(' ');
    let (prefix, queue, id, nonce) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if prefix != RECEIPT_PREFIX || parts.next().is_some() || nonce.len() != 32 {
        return None;
    }
    Some(Receipt {
        queue: queue.to_string(),
        message_id: id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ASCII bodies are judged by bytes as the character rule judges them.
    #[test]
    fn ascii_bodies_are_judged_as_by_characters() {
        for b in 0u8..0x80 {
            let body = format!("a{}b", char::from(b));
            assert_eq!(
                validate_body(&body).is_ok(),
                body.chars().all(allowed_char),
                "{b:#x}"
            );
        }
        assert!(validate_body("é\u{FFFE}").is_err());
        assert!(validate_body("é\u{1F600}").is_ok());
    }

    #[test]
    fn receipts_round_trip_and_reject_garbage() {
        let nonce = |n: u8| format!("{n:032x}");
        let h = mint_receipt("q", "id-1", &nonce(1));
        assert_eq!(
            parse_receipt(&h),
            Some(Receipt {
                queue: "q".into(),
                message_id: "id-1".into()
            })
        );
        assert_ne!(
            h,
            mint_receipt("q", "id-1", &nonce(2)),
            "a new handle per receive"
        );
        assert_eq!(parse_receipt("garbage"), None);
        assert_eq!(parse_receipt(""), None);
    }

    #[test]
    fn a_key_is_compared_as_it_is_built() {
        let m = StoredMessage {
            id: "m-1".into(),
            body: "b".into(),
            md5_of_body: String::new(),
            attributes: BTreeMap::new(),
            system_attributes: BTreeMap::new(),
            sent_at: 0,
            visible_at: 0,
            receive_count: 0,
            first_received_at: None,
            last_received_at: None,
            receipt: None,
            group_id: None,
            dedup_id: None,
            sequence_number: None,
            sender_id: String::new(),
            dead_letter_source_arn: None,
            copy: 0,
        };
        let copy = StoredMessage {
            copy: 12,
            ..m.clone()
        };
        for (msg, other) in [(&m, &copy), (&copy, &m)] {
            assert!(msg.has_key(&msg.key()));
            assert!(!msg.has_key(&other.key()));
        }
        for k in ["m-", "m-12", "m-1~", "m-1~1", "m-1~012", "x-1"] {
            assert!(!m.has_key(k) && !copy.has_key(k), "{k}");
        }
    }

    #[test]
    fn body_and_attribute_rules() {
        assert!(validate_body("ok\tfine\u{10000}").is_ok());
        let err = validate_body("bad\u{1}").unwrap_err();
        assert!(err.message().contains("'#x1'"), "{err}");
        assert_eq!(
            validate_body("").unwrap_err().query_code(),
            "MissingParameter"
        );
        let mut a = BTreeMap::new();
        a.insert("AWS.x".to_string(), MessageAttributeValue::string("v"));
        assert!(validate_attributes(&a).is_err());
        let mut a = BTreeMap::new();
        a.insert("n".to_string(), MessageAttributeValue::number("1.5e3"));
        a.insert("b".to_string(), MessageAttributeValue::binary(vec![0u8, 1]));
        assert_eq!(validate_attributes(&a).unwrap(), 1 + 6 + 5 + 1 + 6 + 2);
        a.insert("x".to_string(), MessageAttributeValue::number("abc"));
        assert!(validate_attributes(&a).is_err());
        assert!(
            valid_number("-0.5") && valid_number("10") && !valid_number("1e") && !valid_number(".")
        );
    }
}

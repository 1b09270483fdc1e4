//! The MD5 digests SQS returns, computed exactly as AWS does.
//!
//! * `MD5OfMessageBody` / `MD5OfBody`: the lowercase hex MD5 of the body's UTF-8 bytes.
//! * `MD5OfMessageAttributes` (and `MD5OfMessageSystemAttributes`): the documented binary
//!   encoding ("Calculating the MD5 message digest for message attributes", SQS Developer Guide):
//!   attributes sorted by name; for each, the name, the data type, one transport byte
//!   (1 = String/Number, 2 = Binary), and the value, where every string or byte value is preceded
//!   by its length as a 4-byte big-endian integer.
//!
//! botocore and the Java SDK v2 check these digests on every send and receive; the Rust SDK
//! does not, so they are tested here against published vectors. Crate-internal: clients see
//! the digests in [`SendMessageOutput`](super::SendMessageOutput) and
//! [`ReceivedMessage`](super::ReceivedMessage).

use std::collections::BTreeMap;

use md5::{Digest, Md5};

use super::message::MessageAttributeValue;

/// Hex MD5 of the UTF-8 bytes of a message body.
pub(crate) fn md5_of_body(body: &str) -> String {
    hex(&Md5::digest(body.as_bytes()))
}

/// The MD5 of a set of message attributes, or `None` when there are none (AWS then omits the
/// field).
pub(crate) fn md5_of_attributes(attrs: &BTreeMap<String, MessageAttributeValue>) -> Option<String> {
    if attrs.is_empty() {
        return None;
    }
    let mut h = Md5::new();
    // A BTreeMap iterates in byte order of the names, which is the order AWS sorts by.
    for (name, value) in attrs {
        put(&mut h, name.as_bytes());
        put(&mut h, value.data_type.as_bytes());
        match (&value.binary_value, &value.string_value) {
            (Some(bytes), _) if value.is_binary() => {
                h.update([2u8]);
                put(&mut h, bytes);
            }
            (_, Some(s)) => {
                h.update([1u8]);
                put(&mut h, s.as_bytes());
            }
            (Some(bytes), None) => {
                h.update([2u8]);
                put(&mut h, bytes);
            }
            (None, None) => {
                h.update([1u8]);
                put(&mut h, b"");
            }
        }
    }
    Some(hex(&h.finalize()))
}

fn put(h: &mut Md5, bytes: &[u8]) {
    // Values are bounded by the 256 KiB message limit, far below u32::MAX.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    h.update(len.to_be_bytes());
    h.update(bytes);
}

fn hex(bytes: &[u8]) -> String {
    // By table, not through `fmt` (issue 13: twice a message).
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lowercase_digits_a_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let by_fmt: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&all), by_fmt);
    }

    fn attrs(list: &[(&str, MessageAttributeValue)]) -> BTreeMap<String, MessageAttributeValue> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn body_vectors() {
        // From LocalStack's snapshots recorded against AWS (test_sqs.snapshot.json).
        assert_eq!(md5_of_body("msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
        assert_eq!(md5_of_body("test"), "098f6bcd4621d373cade4e832627b4f6");
        assert_eq!(
            md5_of_body("message-body-1"),
            "19c9e282d65f9733bc6b35d50062c7ee"
        );
        assert_eq!(md5_of_body("a"), "0cc175b9c0f1b6a831c399e269772661");
    }

    #[test]
    fn attribute_vectors() {
        // Amazon's samples, as used by YDB's SQS implementation (attributes_md5_ut.cpp).
        let a = attrs(&[
            (
                "test_attribute_name_2",
                MessageAttributeValue::string("test_attribute_value_2"),
            ),
            (
                "test_attribute_name_1",
                MessageAttributeValue::string("test_attribute_value_1"),
            ),
        ]);
        assert_eq!(
            md5_of_attributes(&a).as_deref(),
            Some("d53f3b558fe951154770f25cb63dbba9")
        );
        let b = attrs(&[(
            "test_attribute_name",
            MessageAttributeValue::binary(b"test_attribute_value".to_vec()),
        )]);
        assert_eq!(
            md5_of_attributes(&b).as_deref(),
            Some("23f6bd27ea87aab7dfeadcc9aebee495")
        );
        // LocalStack's vector (a Number attribute).
        let c = attrs(&[("timestamp", MessageAttributeValue::number("1493147359900"))]);
        assert_eq!(
            md5_of_attributes(&c).as_deref(),
            Some("235c5c510d26fb653d073faed50ae77c")
        );
        // Recorded against AWS by LocalStack (test_receive_message_message_attribute_names_filters).
        let d = attrs(&[
            ("General", MessageAttributeValue::string("Kenobi")),
            ("Hello", MessageAttributeValue::string("There")),
            ("Help.Me", MessageAttributeValue::string("Me")),
        ]);
        assert_eq!(
            md5_of_attributes(&d).as_deref(),
            Some("4c360f3fdafd970e05fae2f149d997f5")
        );
        let e = attrs(&[("Hello", MessageAttributeValue::string("There"))]);
        assert_eq!(
            md5_of_attributes(&e).as_deref(),
            Some("a311262e065454b75da111d535b8dacd")
        );
        let f = attrs(&[("Foo", MessageAttributeValue::string("Bar"))]);
        assert_eq!(
            md5_of_attributes(&f).as_deref(),
            Some("ae7155c6026991b6d54b11589678bf9c")
        );
        assert_eq!(md5_of_attributes(&BTreeMap::new()), None);
    }
}

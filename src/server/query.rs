//! The pieces of the AWS query protocol that every query service shares: the form parameters of
//! a request (URL query string and form body), the dotted parameter tree they spell
//! (`A.1.Name` → `A` / `1` / `Name`), XML text escaping, and the XML reply and error document.
//!
//! The SQS (`sqs_api::query`) and SNS (`sns_api::query`) front-ends build on these and add their
//! own model's member names: SQS's lists and maps are flattened (`Attribute.1.Name`), SNS's are
//! not (`Attributes.entry.1.key`, `Topics.member.1`). The error document is the one of the
//! services' developer guides: `<ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…
//! </Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>` (SQS adds an
//! empty `<Detail/>`).

use std::collections::BTreeMap;

use crate::server::JsonReply;

/// The form parameters of a query request: those of the URL's query string, then the body's.
pub(crate) fn params(url_query: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(q) = url_query {
        params.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    params.extend(form_urlencoded::parse(body).into_owned());
    params
}

/// The `Version` parameter of a query request, if any.
pub(crate) fn version(params: &[(String, String)]) -> Option<&str> {
    params
        .iter()
        .find(|(k, _)| k == "Version")
        .map(|(_, v)| v.as_str())
}

/// Whether parameter `name` belongs to the protocol itself (version, query-string signatures),
/// not to the operation.
pub(crate) fn is_protocol_parameter(name: &str) -> bool {
    matches!(
        name,
        "Action"
            | "Version"
            | "Signature"
            | "SignatureMethod"
            | "SignatureVersion"
            | "Timestamp"
            | "Expires"
            | "AWSAccessKeyId"
            | "SecurityToken"
    ) || name.starts_with("X-Amz-")
}

/// One node of the dotted parameter tree (`A.1.Name` → `A` / `1` / `Name`).
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub(crate) value: Option<String>,
    pub(crate) children: BTreeMap<String, Node>,
}

impl Node {
    /// The tree of every parameter that is not the protocol's own.
    pub(crate) fn of(params: &[(String, String)]) -> Node {
        let mut root = Node::default();
        for (k, v) in params {
            if !is_protocol_parameter(k) {
                let segments: Vec<&str> = k.split('.').collect();
                root.insert(&segments, v.clone());
            }
        }
        root
    }

    pub(crate) fn insert(&mut self, path: &[&str], value: String) {
        match path.split_first() {
            None => self.value = Some(value),
            Some((head, rest)) => self
                .children
                .entry((*head).to_string())
                .or_default()
                .insert(rest, value),
        }
    }

    /// The children of a list or map, in index order (`1`, `2`, …, `10`).
    pub(crate) fn indexed(&self) -> Vec<&Node> {
        let mut items: Vec<(u64, &Node)> = self
            .children
            .iter()
            .filter_map(|(k, n)| k.parse::<u64>().ok().map(|i| (i, n)))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items.into_iter().map(|(_, n)| n).collect()
    }

    /// The value of child `child`.
    pub(crate) fn text(&self, child: &str) -> Option<&str> {
        self.children.get(child).and_then(|n| n.value.as_deref())
    }
}

/// Escapes text for XML content (and `\r`, which AWS writes as `&#xD;`). Not the pictures'
/// `esc`: that one blanks control characters, and a message body must come back byte for byte.
pub(crate) fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// `<name>text</name>`, the text escaped.
pub(crate) fn element(name: &str, text: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape(text, out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// An XML reply (`content-type: text/xml`) with `headers`, less the JSON protocol's
/// `x-amzn-query-error` and content type.
pub(crate) fn xml_reply(status: u16, body: String, headers: Vec<(String, String)>) -> JsonReply {
    let mut headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(n, _)| {
            !n.eq_ignore_ascii_case("x-amzn-query-error") && !n.eq_ignore_ascii_case("content-type")
        })
        .collect();
    headers.push(("content-type".into(), "text/xml".into()));
    JsonReply {
        status,
        headers,
        body: body.into(),
    }
}

/// What an error document says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorDocument<'a> {
    /// The service's XML namespace.
    pub(crate) xmlns: &'a str,
    pub(crate) status: u16,
    pub(crate) code: &'a str,
    /// `Sender` or `Receiver`.
    pub(crate) fault: &'a str,
    pub(crate) message: &'a str,
    pub(crate) request_id: &'a str,
    /// Whether `<Detail/>` follows the message (SQS writes it, SNS does not).
    pub(crate) detail: bool,
}

impl ErrorDocument<'_> {
    /// The error document as a reply.
    pub(crate) fn reply(&self) -> JsonReply {
        let mut body = format!(
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"{}\"><Error>",
            self.xmlns
        );
        element("Type", self.fault, &mut body);
        element("Code", self.code, &mut body);
        element("Message", self.message, &mut body);
        if self.detail {
            body.push_str("<Detail/>");
        }
        body.push_str("</Error>");
        element("RequestId", self.request_id, &mut body);
        body.push_str("</ErrorResponse>");
        xml_reply(self.status, body, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_make_a_tree_without_the_protocol_members() {
        let p = params(
            Some("Action=Publish"),
            b"Version=2010-03-31&A.2.x=b&A.10.x=c&A.1.x=a&X-Amz-Date=1",
        );
        assert_eq!(version(&p), Some("2010-03-31"));
        let root = Node::of(&p);
        assert_eq!(root.children.len(), 1);
        let items: Vec<_> = root.children["A"]
            .indexed()
            .into_iter()
            .map(|n| n.text("x").unwrap())
            .collect();
        assert_eq!(items, ["a", "b", "c"]);
        let mut out = String::new();
        element("M", "<a&\r>", &mut out);
        assert_eq!(out, "<M>&lt;a&amp;&#xD;&gt;</M>");
    }
}

//! The SNS query protocol: `Action=<Operation>&Version=2010-03-31` form requests, XML answers.
//!
//! Names are those of botocore's `sns/2010-03-31/service-2.json` (`"protocol": "query"`): its
//! lists and maps are not flattened, so a list is `Name.member.N` (`Tags.member.1.Key`,
//! `PublishBatchRequestEntries.member.1.Id`) and a map `Name.entry.N.key` / `.value`
//! (`Attributes`) or, for `MessageAttributeMap` (whose key and value have the `locationName`s
//! `Name` and `Value`), `MessageAttributes.entry.N.Name` / `.Value.DataType`. Answers are
//! `<OpResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><OpResult>…</OpResult>
//! <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>` (each output's
//! `resultWrapper`; lists as `<member>`, maps as `<entry><key/><value/></entry>`) in AWS's layout:
//! two-space indentation, one element a line, a final newline. That layout is what makes a
//! Publish answer 294 bytes long, the `Content-Length` Step Functions records
//! (`services.test_sns_task_service.test_publish_base` in ../shared/conformance/v2). Errors are
//! the query error document with the code (`NotFound`, `InvalidParameter`) and message.

use serde_json::{Map, Value};

use crate::server::intercept::Outcome;
use crate::server::query::{escape, params, version, xml_reply, ErrorDocument, Node};
use crate::server::{JsonReply, Router};

use super::{SNS_OPERATIONS, SNS_TARGET_PREFIX};

/// The SNS API version.
pub(crate) const API_VERSION: &str = "2010-03-31";

/// The XML namespace of SNS answers.
const XMLNS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

/// The operations whose model has no output shape.
const NO_OUTPUT: &[&str] = &[
    "DeleteTopic",
    "SetTopicAttributes",
    "Unsubscribe",
    "SetSubscriptionAttributes",
];

/// Whether a query request (URL query string and form body) is addressed to SNS.
pub(crate) fn is_sns(url_query: Option<&str>, body: &[u8]) -> bool {
    version(&params(url_query, body)) == Some(API_VERSION)
}

/// Serves one SNS query request; `None` when an interceptor dropped the connection.
pub(crate) async fn serve(
    router: &Router,
    url_query: Option<&str>,
    body: &[u8],
    request_id: &str,
) -> Option<(String, JsonReply)> {
    let params = params(url_query, body);
    let action = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if action.is_empty() || !SNS_OPERATIONS.contains(&action.as_str()) {
        let message = if action.is_empty() {
            "The request is missing an action or a required parameter.".to_string()
        } else {
            format!("The action {action} is not valid for this web service.")
        };
        let code = if action.is_empty() {
            "MissingAction"
        } else {
            "InvalidAction"
        };
        return Some(("-".into(), error(400, code, &message, request_id)));
    }
    let members = match decode(&Node::of(&params)) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let target = format!("{SNS_TARGET_PREFIX}.{action}");
    let json = Value::Object(members).to_string();
    match router.call(Some(&target), json.as_bytes()).await {
        Outcome::Reply(reply) => Some((target, encode(&action, reply, request_id))),
        Outcome::Dropped => None,
    }
}

/// The JSON value of a parameter tree: a list (`member.N`), a map (`entry.N`), a string, or a
/// structure of its children.
fn decode(node: &Node) -> Value {
    if let Some(v) = &node.value {
        return Value::String(v.clone());
    }
    if let Some(list) = node.children.get("member") {
        return Value::Array(list.indexed().into_iter().map(decode).collect());
    }
    if let Some(entries) = node.children.get("entry") {
        let mut m = Map::new();
        for e in entries.indexed() {
            let Some(key) = e.text("key").or_else(|| e.text("Name")) else {
                continue;
            };
            let value = e
                .children
                .get("value")
                .or_else(|| e.children.get("Value"))
                .map(decode)
                .unwrap_or(Value::String(String::new()));
            m.insert(key.to_string(), value);
        }
        return Value::Object(m);
    }
    Value::Object(
        node.children
            .iter()
            .map(|(k, n)| (k.clone(), decode(n)))
            .collect(),
    )
}

fn indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Writes `<name>` for `v` at `depth`, one element a line.
fn write(name: &str, v: &Value, depth: usize, out: &mut String) {
    indent(depth, out);
    match v {
        Value::Array(items) => {
            out.push_str(&format!("<{name}>\n"));
            for i in items {
                write("member", i, depth + 1, out);
            }
            indent(depth, out);
            out.push_str(&format!("</{name}>\n"));
        }
        Value::Object(m) if name == "Attributes" => {
            out.push_str(&format!("<{name}>\n"));
            for (k, v) in m {
                indent(depth + 1, out);
                out.push_str("<entry>\n");
                write("key", &Value::String(k.clone()), depth + 2, out);
                write("value", v, depth + 2, out);
                indent(depth + 1, out);
                out.push_str("</entry>\n");
            }
            indent(depth, out);
            out.push_str(&format!("</{name}>\n"));
        }
        Value::Object(m) => {
            out.push_str(&format!("<{name}>\n"));
            for (k, v) in m {
                write(k, v, depth + 1, out);
            }
            indent(depth, out);
            out.push_str(&format!("</{name}>\n"));
        }
        other => {
            out.push_str(&format!("<{name}>"));
            escape(&text(other), out);
            out.push_str(&format!("</{name}>\n"));
        }
    }
}

fn error(status: u16, code: &str, message: &str, request_id: &str) -> JsonReply {
    ErrorDocument {
        xmlns: XMLNS,
        status,
        code,
        fault: if status >= 500 { "Receiver" } else { "Sender" },
        message,
        request_id,
        detail: false,
    }
    .reply()
}

/// The XML form of the JSON reply `reply` to `action` (also what the `sns:publish` integration
/// measures for the `Content-Length` it records).
pub(crate) fn encode(action: &str, reply: JsonReply, request_id: &str) -> JsonReply {
    let parsed: Map<String, Value> = serde_json::from_slice(&reply.body).unwrap_or_default();
    if reply.status >= 300 {
        let code = parsed.get("__type").map(text).unwrap_or_default();
        let code = code.rsplit('#').next().unwrap_or_default();
        let message = parsed.get("message").map(text).unwrap_or_default();
        return error(reply.status, code, &message, request_id);
    }
    let mut body = format!("<{action}Response xmlns=\"{XMLNS}\">\n");
    if !NO_OUTPUT.contains(&action) {
        write(
            &format!("{action}Result"),
            &Value::Object(parsed),
            1,
            &mut body,
        );
    }
    write(
        "ResponseMetadata",
        &serde_json::json!({ "RequestId": request_id }),
        1,
        &mut body,
    );
    body.push_str(&format!("</{action}Response>\n"));
    xml_reply(reply.status, body, reply.headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(s: &str) -> Value {
        decode(&Node::of(&params(None, s.as_bytes())))
    }

    #[test]
    fn decodes_members_entries_and_message_attributes() {
        assert_eq!(
            tree("Action=CreateTopic&Version=2010-03-31&Name=t.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true&Tags.member.1.Key=k&Tags.member.1.Value=v"),
            serde_json::json!({"Attributes": {"FifoTopic": "true"}, "Name": "t.fifo", "Tags": [{"Key": "k", "Value": "v"}]})
        );
        assert_eq!(
            tree("Action=Publish&Message=m&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=x"),
            serde_json::json!({"Message": "m", "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}}})
        );
        assert!(is_sns(None, b"Action=ListTopics&Version=2010-03-31"));
        assert!(!is_sns(None, b"Action=ListQueues&Version=2012-11-05"));
    }

    #[test]
    fn a_publish_answer_is_laid_out_as_aws_lays_it_out() {
        let r = encode(
            "Publish",
            JsonReply::ok(
                &serde_json::json!({"MessageId": "94f20ce6-13c5-43a0-9a9e-ca52d816e90b"}),
            ),
            "f187a3c1-376f-11df-8963-01868b7c937a",
        );
        // The Content-Length AWS sent (../shared/conformance/v2, test_publish_base).
        assert_eq!(r.body.len(), 294);
        let r = encode(
            "GetTopicAttributes",
            JsonReply::ok(&serde_json::json!({"Attributes": {"A": "1"}})),
            "r",
        );
        let body = String::from_utf8_lossy(&r.body);
        assert!(
            body.contains(
                "<Attributes>\n      <entry>\n        <key>A</key>\n        <value>1</value>\n"
            ),
            "{body}"
        );
        let e = encode(
            "Publish",
            JsonReply::error(404, "NotFound", "Topic does not exist"),
            "r",
        );
        assert_eq!(e.status, 404);
        assert!(String::from_utf8_lossy(&e.body)
            .contains("<Code>NotFound</Code><Message>Topic does not exist</Message></Error>"));
    }
}

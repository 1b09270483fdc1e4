//! The SQS query protocol: form-encoded `Action=<Operation>&Version=2012-11-05` requests and XML
//! responses, as SDKs and tools pinned before SQS's JSON protocol speak it (boto3 before
//! botocore 1.31.x's switch, the AWS CLI v1 of that time, the AWS SDK for Java 1.x, Go v1, the
//! JavaScript SDK v2).
//!
//! A query request is translated to the JSON request of the same operation and served through
//! the same [`Router`](crate::server::Router) (interceptors included) and the same operation
//! table; the JSON reply is translated back to XML. So both protocols share one engine and one
//! set of validations, and an error is the same error in both.
//!
//! The member names and their wire names (`Attribute.N.Name`, `MessageAttribute.N.Value.*`,
//! `SendMessageBatchRequestEntry.N.*`, flattened lists and maps, `<Op>Result` wrappers) are
//! those of the query-protocol SQS model, botocore 1.31.60
//! `botocore/data/sqs/2012-11-05/service-2.json` (`"protocol": "query"`, every list and map
//! `flattened`, the `locationName`s of `QueueAttributeMap` (`Attribute`/`Name`/`Value`), `TagMap`
//! (`Tag`/`Key`/`Value`), `MessageBodyAttributeMap` (`MessageAttribute`), `MessageList`
//! (`Message`), `QueueUrlList` (`QueueUrl`), the batch entry lists, and each output's
//! `resultWrapper`). The XML envelope (`<OpResponse xmlns="http://queue.amazonaws.com/doc/
//! 2012-11-05/">`, `<ResponseMetadata><RequestId>`) and the error document (`<ErrorResponse>
//! <Error><Type>Sender</Type><Code>…</Code><Message>…</Message><Detail/></Error><RequestId>`) are
//! those of the Amazon SQS Developer Guide, "Making Query API requests" / "Interpreting Amazon
//! SQS XML API responses".

use serde_json::{Map, Value};

use crate::server::intercept::Outcome;
use crate::server::query::{element, params, xml_reply, ErrorDocument, Node};
use crate::server::{JsonReply, Router};

use super::{SQS_OPERATIONS, SQS_TARGET_PREFIX};

/// The SQS API version query requests name.
const API_VERSION: &str = "2012-11-05";

/// The XML namespace of every SQS query response.
const XMLNS: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// The operations whose model has no output shape: their response has no `<OpResult>`.
const NO_OUTPUT: &[&str] = &[
    "AddPermission",
    "ChangeMessageVisibility",
    "DeleteMessage",
    "DeleteQueue",
    "PurgeQueue",
    "RemovePermission",
    "SetQueueAttributes",
    "TagQueue",
    "UntagQueue",
];

/// Members of integer type in the SQS model (everything else in a request is a string).
const INTEGERS: &[&str] = &[
    "DelaySeconds",
    "MaxResults",
    "MaxNumberOfMessages",
    "MaxNumberOfMessagesPerSecond",
    "VisibilityTimeout",
    "WaitTimeSeconds",
];

/// The answer to a bare `GET` of a queue's URL (no `Action`): AWS's 404
/// `<UnknownOperationException/>` (LocalStack's AWS-validated
/// `test_get_without_query_returns_unknown_operation`).
pub(crate) fn unknown_operation_document() -> JsonReply {
    xml_reply(404, "<UnknownOperationException/>".into(), Vec::new())
}

/// Whether a bare request is a `GET` of a queue URL (`/<account>/<name>`).
pub(crate) fn is_queue_url_get(method: &str, path: &str) -> bool {
    method == "GET" && path.split('/').filter(|s| !s.is_empty()).count() >= 2
}

/// Whether a request without `X-Amz-Target` is a query request: a form body, or an `Action` in
/// the URL's query string.
pub(crate) fn is_query(content_type: Option<&str>, url_query: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    }) || url_query
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "Action"))
}

/// Serves one query request: `path` is the request path (a request may be posted to a queue's
/// URL instead of naming it in `QueueUrl`), `url_query` the URL's query string, `body` the form.
/// `None` when an interceptor dropped the connection. The reply is XML (`content-type:
/// text/xml`) and carries `request_id`.
pub(crate) async fn serve(
    router: &Router,
    path: &str,
    url_query: Option<&str>,
    body: &[u8],
    request_id: &str,
) -> Option<(String, JsonReply)> {
    let params = params(url_query, body);
    let (action, members) = match decode(&params, path) {
        Ok(d) => d,
        Err(e) => return Some(("-".into(), error_document(&e, request_id))),
    };
    let target = format!("{SQS_TARGET_PREFIX}.{action}");
    let json = Value::Object(members).to_string();
    match router.call(Some(&target), json.as_bytes()).await {
        Outcome::Reply(reply) => Some((target, encode(&action, reply, request_id))),
        Outcome::Dropped => None,
    }
}

/// A request that cannot be decoded, with AWS's query error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryError {
    status: u16,
    code: &'static str,
    message: String,
}

impl QueryError {
    fn new(code: &'static str, message: impl Into<String>) -> QueryError {
        QueryError {
            status: 400,
            code,
            message: message.into(),
        }
    }
}

/// How one query member becomes its JSON member.
enum Shape {
    Scalar,
    List,
    /// A flattened map of strings with this key member (`Name` or `Key`) and `Value`.
    StringMap(&'static str),
    /// A flattened map of message attribute values (`Name`, `Value.{StringValue, …}`).
    AttributeMap,
    /// A flattened list of structures (batch entries).
    Structures,
}

/// The JSON name and shape of query member `name` in `action`.
fn member<'a>(action: &str, name: &'a str) -> (&'a str, Shape) {
    match name {
        "Attribute" => ("Attributes", Shape::StringMap("Name")),
        // CreateQueue's tag map is the one lowercase input member of the model.
        "Tag" if action == "CreateQueue" => ("tags", Shape::StringMap("Key")),
        "Tag" => ("Tags", Shape::StringMap("Key")),
        "AttributeName" => ("AttributeNames", Shape::List),
        "MessageSystemAttributeName" => ("MessageSystemAttributeNames", Shape::List),
        "MessageAttributeName" => ("MessageAttributeNames", Shape::List),
        "TagKey" => ("TagKeys", Shape::List),
        "AWSAccountId" => ("AWSAccountIds", Shape::List),
        "ActionName" => ("Actions", Shape::List),
        "StringListValue" => ("StringListValues", Shape::List),
        "BinaryListValue" => ("BinaryListValues", Shape::List),
        "MessageAttribute" => ("MessageAttributes", Shape::AttributeMap),
        "MessageSystemAttribute" => ("MessageSystemAttributes", Shape::AttributeMap),
        "SendMessageBatchRequestEntry"
        | "DeleteMessageBatchRequestEntry"
        | "ChangeMessageVisibilityBatchRequestEntry" => ("Entries", Shape::Structures),
        _ => (name, Shape::Scalar),
    }
}

/// The JSON members of a structure given as a parameter tree.
fn structure(action: &str, node: &Node) -> Result<Map<String, Value>, QueryError> {
    let mut out = Map::new();
    for (name, child) in &node.children {
        let (json_name, shape) = member(action, name);
        let value = match shape {
            Shape::Scalar => match &child.value {
                Some(v) => scalar(name, v)?,
                None => continue,
            },
            Shape::List => Value::Array(
                child
                    .indexed()
                    .into_iter()
                    .filter_map(|n| n.value.clone().map(Value::String))
                    .collect(),
            ),
            Shape::StringMap(key) => Value::Object(
                child
                    .indexed()
                    .into_iter()
                    .filter_map(|n| {
                        Some((
                            n.text(key)?.to_string(),
                            Value::String(n.text("Value").unwrap_or_default().to_string()),
                        ))
                    })
                    .collect(),
            ),
            Shape::AttributeMap => {
                let mut m = Map::new();
                for n in child.indexed() {
                    let Some(k) = n.text("Name") else { continue };
                    let v = match n.children.get("Value") {
                        Some(v) => structure(action, v)?,
                        None => Map::new(),
                    };
                    m.insert(k.to_string(), Value::Object(v));
                }
                Value::Object(m)
            }
            Shape::Structures => Value::Array(
                child
                    .indexed()
                    .into_iter()
                    .map(|n| structure(action, n).map(Value::Object))
                    .collect::<Result<_, _>>()?,
            ),
        };
        out.insert(json_name.to_string(), value);
    }
    Ok(out)
}

fn scalar(name: &str, v: &str) -> Result<Value, QueryError> {
    if !INTEGERS.contains(&name) {
        return Ok(Value::String(v.to_string()));
    }
    v.trim().parse::<i64>().map(Value::from).map_err(|_| {
        // The message of AWS's common `InvalidParameterValue` family.
        QueryError::new(
            "InvalidParameterValue",
            format!("Value {v} for parameter {name} is invalid. Reason: Must be an integer."),
        )
    })
}

/// The action and the JSON request members of a query request.
fn decode(
    params: &[(String, String)],
    path: &str,
) -> Result<(String, Map<String, Value>), QueryError> {
    let mut action = None;
    for (k, v) in params {
        match k.as_str() {
            "Action" => action = Some(v.clone()),
            // Another query-protocol service (SNS, 2010-03-31, is routed before this) is not
            // SQS's to answer.
            "Version" if v != API_VERSION => {
                return Err(QueryError::new(
                    "InvalidAction",
                    format!("sfn-harness serves only the SQS (Version {API_VERSION}) and SNS (Version 2010-03-31) query APIs; it does not serve API version {v}."),
                ))
            }
            _ => {}
        }
    }
    let root = Node::of(params);
    // The texts of AWS's common errors (the "Common Errors" page of the SQS API reference).
    let action = match action {
        Some(a) if !a.is_empty() => a,
        _ => {
            return Err(QueryError::new(
                "MissingAction",
                "The request is missing an action or a required parameter.",
            ))
        }
    };
    if !SQS_OPERATIONS.contains(&action.as_str()) {
        return Err(QueryError::new(
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        ));
    }
    let mut members = structure(&action, &root)?;
    // A request posted to a queue's URL (`/<account>/<name>`) names its queue by the path; the
    // account-level actions are not valid there (recorded against AWS by LocalStack,
    // `test_get_create_queue_fails`: "The action CreateQueue is not valid for this endpoint.").
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.len() >= 2 && ["CreateQueue", "ListQueues"].contains(&action.as_str()) {
        return Err(QueryError::new(
            "InvalidAction",
            format!("The action {action} is not valid for this endpoint."),
        ));
    }
    if segments.len() >= 2 && !members.contains_key("QueueUrl") {
        members.insert("QueueUrl".into(), Value::String(path.to_string()));
    }
    Ok((action, members))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Writes the JSON members `m` of an output structure as XML elements.
fn write_members(action: &str, m: &Map<String, Value>, out: &mut String) {
    for (name, v) in m {
        match (name.as_str(), v) {
            ("QueueUrls" | "queueUrls", Value::Array(items)) => {
                for i in items {
                    element("QueueUrl", &scalar_text(i), out);
                }
            }
            ("Attributes", Value::Object(map)) => write_map("Attribute", "Name", map, out),
            ("Tags", Value::Object(map)) => write_map("Tag", "Key", map, out),
            ("MessageAttributes", Value::Object(map)) => {
                for (k, v) in map {
                    out.push_str("<MessageAttribute>");
                    element("Name", k, out);
                    out.push_str("<Value>");
                    if let Value::Object(inner) = v {
                        write_members(action, inner, out);
                    }
                    out.push_str("</Value></MessageAttribute>");
                }
            }
            (_, Value::Array(items)) => {
                let item_name = match name.as_str() {
                    "Messages" => "Message".to_string(),
                    "Successful" => format!("{action}ResultEntry"),
                    "Failed" => "BatchResultErrorEntry".to_string(),
                    "Results" => "ListMessageMoveTasksResultEntry".to_string(),
                    "StringListValues" => "StringListValue".to_string(),
                    "BinaryListValues" => "BinaryListValue".to_string(),
                    other => other.to_string(),
                };
                for i in items {
                    match i {
                        Value::Object(inner) => {
                            out.push_str(&format!("<{item_name}>"));
                            write_members(action, inner, out);
                            out.push_str(&format!("</{item_name}>"));
                        }
                        other => element(&item_name, &scalar_text(other), out),
                    }
                }
            }
            (_, Value::Object(inner)) => {
                out.push_str(&format!("<{name}>"));
                write_members(action, inner, out);
                out.push_str(&format!("</{name}>"));
            }
            (_, Value::Null) => {}
            (_, other) => element(name, &scalar_text(other), out),
        }
    }
}

fn write_map(entry: &str, key: &str, map: &Map<String, Value>, out: &mut String) {
    for (k, v) in map {
        out.push_str(&format!("<{entry}>"));
        element(key, k, out);
        element("Value", &scalar_text(v), out);
        out.push_str(&format!("</{entry}>"));
    }
}

/// The XML form of the JSON reply `reply` to `action`.
fn encode(action: &str, reply: JsonReply, request_id: &str) -> JsonReply {
    let parsed: Option<Map<String, Value>> = serde_json::from_slice(&reply.body).ok();
    if reply.status >= 300 {
        let members = parsed.unwrap_or_default();
        // The query code: the `x-amzn-query-error` header of an awsQueryCompatible error, else
        // the shape name of `__type`.
        let header = reply
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amzn-query-error"))
            .map(|(_, v)| v.clone());
        let (code, fault) = match header.as_deref().and_then(|h| h.split_once(';')) {
            Some((c, t)) => (c.to_string(), t.to_string()),
            None => {
                let t = members.get("__type").map(scalar_text).unwrap_or_default();
                let code = t.rsplit('#').next().unwrap_or_default().to_string();
                let fault = if reply.status >= 500 {
                    "Receiver"
                } else {
                    "Sender"
                };
                (code, fault.to_string())
            }
        };
        let message = members
            .get("message")
            .or_else(|| members.get("Message"))
            .map(scalar_text)
            .unwrap_or_default();
        let mut out = error_document_with(reply.status, &code, &fault, &message, request_id);
        out.headers.extend(
            reply
                .headers
                .into_iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("x-amzn-query-error")),
        );
        return out;
    }
    let mut body = String::from("<?xml version=\"1.0\"?>");
    body.push_str(&format!("<{action}Response xmlns=\"{XMLNS}\">"));
    if !NO_OUTPUT.contains(&action) {
        body.push_str(&format!("<{action}Result>"));
        if let Some(m) = &parsed {
            write_members(action, m, &mut body);
        }
        body.push_str(&format!("</{action}Result>"));
    }
    body.push_str("<ResponseMetadata>");
    element("RequestId", request_id, &mut body);
    body.push_str(&format!("</ResponseMetadata></{action}Response>"));
    xml_reply(reply.status, body, reply.headers)
}

fn error_document(e: &QueryError, request_id: &str) -> JsonReply {
    error_document_with(e.status, e.code, "Sender", &e.message, request_id)
}

fn error_document_with(
    status: u16,
    code: &str,
    fault: &str,
    message: &str,
    request_id: &str,
) -> JsonReply {
    ErrorDocument {
        xmlns: XMLNS,
        status,
        code,
        fault,
        message,
        request_id,
        detail: true,
    }
    .reply()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(s: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(s.as_bytes()).into_owned().collect()
    }

    #[test]
    fn decodes_flattened_maps_lists_and_entries() {
        let (action, m) = decode(
            &params(
                "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F1%2Fq\
                 &SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two\
                 &SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one+1\
                 &SendMessageBatchRequestEntry.1.DelaySeconds=5\
                 &SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k\
                 &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String\
                 &SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v",
            ),
            "/",
        )
        .unwrap();
        assert_eq!(action, "SendMessageBatch");
        assert_eq!(
            Value::Object(m),
            serde_json::json!({
                "QueueUrl": "http://h/1/q",
                "Entries": [
                    {"Id": "a", "MessageBody": "one 1", "DelaySeconds": 5,
                     "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
                    {"Id": "b", "MessageBody": "two"},
                ]
            })
        );
        let (_, m) = decode(
            &params("Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3&Tag.1.Key=t&Tag.1.Value=u"),
            "/",
        )
        .unwrap();
        assert_eq!(
            Value::Object(m),
            serde_json::json!({"QueueName": "q", "Attributes": {"DelaySeconds": "3"}, "tags": {"t": "u"}})
        );
        // Posted to the queue's URL.
        let (_, m) = decode(&params("Action=PurgeQueue"), "/123456789012/q").unwrap();
        assert_eq!(m["QueueUrl"], "/123456789012/q");
    }

    #[test]
    fn refuses_unknown_actions_and_bad_integers() {
        assert_eq!(
            decode(&params("Version=2012-11-05"), "/").unwrap_err().code,
            "MissingAction"
        );
        assert_eq!(
            decode(&params("Action=Nope"), "/").unwrap_err().code,
            "InvalidAction"
        );
        let other = decode(&params("Action=CreateTopic&Version=2011-01-01"), "/").unwrap_err();
        assert!(
            other
                .message
                .contains("does not serve API version 2011-01-01"),
            "{other:?}"
        );
        let e = decode(
            &params("Action=ReceiveMessage&QueueUrl=q&WaitTimeSeconds=x"),
            "/",
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterValue");
    }

    #[test]
    fn encodes_results_and_errors() {
        let r = encode(
            "GetQueueAttributes",
            JsonReply::ok(&serde_json::json!({"Attributes": {"DelaySeconds": "0"}})),
            "rid",
        );
        assert_eq!(
            String::from_utf8_lossy(&r.body),
            "<?xml version=\"1.0\"?><GetQueueAttributesResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">\
             <GetQueueAttributesResult><Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute></GetQueueAttributesResult>\
             <ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetQueueAttributesResponse>"
        );
        let r = encode("DeleteQueue", JsonReply::ok(&serde_json::json!({})), "rid");
        assert!(!String::from_utf8_lossy(&r.body).contains("DeleteQueueResult"));
        let e = super::super::sqs_error_reply(&crate::sqs::SqsError::QueueDoesNotExist);
        let r = encode("GetQueueUrl", e, "rid");
        assert_eq!(r.status, 400);
        let body = String::from_utf8_lossy(&r.body);
        assert!(body.contains("<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message><Detail/>"), "{body}");
        assert!(r.headers.iter().all(|(n, _)| n != "x-amzn-query-error"));
    }
}

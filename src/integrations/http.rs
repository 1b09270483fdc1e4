//! HTTP Tasks: `arn:aws:states:::http:invoke` calls the real URL.
//!
//! Parameters, as "Call HTTPS APIs in Step Functions workflows" (AWS Step Functions Developer
//! Guide) lists them: `ApiEndpoint` (the URL), `Method` (`GET`, `POST`, `PUT`, `DELETE`,
//! `PATCH`, `OPTIONS`, `HEAD`), `Authentication.ConnectionArn` (required by AWS: the EventBridge
//! connection holding the credentials; sfn-harness has no EventBridge, so it checks the field is
//! there, records it in `TaskScheduled` like any parameter, and adds no credentials), `Headers`,
//! `QueryParameters` (appended to the URL), `RequestBody` (sent as JSON), and `Transform`
//! (`RequestBodyEncoding: URL_ENCODED` sends the body form-encoded, arrays as
//! `RequestEncodingOptions.ArrayFormat` says: `INDICES` (the default) `a[0]=x&a[1]=y`, `REPEAT`
//! `a=x&a=y`, `COMMAS` `a=x,y`, `BRACKETS` `a[]=x&a[]=y`; nested objects as `a[b]=x`).
//!
//! The result is the guide's response shape: `Headers` (each name lowercased, its values as a
//! list), `ResponseBody` (parsed when the response is JSON, else the text), `StatusCode` and
//! `StatusText`. A status outside 2xx fails the task with `States.Http.StatusCode.<code>` and
//! that response shape as JSON text in the cause; a connection that fails is
//! `States.Http.Socket`. A call is bounded by 60 s of real time (the guide's HTTP Task limit),
//! and holds the clock's activity while it is in flight, so virtual time does not skip past it.
//!
//! sfn-harness's client speaks plain `http://` only (no TLS): an `https://` endpoint fails the
//! task saying so. Point `ApiEndpoint` at a local server (a `wiremock` server in tests).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Map, Value};

use crate::asl::StatesError;
use crate::engine::task::{BoxFuture, TaskHandler, TaskRequest};

/// The resource this integration answers.
pub(crate) const INVOKE: &str = "arn:aws:states:::http:invoke";

/// The longest an HTTP Task waits for its response, in real time.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The methods an HTTP Task may use.
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// The HTTP Task integration.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HttpIntegration;

fn runtime(msg: impl Into<String>) -> StatesError {
    StatesError::new("States.Runtime", msg)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn flatten(prefix: &str, v: &Value, format: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}[{k}]")
                };
                flatten(&key, v, format, out);
            }
        }
        Value::Array(items) => match format {
            "COMMAS" => out.push((
                prefix.to_string(),
                items.iter().map(scalar).collect::<Vec<_>>().join(","),
            )),
            "REPEAT" => items.iter().for_each(|i| flatten(prefix, i, format, out)),
            "BRACKETS" => items
                .iter()
                .for_each(|i| flatten(&format!("{prefix}[]"), i, format, out)),
            _ => items
                .iter()
                .enumerate()
                .for_each(|(n, i)| flatten(&format!("{prefix}[{n}]"), i, format, out)),
        },
        other => out.push((prefix.to_string(), scalar(other))),
    }
}

/// A JSON value form-encoded as an HTTP Task's `URL_ENCODED` body, arrays in `array_format`
/// (`INDICES`, `REPEAT`, `COMMAS` or `BRACKETS`).
pub(crate) fn form_encode(v: &Value, array_format: &str) -> String {
    let mut pairs = Vec::new();
    flatten("", v, array_format, &mut pairs);
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// What the task sends.
#[derive(Debug)]
struct Call {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Bytes)>,
}

fn parse(p: &Value) -> Result<Call, StatesError> {
    let Some(o) = p.as_object() else {
        return Err(runtime(format!(
            "The parameters of an http:invoke task must be a JSON object, but were {p}"
        )));
    };
    let endpoint = match o.get("ApiEndpoint") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(runtime(
                "The field 'ApiEndpoint' is required and must be a string for http:invoke",
            ))
        }
    };
    let method = match o.get("Method") {
        Some(Value::String(m)) if METHODS.contains(&m.to_ascii_uppercase().as_str()) => {
            m.to_ascii_uppercase()
        }
        _ => {
            return Err(runtime(format!(
                "The field 'Method' is required for http:invoke and must be one of {}",
                METHODS.join(", ")
            )))
        }
    };
    if o.get("Authentication")
        .and_then(|a| a.get("ConnectionArn"))
        .and_then(Value::as_str)
        .is_none()
    {
        return Err(runtime(
            "The field 'Authentication.ConnectionArn' is required for http:invoke (AWS requires an EventBridge connection; sfn-harness records it and adds no credentials)",
        ));
    }
    let mut url = endpoint;
    if let Some(q) = o.get("QueryParameters") {
        if !q.is_object() {
            return Err(runtime("'QueryParameters' must be an object"));
        }
        let query = form_encode(q, "REPEAT");
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query);
        }
    }
    let mut headers = Vec::new();
    if let Some(h) = o.get("Headers") {
        let Some(h) = h.as_object() else {
            return Err(runtime("'Headers' must be an object"));
        };
        for (k, v) in h {
            headers.push((k.clone(), scalar(v)));
        }
    }
    let transform = o.get("Transform");
    let encoding = transform
        .and_then(|t| t.get("RequestBodyEncoding"))
        .and_then(Value::as_str)
        .unwrap_or("NONE");
    let array_format = transform
        .and_then(|t| t.get("RequestEncodingOptions"))
        .and_then(|t| t.get("ArrayFormat"))
        .and_then(Value::as_str)
        .unwrap_or("INDICES");
    let body = match o.get("RequestBody") {
        None => None,
        Some(b) if encoding == "URL_ENCODED" => Some((
            "application/x-www-form-urlencoded".to_string(),
            Bytes::from(form_encode(b, array_format)),
        )),
        Some(Value::String(s)) => Some(("text/plain".to_string(), Bytes::from(s.clone()))),
        Some(b) => Some(("application/json".to_string(), Bytes::from(b.to_string()))),
    };
    Ok(Call {
        method,
        url,
        headers,
        body,
    })
}

/// The answer's shape: `Headers`, `ResponseBody`, `StatusCode`, `StatusText`.
fn answer(resp_headers: &hyper::HeaderMap, status: hyper::StatusCode, body: &[u8]) -> Value {
    let mut headers = Map::new();
    for (name, value) in resp_headers {
        let v = Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned());
        if let Value::Array(list) = headers
            .entry(name.as_str().to_string())
            .or_insert_with(|| json!([]))
        {
            list.push(v);
        }
    }
    let is_json = resp_headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("json"));
    let text = String::from_utf8_lossy(body).into_owned();
    let response_body = if is_json {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    } else {
        Value::String(text)
    };
    json!({
        "Headers": headers,
        "ResponseBody": response_body,
        "StatusCode": status.as_u16(),
        "StatusText": status.canonical_reason().unwrap_or_default(),
    })
}

async fn send(call: Call) -> Result<Value, StatesError> {
    if call.url.starts_with("https://") {
        return Err(runtime(format!(
            "sfn-harness's HTTP Task speaks plain http:// only (it has no TLS client), so it cannot call {}: point ApiEndpoint at an http:// server (an sfn-harness gap)",
            call.url
        )));
    }
    let mut req = hyper::Request::builder()
        .method(call.method.as_str())
        .uri(&call.url)
        .header("user-agent", "Amazon|StepFunctions|HttpInvoke|sfn-harness");
    let has_content_type = call
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    for (k, v) in &call.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let body = match call.body {
        Some((content_type, body)) => {
            if !has_content_type {
                req = req.header("content-type", content_type);
            }
            body
        }
        None => Bytes::new(),
    };
    let req = req.body(Full::new(body)).map_err(|e| {
        runtime(format!(
            "The HTTP request to '{}' is not valid: {e}",
            call.url
        ))
    })?;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let exchange = async {
        let resp = client.request(req).await.map_err(|e| e.to_string())?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok::<_, String>((parts, body))
    };
    let (parts, body) = match tokio::time::timeout(CALL_TIMEOUT, exchange).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            return Err(StatesError::new(
                "States.Http.Socket",
                format!("The HTTP request to {} failed: {e}", call.url),
            ))
        }
        Err(_) => {
            return Err(StatesError::new(
                "States.Http.Socket",
                format!(
                    "The HTTP request to {} did not answer within {} s",
                    call.url,
                    CALL_TIMEOUT.as_secs()
                ),
            ))
        }
    };
    let out = answer(&parts.headers, parts.status, &body);
    if parts.status.is_success() {
        Ok(out)
    } else {
        Err(StatesError::new(
            format!("States.Http.StatusCode.{}", parts.status.as_u16()),
            out.to_string(),
        ))
    }
}

impl TaskHandler for HttpIntegration {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        Box::pin(async move {
            let call = parse(&request.input)?;
            // Virtual time must not run on while the call is in flight.
            let _busy = request.clock.activity();
            send(call).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_make_the_request() {
        let c = parse(&json!({
            "ApiEndpoint": "http://h/p",
            "Method": "post",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c/1"},
            "QueryParameters": {"q": "a b", "ids": [1, 2]},
            "Headers": {"X-A": "1"},
            "RequestBody": {"tags": ["x", "y"]},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}
        }))
        .unwrap();
        assert_eq!(c.method, "POST");
        assert_eq!(c.url, "http://h/p?q=a+b&ids=1&ids=2");
        let (ct, body) = c.body.unwrap();
        assert_eq!(ct, "application/x-www-form-urlencoded");
        assert_eq!(&body[..], b"tags%5B%5D=x&tags%5B%5D=y");
        assert!(parse(&json!({"ApiEndpoint": "http://h", "Method": "GET"})).is_err());
        assert!(parse(&json!({"ApiEndpoint": "http://h", "Method": "FETCH", "Authentication": {"ConnectionArn": "c"}})).is_err());
    }
}

#[cfg(test)]
mod doc_example_23 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::integrations::http::form_encode;
        use serde_json::json;
        let body = json!({"name": "a b", "tags": ["x", "y"], "dim": {"w": 1}});
        assert_eq!(
            form_encode(&body, "INDICES"),
            "name=a+b&tags%5B0%5D=x&tags%5B1%5D=y&dim%5Bw%5D=1"
        );
        assert_eq!(
            form_encode(&body, "COMMAS"),
            "name=a+b&tags=x%2Cy&dim%5Bw%5D=1"
        );
    }
}

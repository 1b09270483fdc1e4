//! What the HTTP request being served tells SQS: the region (a queue's region follows the
//! client's signing region, so one [`Sqs`](super::Sqs) holds the queues of every region of its
//! account) and the X-Ray trace header (`X-Amzn-Trace-Id`, which becomes a sent message's
//! `AWSTraceHeader` system attribute when the request sets none: LocalStack's AWS-validated
//! `test_aws_trace_header_propagation` in `tests/aws/services/sqs/test_sqs.py`).
//!
//! The server runs each request inside [`in_region`] with the region of the SigV4 credential
//! scope (`Credential=<key>/<date>/<region>/sqs/aws4_request`); outside it (in-process calls,
//! the Step Functions integration, unsigned requests) the service's own region applies. Queues
//! of the service's region have the URL `<base>/<account>/<name>`; those of another region
//! `<base>/queue/<region>/<account>/<name>` (LocalStack's path-style queue URL,
//! localstack/localstack#5928), so a URL names its region and works from any client.
//!
//! Example: the unit test `sqs_region_14` in `src/tests/doc_examples.rs`.

use std::future::Future;

/// What one request sets.
#[derive(Debug, Clone, Default)]
struct Scope {
    region: Option<String>,
    trace_header: Option<String>,
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// Runs `f` with `region` as the region of every SQS call it makes.
#[cfg(test)]
pub(crate) async fn in_region<F: Future>(region: String, f: F) -> F::Output {
    in_request(Some(region), None, f).await
}

/// Runs `f` as the SQS calls of one HTTP request: its signing `region` and its
/// `X-Amzn-Trace-Id` header (`trace_header`), when it has them.
pub(crate) async fn in_request<F: Future>(
    region: Option<String>,
    trace_header: Option<String>,
    f: F,
) -> F::Output {
    SCOPE
        .scope(
            Scope {
                region,
                trace_header,
            },
            f,
        )
        .await
}

/// The region of the request being served, if one was set.
pub(super) fn current() -> Option<String> {
    SCOPE.try_with(|s| s.region.clone()).ok().flatten()
}

/// The `X-Amzn-Trace-Id` of the request being served, if any.
pub(super) fn trace_header() -> Option<String> {
    SCOPE.try_with(|s| s.trace_header.clone()).ok().flatten()
}

/// The region of a SigV4 `Authorization` header's credential scope.
pub(crate) fn signing_region(authorization: &str) -> Option<String> {
    let rest = authorization.get(find_credential(authorization)? + CREDENTIAL.len()..)?;
    // The scope ends at a `,` or a space (or at a second `Credential=`, as
    // `split("Credential=")` read it).
    // Byte searches: a `char` pattern costs a searcher per call (issue 13: three a request).
    // Every cut is at an ASCII byte, so at a character boundary.
    let end = memchr::memchr2(b',', b' ', rest.as_bytes()).unwrap_or(rest.len());
    let scope = rest.get(..end)?;
    let scope = scope.get(..find_credential(scope).unwrap_or(scope.len()))?;
    // The third `/`-separated field (`<key>/<date>/<region>/…`).
    let mut slashes = memchr::memchr_iter(b'/', scope.as_bytes());
    let (_, second) = (slashes.next()?, slashes.next()?);
    let region = scope.get(second + 1..slashes.next().unwrap_or(scope.len()))?;
    (!region.is_empty()).then(|| region.to_string())
}

const CREDENTIAL: &str = "Credential=";

/// Where `Credential=` starts in `s`. A plain scan for its first byte, then a comparison: the
/// key sits near the start of the header, and a `str` pattern search costs more to set up than
/// that (issue 13: once per request; comparing a window at every byte cost ~2,000
/// instructions a request).
fn find_credential(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(p) = b.get(from..)?.iter().position(|&c| c == b'C') {
        let at = from + p;
        if b[at..].starts_with(CREDENTIAL.as_bytes()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod doc_example_78 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::sqs::signing_region;
        let h = "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=00";
        assert_eq!(signing_region(h).as_deref(), Some("eu-west-1"));
        assert_eq!(signing_region("Basic x"), None);
    }

    /// The scan reads every header as the `split` chain it replaced did.
    #[test]
    fn reads_as_the_split_chain_did() {
        fn split_chain(a: &str) -> Option<String> {
            let scope = a.split("Credential=").nth(1)?;
            let scope = scope.split([',', ' ']).next()?;
            let region = scope.split('/').nth(2)?;
            (!region.is_empty()).then(|| region.to_string())
        }
        for h in [
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/states/aws4_request",
            "Credential=a/b/cCredential=x/y/z/w",
            "Credential=a/bCredential=x/y/z",
            "Credential=a/b/",
            "Credential=a/b/c/d/e",
            "Credential=a//c",
            "Credential=//",
            "Credential=a/b/c d/e/f",
            "Credential=",
            "xCredential=é/ü/ß, y",
            "Credential",
            "",
        ] {
            assert_eq!(crate::sqs::signing_region(h), split_chain(h), "{h:?}");
        }
    }
}

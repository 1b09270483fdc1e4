//! The S3 front-end: S3's REST-XML protocol as an AWS SDK sends it to a custom endpoint,
//! path-style (`/{bucket}` and `/{bucket}/{key}`), over the [S3 service](crate::s3).
//!
//! A request is S3's when it has no `X-Amz-Target`, is no SQS query request, and its SigV4
//! credential scope names the service `s3` (`Credential=<key>/<date>/<region>/s3/aws4_request`).
//! Operations: `ListBuckets` (`GET /`), `CreateBucket` (`PUT /b`), `HeadBucket`, `DeleteBucket`,
//! `ListObjectsV2` (`GET /b?list-type=2`), `ListObjects` (`GET /b`), `PutObject` (`PUT /b/k`),
//! `GetObject`, `HeadObject`, `DeleteObject`. Errors are S3's XML documents
//! (`<Error><Code>NoSuchKey</Code><Message>…</Message>…</Error>`; a `HEAD` error has no body),
//! as the Amazon S3 API reference ("Error responses") shows them.

use bytes::Bytes;

use crate::s3::{Listing, S3Error, S3};
use crate::server::JsonReply;
use crate::time::{http_date, iso8601};

const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Whether a request without `X-Amz-Target` is signed for S3.
pub(crate) fn is_s3_request(authorization: Option<&str>) -> bool {
    authorization
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|s| s.split([',', ' ']).next())
        .and_then(|scope| scope.split('/').nth(3))
        == Some("s3")
}

/// Text as XML content: the query protocol's escaping ([`crate::server::query::escape`]), so S3's
/// answers and errors escape exactly as SQS's and SNS's do.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::server::query::escape(s, &mut out);
    out
}

/// Decodes `%XX` escapes (a bad escape stays as written).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn xml_reply(status: u16, body: String) -> JsonReply {
    JsonReply {
        status,
        headers: vec![("Content-Type".into(), "application/xml".into())],
        body: Bytes::from(body),
    }
}

fn empty(status: u16, headers: Vec<(String, String)>) -> JsonReply {
    JsonReply {
        status,
        headers,
        body: Bytes::new(),
    }
}

/// S3's XML error document (no body for `HEAD`).
fn error_reply(e: &S3Error, method: &str, request_id: &str) -> JsonReply {
    if method == "HEAD" {
        return empty(e.status(), vec![]);
    }
    let element = match e {
        S3Error::NoSuchKey(_) => "Key",
        _ => "BucketName",
    };
    xml_reply(
        e.status(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message><{element}>{}</{element}><RequestId>{request_id}</RequestId></Error>",
            e.code(),
            xml_escape(&e.to_string()),
            xml_escape(e.resource()),
        ),
    )
}

fn unsupported(method: &str, path: &str, request_id: &str) -> JsonReply {
    xml_reply(
        501,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NotImplemented</Code><Message>sfn-harness's S3 does not implement {} {} yet (it serves ListBuckets, CreateBucket, HeadBucket, DeleteBucket, ListObjects[V2], PutObject, GetObject, HeadObject and DeleteObject, path-style)</Message><RequestId>{request_id}</RequestId></Error>",
            xml_escape(method),
            xml_escape(path)
        ),
    )
}

/// The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n…0\r\n`,
/// then trailers), as SigV4 streaming uploads send it.
fn decode_aws_chunked(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size..)?;
        rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn list_xml(bucket: &str, prefix: &str, max_keys: usize, l: &Listing, v2: bool) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"{XMLNS}\"><Name>{}</Name><Prefix>{}</Prefix>",
        xml_escape(bucket),
        xml_escape(prefix)
    );
    if v2 {
        x.push_str(&format!(
            "<KeyCount>{}</KeyCount>",
            l.objects.len() + l.common_prefixes.len()
        ));
    } else {
        x.push_str("<Marker></Marker>");
    }
    x.push_str(&format!(
        "<MaxKeys>{max_keys}</MaxKeys><IsTruncated>{}</IsTruncated>",
        l.truncated
    ));
    if let Some(next) = &l.next_key {
        if v2 {
            x.push_str(&format!(
                "<NextContinuationToken>{}</NextContinuationToken>",
                xml_escape(next)
            ));
        } else {
            x.push_str(&format!("<NextMarker>{}</NextMarker>", xml_escape(next)));
        }
    }
    for o in &l.objects {
        x.push_str(&format!(
            "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            xml_escape(&o.key),
            iso8601(o.last_modified_ms),
            xml_escape(&o.etag),
            o.body.len()
        ));
    }
    for p in &l.common_prefixes {
        x.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            xml_escape(p)
        ));
    }
    x.push_str("</ListBucketResult>");
    x
}

/// Answers one S3 request: `method`, the URL's `path` and `query`, the request headers and body.
pub(crate) fn serve(
    s3: &S3,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(String, String)],
    body: &[u8],
    request_id: &str,
) -> JsonReply {
    let params: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let trimmed = path.trim_start_matches('/');
    let (bucket, key) = match trimmed.split_once('/') {
        Some((b, k)) => (percent_decode(b), percent_decode(k)),
        None => (percent_decode(trimmed), String::new()),
    };
    let result = match (method, bucket.is_empty(), key.is_empty()) {
        ("GET", true, _) => {
            let mut x = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult xmlns=\"{XMLNS}\"><Owner><ID>sfn-harness</ID><DisplayName>sfn-harness</DisplayName></Owner><Buckets>"
            );
            for (name, created) in s3.list_buckets() {
                x.push_str(&format!(
                    "<Bucket><Name>{}</Name><CreationDate>{}</CreationDate></Bucket>",
                    xml_escape(&name),
                    iso8601(created)
                ));
            }
            x.push_str("</Buckets></ListAllMyBucketsResult>");
            Ok(xml_reply(200, x))
        }
        (_, true, _) => return unsupported(method, path, request_id),
        ("PUT", false, true) => s3
            .create_bucket(&bucket)
            .map(|()| empty(200, vec![("Location".into(), format!("/{bucket}"))])),
        ("HEAD", false, true) => s3.head_bucket(&bucket).map(|()| empty(200, vec![])),
        ("DELETE", false, true) => s3.delete_bucket(&bucket).map(|()| empty(204, vec![])),
        ("GET", false, true) => {
            let v2 = param("list-type") == Some("2");
            let prefix = param("prefix").unwrap_or("");
            let max_keys = param("max-keys")
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(1000);
            let after = if v2 {
                param("continuation-token").or(param("start-after"))
            } else {
                param("marker")
            };
            s3.list_objects(&bucket, prefix, param("delimiter"), after, max_keys)
                .map(|l| xml_reply(200, list_xml(&bucket, prefix, max_keys, &l, v2)))
        }
        ("PUT", false, false) => {
            let chunked = header(headers, "content-encoding")
                .is_some_and(|e| e.contains("aws-chunked"))
                || header(headers, "x-amz-content-sha256")
                    .is_some_and(|s| s.starts_with("STREAMING-"));
            let data = if chunked {
                match decode_aws_chunked(body) {
                    Some(d) => d,
                    None => {
                        return xml_reply(
                            400,
                            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>IncompleteBody</Code><Message>The aws-chunked request body could not be decoded.</Message><RequestId>{request_id}</RequestId></Error>"),
                        )
                    }
                }
            } else {
                body.to_vec()
            };
            s3.put_object(&bucket, &key, data, header(headers, "content-type"))
                .map(|o| empty(200, vec![("ETag".into(), o.etag)]))
        }
        ("GET", false, false) | ("HEAD", false, false) => s3.get_object(&bucket, &key).map(|o| {
            let headers = vec![
                ("Content-Type".into(), o.content_type.clone()),
                ("ETag".into(), o.etag.clone()),
                ("Last-Modified".into(), http_date(o.last_modified_ms)),
                ("Accept-Ranges".into(), "bytes".into()),
            ];
            if method == "HEAD" {
                let mut h = headers;
                h.push(("Content-Length".into(), o.body.len().to_string()));
                empty(200, h)
            } else {
                JsonReply {
                    status: 200,
                    headers,
                    body: Bytes::from(o.body),
                }
            }
        }),
        ("DELETE", false, false) => s3.delete_object(&bucket, &key).map(|()| empty(204, vec![])),
        _ => return unsupported(method, path, request_id),
    };
    result.unwrap_or_else(|e| error_reply(&e, method, request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_chunked_bodies_decode() {
        let body = b"5;chunk-signature=abc\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
        assert_eq!(decode_aws_chunked(body).unwrap(), b"hello");
        assert_eq!(decode_aws_chunked(b"zz\r\n"), None);
    }

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(percent_decode("a%20b%2Fc%zz"), "a b/c%zz");
        assert_eq!(percent_decode("key%41"), "keyA");
    }
}

#[cfg(test)]
mod doc_example_12 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::s3::S3;
        use crate::server::s3_api;
        use crate::time::Clock;

        let s3 = S3::new(Clock::virtual_at(0));
        assert!(s3_api::is_s3_request(Some(
            "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/s3/aws4_request, SignedHeaders=host"
        )));
        assert_eq!(
            s3_api::serve(&s3, "PUT", "/bkt", None, &[], b"", "req-1").status,
            200
        );
        assert_eq!(
            s3_api::serve(&s3, "PUT", "/bkt/a%20b.json", None, &[], b"[1]", "req-2").status,
            200
        );
        let got = s3_api::serve(&s3, "GET", "/bkt/a%20b.json", None, &[], b"", "req-3");
        assert_eq!(&got.body[..], b"[1]");
        let missing = s3_api::serve(&s3, "GET", "/bkt/nope", None, &[], b"", "req-4");
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("<Code>NoSuchKey</Code>"));
    }
}

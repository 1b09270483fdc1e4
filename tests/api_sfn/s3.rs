//! S3's REST-XML protocol on the same endpoint: requests whose SigV4 scope names `s3`
//! (path-style, as an SDK sends them to a custom endpoint), raw over HTTP/1.1.

use super::*;

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// One raw request; returns (status, head, body).
async fn s3(
    h: &Harness,
    method: &str,
    path: &str,
    extra: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = h.endpoint_url().trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: {AUTH}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await.unwrap();
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(resp.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head, resp[split..].to_vec())
}

#[sfn_harness::test(seed = 33)]
async fn s3_buckets_and_objects_over_http(h: Harness) {
    assert_eq!(s3(&h, "PUT", "/items", "", b"").await.0, 200);
    let (status, _, body) = s3(&h, "PUT", "/items", "", b"").await;
    assert_eq!(status, 409);
    assert!(String::from_utf8_lossy(&body).contains("<Code>BucketAlreadyOwnedByYou</Code>"));

    // A SigV4 streaming upload (aws-chunked) stores its payload only.
    let chunked = b"5;chunk-signature=x\r\n[1,2]\r\n0\r\n\r\n";
    let (status, head, _) = s3(
        &h,
        "PUT",
        "/items/list%20one.json",
        "content-encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n",
        chunked,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("etag: \"f79408e5ca998cd53faf44af31e6eb45\""),
        "{head}"
    );
    let (status, _, body) = s3(&h, "GET", "/items/list%20one.json", "", b"").await;
    assert_eq!((status, body.as_slice()), (200, b"[1,2]".as_slice()));

    let (status, _, body) = s3(&h, "GET", "/items?list-type=2&prefix=list", "", b"").await;
    let xml = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(
        xml.contains("<KeyCount>1</KeyCount>") && xml.contains("<Key>list one.json</Key>"),
        "{xml}"
    );

    let (status, _, body) = s3(&h, "GET", "/items/nope", "", b"").await;
    assert_eq!(status, 404);
    let xml = String::from_utf8_lossy(&body);
    assert!(xml.contains("<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>nope</Key>"), "{xml}");
    let (status, _, body) = s3(&h, "HEAD", "/missing-bucket/k", "", b"").await;
    assert_eq!((status, body.len()), (404, 0));
    let (status, _, body) = s3(&h, "DELETE", "/items", "", b"").await;
    assert_eq!(status, 409);
    assert!(String::from_utf8_lossy(&body).contains("<Code>BucketNotEmpty</Code>"));
    assert_eq!(
        s3(&h, "DELETE", "/items/list%20one.json", "", b"").await.0,
        204
    );
    assert_eq!(s3(&h, "DELETE", "/items", "", b"").await.0, 204);

    // Step Functions still answers on the same endpoint.
    let c = h.sfn_client().await;
    c.list_state_machines().send().await.unwrap();
}

//! The SQS endpoint through the real `aws-sdk-sqs` client.

use std::time::{Duration, Instant};

use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::primitives::Blob;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use aws_sdk_sqs::Client;
use md5::{Digest, Md5};
use sfn_harness::internals::Server;
use sfn_harness::internals::{Account, AccountConfig};
use sfn_harness::time::Clock;

#[path = "../support/mod.rs"]
mod support;

mod batches;
mod dead_letter;
mod encryption;
mod fifo;
mod long_poll;
mod malformed;
mod messages;
mod more;
mod query;
mod queues;
mod visibility;

use std::sync::Arc;

const ACCOUNT: &str = "123456789012";

/// One account served over HTTP, with an SQS client that does not retry.
struct Fake {
    server: Server,
    clock: Clock,
    client: Client,
}

fn fake(clock: Clock) -> Fake {
    let account_clock = clock.clone();
    let account = Account::new(AccountConfig {
        clock,
        account_id: ACCOUNT.into(),
        ..AccountConfig::default()
    });
    let server = Server::bind(account.router(), ("127.0.0.1", 0)).expect("start");
    let client = client_in(server.url(), "us-east-1");
    Fake {
        server,
        clock: account_clock,
        client,
    }
}

/// The server's `host:port` (its URL without the scheme), for raw TCP requests.
fn host_port(server: &Server) -> String {
    server.url().trim_start_matches("http://").to_string()
}

/// An SQS client for `url` signing for `region`, that does not retry.
fn client_in(url: &str, region: &str) -> Client {
    Client::from_conf(
        support::sqs_config(url)
            .region(aws_sdk_sqs::config::Region::new(region.to_string()))
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

fn hex_md5(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An independent implementation of the documented attribute digest, for cross-checking.
fn attrs_md5(attrs: &[(&str, &str, &[u8], u8)]) -> String {
    let mut sorted = attrs.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut buf = Vec::new();
    for (name, ty, value, transport) in sorted {
        for part in [name.as_bytes(), ty.as_bytes()] {
            buf.extend_from_slice(&(part.len() as u32).to_be_bytes());
            buf.extend_from_slice(part);
        }
        buf.push(transport);
        buf.extend_from_slice(&(value.len() as u32).to_be_bytes());
        buf.extend_from_slice(value);
    }
    hex_md5(&buf)
}

async fn create(f: &Fake, name: &str) -> String {
    f.client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url")
}

//! An in-memory Amazon SQS: queues, messages, visibility, long polling, FIFO and dead-letter
//! queues, with AWS's validation rules and error codes.
//!
//! [`Sqs`] is the engine. It knows nothing about HTTP: the server (`crate::server`) translates
//! the AWS JSON protocol into these same calls, and the harness (or the Step Functions engine)
//! can call them in-process, e.g. [`Sqs::send_message`] for a `arn:aws:states:::sqs:sendMessage`
//! task. All time comes from the [`Clock`]: visibility timeouts, delays, retention and long polls
//! follow virtual time when the clock is virtual.
//!
//! Example: the unit test `sqs_mod_10` in `src/tests/doc_examples.rs`.
//!
//! # Where things are
//!
//! One concept a file; every operation is a method on [`Sqs`], written in the file of its
//! concept:
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | [`Sqs`] itself: its state, ids, queue URLs and ARNs |
//! | `queues.rs` | `CreateQueue`, `GetQueueUrl`, `ListQueues`, `DeleteQueue`, `PurgeQueue`, queue attributes, tags, dead-letter source queues |
//! | `send.rs` | `SendMessage`, `SendMessageBatch`, FIFO deduplication, the delivery hook |
//! | `receive.rs` | `ReceiveMessage`, long polls, redrive to a dead-letter queue, rendering |
//! | `visibility.rs` | `DeleteMessage`, `ChangeMessageVisibility` and their batches |
//! | `batch.rs` | the batch entry checks and the `Successful` / `Failed` split |
//! | `permissions.rs` | `AddPermission`, `RemovePermission` |
//! | `move_tasks.rs` | `StartMessageMoveTask`, `CancelMessageMoveTask`, `ListMessageMoveTasks` |
//! | `region.rs` | the request's region (the client's signing region) that queues follow |
//! | `consume.rs` | crate-internal: the harness's workers taking one message by id |
//! | `queue.rs` | a queue's stored state, its attributes and their ranges, [`RedrivePolicy`] |
//! | `message.rs` | stored messages, [`MessageAttributeValue`], validation, receipt handles |
//! | `md5.rs` | the digests SQS returns |
//! | `delivery.rs` | crate-internal: the hook through which harness faults lose, delay, duplicate and reorder messages |
//! | `error.rs` | [`SqsError`] and its [`ErrorType`] |
//! | `types.rs` | the request and response structs ([`CreateQueue`], [`SendMessage`], …) |
#![warn(unreachable_pub)]

mod batch;
mod consume;
pub(crate) mod delivery;
mod error;
pub(crate) mod md5;
pub(crate) mod message;
mod move_tasks;
mod permissions;
pub(crate) mod queue;
mod queues;
mod receive;
mod region;
mod send;
mod types;
mod visibility;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

pub(crate) use error::{ErrorType, SqsError};
pub(crate) use message::MessageAttributeValue;
pub(crate) use move_tasks::MessageMoveTask;
#[cfg(test)]
pub(crate) use queue::RedrivePolicy;
#[cfg(test)]
pub(crate) use region::in_region;
pub(crate) use region::{in_request, signing_region};
pub use types::*;

use crate::ids::{Ids, SharedIds};
use crate::sync::{lock, read, write};
use crate::time::{Clock, Millis};
use delivery::DeliveryHook;
use message::StoredMessage;
use queue::Queue;

/// Mixed into the seed of the receipt-handle stream, so that it differs from the message ids'.
const RECEIPT_SEED_SALT: u64 = 0x5245_4345_4950_5453; // "RECEIPTS"

/// An in-memory SQS service for one account and region. Share it with `Arc`.
///
/// Every SQS operation is a method named after it (`CreateQueue` → [`Sqs::create_queue`]),
/// taking the request structs of this module and answering AWS's [`SqsError`]s.
///
/// Example: the unit test `sqs_mod_112` in `src/tests/doc_examples.rs`.
pub struct Sqs {
    clock: Clock,
    account_id: String,
    region: String,
    base_url: Mutex<String>,
    state: Mutex<State>,
    /// Message ids and request ids: drawn by senders.
    ids: SharedIds,
    /// Receipt-handle nonces: drawn by receivers. A stream of their own, so that a worker
    /// receiving a message while an execution sends the next one (at the same virtual instant,
    /// on another thread) cannot change the message ids a seeded run hands out.
    receipts: SharedIds,
    hook: RwLock<Option<Arc<dyn DeliveryHook>>>,
}

impl std::fmt::Debug for Sqs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqs")
            .field("account_id", &self.account_id)
            .field("region", &self.region)
            .field("base_url", &*lock(&self.base_url))
            .finish_non_exhaustive()
    }
}

struct State {
    queues: BTreeMap<String, Queue>,
    deleted: HashMap<String, Millis>,
    next_sequence: u128,
    /// Every `StartMessageMoveTask`, oldest first.
    move_tasks: Vec<MessageMoveTask>,
}

impl State {
    /// Queue `name` with its expired messages dropped, or `QueueDoesNotExist`.
    fn live_queue(&mut self, name: &str, now: Millis) -> Result<&mut Queue, SqsError> {
        let q = self
            .queues
            .get_mut(name)
            .ok_or(SqsError::QueueDoesNotExist)?;
        q.expire(now);
        Ok(q)
    }
}

/// The queue name a queue URL ends with (a bare name is returned as it is).
pub(crate) fn queue_name_in(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

fn secs_to_ms(s: i64) -> Millis {
    (s.max(0) as u64).saturating_mul(1000)
}

impl Sqs {
    /// A service for `account_id` in `region`, minting queue URLs under `base_url`
    /// (`http://127.0.0.1:PORT`; a server bound later re-points it to its own address).
    pub(crate) fn new(
        clock: Clock,
        account_id: impl Into<String>,
        region: impl Into<String>,
        base_url: impl Into<String>,
    ) -> Sqs {
        Sqs {
            clock,
            account_id: account_id.into(),
            region: region.into(),
            base_url: Mutex::new(base_url.into().trim_end_matches('/').to_string()),
            state: Mutex::new(State {
                queues: BTreeMap::new(),
                deleted: HashMap::new(),
                next_sequence: 18_849_496_460_467_696_128,
                move_tasks: Vec::new(),
            }),
            ids: SharedIds::new(Ids::random()),
            receipts: SharedIds::new(Ids::random()),
            hook: RwLock::new(None),
        }
    }

    /// Draws message ids, receipt handles (from a stream of their own) and [`Sqs::request_id`]s from `seed` from now on, so
    /// that a seeded run hands out the same ids every time (the account seeds it from the
    /// harness's seed).
    pub(crate) fn seed_ids(&self, seed: u64) {
        self.ids.set(Ids::seeded(seed));
        self.receipts.set(Ids::seeded(seed ^ RECEIPT_SEED_SALT));
    }

    /// A new request id (a UUID) from the service's id source, for responses that carry one
    /// (the `sqs:sendMessage` integration's).
    pub(crate) fn request_id(&self) -> String {
        self.ids.with(Ids::uuid)
    }

    /// Installs the [`DeliveryHook`] that decides the fate of every message accepted from now on
    /// (replacing an earlier one).
    pub(crate) fn set_delivery_hook(&self, hook: Arc<dyn DeliveryHook>) {
        *write(&self.hook) = Some(hook);
    }

    fn hook(&self) -> Option<Arc<dyn DeliveryHook>> {
        read(&self.hook).clone()
    }

    /// A new receipt handle for one receive of `m` from queue `name`.
    fn receipt(&self, name: &str, m: &StoredMessage) -> String {
        let nonce = self.receipts.with(Ids::uuid_simple);
        message::mint_receipt(name, &m.key(), &nonce)
    }

    /// Changes the base of the queue URLs handed out from now on. URLs handed out before keep
    /// working: queues are resolved by the last two path segments (`/<account>/<name>`).
    pub(crate) fn set_base_url(&self, base_url: &str) {
        *lock(&self.base_url) = base_url.trim_end_matches('/').to_string();
    }

    /// The region of the call being served: the request's (see [`in_region`]), else the
    /// service's.
    fn region_now(&self) -> String {
        region::current().unwrap_or_else(|| self.region.clone())
    }

    /// The key of queue `name` of `region` in the queue table: the bare name in the service's
    /// region, `<region>/<name>` in another.
    fn key(&self, region: &str, name: &str) -> String {
        if region == self.region {
            name.to_string()
        } else {
            format!("{region}/{name}")
        }
    }

    /// The key of queue `name` in the region of the call being served.
    fn key_here(&self, name: &str) -> String {
        self.key(&self.region_now(), name)
    }

    /// The region and name of a queue key.
    fn split_key<'k>(&'k self, key: &'k str) -> (&'k str, &'k str) {
        key.split_once('/').unwrap_or((self.region.as_str(), key))
    }

    /// The URL of the queue with table key `key`.
    fn url_of_key(&self, key: &str) -> String {
        let base = lock(&self.base_url).clone();
        match key.split_once('/') {
            Some((region, name)) => format!("{base}/queue/{region}/{}/{name}", self.account_id),
            None => format!("{base}/{}/{key}", self.account_id),
        }
    }

    /// The key of the queue of this account that an SQS ARN names.
    fn key_of_arn(&self, arn: &str) -> Option<String> {
        let (region, account, name) = queue::parse_arn(arn)?;
        (account == self.account_id).then(|| self.key(region, name))
    }

    /// The URL of the queue of this account that the SQS ARN `arn` names (whether or not it
    /// exists), or `None` for an ARN of another account or no SQS ARN.
    ///
    /// Example: the unit test `sqs_mod_300` in `src/tests/doc_examples.rs`.
    pub(crate) fn queue_url_of_arn(&self, arn: &str) -> Option<String> {
        self.key_of_arn(arn).map(|k| self.url_of_key(&k))
    }

    /// The ARN of queue `name` (in the region of the call being served).
    pub(crate) fn queue_arn(&self, name: &str) -> String {
        crate::arn::format("aws", "sqs", &self.region_now(), &self.account_id, name)
    }

    /// Resolves a queue URL (of any host) to a queue name, by its last two path segments. A bare
    /// queue name (no `/`) names the queue of this account, as AWS accepts it where a
    /// `QueueUrl` is expected (SDK for Java v1 code passing a name "works in production":
    /// localstack/localstack#8545).
    fn name_of(&self, queue_url: &str) -> Result<String, SqsError> {
        if queue_url.is_empty() {
            return Err(SqsError::MissingParameter("QueueUrl".into()));
        }
        // Found by byte searches (every SQS call reads its queue's URL; issue 13): `?`, `#`,
        // `://` and `/` are ASCII, so every cut is at a character boundary.
        let end = memchr::memchr2(b'?', b'#', queue_url.as_bytes()).unwrap_or(queue_url.len());
        let path = &queue_url[..end];
        let path = memchr::memmem::find(path.as_bytes(), b"://").map_or(path, |i| &path[i + 3..]);
        // The last four non-empty segments, last first, and how many there are (no vector of
        // them).
        let mut last = [""; 4];
        let mut count = 0;
        let mut seg_end = path.len();
        let cuts = memchr::memrchr_iter(b'/', path.as_bytes()).map(Some);
        for cut in cuts.chain(std::iter::once(None)) {
            let start = cut.map_or(0, |i| i + 1);
            let segment = &path[start..seg_end];
            if !segment.is_empty() {
                if let Some(slot) = last.get_mut(count) {
                    *slot = segment;
                }
                count += 1;
            }
            seg_end = cut.unwrap_or(0);
        }
        match last {
            [name, ..] if count == 1 && !queue_url.contains("://") && !queue_url.contains('/') => {
                Ok(self.key_here(name))
            }
            [name, account, region, "queue"] if count >= 4 => {
                if account != self.account_id {
                    return Err(SqsError::QueueDoesNotExist);
                }
                Ok(self.key(region, name))
            }
            [name, account, ..] if count >= 2 => {
                if account != self.account_id {
                    return Err(SqsError::QueueDoesNotExist);
                }
                Ok(name.to_string())
            }
            _ => Err(SqsError::InvalidAddress(queue_url.to_string())),
        }
    }

    fn with_queue<T>(
        &self,
        queue_url: &str,
        f: impl FnOnce(&mut Queue, Millis) -> Result<T, SqsError>,
    ) -> Result<T, SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        f(st.live_queue(&name, now)?, now)
    }
}

//! An in-memory Amazon SQS: queues, messages, visibility, long polling, FIFO and dead-letter
//! queues, with AWS's validation rules and error codes.
//!
//! [`Sqs`] is the engine. It knows nothing about HTTP: the server (`crate::server`) translates
//! the AWS JSON protocol into these same calls, and the harness (or the Step Functions engine)
//! can call them in-process, e.g. [`Sqs::send_message`] for a `arn:aws:states:::sqs:sendMessage`
//! task. All time comes from the [`Clock`]: visibility timeouts, delays, retention and long polls
//! follow virtual time when the clock is virtual.
//!
//! ```
//! use sfn_harness::time::Clock;
//! use sfn_harness::sqs::{Sqs, CreateQueue, SendMessage, ReceiveMessage};
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), sfn_harness::sqs::SqsError> {
//! let clock = Clock::virtual_at(1_700_000_000_000);
//! let sqs = Sqs::new(clock.clone(), "123456789012", "us-east-1", "http://127.0.0.1:4566");
//! let url = sqs.create_queue(CreateQueue { queue_name: "jobs".into(), ..Default::default() })?;
//! assert_eq!(url, "http://127.0.0.1:4566/123456789012/jobs");
//!
//! let sent = sqs.send_message(&url, SendMessage::body("hello"))?;
//! assert_eq!(sent.md5_of_message_body, "5d41402abc4b2a76b9719d911017c592");
//!
//! let receive = ReceiveMessage {
//!     queue_url: url.clone(),
//!     visibility_timeout: Some(30),
//!     message_system_attribute_names: vec!["ApproximateReceiveCount".into()],
//!     ..Default::default()
//! };
//! let first = sqs.receive_message(receive.clone()).await?;
//! assert_eq!(first[0].attribute("ApproximateReceiveCount"), Some("1"));
//! // Invisible for 30 s: nothing now…
//! assert!(sqs.receive_message(receive.clone()).await?.is_empty());
//! // …and redelivered once the visibility timeout has passed on the clock.
//! clock.advance(Duration::from_secs(31)).await;
//! let again = sqs.receive_message(receive).await?;
//! assert_eq!(again[0].attribute("ApproximateReceiveCount"), Some("2"));
//! sqs.delete_message(&url, &again[0].receipt_handle)?;
//! # Ok(()) }
//! ```

pub mod delivery;
pub mod error;
pub mod md5;
pub mod message;
pub mod queue;
mod take;
pub mod types;

use crate::sync::{lock, read, write};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine as _;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

pub use error::{Fault, SqsError};
pub use message::MessageAttributeValue;
pub use queue::RedrivePolicy;
pub use types::*;

use crate::ids::Ids;
use crate::time::{Clock, Millis};
use delivery::{DeliveryHook, Sent};
use message::StoredMessage;
use queue::{Queue, QueueConfig};

/// Deduplication interval of FIFO queues.
const DEDUP_WINDOW_MS: Millis = 5 * 60 * 1000;
/// Wait before a deleted queue's name can be reused, and between two purges.
const SIXTY_SECONDS_MS: Millis = 60 * 1000;
/// The most a message's visibility can be extended to, from its latest receive.
const MAX_VISIBILITY_MS: Millis = 43_200 * 1000;

/// The system attributes `ReceiveMessage` can return, in the order they are returned.
const SYSTEM_ATTRIBUTES: &[&str] = &[
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
];

/// An in-memory SQS service for one account and region. Share it with `Arc`.
pub struct Sqs {
    clock: Clock,
    account_id: String,
    region: String,
    base_url: Mutex<String>,
    state: Mutex<State>,
    ids: Mutex<Ids>,
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
}

/// The queue name a queue URL ends with (a bare name is returned as it is).
pub(crate) fn queue_name_in(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

fn secs_to_ms(s: i64) -> Millis {
    (s.max(0) as u64).saturating_mul(1000)
}

fn valid_batch_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Message group and deduplication ids: 1–128 alphanumeric or punctuation characters.
fn valid_fifo_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_graphic())
}

fn check_batch<'a>(
    ids: impl ExactSizeIterator<Item = &'a str>,
    shape: &'static str,
) -> Result<(), SqsError> {
    match ids.len() {
        0 => return Err(SqsError::EmptyBatchRequest(shape)),
        n if n > 10 => return Err(SqsError::TooManyEntriesInBatchRequest(n)),
        _ => {}
    }
    let mut seen = HashSet::new();
    for id in ids {
        if !valid_batch_id(id) {
            return Err(SqsError::InvalidBatchEntryId);
        }
        if !seen.insert(id) {
            return Err(SqsError::BatchEntryIdsNotDistinct(id.to_string()));
        }
    }
    Ok(())
}

fn batch<T>(entries: Vec<(String, Result<T, SqsError>)>) -> BatchOutput<T> {
    let mut out = BatchOutput {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for (id, r) in entries {
        match r {
            Ok(v) => out.successful.push((id, v)),
            Err(e) => out.failed.push(BatchFailure {
                id,
                sender_fault: e.fault() == Fault::Sender,
                code: e.query_code().to_string(),
                message: e.message(),
            }),
        }
    }
    out
}

impl Sqs {
    /// A service for `account_id` in `region`, minting queue URLs under `base_url`
    /// (`http://127.0.0.1:PORT`; see [`Sqs::set_base_url`] for servers bound later).
    pub fn new(
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
            }),
            ids: Mutex::new(Ids::random()),
            hook: RwLock::new(None),
        }
    }

    /// Draws message ids, receipt handles and [`Sqs::request_id`]s from `seed` from now on, so
    /// that a seeded run hands out the same ids every time.
    ///
    /// ```
    /// # use sfn_harness::time::Clock;
    /// # use sfn_harness::sqs::{Sqs, CreateQueue, SendMessage};
    /// let ids = |seed| {
    ///     let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
    ///     sqs.seed_ids(seed);
    ///     let url = sqs.create_queue(CreateQueue { queue_name: "q".into(), ..Default::default() }).unwrap();
    ///     sqs.send_message(&url, SendMessage::body("hi")).unwrap().message_id
    /// };
    /// assert_eq!(ids(7), ids(7));
    /// assert_ne!(ids(7), ids(8));
    /// ```
    pub fn seed_ids(&self, seed: u64) {
        *lock(&self.ids) = Ids::seeded(seed);
    }

    /// A new request id (a UUID) from the service's id source, for responses that carry one.
    ///
    /// ```
    /// # use sfn_harness::time::Clock;
    /// # use sfn_harness::sqs::Sqs;
    /// let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
    /// sqs.seed_ids(1);
    /// let id = sqs.request_id();
    /// assert_eq!(id.len(), 36);
    /// assert_ne!(id, sqs.request_id());
    /// ```
    pub fn request_id(&self) -> String {
        lock(&self.ids).uuid()
    }

    /// Installs the [`DeliveryHook`] that decides the fate of every message accepted from now on
    /// (replacing an earlier one).
    pub fn set_delivery_hook(&self, hook: Arc<dyn DeliveryHook>) {
        *write(&self.hook) = Some(hook);
    }

    fn hook(&self) -> Option<Arc<dyn DeliveryHook>> {
        read(&self.hook).clone()
    }

    /// A new receipt handle for one receive of `m` from queue `name`.
    fn receipt(&self, name: &str, m: &StoredMessage) -> String {
        let nonce = lock(&self.ids).uuid().replace('-', "");
        message::mint_receipt(name, &m.key(), &nonce)
    }

    /// Changes the base of the queue URLs handed out from now on. URLs handed out before keep
    /// working: queues are resolved by the last two path segments (`/<account>/<name>`).
    pub fn set_base_url(&self, base_url: &str) {
        *lock(&self.base_url) = base_url.trim_end_matches('/').to_string();
    }

    /// The clock this service runs on.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The account id used in queue URLs and ARNs.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The region used in queue ARNs.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The URL of queue `name`.
    pub fn queue_url(&self, name: &str) -> String {
        format!("{}/{}/{}", lock(&self.base_url), self.account_id, name)
    }

    /// The ARN of queue `name`.
    pub fn queue_arn(&self, name: &str) -> String {
        crate::arn::format("aws", "sqs", &self.region, &self.account_id, name)
    }

    /// Resolves a queue URL (of any host) to a queue name, by its last two path segments.
    fn name_of(&self, queue_url: &str) -> Result<String, SqsError> {
        if queue_url.is_empty() {
            return Err(SqsError::MissingParameter("QueueUrl".into()));
        }
        let path = queue_url.split(['?', '#']).next().unwrap_or(queue_url);
        let path = path.split_once("://").map_or(path, |(_, rest)| rest);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [.., account, name] if segments.len() >= 2 || !queue_url.contains("://") => {
                if *account != self.account_id {
                    return Err(SqsError::QueueDoesNotExist);
                }
                Ok((*name).to_string())
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
        let q = st
            .queues
            .get_mut(&name)
            .ok_or(SqsError::QueueDoesNotExist)?;
        q.expire(now);
        f(q, now)
    }

    /// `CreateQueue`: creates a queue, or returns the URL of an existing queue with the same
    /// attributes (`QueueAlreadyExists` if any differs).
    pub fn create_queue(&self, input: CreateQueue) -> Result<String, SqsError> {
        let name = input.queue_name;
        if name.is_empty() {
            return Err(SqsError::MissingParameter("QueueName".into()));
        }
        let fifo = match input.attributes.get("FifoQueue") {
            Some(v) => v.eq_ignore_ascii_case("true"),
            None => false,
        };
        queue::validate_name(&name, fifo)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let mut config = QueueConfig::defaults(fifo);
        {
            let queues = &st.queues;
            let lookup = |arn: &str| self.lookup_arn(queues, arn);
            for (k, v) in &input.attributes {
                match queue::canonical_attribute(k, v, fifo, &lookup)? {
                    Some(v) => config.values.insert(k.clone(), v),
                    None => config.values.remove(k),
                };
            }
        }
        if let Some(existing) = st.queues.get(&name) {
            for attr in queue::SETTABLE {
                if existing.config.values.get(*attr) != config.values.get(*attr) {
                    return Err(SqsError::QueueNameExists((*attr).to_string()));
                }
            }
            return Ok(self.queue_url(&name));
        }
        if let Some(at) = st.deleted.get(&name) {
            if now < at.saturating_add(SIXTY_SECONDS_MS) {
                return Err(SqsError::QueueDeletedRecently);
            }
        }
        st.deleted.remove(&name);
        let q = Queue {
            arn: self.queue_arn(&name),
            name: name.clone(),
            fifo,
            config,
            created_at: now,
            modified_at: now,
            tags: input.tags,
            messages: Vec::new(),
            dedup: HashMap::new(),
            last_purge: None,
            notify: Arc::new(Notify::new()),
        };
        st.queues.insert(name.clone(), q);
        Ok(self.queue_url(&name))
    }

    /// Whether `arn` names an existing queue of this account; `Some(is_fifo)` if so.
    fn lookup_arn(&self, queues: &BTreeMap<String, Queue>, arn: &str) -> Option<bool> {
        let (_, account, name) = queue::parse_arn(arn)?;
        if account != self.account_id {
            return None;
        }
        queues.get(name).map(|q| q.fifo)
    }

    /// `GetQueueUrl`.
    pub fn get_queue_url(
        &self,
        queue_name: &str,
        owner_account_id: Option<&str>,
    ) -> Result<String, SqsError> {
        if queue_name.is_empty() {
            return Err(SqsError::MissingParameter("QueueName".into()));
        }
        if owner_account_id.is_some_and(|a| a != self.account_id) {
            return Err(SqsError::QueueDoesNotExist);
        }
        if lock(&self.state).queues.contains_key(queue_name) {
            Ok(self.queue_url(queue_name))
        } else {
            Err(SqsError::QueueDoesNotExist)
        }
    }

    /// `ListQueues`: queues sorted by name, optionally by prefix and paged.
    pub fn list_queues(&self, input: ListQueues) -> Result<ListQueuesOutput, SqsError> {
        if let Some(n) = input.max_results {
            if !(1..=1000).contains(&n) {
                return Err(SqsError::invalid_value(
                    "MaxResults",
                    n,
                    "MaxResults must be an integer between 1 and 1000.",
                ));
            }
        }
        let after = match &input.next_token {
            Some(t) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        SqsError::InvalidParameterValue("Invalid NextToken value.".into())
                    })?,
            ),
            None => None,
        };
        let prefix = input.queue_name_prefix.unwrap_or_default();
        let st = lock(&self.state);
        let names: Vec<&String> = st
            .queues
            .keys()
            .filter(|n| n.starts_with(&prefix))
            .filter(|n| after.as_ref().is_none_or(|a| *n > a))
            .collect();
        let limit = input.max_results.map_or(1000, |n| n as usize);
        let page: Vec<&String> = names.iter().take(limit).copied().collect();
        let next_token = match (input.max_results, page.last()) {
            (Some(_), Some(last)) if names.len() > page.len() => {
                Some(base64::engine::general_purpose::STANDARD.encode(last.as_bytes()))
            }
            _ => None,
        };
        Ok(ListQueuesOutput {
            queue_urls: page.iter().map(|n| self.queue_url(n)).collect(),
            next_token,
        })
    }

    /// `DeleteQueue`: the queue and its messages are gone at once; the name is reusable after
    /// 60 seconds.
    pub fn delete_queue(&self, queue_url: &str) -> Result<(), SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let q = st.queues.remove(&name).ok_or(SqsError::QueueDoesNotExist)?;
        q.notify.notify_waiters();
        st.deleted.insert(name, now);
        Ok(())
    }

    /// `GetQueueAttributes`: `All` or named attributes, in AWS's order, as strings.
    pub fn get_queue_attributes(
        &self,
        queue_url: &str,
        attribute_names: &[String],
    ) -> Result<Vec<(String, String)>, SqsError> {
        for n in attribute_names {
            if n != "All"
                && !queue::READ_ONLY.contains(&n.as_str())
                && !queue::SETTABLE.contains(&n.as_str())
            {
                return Err(SqsError::InvalidAttributeName(format!(
                    "Unknown Attribute {n}."
                )));
            }
        }
        let all = attribute_names.iter().any(|n| n == "All");
        let wanted = |n: &str| all || attribute_names.iter().any(|a| a == n);
        self.with_queue(queue_url, |q, now| {
            let mut out = Vec::new();
            for name in queue::READ_ONLY {
                if !wanted(name) {
                    continue;
                }
                let v = match *name {
                    "QueueArn" => q.arn.clone(),
                    "ApproximateNumberOfMessages" => q
                        .messages
                        .iter()
                        .filter(|m| m.visible_at <= now)
                        .count()
                        .to_string(),
                    "ApproximateNumberOfMessagesNotVisible" => q
                        .messages
                        .iter()
                        .filter(|m| m.in_flight(now))
                        .count()
                        .to_string(),
                    "ApproximateNumberOfMessagesDelayed" => q
                        .messages
                        .iter()
                        .filter(|m| m.delayed(now))
                        .count()
                        .to_string(),
                    "CreatedTimestamp" => (q.created_at / 1000).to_string(),
                    _ => (q.modified_at / 1000).to_string(),
                };
                out.push(((*name).to_string(), v));
            }
            for name in queue::SETTABLE {
                if wanted(name) {
                    if let Some(v) = q.config.values.get(*name) {
                        out.push(((*name).to_string(), v.clone()));
                    }
                }
            }
            Ok(out)
        })
    }

    /// `SetQueueAttributes`.
    pub fn set_queue_attributes(
        &self,
        queue_url: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<(), SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let fifo = st
            .queues
            .get(&name)
            .ok_or(SqsError::QueueDoesNotExist)?
            .fifo;
        let mut updates = Vec::new();
        {
            let queues = &st.queues;
            let lookup = |arn: &str| self.lookup_arn(queues, arn);
            for (k, v) in attributes {
                updates.push((k.clone(), queue::canonical_attribute(k, v, fifo, &lookup)?));
            }
        }
        let q = st
            .queues
            .get_mut(&name)
            .ok_or(SqsError::QueueDoesNotExist)?;
        for (k, v) in updates {
            match v {
                Some(v) => q.config.values.insert(k, v),
                None => q.config.values.remove(&k),
            };
        }
        q.modified_at = now;
        q.notify.notify_waiters();
        Ok(())
    }

    /// `PurgeQueue`: deletes every message; a second purge within 60 seconds fails.
    pub fn purge_queue(&self, queue_url: &str) -> Result<(), SqsError> {
        self.with_queue(queue_url, |q, now| {
            if let Some(at) = q.last_purge {
                if now < at.saturating_add(SIXTY_SECONDS_MS) {
                    return Err(SqsError::PurgeQueueInProgress(q.name.clone()));
                }
            }
            q.last_purge = Some(now);
            q.messages.clear();
            Ok(())
        })
    }

    /// `SendMessage`. Also the in-process entry point for integrations: same validation, same
    /// result.
    pub fn send_message(
        &self,
        queue_url: &str,
        message: SendMessage,
    ) -> Result<SendMessageOutput, SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let out = self.enqueue(&mut st, &name, message, now)?;
        if let Some(q) = st.queues.get(&name) {
            q.notify.notify_waiters();
        }
        Ok(out)
    }

    /// `SendMessageBatch`: up to 10 entries, at most 262,144 bytes in total.
    pub fn send_message_batch(
        &self,
        queue_url: &str,
        entries: Vec<(String, SendMessage)>,
    ) -> Result<BatchOutput<SendMessageOutput>, SqsError> {
        let name = self.name_of(queue_url)?;
        check_batch(
            entries.iter().map(|(id, _)| id.as_str()),
            "SendMessageBatchRequestEntry",
        )?;
        let total: usize = entries.iter().map(|(_, m)| m.size()).sum();
        if total > 262_144 {
            return Err(SqsError::BatchRequestTooLong(total));
        }
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        if !st.queues.contains_key(&name) {
            return Err(SqsError::QueueDoesNotExist);
        }
        let results = entries
            .into_iter()
            .map(|(id, m)| {
                let r = self.enqueue(&mut st, &name, m, now);
                (id, r)
            })
            .collect();
        if let Some(q) = st.queues.get(&name) {
            q.notify.notify_waiters();
        }
        Ok(batch(results))
    }

    fn enqueue(
        &self,
        st: &mut State,
        name: &str,
        m: SendMessage,
        now: Millis,
    ) -> Result<SendMessageOutput, SqsError> {
        let sender = &self.account_id;
        let State {
            queues,
            next_sequence,
            ..
        } = st;
        let q = queues.get_mut(name).ok_or(SqsError::QueueDoesNotExist)?;
        q.expire(now);
        message::validate_body(&m.message_body)?;
        message::validate_attributes(&m.message_attributes)?;
        message::validate_system_attributes(&m.message_system_attributes)?;
        let max = q.config.maximum_message_size().max(0) as usize;
        if m.size() > max {
            return Err(SqsError::InvalidParameterValue(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {max} bytes."
            )));
        }
        if let Some(d) = m.delay_seconds {
            if !(0..=900).contains(&d) {
                return Err(SqsError::invalid_value(
                    "DelaySeconds",
                    d,
                    "DelaySeconds must be >= 0 and <= 900.",
                ));
            }
        }
        if let Some(g) = &m.message_group_id {
            if !valid_fifo_id(g) {
                return Err(SqsError::invalid_value(
                    "MessageGroupId",
                    g,
                    "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
                ));
            }
        }
        let not_for_type = "The request include parameter that is not valid for this queue type.";
        let md5_of_message_body = md5::md5_of_body(&m.message_body);
        let md5_of_message_attributes = md5::md5_of_attributes(&m.message_attributes);
        let md5_of_message_system_attributes = md5::md5_of_attributes(&m.message_system_attributes);
        let mut sequence_number = None;
        let mut dedup_key = None;
        let mut effective_dedup_id = None;
        if q.fifo {
            if let Some(d) = m.delay_seconds.filter(|d| *d != 0) {
                return Err(SqsError::invalid_value("DelaySeconds", d, not_for_type));
            }
            let Some(group) = &m.message_group_id else {
                return Err(SqsError::MissingParameter("MessageGroupId".into()));
            };
            let dedup_id = match &m.message_deduplication_id {
                Some(d) if !valid_fifo_id(d) => {
                    return Err(SqsError::invalid_value(
                        "MessageDeduplicationId",
                        d,
                        "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
                    ))
                }
                Some(d) => d.clone(),
                None if q.config.content_based_dedup() => {
                    let digest = Sha256::digest(m.message_body.as_bytes());
                    digest.iter().map(|b| format!("{b:02x}")).collect()
                }
                None => {
                    return Err(SqsError::InvalidParameterValue(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
                            .into(),
                    ))
                }
            };
            let key = if q.config.dedup_per_group() {
                format!("{group}\u{0}{dedup_id}")
            } else {
                dedup_id.clone()
            };
            effective_dedup_id = Some(dedup_id);
            if let Some((_, id, seq)) = q.dedup.get(&key) {
                // A duplicate within the deduplication interval: accepted, not enqueued.
                return Ok(SendMessageOutput {
                    message_id: id.clone(),
                    md5_of_message_body,
                    md5_of_message_attributes,
                    md5_of_message_system_attributes,
                    sequence_number: seq.clone(),
                });
            }
            *next_sequence += 1;
            sequence_number = Some(format!("{:020}", *next_sequence));
            dedup_key = Some(key);
        } else if let Some(d) = &m.message_deduplication_id {
            return Err(SqsError::invalid_value(
                "MessageDeduplicationId",
                d,
                not_for_type,
            ));
        }
        let delay = m.delay_seconds.unwrap_or_else(|| q.config.delay_seconds());
        let message_id = self.request_id();
        if let Some(key) = dedup_key {
            q.dedup.insert(
                key,
                (
                    now.saturating_add(DEDUP_WINDOW_MS),
                    message_id.clone(),
                    sequence_number.clone(),
                ),
            );
        }
        let stored = StoredMessage {
            id: message_id.clone(),
            body: m.message_body,
            md5_of_body: md5_of_message_body.clone(),
            attributes: m.message_attributes,
            system_attributes: m.message_system_attributes,
            sent_at: now,
            last_received_at: None,
            visible_at: now.saturating_add(secs_to_ms(delay)),
            receive_count: 0,
            first_received_at: None,
            receipt: None,
            group_id: m.message_group_id,
            dedup_id: effective_dedup_id,
            sequence_number: sequence_number.clone(),
            sender_id: sender.to_string(),
            dead_letter_source_arn: None,
            copy: 0,
        };
        let fate = self
            .hook()
            .map(|h| {
                h.on_send(&Sent {
                    queue_name: name,
                    fifo: q.fifo,
                    message_id: &message_id,
                    body: &stored.body,
                })
            })
            .unwrap_or_default();
        if !fate.lose {
            let mut stored = stored;
            stored.visible_at = stored.visible_at.saturating_add(fate.delay_ms);
            let copies: Vec<StoredMessage> = if q.fifo {
                Vec::new()
            } else {
                fate.duplicates
                    .iter()
                    .zip(1u32..)
                    .map(|(after, copy)| StoredMessage {
                        copy,
                        visible_at: stored.visible_at.saturating_add(*after),
                        ..stored.clone()
                    })
                    .collect()
            };
            q.messages.push(stored);
            q.messages.extend(copies);
        }
        Ok(SendMessageOutput {
            message_id,
            md5_of_message_body,
            md5_of_message_attributes,
            md5_of_message_system_attributes,
            sequence_number,
        })
    }

    /// `ReceiveMessage`: up to `MaxNumberOfMessages` visible messages; with a wait time, waits
    /// (on the clock) until a message arrives or becomes visible, or the wait is over.
    ///
    /// A long poll parks the calling fiber with [`Clock::park`], so on a virtual clock the caller
    /// must count as a live fiber (hold a [`Clock::activity`]), as every HTTP request served by
    /// `crate::server` does; otherwise the activity count would drop below what is running.
    pub async fn receive_message(
        &self,
        input: ReceiveMessage,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        let max = input.max_number_of_messages.unwrap_or(1);
        if !(1..=10).contains(&max) {
            return Err(SqsError::invalid_value(
                "MaxNumberOfMessages",
                max,
                "Must be between 1 and 10, if provided.",
            ));
        }
        if let Some(v) = input.visibility_timeout {
            if !(0..=43_200).contains(&v) {
                return Err(SqsError::invalid_value(
                    "VisibilityTimeout",
                    v,
                    "Must be >= 0 and <= 43200, if provided.",
                ));
            }
        }
        if let Some(w) = input.wait_time_seconds {
            if !(0..=20).contains(&w) {
                return Err(SqsError::invalid_value(
                    "WaitTimeSeconds",
                    w,
                    "Must be >= 0 and <= 20, if provided.",
                ));
            }
        }
        for n in &input.message_system_attribute_names {
            if n != "All" && !SYSTEM_ATTRIBUTES.contains(&n.as_str()) {
                return Err(SqsError::InvalidAttributeName(format!(
                    "Unknown Attribute {n}."
                )));
            }
        }
        let wait = match input.wait_time_seconds {
            Some(w) => w,
            None => self.with_queue(&input.queue_url, |q, _| Ok(q.config.wait_time_seconds()))?,
        };
        let deadline = self.clock.now_ms().saturating_add(secs_to_ms(wait));
        loop {
            let notify = self.with_queue(&input.queue_url, |q, _| Ok(q.notify.clone()))?;
            let notified = notify.notified();
            tokio::pin!(notified);
            // Register before looking, so a send between the look and the wait is not missed.
            notified.as_mut().enable();
            let (found, next_visible) = self.try_receive(&input, max as usize)?;
            let now = self.clock.now_ms();
            if !found.is_empty() || now >= deadline {
                return Ok(found);
            }
            let wake_at = next_visible.map_or(deadline, |t| t.min(deadline));
            self.wait(notified, wake_at).await;
        }
    }

    /// Waits for `notified` or until `wake_at` on the clock, whichever comes first, counting as
    /// an idle wait of the calling fiber.
    async fn wait(
        &self,
        notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
        wake_at: Millis,
    ) {
        // One park around the whole race: while both are pending the fiber is idle; a send
        // (the notification) or the timer wakes it through the park's waker, which counts the
        // fiber again before it is scheduled. The loser (the timer, say) is dropped with the
        // race, so no stale timer is left for a skipping clock to jump to. Called from inside
        // another park (a tracked task), this park is transparent and the outer one accounts.
        self.clock
            .park(async {
                tokio::select! {
                    _ = notified => {}
                    _ = self.clock.sleep_until(wake_at) => {}
                }
            })
            .await;
    }

    /// One non-waiting receive. Returns the messages and the next time one becomes visible.
    fn try_receive(
        &self,
        input: &ReceiveMessage,
        max: usize,
    ) -> Result<(Vec<ReceivedMessage>, Option<Millis>), SqsError> {
        let name = self.name_of(&input.queue_url)?;
        let reorder = self.hook().and_then(|h| h.reorder(&name));
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let redrive = Self::redrive(&st.queues, &name, &self.account_id);
        let q = st
            .queues
            .get_mut(&name)
            .ok_or(SqsError::QueueDoesNotExist)?;
        q.expire(now);
        let visibility = input
            .visibility_timeout
            .unwrap_or_else(|| q.config.visibility_timeout());
        let mut blocked: HashSet<String> = HashSet::new();
        if q.fifo {
            for m in &q.messages {
                if m.in_flight(now) {
                    if let Some(g) = &m.group_id {
                        blocked.insert(g.clone());
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..q.messages.len()).collect();
        if let (false, Some(seed)) = (q.fifo, reorder) {
            use rand::seq::SliceRandom;
            use rand::SeedableRng;
            order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
        }
        let mut out = Vec::new();
        let mut dead = Vec::new();
        for i in order {
            if out.len() >= max {
                break;
            }
            let fifo = q.fifo;
            let Some(m) = q.messages.get_mut(i) else {
                continue;
            };
            let group = m.group_id.clone().unwrap_or_default();
            if fifo && blocked.contains(&group) {
                continue;
            }
            if m.visible_at > now {
                if fifo {
                    // Keep order within the group: nothing after an invisible message.
                    blocked.insert(group);
                }
                continue;
            }
            if redrive
                .as_ref()
                .is_some_and(|(_, limit)| m.receive_count >= *limit)
            {
                dead.push(i);
                continue;
            }
            Self::mark_received(m, now, visibility);
            let handle = self.receipt(&name, m);
            m.receipt = Some(handle.clone());
            out.push(Self::render(m, handle, input));
        }
        let next_visible = q.next_visible(now);
        if let Some((dlq, _)) = redrive {
            Self::dead_letter(&mut st.queues, &name, &dlq, dead, now);
        }
        Ok((out, next_visible))
    }

    /// The dead-letter queue and `maxReceiveCount` of queue `name`'s redrive policy, when that
    /// queue exists in this account (otherwise messages are never moved, as in AWS).
    fn redrive(
        queues: &BTreeMap<String, Queue>,
        name: &str,
        account_id: &str,
    ) -> Option<(String, u32)> {
        let policy = queues.get(name)?.config.redrive_policy()?;
        let (_, account, dlq) = queue::parse_arn(&policy.dead_letter_target_arn)?;
        (account == account_id && dlq != name && queues.contains_key(dlq))
            .then(|| (dlq.to_string(), policy.max_receive_count))
    }

    /// Moves the messages at `indices` of queue `from` to the dead-letter queue `dlq`, as new
    /// messages there (receive count reset, `DeadLetterQueueSourceArn` set), in send order.
    fn dead_letter(
        queues: &mut BTreeMap<String, Queue>,
        from: &str,
        dlq: &str,
        mut indices: Vec<usize>,
        now: Millis,
    ) {
        if indices.is_empty() {
            return;
        }
        let Some(q) = queues.get_mut(from) else {
            return;
        };
        let source_arn = q.arn.clone();
        indices.sort_unstable();
        indices.dedup();
        let mut moved = Vec::with_capacity(indices.len());
        for i in indices.into_iter().rev() {
            if i < q.messages.len() {
                moved.push(q.messages.remove(i));
            }
        }
        if let Some(d) = queues.get_mut(dlq) {
            for mut m in moved.into_iter().rev() {
                m.receive_count = 0;
                m.first_received_at = None;
                m.last_received_at = None;
                m.receipt = None;
                m.visible_at = now;
                m.dead_letter_source_arn = Some(source_arn.clone());
                d.messages.push(m);
            }
            d.notify.notify_waiters();
        }
    }

    /// Records one receive of `m`: count, timestamps, invisible for `visibility` seconds.
    fn mark_received(m: &mut StoredMessage, now: Millis, visibility: i64) {
        m.receive_count += 1;
        m.first_received_at.get_or_insert(now);
        m.last_received_at = Some(now);
        m.visible_at = now.saturating_add(secs_to_ms(visibility));
    }

    fn render(m: &StoredMessage, handle: String, input: &ReceiveMessage) -> ReceivedMessage {
        let names: Vec<&String> = input
            .attribute_names
            .iter()
            .chain(&input.message_system_attribute_names)
            .collect();
        let all = names.iter().any(|n| *n == "All");
        let mut attributes = Vec::new();
        for name in SYSTEM_ATTRIBUTES {
            if !all && !names.iter().any(|n| n == name) {
                continue;
            }
            let v = match *name {
                "SenderId" => Some(m.sender_id.clone()),
                "ApproximateFirstReceiveTimestamp" => m.first_received_at.map(|t| t.to_string()),
                "ApproximateReceiveCount" => Some(m.receive_count.to_string()),
                "SentTimestamp" => Some(m.sent_at.to_string()),
                "SequenceNumber" => m.sequence_number.clone(),
                "MessageDeduplicationId" => m.dedup_id.clone(),
                "MessageGroupId" => m.group_id.clone(),
                "AWSTraceHeader" => m
                    .system_attributes
                    .get("AWSTraceHeader")
                    .and_then(|v| v.string_value.clone()),
                _ => m.dead_letter_source_arn.clone(),
            };
            if let Some(v) = v {
                attributes.push(((*name).to_string(), v));
            }
        }
        let wanted = |attr: &str| {
            input.message_attribute_names.iter().any(|n| {
                n == "All"
                    || n == ".*"
                    || n == attr
                    || n.strip_suffix(".*")
                        .is_some_and(|p| attr.starts_with(&format!("{p}.")))
            })
        };
        let message_attributes: BTreeMap<String, MessageAttributeValue> = m
            .attributes
            .iter()
            .filter(|(k, _)| wanted(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        ReceivedMessage {
            message_id: m.id.clone(),
            receipt_handle: handle,
            md5_of_body: m.md5_of_body.clone(),
            body: m.body.clone(),
            attributes,
            md5_of_message_attributes: md5::md5_of_attributes(&message_attributes),
            message_attributes,
        }
    }

    /// `DeleteMessage`. A well-formed handle of a message that is already gone succeeds, as in
    /// AWS; on a standard queue an older handle of the message still deletes it; on a FIFO queue
    /// a handle whose visibility timeout has passed is rejected as expired.
    pub fn delete_message(&self, queue_url: &str, receipt_handle: &str) -> Result<(), SqsError> {
        if receipt_handle.is_empty() {
            return Err(SqsError::MissingParameter("ReceiptHandle".into()));
        }
        self.with_queue(queue_url, |q, now| {
            let r = message::parse_receipt(receipt_handle)
                .filter(|r| r.queue == q.name)
                .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(receipt_handle.to_string()))?;
            let Some(i) = q.messages.iter().position(|m| m.key() == r.message_id) else {
                return Ok(());
            };
            if q.fifo {
                let m = &q.messages[i];
                if m.receipt.as_deref() != Some(receipt_handle) || m.visible_at <= now {
                    return Err(SqsError::invalid_value(
                        "ReceiptHandle",
                        receipt_handle,
                        "The receipt handle has expired.",
                    ));
                }
            }
            q.messages.remove(i);
            // The group of a FIFO message may be free now.
            q.notify.notify_waiters();
            Ok(())
        })
    }

    /// `DeleteMessageBatch`: entries are `(id, receipt handle)`.
    pub fn delete_message_batch(
        &self,
        queue_url: &str,
        entries: Vec<(String, String)>,
    ) -> Result<BatchOutput<()>, SqsError> {
        self.name_of(queue_url)?;
        check_batch(
            entries.iter().map(|(id, _)| id.as_str()),
            "DeleteMessageBatchRequestEntry",
        )?;
        self.with_queue(queue_url, |_, _| Ok(()))?;
        let results = entries
            .into_iter()
            .map(|(id, h)| {
                let r = self.delete_message(queue_url, &h);
                (id, r)
            })
            .collect();
        Ok(batch(results))
    }

    /// `ChangeMessageVisibility`: makes an in-flight message visible again after
    /// `visibility_timeout` seconds from now (0 = at once).
    pub fn change_message_visibility(
        &self,
        queue_url: &str,
        receipt_handle: &str,
        visibility_timeout: i64,
    ) -> Result<(), SqsError> {
        if receipt_handle.is_empty() {
            return Err(SqsError::MissingParameter("ReceiptHandle".into()));
        }
        if !(0..=43_200).contains(&visibility_timeout) {
            return Err(SqsError::invalid_value(
                "VisibilityTimeout",
                visibility_timeout,
                "Must be >= 0 and <= 43200, if provided.",
            ));
        }
        self.with_queue(queue_url, |q, now| {
            let r = message::parse_receipt(receipt_handle)
                .filter(|r| r.queue == q.name)
                .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(receipt_handle.to_string()))?;
            let fifo = q.fifo;
            let m = q
                .messages
                .iter_mut()
                .find(|m| m.key() == r.message_id)
                .ok_or_else(|| {
                    SqsError::invalid_value(
                        "ReceiptHandle",
                        receipt_handle,
                        "Message does not exist or is not available for visibility timeout change.",
                    )
                })?;
            if fifo && m.receipt.as_deref() != Some(receipt_handle) {
                return Err(SqsError::invalid_value(
                    "ReceiptHandle",
                    receipt_handle,
                    "The receipt handle has expired.",
                ));
            }
            if !m.in_flight(now) {
                return Err(SqsError::MessageNotInflight);
            }
            let until = now.saturating_add(secs_to_ms(visibility_timeout));
            // At most 12 hours from the receive the handle belongs to.
            let received = m.last_received_at.unwrap_or(now);
            if until > received.saturating_add(MAX_VISIBILITY_MS) {
                return Err(SqsError::invalid_value(
                    "VisibilityTimeout",
                    visibility_timeout,
                    "Total VisibilityTimeout for the message is beyond the limit [43200 seconds].",
                ));
            }
            m.visible_at = until;
            q.notify.notify_waiters();
            Ok(())
        })
    }

    /// `ChangeMessageVisibilityBatch`.
    pub fn change_message_visibility_batch(
        &self,
        queue_url: &str,
        entries: Vec<ChangeVisibilityEntry>,
    ) -> Result<BatchOutput<()>, SqsError> {
        self.name_of(queue_url)?;
        check_batch(
            entries.iter().map(|e| e.id.as_str()),
            "ChangeMessageVisibilityBatchRequestEntry",
        )?;
        self.with_queue(queue_url, |_, _| Ok(()))?;
        let results = entries
            .into_iter()
            .map(|e| {
                let r = self.change_message_visibility(
                    queue_url,
                    &e.receipt_handle,
                    e.visibility_timeout,
                );
                (e.id, r)
            })
            .collect();
        Ok(batch(results))
    }

    /// `TagQueue`.
    pub fn tag_queue(
        &self,
        queue_url: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<(), SqsError> {
        self.with_queue(queue_url, |q, _| {
            q.tags.extend(tags);
            Ok(())
        })
    }

    /// `UntagQueue`.
    pub fn untag_queue(&self, queue_url: &str, tag_keys: &[String]) -> Result<(), SqsError> {
        self.with_queue(queue_url, |q, _| {
            for k in tag_keys {
                q.tags.remove(k);
            }
            Ok(())
        })
    }

    /// `ListQueueTags`.
    pub fn list_queue_tags(&self, queue_url: &str) -> Result<BTreeMap<String, String>, SqsError> {
        self.with_queue(queue_url, |q, _| Ok(q.tags.clone()))
    }

    /// `ListDeadLetterSourceQueues`: URLs of the queues whose redrive policy targets this one.
    pub fn list_dead_letter_source_queues(&self, queue_url: &str) -> Result<Vec<String>, SqsError> {
        let arn = self.with_queue(queue_url, |q, _| Ok(q.arn.clone()))?;
        let st = lock(&self.state);
        Ok(st
            .queues
            .values()
            .filter(|q| {
                q.config
                    .redrive_policy()
                    .is_some_and(|p| p.dead_letter_target_arn == arn)
            })
            .map(|q| self.queue_url(&q.name))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn setup() -> (Clock, Arc<Sqs>, String) {
        let clock = Clock::virtual_at(1_000_000);
        let sqs = Arc::new(Sqs::new(
            clock.clone(),
            "123456789012",
            "us-east-1",
            "http://h",
        ));
        let url = sqs
            .create_queue(CreateQueue {
                queue_name: "q".into(),
                ..Default::default()
            })
            .unwrap();
        (clock, sqs, url)
    }

    async fn until(mut f: impl FnMut() -> bool) {
        for _ in 0..1000 {
            if f() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("condition never held");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_poll_is_idle_while_waiting_and_leaves_no_timer() {
        let (clock, sqs, url) = setup();
        let poll = {
            let (clock, sqs, url) = (clock.clone(), sqs.clone(), url.clone());
            let activity = clock.activity(); // as an HTTP request holds one
            tokio::spawn(async move {
                let _activity = activity;
                sqs.receive_message(ReceiveMessage {
                    queue_url: url,
                    wait_time_seconds: Some(20),
                    ..Default::default()
                })
                .await
            })
        };
        // Parked on the notification and the 20 s timer: the clock sees nothing live.
        until(|| clock.active() == 0 && clock.next_deadline().is_some()).await;
        assert_eq!(clock.next_deadline(), Some(1_020_000));
        sqs.send_message(&url, SendMessage::body("hi")).unwrap();
        let got = poll.await.unwrap().unwrap();
        assert_eq!(got[0].body, "hi");
        assert_eq!(clock.now_ms(), 1_000_000, "no time passed");
        assert_eq!(clock.active(), 0, "every count restored");
        assert_eq!(clock.next_deadline(), None, "the wait's timer is gone");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_poll_ends_when_a_message_becomes_visible() {
        let (clock, sqs, url) = setup();
        let mut m = SendMessage::body("later");
        m.delay_seconds = Some(5);
        sqs.send_message(&url, m).unwrap();
        let _activity = clock.activity();
        let got = clock
            .run_until(sqs.receive_message(ReceiveMessage {
                queue_url: url,
                wait_time_seconds: Some(20),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(got[0].body, "later");
        assert_eq!(clock.now_ms(), 1_005_000);
    }
}

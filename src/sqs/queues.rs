//! Queue lifecycle: `CreateQueue`, `GetQueueUrl`, `ListQueues`, `DeleteQueue`, `PurgeQueue`,
//! queue attributes, tags, and the dead-letter source queues of a queue.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use base64::Engine as _;
use tokio::sync::Notify;

use super::queue::{self, Queue, QueueConfig};
use super::{CreateQueue, ListQueues, ListQueuesOutput, Sqs, SqsError};
use crate::sync::lock;
use crate::time::Millis;

/// Wait before a deleted queue's name can be reused, and between two purges.
const SIXTY_SECONDS_MS: Millis = 60 * 1000;

impl Sqs {
    /// `CreateQueue`: creates a queue, or returns the URL of an existing queue with the same
    /// attributes (`QueueAlreadyExists` if any differs).
    pub(crate) fn create_queue(&self, input: CreateQueue) -> Result<String, SqsError> {
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
        let key = self.key_here(&name);
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
            queue::apply_sse_rules(&mut config, &input.attributes);
        }
        if let Some(existing) = st.queues.get(&key) {
            // Only the attributes the request names are compared: re-creating a queue with no
            // attributes returns its URL whatever its attributes (AWS's CreateQueue reference:
            // "If you provide the name of an existing queue along with the exact names and
            // values of all the queue's attributes, CreateQueue returns the queue URL").
            for attr in queue::SETTABLE {
                if !input.attributes.contains_key(*attr) {
                    continue;
                }
                if existing.config.values.get(*attr) != config.values.get(*attr) {
                    return Err(SqsError::QueueNameExists((*attr).to_string()));
                }
            }
            return Ok(self.url_of_key(&key));
        }
        if let Some(at) = st.deleted.get(&key) {
            if now < at.saturating_add(SIXTY_SECONDS_MS) {
                return Err(SqsError::QueueDeletedRecently);
            }
        }
        st.deleted.remove(&key);
        let q = Queue {
            arn: self.queue_arn(&name),
            name: name.clone(),
            fifo,
            config,
            created_at: now,
            modified_at: now,
            tags: input.tags,
            messages: std::collections::VecDeque::new(),
            dedup: HashMap::new(),
            last_purge: None,
            notify: Arc::new(Notify::new()),
            expired_at: None,
        };
        st.queues.insert(key.clone(), q);
        Ok(self.url_of_key(&key))
    }

    /// Whether `arn` names an existing queue of this account; `Some(is_fifo)` if so.
    fn lookup_arn(&self, queues: &BTreeMap<String, Queue>, arn: &str) -> Option<bool> {
        queues.get(&self.key_of_arn(arn)?).map(|q| q.fifo)
    }

    /// `GetQueueUrl`.
    pub(crate) fn get_queue_url(
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
        let key = self.key_here(queue_name);
        if lock(&self.state).queues.contains_key(&key) {
            Ok(self.url_of_key(&key))
        } else {
            Err(SqsError::QueueDoesNotExist)
        }
    }

    /// `ListQueues`: queues sorted by name, optionally by prefix and paged.
    pub(crate) fn list_queues(&self, input: ListQueues) -> Result<ListQueuesOutput, SqsError> {
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
        let region = self.region_now();
        let st = lock(&self.state);
        let mut names: Vec<(&str, &String)> = st
            .queues
            .keys()
            .map(|k| (self.split_key(k), k))
            .filter(|((r, _), _)| *r == region)
            .map(|((_, n), k)| (n, k))
            .filter(|(n, _)| n.starts_with(&prefix))
            .filter(|(n, _)| after.as_deref().is_none_or(|a| *n > a))
            .collect();
        names.sort();
        let limit = input.max_results.map_or(1000, |n| n as usize);
        let page: Vec<(&str, &String)> = names.iter().take(limit).copied().collect();
        let next_token = match (input.max_results, page.last()) {
            (Some(_), Some((last, _))) if names.len() > page.len() => {
                Some(base64::engine::general_purpose::STANDARD.encode(last.as_bytes()))
            }
            _ => None,
        };
        Ok(ListQueuesOutput {
            queue_urls: page.iter().map(|(_, k)| self.url_of_key(k)).collect(),
            next_token,
        })
    }

    /// `DeleteQueue`: the queue and its messages are gone at once; the name is reusable after
    /// 60 seconds.
    pub(crate) fn delete_queue(&self, queue_url: &str) -> Result<(), SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let q = st.queues.remove(&name).ok_or(SqsError::QueueDoesNotExist)?;
        q.notify.notify_waiters();
        st.deleted.insert(name, now);
        Ok(())
    }

    /// `GetQueueAttributes`: `All` or named attributes, in AWS's order, as strings.
    pub(crate) fn get_queue_attributes(
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
    pub(crate) fn set_queue_attributes(
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
        queue::apply_sse_rules(&mut q.config, attributes);
        q.modified_at = now;
        q.notify.notify_waiters();
        Ok(())
    }

    /// `PurgeQueue`: deletes every message; a second purge within 60 seconds fails.
    pub(crate) fn purge_queue(&self, queue_url: &str) -> Result<(), SqsError> {
        self.with_queue(queue_url, |q, now| {
            if let Some(at) = q.last_purge {
                if now < at.saturating_add(SIXTY_SECONDS_MS) {
                    return Err(SqsError::PurgeQueueInProgress(q.name.clone()));
                }
            }
            q.last_purge = Some(now);
            q.messages.clear();
            // The deduplication window goes with the messages (LocalStack's AWS-validated
            // `test_purge_queue_clears_fifo_deduplication_cache`).
            q.dedup.clear();
            Ok(())
        })
    }

    /// `TagQueue`.
    pub(crate) fn tag_queue(
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
    pub(crate) fn untag_queue(&self, queue_url: &str, tag_keys: &[String]) -> Result<(), SqsError> {
        self.with_queue(queue_url, |q, _| {
            for k in tag_keys {
                q.tags.remove(k);
            }
            Ok(())
        })
    }

    /// `ListQueueTags`.
    pub(crate) fn list_queue_tags(
        &self,
        queue_url: &str,
    ) -> Result<BTreeMap<String, String>, SqsError> {
        self.with_queue(queue_url, |q, _| Ok(q.tags.clone()))
    }

    /// `ListDeadLetterSourceQueues`: URLs of the queues whose redrive policy targets this one.
    pub(crate) fn list_dead_letter_source_queues(
        &self,
        queue_url: &str,
    ) -> Result<Vec<String>, SqsError> {
        let arn = self.with_queue(queue_url, |q, _| Ok(q.arn.clone()))?;
        let st = lock(&self.state);
        Ok(st
            .queues
            .iter()
            .filter(|(_, q)| {
                q.config
                    .redrive_policy()
                    .is_some_and(|p| p.dead_letter_target_arn == arn)
            })
            .map(|(k, _)| self.url_of_key(k))
            .collect())
    }
}

//! `AddPermission` and `RemovePermission`: statements in the queue's `Policy` attribute.
//!
//! The statement shape is the one AWS writes for `AddPermission` (the API reference's example:
//! `{"Version":"2012-10-17","Id":"<queue arn>/SQSDefaultPolicy","Statement":[{"Sid":"<label>",
//! "Effect":"Allow","Principal":{"AWS":"arn:aws:iam::<account>:root"},"Action":"SQS:<action>",
//! "Resource":"<queue arn>"}]}`, one value a string and several a list). sfn-harness stores the
//! policy and returns it; it does not enforce it (every caller is the account's owner).

use serde_json::{json, Map, Value};

use super::{Sqs, SqsError};

/// One value, or a list of several, as AWS writes principals and actions.
fn one_or_many(items: Vec<String>) -> Value {
    if items.len() == 1 {
        json!(items[0])
    } else {
        json!(items)
    }
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 80
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Sqs {
    /// `AddPermission`: adds a statement `label` allowing `account_ids` the `actions` (`SendMessage`,
    /// `*`, …) on the queue.
    pub(crate) fn add_permission(
        &self,
        queue_url: &str,
        label: &str,
        account_ids: &[String],
        actions: &[String],
    ) -> Result<(), SqsError> {
        if label.is_empty() {
            return Err(SqsError::MissingParameter("Label".into()));
        }
        if account_ids.is_empty() {
            return Err(SqsError::MissingParameter("AWSAccountId".into()));
        }
        if actions.is_empty() {
            return Err(SqsError::MissingParameter("ActionName".into()));
        }
        if !valid_label(label) {
            return Err(SqsError::invalid_value(
                "Label",
                label,
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            ));
        }
        self.with_queue(queue_url, |q, now| {
            let mut policy = match q.config.values.get("Policy") {
                Some(text) => serde_json::from_str::<Map<String, Value>>(text).unwrap_or_default(),
                None => Map::new(),
            };
            if policy.is_empty() {
                policy.insert("Version".into(), json!("2012-10-17"));
                policy.insert("Id".into(), json!(format!("{}/SQSDefaultPolicy", q.arn)));
            }
            let statements = policy
                .entry("Statement")
                .or_insert_with(|| json!([]));
            if !statements.is_array() {
                *statements = json!([statements.clone()]);
            }
            let Value::Array(list) = statements else {
                // Made an array just above.
                return Ok(());
            };
            if list.iter().any(|s| s.get("Sid").and_then(Value::as_str) == Some(label)) {
                return Err(SqsError::invalid_value("Label", label, "Already exists."));
            }
            list.push(json!({
                "Sid": label,
                "Effect": "Allow",
                "Principal": { "AWS": one_or_many(account_ids.iter().map(|a| format!("arn:aws:iam::{a}:root")).collect()) },
                "Action": one_or_many(actions.iter().map(|a| format!("SQS:{a}")).collect()),
                "Resource": q.arn,
            }));
            q.config
                .values
                .insert("Policy".into(), Value::Object(policy).to_string());
            q.modified_at = now;
            Ok(())
        })
    }

    /// `RemovePermission`: removes the statement `label` (the policy goes with its last one).
    pub(crate) fn remove_permission(&self, queue_url: &str, label: &str) -> Result<(), SqsError> {
        if label.is_empty() {
            return Err(SqsError::MissingParameter("Label".into()));
        }
        self.with_queue(queue_url, |q, now| {
            let not_found =
                || SqsError::invalid_value("Label", label, "can't find label on existing policy.");
            let text = q.config.values.get("Policy").ok_or_else(not_found)?;
            let mut policy: Map<String, Value> =
                serde_json::from_str(text).map_err(|_| not_found())?;
            let Some(Value::Array(list)) = policy.get_mut("Statement") else {
                return Err(not_found());
            };
            let before = list.len();
            list.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(label));
            if list.len() == before {
                return Err(not_found());
            }
            if list.is_empty() {
                q.config.values.remove("Policy");
            } else {
                q.config
                    .values
                    .insert("Policy".into(), Value::Object(policy).to_string());
            }
            q.modified_at = now;
            Ok(())
        })
    }
}

//! The batch operations' common rules: 1–10 entries with distinct, well-formed ids, and the
//! `Successful` / `Failed` split of the results.

use std::collections::HashSet;

use super::{BatchFailure, BatchOutput, ErrorType, SqsError};

fn valid_batch_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(super) fn check_batch<'a>(
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

/// The results of a batch's entries, split into `Successful` and `Failed` as AWS answers them.
pub(super) fn batch<T>(entries: Vec<(String, Result<T, SqsError>)>) -> BatchOutput<T> {
    let mut out = BatchOutput {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for (id, r) in entries {
        match r {
            Ok(v) => out.successful.push((id, v)),
            Err(e) => out.failed.push(BatchFailure {
                id,
                sender_fault: e.error_type() == ErrorType::Sender,
                code: e.query_code().to_string(),
                message: e.message(),
            }),
        }
    }
    out
}

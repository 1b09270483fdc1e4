//! A small in-memory Amazon S3: buckets and objects, enough for a distributed Map's
//! `ItemReader`/`ResultWriter` and the `aws-sdk:s3:*` Task resources. Like [`crate::sqs`] it
//! knows nothing of Step Functions; the HTTP front-end is `server::s3_api` (path-style
//! `/{bucket}/{key}` requests, S3's REST-XML protocol) and the Task integration
//! `integrations::s3`.
//!
//! Error codes and messages are S3's (the Amazon S3 API reference, "Error responses"):
//! `NoSuchBucket` "The specified bucket does not exist", `NoSuchKey` "The specified key does
//! not exist.", `BucketAlreadyOwnedByYou`, `BucketNotEmpty`.
//!
//! Example: the unit test `s3_mod_11` in `src/tests/doc_examples.rs`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use md5::{Digest, Md5};

use crate::sync::lock;
use crate::time::{Clock, Millis};

/// An S3 error, with S3's code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum S3Error {
    /// `NoSuchBucket` (404).
    #[error("The specified bucket does not exist")]
    NoSuchBucket(String),
    /// `NoSuchKey` (404).
    #[error("The specified key does not exist.")]
    NoSuchKey(String),
    /// `BucketAlreadyOwnedByYou` (409).
    #[error("Your previous request to create the named bucket succeeded and you already own it.")]
    BucketAlreadyOwnedByYou(String),
    /// `BucketNotEmpty` (409).
    #[error("The bucket you tried to delete is not empty")]
    BucketNotEmpty(String),
    /// `InvalidBucketName` (400).
    #[error("The specified bucket is not valid.")]
    InvalidBucketName(String),
}

impl S3Error {
    /// S3's error code (`NoSuchKey`, …).
    ///
    /// Example: the unit test `s3_mod_55` in `src/tests/doc_examples.rs`.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            S3Error::NoSuchBucket(_) => "NoSuchBucket",
            S3Error::NoSuchKey(_) => "NoSuchKey",
            S3Error::BucketAlreadyOwnedByYou(_) => "BucketAlreadyOwnedByYou",
            S3Error::BucketNotEmpty(_) => "BucketNotEmpty",
            S3Error::InvalidBucketName(_) => "InvalidBucketName",
        }
    }

    /// The HTTP status S3 answers it with.
    pub(crate) fn status(&self) -> u16 {
        match self {
            S3Error::NoSuchBucket(_) | S3Error::NoSuchKey(_) => 404,
            S3Error::BucketAlreadyOwnedByYou(_) | S3Error::BucketNotEmpty(_) => 409,
            S3Error::InvalidBucketName(_) => 400,
        }
    }

    /// The bucket or key it is about (S3's `<BucketName>` or `<Key>` element).
    pub(crate) fn resource(&self) -> &str {
        match self {
            S3Error::NoSuchBucket(s)
            | S3Error::NoSuchKey(s)
            | S3Error::BucketAlreadyOwnedByYou(s)
            | S3Error::BucketNotEmpty(s)
            | S3Error::InvalidBucketName(s) => s,
        }
    }
}

/// One stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// Its key.
    pub key: String,
    /// Its bytes.
    pub body: Vec<u8>,
    /// `"<md5 hex>"`, quotes included, as S3 returns it.
    pub etag: String,
    /// `Content-Type` (S3's default: `binary/octet-stream`).
    pub content_type: String,
    /// When it was last written.
    pub last_modified_ms: Millis,
}

/// A page of `ListObjectsV2`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Listing {
    /// The objects, in key order.
    pub objects: Vec<Object>,
    /// Common prefixes (with a delimiter).
    pub common_prefixes: Vec<String>,
    /// Whether more keys follow.
    pub truncated: bool,
    /// The key to continue after, when truncated.
    pub next_key: Option<String>,
}

#[derive(Debug, Default)]
struct Bucket {
    created_ms: Millis,
    objects: BTreeMap<String, Object>,
}

/// The S3 service of one account.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
///
/// let account = Account::new(AccountConfig::default());
/// account.s3().create_bucket("items").unwrap();
/// account.s3().put_object("items", "list.json", b"[1, 2]".to_vec(), None).unwrap();
/// ```
#[derive(Debug)]
pub struct S3 {
    clock: Clock,
    buckets: Mutex<BTreeMap<String, Bucket>>,
}

/// S3's bucket naming rules (3-63 characters of lower-case letters, digits, `.` and `-`,
/// starting and ending with a letter or digit).
fn valid_bucket_name(name: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    (3..=63).contains(&name.len())
        && name.chars().all(ok_char)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

impl S3 {
    /// An empty S3 reading `clock`.
    pub(crate) fn new(clock: Clock) -> S3 {
        S3 {
            clock,
            buckets: Mutex::new(BTreeMap::new()),
        }
    }

    /// `CreateBucket`.
    pub fn create_bucket(&self, name: &str) -> Result<(), S3Error> {
        if !valid_bucket_name(name) {
            return Err(S3Error::InvalidBucketName(name.into()));
        }
        let mut b = lock(&self.buckets);
        if b.contains_key(name) {
            return Err(S3Error::BucketAlreadyOwnedByYou(name.into()));
        }
        b.insert(
            name.into(),
            Bucket {
                created_ms: self.clock.now_ms(),
                objects: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// `DeleteBucket`: only an empty one.
    pub(crate) fn delete_bucket(&self, name: &str) -> Result<(), S3Error> {
        let mut b = lock(&self.buckets);
        match b.get(name) {
            None => Err(S3Error::NoSuchBucket(name.into())),
            Some(bucket) if !bucket.objects.is_empty() => Err(S3Error::BucketNotEmpty(name.into())),
            Some(_) => {
                b.remove(name);
                Ok(())
            }
        }
    }

    /// `HeadBucket`.
    pub(crate) fn head_bucket(&self, name: &str) -> Result<(), S3Error> {
        lock(&self.buckets)
            .get(name)
            .map(|_| ())
            .ok_or_else(|| S3Error::NoSuchBucket(name.into()))
    }

    /// `ListBuckets`: names and creation times, in name order.
    pub(crate) fn list_buckets(&self) -> Vec<(String, Millis)> {
        lock(&self.buckets)
            .iter()
            .map(|(n, b)| (n.clone(), b.created_ms))
            .collect()
    }

    /// `PutObject`: stores `body` under `key` (replacing what was there).
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: Option<&str>,
    ) -> Result<Object, S3Error> {
        let mut b = lock(&self.buckets);
        let bucket = b
            .get_mut(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.into()))?;
        let digest = Md5::digest(&body);
        let etag = format!(
            "\"{}\"",
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let obj = Object {
            key: key.into(),
            body,
            etag,
            content_type: content_type.unwrap_or("binary/octet-stream").into(),
            last_modified_ms: self.clock.now_ms(),
        };
        bucket.objects.insert(key.into(), obj.clone());
        Ok(obj)
    }

    /// `GetObject` (and `HeadObject`).
    pub(crate) fn get_object(&self, bucket: &str, key: &str) -> Result<Object, S3Error> {
        let b = lock(&self.buckets);
        let bucket = b
            .get(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.into()))?;
        bucket
            .objects
            .get(key)
            .cloned()
            .ok_or_else(|| S3Error::NoSuchKey(key.into()))
    }

    /// `DeleteObject`: deleting a missing key succeeds, as in S3.
    pub(crate) fn delete_object(&self, bucket: &str, key: &str) -> Result<(), S3Error> {
        let mut b = lock(&self.buckets);
        let bucket = b
            .get_mut(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.into()))?;
        bucket.objects.remove(key);
        Ok(())
    }

    /// `ListObjectsV2` (and `ListObjects`): the keys with `prefix` after `start_after`, at
    /// most `max_keys` (S3's default 1000), grouped by `delimiter` when given.
    pub(crate) fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        start_after: Option<&str>,
        max_keys: usize,
    ) -> Result<Listing, S3Error> {
        let b = lock(&self.buckets);
        let bucket = b
            .get(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.into()))?;
        let mut out = Listing::default();
        let mut count = 0usize;
        for (key, obj) in bucket.objects.iter() {
            if !key.starts_with(prefix) || start_after.is_some_and(|s| key.as_str() <= s) {
                continue;
            }
            if let Some(d) = delimiter.filter(|d| !d.is_empty()) {
                if let Some(i) = key[prefix.len()..].find(d) {
                    let cp = key[..prefix.len() + i + d.len()].to_string();
                    if out.common_prefixes.last() != Some(&cp) {
                        if count == max_keys {
                            out.truncated = true;
                            break;
                        }
                        out.common_prefixes.push(cp);
                        count += 1;
                    }
                    continue;
                }
            }
            if count == max_keys {
                out.truncated = true;
                break;
            }
            out.objects.push(obj.clone());
            out.next_key = Some(key.clone());
            count += 1;
        }
        if !out.truncated {
            out.next_key = None;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_groups_by_delimiter_and_pages() {
        let s3 = S3::new(Clock::virtual_at(0));
        s3.create_bucket("bkt").unwrap();
        for k in ["a/1", "a/2", "b", "c"] {
            s3.put_object("bkt", k, vec![], None).unwrap();
        }
        let l = s3.list_objects("bkt", "", Some("/"), None, 1000).unwrap();
        assert_eq!(l.common_prefixes, ["a/"]);
        assert_eq!(l.objects.len(), 2);
        let l = s3.list_objects("bkt", "", None, None, 2).unwrap();
        assert!(l.truncated);
        assert_eq!(l.next_key.as_deref(), Some("a/2"));
        assert!(matches!(
            s3.delete_bucket("bkt"),
            Err(S3Error::BucketNotEmpty(_))
        ));
        assert!(matches!(
            s3.create_bucket("Bad_Name"),
            Err(S3Error::InvalidBucketName(_))
        ));
    }
}

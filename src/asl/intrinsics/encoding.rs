//! Encoding, hashing and identifiers: `States.Base64Encode`, `States.Base64Decode`,
//! `States.Hash` and `States.UUID`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use crate::asl::intrinsics::Args;
use crate::asl::{Env, StatesError};

/// `States.Base64Encode`.
pub(super) fn base64_encode(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(1)?;
    let s = args.string(0)?;
    if s.len() > 10_000 {
        return Err(args.fail("the input is longer than 10000 characters"));
    }
    Ok(Value::String(STANDARD.encode(s.as_bytes())))
}

/// `States.Base64Decode`.
pub(super) fn base64_decode(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(1)?;
    let s = args.string(0)?;
    if s.len() > 10_000 {
        return Err(args.fail("the input is longer than 10000 characters"));
    }
    let bytes = STANDARD
        .decode(s.as_bytes())
        .map_err(|e| args.fail(format!("the input is not valid base64: {e}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| args.fail("the decoded data is not valid UTF-8"))
}

/// `States.Hash`.
pub(super) fn hash(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(2)?;
    let data = match &args.values[0] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let algorithm = args.string(1)?;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    use sha2::Digest;
    let digest = match algorithm {
        "MD5" => hex(&md5::Md5::digest(data.as_bytes())),
        "SHA-1" => hex(&sha1::Sha1::digest(data.as_bytes())),
        "SHA-256" => hex(&sha2::Sha256::digest(data.as_bytes())),
        "SHA-384" => hex(&sha2::Sha384::digest(data.as_bytes())),
        "SHA-512" => hex(&sha2::Sha512::digest(data.as_bytes())),
        other => {
            return Err(args.fail(format!(
                "'{other}' is not a supported algorithm (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"
            )))
        }
    };
    Ok(Value::String(digest))
}

/// `States.UUID`.
pub(super) fn uuid(args: Args, env: &Env<'_>) -> Result<Value, StatesError> {
    args.count(0)?;
    let mut b = [0u8; 16];
    env.random(|rng| rng.fill_bytes(&mut b))?;
    Ok(Value::String(
        uuid::Builder::from_random_bytes(b)
            .into_uuid()
            .hyphenated()
            .to_string(),
    ))
}

//! Field readers shared by every state type: strings, paths, payload templates, seconds, and
//! `Error`/`Cause`-style fields that are either a string or a path.

use serde_json::{Map, Value};

use crate::asl::parse::Parser;
use crate::asl::path::Path;
use crate::asl::{payload, PathOrNull, Seconds, StringOrPath};

impl Parser {
    pub(super) fn string_field<'a>(
        &mut self,
        o: &'a Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<&'a str> {
        match o.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.schema(
                    &format!("{loc}/{key}"),
                    format!("The value for the field '{key}' must be a STRING"),
                );
                None
            }
        }
    }

    pub(super) fn path_field(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
        reference: bool,
    ) -> PathOrNull {
        match o.get(key) {
            None => PathOrNull::Default,
            Some(Value::Null) => PathOrNull::Null,
            Some(Value::String(s)) => match Path::parse(s) {
                Ok(p) if reference && (p.is_context() || !p.is_reference()) => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a valid ReferencePath"),
                    );
                    PathOrNull::Default
                }
                Ok(p) => PathOrNull::Path(p),
                Err(_) => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a valid JSONPath"),
                    );
                    PathOrNull::Default
                }
            },
            Some(_) => {
                self.schema(
                    &format!("{loc}/{key}"),
                    format!("The value for the field '{key}' must be a STRING"),
                );
                PathOrNull::Default
            }
        }
    }

    pub(super) fn template(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<Value> {
        let v = o.get(key)?;
        for problem in payload::check(v) {
            let field = problem
                .location
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            self.schema(
                &format!("{loc}/{key}"),
                format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"),
            );
        }
        Some(v.clone())
    }

    pub(super) fn seconds(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<Seconds> {
        let path_key = format!("{key}Path");
        match (o.get(key), o.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    format!("The fields '{key}' and '{path_key}' are mutually exclusive"),
                );
                None
            }
            (Some(v), None) => match v.as_u64() {
                Some(n) if n > 0 && n <= 99_999_999 => Some(Seconds::Literal(n)),
                _ => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a positive integer no greater than 99999999"),
                    );
                    None
                }
            },
            (None, Some(Value::String(s))) => {
                match Path::parse(s) {
                    Ok(p) if p.is_reference() => Some(Seconds::Path(p)),
                    _ => {
                        self.schema(&format!("{loc}/{path_key}"), format!("The value for the field '{path_key}' must be a valid ReferencePath"));
                        None
                    }
                }
            }
            (None, Some(_)) => {
                self.schema(
                    &format!("{loc}/{path_key}"),
                    format!("The value for the field '{path_key}' must be a STRING"),
                );
                None
            }
            (None, None) => None,
        }
    }

    /// A JSONata seconds field (`TimeoutSeconds`, `HeartbeatSeconds`, `MaxConcurrency`): a
    /// literal integer or a `{% … %}` expression.
    pub(super) fn jsonata_seconds(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<Seconds> {
        let (min, max) = if key == "MaxConcurrency" {
            (0, u64::MAX)
        } else {
            (1, 99_999_999)
        };
        let v = self.jsonata_scalar(
            o,
            key,
            loc,
            |v| v.as_u64().is_some_and(|n| n >= min && n <= max),
            "a non-negative INTEGER",
        )?;
        match v {
            Value::String(s) => Some(Seconds::Expression(s)),
            v => v.as_u64().map(Seconds::Literal),
        }
    }

    pub(super) fn str_or_path(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<StringOrPath> {
        let path_key = format!("{key}Path");
        match (o.get(key), o.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    format!("The fields '{key}' and '{path_key}' are mutually exclusive"),
                );
                None
            }
            (Some(_), None) => self
                .string_field(o, key, loc)
                .map(|s| StringOrPath::Literal(s.to_string())),
            (None, Some(_)) => {
                let s = self.string_field(o, &path_key, loc)?.to_string();
                let valid = if crate::asl::intrinsics::is_intrinsic(&s) {
                    crate::asl::intrinsics::parse(&s).is_ok()
                } else {
                    Path::parse(&s).is_ok()
                };
                if !valid {
                    self.schema(
                        &format!("{loc}/{path_key}"),
                        format!("The value for the field '{path_key}' must be a valid JSONPath or a valid intrinsic function call"),
                    );
                    return None;
                }
                Some(StringOrPath::Path(s))
            }
            (None, None) => None,
        }
    }
}

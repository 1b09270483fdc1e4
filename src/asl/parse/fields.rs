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
        match self.key_or_path(o, key, loc)? {
            KeyOrPath::Key(v) => match v.as_u64() {
                Some(n) if n > 0 && n <= 99_999_999 => Some(Seconds::Literal(n)),
                _ => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a positive integer no greater than 99999999"),
                    );
                    None
                }
            },
            KeyOrPath::Path(path_key, v) => {
                self.reference_path(&path_key, v, loc).map(Seconds::Path)
            }
            KeyOrPath::Neither => None,
        }
    }

    /// Which of the pair `key` / `{key}Path` a state sets (`Seconds`/`SecondsPath`,
    /// `ToleratedFailureCount`/`…Path`, …). Both set is refused with AWS's message and reads as
    /// `None`.
    pub(super) fn key_or_path<'o>(
        &mut self,
        o: &'o Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<KeyOrPath<'o>> {
        let path_key = format!("{key}Path");
        match (o.get(key), o.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    format!("The fields '{key}' and '{path_key}' are mutually exclusive"),
                );
                None
            }
            (Some(v), None) => Some(KeyOrPath::Key(v)),
            (None, Some(v)) => Some(KeyOrPath::Path(path_key, v)),
            (None, None) => Some(KeyOrPath::Neither),
        }
    }

    /// The value of a `…Path` field that must be a reference path (`$.a`, `$$.Execution.Id`,
    /// `$var`), refused with AWS's messages when it is not a string or not a reference path.
    pub(super) fn reference_path(&mut self, path_key: &str, v: &Value, loc: &str) -> Option<Path> {
        let Value::String(s) = v else {
            self.schema(
                &format!("{loc}/{path_key}"),
                format!("The value for the field '{path_key}' must be a STRING"),
            );
            return None;
        };
        match Path::parse(s) {
            Ok(p) if p.is_reference() => Some(p),
            _ => {
                self.schema(
                    &format!("{loc}/{path_key}"),
                    format!("The value for the field '{path_key}' must be a valid ReferencePath"),
                );
                None
            }
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
        match self.key_or_path(o, key, loc)? {
            KeyOrPath::Key(_) => self
                .string_field(o, key, loc)
                .map(|s| StringOrPath::Literal(s.to_string())),
            KeyOrPath::Path(path_key, _) => {
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
            KeyOrPath::Neither => None,
        }
    }
}

/// Which of a `key` / `{key}Path` pair a state sets ([`Parser::key_or_path`]).
pub(super) enum KeyOrPath<'o> {
    /// The plain field, with its value.
    Key(&'o Value),
    /// The `…Path` field: its name and value.
    Path(String, &'o Value),
    /// Neither.
    Neither,
}

//! `Retry` and `Catch`: lists of error handlers, each matching errors by `ErrorEquals`.

use serde_json::{Map, Value};

use crate::asl::parse::Parser;
use crate::asl::{Catcher, Jitter, Retrier};

impl Parser {
    fn error_equals(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<String> {
        match o.get("ErrorEquals") {
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
                let names: Vec<String> = a
                    .iter()
                    .filter_map(|e| e.as_str().map(String::from))
                    .collect();
                if names.iter().any(|n| n == "States.ALL") && names.len() > 1 {
                    self.schema(
                        &format!("{loc}/ErrorEquals"),
                        "States.ALL must appear alone in ErrorEquals",
                    );
                }
                names
            }
            Some(Value::Array(a)) if a.is_empty() => {
                self.schema(&format!("{loc}/ErrorEquals"), "Value cannot be empty");
                Vec::new()
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/ErrorEquals"),
                    "The value for the field 'ErrorEquals' must be an ARRAY of STRINGs",
                );
                Vec::new()
            }
            None => {
                self.schema(loc, "These fields are required: [ErrorEquals]");
                Vec::new()
            }
        }
    }

    /// Checks that a `States.ALL` retrier/catcher is the last one.
    fn all_last(&mut self, lists: &[Vec<String>], loc: &str, field: &str) {
        for (i, l) in lists.iter().enumerate() {
            if l.iter().any(|n| n == "States.ALL") && i + 1 != lists.len() {
                self.schema(
                    &format!("{loc}/{field}[{i}]"),
                    format!("A {field} with States.ALL must be the last one"),
                );
            }
        }
    }

    /// `Retry` or `Catch`: an optional array of handler objects, each with only `H::KEYS`
    /// and an `ErrorEquals`; a `States.ALL` handler must come last.
    pub(super) fn handlers<H: Handler>(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<H> {
        let field = H::FIELD;
        let Some(v) = o.get(field) else {
            return Vec::new();
        };
        let Some(arr) = v.as_array() else {
            self.schema(
                &format!("{loc}/{field}"),
                format!("The value for the field '{field}' must be an ARRAY"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, h) in arr.iter().enumerate() {
            let hloc = format!("{loc}/{field}[{i}]");
            let Some(ho) = h.as_object() else {
                self.schema(&hloc, format!("A {} must be an OBJECT", H::NAME));
                continue;
            };
            for k in ho.keys() {
                if !H::KEYS.contains(&k.as_str()) {
                    self.schema(
                        &hloc,
                        format!("The field \"{k}\" is not supported by Step Functions"),
                    );
                }
            }
            let error_equals = self.error_equals(ho, &hloc);
            out.extend(H::body(self, ho, &hloc, error_equals));
        }
        let lists: Vec<Vec<String>> = out.iter().map(|h| h.error_equals().to_vec()).collect();
        self.all_last(&lists, loc, field);
        out
    }
}

/// One kind of error handler: a retrier or a catcher.
pub(super) trait Handler: Sized {
    /// The state field holding the list: `Retry` or `Catch`.
    const FIELD: &'static str;
    /// What one element is called in messages: `retrier` or `catcher`.
    const NAME: &'static str;
    /// The fields an element may have.
    const KEYS: &'static [&'static str];

    /// Reads the rest of one element, after its `ErrorEquals`; `None` drops it.
    fn body(
        p: &mut Parser,
        o: &Map<String, Value>,
        loc: &str,
        error_equals: Vec<String>,
    ) -> Option<Self>;

    /// The errors this handler matches.
    fn error_equals(&self) -> &[String];
}

impl Handler for Retrier {
    const FIELD: &'static str = "Retry";
    const NAME: &'static str = "retrier";
    const KEYS: &'static [&'static str] = &[
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    ];

    fn body(
        p: &mut Parser,
        ro: &Map<String, Value>,
        rloc: &str,
        error_equals: Vec<String>,
    ) -> Option<Self> {
        let int = |this: &mut Parser, key: &str, default: u64, min: u64| -> u64 {
            match ro.get(key) {
                None => default,
                Some(v) => match v.as_u64() {
                    Some(n) if n >= min && n <= 99_999_999 => n,
                    _ => {
                        this.schema(
                            &format!("{rloc}/{key}"),
                            format!("The value for the field '{key}' must be an integer between {min} and 99999999"),
                        );
                        default
                    }
                },
            }
        };
        let interval_seconds = int(p, "IntervalSeconds", 1, 1);
        let max_attempts = int(p, "MaxAttempts", 3, 0);
        let max_delay_seconds = ro
            .contains_key("MaxDelaySeconds")
            .then(|| int(p, "MaxDelaySeconds", 0, 1));
        let backoff_rate = match ro.get("BackoffRate") {
            None => 2.0,
            Some(v) => match v.as_f64() {
                Some(f) if f >= 1.0 => f,
                _ => {
                    p.schema(&format!("{rloc}/BackoffRate"), "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0");
                    2.0
                }
            },
        };
        let jitter = match ro.get("JitterStrategy") {
            None => Jitter::None,
            Some(v) if v == "FULL" => Jitter::Full,
            Some(v) if v == "NONE" => Jitter::None,
            Some(_) => {
                p.schema(
                    &format!("{rloc}/JitterStrategy"),
                    "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                );
                Jitter::None
            }
        };
        Some(Retrier {
            error_equals,
            interval_seconds,
            max_attempts,
            backoff_rate,
            max_delay_seconds,
            jitter,
        })
    }

    fn error_equals(&self) -> &[String] {
        &self.error_equals
    }
}

impl Handler for Catcher {
    const FIELD: &'static str = "Catch";
    const NAME: &'static str = "catcher";
    const KEYS: &'static [&'static str] = &[
        "ErrorEquals",
        "ResultPath",
        "Next",
        "Comment",
        "Assign",
        "Output",
    ];

    fn body(
        p: &mut Parser,
        co: &Map<String, Value>,
        cloc: &str,
        error_equals: Vec<String>,
    ) -> Option<Self> {
        let lang = p.lang;
        let jsonata = lang == crate::asl::QueryLanguage::Jsonata;
        for (key, bad) in [("ResultPath", jsonata), ("Output", !jsonata)] {
            if bad && co.contains_key(key) {
                p.schema(
                    cloc,
                    format!("The field '{key}' of a catcher is not supported with this state's QueryLanguage"),
                );
            }
        }
        let result_path = if jsonata {
            crate::asl::PathOrNull::Default
        } else {
            p.path_field(co, "ResultPath", cloc, true)
        };
        let assign = p.assign(co, cloc, lang);
        let output = if jsonata {
            p.jsonata_template(co, "Output", cloc)
        } else {
            None
        };
        match co.get("Next") {
            Some(Value::String(next)) => Some(Catcher {
                error_equals,
                result_path,
                next: next.clone(),
                assign,
                output,
            }),
            Some(_) => {
                p.schema(
                    &format!("{cloc}/Next"),
                    "The value for the field 'Next' must be a STRING",
                );
                None
            }
            None => {
                p.schema(cloc, "These fields are required: [Next]");
                None
            }
        }
    }

    fn error_equals(&self) -> &[String] {
        &self.error_equals
    }
}

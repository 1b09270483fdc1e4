//! The fields each state type allows, and the body of each state type.

use serde_json::{Map, Value};

use crate::asl::choice::timestamp;
use crate::asl::parse::fields::KeyOrPath;
use crate::asl::parse::jsonata::{self, expression_text};
use crate::asl::parse::{Code, Parser};
use crate::asl::path::Path;
use crate::asl::payload::Template;
use crate::asl::{
    Catcher, Fail, Map as MapState, Parallel, Pass, PathOrNull, QueryLanguage, Retrier, Seconds,
    State, StateKind, StringOrPath, Task, Wait, WaitFor,
};

const COMMON: &[&str] = &[
    "Type",
    "Comment",
    "InputPath",
    "OutputPath",
    "Next",
    "End",
    "QueryLanguage",
    "Assign",
];

fn allowed(ty: &str) -> &'static [&'static str] {
    match ty {
        "Pass" => &["Result", "ResultPath", "Parameters"],
        "Task" => &[
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
        ],
        "Choice" => &["Choices", "Default"],
        "Wait" => &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        "Succeed" => &[],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &[
            "Branches",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        "Map" => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "ItemSelector",
            "Parameters",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Label",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
        ],
        _ => &[],
    }
}

const STATE_TYPES: &str = "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]";

impl Parser {
    pub(super) fn state(
        &mut self,
        name: &str,
        v: &Value,
        loc: &str,
        depth: usize,
    ) -> Option<State> {
        let Some(o) = v.as_object() else {
            self.schema(loc, "The value for a state must be an OBJECT");
            return None;
        };
        let ty = self.state_type(o, loc)?;
        let lang = self.state_language(o, loc);
        self.lang = lang;
        self.check_state_keys(o, ty, loc, lang);
        let transition = self.transition(o, ty, loc);
        let comment = match o.get("Comment") {
            None => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(_) => {
                self.schema(
                    &format!("{loc}/Comment"),
                    "The value for the field 'Comment' must be a STRING",
                );
                None
            }
        };
        let jsonata = lang == QueryLanguage::Jsonata;
        let (input_path, output_path) = if jsonata {
            (PathOrNull::Default, PathOrNull::Default)
        } else {
            (
                self.path_field(o, "InputPath", loc, false),
                self.path_field(o, "OutputPath", loc, false),
            )
        };
        let assign = self.assign(o, loc, lang);
        let output = if jsonata {
            self.jsonata_template(o, "Output", loc)
        } else {
            None
        };
        let kind = match ty {
            "Pass" if jsonata => StateKind::Pass(Pass {
                result: None,
                parameters: None,
                result_path: PathOrNull::Default,
            }),
            "Pass" => StateKind::Pass(Pass {
                result: o.get("Result").cloned(),
                parameters: self.template(o, "Parameters", loc).map(Template::new),
                result_path: self.path_field(o, "ResultPath", loc, true),
            }),
            "Succeed" => StateKind::Succeed,
            "Fail" if jsonata => StateKind::Fail(Fail {
                error: self.str_or_expression(o, "Error", loc),
                cause: self.str_or_expression(o, "Cause", loc),
            }),
            "Fail" => StateKind::Fail(Fail {
                error: self.str_or_path(o, "Error", loc),
                cause: self.str_or_path(o, "Cause", loc),
            }),
            "Wait" => StateKind::Wait(Wait {
                wait_for: self.wait(o, loc, jsonata)?,
            }),
            "Task" => self.task(o, loc, jsonata)?,
            "Choice" => self.choice(o, loc, lang)?,
            "Parallel" => self.parallel(o, loc, depth, jsonata),
            "Map" => self.map(o, loc, depth, jsonata)?,
            _ => return None,
        };
        Some(State {
            name: name.to_string(),
            comment,
            input_path,
            output_path,
            transition,
            query_language: lang,
            assign,
            output,
            kind,
        })
    }

    fn lang_of(jsonata: bool) -> QueryLanguage {
        if jsonata {
            QueryLanguage::Jsonata
        } else {
            QueryLanguage::JsonPath
        }
    }

    /// `Error`/`Cause` of a JSONata Fail state: a string, or a `{% … %}` expression.
    fn str_or_expression(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<StringOrPath> {
        let v = self.jsonata_scalar(o, key, loc, Value::is_string, "a STRING")?;
        let s = v.as_str()?.to_string();
        Some(if expression_text(&s).is_some() {
            StringOrPath::Expression(s)
        } else {
            StringOrPath::Literal(s)
        })
    }

    /// The `Type` of a state, if it is one of [`STATE_TYPES`].
    fn state_type<'a>(&mut self, o: &'a Map<String, Value>, loc: &str) -> Option<&'a str> {
        match o.get("Type") {
            Some(Value::String(t)) if allowed(t).is_empty() && t != "Succeed" => {
                self.schema(
                    &format!("{loc}/Type"),
                    format!("The field 'Type' should have one of these values: {STATE_TYPES}"),
                );
                None
            }
            Some(Value::String(t)) => Some(t.as_str()),
            Some(_) => {
                self.schema(
                    &format!("{loc}/Type"),
                    format!("The field 'Type' should have one of these values: {STATE_TYPES}"),
                );
                None
            }
            None => {
                self.schema(loc, "These fields are required: [Type]");
                None
            }
        }
    }

    /// Every field must be allowed for the state's type.
    fn check_state_keys(
        &mut self,
        o: &Map<String, Value>,
        ty: &str,
        loc: &str,
        lang: QueryLanguage,
    ) {
        if lang == QueryLanguage::Jsonata {
            for key in o.keys() {
                let k = key.as_str();
                if matches!(k, "Type" | "Comment" | "QueryLanguage")
                    || jsonata::allowed(ty).contains(&k)
                {
                    continue;
                }
                let known = COMMON.contains(&k) || allowed(ty).contains(&k);
                self.schema(
                    loc,
                    if known {
                        format!("The field '{key}' is not supported for JSONata. Use the fields of JSONata mode (Arguments, Output, Assign, {{% %}} expressions) instead")
                    } else {
                        format!("The field \"{key}\" is not supported by Step Functions")
                    },
                );
            }
            return;
        }
        for key in o.keys() {
            if jsonata::JSONATA_ONLY.contains(&key.as_str()) {
                self.schema(
                    loc,
                    format!("The field '{key}' is supported only when QueryLanguage is JSONata"),
                );
                continue;
            }
            let ok = COMMON.contains(&key.as_str()) || allowed(ty).contains(&key.as_str());
            let bad_common = matches!(ty, "Succeed" | "Fail")
                && matches!(key.as_str(), "Next" | "End" | "Assign")
                || ty == "Fail" && matches!(key.as_str(), "InputPath" | "OutputPath")
                || ty == "Choice" && matches!(key.as_str(), "Next" | "End");
            if !ok || bad_common {
                self.schema(
                    loc,
                    format!("The field \"{key}\" is not supported by Step Functions"),
                );
            }
        }
    }

    fn parallel(
        &mut self,
        o: &Map<String, Value>,
        loc: &str,
        depth: usize,
        jsonata: bool,
    ) -> StateKind {
        let mut branches = Vec::new();
        match o.get("Branches") {
            Some(Value::Array(arr)) if !arr.is_empty() => {
                for (i, b) in arr.iter().enumerate() {
                    if let Some(d) = self.machine(b, &format!("{loc}/Branches[{i}]"), depth + 1) {
                        branches.push(d);
                    }
                }
            }
            Some(Value::Array(_)) => {
                self.schema(&format!("{loc}/Branches"), "Value cannot be empty")
            }
            Some(_) => self.schema(
                &format!("{loc}/Branches"),
                "The value for the field 'Branches' must be an ARRAY",
            ),
            None => self.schema(loc, "These fields are required: [Branches]"),
        }
        // The branches' states set `self.lang` to their own language; the catchers below
        // belong to this state (a JSONata Parallel's `Catch[].Output`).
        self.lang = Self::lang_of(jsonata);
        if jsonata {
            return StateKind::Parallel(Box::new(Parallel {
                branches,
                parameters: self.jsonata_template(o, "Arguments", loc),
                result_selector: None,
                result_path: PathOrNull::Default,
                retry: self.handlers(o, loc),
                catch: self.handlers(o, loc),
            }));
        }
        StateKind::Parallel(Box::new(Parallel {
            branches,
            parameters: self.template(o, "Parameters", loc),
            result_selector: self.template(o, "ResultSelector", loc).map(Template::new),
            result_path: self.path_field(o, "ResultPath", loc, true),
            retry: self.handlers(o, loc),
            catch: self.handlers(o, loc),
        }))
    }

    fn wait(&mut self, o: &Map<String, Value>, loc: &str, jsonata: bool) -> Option<WaitFor> {
        if jsonata {
            return self.jsonata_wait(o, loc);
        }
        let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|k| o.contains_key(*k))
            .collect();
        if present.len() != 1 {
            self.schema(
                loc,
                "A Wait state must have exactly one of the fields: [Seconds, Timestamp, SecondsPath, TimestampPath]",
            );
            return None;
        }
        let key = present[0];
        self.wait_literal(key, &o[key], loc)
    }

    /// One Wait field given literally (or, for `…Path`, as a path).
    fn wait_literal(&mut self, key: &str, v: &Value, loc: &str) -> Option<WaitFor> {
        let bad = |this: &mut Parser, msg: &str| {
            this.schema(&format!("{loc}/{key}"), msg.to_string());
            None
        };
        match key {
            "Seconds" => match v.as_u64() {
                Some(n) if n <= 99_999_999 => Some(WaitFor::Seconds(n)),
                _ => bad(self, "The value for the field 'Seconds' must be a non-negative integer no greater than 99999999"),
            },
            "Timestamp" => match v.as_str() {
                Some(s) if timestamp(s).is_some() => Some(WaitFor::Timestamp(s.to_string())),
                _ => bad(self, "String does not match RFC3339 timestamp"),
            },
            _ => match v.as_str().map(Path::parse) {
                Some(Ok(p)) if p.is_reference() => Some(if key == "SecondsPath" {
                    WaitFor::SecondsPath(p)
                } else {
                    WaitFor::TimestampPath(p)
                }),
                _ => bad(self, &format!("The value for the field '{key}' must be a valid ReferencePath")),
            },
        }
    }

    /// A JSONata Wait: `Seconds` (an integer or an expression) or `Timestamp` (an RFC 3339
    /// string or an expression).
    fn jsonata_wait(&mut self, o: &Map<String, Value>, loc: &str) -> Option<WaitFor> {
        let present: Vec<&str> = ["Seconds", "Timestamp"]
            .into_iter()
            .filter(|k| o.contains_key(*k))
            .collect();
        if present.len() != 1 {
            self.schema(
                loc,
                "A Wait state must have exactly one of the fields: [Seconds, Timestamp]",
            );
            return None;
        }
        let key = present[0];
        let v = &o[key];
        if let Some(text) = v.as_str().filter(|s| expression_text(s).is_some()) {
            let text = text.to_string();
            self.check_expressions(v, &format!("{loc}/{key}"));
            return Some(WaitFor::Expression {
                timestamp: key == "Timestamp",
                text,
            });
        }
        self.wait_literal(key, v, loc)
    }

    fn task(&mut self, o: &Map<String, Value>, loc: &str, jsonata: bool) -> Option<StateKind> {
        let resource = match o.get("Resource") {
            Some(Value::String(r)) if crate::arn::Arn::parse(r).is_some() => r.clone(),
            Some(Value::String(r)) => {
                self.push(
                    Code::InvalidResource,
                    &format!("{loc}/Resource"),
                    format!("The resource provided {r} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
                );
                return None;
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/Resource"),
                    "The value for the field 'Resource' must be a STRING",
                );
                return None;
            }
            None => {
                self.schema(loc, "These fields are required: [Resource]");
                return None;
            }
        };
        if unsupported_optimized_action(&resource) {
            // AWS: `SCHEMA_VALIDATION_FAILED: The resource provided
            // arn:aws:states:::dynamodb:query is not recognized. …`
            // (`services.test_dynamodb_task_service.test_invalid_integration` in
            // ../shared/conformance/v2).
            self.schema(
                &format!("{loc}/Resource"),
                format!("The resource provided {resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
            );
            return None;
        }
        let (timeout, heartbeat) = if jsonata {
            (
                self.jsonata_seconds(o, "TimeoutSeconds", loc),
                self.jsonata_seconds(o, "HeartbeatSeconds", loc),
            )
        } else {
            (
                self.seconds(o, "TimeoutSeconds", loc),
                self.seconds(o, "HeartbeatSeconds", loc),
            )
        };
        if let (Some(Seconds::Literal(t)), Some(Seconds::Literal(h))) = (&timeout, &heartbeat) {
            if h >= t {
                self.schema(
                    &format!("{loc}/HeartbeatSeconds"),
                    "HeartbeatSeconds must be smaller than TimeoutSeconds",
                );
            }
        }
        if jsonata {
            return Some(StateKind::Task(Box::new(Task {
                resource,
                parameters: self.jsonata_template(o, "Arguments", loc),
                result_selector: None,
                result_path: PathOrNull::Default,
                retry: self.handlers(o, loc),
                catch: self.handlers(o, loc),
                timeout,
                heartbeat,
            })));
        }
        Some(StateKind::Task(Box::new(Task {
            resource,
            parameters: self.template(o, "Parameters", loc),
            result_selector: self.template(o, "ResultSelector", loc).map(Template::new),
            result_path: self.path_field(o, "ResultPath", loc, true),
            retry: self.handlers(o, loc),
            catch: self.handlers(o, loc),
            timeout,
            heartbeat,
        })))
    }

    fn map(
        &mut self,
        o: &Map<String, Value>,
        loc: &str,
        depth: usize,
        jsonata: bool,
    ) -> Option<StateKind> {
        if let Some(Value::String(label)) = o.get("Label") {
            if let Some(reason) = label_problem(label) {
                self.push(Code::InvalidLabel, &format!("{loc}/Label"), reason);
            }
        }
        let (proc_value, key, legacy) = match (o.get("ItemProcessor"), o.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    "The fields 'ItemProcessor' and 'Iterator' are mutually exclusive",
                );
                return None;
            }
            (Some(p), None) => (p, "ItemProcessor", false),
            (None, Some(i)) => (i, "Iterator", true),
            (None, None) => {
                self.schema(loc, "These fields are required: [ItemProcessor]");
                return None;
            }
        };
        if o.contains_key("ItemSelector") && o.contains_key("Parameters") {
            self.schema(
                loc,
                "The fields 'ItemSelector' and 'Parameters' are mutually exclusive",
            );
        }
        let mode = proc_value
            .get("ProcessorConfig")
            .and_then(|c| c.get("Mode"))
            .and_then(Value::as_str);
        match mode {
            None | Some("INLINE") | Some("DISTRIBUTED") => {}
            Some(_) => self.schema(
                &format!("{loc}/{key}/ProcessorConfig/Mode"),
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
            ),
        }
        let distributed = if mode == Some("DISTRIBUTED") {
            Some(Box::new(self.distributed(o, proc_value, loc, jsonata)))
        } else {
            for only in ["ItemReader", "ResultWriter", "ItemBatcher"] {
                if o.contains_key(only) {
                    self.schema(
                        &format!("{loc}/{only}"),
                        format!("sfn-harness reads '{only}' only in a Map whose ProcessorConfig Mode is DISTRIBUTED"),
                    );
                }
            }
            None
        };
        let processor = self.machine(proc_value, &format!("{loc}/{key}"), depth + 1);
        // As for Parallel: the processor's states changed `self.lang`; `Catch` is this state's
        // (a JSONata Map's `Catch[].Output`: `test_map_state_failure_count[*BASE_MAP_STATE_CATCH*]`
        // in ../shared/conformance/v2).
        self.lang = Self::lang_of(jsonata);
        if jsonata {
            let items = match o.get("Items") {
                None => None,
                Some(v) if v.is_array() => self.jsonata_template(o, "Items", loc),
                Some(_) => self.jsonata_scalar(o, "Items", loc, Value::is_array, "an ARRAY"),
            };
            let max_concurrency = self.jsonata_seconds(o, "MaxConcurrency", loc);
            let item_selector = self.jsonata_template(o, "ItemSelector", loc);
            return Some(StateKind::Map(Box::new(MapState {
                processor: processor?,
                items_path: PathOrNull::Default,
                items,
                item_selector,
                max_concurrency,
                result_selector: None,
                result_path: PathOrNull::Default,
                retry: self.handlers(o, loc),
                catch: self.handlers(o, loc),
                legacy_iterator: legacy,
                distributed,
            })));
        }
        let max_concurrency = match self.key_or_path(o, "MaxConcurrency", loc) {
            None => None,
            Some(KeyOrPath::Key(v)) => {
                match v.as_u64() {
                    Some(n) => Some(Seconds::Literal(n)),
                    None => {
                        self.schema(&format!("{loc}/MaxConcurrency"), "The value for the field 'MaxConcurrency' must be a non-negative integer");
                        None
                    }
                }
            }
            Some(KeyOrPath::Path(_, v)) => match v.as_str().map(Path::parse) {
                Some(Ok(p)) if p.is_reference() => Some(Seconds::Path(p)),
                _ => {
                    self.schema(&format!("{loc}/MaxConcurrencyPath"), "The value for the field 'MaxConcurrencyPath' must be a valid ReferencePath");
                    None
                }
            },
            Some(KeyOrPath::Neither) => None,
        };
        let item_selector = match self.template(o, "ItemSelector", loc) {
            Some(t) => Some(t),
            None => self.template(o, "Parameters", loc),
        };
        let items_path = self.path_field(o, "ItemsPath", loc, false);
        let result_selector = self.template(o, "ResultSelector", loc).map(Template::new);
        let result_path = self.path_field(o, "ResultPath", loc, true);
        let retry: Vec<Retrier> = self.handlers(o, loc);
        let catch: Vec<Catcher> = self.handlers(o, loc);
        Some(StateKind::Map(Box::new(MapState {
            processor: processor?,
            items_path,
            items: None,
            item_selector,
            max_concurrency,
            result_selector,
            result_path,
            retry,
            catch,
            legacy_iterator: legacy,
            distributed,
        })))
    }
}

/// Whether `resource` names an action an optimized integration does not have. Only DynamoDB's
/// list is checked: `getItem`, `putItem`, `updateItem`, `deleteItem` (AWS's developer guide,
/// "Call DynamoDB with Step Functions"; the other DynamoDB APIs go through
/// `arn:aws:states:::aws-sdk:dynamodb:…`).
fn unsupported_optimized_action(resource: &str) -> bool {
    let Some(rest) = resource
        .strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
        .and_then(|(_, r)| r.strip_prefix("states:::dynamodb:"))
    else {
        return false;
    };
    let action = rest.split('.').next().unwrap_or(rest);
    !matches!(action, "getItem" | "putItem" | "updateItem" | "deleteItem")
}

/// What is wrong with a Map state's `Label`, in AWS's words: empty, over 40 characters, or
/// holding whitespace, one of `?*<>{}[]:;,\|^~$#%&` `` ` `` `"` or a control character
/// (U+0000-U+001F, U+007F-U+009F). Sources: AWS's developer guide ("Map state in Distributed
/// mode", field `Label`) and LocalStack's AWS-validated `test_sfn_api_map_run.py`
/// (`test_map_state_label_empty_fail`, `…_too_long_fail`, `…_invalid_char_fail[*]`).
fn label_problem(label: &str) -> Option<String> {
    if label.is_empty() {
        return Some("Label cannot be empty".into());
    }
    if label.chars().count() > 40 {
        return Some("Label cannot exceed 40 characters".into());
    }
    label
        .chars()
        .find(|&c| {
            " ?*<>{}[]:;,\\|^~$#%&`\"".contains(c)
                || (c as u32) < 0x20
                || (0x7f..0xa0).contains(&(c as u32))
        })
        .map(|c| format!("Label contains invalid character: '{c}'"))
}

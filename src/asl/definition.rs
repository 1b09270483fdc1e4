//! The typed form of an Amazon States Language definition.
//!
//! [`parse`](crate::asl::parse) turns a JSON document into a [`Definition`] after validating it;
//! the engine only ever sees these types. Payload templates (`Parameters`, `ResultSelector`,
//! `ItemSelector`) stay as JSON values and are evaluated by [`payload`](crate::asl::payload).

use std::collections::HashMap;

use serde_json::Value;

use crate::asl::path::Path;
use crate::asl::payload::Template;

/// A whole state machine (or one Parallel branch / Map item processor: they share the shape).
///
/// Built by [`parse`](crate::asl::parse), never by hand (new fields are coming with JSONata and
/// variables, so the type is `#[non_exhaustive]`):
///
/// The states themselves (their types, fields, Retry and Catch) are the engine's model and
/// crate-private; a user reads what a test needs, the shape of the machine:
///
/// ```
/// use sfn_harness::asl;
/// use serde_json::json;
///
/// let def = asl::parse(&json!({
///     "Comment": "wait, then stop",
///     "StartAt": "Wait",
///     "TimeoutSeconds": 60,
///     "States": {
///         "Wait": { "Type": "Wait", "Seconds": 5, "Next": "Done" },
///         "Done": { "Type": "Succeed" }
///     }
/// })).unwrap();
/// assert_eq!(def.start_at, "Wait");
/// assert_eq!(def.timeout_seconds, Some(60));
/// assert_eq!(def.comment.as_deref(), Some("wait, then stop"));
/// assert_eq!(def.state_names().collect::<Vec<_>>(), ["Wait", "Done"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Definition {
    /// `Comment`, if any.
    pub comment: Option<String>,
    /// `StartAt`: the name of the first state.
    pub start_at: String,
    /// `States`, in definition order.
    pub(crate) states: Vec<State>,
    /// Name -> index into `states` (foldhash: a state is looked up by name at every Choice
    /// branch and catcher, and SipHash was a visible part of a transition; issue 13).
    pub(crate) index: HashMap<String, usize, foldhash::fast::RandomState>,
    /// For each state of `states`, the index of its `Next` state (resolved once here, so a
    /// transition looks nothing up by name), or `None` for `End` or an unknown name.
    pub(crate) next: Vec<Option<usize>>,
    /// Top-level `TimeoutSeconds` of the execution (only meaningful at the top level).
    pub timeout_seconds: Option<u64>,
    /// The machine's `QueryLanguage` (default JSONPath); nested scopes carry the top level's.
    pub(crate) query_language: QueryLanguage,
}

/// `QueryLanguage`: how a state's fields are written and evaluated.
///
/// ```
/// use sfn_harness::asl;
/// use serde_json::json;
///
/// let def = asl::parse(&json!({
///     "QueryLanguage": "JSONata",
///     "StartAt": "A",
///     "States": {
///         "A": { "Type": "Pass", "Output": "{% $states.input.x %}", "Next": "B" },
///         "B": { "Type": "Pass", "QueryLanguage": "JSONPath", "End": true }
///     }
/// })).unwrap_err(); // a JSONata machine cannot fall back to JSONPath in one state
/// assert!(def.to_string().contains("QueryLanguage"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum QueryLanguage {
    /// `"JSONPath"`: paths, payload templates and intrinsic functions (the default).
    #[default]
    JsonPath,
    /// `"JSONata"`: `Arguments`, `Output`, `Condition` and `{% … %}` expressions.
    Jsonata,
}

impl Definition {
    /// The names of the top-level states, in definition order (a Parallel branch's or a Map's
    /// states are not among them).
    ///
    /// ```
    /// use sfn_harness::asl;
    /// use serde_json::json;
    ///
    /// let def = asl::parse(&json!({ "StartAt": "A", "States": {
    ///     "A": { "Type": "Pass", "Next": "B" }, "B": { "Type": "Succeed" } } })).unwrap();
    /// assert_eq!(def.state_names().collect::<Vec<_>>(), ["A", "B"]);
    /// ```
    pub fn state_names(&self) -> impl Iterator<Item = &str> {
        self.states.iter().map(|s| s.name.as_str())
    }

    /// The state called `name`, if the definition has one.
    pub(crate) fn state(&self, name: &str) -> Option<&State> {
        self.position(name).map(|i| &self.states[i])
    }

    /// The index into `states` of the state called `name`.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// What happens after a state: go to `Next`, or end the (sub-)machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Transition {
    /// `"Next": "<name>"`
    Next(String),
    /// `"End": true` (and the implicit end of Succeed, Fail and Choice states).
    End,
}

/// An optional JSONPath field that may also be `null` (`InputPath`, `OutputPath`, `ResultPath`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathOrNull {
    /// The field is absent: defaults to `$`.
    Default,
    /// The field is `null`: for InputPath/OutputPath the value becomes `{}`; for ResultPath the
    /// result is discarded and the input passes through.
    Null,
    /// A path.
    Path(Path),
}

/// One state: its name, the fields every state shares, and its type-specific body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct State {
    /// The state's name (its key under `States`).
    pub name: String,
    /// `Comment`, if any.
    pub comment: Option<String>,
    /// `InputPath`.
    pub input_path: PathOrNull,
    /// `OutputPath`.
    pub output_path: PathOrNull,
    /// `Next` or `End` (always `End` for Succeed/Fail, and unused for Choice).
    pub transition: Transition,
    /// The state's effective `QueryLanguage` (its own, else the machine's).
    pub query_language: QueryLanguage,
    /// `Assign`: workflow variables set when the state exits (both languages).
    pub assign: Option<Value>,
    /// `Output` (JSONata): the state output, `{% … %}` strings evaluated.
    pub output: Option<Value>,
    /// The type-specific part.
    pub kind: StateKind,
}

/// The type-specific part of a state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StateKind {
    /// `"Type": "Pass"`
    Pass(Pass),
    /// `"Type": "Task"`
    Task(Box<Task>),
    /// `"Type": "Choice"`
    Choice(Choice),
    /// `"Type": "Wait"`
    Wait(Wait),
    /// `"Type": "Succeed"`
    Succeed,
    /// `"Type": "Fail"`
    Fail(Fail),
    /// `"Type": "Parallel"`
    Parallel(Box<Parallel>),
    /// `"Type": "Map"`
    Map(Box<Map>),
}

/// A Pass state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Pass {
    /// `Result`: a literal, never evaluated.
    pub result: Option<Value>,
    /// `Parameters` template.
    pub parameters: Option<Template>,
    /// `ResultPath`.
    pub result_path: PathOrNull,
}

/// A number of seconds given literally or by a path into the state's input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seconds {
    /// `TimeoutSeconds: 30`
    Literal(u64),
    /// `TimeoutSecondsPath: "$.timeout"`
    Path(Path),
    /// JSONata: `TimeoutSeconds: "{% $states.input.timeout %}"`.
    Expression(String),
}

/// A Task state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Task {
    /// `Resource` ARN, e.g. `arn:aws:states:::sqs:sendMessage.waitForTaskToken`.
    pub resource: String,
    /// `Parameters` template (`Arguments` in a JSONata state).
    pub parameters: Option<Value>,
    /// `ResultSelector` template.
    pub result_selector: Option<Template>,
    /// `ResultPath`.
    pub result_path: PathOrNull,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
    /// `TimeoutSeconds` / `TimeoutSecondsPath`.
    pub timeout: Option<Seconds>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat: Option<Seconds>,
}

/// `JitterStrategy` of a retrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Jitter {
    /// No jitter (the default).
    #[default]
    None,
    /// Full jitter: a random delay between 0 and the computed interval.
    Full,
}

/// One element of `Retry`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Retrier {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: u64,
    /// `MaxAttempts` (default 3; 0 means never retry).
    pub max_attempts: u64,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`, if any.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy`.
    pub jitter: Jitter,
}

/// One element of `Catch`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Catcher {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `ResultPath` (default `$`: the error output replaces the input).
    pub result_path: PathOrNull,
    /// `Next`.
    pub next: String,
    /// `Assign` (JSONata and JSONPath): variables set when the catcher handles an error.
    pub assign: Option<Value>,
    /// `Output` (JSONata): the state output when caught (default: the error output).
    pub output: Option<Value>,
}

/// A Choice state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Choice {
    /// `Choices`: each a rule and the state it leads to.
    pub choices: Vec<ChoiceBranch>,
    /// `Default`, if any.
    pub default: Option<String>,
}

/// One top-level element of `Choices`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct ChoiceBranch {
    /// The Boolean expression.
    pub rule: ChoiceRule,
    /// `Next`.
    pub next: String,
    /// `Assign` of the branch (replaces the state's when this branch is taken).
    pub assign: Option<Value>,
    /// `Output` (JSONata) of the branch (replaces the state's when this branch is taken).
    pub output: Option<Value>,
}

/// A Choice rule (a Boolean expression).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChoiceRule {
    /// `And: [...]`
    And(Vec<ChoiceRule>),
    /// `Or: [...]`
    Or(Vec<ChoiceRule>),
    /// `Not: {...}`
    Not(Box<ChoiceRule>),
    /// `Variable` compared by a data-test operator.
    Compare {
        /// `Variable` (a path into the state input or the context object).
        variable: Path,
        /// The operator, e.g. `StringEquals`.
        op: Comparison,
        /// The operand: a literal or, for `…Path` operators, a path.
        operand: Operand,
    },
    /// JSONata `Condition`: `true`/`false` or a `{% … %}` string that must yield a Boolean.
    Condition(Value),
}

impl ChoiceRule {
    /// Whether evaluating the rule can read the context object: a `Variable` or an operand
    /// path `$$…` (JSONata `Condition`s: see [`crate::asl::jsonata::reads_states_context`]).
    /// When no rule of a Choice does, the interpreter does not build the context (issue 13).
    pub(crate) fn reads_context(&self) -> bool {
        match self {
            ChoiceRule::And(rules) | ChoiceRule::Or(rules) => rules.iter().any(Self::reads_context),
            ChoiceRule::Not(rule) => rule.reads_context(),
            ChoiceRule::Compare {
                variable, operand, ..
            } => variable.is_context() || matches!(operand, Operand::Path(p) if p.is_context()),
            ChoiceRule::Condition(c) => crate::asl::jsonata::reads_states_context(c),
        }
    }
}

/// The data-test operators of a Choice rule (the `…Path` variants share the base operator and
/// carry an [`Operand::Path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    /// `StringEquals`: the strings are equal.
    StringEquals,
    /// `StringLessThan`: the string sorts before the operand (by code point).
    StringLessThan,
    /// `StringGreaterThan`: the string sorts after the operand.
    StringGreaterThan,
    /// `StringLessThanEquals`: the string sorts before or equals the operand.
    StringLessThanEquals,
    /// `StringGreaterThanEquals`: the string sorts after or equals the operand.
    StringGreaterThanEquals,
    /// `StringMatches`: the string matches a pattern with `*` wildcards (`\*`, `\\` literal).
    StringMatches,
    /// `NumericEquals`: the numbers are equal by value (`1` equals `1.0`).
    NumericEquals,
    /// `NumericLessThan`: the number is less than the operand.
    NumericLessThan,
    /// `NumericGreaterThan`: the number is greater than the operand.
    NumericGreaterThan,
    /// `NumericLessThanEquals`: the number is less than or equal to the operand.
    NumericLessThanEquals,
    /// `NumericGreaterThanEquals`: the number is greater than or equal to the operand.
    NumericGreaterThanEquals,
    /// `BooleanEquals`: the Booleans are equal.
    BooleanEquals,
    /// `TimestampEquals`: the RFC 3339 timestamps are the same instant.
    TimestampEquals,
    /// `TimestampLessThan`: the timestamp is before the operand.
    TimestampLessThan,
    /// `TimestampGreaterThan`: the timestamp is after the operand.
    TimestampGreaterThan,
    /// `TimestampLessThanEquals`: the timestamp is before or at the operand.
    TimestampLessThanEquals,
    /// `TimestampGreaterThanEquals`: the timestamp is after or at the operand.
    TimestampGreaterThanEquals,
    /// `IsNull`: whether the value is `null` equals the operand (`true`/`false`).
    IsNull,
    /// `IsPresent`: whether the `Variable` selects anything equals the operand; the only test that
    /// tolerates a missing `Variable`.
    IsPresent,
    /// `IsNumeric`: whether the value is a number equals the operand.
    IsNumeric,
    /// `IsString`: whether the value is a string equals the operand.
    IsString,
    /// `IsBoolean`: whether the value is a Boolean equals the operand.
    IsBoolean,
    /// `IsTimestamp`: whether the value is an RFC 3339 timestamp string equals the operand.
    IsTimestamp,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// A literal (`"StringEquals": "x"`, `"IsNull": true`).
    Literal(Value),
    /// A path (`"StringEqualsPath": "$.other"`).
    Path(Path),
}

/// How long a Wait state waits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WaitFor {
    /// `Seconds`
    Seconds(u64),
    /// `Timestamp` (RFC 3339), kept as given.
    Timestamp(String),
    /// `SecondsPath`
    SecondsPath(Path),
    /// `TimestampPath`
    TimestampPath(Path),
    /// JSONata `Seconds: "{% … %}"` (`timestamp: false`) or `Timestamp: "{% … %}"`.
    Expression {
        /// Whether the expression gives a `Timestamp` (else a number of seconds).
        timestamp: bool,
        /// The `{% … %}` string.
        text: String,
    },
}

/// A Wait state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Wait {
    /// The duration or deadline.
    pub wait_for: WaitFor,
}

/// A Fail state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Fail {
    /// `Error` / `ErrorPath`.
    pub error: Option<StringOrPath>,
    /// `Cause` / `CausePath`.
    pub cause: Option<StringOrPath>,
}

/// A string given literally or by a path (or intrinsic function, for `ErrorPath`/`CausePath`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StringOrPath {
    /// Literal.
    Literal(String),
    /// `…Path`: a path or intrinsic function expression, evaluated against the state input.
    Path(String),
    /// JSONata: a `{% … %}` string.
    Expression(String),
}

/// A Parallel state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Parallel {
    /// `Branches`.
    pub branches: Vec<Definition>,
    /// `Parameters` template.
    pub parameters: Option<Value>,
    /// `ResultSelector` template.
    pub result_selector: Option<Template>,
    /// `ResultPath`.
    pub result_path: PathOrNull,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// A Map state: inline, or distributed (`ProcessorConfig.Mode: DISTRIBUTED`, see [`Distributed`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Map {
    /// `ItemProcessor` (or the legacy `Iterator`).
    pub processor: Definition,
    /// `ItemsPath` (default `$`).
    pub items_path: PathOrNull,
    /// JSONata `Items`: an array, or a `{% … %}` string that must yield one (default: the input).
    pub items: Option<Value>,
    /// `ItemSelector` (or the legacy `Parameters`).
    pub item_selector: Option<Value>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 = unlimited).
    pub max_concurrency: Option<Seconds>,
    /// `ResultSelector` template.
    pub result_selector: Option<Template>,
    /// `ResultPath`.
    pub result_path: PathOrNull,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
    /// Whether the processor was declared with the legacy `Iterator` field.
    pub legacy_iterator: bool,
    /// The distributed-mode settings, when `ProcessorConfig.Mode` is `DISTRIBUTED`.
    pub distributed: Option<Box<Distributed>>,
}

/// A distributed Map's runtime setting: a literal (in JSONata, a `{% … %}` string too) or the
/// `…Path` field that reads it from the state input or a variable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Setting {
    /// `ToleratedFailureCount: 3`, or JSONata `"{% $states.input.n %}"`.
    Literal(Value),
    /// `ToleratedFailureCountPath: "$.n"`.
    Path(Path),
}

/// The fields of a Map state in Distributed mode (AWS's developer guide, "Map state in
/// Distributed mode"): each iteration runs as a child execution of a Map Run.

#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub(crate) struct Distributed {
    /// `Label`: names the Map Run (`…:mapRun:<machine>/<Label>:<id>`).
    pub label: Option<String>,
    /// `ProcessorConfig.ExecutionType` (`STANDARD` or `EXPRESS`).
    pub execution_type: Option<String>,
    /// `ToleratedFailureCount` / `ToleratedFailureCountPath`.
    pub tolerated_failure_count: Option<Setting>,
    /// `ToleratedFailurePercentage` / `ToleratedFailurePercentagePath`.
    pub tolerated_failure_percentage: Option<Setting>,
    /// `ItemReader`.
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher`.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter`.
    pub result_writer: Option<ResultWriter>,
}

/// A distributed Map's `ItemReader`: where its items come from (an S3 object or listing).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub(crate) struct ItemReader {
    /// `Resource`, e.g. `arn:aws:states:::s3:getObject`.
    pub resource: String,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata) template.
    pub parameters: Option<Value>,
    /// `ReaderConfig.InputType`: `JSON`, `JSONL`, `CSV`, `MANIFEST`…
    pub input_type: Option<String>,
    /// `ReaderConfig.CSVHeaderLocation`: `FIRST_ROW` (default) or `GIVEN`.
    pub csv_header_location: Option<String>,
    /// `ReaderConfig.CSVHeaders` (with `GIVEN`).
    pub csv_headers: Option<Vec<String>>,
    /// `ReaderConfig.CSVDelimiter`: `COMMA` (default), `PIPE`, `SEMICOLON`, `SPACE`, `TAB`.
    pub csv_delimiter: Option<String>,
    /// `ReaderConfig.MaxItems` / `MaxItemsPath`.
    pub max_items: Option<Setting>,
}

/// A distributed Map's `ItemBatcher`: items grouped into `{"Items": [...]}` batches.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub(crate) struct ItemBatcher {
    /// `MaxItemsPerBatch` / `MaxItemsPerBatchPath`.
    pub max_items_per_batch: Option<Setting>,
    /// `MaxInputBytesPerBatch` / `MaxInputBytesPerBatchPath`.
    pub max_input_bytes_per_batch: Option<Setting>,
    /// `BatchInput` template, added to every batch as `BatchInput`.
    pub batch_input: Option<Value>,
}

/// A distributed Map's `ResultWriter`: the S3 location its child executions' results go to.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub(crate) struct ResultWriter {
    /// `Resource` (`arn:aws:states:::s3:putObject`), if any.
    pub resource: Option<String>,
    /// `Parameters` / `Arguments` template (`Bucket`, `Prefix`).
    pub parameters: Option<Value>,
    /// `WriterConfig` (`OutputType`, `Transformation`), if any.
    pub writer_config: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::StateKind;
    use serde_json::json;

    /// The state model as the parser fills it (these types are crate-private, so the checks
    /// that were doc examples live here).
    #[test]
    fn parsed_states_carry_their_kind_transition_and_distributed_settings() {
        let def = crate::asl::parse(&json!({
            "StartAt": "Wait",
            "States": {
                "Wait": { "Type": "Wait", "Seconds": 5, "Next": "M" },
                "M": { "Type": "Map", "Label": "Batch", "ToleratedFailureCount": 2, "End": true,
                       "ItemProcessor": { "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                           "StartAt": "P", "States": { "P": { "Type": "Pass", "End": true } } } }
            }
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let wait = def.state("Wait").unwrap_or_else(|| panic!("no Wait"));
        assert!(matches!(wait.kind, StateKind::Wait(_)));
        assert_eq!(wait.transition, super::Transition::Next("M".into()));
        assert!(def.state("Nope").is_none());
        let StateKind::Map(m) = &def.state("M").unwrap_or_else(|| panic!("no M")).kind else {
            panic!("M is not a Map")
        };
        let d = m
            .distributed
            .as_ref()
            .unwrap_or_else(|| panic!("not distributed"));
        assert_eq!(d.label.as_deref(), Some("Batch"));
        assert!(d.tolerated_failure_count.is_some());
    }
}

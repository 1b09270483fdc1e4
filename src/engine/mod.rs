//! Executions: the interpreter loop, retries and catchers, timeouts, the task-token registry,
//! the history, the clock and ids.
//!
//! An [`Engine`] holds state machines and their executions. It is what both the HTTP endpoint
//! and the test harness drive; every operation mirrors a Step Functions API call and fails with
//! the [`ApiError`] AWS would return.
//!
//! Example: the unit test `engine_mod_8` in `src/tests/doc_examples.rs`.

pub(crate) mod activities;
mod error;
mod execution;
pub(crate) mod history;
mod interpreter;
pub(crate) mod machine;
pub(crate) mod map_runs;
pub(crate) mod task;
pub(crate) mod test_state;
pub(crate) mod tokens;
mod versions;

use crate::sync::{lock, read, write};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;

pub(crate) use error::ApiError;
#[cfg(test)]
pub(crate) use execution::Retained;
pub use execution::{ExecutionRecord, Status};
pub use history::HistoryEvent;
pub(crate) use machine::MachineType;
pub(crate) use machine::StateMachine;
pub use tokens::OpenToken;
pub(crate) use versions::StateMachineAlias;

use execution::Terminal;

use crate::arn::Arn;
use crate::asl;
use crate::ids::{Ids, SharedIds};
use crate::mock_config::{MockConfig, MockRun};
use crate::time::Clock;
use activities::{Activities, Activity, ActivityTask};
use task::TaskHandler;
use tokens::{TokenOutcome, Tokens};

/// How an engine is set up. The defaults are a real clock, OS randomness, account
/// `123456789012` in `us-east-1`.
///
/// Example: the unit test `engine_mod_72` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone)]
pub(crate) struct EngineConfig {
    /// The clock every timer and timestamp uses.
    pub clock: Clock,
    /// A seed for ids, tokens and random intrinsics; `None` for OS randomness.
    pub seed: Option<u64>,
    /// The account id in ARNs.
    pub account_id: String,
    /// The region in ARNs and events.
    pub region: String,
    /// The default `roleArn` of state machines created without one.
    pub role_arn: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            clock: Clock::real(),
            seed: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            role_arn: "arn:aws:iam::123456789012:role/sfn-harness".into(),
        }
    }
}

pub(crate) struct EngineInner {
    pub clock: Clock,
    pub config: EngineConfig,
    pub ids: SharedIds,
    pub tokens: Tokens,
    /// The JSONata expressions of its definitions, parsed once (`asl::jsonata::Parsed`).
    pub(crate) expressions: crate::asl::jsonata::Parsed,
    /// The Task resources of its definitions, parsed once (`task::Resources`).
    pub(crate) resources: task::Resources,
    pub(crate) activities: Activities,
    machines: RwLock<Vec<Arc<StateMachine>>>,
    executions: RwLock<Vec<Arc<ExecutionRecord>>>,
    /// foldhash: every start and describe looks an ARN up, and SipHash showed (issue 13).
    by_arn: RwLock<HashMap<String, Arc<ExecutionRecord>, foldhash::fast::RandomState>>,
    handlers: RwLock<HashMap<String, Arc<dyn TaskHandler>>>,
    /// Handlers of a whole ARN family (`arn:aws:lambda:`), tried after the exact ARNs.
    prefixes: RwLock<Vec<(String, Arc<dyn TaskHandler>)>>,
    tags: RwLock<HashMap<String, Vec<(String, String)>>>,
    fallback: RwLock<Option<Arc<dyn TaskHandler>>>,
    observers: RwLock<Vec<Arc<dyn TaskObserver>>>,
    mock_config: RwLock<Option<Arc<MockConfig>>>,
    /// Published versions and aliases (`versions.rs`).
    versions: RwLock<versions::Registry>,
    /// The Map Runs of distributed Map states (`map_runs.rs`).
    map_runs: RwLock<Vec<Arc<map_runs::MapRun>>>,
}

/// Told about every task token handed out (see [`Engine::observe_tasks`]).
///
/// A submission is built only when an observer [wants](TaskObserver::wants) it: building one
/// copies the task's input and answer, and handing it on wakes the observer's task, which
/// every execution parked for a real worker paid for nothing (issue 13).
pub(crate) trait TaskObserver: Send + Sync {
    /// Whether a submission made now would be used.
    fn wants(&self) -> bool;
    /// A task was submitted.
    fn submitted(&self, s: TaskSubmission);
}

/// A `.waitForTaskToken` task that has been submitted and now waits for its token's answer.
#[derive(Debug, Clone)]
pub(crate) struct TaskSubmission {
    /// The execution.
    pub(crate) execution_arn: String,
    /// Its state machine.
    pub(crate) state_machine_arn: String,
    /// The Task state.
    pub(crate) state_name: String,
    /// The resource as written.
    pub(crate) resource: String,
    /// The token.
    pub(crate) token: String,
    /// The effective input the resource was called with (after `Parameters`).
    pub(crate) input: Value,
    /// What the resource returned on submission (for SQS: `MessageId`, `MD5OfMessageBody`).
    pub(crate) submitted: Value,
    /// `$$.State.RetryCount` of this attempt.
    pub(crate) retry_count: u64,
    /// The submission was mocked (a MockConfigFile `AnsweredByWorker` entry): nothing was sent,
    /// so a worker gets the token directly, not through the service.
    pub(crate) mocked: bool,
}

impl EngineInner {
    /// The handler of a resource: the one registered for its base ARN, else for its
    /// [type key](task::Resource::type_key), else the longest registered prefix, else the
    /// fallback.
    ///
    /// Why both a type key and prefixes: a type key is an exact ARN (`arn:aws:states:::activity`)
    /// that also serves the same resource type in every region and account, so it registers
    /// through [`Engine::register_resource`] like any service-integration ARN and wins over
    /// nothing more specific than itself. A prefix (`arn:aws:lambda:`, for a Lambda function
    /// ARN used directly as the resource, in any of its forms: with a version, an alias, a
    /// partial ARN) matches what no one ARN shape describes, and loses to every exact
    /// registration, so a test can still register one function's ARN on its own. Folding the
    /// prefixes into type keys would change which handler wins for such ARNs; it is kept as two
    /// steps on purpose.
    pub(crate) fn handler(&self, res: &task::Resource) -> Option<Arc<dyn TaskHandler>> {
        let handlers = read(&self.handlers);
        handlers
            .get(&res.base)
            .or_else(|| res.type_key().and_then(|k| handlers.get(&k)))
            .cloned()
            .or_else(|| {
                read(&self.prefixes)
                    .iter()
                    .filter(|(p, _)| res.base.starts_with(p.as_str()))
                    .max_by_key(|(p, _)| p.len())
                    .map(|(_, h)| h.clone())
            })
            .or_else(|| read(&self.fallback).clone())
    }

    /// Whether an observer wants submissions now (a scripted worker is mounted).
    pub(crate) fn wants_submissions(&self) -> bool {
        read(&self.observers).iter().any(|o| o.wants())
    }

    /// Tells the observers that want it about a submission, built by `make` only if one does.
    pub(crate) fn notify_submitted(&self, make: impl FnOnce() -> TaskSubmission) {
        let observers = read(&self.observers);
        let mut wanting = observers.iter().filter(|o| o.wants()).peekable();
        if wanting.peek().is_none() {
            return;
        }
        let s = make();
        while let Some(o) = wanting.next() {
            if wanting.peek().is_some() {
                o.submitted(s.clone());
            } else {
                o.submitted(s);
                break;
            }
        }
    }

    pub(crate) fn ids(&self) -> &SharedIds {
        &self.ids
    }
}

/// The Step Functions engine: state machines, executions, task tokens. Cheap to clone (a
/// shared handle); every operation mirrors a Step Functions API call and fails with the
/// [`ApiError`] AWS would return.
///
/// Example: the unit test `engine_mod_209` in `src/tests/doc_examples.rs`.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
/// use sfn_harness::{Clock, Status};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let clock = Clock::virtual_at(0);
/// let account = Account::new(AccountConfig { clock: clock.clone(), ..AccountConfig::default() });
/// let engine = account.engine();
/// let m = engine
///     .create_state_machine("nap", r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}"#)
///     .unwrap();
/// let execution = engine.start_execution(&m.arn, Some("first"), Some("{}")).unwrap();
/// assert_eq!(clock.run_until(execution.wait()).await, Status::Succeeded);
/// assert_eq!(clock.now_ms(), 60_000);
/// # }
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("region", &self.inner.config.region)
            .field("account_id", &self.inner.config.account_id)
            .finish()
    }
}

/// Names: 1–80 characters, none of AWS's forbidden characters.
fn valid_name(name: &str) -> bool {
    // Most names are ASCII: judged byte by byte (issue 13), as the rule below judges them
    // (ASCII whitespace and control characters are all below `!`, or DEL).
    if name.is_ascii() {
        return !name.is_empty()
            && name.len() <= 80
            && name.bytes().all(|b| NAME_BYTE[usize::from(b)]);
    }
    valid_name_by_chars(name)
}

/// Which ASCII bytes a name may hold: above the space, not DEL, none of the punctuation the
/// rule refuses (a table: a search of the refused set per byte cost ~20 comparisons).
const NAME_BYTE: [bool; 128] = {
    let mut ok = [false; 128];
    let mut b = b'!';
    while b < 0x7f {
        ok[b as usize] = true;
        b += 1;
    }
    let refused = b"<>{}[]?*\"#%\\^|~`$&,;:/";
    let mut i = 0;
    while i < refused.len() {
        ok[refused[i] as usize] = false;
        i += 1;
    }
    ok
};

/// The naming rule, character by character.
fn valid_name_by_chars(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 80
        && !name.chars().any(|c| {
            c.is_whitespace()
                || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
                || (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
        })
}

/// Rejects what an EXPRESS state machine may not use, as `InvalidDefinition`.
fn check_express(definition: &asl::Definition) -> Result<(), ApiError> {
    let diagnostics = asl::validate::express_violations(definition);
    if diagnostics.is_empty() {
        return Ok(());
    }
    Err(ApiError::InvalidDefinition(
        asl::InvalidDefinition { diagnostics }.to_string(),
    ))
}

impl Engine {
    pub(crate) fn from_inner(inner: Arc<EngineInner>) -> Engine {
        Engine { inner }
    }

    /// A new engine.
    pub(crate) fn new(config: EngineConfig) -> Engine {
        let ids = match config.seed {
            Some(s) => Ids::seeded(s),
            None => Ids::random(),
        };
        Engine {
            inner: Arc::new(EngineInner {
                clock: config.clock.clone(),
                ids: SharedIds::new(ids),
                tokens: Tokens::default(),
                expressions: Default::default(),
                resources: Default::default(),
                activities: Activities::default(),
                machines: RwLock::new(Vec::new()),
                executions: RwLock::new(Vec::new()),
                by_arn: RwLock::new(HashMap::default()),
                handlers: RwLock::new(HashMap::new()),
                prefixes: RwLock::new(Vec::new()),
                tags: RwLock::new(HashMap::new()),
                fallback: RwLock::new(None),
                observers: RwLock::new(Vec::new()),
                mock_config: RwLock::new(None),
                versions: RwLock::new(versions::Registry::default()),
                map_runs: RwLock::new(Vec::new()),
                config,
            }),
        }
    }

    /// The engine's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The task-token registry.
    pub(crate) fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    /// The task tokens that are open now, issued by `.waitForTaskToken` tasks still waiting for
    /// their answer (sorted by token).
    #[cfg(test)]
    pub(crate) fn open_tokens(&self) -> Vec<OpenToken> {
        self.inner.tokens.open_tokens()
    }

    /// How many task tokens are open now, counted without copying them (a benchmark's or a load
    /// test's "have they all parked?"; [`Harness::open_tokens`](crate::Harness::open_tokens)
    /// lists them).
    ///
    /// ```
    /// use sfn_harness::internals::{Account, AccountConfig};
    ///
    /// let account = Account::new(AccountConfig::default());
    /// assert_eq!(account.engine().open_token_count(), 0);
    /// ```
    pub fn open_token_count(&self) -> usize {
        self.inner.tokens.open_count()
    }

    /// Registers the handler for a Task resource ARN (without `.waitForTaskToken`/`.sync`).
    pub fn register_resource(&self, arn: impl Into<String>, handler: Arc<dyn TaskHandler>) {
        write(&self.inner.handlers).insert(arn.into(), handler);
    }

    /// Registers the handler for every Task resource whose ARN starts with `prefix` (e.g.
    /// `arn:aws:lambda:` for Lambda functions named as the resource). An exact ARN registered
    /// with [`Engine::register_resource`] wins; among prefixes, the longest.
    ///
    /// Example: the unit test `engine_mod_332` in `src/tests/doc_examples.rs`.
    pub(crate) fn register_resource_prefix(
        &self,
        prefix: impl Into<String>,
        handler: Arc<dyn TaskHandler>,
    ) {
        let prefix = prefix.into();
        let mut prefixes = write(&self.inner.prefixes);
        prefixes.retain(|(p, _)| *p != prefix);
        prefixes.push((prefix, handler));
    }

    /// Sets the handler used for resources that have no handler of their own (the test harness
    /// routes them to scripted workers).
    pub(crate) fn set_fallback_handler(&self, handler: Arc<dyn TaskHandler>) {
        *write(&self.inner.fallback) = Some(handler);
    }

    /// Loads a MockConfigFile (Step Functions Local's format): an execution started on
    /// `<stateMachineArn>#<TestCase>` then runs that test case (see [`MockConfig`](crate::MockConfig)).
    /// `None` unloads it.
    pub(crate) fn set_mock_config(&self, config: Option<Arc<MockConfig>>) {
        *write(&self.inner.mock_config) = config;
    }

    /// The MockConfigFile loaded, if any.
    pub(crate) fn mock_config(&self) -> Option<Arc<MockConfig>> {
        read(&self.inner.mock_config).clone()
    }

    /// Splits `<stateMachineArn>#<TestCase>` and finds the test case. A bare `#` (or no `#`)
    /// runs unmocked.
    fn mock_for(&self, arn: &str) -> Result<(String, Option<Arc<MockRun>>), ApiError> {
        let Some((machine_arn, case)) = arn.split_once('#') else {
            return Ok((arn.to_string(), None));
        };
        if case.is_empty() {
            return Ok((machine_arn.to_string(), None));
        }
        let machine = self.start_target(machine_arn)?.machine;
        let found = self
            .mock_config()
            .and_then(|c| c.test_case(&machine.name, case));
        match found {
            Some(tc) => Ok((machine_arn.to_string(), Some(Arc::new(MockRun::new(tc))))),
            // Step Functions Local refuses, at StartExecution, a test case its mock file lacks
            // (sfn-local-test-sm-exec.html: a test case must be defined in the file);
            // sfn-harness answers a 400 ValidationException that names the missing test case
            // and the ones the file has.
            None => Err(ApiError::validation(match self.mock_config() {
                None => format!(
                    "The test case '{case}' cannot run: no mock configuration is loaded (sfn-harness serve --mock-config PATH, or SFN_MOCK_CONFIG)"
                ),
                Some(c) => format!(
                    "The mock configuration has no test case '{case}' for the state machine '{}' (its test cases: {})",
                    machine.name,
                    c.test_cases(&machine.name).join(", ")
                ),
            })),
        }
    }

    /// Calls `observer` each time a `.waitForTaskToken` task has been submitted.
    pub(crate) fn observe_tasks(&self, observer: Arc<dyn TaskObserver>) {
        write(&self.inner.observers).push(observer);
    }

    /// The ARN prefix of this engine's state machines.
    fn machine_arn(&self, name: &str) -> String {
        let c = &self.inner.config;
        format!(
            "arn:aws:states:{}:{}:stateMachine:{name}",
            c.region, c.account_id
        )
    }

    /// Creates a state machine (`CreateStateMachine`), validating its definition.
    pub fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
    ) -> Result<Arc<StateMachine>, ApiError> {
        self.create_state_machine_with(name, definition, None, MachineType::Standard)
    }

    /// Creates a state machine with an explicit role and type.
    pub(crate) fn create_state_machine_with(
        &self,
        name: &str,
        definition: &str,
        role_arn: Option<&str>,
        machine_type: MachineType,
    ) -> Result<Arc<StateMachine>, ApiError> {
        if !valid_name(name) {
            return Err(ApiError::InvalidName(name.to_string()));
        }
        let parsed = asl::parse_str(definition)
            .map_err(|e| ApiError::InvalidDefinition(e.aws_message_for(definition)))?;
        if machine_type == MachineType::Express {
            check_express(&parsed)?;
        }
        let arn = self.machine_arn(name);
        let role = role_arn.unwrap_or(&self.inner.config.role_arn).to_string();
        let mut machines = write(&self.inner.machines);
        if let Some(existing) = machines.iter().find(|m| m.arn == arn) {
            if existing.definition_text == definition
                && existing.role_arn == role
                && existing.machine_type == machine_type
            {
                return Ok(existing.clone());
            }
            return Err(ApiError::StateMachineAlreadyExists(arn));
        }
        let revision_id = self.inner.ids().with(Ids::uuid);
        let m = Arc::new(StateMachine {
            arn,
            name: name.to_string(),
            definition_text: definition.to_string(),
            definition: Arc::new(parsed),
            role_arn: role,
            machine_type,
            created_ms: self.inner.clock.now_ms(),
            updated_ms: None,
            revision_id,
            logging_configuration: serde_json::json!({ "level": "OFF", "includeExecutionData": false }),
            tracing_configuration: serde_json::json!({ "enabled": false }),
        });
        machines.push(m.clone());
        Ok(m)
    }

    /// Checks that `arn` is a Step Functions ARN (`arn:<partition>:states:<region>:<account>:
    /// <type>:...`) of one of the resource `types`, with at least `parts` colon-separated parts.
    fn check_arn(arn: &str, types: &[&str], parts: usize) -> Result<(), ApiError> {
        let Some(a) = Arn::parse(arn).filter(|a| a.service == "states") else {
            return Err(ApiError::invalid_arn(arn));
        };
        let kind = a.resource_type();
        if !types.contains(&kind) {
            return Err(ApiError::resource_type_not_valid(kind));
        }
        // `parts` counts the ARN's five leading parts too.
        if a.part_count() + 5 < parts || a.part(parts - 6).is_none_or(str::is_empty) {
            return Err(ApiError::invalid_arn(arn));
        }
        Ok(())
    }

    fn check_machine_arn(arn: &str) -> Result<(), ApiError> {
        Self::check_arn(arn, &["stateMachine"], 7)
    }

    fn check_execution_arn(arn: &str) -> Result<(), ApiError> {
        Self::check_arn(arn, &["execution", "express"], 8)
    }

    /// A state machine by ARN (`DescribeStateMachine`).
    pub(crate) fn state_machine(&self, arn: &str) -> Result<Arc<StateMachine>, ApiError> {
        Self::check_machine_arn(arn)?;
        read(&self.inner.machines)
            .iter()
            .find(|m| m.arn == arn)
            .cloned()
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))
    }

    /// Every state machine, in creation order (`ListStateMachines`).
    pub(crate) fn state_machines(&self) -> Vec<Arc<StateMachine>> {
        read(&self.inner.machines).clone()
    }

    /// Replaces a state machine's definition and/or role (`UpdateStateMachine`). Running
    /// executions keep the version they started with.
    pub(crate) fn update_state_machine(
        &self,
        arn: &str,
        definition: Option<&str>,
        role_arn: Option<&str>,
    ) -> Result<Arc<StateMachine>, ApiError> {
        Self::check_machine_arn(arn)?;
        if definition.is_none() && role_arn.is_none() {
            return Err(ApiError::MissingRequiredParameter);
        }
        let parsed = definition
            .map(|d| {
                asl::parse_str(d).map_err(|e| ApiError::InvalidDefinition(e.aws_message_for(d)))
            })
            .transpose()?;
        let mut machines = write(&self.inner.machines);
        let slot = machines
            .iter_mut()
            .find(|m| m.arn == arn)
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
        if let (Some(def), MachineType::Express) = (&parsed, slot.machine_type) {
            check_express(def)?;
        }
        // An update that changes nothing keeps the revision (AWS answers the same revisionId:
        // LocalStack's AWS-validated `test_create_update_state_machine_same_parameters`).
        if definition.is_none_or(|d| d == slot.definition_text)
            && role_arn.is_none_or(|r| r == slot.role_arn)
        {
            return Ok(slot.clone());
        }
        let revision_id = self.inner.ids().with(Ids::uuid);
        let mut m = (**slot).clone();
        if let (Some(text), Some(def)) = (definition, parsed) {
            m.definition_text = text.to_string();
            m.definition = Arc::new(def);
        }
        if let Some(r) = role_arn {
            m.role_arn = r.to_string();
        }
        m.updated_ms = Some(self.inner.clock.now_ms());
        m.revision_id = revision_id;
        *slot = Arc::new(m);
        Ok(slot.clone())
    }

    /// Sets a machine's `loggingConfiguration` (checked by the API layer). On an update
    /// (`revise`) that changes it, the machine gets a new revision, as any update does.
    pub(crate) fn set_logging_configuration(
        &self,
        arn: &str,
        logging: serde_json::Value,
        revise: bool,
    ) -> Result<Arc<StateMachine>, ApiError> {
        self.set_setting(arn, revise, |m| &mut m.logging_configuration, logging)
    }

    /// Sets a machine's `tracingConfiguration` (`{"enabled": bool}`), as
    /// `set_logging_configuration` sets the logging one.
    ///
    /// Example: the unit test `engine_mod_570` in `src/tests/doc_examples.rs`.
    pub(crate) fn set_tracing_configuration(
        &self,
        arn: &str,
        tracing: serde_json::Value,
        revise: bool,
    ) -> Result<Arc<StateMachine>, ApiError> {
        self.set_setting(arn, revise, |m| &mut m.tracing_configuration, tracing)
    }

    /// Replaces one JSON setting of a machine; a change on an update (`revise`) is a revision.
    fn set_setting(
        &self,
        arn: &str,
        revise: bool,
        field: fn(&mut StateMachine) -> &mut serde_json::Value,
        value: serde_json::Value,
    ) -> Result<Arc<StateMachine>, ApiError> {
        Self::check_machine_arn(arn)?;
        let revision_id = self.inner.ids().with(Ids::uuid);
        let mut machines = write(&self.inner.machines);
        let slot = machines
            .iter_mut()
            .find(|m| m.arn == arn)
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
        let mut m = (**slot).clone();
        if *field(&mut m) == value {
            return Ok(slot.clone());
        }
        *field(&mut m) = value;
        if revise {
            m.updated_ms = Some(self.inner.clock.now_ms());
            m.revision_id = revision_id;
        }
        *slot = Arc::new(m);
        Ok(slot.clone())
    }

    /// Deletes a state machine (`DeleteStateMachine`); its running executions are stopped.
    pub(crate) fn delete_state_machine(&self, arn: &str) -> Result<(), ApiError> {
        Self::check_machine_arn(arn)?;
        write(&self.inner.machines).retain(|m| m.arn != arn);
        self.forget_versions(arn);
        let running: Vec<_> = read(&self.inner.executions)
            .iter()
            .filter(|e| e.machine.arn == arn && e.status() == Status::Running)
            .cloned()
            .collect();
        for e in running {
            let _ = self.stop_execution(&e.arn, None, None);
        }
        Ok(())
    }

    /// Starts an execution (`StartExecution`). `input` is JSON text (default `{}`).
    ///
    /// Reusing a name with the same input returns the existing execution, as AWS does for a
    /// running STANDARD execution; with other input it is `ExecutionAlreadyExists`.
    pub fn start_execution(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Option<&str>,
    ) -> Result<Arc<ExecutionRecord>, ApiError> {
        let (machine_arn, mock) = self.mock_for(machine_arn)?;
        let target = self.start_target(&machine_arn)?;
        let machine = target.machine.clone();
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ApiError::ServiceException(
                "StartExecution must be called from within a Tokio runtime (executions run as tasks on it)".into(),
            ));
        }
        let input_text = input.unwrap_or("{}");
        if input_text.len() > 256 * 1024 {
            return Err(ApiError::validation(
                "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
            ));
        }
        if input_text.trim().is_empty() {
            // AWS's text for an empty input (LocalStack's AWS-validated snapshot
            // `test_invalid_start_execution_input`, `start_res_empty`).
            return Err(ApiError::InvalidExecutionInput(
                "Invalid execution input.".into(),
            ));
        }
        let input: Value = serde_json::from_str(input_text)
            .map_err(|e| ApiError::InvalidExecutionInput(e.to_string()))?;
        let name = match name {
            Some(n) => {
                if !valid_name(n) {
                    return Err(ApiError::InvalidName(n.to_string()));
                }
                n.to_string()
            }
            None => self.inner.ids().with(Ids::uuid),
        };
        let c = &self.inner.config;
        let arn = match machine.machine_type {
            // Joined, not formatted (issue 13: once a start).
            MachineType::Standard => [
                "arn:aws:states:",
                &c.region,
                ":",
                &c.account_id,
                ":execution:",
                &machine.name,
                ":",
                &name,
            ]
            .concat(),
            // EXPRESS executions are `express:<machine>:<name>:<id>` (as AWS returns them from
            // StartSyncExecution, LocalStack's AWS-validated `test_sfn_api_express` snapshot);
            // their names may be reused at once, so StartExecution is not idempotent for them.
            MachineType::Express => format!(
                "arn:aws:states:{}:{}:express:{}:{name}:{}",
                c.region,
                c.account_id,
                machine.name,
                self.inner.ids().with(Ids::uuid)
            ),
        };
        let exec = {
            let mut by_arn = write(&self.inner.by_arn);
            if let Some(existing) = by_arn.get(&arn) {
                if existing.input() == &input && existing.status() == Status::Running {
                    return Ok(existing.clone());
                }
                return Err(ApiError::ExecutionAlreadyExists(arn));
            }
            let mut record = ExecutionRecord::new(
                arn.clone(),
                name,
                machine,
                &input,
                self.inner.clock.now_ms(),
            );
            record.version_arn = target.version_arn;
            record.alias_arn = target.alias_arn;
            let exec = Arc::new(record);
            // Recorded before the interpreter starts, so the history is complete even for an
            // execution stopped the instant it started.
            exec.record(
                exec.start_ms,
                0,
                history::Event::execution_started_on(
                    exec.input_text(),
                    &exec.machine.role_arn,
                    exec.alias_arn.as_deref(),
                    exec.version_arn.as_deref(),
                ),
            );
            by_arn.insert(arn, exec.clone());
            write(&self.inner.executions).push(exec.clone());
            exec
        };
        let seed = self.inner.ids().with(Ids::next_u64);
        let run = Arc::new(interpreter::Run::new(
            self.inner.clone(),
            exec.clone(),
            seed,
            mock,
        ));
        // The parsed input moves into the interpreter (the first state's input); the record
        // keeps its text.
        let handle = self.inner.clock.spawn(run.run_execution(input));
        *lock(&exec.task) = Some(handle);
        // A finished execution keeps no task (issue 13): the interpreter drops the handle as
        // it ends, unless it ended before the handle was stored here.
        if exec.status() != Status::Running {
            lock(&exec.task).take();
        }
        Ok(exec)
    }

    /// An execution by ARN (`DescribeExecution`).
    pub(crate) fn execution(&self, arn: &str) -> Result<Arc<ExecutionRecord>, ApiError> {
        Self::check_execution_arn(arn)?;
        read(&self.inner.by_arn)
            .get(arn)
            .cloned()
            .ok_or_else(|| ApiError::execution_does_not_exist(arn))
    }

    /// Executions, newest first, optionally of one machine and one status (`ListExecutions`).
    pub(crate) fn executions(
        &self,
        machine_arn: Option<&str>,
        status: Option<Status>,
    ) -> Vec<Arc<ExecutionRecord>> {
        read(&self.inner.executions)
            .iter()
            .rev()
            // A version or alias ARN lists the executions started on it.
            .filter(|e| {
                machine_arn.is_none_or(|m| {
                    e.machine.arn == m
                        || e.version_arn.as_deref() == Some(m)
                        || e.alias_arn.as_deref() == Some(m)
                })
            })
            .filter(|e| status.is_none_or(|s| e.status() == s))
            .cloned()
            .collect()
    }

    /// Stops a running execution (`StopExecution`): records `ExecutionAborted`.
    pub(crate) fn stop_execution(
        &self,
        arn: &str,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<Arc<ExecutionRecord>, ApiError> {
        let exec = self.execution(arn)?;
        let now = self.inner.clock.now_ms();
        // `ExecutionAborted` follows no event of the run: its `previousEventId` is 0
        // (LocalStack's AWS-validated `test_sfn_api.py::test_stop_execution`, a stop during a
        // Wait state).
        let finished = exec.finish(now, 0, Terminal::aborted(error, cause));
        if finished {
            if let Some(task) = lock(&exec.task).take() {
                task.abort();
            }
            self.inner.tokens.close_execution(arn);
            self.abort_map_runs(arn);
        }
        Ok(exec)
    }

    /// `SendTaskSuccess`: `output` is JSON text.
    pub(crate) fn send_task_success(&self, token: &str, output: &str) -> Result<(), ApiError> {
        if output.len() > 256 * 1024 {
            return Err(ApiError::validation(
                "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144",
            ));
        }
        // The token is checked before the output (LocalStack's AWS-validated
        // `test_sfn_send_task_outcome_with_no_such_token`: a malformed token with the output
        // `ParameterOutput`, not JSON, is `InvalidToken`).
        Tokens::check_format(token)?;
        let value: Value =
            serde_json::from_str(output).map_err(|e| ApiError::InvalidOutput(e.to_string()))?;
        self.inner
            .tokens
            .answer(token, TokenOutcome::Success(value))
    }

    /// `SendTaskFailure`.
    pub(crate) fn send_task_failure(
        &self,
        token: &str,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<(), ApiError> {
        if error.is_some_and(|e| e.chars().count() > 256) {
            return Err(ApiError::validation(
                "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256",
            ));
        }
        if cause.is_some_and(|c| c.chars().count() > 32768) {
            return Err(ApiError::validation(
                "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768",
            ));
        }
        self.inner.tokens.answer(
            token,
            TokenOutcome::Failure {
                error: error.map(str::to_string),
                cause: cause.map(str::to_string),
            },
        )
    }

    /// `SendTaskHeartbeat`.
    pub(crate) fn send_task_heartbeat(&self, token: &str) -> Result<(), ApiError> {
        self.inner.tokens.answer(token, TokenOutcome::Heartbeat)
    }

    // --- activities ---

    /// Creates an activity (`CreateActivity`); the same name answers the existing one.
    pub(crate) fn create_activity(&self, name: &str) -> Result<Activity, ApiError> {
        if !valid_name(name) {
            return Err(ApiError::InvalidName(name.to_string()));
        }
        let c = &self.inner.config;
        let arn = format!(
            "arn:aws:states:{}:{}:activity:{name}",
            c.region, c.account_id
        );
        Ok(self
            .inner
            .activities
            .create(arn, name, self.inner.clock.now_ms()))
    }

    /// Checks that `arn` is an activity ARN, as AWS does before looking it up.
    fn activity_arn(arn: &str) -> Result<(), ApiError> {
        match Arn::parse(arn) {
            Some(a) if a.resource_type() == "activity" => Ok(()),
            Some(a) => Err(ApiError::resource_type_not_valid(a.resource_type())),
            None => Err(ApiError::invalid_arn(arn)),
        }
    }

    /// A fresh request id (a UUID from the engine's id stream, seeded when the engine is).
    pub(crate) fn request_id(&self) -> String {
        self.inner.ids().with(Ids::uuid)
    }

    /// Queues a scheduled task for the activity's workers (what the
    /// [activity integration](crate::integrations::activity) does); `false` when the activity
    /// does not exist.
    pub(crate) fn queue_activity_task(&self, arn: &str, token: &str, input: &Value) -> bool {
        self.inner.activities.enqueue(arn, token, input)
    }

    /// Takes the queued activity task of `token` for an in-process worker, recording
    /// `ActivityStarted` as `GetActivityTask` does; `false` when another worker took it first.
    pub(crate) fn take_activity_task(
        &self,
        arn: &str,
        token: &str,
        worker_name: Option<&str>,
    ) -> bool {
        if !self.inner.activities.take_token(arn, token) {
            return false;
        }
        self.started_activity_task(token, worker_name);
        true
    }

    /// Tells the waiting state that a worker took its activity task.
    fn started_activity_task(&self, token: &str, worker_name: Option<&str>) {
        // The state waits on this token (it was queued and open); if it closed since, the
        // worker's answer is refused with `TaskTimedOut`, as on AWS.
        let _ = self.inner.tokens.answer(
            token,
            TokenOutcome::Started {
                worker_name: worker_name.map(str::to_string),
            },
        );
    }

    /// Describes an activity (`DescribeActivity`).
    pub(crate) fn describe_activity(&self, arn: &str) -> Result<Activity, ApiError> {
        Engine::activity_arn(arn)?;
        self.inner
            .activities
            .get(arn)
            .ok_or_else(|| ApiError::ActivityDoesNotExist(arn.to_string()))
    }

    /// Every activity, oldest first (`ListActivities`).
    pub(crate) fn list_activities(&self) -> Vec<Activity> {
        self.inner.activities.list()
    }

    /// Deletes an activity (`DeleteActivity`); deleting an unknown one succeeds, as on AWS.
    pub(crate) fn delete_activity(&self, arn: &str) -> Result<(), ApiError> {
        Engine::activity_arn(arn)?;
        self.inner.activities.delete(arn);
        Ok(())
    }

    /// Waits up to 60 seconds of the engine's clock for a task of the activity
    /// (`GetActivityTask`); taking one records `ActivityStarted` with `worker_name`.
    /// `Ok(None)` when no task came in time.
    pub(crate) async fn get_activity_task(
        &self,
        arn: &str,
        worker_name: Option<&str>,
    ) -> Result<Option<ActivityTask>, ApiError> {
        Engine::activity_arn(arn)?;
        let tokens = &self.inner.tokens;
        let task = self
            .inner
            .activities
            .take(&self.inner.clock, arn, |t| tokens.is_open(t))
            .await?;
        if let Some(t) = &task {
            self.started_activity_task(&t.token, worker_name);
        }
        Ok(task)
    }

    fn resource_exists(&self, arn: &str) -> bool {
        read(&self.inner.machines).iter().any(|m| m.arn == arn)
    }

    /// Adds or replaces tags on a state machine (`TagResource`).
    pub(crate) fn tag_resource(
        &self,
        arn: &str,
        tags: &[(String, String)],
    ) -> Result<(), ApiError> {
        if !self.resource_exists(arn) {
            return Err(ApiError::ResourceNotFound(arn.to_string()));
        }
        let mut all = write(&self.inner.tags);
        let list = all.entry(arn.to_string()).or_default();
        for (k, v) in tags {
            match list.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v.clone(),
                None => list.push((k.clone(), v.clone())),
            }
        }
        if list.len() > 50 {
            return Err(ApiError::TooManyTags(arn.to_string()));
        }
        Ok(())
    }

    /// Removes tags (`UntagResource`).
    pub(crate) fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ApiError> {
        if !self.resource_exists(arn) {
            return Err(ApiError::ResourceNotFound(arn.to_string()));
        }
        if let Some(list) = write(&self.inner.tags).get_mut(arn) {
            list.retain(|(k, _)| !keys.contains(k));
        }
        Ok(())
    }

    /// The tags of a resource (`ListTagsForResource`).
    pub(crate) fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, ApiError> {
        if !self.resource_exists(arn) {
            return Err(ApiError::ResourceNotFound(arn.to_string()));
        }
        Ok(read(&self.inner.tags).get(arn).cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod valid_name_tests {
    use super::{valid_name, valid_name_by_chars};

    /// ASCII names are judged byte by byte as the character rule judges them.
    #[test]
    fn ascii_names_are_judged_as_by_characters() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            for name in [c.to_string(), format!("a{c}b"), format!("{c}{c}")] {
                assert_eq!(valid_name(&name), valid_name_by_chars(&name), "{name:?}");
            }
        }
        for name in [
            "",
            "run-1",
            &"x".repeat(80),
            &"x".repeat(81),
            "é",
            "a\u{85}b",
        ] {
            assert_eq!(valid_name(name), valid_name_by_chars(name), "{name:?}");
        }
    }
}

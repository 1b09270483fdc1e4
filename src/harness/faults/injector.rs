//! The armed faults at work: deciding, per call or message, whether a fault applies; acting on
//! the endpoint (an [`Interceptor`]), on SQS deliveries (a [`DeliveryHook`]) and on the clock; and
//! recording every injection.

use crate::sync::{lock, read, write};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::report::InjectedFault;
use super::{ApiAction, DeliveryAction, Fault, FaultEvent, FaultHandle, Kind};
use crate::engine::Engine;
use crate::harness::error::InvalidFault;
use crate::harness::expect::{Counted, Unmet};
use crate::harness::scope::Subject;
use crate::ids::Ids;
use crate::server::intercept::{After, Before, Call, Decision, Interceptor};
use crate::server::sfn_api::SFN_OPERATIONS;
use crate::server::sqs_api::{self, SQS_OPERATIONS};
use crate::server::{JsonReply, SFN_TARGET_PREFIX, SQS_TARGET_PREFIX};
use crate::sqs::delivery::{DeliveryHook, Fate, Sent};
use crate::sqs::queue_name_in as queue_name;
use crate::time::{Clock, Millis};

/// The target under which Lambda invocations meet the API faults ([`Fault::lambda_error`]).
pub(crate) const LAMBDA_INVOKE: &str = "AWSLambda.Invoke";

/// The error code of [`Fault::throttle`]: the service's own throttling error.
pub(crate) const THROTTLE: &str = "Throttling";

/// How an API error reads in labels.
pub(crate) fn error_label(code: &str, status: u16) -> String {
    if code == THROTTLE {
        "throttle".to_string()
    } else {
        format!("{code} ({status})")
    }
}

/// A roll in [0, 1) from the seed, the rule and the subject: the same on every run.
fn roll(seed: u64, rule: usize, subject: &str, n: u64) -> f64 {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update((rule as u64).to_le_bytes());
    h.update(subject.as_bytes());
    h.update(n.to_le_bytes());
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

struct Counters {
    matched: u64,
    injected: u64,
    subjects: HashMap<String, u64>,
}

/// An armed fault and its counters.
struct Rule {
    fault: Fault,
    index: usize,
    label: String,
    injected: Arc<AtomicU64>,
    counters: Mutex<Counters>,
}

impl Rule {
    /// Whether the fault's narrowing admits `event`.
    fn admits(&self, event: &FaultEvent) -> bool {
        let scope = &self.fault.scope;
        // Every name of the event's state machine, worked out only if the fault narrows by one.
        let by_execution = scope
            .machine
            .as_ref()
            .and_then(|_| arn_machine(event.execution_arn.as_deref()?));
        let machine: Vec<&str> = match &scope.machine {
            None => Vec::new(),
            Some(_) => {
                let by_request = event.request.get("stateMachineArn").and_then(Value::as_str);
                [
                    event.machine_name(),
                    by_execution.as_deref(),
                    by_request,
                    by_request.map(crate::arn::name_of),
                ]
                .into_iter()
                .flatten()
                .collect()
            }
        };
        let subject = Subject {
            state: event.state.as_deref(),
            machine: &machine,
            queue: event.queue.as_deref(),
            function: None,
        };
        scope.admits(&subject, event)
    }

    /// Counts a matching event and decides whether the fault is injected into it.
    fn decide(&self, seed: u64, subject: &str) -> bool {
        let f = &self.fault;
        let mut c = lock(&self.counters);
        if !f.scope.allows(c.injected) {
            return false;
        }
        c.matched += 1;
        if c.matched <= f.skip {
            return false;
        }
        if let Some(p) = f.probability {
            let n = {
                let n = c.subjects.entry(subject.to_string()).or_insert(0);
                *n += 1;
                *n
            };
            if roll(seed, self.index, subject, n) >= p {
                return false;
            }
        }
        c.injected += 1;
        self.injected.fetch_add(1, Ordering::SeqCst);
        true
    }
}

/// The ARN of the state machine of an execution ARN.
fn arn_machine(execution_arn: &str) -> Option<String> {
    crate::arn::Arn::parse(execution_arn)?.machine_of_execution()
}

/// Whether an operation pattern matches a target.
fn operation_matches(pattern: &str, prefix: &str, operation: &str) -> bool {
    match pattern.split_once('.') {
        // `*` means the endpoint's operations; Lambda invocations are faulted by name only.
        None => (pattern == "*" && !LAMBDA_INVOKE.starts_with(prefix)) || pattern == operation,
        Some((p, "*")) => p == prefix,
        Some((p, o)) => p == prefix && o == operation,
    }
}

/// Checks that an operation pattern names something the endpoint serves.
pub(crate) fn check_operation(pattern: &str) -> Result<(), InvalidFault> {
    let known = |prefix: &str, op: &str| match prefix {
        SFN_TARGET_PREFIX => SFN_OPERATIONS.iter().any(|o| o.name() == op),
        SQS_TARGET_PREFIX => SQS_OPERATIONS.contains(&op),
        _ => false,
    };
    let ok = match pattern.split_once('.') {
        _ if pattern == LAMBDA_INVOKE => true,
        None => {
            pattern == "*"
                || SFN_OPERATIONS.iter().any(|o| o.name() == pattern)
                || SQS_OPERATIONS.contains(&pattern)
        }
        Some((p, "*")) => p == SFN_TARGET_PREFIX || p == SQS_TARGET_PREFIX,
        Some((p, o)) => known(p, o),
    };
    if ok {
        return Ok(());
    }
    let suggestions = SFN_OPERATIONS
        .iter()
        .map(|o| o.name())
        .chain(SQS_OPERATIONS.iter().copied())
        .filter(|op| {
            let a = op.to_ascii_lowercase();
            let b = pattern
                .rsplit('.')
                .next()
                .unwrap_or(pattern)
                .to_ascii_lowercase();
            a.contains(&b) || b.contains(&a) || a.get(..6) == b.get(..6)
        })
        .map(str::to_string)
        .collect();
    Err(InvalidFault::UnknownOperation {
        operation: pattern.to_string(),
        suggestions,
    })
}

/// What the API faults decide for an in-process call ([`Injector::in_process_before`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InProcess {
    /// No fault: make the call.
    Proceed,
    /// An injected error reply.
    Refused { code: String, status: u16 },
    /// An injected dropped connection: the call never reached the service.
    Dropped,
}

/// The armed faults of one harness.
pub(crate) struct Injector {
    seed: AtomicU64,
    clock: Clock,
    engine: Engine,
    started_ms: Millis,
    rules: RwLock<Vec<Arc<Rule>>>,
    has_api: AtomicBool,
    has_jumps: AtomicBool,
    report: Mutex<Vec<InjectedFault>>,
}

impl Injector {
    pub(crate) fn new(engine: Engine, seed: u64) -> Arc<Injector> {
        let clock = engine.clock().clone();
        Arc::new(Injector {
            seed: AtomicU64::new(seed),
            started_ms: clock.now_ms(),
            clock,
            engine,
            rules: RwLock::new(Vec::new()),
            has_api: AtomicBool::new(false),
            has_jumps: AtomicBool::new(false),
            report: Mutex::new(Vec::new()),
        })
    }

    fn seed(&self) -> u64 {
        self.seed.load(Ordering::SeqCst)
    }

    /// Sets the seed of the faults' probabilities.
    pub(crate) fn set_seed(&self, seed: u64) {
        self.seed.store(seed, Ordering::SeqCst);
    }

    fn rules(&self) -> Vec<Arc<Rule>> {
        read(&self.rules).clone()
    }

    /// Arms a fault.
    pub(crate) fn arm(&self, fault: Fault) -> Result<FaultHandle, InvalidFault> {
        match &fault.kind {
            Kind::Api { operation, .. } => {
                check_operation(operation)?;
                self.has_api.store(true, Ordering::SeqCst);
            }
            Kind::ClockJump(_) => self.has_jumps.store(true, Ordering::SeqCst),
            Kind::Delivery(_) => {}
        }
        let mut rules = write(&self.rules);
        let rule = Arc::new(Rule {
            index: rules.len(),
            label: fault.label(),
            injected: Arc::new(AtomicU64::new(0)),
            counters: Mutex::new(Counters {
                matched: 0,
                injected: 0,
                subjects: HashMap::new(),
            }),
            fault,
        });
        let handle = FaultHandle {
            injected: rule.injected.clone(),
            label: rule.label.clone(),
        };
        rules.push(rule);
        Ok(handle)
    }

    /// Everything injected so far, in order.
    pub(crate) fn injected(&self) -> Vec<InjectedFault> {
        lock(&self.report).clone()
    }

    /// Expectations of faults not met, in the order they were armed.
    pub(crate) fn verification_failures(&self) -> Vec<Unmet> {
        self.rules()
            .iter()
            .filter_map(|r| {
                let n = r.injected.load(Ordering::SeqCst);
                r.fault
                    .scope
                    .unmet(r.label.clone(), Counted::Injections, n, Vec::new)
            })
            .collect()
    }

    fn record(&self, rule: &Rule, action: String, event: &FaultEvent) {
        let mut report = lock(&self.report);
        let seq = report.len() as u64 + 1;
        report.push(InjectedFault {
            seq,
            at_ms: self.clock.now_ms().saturating_sub(self.started_ms),
            fault: rule.label.clone(),
            action,
            operation: event
                .operation
                .as_ref()
                .map(|o| format!("{}.{o}", event.service.as_deref().unwrap_or(""))),
            queue: event.queue.clone(),
            message_id: event.message_id.clone(),
            state: event.state.clone(),
            execution_arn: event.execution_arn.clone(),
        });
    }

    /// The state and execution of the first task token in `text` this engine issued.
    fn task_in(&self, text: &str) -> Option<(String, String)> {
        Ids::find_tokens(text)
            .find_map(|t| self.engine.tokens().task_of(t))
            .map(|t| (t.state_name, t.execution_arn))
    }

    /// What a call looks like to faults, and its subject (what probabilities are keyed on).
    fn api_event(&self, call: &Call<'_>) -> (FaultEvent, String) {
        let request: Value = serde_json::from_slice(call.body).unwrap_or(Value::Null);
        let field = |k: &str| request.get(k).and_then(Value::as_str).map(str::to_string);
        let token = field("taskToken");
        let mut event = FaultEvent {
            service: call.prefix().map(str::to_string),
            operation: call.operation().map(str::to_string),
            queue: field("QueueUrl").map(|u| queue_name(&u).to_string()),
            execution_arn: field("executionArn"),
            // A Lambda invocation names its state (see `Injector::lambda_refusal`).
            state: field("stateName"),
            ..FaultEvent::default()
        };
        let task = match (&token, field("MessageBody")) {
            (Some(t), _) => self.task_in(t),
            (None, Some(body)) => self.task_in(&body),
            _ => None,
        };
        if let Some((state, execution)) = task {
            event.state = Some(state);
            event.execution_arn = Some(execution);
        }
        let receipt = field("ReceiptHandle")
            .and_then(|h| crate::sqs::message::parse_receipt(&h))
            .map(|r| r.message_id);
        let subject = token
            .or(receipt)
            .or_else(|| field("executionArn"))
            .or_else(|| {
                field("MessageBody")
                    .map(|b| format!("{}\u{0}{b}", field("QueueUrl").unwrap_or_default()))
            })
            .or_else(|| field("stateMachineArn"))
            .or_else(|| field("QueueUrl"))
            .or_else(|| field("name"))
            .or_else(|| field("QueueName"))
            .unwrap_or_default();
        event.request = request;
        (
            event,
            format!("{}\u{0}{subject}", call.target.unwrap_or("")),
        )
    }

    /// The API rules that match a call, with the call's event and subject.
    fn api_rules(&self, call: &Call<'_>) -> Option<(FaultEvent, String, Vec<Arc<Rule>>)> {
        if !self.has_api.load(Ordering::SeqCst) {
            return None;
        }
        let (prefix, operation) = (call.prefix()?, call.operation()?);
        let rules: Vec<Arc<Rule>> = self
            .rules()
            .into_iter()
            .filter(|r| match &r.fault.kind {
                Kind::Api { operation: p, .. } => operation_matches(p, prefix, operation),
                _ => false,
            })
            .collect();
        if rules.is_empty() {
            return None;
        }
        let (event, subject) = self.api_event(call);
        Some((event, subject, rules))
    }

    /// The error reply of an injected API error, shaped as the service shapes its errors.
    fn error_reply(prefix: &str, code: &str, status: u16, message: Option<&str>) -> JsonReply {
        let sqs = prefix == SQS_TARGET_PREFIX;
        let code = service_code(prefix, code);
        let message = message.unwrap_or(match code {
            "ThrottlingException" | "RequestThrottled" => "Rate exceeded",
            _ => "The request failed: an error injected by sfn-harness",
        });
        if sqs {
            sqs_api::error_reply(code, status, message)
        } else {
            JsonReply::error(status, code, message)
        }
    }

    async fn before(&self, call: &Call<'_>) -> Before {
        let Some((event, subject, rules)) = self.api_rules(call) else {
            return Before::Continue;
        };
        for rule in rules {
            let Kind::Api { action, .. } = &rule.fault.kind else {
                continue;
            };
            if matches!(action, ApiAction::LoseResponse)
                || !rule.admits(&event)
                || !rule.decide(self.seed(), &subject)
            {
                continue;
            }
            match action {
                ApiAction::Error {
                    code,
                    status,
                    message,
                } => {
                    let prefix = call.prefix().unwrap_or("");
                    let reply = Self::error_reply(prefix, code, *status, message.as_deref());
                    let label = format!("{} ({status})", service_code(prefix, code));
                    self.record(&rule, label, &event);
                    return Before::Reply(reply);
                }
                ApiAction::Latency(d) => {
                    self.record(&rule, format!("latency {d:?}"), &event);
                    tokio::time::sleep(*d).await;
                }
                ApiAction::DropConnection => {
                    self.record(&rule, "connection dropped".into(), &event);
                    return Before::DropConnection;
                }
                ApiAction::LoseResponse => {}
            }
        }
        Before::Continue
    }

    async fn after(&self, call: &Call<'_>, reply: &JsonReply) -> After {
        if self.has_jumps.load(Ordering::SeqCst)
            && call.target == Some("AmazonSQS.ReceiveMessage")
            && reply.status == 200
        {
            let text = String::from_utf8_lossy(&reply.body);
            let tokens: Vec<String> = Ids::find_tokens(&text).map(str::to_string).collect();
            for token in tokens {
                self.task_taken(&token, None).await;
            }
        }
        let Some((event, subject, rules)) = self.api_rules(call) else {
            return After::Send;
        };
        for rule in rules {
            if matches!(
                rule.fault.kind,
                Kind::Api {
                    action: ApiAction::LoseResponse,
                    ..
                }
            ) && rule.admits(&event)
                && rule.decide(self.seed(), &subject)
            {
                self.record(
                    &rule,
                    format!("response lost (the call was handled: {})", reply.status),
                    &event,
                );
                return After::DropConnection;
            }
        }
        After::Send
    }

    /// What the API faults do to a call a scripted worker makes in-process (its `SendTask*`
    /// calls), as they would to the same call over HTTP: the same rules, counters and report.
    /// Latency is waited in wall time, as over HTTP.
    pub(crate) async fn in_process_before(&self, target: &str, body: &Value) -> InProcess {
        let bytes = body.to_string();
        let call = Call {
            target: Some(target),
            body: bytes.as_bytes(),
        };
        match self.before(&call).await {
            Before::Continue => InProcess::Proceed,
            Before::DropConnection => InProcess::Dropped,
            Before::Reply(reply) => {
                let parsed: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
                let code = parsed["__type"]
                    .as_str()
                    .or_else(|| parsed["Error"]["Code"].as_str())
                    .unwrap_or("InternalFailure")
                    .rsplit('#')
                    .next()
                    .unwrap_or("InternalFailure")
                    .to_string();
                InProcess::Refused {
                    code,
                    status: reply.status,
                }
            }
        }
    }

    /// Whether an injected fault loses the response of an in-process call that was handled.
    pub(crate) async fn in_process_response_lost(&self, target: &str, body: &Value) -> bool {
        let bytes = body.to_string();
        let call = Call {
            target: Some(target),
            body: bytes.as_bytes(),
        };
        let reply = JsonReply::ok(&serde_json::json!({}));
        matches!(self.after(&call, &reply).await, After::DropConnection)
    }

    /// The refusal an armed [`Fault::lambda_error`] makes of one invocation of `function` by
    /// `state` of `execution_arn` (`attempt` is the task's retry count, so each attempt is its
    /// own subject): the `Lambda.<Exception>` error and its message.
    pub(crate) async fn lambda_refusal(
        &self,
        function: &str,
        state: &str,
        execution_arn: &str,
        attempt: u64,
    ) -> Option<(String, String)> {
        let body = serde_json::json!({
            "FunctionName": function,
            "stateName": state,
            "executionArn": execution_arn,
            "attempt": attempt,
        });
        match self.in_process_before(LAMBDA_INVOKE, &body).await {
            InProcess::Refused { code, .. } => {
                // The message Lambda sends with a throttle ("Rate Exceeded.", as AWS's
                // developer guide quotes it); the others name the fault.
                let message = match code.as_str() {
                    "TooManyRequestsException" => "Rate Exceeded.".to_string(),
                    _ => format!("{code}: an error injected by sfn-harness"),
                };
                Some((format!("Lambda.{code}"), message))
            }
            _ => None,
        }
    }

    /// A jitter in [0, 1) for retry `attempt` of a call about `subject`: from the harness's
    /// seed, the same on every run.
    pub(crate) fn jitter(&self, subject: &str, attempt: u64) -> f64 {
        roll(self.seed(), usize::MAX, subject, attempt)
    }

    /// A worker has just taken the task of `token` (from `queue`, for SQS): clock jumps that
    /// apply move virtual time forward, and return once the timers on the way have fired.
    pub(crate) async fn task_taken(&self, token: &str, queue: Option<&str>) {
        let jumps: Vec<Arc<Rule>> = self
            .rules()
            .into_iter()
            .filter(|r| matches!(r.fault.kind, Kind::ClockJump(_)))
            .collect();
        if jumps.is_empty() {
            return;
        }
        let Some(task) = self.engine.tokens().task_of(token) else {
            return;
        };
        let event = FaultEvent {
            state: Some(task.state_name),
            execution_arn: Some(task.execution_arn),
            queue: queue.map(|q| queue_name(q).to_string()),
            ..FaultEvent::default()
        };
        for rule in jumps {
            let Kind::ClockJump(d) = rule.fault.kind else {
                continue;
            };
            if !rule.admits(&event) || !rule.decide(self.seed(), token) {
                continue;
            }
            self.record(&rule, format!("clock jumped {d:?}"), &event);
            // Advancing settles between timers; from a tracked fiber or a request, waiting for
            // it parks this fiber, so the advance is not held up by the fiber that asked for it.
            // The advance hands back an activity taken before it lets another advance start,
            // held until this fiber counts again: no one finds the clock idle in between.
            let clock = self.clock.clone();
            let jump = tokio::spawn(async move { clock.advance_holding(d).await });
            let handed_over = self.clock.park(jump).await;
            drop(handed_over);
        }
    }

    /// The fate of an accepted message.
    fn on_send(&self, sent: &Sent<'_>) -> Fate {
        let mut fate = Fate::default();
        let rules: Vec<Arc<Rule>> = self
            .rules()
            .into_iter()
            .filter(|r| {
                matches!(&r.fault.kind, Kind::Delivery(a) if !matches!(a, DeliveryAction::Reorder))
            })
            .collect();
        if rules.is_empty() {
            return fate;
        }
        let task = self.task_in(sent.body);
        let event = FaultEvent {
            queue: Some(sent.queue_name.to_string()),
            message_id: Some(sent.message_id.to_string()),
            body: Some(sent.body.to_string()),
            state: task.as_ref().map(|t| t.0.clone()),
            execution_arn: task.map(|t| t.1),
            ..FaultEvent::default()
        };
        let subject = format!("{}\u{0}{}", sent.queue_name, sent.body);
        for rule in rules {
            let Kind::Delivery(action) = &rule.fault.kind else {
                continue;
            };
            if matches!(action, DeliveryAction::Duplicate { .. }) && sent.fifo {
                continue;
            }
            if !rule.admits(&event) || !rule.decide(self.seed(), &subject) {
                continue;
            }
            match action {
                DeliveryAction::Lose => {
                    self.record(&rule, "message lost".into(), &event);
                    fate.lose = true;
                }
                DeliveryAction::Delay(d) => {
                    self.record(&rule, format!("delivery delayed {d:?}"), &event);
                    fate.delay_ms += d.as_millis() as Millis;
                }
                DeliveryAction::Duplicate { copies, after } => {
                    self.record(&rule, format!("delivered {} times", copies + 1), &event);
                    for _ in 0..*copies {
                        fate.duplicates.push(after.as_millis() as Millis);
                    }
                }
                DeliveryAction::Reorder => {}
            }
        }
        fate
    }

    /// A shuffle seed for a receive from `queue`, if a reorder fault applies.
    fn reorder(&self, queue: &str) -> Option<u64> {
        let event = FaultEvent {
            queue: Some(queue.to_string()),
            ..FaultEvent::default()
        };
        for rule in self.rules() {
            if !matches!(rule.fault.kind, Kind::Delivery(DeliveryAction::Reorder)) {
                continue;
            }
            if rule.admits(&event) && rule.decide(self.seed(), queue) {
                let n = rule.injected.load(Ordering::SeqCst);
                self.record(&rule, "receive reordered".into(), &event);
                return Some(self.seed() ^ ((rule.index as u64) << 32) ^ n);
            }
        }
        None
    }
}

/// The error code an injected error carries on `prefix`'s service: a throttle is
/// `RequestThrottled` on SQS and `ThrottlingException` on Step Functions (both in the AWS SDKs'
/// list of throttling errors, `aws-runtime` `retries::classifiers::THROTTLING_ERRORS`).
fn service_code<'a>(prefix: &str, code: &'a str) -> &'a str {
    match (code, prefix == SQS_TARGET_PREFIX) {
        (THROTTLE, true) => "RequestThrottled",
        (THROTTLE, false) => "ThrottlingException",
        (c, _) => c,
    }
}

/// The injector as the endpoint's interceptor.
pub(crate) struct ApiFaults(pub(crate) Arc<Injector>);

impl Interceptor for ApiFaults {
    fn before<'a>(&'a self, call: &'a Call<'a>) -> Decision<'a, Before> {
        // Without API faults every call continues (`Injector::before`'s first test).
        if !self.0.has_api.load(Ordering::SeqCst) {
            return Decision::Now(Before::Continue);
        }
        Decision::Later(Box::pin(self.0.before(call)))
    }

    fn after<'a>(&'a self, call: &'a Call<'a>, reply: &'a JsonReply) -> Decision<'a, After> {
        // Without API faults or time jumps every reply is sent (`Injector::after`'s tests).
        if !self.0.has_api.load(Ordering::SeqCst) && !self.0.has_jumps.load(Ordering::SeqCst) {
            return Decision::Now(After::Send);
        }
        Decision::Later(Box::pin(self.0.after(call, reply)))
    }
}

/// The injector as SQS's delivery hook. Holds it weakly: SQS outlives nothing of the harness's.
pub(crate) struct DeliveryFaults(pub(crate) Weak<Injector>);

impl DeliveryHook for DeliveryFaults {
    fn on_send(&self, sent: &Sent<'_>) -> Fate {
        self.0
            .upgrade()
            .map(|i| i.on_send(sent))
            .unwrap_or_default()
    }

    fn reorder(&self, queue_name: &str) -> Option<u64> {
        self.0.upgrade().and_then(|i| i.reorder(queue_name))
    }
}

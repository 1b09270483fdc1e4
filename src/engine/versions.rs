//! State machine versions and aliases: `PublishStateMachineVersion` (and `publish` on
//! Create/UpdateStateMachine), `ListStateMachineVersions`, `DeleteStateMachineVersion`, the
//! alias operations with their routing configuration, and the resolution of a version or alias
//! ARN given to `StartExecution`.
//!
//! A version is an immutable snapshot of the machine (`<machine arn>:<n>`, numbered from 1, never
//! reused); an alias (`<machine arn>:<name>`) routes executions to one or two versions by weight.
//! Texts and shapes: botocore `stepfunctions/2016-11-23/service-2.json` and the responses AWS
//! gave LocalStack's AWS-validated `test_sfn_api_aliasing` / `test_sfn_api_versioning` tests
//! (cited where used).
//!
//! Example: the unit test `engine_versions_12` in `src/tests/doc_examples.rs`.

use std::sync::Arc;

use super::{ApiError, Engine, StateMachine};
use crate::arn::Arn;
use crate::sync::{read, write};
use crate::time::Millis;

/// One published version of a state machine.
#[derive(Debug, Clone)]
pub(crate) struct StateMachineVersion {
    /// `<machine arn>:<number>`.
    pub arn: String,
    /// Its number (1, 2, …).
    // Nothing reads it since the door closed (the ARN ends with it); kept as the record's data.
    #[allow(dead_code)]
    pub number: u64,
    /// The `versionDescription` / `description` it was published with.
    pub description: Option<String>,
    /// The machine as it was when published (its `arn` is the machine's).
    pub machine: Arc<StateMachine>,
    /// When it was published.
    pub created_ms: Millis,
}

/// One alias of a state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateMachineAlias {
    /// `<machine arn>:<alias name>`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Version ARNs and their weights (summing to 100).
    pub routing: Vec<(String, u32)>,
    /// `creationDate`.
    pub created_ms: Millis,
    /// `updateDate` (the creation date until it is updated).
    pub updated_ms: Millis,
}

/// Every version and alias of an engine.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    versions: Vec<Arc<StateMachineVersion>>,
    /// The next version number, by machine ARN (numbers are never reused).
    next: std::collections::HashMap<String, u64>,
    aliases: Vec<StateMachineAlias>,
}

/// What a `StartExecution` ARN names: the machine to run, and the version and alias it came by.
#[derive(Debug, Clone)]
pub(crate) struct StartTarget {
    pub machine: Arc<StateMachine>,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
}

/// The machine ARN and qualifier (`1`, `live`) of a qualified state machine ARN.
fn split_qualified(arn: &str) -> Option<(String, String)> {
    let a = Arn::parse(arn).filter(|a| a.service == "states")?;
    if a.resource_type() != "stateMachine" || a.part_count() < 3 {
        return None;
    }
    let (machine, qualifier) = arn.rsplit_once(':')?;
    (!qualifier.is_empty()).then(|| (machine.to_string(), qualifier.to_string()))
}

fn is_version_qualifier(q: &str) -> bool {
    !q.is_empty() && q.chars().all(|c| c.is_ascii_digit())
}

/// Alias names: 1–80 characters of `[a-zA-Z0-9_\-.]`, not all digits (the model's pattern
/// `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`).
fn check_alias_name(name: &str) -> Result<(), ApiError> {
    if name.chars().count() > 80 {
        return Err(ApiError::validation(format!("1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80")));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    if name.is_empty() || !name.chars().all(allowed) || name.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::validation(format!("1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$")));
    }
    Ok(())
}

fn check_description(d: Option<&str>, member: &str) -> Result<(), ApiError> {
    match d {
        Some(d) if d.chars().count() > 256 => Err(ApiError::validation(format!("1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to 256"))),
        _ => Ok(()),
    }
}

impl Engine {
    /// `PublishStateMachineVersion`: publishes the machine's current revision as a new version,
    /// or returns the latest version when the machine has not changed since it was published.
    /// `revision_id`, when given, must be the machine's current revision (`ConflictException`).
    pub(crate) fn publish_state_machine_version(
        &self,
        machine_arn: &str,
        revision_id: Option<&str>,
        description: Option<&str>,
    ) -> Result<Arc<StateMachineVersion>, ApiError> {
        check_description(description, "description")?;
        let machine = self.state_machine(machine_arn)?;
        if let Some(r) = revision_id {
            if r != machine.revision_id {
                return Err(ApiError::Conflict(format!(
                    "Failed to publish the State Machine version for revision {r}. The current State Machine revision is {}.",
                    machine.revision_id
                )));
            }
        }
        let mut reg = write(&self.inner.versions);
        if let Some(latest) = reg
            .versions
            .iter()
            .rev()
            .find(|v| v.machine.arn == machine.arn)
        {
            if latest.machine.revision_id == machine.revision_id {
                return Ok(latest.clone());
            }
        }
        let number = {
            let n = reg.next.entry(machine.arn.clone()).or_insert(1);
            let this = *n;
            *n += 1;
            this
        };
        let v = Arc::new(StateMachineVersion {
            arn: format!("{}:{number}", machine.arn),
            number,
            description: description.map(str::to_owned),
            machine,
            created_ms: self.inner.clock.now_ms(),
        });
        reg.versions.push(v.clone());
        Ok(v)
    }

    /// A published version by ARN (`DescribeStateMachine` on a version ARN).
    pub(crate) fn state_machine_version(
        &self,
        arn: &str,
    ) -> Result<Arc<StateMachineVersion>, ApiError> {
        read(&self.inner.versions)
            .versions
            .iter()
            .find(|v| v.arn == arn)
            .cloned()
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))
    }

    /// `ListStateMachineVersions`: the versions of a machine, newest first.
    pub(crate) fn state_machine_versions(
        &self,
        machine_arn: &str,
    ) -> Result<Vec<Arc<StateMachineVersion>>, ApiError> {
        self.state_machine(machine_arn)?;
        Ok(read(&self.inner.versions)
            .versions
            .iter()
            .rev()
            .filter(|v| v.machine.arn == machine_arn)
            .cloned()
            .collect())
    }

    /// `DeleteStateMachineVersion`: refused while an alias routes to it (AWS's text, recorded
    /// in LocalStack's `test_delete_version_with_alias`); deleting a missing version succeeds.
    pub(crate) fn delete_state_machine_version(&self, arn: &str) -> Result<(), ApiError> {
        match split_qualified(arn) {
            Some((_, q)) if is_version_qualifier(&q) => {}
            _ => return Err(ApiError::invalid_arn(arn)),
        }
        let mut reg = write(&self.inner.versions);
        let referencing: Vec<&str> = reg
            .aliases
            .iter()
            .filter(|a| a.routing.iter().any(|(v, _)| v == arn))
            .map(|a| a.name.as_str())
            .collect();
        if !referencing.is_empty() {
            return Err(ApiError::Conflict(format!(
                "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]",
                referencing.join(", ")
            )));
        }
        reg.versions.retain(|v| v.arn != arn);
        Ok(())
    }

    /// Checks a routing configuration: 1–2 distinct versions of one existing machine, weights
    /// 0–100 summing to 100 (texts recorded in LocalStack's
    /// `test_error_create_alias_invalid_router_configs`). Returns the machine ARN.
    fn check_routing(&self, routing: &[(String, u32)]) -> Result<String, ApiError> {
        if routing.is_empty() {
            return Err(ApiError::validation("1 validation error detected: Value '[]' at 'routingConfiguration' failed to satisfy constraint: Member must have length greater than or equal to 1"));
        }
        let listed = || {
            routing
                .iter()
                .map(|(v, _)| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if routing.len() > 2 {
            let items: Vec<String> = routing
                .iter()
                .map(|(v, w)| {
                    format!("RoutingConfigurationListItem(stateMachineVersionArn={v}, weight={w})")
                })
                .collect();
            return Err(ApiError::validation(format!("1 validation error detected: Value '[{}]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2", items.join(", "))));
        }
        for (i, (_, w)) in routing.iter().enumerate() {
            if *w > 100 {
                return Err(ApiError::validation(format!("1 validation error detected: Value '{w}' at 'routingConfiguration.{}.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100", i + 1)));
            }
        }
        let mut machine = None;
        for (v, _) in routing {
            match split_qualified(v) {
                Some((m, q)) if is_version_qualifier(&q) => {
                    if machine.as_ref().is_some_and(|x| x != &m) {
                        return Err(ApiError::validation(format!("Routing configuration must contain state machine version ARNs of the same state machine. Received: [{}]", listed())));
                    }
                    machine = Some(m);
                }
                _ => {
                    return Err(ApiError::validation(format!(
                    "Routing configuration must contain state machine version ARNs. Received: [{}]",
                    listed()
                )))
                }
            }
        }
        if routing.len() == 2 && routing[0].0 == routing[1].0 {
            return Err(ApiError::validation(format!("Routing configuration must contain distinct state machine version ARNs. Received: [{}]", listed())));
        }
        let sum: u32 = routing.iter().map(|(_, w)| *w).sum();
        if sum != 100 {
            let weights: Vec<String> = routing.iter().map(|(_, w)| w.to_string()).collect();
            return Err(ApiError::validation(format!(
                "Sum of routing configuration weights must equal 100. Received: [{}]",
                weights.join(", ")
            )));
        }
        for (v, _) in routing {
            if read(&self.inner.versions)
                .versions
                .iter()
                .all(|x| &x.arn != v)
            {
                return Err(ApiError::ResourceNotFound(v.clone()));
            }
        }
        machine.ok_or(ApiError::NoSuchResource)
    }

    /// `CreateStateMachineAlias`. The same name and configuration again returns the alias; the
    /// same name with another is a `ConflictException` (LocalStack's AWS-validated
    /// `test_idempotent_create_alias`, `test_error_create_alias_not_idempotent`).
    pub(crate) fn create_state_machine_alias(
        &self,
        name: &str,
        description: Option<&str>,
        routing: &[(String, u32)],
    ) -> Result<StateMachineAlias, ApiError> {
        check_alias_name(name)?;
        check_description(description, "description")?;
        let machine_arn = self.check_routing(routing)?;
        let arn = format!("{machine_arn}:{name}");
        let mut reg = write(&self.inner.versions);
        if let Some(existing) = reg.aliases.iter().find(|a| a.arn == arn) {
            if existing.description.as_deref() == description && existing.routing == routing {
                return Ok(existing.clone());
            }
            return Err(ApiError::Conflict("Failed to create alias because an alias with the same name and a different routing configuration already exists.".into()));
        }
        let now = self.inner.clock.now_ms();
        let alias = StateMachineAlias {
            arn,
            name: name.to_string(),
            description: description.map(str::to_owned),
            routing: routing.to_vec(),
            created_ms: now,
            updated_ms: now,
        };
        reg.aliases.push(alias.clone());
        Ok(alias)
    }

    /// `DescribeStateMachineAlias`.
    pub(crate) fn state_machine_alias(&self, arn: &str) -> Result<StateMachineAlias, ApiError> {
        match split_qualified(arn) {
            Some((_, q)) if !is_version_qualifier(&q) => {}
            _ => return Err(ApiError::invalid_arn(arn)),
        }
        read(&self.inner.versions)
            .aliases
            .iter()
            .find(|a| a.arn == arn)
            .cloned()
            .ok_or(ApiError::NoSuchResource)
    }

    /// `UpdateStateMachineAlias`: a new description and/or routing configuration.
    pub(crate) fn update_state_machine_alias(
        &self,
        arn: &str,
        description: Option<&str>,
        routing: Option<&[(String, u32)]>,
    ) -> Result<StateMachineAlias, ApiError> {
        self.state_machine_alias(arn)?;
        if description.is_none() && routing.is_none() {
            return Err(ApiError::validation(
                "Either the description or the RoutingConfiguration must be specified",
            ));
        }
        check_description(description, "description")?;
        if let Some(r) = routing {
            let machine = self.check_routing(r)?;
            if !arn.starts_with(&format!("{machine}:")) {
                return Err(ApiError::validation(format!("Routing configuration must contain state machine version ARNs of the alias's state machine. Received: [{}]", r.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>().join(", "))));
            }
        }
        let now = self.inner.clock.now_ms();
        let mut reg = write(&self.inner.versions);
        let alias = reg
            .aliases
            .iter_mut()
            .find(|a| a.arn == arn)
            .ok_or(ApiError::NoSuchResource)?;
        if let Some(d) = description {
            alias.description = Some(d.to_string());
        }
        if let Some(r) = routing {
            alias.routing = r.to_vec();
        }
        alias.updated_ms = now;
        Ok(alias.clone())
    }

    /// `DeleteStateMachineAlias`; deleting a missing alias succeeds (LocalStack's AWS-validated
    /// `test_delete_no_such_alias_arn`).
    pub(crate) fn delete_state_machine_alias(&self, arn: &str) -> Result<(), ApiError> {
        match split_qualified(arn) {
            Some((_, q)) if !is_version_qualifier(&q) => {}
            _ => return Err(ApiError::invalid_arn(arn)),
        }
        write(&self.inner.versions).aliases.retain(|a| a.arn != arn);
        Ok(())
    }

    /// `ListStateMachineAliases`: a machine's aliases, in creation order (as recorded in
    /// `test_base_lifecycle_create_delete_list`).
    pub(crate) fn state_machine_aliases(
        &self,
        machine_arn: &str,
    ) -> Result<Vec<StateMachineAlias>, ApiError> {
        self.state_machine(machine_arn)?;
        let prefix = format!("{machine_arn}:");
        Ok(read(&self.inner.versions)
            .aliases
            .iter()
            .filter(|a| a.arn.starts_with(&prefix))
            .cloned()
            .collect())
    }

    /// Drops every version and alias of a deleted machine.
    pub(crate) fn forget_versions(&self, machine_arn: &str) {
        let prefix = format!("{machine_arn}:");
        let mut reg = write(&self.inner.versions);
        reg.versions.retain(|v| v.machine.arn != machine_arn);
        reg.aliases.retain(|a| !a.arn.starts_with(&prefix));
        reg.next.remove(machine_arn);
    }

    /// What `StartExecution` runs for `arn`: a machine (its latest revision), a version, or an
    /// alias (one of its versions, drawn by weight from the engine's seeded ids).
    pub(crate) fn start_target(&self, arn: &str) -> Result<StartTarget, ApiError> {
        if let Ok(machine) = self.state_machine(arn) {
            return Ok(StartTarget {
                machine,
                version_arn: None,
                alias_arn: None,
            });
        }
        let Some((machine_arn, q)) = split_qualified(arn) else {
            return self.state_machine(arn).map(|machine| StartTarget {
                machine,
                version_arn: None,
                alias_arn: None,
            });
        };
        if is_version_qualifier(&q) {
            self.state_machine(&machine_arn)?;
            let v = self.state_machine_version(arn)?;
            return Ok(StartTarget {
                machine: v.machine.clone(),
                version_arn: Some(v.arn.clone()),
                alias_arn: None,
            });
        }
        let alias = read(&self.inner.versions)
            .aliases
            .iter()
            .find(|a| a.arn == arn)
            .cloned()
            .ok_or_else(|| ApiError::state_machine_does_not_exist(arn))?;
        let draw = (self.inner.ids().with(crate::ids::Ids::next_u64) % 100) as u32;
        let mut acc = 0;
        let mut chosen = &alias.routing[0].0;
        for (v, w) in &alias.routing {
            acc += w;
            if draw < acc {
                chosen = v;
                break;
            }
        }
        let v = self.state_machine_version(chosen)?;
        Ok(StartTarget {
            machine: v.machine.clone(),
            version_arn: Some(v.arn.clone()),
            alias_arn: Some(alias.arn),
        })
    }
}

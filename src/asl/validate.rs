//! Checks that depend on more than the definition's own syntax: what an `EXPRESS` state
//! machine may not use. Each returns [`Diagnostic`]s, as the parser does, so
//! `ValidateStateMachineDefinition` and `CreateStateMachine` report them alike.

use crate::asl::{Code, Definition, Diagnostic, StateKind};

/// What an `EXPRESS` state machine may not use, reported as `CreateStateMachine` reports it:
/// `.waitForTaskToken` and `.sync` integrations and activities. The texts are AWS's, recorded in
/// LocalStack's AWS-validated snapshot `test_sfn_api_express.snapshot.json`
/// (`test_illegal_callbacks`, `test_illegal_activity_task`); the one for `.waitForTaskToken`
/// really ends in a space.
pub(crate) fn express_violations(definition: &Definition) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    collect_express_violations(definition, "", &mut found);
    found
}

fn collect_express_violations(definition: &Definition, prefix: &str, found: &mut Vec<Diagnostic>) {
    for state in &definition.states {
        let location = format!("{prefix}/States/{}", state.name);
        match &state.kind {
            StateKind::Task(task) => {
                let r = task.resource.as_str();
                let message = if crate::arn::Arn::parse(r)
                    .is_some_and(|a| a.resource_type() == "activity")
                {
                    "Express state machine does not support Activity ARN"
                } else if r.ends_with(".waitForTaskToken") {
                    "Express state machine does not support '.waitForTaskToken' service integration "
                } else if r.ends_with(".sync") || r.contains(".sync:") {
                    "Express state machine does not support '.sync' service integration"
                } else {
                    continue;
                };
                found.push(Diagnostic::error(
                    Code::SchemaValidationFailed,
                    format!("{location}/Resource"),
                    message,
                ));
            }
            StateKind::Parallel(p) => {
                for (i, branch) in p.branches.iter().enumerate() {
                    collect_express_violations(branch, &format!("{location}/Branches/{i}"), found);
                }
            }
            StateKind::Map(m) => collect_express_violations(
                &m.processor,
                &format!("{location}/ItemProcessor"),
                found,
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod doc_example_13 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::asl::validate::express_violations;
        let def = crate::asl::parse_str(
            r#"{"StartAt":"T","States":{"T":{"Type":"Task",
            "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#,
        )
        .unwrap();
        let found = express_violations(&def);
        assert_eq!(found[0].location, "/States/T/Resource");
    }
}

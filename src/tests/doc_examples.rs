//! The doc examples of items the [`internals`](crate::internals) door no longer exports, as
//! unit tests: rustdoc runs examples as an outside crate, which cannot name crate-private
//! items. Each module is one example, named after the file and line it documented (the doc
//! there points here). `internals` below is the door as it was before it shrank, so the
//! examples read as they did.
#![allow(unused_imports)]

mod internals {
    pub(crate) use crate::account::{Account, AccountConfig};
    pub(crate) use crate::asl::env::Env;
    pub(crate) use crate::asl::StatesError;
    pub(crate) use crate::asl::{intrinsics, jsonata, path, payload};
    pub(crate) use crate::engine::task::{
        handler, BoxFuture, EngineHandle, EventFamily, Pattern, Resource, TaskHandler, TaskRequest,
    };
    pub(crate) use crate::engine::{
        ApiError, Engine, EngineConfig, ExecutionRecord, HistoryEvent, MachineType, OpenToken,
        Retained, Status,
    };
    pub(crate) use crate::integrations::lambda::{
        function, FunctionCall, LambdaEndpoint, LambdaFunction,
    };
    pub(crate) use crate::s3::{S3Error, S3};
    pub(crate) use crate::server::intercept;
    pub(crate) use crate::server::sfn_api::{SfnApi, SFN_OPERATIONS};
    pub(crate) use crate::server::sns_api::SnsApi;
    pub(crate) use crate::server::sqs_api::SQS_OPERATIONS;
    pub(crate) use crate::server::{JsonReply, JsonService, Router, Server};
    pub(crate) use crate::sns::{Publish, QueueDelivery, QueueMessage, Sns};
    pub(crate) use crate::sqs::{
        in_region, BatchFailure, BatchOutput, ChangeVisibilityEntry, CreateQueue, ErrorType,
        ListQueues, ListQueuesOutput, MessageAttributeValue, ReceiveMessage, ReceivedMessage,
        RedrivePolicy, SendMessage, SendMessageOutput, Sqs, SqsError,
    };
}

/// From the docs of `src/account.rs` (line 257).
mod account_257 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::LambdaEndpoint;
        use super::internals::{Account, AccountConfig};
        let account = Account::new(AccountConfig::default());
        account
            .lambda()
            .set_endpoint(Some(LambdaEndpoint::new("http://127.0.0.1:3001")));
    }
}

/// From the docs of `src/asl/env.rs` (line 10).
mod asl_env_10 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{intrinsics, Env};
        use rand::SeedableRng;
        use serde_json::json;

        let input = json!({ "name": "Ada" });
        let context = json!({ "Execution": { "Name": "run-1" } });
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let env = Env::new(&input, &context).with_rng(&mut rng);

        let call =
            intrinsics::parse("States.Format('{} in {}', $.name, $$.Execution.Name)").unwrap();
        assert_eq!(
            intrinsics::evaluate(&call, &env).unwrap(),
            json!("Ada in run-1")
        );
        assert_eq!(env.input(), &input);
        assert_eq!(env.variable("total"), None);
    }
}

/// From the docs of `src/asl/path.rs` (line 13).
mod asl_path_13 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{path::Path, Env};
        use serde_json::json;

        let p = Path::parse("$.order.items[0]").unwrap();
        let input = json!({ "order": { "items": ["a", "b"] } });
        assert_eq!(p.read(&Env::new(&input, &json!({}))).unwrap(), json!("a"));

        // ResultPath creates what is missing.
        let out = Path::parse("$.result.value")
            .unwrap()
            .set(json!({"x": 1}), json!(42))
            .unwrap();
        assert_eq!(out, json!({ "x": 1, "result": { "value": 42 } }));
    }
}

/// From the docs of `src/asl/path.rs` (line 35).
mod asl_path_35 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{path::Path, Env};
        use serde_json::json;

        let input = json!({ "items": [{ "id": 1 }, { "id": 2 }] });
        let context = json!({ "Execution": { "Name": "run-1" } });
        let env = Env::new(&input, &context);

        let first = Path::parse("$.items[0].id").unwrap();
        assert!(first.is_reference());
        assert_eq!(first.read(&env).unwrap(), json!(1));

        let all = Path::parse("$.items[*].id").unwrap(); // indefinite: reads as an array
        assert!(!all.is_definite());
        assert_eq!(all.read(&env).unwrap(), json!([1, 2]));

        let name = Path::parse("$$.Execution.Name").unwrap();
        assert!(name.is_context());
        assert_eq!(name.read(&env).unwrap(), json!("run-1"));

        assert!(Path::parse("items").is_err()); // a path starts with `$`
    }
}

/// From the docs of `src/asl/path.rs` (line 170).
mod asl_path_170 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::path::Path;
        assert_eq!(Path::parse("$total.sum").unwrap().variable(), Some("total"));
        assert_eq!(Path::parse("$.total").unwrap().variable(), None);
    }
}

/// From the docs of `src/asl/payload.rs` (line 65).
mod asl_payload_65 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::payload::reads_context;
        use serde_json::json;

        assert!(!reads_context(
            &json!({ "i": 1, "prev.$": "$", "n": { "a.$": "$.a" } })
        ));
        assert!(reads_context(
            &json!({ "t": [{ "id.$": "States.Format('{}', $$.Execution.Id)" }] })
        ));
    }
}

/// From the docs of `src/engine/activities.rs` (line 20).
mod engine_activities_20 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig};
    use sfn_harness::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        let a = engine.create_activity("resize").unwrap();
        assert_eq!(
            a.arn,
            "arn:aws:states:us-east-1:123456789012:activity:resize"
        );
        assert_eq!(engine.create_activity("resize").unwrap(), a); // idempotent
                                                                  // Nothing scheduled: the poll waits 60 s of (virtual) time, then answers no task.
        let poll = engine.get_activity_task(&a.arn, None);
        assert!(engine.clock().run_until(poll).await.unwrap().is_none());
        engine.delete_activity(&a.arn).unwrap();
        assert!(engine.describe_activity(&a.arn).is_err());
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/error.rs` (line 19).
mod engine_error_19 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::ApiError;

        let e = ApiError::execution_does_not_exist(
            "arn:aws:states:us-east-1:123456789012:execution:m:x",
        );
        assert_eq!(e.code(), "ExecutionDoesNotExist");
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.message(),
            "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:m:x'"
        );
        assert!(matches!(e, ApiError::ExecutionDoesNotExist(_)));

        let e = ApiError::ServiceException("the runtime is gone".into());
        assert_eq!((e.code(), e.status()), ("ServiceException", 500));
        assert_eq!(e.to_string(), "ServiceException: the runtime is gone");
    }
}

/// From the docs of `src/engine/error.rs` (line 109).
mod engine_error_109 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::ApiError;
        let e = ApiError::resource_type_not_valid("express");
        assert_eq!(
            e.message(),
            "Invalid Arn: 'Resource type not valid in this context: express'"
        );
    }
}

/// From the docs of `src/engine/execution.rs` (line 113).
mod engine_execution_113 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig, Status};
    use sfn_harness::time::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        let m = engine
            .create_state_machine(
                "fails",
                r#"{"StartAt":"F","States":{
    "F":{"Type":"Fail","Error":"Nope","Cause":"on purpose"}}}"#,
            )
            .unwrap();
        let exec = engine.start_execution(&m.arn, Some("e1"), None).unwrap();
        assert_eq!(engine.clock().run_until(exec.wait()).await, Status::Failed);
        assert_eq!(
            (exec.error().as_deref(), exec.cause().as_deref()),
            (Some("Nope"), Some("on purpose"))
        );
        let types: Vec<_> = exec
            .history()
            .iter()
            .map(|e| e.event_type.clone())
            .collect();
        assert_eq!(
            types,
            ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
        );
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/execution.rs` (line 274).
mod engine_execution_274 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig, Retained, Status};
    use sfn_harness::time::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        let m = engine
            .create_state_machine(
                "p",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            )
            .unwrap();
        let exec = engine.start_execution(&m.arn, None, None).unwrap();
        assert_eq!(
            engine.clock().run_until(exec.wait()).await,
            Status::Succeeded
        );
        tokio::task::yield_now().await;
        assert_eq!(
            exec.retained(),
            Retained {
                interpreter_task: false,
                interpreter_state: false
            }
        );
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/machine.rs` (line 31).
mod engine_machine_31 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{Engine, EngineConfig, MachineType};

        let engine = Engine::new(EngineConfig::default());
        let m = engine
            .create_state_machine(
                "hello",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            )
            .unwrap();
        assert_eq!(
            m.arn,
            "arn:aws:states:us-east-1:123456789012:stateMachine:hello"
        );
        assert_eq!(m.machine_type, MachineType::Standard);
        assert_eq!(m.definition.start_at, "P");
        assert_eq!(m.updated_ms, None);
    }
}

/// From the docs of `src/engine/map_runs.rs` (line 109).
mod engine_map_runs_109 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig, Status};
    use sfn_harness::time::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        let m = engine
            .create_state_machine(
                "fan",
                r#"{"StartAt":"M","States":{"M":{"Type":"Map",
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
    "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}"#,
            )
            .unwrap();
        let exec = engine
            .start_execution(&m.arn, Some("e1"), Some("[1, 2]"))
            .unwrap();
        assert_eq!(
            engine.clock().run_until(exec.wait()).await,
            Status::Succeeded
        );
        let runs = engine.list_map_runs(exec.arn()).unwrap();
        assert_eq!(runs[0].execution_counts().succeeded, 2);
        assert_eq!(runs[0].status().as_str(), "SUCCEEDED");
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/mod.rs` (line 8).
mod engine_mod_8 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig, Status};
    use serde_json::json;
    use sfn_harness::time::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        let machine = engine
            .create_state_machine(
                "hello",
                r#"{
    "StartAt": "Wait an hour",
    "States": {
        "Wait an hour": { "Type": "Wait", "Seconds": 3600, "Next": "Done" },
        "Done": { "Type": "Pass", "Result": { "greeting": "hi" }, "End": true }
    }
}"#,
            )
            .unwrap();
        let exec = engine
            .start_execution(&machine.arn, None, Some("{}"))
            .unwrap();
        // Drive virtual time until the execution ends: the hour passes at once.
        engine.clock().run_until(exec.wait()).await;
        assert_eq!(exec.status(), Status::Succeeded);
        assert_eq!(exec.output(), Some(json!({ "greeting": "hi" })));
        assert_eq!(exec.stop_ms().unwrap() - exec.start_ms(), 3_600_000);
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/mod.rs` (line 72).
mod engine_mod_72 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{Engine, EngineConfig};
        use sfn_harness::time::Clock;

        let config = EngineConfig {
            clock: Clock::virtual_at(1_700_000_000_000), // virtual time, from this instant
            seed: Some(7),                               // repeatable ids and tokens
            region: "eu-west-1".into(),
            ..EngineConfig::default()
        };
        let engine = Engine::new(config);
        let m = engine
            .create_state_machine(
                "m",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            )
            .unwrap();
        assert_eq!(
            m.arn,
            "arn:aws:states:eu-west-1:123456789012:stateMachine:m"
        );
        assert_eq!(m.created_ms, 1_700_000_000_000);
    }
}

/// From the docs of `src/engine/mod.rs` (line 209).
mod engine_mod_209 {
    #![allow(unused_imports)]
    use super::internals::{handler, TaskRequest};
    use super::internals::{ApiError, Engine, EngineConfig, Status};
    use serde_json::json;
    use sfn_harness::time::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        // A Task resource, answered in-process.
        engine.register_resource(
            "arn:aws:states:::test:double",
            handler(|req: TaskRequest| async move {
                Ok(json!({ "n": req.input["n"].as_i64().unwrap_or(0) * 2 }))
            }),
        );
        let m = engine
            .create_state_machine(
                "double",
                r#"{"StartAt":"D","States":{
    "D":{"Type":"Task","Resource":"arn:aws:states:::test:double","End":true}}}"#,
            )
            .unwrap();
        let exec = engine
            .start_execution(&m.arn, Some("first"), Some(r#"{"n":21}"#))
            .unwrap();
        assert_eq!(
            engine.clock().run_until(exec.wait()).await,
            Status::Succeeded
        );
        assert_eq!(exec.output(), Some(json!({ "n": 42 })));

        // The same name with other input is refused, as AWS refuses it.
        let again = engine.start_execution(&m.arn, Some("first"), Some(r#"{"n":1}"#));
        assert!(matches!(again, Err(ApiError::ExecutionAlreadyExists(_))));
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/mod.rs` (line 332).
mod engine_mod_332 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{handler, TaskRequest};
        use super::internals::{Engine, EngineConfig};
        use serde_json::json;
        let engine = Engine::new(EngineConfig::default());
        engine.register_resource_prefix(
            "arn:aws:lambda:",
            handler(|_r: TaskRequest| async { Ok(json!(1)) }),
        );
    }
}

/// From the docs of `src/engine/mod.rs` (line 570).
mod engine_mod_570 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{Engine, EngineConfig};

        let engine = Engine::new(EngineConfig::default());
        let m = engine
            .create_state_machine(
                "traced",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            )
            .unwrap();
        assert_eq!(
            m.tracing_configuration,
            serde_json::json!({ "enabled": false })
        );
        let m = engine
            .set_tracing_configuration(&m.arn, serde_json::json!({ "enabled": true }), true)
            .unwrap();
        assert_eq!(m.tracing_configuration["enabled"], true);
        assert!(
            m.updated_ms.is_some(),
            "a changed setting on an update is a revision"
        );
    }
}

/// From the docs of `src/engine/task.rs` (line 76).
mod engine_task_76 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{Pattern, Resource};
        let r = Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        assert_eq!(r.base, "arn:aws:states:::sqs:sendMessage");
        assert_eq!(r.pattern, Pattern::WaitForTaskToken);
        assert_eq!(
            (r.resource_type.as_str(), r.resource.as_str()),
            ("sqs", "sendMessage.waitForTaskToken")
        );
        let r = Resource::parse("arn:aws:states:::aws-sdk:sfn:startExecution");
        assert_eq!(
            (r.resource_type.as_str(), r.resource.as_str()),
            ("aws-sdk:sfn", "startExecution")
        );
    }
}

/// From the docs of `src/engine/task.rs` (line 126).
mod engine_task_126 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::Resource;
        let r = Resource::parse("arn:aws:states:us-east-1:123456789012:activity:resize");
        assert_eq!(r.type_key().as_deref(), Some("arn:aws:states:::activity"));
        assert_eq!(
            Resource::parse("arn:aws:states:::sqs:sendMessage").type_key(),
            None
        );
    }
}

/// From the docs of `src/engine/task.rs` (line 221).
mod engine_task_221 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{handler, EventFamily, Resource, TaskRequest};
        use serde_json::json;
        let h = handler(|_req: TaskRequest| async { Ok(json!(1)) });
        assert_eq!(
            h.event_family(&Resource::parse("arn:aws:states:::sqs:sendMessage")),
            EventFamily::Task
        );
    }
}

/// From the docs of `src/engine/test_state.rs` (line 19).
mod engine_test_state_19 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig};
    use crate::engine::test_state::TestStateRequest;
    use serde_json::json;
    use sfn_harness::TestStatus;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let engine = Engine::new(EngineConfig::default());
        let mut req =
            TestStateRequest::new(r#"{"Type":"Pass","Parameters":{"n.$":"$.x"},"Next":"After"}"#);
        req.input = Some(r#"{"x": 1}"#.into());
        req.inspection_level = sfn_harness::InspectionLevel::Debug;
        let out = engine.test_state(req).await.unwrap();
        assert_eq!(out.status, TestStatus::Succeeded);
        assert_eq!(out.output, Some(json!({ "n": 1 })));
        assert_eq!(out.next_state.as_deref(), Some("After"));
        assert_eq!(out.inspection_data["afterParameters"], json!({ "n": 1 }));
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/engine/versions.rs` (line 12).
mod engine_versions_12 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig};

    #[tokio::main(flavor = "current_thread")]
    async fn main() -> Result<(), super::internals::ApiError> {
        let engine = Engine::new(EngineConfig::default());
        let m = engine.create_state_machine(
            "m",
            r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
        )?;
        let v1 = engine.publish_state_machine_version(&m.arn, None, None)?;
        assert_eq!(v1.arn, format!("{}:1", m.arn));
        let alias = engine.create_state_machine_alias("live", None, &[(v1.arn.clone(), 100)])?;
        let exec = engine.start_execution(&alias.arn, None, None)?;
        assert_eq!(exec.state_machine_version_arn(), Some(v1.arn.as_str()));
        assert_eq!(exec.state_machine_alias_arn(), Some(alias.arn.as_str()));
        Ok(())
    }

    #[test]
    fn example() -> Result<(), super::internals::ApiError> {
        main()
    }
}

/// From the docs of `src/integrations/activity.rs` (line 10).
mod integrations_activity_10 {
    #![allow(unused_imports)]
    use super::internals::{Account, AccountConfig};
    use serde_json::json;
    use sfn_harness::Clock;
    use std::sync::Arc;

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let account = Account::new(AccountConfig {
            clock: Clock::virtual_at(0),
            ..AccountConfig::default()
        });
        let engine = account.engine().clone();
        let activity = engine.create_activity("resize").unwrap();
        let definition = json!({"StartAt": "Resize", "States": {
    "Resize": {"Type": "Task", "Resource": activity.arn, "End": true}}});
        engine
            .create_state_machine("m", &definition.to_string())
            .unwrap();
        let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
        let record = engine
            .start_execution(machine, None, Some(r#"{"px": 64}"#))
            .unwrap();
        let task = engine
            .get_activity_task(&activity.arn, Some("worker-1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(task.input, r#"{"px":64}"#);
        engine
            .send_task_success(&task.token, r#"{"done": true}"#)
            .unwrap();
        record.wait().await;
        assert_eq!(record.output(), Some(json!({"done": true})));
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/s3/mod.rs` (line 11).
mod s3_mod_11 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{S3Error, S3};
        use sfn_harness::time::Clock;

        let s3 = S3::new(Clock::virtual_at(0));
        s3.create_bucket("data").unwrap();
        let put = s3
            .put_object("data", "items.json", b"[1,2]".to_vec(), None)
            .unwrap();
        assert_eq!(put.etag, "\"f79408e5ca998cd53faf44af31e6eb45\""); // the MD5 of the body, quoted
        assert_eq!(s3.get_object("data", "items.json").unwrap().body, b"[1,2]");
        assert!(matches!(
            s3.get_object("data", "nope"),
            Err(S3Error::NoSuchKey(_))
        ));
        assert!(matches!(
            s3.get_object("other", "x"),
            Err(S3Error::NoSuchBucket(_))
        ));
    }
}

/// From the docs of `src/s3/mod.rs` (line 55).
mod s3_mod_55 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::S3Error;
        assert_eq!(S3Error::NoSuchKey("k".into()).code(), "NoSuchKey");
        assert_eq!(S3Error::NoSuchKey("k".into()).status(), 404);
    }
}

/// From the docs of `src/server/intercept.rs` (line 11).
mod server_intercept_11 {
    #![allow(unused_imports)]
    use super::internals::intercept::{After, Before, Call, Decision, Interceptor, Outcome};
    use super::internals::{BoxFuture, JsonReply, Router};
    use sfn_harness::time::Clock;
    use std::sync::Arc;

    /// Throttles every `ListQueues`.
    struct Throttle;
    impl Interceptor for Throttle {
        fn before<'a>(&'a self, call: &'a Call<'a>) -> Decision<'a, Before> {
            if call.operation() == Some("ListQueues") {
                Decision::Now(Before::Reply(JsonReply::error(
                    400,
                    "ThrottlingException",
                    "Rate exceeded",
                )))
            } else {
                // A decision may also wait: this one yields once first.
                Decision::Later(Box::pin(async {
                    tokio::task::yield_now().await;
                    Before::Continue
                }))
            }
        }
        fn after<'a>(&'a self, _call: &'a Call<'a>, _reply: &'a JsonReply) -> Decision<'a, After> {
            Decision::Now(After::Send)
        }
    }

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let router = Router::new(Clock::real()).with_interceptor(Arc::new(Throttle));
        let Outcome::Reply(reply) = router.call(Some("AmazonSQS.ListQueues"), b"{}").await else {
            panic!("a reply was expected");
        };
        assert_eq!(reply.status, 400);
        let Outcome::Reply(reply) = router.call(Some("AmazonSQS.ListQueues2"), b"{}").await else {
            panic!("a reply was expected");
        };
        assert_eq!(reply.status, 400, "an unknown operation, let through");
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/server/mod.rs` (line 17).
mod server_mod_17 {
    #![allow(unused_imports)]
    use super::internals::Sqs;
    use super::internals::{BoxFuture, JsonReply, JsonService, Router, Server};
    use sfn_harness::time::Clock;
    use std::sync::Arc;

    /// A stand-in Step Functions API that knows one operation.
    struct Sfn;
    impl JsonService for Sfn {
        fn call<'a>(&'a self, operation: &'a str, _body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
            Box::pin(async move {
                match operation {
                    "ListStateMachines" => {
                        JsonReply::ok(&serde_json::json!({ "stateMachines": [] }))
                    }
                    _ => JsonReply::unknown_operation(operation),
                }
            })
        }
    }

    #[tokio::main(flavor = "current_thread")]
    async fn main() -> std::io::Result<()> {
        let clock = Clock::real();
        let sqs = Arc::new(Sqs::new(
            clock.clone(),
            "123456789012",
            "us-east-1",
            "http://placeholder",
        ));
        let router = Router::new(clock)
            .with_sqs(sqs.clone())
            .with_service("AWSStepFunctions", Arc::new(Sfn));
        let server = Server::start(router)?;
        assert!(server.url().starts_with("http://127.0.0.1:"));
        // Queue URLs now point at the server.
        let url = sqs
            .create_queue(super::internals::CreateQueue {
                queue_name: "q".into(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(url, format!("{}/123456789012/q", server.url()));

        // The router can also be driven without HTTP.
        let reply = server
            .router()
            .handle(Some("AWSStepFunctions.ListStateMachines"), b"{}")
            .await;
        assert_eq!(reply.status, 200);
        server.shutdown().await;
        Ok(())
    }

    #[test]
    fn example() -> std::io::Result<()> {
        main()
    }
}

/// From the docs of `src/server/sfn_api/mod.rs` (line 91).
mod server_sfn_api_mod_91 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::SFN_OPERATIONS;
        assert!(SFN_OPERATIONS
            .iter()
            .any(|op| op.name() == "StartExecution"));
    }
}

/// From the docs of `src/server/sfn_api/mod.rs` (line 175).
mod server_sfn_api_mod_175 {
    #![allow(unused_imports)]
    use super::internals::{Engine, EngineConfig};
    use super::internals::{JsonService, SfnApi};

    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let api = SfnApi::new(Engine::new(EngineConfig::default()));
        let reply = api.call("ListStateMachines", b"{}").await;
        assert_eq!(reply.status, 200);
        let reply = api.call("CreateMapRun", b"{}").await;
        assert!(String::from_utf8_lossy(&reply.body).contains("UnknownOperationException"));
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/server/sns_api/mod.rs` (line 32).
mod server_sns_api_mod_32 {
    #![allow(unused_imports)]
    use super::internals::JsonService;
    use super::internals::SnsApi;
    use super::internals::{QueueDelivery, QueueMessage, Sns};
    use sfn_harness::time::Clock;
    use std::sync::Arc;

    #[derive(Debug)]
    struct Nowhere;
    impl QueueDelivery for Nowhere {
        fn deliver(&self, _: &str, _: QueueMessage) -> Result<(), String> {
            Ok(())
        }
    }
    #[tokio::main(flavor = "current_thread")]
    async fn main() {
        let api = SnsApi::new(Arc::new(Sns::new(
            Clock::real(),
            "123456789012",
            "us-east-1",
            Arc::new(Nowhere),
        )));
        let reply = api.call("CreateTopic", br#"{"Name":"t"}"#).await;
        assert_eq!(
            String::from_utf8_lossy(&reply.body),
            r#"{"TopicArn":"arn:aws:sns:us-east-1:123456789012:t"}"#
        );
        let reply = api
            .call(
                "Publish",
                br#"{"TopicArn":"arn:aws:sns:us-east-1:123456789012:nope","Message":"m"}"#,
            )
            .await;
        assert_eq!(reply.status, 404);
    }

    #[test]
    fn example() {
        main()
    }
}

/// From the docs of `src/sns/mod.rs` (line 19).
mod sns_mod_19 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{Publish, QueueDelivery, QueueMessage, Sns};
        use sfn_harness::time::Clock;
        use std::sync::{Arc, Mutex};

        #[derive(Debug, Default)]
        struct Inbox(Mutex<Vec<(String, QueueMessage)>>);
        impl QueueDelivery for Inbox {
            fn deliver(&self, queue_arn: &str, message: QueueMessage) -> Result<(), String> {
                self.0
                    .lock()
                    .unwrap()
                    .push((queue_arn.to_string(), message));
                Ok(())
            }
        }

        let inbox = Arc::new(Inbox::default());
        let sns = Sns::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            inbox.clone(),
        );
        let topic = sns.create_topic("orders", Default::default()).unwrap();
        assert_eq!(topic, "arn:aws:sns:us-east-1:123456789012:orders");
        sns.subscribe(
            &topic,
            "sqs",
            "arn:aws:sqs:us-east-1:123456789012:q",
            Default::default(),
        )
        .unwrap();
        let out = sns
            .publish(Publish {
                topic_arn: topic.clone(),
                message: "hi".into(),
                ..Default::default()
            })
            .unwrap();
        let got = inbox.0.lock().unwrap();
        let envelope: serde_json::Value = serde_json::from_str(&got[0].1.body).unwrap();
        assert_eq!(envelope["Type"], "Notification");
        assert_eq!(envelope["Message"], "hi");
        assert_eq!(envelope["MessageId"], out.message_id.as_str());
    }
}

/// From the docs of `src/sqs/error.rs` (line 28).
mod sqs_error_28 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{ErrorType, SqsError};

        assert_eq!(SqsError::QueueDoesNotExist.error_type(), ErrorType::Sender);
        assert_eq!(ErrorType::for_status(503), ErrorType::Receiver);
        assert_eq!(ErrorType::Sender.to_string(), "Sender");
    }
}

/// From the docs of `src/sqs/error.rs` (line 65).
mod sqs_error_65 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{ErrorType, Sqs, SqsError};
        use sfn_harness::time::Clock;

        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        );
        let e = sqs.get_queue_url("missing", None).unwrap_err();
        assert_eq!(e, SqsError::QueueDoesNotExist);
        assert_eq!(e.to_string(), "The specified queue does not exist.");
        assert_eq!(e.aws_type(), "com.amazonaws.sqs#QueueDoesNotExist");
        assert_eq!(e.query_code(), "AWS.SimpleQueueService.NonExistentQueue");
        assert_eq!((e.error_type(), e.status()), (ErrorType::Sender, 400));
    }
}

/// From the docs of `src/sqs/message.rs` (line 20).
mod sqs_message_20 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::MessageAttributeValue;

        let n = MessageAttributeValue::number("42");
        assert_eq!(
            (n.data_type.as_str(), n.string_value.as_deref()),
            ("Number", Some("42"))
        );
        let b = MessageAttributeValue::binary(vec![0, 1]);
        assert!(b.is_binary());
        assert_eq!(b.binary_base64().as_deref(), Some("AAE="));
        // A custom label after the type keeps it binary.
        let labelled = MessageAttributeValue {
            data_type: "Binary.png".into(),
            ..b
        };
        assert!(labelled.is_binary());
    }
}

/// From the docs of `src/sqs/mod.rs` (line 10).
mod sqs_mod_10 {
    #![allow(unused_imports)]
    use super::internals::{CreateQueue, ReceiveMessage, SendMessage, Sqs};
    use sfn_harness::time::Clock;
    use std::time::Duration;

    #[tokio::main(flavor = "current_thread")]
    async fn main() -> Result<(), super::internals::SqsError> {
        let clock = Clock::virtual_at(1_700_000_000_000);
        let sqs = Sqs::new(
            clock.clone(),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:4566",
        );
        let url = sqs.create_queue(CreateQueue {
            queue_name: "jobs".into(),
            ..Default::default()
        })?;
        assert_eq!(url, "http://127.0.0.1:4566/123456789012/jobs");

        let sent = sqs.send_message(&url, SendMessage::body("hello"))?;
        assert_eq!(sent.md5_of_message_body, "5d41402abc4b2a76b9719d911017c592");

        let receive = ReceiveMessage {
            queue_url: url.clone(),
            visibility_timeout: Some(30),
            message_system_attribute_names: vec!["ApproximateReceiveCount".into()],
            ..Default::default()
        };
        let first = sqs.receive_message(receive.clone()).await?;
        assert_eq!(first[0].attribute("ApproximateReceiveCount"), Some("1"));
        // Invisible for 30 s: nothing now…
        assert!(sqs.receive_message(receive.clone()).await?.is_empty());
        // …and redelivered once the visibility timeout has passed on the clock.
        clock.advance(Duration::from_secs(31)).await;
        let again = sqs.receive_message(receive).await?;
        assert_eq!(again[0].attribute("ApproximateReceiveCount"), Some("2"));
        sqs.delete_message(&url, &again[0].receipt_handle)?;
        Ok(())
    }

    #[test]
    fn example() -> Result<(), super::internals::SqsError> {
        main()
    }
}

/// From the docs of `src/sqs/mod.rs` (line 112).
mod sqs_mod_112 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::{CreateQueue, Sqs, SqsError};
        use sfn_harness::time::Clock;

        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        );
        let url = sqs.create_queue(CreateQueue {
            queue_name: "jobs.fifo".into(),
            ..Default::default()
        });
        // A FIFO queue needs `FifoQueue=true`, as in AWS.
        assert!(matches!(url, Err(SqsError::InvalidParameterValue(_))));
        let url = sqs.get_queue_url("jobs", None);
        assert_eq!(url, Err(SqsError::QueueDoesNotExist));
        assert_eq!(
            sqs.queue_arn("jobs"),
            "arn:aws:sqs:us-east-1:123456789012:jobs"
        );
    }
}

/// From the docs of `src/sqs/mod.rs` (line 300).
mod sqs_mod_300 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        use super::internals::Sqs;
        use sfn_harness::time::Clock;
        let sqs = Sqs::new(Clock::real(), "123456789012", "us-east-1", "http://h");
        assert_eq!(
            sqs.queue_url_of_arn("arn:aws:sqs:us-east-1:123456789012:q")
                .as_deref(),
            Some("http://h/123456789012/q")
        );
        assert_eq!(
            sqs.queue_url_of_arn("arn:aws:sqs:us-east-1:999999999999:q"),
            None
        );
    }
}

/// From the docs of `src/sqs/move_tasks.rs` (line 50).
mod sqs_move_tasks_50 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        let run = || {
            use super::internals::{CreateQueue, RedrivePolicy, SendMessage, Sqs};
            use sfn_harness::time::Clock;

            let sqs = Sqs::new(
                Clock::virtual_at(0),
                "123456789012",
                "us-east-1",
                "http://h",
            );
            let dlq = sqs.create_queue(CreateQueue {
                queue_name: "dlq".into(),
                ..Default::default()
            })?;
            let policy = RedrivePolicy {
                dead_letter_target_arn: sqs.queue_arn("dlq"),
                max_receive_count: 1,
            };
            sqs.create_queue(CreateQueue {
                queue_name: "jobs".into(),
                attributes: [("RedrivePolicy".to_string(), policy.to_json())].into(),
                ..Default::default()
            })?;
            sqs.send_message(&dlq, SendMessage::body("stuck"))?;
            let other = sqs.create_queue(CreateQueue {
                queue_name: "other".into(),
                ..Default::default()
            })?;
            sqs.start_message_move_task(
                &sqs.queue_arn("dlq"),
                Some(&sqs.queue_arn("other")),
                None,
            )?;
            let tasks = sqs.list_message_move_tasks(&sqs.queue_arn("dlq"), None)?;
            assert_eq!(
                (
                    tasks[0].status.as_str(),
                    tasks[0].approximate_number_of_messages_moved
                ),
                ("COMPLETED", 1)
            );
            let _ = other;
            Ok::<(), super::internals::SqsError>(())
        };
        run().unwrap();
    }
}

/// From the docs of `src/sqs/queue.rs` (line 67).
mod sqs_queue_67 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        let run = || {
            use super::internals::{CreateQueue, RedrivePolicy, Sqs, SqsError};
            use sfn_harness::time::Clock;

            let sqs = Sqs::new(
                Clock::virtual_at(0),
                "123456789012",
                "us-east-1",
                "http://127.0.0.1:1",
            );
            let dlq = sqs.create_queue(CreateQueue {
                queue_name: "dead".into(),
                ..Default::default()
            })?;
            let policy = RedrivePolicy {
                dead_letter_target_arn: sqs.queue_arn("dead"),
                max_receive_count: 3,
            };
            let jobs = sqs.create_queue(CreateQueue {
                queue_name: "jobs".into(),
                attributes: [("RedrivePolicy".to_string(), policy.to_json())].into(),
                ..Default::default()
            })?;
            assert_eq!(sqs.list_dead_letter_source_queues(&dlq)?, [jobs]);
            Ok::<(), SqsError>(())
        };
        run().unwrap();
    }
}

/// From the docs of `src/sqs/region.rs` (line 14).
mod sqs_region_14 {
    #![allow(unused_imports)]
    use super::internals::{in_region, CreateQueue, Sqs};
    use sfn_harness::time::Clock;

    #[tokio::main(flavor = "current_thread")]
    async fn main() -> Result<(), super::internals::SqsError> {
        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://h",
        );
        let q = || CreateQueue {
            queue_name: "jobs".into(),
            ..Default::default()
        };
        let east = sqs.create_queue(q())?;
        let west = in_region("us-west-2".into(), async { sqs.create_queue(q()) }).await?;
        assert_eq!(east, "http://h/123456789012/jobs");
        assert_eq!(west, "http://h/queue/us-west-2/123456789012/jobs");
        let arn = in_region("us-west-2".into(), async { sqs.queue_arn("jobs") }).await;
        assert_eq!(arn, "arn:aws:sqs:us-west-2:123456789012:jobs");
        Ok(())
    }

    #[test]
    fn example() -> Result<(), super::internals::SqsError> {
        main()
    }
}

/// From the docs of `src/sqs/types.rs` (line 12).
mod sqs_types_12 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        let run = || {
            use super::internals::*;
            use sfn_harness::time::Clock;
            let sqs = Sqs::new(
                Clock::virtual_at(0),
                "123456789012",
                "us-east-1",
                "http://127.0.0.1:1",
            );
            let url = sqs.create_queue(CreateQueue {
                queue_name: "orders.fifo".into(),
                attributes: [
                    ("FifoQueue".to_string(), "true".to_string()),
                    ("ContentBasedDeduplication".to_string(), "true".to_string()),
                ]
                .into(),
                ..Default::default()
            })?;
            let mut m = SendMessage::body("one");
            m.message_group_id = Some("customer-1".into());
            let first = sqs.send_message(&url, m.clone())?;
            // The same body again within five minutes: accepted, deduplicated.
            assert_eq!(sqs.send_message(&url, m)?.message_id, first.message_id);
            Ok::<(), SqsError>(())
        };
        run().unwrap();
    }
}

/// From the docs of `src/sqs/types.rs` (line 44).
mod sqs_types_44 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        let run = || {
            use super::internals::*;
            use sfn_harness::time::Clock;
            let sqs = Sqs::new(
                Clock::virtual_at(0),
                "123456789012",
                "us-east-1",
                "http://127.0.0.1:1",
            );
            for name in ["a1", "a2", "b1"] {
                sqs.create_queue(CreateQueue {
                    queue_name: name.into(),
                    ..Default::default()
                })?;
            }
            let page = |next_token| ListQueues {
                queue_name_prefix: Some("a".into()),
                max_results: Some(1),
                next_token,
            };
            let first = sqs.list_queues(page(None))?;
            assert_eq!(first.queue_urls, ["http://127.0.0.1:1/123456789012/a1"]);
            let second = sqs.list_queues(page(first.next_token))?;
            assert_eq!(second.queue_urls, ["http://127.0.0.1:1/123456789012/a2"]);
            assert_eq!(second.next_token, None);
            Ok::<(), SqsError>(())
        };
        run().unwrap();
    }
}

/// From the docs of `src/sqs/types.rs` (line 85).
mod sqs_types_85 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        let run = || {
            use super::internals::*;
            use sfn_harness::time::Clock;
            let sqs = Sqs::new(
                Clock::virtual_at(0),
                "123456789012",
                "us-east-1",
                "http://127.0.0.1:1",
            );
            let url = sqs.create_queue(CreateQueue {
                queue_name: "jobs".into(),
                ..Default::default()
            })?;
            let mut m = SendMessage::body("resize photo 7");
            m.delay_seconds = Some(10);
            m.message_attributes
                .insert("size".into(), MessageAttributeValue::number("640"));
            let sent = sqs.send_message(&url, m)?;
            assert_eq!(sent.md5_of_message_body.len(), 32);
            assert!(sent.md5_of_message_attributes.is_some());
            // Delayed: invisible for its first ten seconds.
            let delayed = ["ApproximateNumberOfMessagesDelayed".to_string()];
            assert_eq!(sqs.get_queue_attributes(&url, &delayed)?[0].1, "1");
            Ok::<(), SqsError>(())
        };
        run().unwrap();
    }
}

/// From the docs of `src/sqs/types.rs` (line 153).
mod sqs_types_153 {
    #![allow(unused_imports)]
    use super::internals::*;
    use sfn_harness::time::Clock;
    #[tokio::main(flavor = "current_thread")]
    async fn main() -> Result<(), SqsError> {
        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        );
        let url = sqs.create_queue(CreateQueue {
            queue_name: "jobs".into(),
            ..Default::default()
        })?;
        let mut m = SendMessage::body("hello");
        m.message_attributes
            .insert("lang".into(), MessageAttributeValue::string("en"));
        m.message_attributes
            .insert("trace".into(), MessageAttributeValue::string("t-1"));
        sqs.send_message(&url, m)?;
        let got = sqs
            .receive_message(ReceiveMessage {
                queue_url: url.clone(),
                max_number_of_messages: Some(10),
                wait_time_seconds: Some(20), // a long poll: it returns at once when a message is there
                message_system_attribute_names: vec!["SentTimestamp".into()],
                message_attribute_names: vec!["lang".into()],
                ..Default::default()
            })
            .await?;
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].message_attributes.keys().collect::<Vec<_>>(),
            ["lang"]
        );
        assert_eq!(got[0].attribute("SentTimestamp"), Some("0"));
        Ok(())
    }

    #[test]
    fn example() -> Result<(), SqsError> {
        main()
    }
}

/// From the docs of `src/sqs/types.rs` (line 202).
mod sqs_types_202 {
    #![allow(unused_imports)]
    use super::internals::*;
    use sfn_harness::time::Clock;
    #[tokio::main(flavor = "current_thread")]
    async fn main() -> Result<(), SqsError> {
        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        );
        let url = sqs.create_queue(CreateQueue {
            queue_name: "jobs".into(),
            ..Default::default()
        })?;
        sqs.send_message(&url, SendMessage::body("job"))?;
        let receive = ReceiveMessage {
            queue_url: url.clone(),
            message_system_attribute_names: vec!["All".into()],
            ..Default::default()
        };
        let m = sqs.receive_message(receive.clone()).await?.remove(0);
        assert_eq!(
            (m.body.as_str(), m.attribute("ApproximateReceiveCount")),
            ("job", Some("1"))
        );
        sqs.delete_message(&url, &m.receipt_handle)?;
        assert!(sqs.receive_message(receive).await?.is_empty());
        Ok(())
    }

    #[test]
    fn example() -> Result<(), SqsError> {
        main()
    }
}

/// From the docs of `src/sqs/types.rs` (line 263).
mod sqs_types_263 {
    #![allow(unused_imports)]
    #[test]
    fn example() {
        let run = || {
            use super::internals::*;
            use sfn_harness::time::Clock;
            let sqs = Sqs::new(
                Clock::virtual_at(0),
                "123456789012",
                "us-east-1",
                "http://127.0.0.1:1",
            );
            let url = sqs.create_queue(CreateQueue {
                queue_name: "jobs".into(),
                ..Default::default()
            })?;
            let out = sqs.send_message_batch(
                &url,
                vec![
                    ("ok".into(), SendMessage::body("fine")),
                    ("bad".into(), SendMessage::body("")), // an empty body is refused
                ],
            )?;
            assert_eq!(out.successful[0].0, "ok");
            assert_eq!(
                (out.failed[0].id.as_str(), out.failed[0].sender_fault),
                ("bad", true)
            );
            Ok::<(), SqsError>(())
        };
        run().unwrap();
    }
}

/// From the docs of `src/sqs/types.rs` (line 289).
mod sqs_types_289 {
    #![allow(unused_imports)]
    use super::internals::*;
    use sfn_harness::time::Clock;
    #[tokio::main(flavor = "current_thread")]
    async fn main() -> Result<(), SqsError> {
        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        );
        let url = sqs.create_queue(CreateQueue {
            queue_name: "jobs".into(),
            ..Default::default()
        })?;
        sqs.send_message(&url, SendMessage::body("job"))?;
        let receive = ReceiveMessage {
            queue_url: url.clone(),
            ..Default::default()
        };
        let m = sqs.receive_message(receive.clone()).await?.remove(0);
        let entry = ChangeVisibilityEntry {
            id: "1".into(),
            receipt_handle: m.receipt_handle,
            visibility_timeout: 0, // visible again at once
        };
        let out = sqs.change_message_visibility_batch(&url, vec![entry])?;
        assert!(out.failed.is_empty());
        assert_eq!(sqs.receive_message(receive).await?[0].body, "job");
        Ok(())
    }

    #[test]
    fn example() -> Result<(), SqsError> {
        main()
    }
}

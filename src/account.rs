//! The composition root: one fake AWS account, with everything wired together.
//!
//! An [`Account`] builds, from one [`AccountConfig`], the pieces every entry point needs: the
//! [clock](crate::time::Clock), the Step Functions [engine](crate::engine::Engine), the
//! [SQS](crate::sqs::Sqs), [S3](crate::s3::S3) and [SNS](crate::sns::Sns) services, the [integrations](crate::integrations) registered on the
//! engine, and the HTTP [router](crate::server::Router) that serves both APIs. The
//! [`Harness`](crate::Harness), `sfn-harness serve` and the conformance tests all build their
//! world here, so a new integration or service is wired in exactly one place.
//!
//! ```
//! use sfn_harness::internals::{Account, AccountConfig};
//! use sfn_harness::Clock;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let account = Account::new(AccountConfig { clock: Clock::virtual_at(0), ..AccountConfig::default() });
//! let router = account.router();
//! let reply = router.handle(Some("AWSStepFunctions.ListStateMachines"), b"{}").await;
//! assert_eq!(reply.status, 200);
//! let reply = router.handle(Some("AmazonSQS.ListQueues"), b"{}").await;
//! assert_eq!(reply.status, 200);
//! # }
//! ```

use std::sync::Arc;

use crate::engine::{Engine, EngineConfig};
use crate::integrations::activity::{ActivityIntegration, ACTIVITY};
use crate::integrations::http::{HttpIntegration, INVOKE as HTTP_INVOKE};
use crate::integrations::lambda::{LambdaEndpoint, LambdaIntegration, FUNCTION_ARN_PREFIX, INVOKE};
use crate::integrations::s3::{S3Integration, MAP_RESOURCES, SDK_S3_PREFIX};
use crate::integrations::sns::{SnsIntegration, PUBLISH};
use crate::integrations::sqs::{SqsIntegration, SEND_MESSAGE};
use crate::integrations::states::{
    SdkTaskAnswer, StatesIntegration, SDK_SEND_TASK_FAILURE, SDK_SEND_TASK_HEARTBEAT,
    SDK_SEND_TASK_SUCCESS, SDK_START_EXECUTION, START_EXECUTION,
};
use crate::mock_config::MockConfig;
use crate::s3::S3;
use crate::server::sfn_api::SfnApi;
use crate::server::sns_api::{SnsApi, SNS_TARGET_PREFIX};
use crate::server::{Router, SFN_TARGET_PREFIX};
use crate::sns::{QueueDelivery, QueueMessage, Sns};
use crate::sqs::{MessageAttributeValue, SendMessage, Sqs};
use crate::time::Clock;

/// Salt for the SQS id stream of a seeded account, so message ids do not repeat the engine's
/// execution names.
const SQS_SEED_SALT: u64 = 0x0053_5153;

/// Salt for the SNS id stream of a seeded account.
const SNS_SEED_SALT: u64 = 0x0053_4e53;

/// SNS's delivery port, plugged into the account's SQS: a subscribed queue gets the message
/// as SNS sends it (its attributes as SQS message attributes, FIFO group and deduplication ids).
#[derive(Debug)]
struct SqsDelivery(Arc<Sqs>);

impl QueueDelivery for SqsDelivery {
    fn deliver(&self, queue_arn: &str, m: QueueMessage) -> Result<(), String> {
        let url = self
            .0
            .queue_url_of_arn(queue_arn)
            .ok_or_else(|| format!("{queue_arn} is not a queue of this account"))?;
        let message_attributes = m
            .message_attributes
            .into_iter()
            .map(|(k, a)| {
                // SQS knows String, Number and Binary; SNS's String.Array travels as a String.
                let data_type = if a.data_type == "String.Array" {
                    "String".to_string()
                } else {
                    a.data_type
                };
                let v = MessageAttributeValue {
                    data_type,
                    string_value: a.string_value,
                    binary_value: a.binary_value,
                };
                (k, v)
            })
            .collect();
        let fifo = url.ends_with(".fifo");
        self.0
            .send_message(
                &url,
                SendMessage {
                    message_body: m.body,
                    message_attributes,
                    message_group_id: m.message_group_id.filter(|_| fifo),
                    message_deduplication_id: m.message_deduplication_id.filter(|_| fifo),
                    ..SendMessage::default()
                },
            )
            .map(|_| ())
            .map_err(|e| e.message())
    }
}

/// How an account is set up.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
/// use sfn_harness::Clock;
///
/// let account = Account::new(AccountConfig {
///     clock: Clock::virtual_at(1_700_000_000_000),
///     seed: Some(7),
///     region: "eu-west-1".into(),
///     lambda_endpoint: Some("http://127.0.0.1:3001".into()),
///     ..AccountConfig::default()
/// });
/// let m = account.engine()
///     .create_state_machine("m", r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
///     .unwrap();
/// assert_eq!(m.arn, "arn:aws:states:eu-west-1:123456789012:stateMachine:m");
/// ```
#[derive(Debug, Clone)]
pub struct AccountConfig {
    /// The clock every service reads.
    pub clock: Clock,
    /// A seed for every id (execution names, task tokens, SQS message ids); `None` for OS
    /// randomness.
    pub seed: Option<u64>,
    /// The account id in ARNs and queue URLs.
    pub account_id: String,
    /// The region in ARNs, events and queue URLs.
    pub region: String,
    /// A Lambda endpoint serving the Invoke REST API (`sam local start-lambda`, a Lambda
    /// emulator): Lambda Tasks of functions nobody registered in-process are invoked there.
    pub lambda_endpoint: Option<String>,
    /// A Step Functions Local mock configuration: StartExecution on
    /// `<stateMachineArn>#<TestCase>` runs that test case's mocked responses.
    pub mock_config: Option<MockConfig>,
}

impl Default for AccountConfig {
    fn default() -> Self {
        AccountConfig {
            clock: Clock::real(),
            seed: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            lambda_endpoint: None,
            mock_config: None,
        }
    }
}

impl AccountConfig {
    /// The default execution role of state machines created without one.
    pub(crate) fn role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/sfn-harness", self.account_id)
    }
}

/// One fake AWS account: the engine, the services and the integrations between them.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let account = Account::new(AccountConfig::default());
/// let reply = account.router().handle(Some("AmazonSQS.CreateQueue"), br#"{"QueueName":"jobs"}"#).await;
/// assert_eq!(reply.status, 200);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Account {
    clock: Clock,
    engine: Engine,
    sqs: Arc<Sqs>,
    s3: Arc<S3>,
    sns: Arc<Sns>,
    lambda: Arc<LambdaIntegration>,
}

impl Account {
    /// Builds an account and registers every integration on its engine.
    pub fn new(config: AccountConfig) -> Account {
        Account::with_role(config.clone(), config.role_arn())
    }

    /// Builds an account whose state machines default to `role_arn`.
    pub(crate) fn with_role(config: AccountConfig, role_arn: String) -> Account {
        let clock = config.clock.clone();
        let engine = Engine::new(EngineConfig {
            clock: clock.clone(),
            seed: config.seed,
            account_id: config.account_id.clone(),
            region: config.region.clone(),
            role_arn,
        });
        // The base URL is replaced by the server's own address when a server starts on it.
        let sqs = Arc::new(Sqs::new(
            clock.clone(),
            config.account_id.clone(),
            config.region.clone(),
            format!("https://sqs.{}.amazonaws.com", config.region),
        ));
        if let Some(seed) = config.seed {
            sqs.seed_ids(seed ^ SQS_SEED_SALT);
        }
        engine.register_resource(SEND_MESSAGE, Arc::new(SqsIntegration::new(sqs.clone())));
        let sns = Arc::new(Sns::new(
            clock.clone(),
            config.account_id.clone(),
            config.region.clone(),
            Arc::new(SqsDelivery(sqs.clone())),
        ));
        if let Some(seed) = config.seed {
            sns.seed_ids(seed ^ SNS_SEED_SALT);
        }
        engine.register_resource(PUBLISH, Arc::new(SnsIntegration::new(sns.clone())));
        engine.register_resource(ACTIVITY, Arc::new(ActivityIntegration));
        engine.register_resource(HTTP_INVOKE, Arc::new(HttpIntegration));
        engine.register_resource(START_EXECUTION, Arc::new(StatesIntegration::optimized()));
        engine.register_resource(SDK_START_EXECUTION, Arc::new(StatesIntegration::aws_sdk()));
        engine.register_resource(SDK_SEND_TASK_SUCCESS, Arc::new(SdkTaskAnswer::Success));
        engine.register_resource(SDK_SEND_TASK_FAILURE, Arc::new(SdkTaskAnswer::Failure));
        engine.register_resource(SDK_SEND_TASK_HEARTBEAT, Arc::new(SdkTaskAnswer::Heartbeat));
        let lambda = Arc::new(LambdaIntegration::new(
            config.account_id.clone(),
            config.region.clone(),
            config.seed,
        ));
        if let Some(url) = &config.lambda_endpoint {
            lambda.set_endpoint(Some(LambdaEndpoint::new(url)));
        }
        if let Some(mock_config) = config.mock_config {
            engine.set_mock_config(Some(Arc::new(mock_config)));
        }
        engine.register_resource(INVOKE, Arc::new(lambda.clone()));
        engine.register_resource_prefix(FUNCTION_ARN_PREFIX, Arc::new(lambda.clone()));
        let s3 = Arc::new(S3::new(clock.clone()));
        let s3_tasks = Arc::new(S3Integration::new(s3.clone()));
        engine.register_resource_prefix(SDK_S3_PREFIX, s3_tasks.clone());
        for arn in MAP_RESOURCES {
            engine.register_resource(arn, s3_tasks.clone());
        }
        Account {
            clock,
            engine,
            sqs,
            s3,
            sns,
            lambda,
        }
    }

    /// The Step Functions engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The SQS service.
    pub(crate) fn sqs(&self) -> &Arc<Sqs> {
        &self.sqs
    }

    /// The S3 service (buckets and objects for `aws-sdk:s3:*` tasks and distributed Maps).
    ///
    /// ```
    /// use sfn_harness::internals::{Account, AccountConfig};
    /// let account = Account::new(AccountConfig::default());
    /// account.s3().create_bucket("items").unwrap();
    /// account.s3().put_object("items", "list.json", b"[1, 2]".to_vec(), None).unwrap();
    /// ```
    pub fn s3(&self) -> &Arc<S3> {
        &self.s3
    }

    /// The SNS service (topics, SQS subscriptions), served on the same endpoint.
    pub fn sns(&self) -> &Arc<Sns> {
        &self.sns
    }

    /// The Lambda integration: register functions on it, or point it at a Lambda endpoint.
    ///
    /// Example: the unit test `account_257` in `src/tests/doc_examples.rs`.
    pub(crate) fn lambda(&self) -> &Arc<LambdaIntegration> {
        &self.lambda
    }

    /// The HTTP router serving Step Functions and SQS over this account.
    pub fn router(&self) -> Router {
        Router::new(self.clock.clone())
            .with_sqs(self.sqs.clone())
            .with_s3(self.s3.clone())
            .with_service(SFN_TARGET_PREFIX, SfnApi::new(self.engine.clone()))
            .with_service(SNS_TARGET_PREFIX, Arc::new(SnsApi::new(self.sns.clone())))
    }
}

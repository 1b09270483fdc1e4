//! Real AWS SDK clients pointed at a harness ([`Harness::sfn_client`](crate::Harness::sfn_client),
//! [`Harness::sqs_client`](crate::Harness::sqs_client)), and [`NoHostPrefix`], which any
//! `aws_sdk_sfn` client pointed at the harness or at `sfn-harness serve` needs.

/// Builds a client of one AWS SDK crate (`aws_sdk_sfn`, `aws_sdk_sqs`) for an endpoint: plain
/// HTTP, test credentials, the given region, the SDK's standard retries, plus any interceptors.
/// One definition for both SDKs: their config builders share these methods but no trait.
#[cfg(feature = "sdk")]
macro_rules! sdk_client {
    ($sdk:ident, $endpoint:expr, $region:expr $(, $interceptor:expr)*) => {{
        let conf = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .endpoint_url($endpoint)
            .region($sdk::config::Region::new($region))
            .credentials_provider(aws_credential_types::Credentials::new(
                "test",
                "test",
                None,
                None,
                "sfn-harness",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            $(.interceptor($interceptor))*
            .build();
        $sdk::Client::from_conf(conf)
    }};
}

/// An `aws_sdk_sfn::Client` for `endpoint` in `region`.
#[cfg(feature = "sdk")]
pub(crate) fn sfn_client(endpoint: &str, region: String) -> aws_sdk_sfn::Client {
    sdk_client!(aws_sdk_sfn, endpoint, region, NoHostPrefix)
}

/// An `aws_sdk_sqs::Client` for `endpoint` in `region`.
#[cfg(feature = "sdk")]
pub(crate) fn sqs_client(endpoint: &str, region: String) -> aws_sdk_sqs::Client {
    sdk_client!(aws_sdk_sqs, endpoint, region)
}

/// A client-side interceptor for `aws_sdk_sfn` clients pointed at this endpoint: it undoes the
/// `sync-` host prefix that the SDKs put before the endpoint's host for `StartSyncExecution`.
///
/// The Step Functions service model gives `StartSyncExecution` the endpoint host prefix
/// `sync-` (botocore `stepfunctions/2016-11-23/service-2.json`, `"endpoint": {"hostPrefix":
/// "sync-"}`), and the SDKs apply it to a custom endpoint URL too, so
/// `http://127.0.0.1:8083` becomes `http://sync-127.0.0.1:8083`, a host that does not resolve.
/// [`Harness::sfn_client`](crate::Harness::sfn_client) installs this interceptor; add
/// it to your own client when you point one at `sfn-harness serve`. (boto3 and the AWS CLI
/// have `inject_host_prefix=False` / `AWS_DISABLE_HOST_PREFIX_INJECTION=true` for the same.)
///
/// ```
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let h = sfn_harness::Harness::start().await;
/// # let endpoint = h.endpoint_url(); // `http://127.0.0.1:8083` for `sfn-harness serve`
/// let conf = aws_sdk_sfn::Config::builder()
///     .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
///     .endpoint_url(endpoint)
///     .region(aws_sdk_sfn::config::Region::new("us-east-1"))
///     .credentials_provider(aws_credential_types::Credentials::new("test", "test", None, None, "me"))
///     .http_client(aws_smithy_http_client::Builder::new().build_http()) // plain HTTP
///     .interceptor(sfn_harness::NoHostPrefix)
///     .build();
/// let sfn = aws_sdk_sfn::Client::from_conf(conf);
/// let machines = sfn.list_state_machines().send().await?;
/// assert!(machines.state_machines().is_empty());
/// # Ok(()) }
/// ```
#[cfg(feature = "sdk")]
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHostPrefix;

#[cfg(feature = "sdk")]
impl aws_sdk_sfn::config::Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "sfn_harness::NoHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &aws_sdk_sfn::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sfn::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request_mut();
        if let Some(uri) = strip_sync_prefix(request.uri()) {
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

/// `scheme://sync-host…` without the `sync-`, or `None` if the URI has no such prefix.
#[cfg_attr(not(feature = "sdk"), allow(dead_code))]
fn strip_sync_prefix(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let host = rest.strip_prefix("sync-")?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_prefix_is_stripped_only_where_present() {
        assert_eq!(
            strip_sync_prefix("http://sync-127.0.0.1:8083/").as_deref(),
            Some("http://127.0.0.1:8083/")
        );
        assert_eq!(strip_sync_prefix("http://127.0.0.1:8083/"), None);
        assert_eq!(strip_sync_prefix("not a uri"), None);
    }
}

//! The callback round trip through the real AWS SDK clients: `cargo bench --bench roundtrip`.
//!
//! One round trip is what a user's worker does for one `.waitForTaskToken` execution:
//!
//! ```text
//! StartExecution -> ReceiveMessage (long poll) -> SendTaskSuccess -> DeleteMessage
//!   -> DescribeExecution (polled until SUCCEEDED)
//! ```
//!
//! Every call goes through `aws_sdk_sfn::Client` / `aws_sdk_sqs::Client` (plain HTTP, test
//! credentials, the SDK's standard retries), and so does the set-up: the queues and the state
//! machine are created through the API too. The benchmark therefore measures any endpoint that
//! speaks Step Functions and SQS (AWS JSON 1.0) on one URL: the in-process harness, the
//! `sfn-harness serve` binary, LocalStack, …
//!
//! Each of the C concurrent lanes has its own queue, so a lane's ReceiveMessage gets the token of
//! the execution that lane started and the round trip is that execution's, start to end. For
//! each endpoint and concurrency it prints executions per second (wall time of N round trips),
//! the p50 / p99 latency of one round trip, the CPU time this process spent per execution
//! (client and, for an in-process endpoint, server: a figure that holds up on a busy machine),
//! and the calls it took (extra empty receives and DescribeExecution polls are counted, not
//! hidden).
//!
//! Endpoints, as a comma-separated list in `SFN_HARNESS_BENCH_ENDPOINT` or after `--endpoint`
//! (the flag wins; it may be repeated):
//!
//! - `harness`: an in-process `Harness` with virtual time (the default, as tests use it);
//! - `harness-real`: an in-process `Harness` with `.real_time()`;
//! - `stub`: a calibration endpoint in this file that answers every call at once with a fixed
//!   reply (no state machine runs): what remains is the cost of the SDK clients, HTTP and the
//!   bench's own loop, the ceiling that any endpoint can reach with these clients on this machine;
//! - any URL (`http://127.0.0.1:4566`): that endpoint.
//!
//! Without either, it measures `harness,harness-real,stub`. Other flags: `--concurrency 1,16`,
//! `--executions N` (per concurrency; default 4000, 1000 at concurrency 1), `--seconds 20` (no
//! round trip starts after that long, so a slow endpoint ends too; the warm-up is 200 round trips
//! or 3 s), `--region us-east-1`,
//! `--threads 2` (tokio worker threads, as `#[sfn_harness::test]` uses).
//!
//! ```sh
//! cargo bench --bench roundtrip
//! cargo bench --bench roundtrip -- --endpoint harness,http://127.0.0.1:4566
//! SFN_HARNESS_BENCH_ENDPOINT=http://127.0.0.1:8083 cargo bench --bench roundtrip
//! ```
//!
//! Figures are printed, never asserted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{json, Value};
use sfn_harness::prelude::*;

/// How long one round trip may take (wall time) before the run is abandoned as failed.
const ROUND_TRIP_BOUND: Duration = Duration::from_secs(60);

/// The machine under test: one callback task that sends the token to the lane's queue.
const MACHINE: &str = r#"{
  "Comment": "sfn-harness roundtrip benchmark",
  "StartAt": "Callback",
  "States": {
    "Callback": {
      "Type": "Task",
      "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
      "Parameters": {
        "QueueUrl.$": "$.queue",
        "MessageBody": { "token.$": "$$.Task.Token", "input.$": "$" }
      },
      "TimeoutSeconds": 300,
      "End": true
    }
  }
}"#;

#[derive(Debug, Clone)]
enum Target {
    Harness { real_time: bool },
    Stub,
    Url(String),
}

impl Target {
    fn parse(s: &str) -> Target {
        match s {
            "harness" => Target::Harness { real_time: false },
            "harness-real" => Target::Harness { real_time: true },
            "stub" => Target::Stub,
            url => Target::Url(url.to_string()),
        }
    }

    fn label(&self) -> String {
        match self {
            Target::Harness { real_time: false } => "harness (in-process, virtual time)".into(),
            Target::Harness { real_time: true } => "harness (in-process, real time)".into(),
            Target::Stub => "stub (fixed replies: the SDK clients' own ceiling)".into(),
            Target::Url(u) => u.clone(),
        }
    }
}

#[derive(Debug)]
struct Options {
    targets: Vec<Target>,
    concurrency: Vec<usize>,
    executions: Option<usize>,
    region: String,
    threads: usize,
    budget: Duration,
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn options() -> Result<Options, String> {
    let mut endpoints: Vec<String> = Vec::new();
    let mut concurrency = vec![1, 16];
    let mut executions = None;
    let mut region = "us-east-1".to_string();
    let mut threads = 2;
    let mut budget = Duration::from_secs(20);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--endpoint" => endpoints.extend(split_list(&value("--endpoint")?).map(String::from)),
            "--concurrency" => {
                concurrency = split_list(&value("--concurrency")?)
                    .map(|c| c.parse().map_err(|_| format!("bad concurrency {c:?}")))
                    .collect::<Result<_, _>>()?;
            }
            "--executions" => {
                let v = value("--executions")?;
                executions = Some(v.parse().map_err(|_| format!("bad --executions {v:?}"))?);
            }
            "--region" => region = value("--region")?,
            "--seconds" => {
                let v = value("--seconds")?;
                budget = Duration::from_secs_f64(
                    v.parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .ok_or_else(|| format!("bad --seconds {v:?}"))?,
                );
            }
            "--threads" => {
                let v = value("--threads")?;
                threads = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("bad --threads {v:?}"))?;
            }
            // `cargo bench` passes `--bench`; a filter argument names this bench or nothing.
            _ => {}
        }
    }
    if endpoints.is_empty() {
        if let Ok(env) = std::env::var("SFN_HARNESS_BENCH_ENDPOINT") {
            endpoints.extend(split_list(&env).map(String::from));
        }
    }
    if endpoints.is_empty() {
        endpoints = vec!["harness".into(), "harness-real".into(), "stub".into()];
    }
    if concurrency.contains(&0) {
        return Err("concurrency must be at least 1".into());
    }
    Ok(Options {
        targets: endpoints.iter().map(|e| Target::parse(e)).collect(),
        concurrency,
        executions,
        region,
        threads,
        budget,
    })
}

/// SDK clients for `url`, built as `Harness::sfn_client()` / `sqs_client()` build them.
fn clients(url: &str, region: &str) -> (aws_sdk_sfn::Client, aws_sdk_sqs::Client) {
    let credentials =
        aws_credential_types::Credentials::new("test", "test", None, None, "sfn-harness-bench");
    let sfn = aws_sdk_sfn::Config::builder()
        .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_sdk_sfn::config::Region::new(region.to_string()))
        .credentials_provider(credentials.clone())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let sqs = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_sdk_sqs::config::Region::new(region.to_string()))
        .credentials_provider(credentials)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    (
        aws_sdk_sfn::Client::from_conf(sfn),
        aws_sdk_sqs::Client::from_conf(sqs),
    )
}

/// The set-up of one endpoint: a state machine and one queue per lane.
struct Fixture {
    sfn: aws_sdk_sfn::Client,
    sqs: aws_sdk_sqs::Client,
    machine_arn: String,
    queues: Vec<String>,
    /// Names executions: `<run>-<n>`.
    run: String,
    executions: AtomicUsize,
}

/// What the lanes count besides time.
#[derive(Default)]
struct Counters {
    receives: AtomicUsize,
    describes: AtomicUsize,
}

fn err(what: &str, e: impl std::error::Error) -> String {
    format!("{what}: {}", aws_sdk_sfn::error::DisplayErrorContext(e))
}

async fn set_up(url: &str, region: &str, lanes: usize) -> Result<Fixture, String> {
    let (sfn, sqs) = clients(url, region);
    let run = format!("{}-{}", std::process::id(), uuid_suffix());
    let mut queues = Vec::with_capacity(lanes);
    for lane in 0..lanes {
        let out = sqs
            .create_queue()
            .queue_name(format!("bench-{run}-{lane}"))
            .send()
            .await
            .map_err(|e| err("CreateQueue", e))?;
        queues.push(out.queue_url().unwrap_or_default().to_string());
    }
    // The account in the queue URL (`…/<account>/<name>`) names the role's account too.
    let account = queues
        .first()
        .and_then(|u| u.rsplit('/').nth(1))
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("123456789012")
        .to_string();
    let machine = sfn
        .create_state_machine()
        .name(format!("bench-{run}"))
        .definition(MACHINE)
        .role_arn(format!("arn:aws:iam::{account}:role/sfn-harness-bench"))
        .send()
        .await
        .map_err(|e| err("CreateStateMachine", e))?;
    Ok(Fixture {
        sfn,
        sqs,
        machine_arn: machine.state_machine_arn().to_string(),
        queues,
        run,
        executions: AtomicUsize::new(0),
    })
}

async fn tear_down(f: &Fixture) {
    // Best effort: a failure here does not change the figures.
    for q in &f.queues {
        let _ = f.sqs.delete_queue().queue_url(q).send().await;
    }
    let _ = f
        .sfn
        .delete_state_machine()
        .state_machine_arn(&f.machine_arn)
        .send()
        .await;
}

fn uuid_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos:08x}")
}

/// A counted `DescribeExecution`.
async fn describe(
    f: &Fixture,
    execution_arn: &str,
    counters: &Counters,
) -> Result<aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput, String> {
    let d = f
        .sfn
        .describe_execution()
        .execution_arn(execution_arn)
        .send()
        .await
        .map_err(|e| err("DescribeExecution", e))?;
    counters.describes.fetch_add(1, Ordering::Relaxed);
    Ok(d)
}

/// One round trip on `queue`; returns its wall time.
async fn round_trip(
    f: &Fixture,
    queue: &str,
    lane: usize,
    counters: &Counters,
) -> Result<Duration, String> {
    let began = Instant::now();
    let input = json!({ "queue": queue, "lane": lane }).to_string();
    let started = f
        .sfn
        .start_execution()
        .state_machine_arn(&f.machine_arn)
        // Named, as AWS allows and many callers do (moto's server names every unnamed one "None").
        .name(format!(
            "{}-{}",
            f.run,
            f.executions.fetch_add(1, Ordering::Relaxed)
        ))
        .input(input)
        .send()
        .await
        .map_err(|e| err("StartExecution", e))?;
    let execution_arn = started.execution_arn();

    // A worker's long poll; an empty answer is counted and polled again.
    let message = loop {
        if began.elapsed() > ROUND_TRIP_BOUND {
            return Err(format!(
                "no message for {execution_arn} on {queue} within {ROUND_TRIP_BOUND:?}"
            ));
        }
        let got = f
            .sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(1)
            .wait_time_seconds(20)
            .send()
            .await
            .map_err(|e| err("ReceiveMessage", e))?;
        counters.receives.fetch_add(1, Ordering::Relaxed);
        if let Some(m) = got.messages.and_then(|mut v| v.pop()) {
            break m;
        }
        // Nothing yet: an execution that already failed will never send one.
        let d = describe(f, execution_arn, counters).await?;
        if *d.status() != ExecutionStatus::Running {
            return Err(format!(
                "{execution_arn} ended {:?} before its message arrived: {:?}: {:?}",
                d.status(),
                d.error(),
                d.cause()
            ));
        }
    };
    let body: Value = serde_json::from_str(message.body().unwrap_or_default())
        .map_err(|e| format!("message body is not JSON: {e}"))?;
    let token = body["token"]
        .as_str()
        .ok_or_else(|| format!("message body has no token: {body}"))?;
    f.sfn
        .send_task_success()
        .task_token(token)
        .output(r#"{"ok":true}"#)
        .send()
        .await
        .map_err(|e| err("SendTaskSuccess", e))?;
    f.sqs
        .delete_message()
        .queue_url(queue)
        .receipt_handle(message.receipt_handle().unwrap_or_default())
        .send()
        .await
        .map_err(|e| err("DeleteMessage", e))?;

    // The round trip ends when the execution reads SUCCEEDED; every poll is counted.
    loop {
        let d = describe(f, execution_arn, counters).await?;
        match d.status() {
            ExecutionStatus::Succeeded => return Ok(began.elapsed()),
            ExecutionStatus::Running => {}
            other => return Err(format!("{execution_arn} ended {other:?}: {:?}", d.cause())),
        }
        if began.elapsed() > ROUND_TRIP_BOUND {
            return Err(format!(
                "{execution_arn} not SUCCEEDED within {ROUND_TRIP_BOUND:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// CPU time (user + system) this process has used so far, from `/proc/self/stat` (Linux; `None`
/// elsewhere). Clock ticks are taken as 10 ms (`CLK_TCK` = 100, the Linux default).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

struct Measured {
    took: Duration,
    cpu: Option<Duration>,
    latencies: Vec<Duration>,
    receives: usize,
    describes: usize,
}

/// `n` round trips over `lanes` concurrent lanes, or as many as start within `budget`.
async fn measure(
    f: &Arc<Fixture>,
    lanes: usize,
    n: usize,
    budget: Duration,
) -> Result<Measured, String> {
    let counters = Arc::new(Counters::default());
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu_time();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..lanes {
        let (f, counters, next) = (f.clone(), counters.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            while start.elapsed() < budget && next.fetch_add(1, Ordering::Relaxed) < n {
                latencies.push(round_trip(&f, &f.queues[lane], lane, &counters).await?);
            }
            Ok::<_, String>(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(n);
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.map_err(|e| format!("a lane panicked: {e}"))??);
    }
    let took = start.elapsed();
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    latencies.sort();
    Ok(Measured {
        took,
        cpu,
        latencies,
        receives: counters.receives.load(Ordering::Relaxed),
        describes: counters.describes.load(Ordering::Relaxed),
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

async fn bench_endpoint(url: &str, label: &str, o: &Options) -> Result<(), String> {
    let lanes = o.concurrency.iter().copied().max().unwrap_or(1);
    let f = Arc::new(set_up(url, &o.region, lanes).await?);
    let result = async {
        // Warm-up: connections, allocator, the endpoint's own caches.
        measure(&f, lanes, 200, Duration::from_secs(3)).await?;
        for &c in &o.concurrency {
            let n = o.executions.unwrap_or(if c == 1 { 1_000 } else { 4_000 });
            let m = measure(&f, c, n, o.budget).await?;
            let done = m.latencies.len();
            let cpu = m.cpu.map_or("-".to_string(), |cpu| {
                format!("{:.0} µs", cpu.as_secs_f64() * 1e6 / done as f64)
            });
            println!(
                "roundtrip {label}: concurrency {c:>2}: {:>6.0} executions/s, p50 {:>7.3} ms, p99 {:>7.3} ms; CPU of this process {cpu} per execution ({done} executions; {:.2} ReceiveMessage and {:.2} DescribeExecution calls each)",
                done as f64 / m.took.as_secs_f64(),
                percentile(&m.latencies, 0.50).as_secs_f64() * 1e3,
                percentile(&m.latencies, 0.99).as_secs_f64() * 1e3,
                m.receives as f64 / done as f64,
                m.describes as f64 / done as f64,
            );
        }
        Ok::<_, String>(())
    }
    .await;
    tear_down(&f).await;
    result
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("roundtrip: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.threads)
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "roundtrip = StartExecution -> ReceiveMessage (long poll) -> SendTaskSuccess -> DeleteMessage -> DescribeExecution until SUCCEEDED, through aws-sdk-sfn / aws-sdk-sqs"
    );
    rt.block_on(async {
        for target in &o.targets {
            let label = target.label();
            // The harness lives as long as its measurement.
            let (url, _harness, _stub) = match target {
                Target::Harness { real_time } => {
                    let b = Harness::builder();
                    let h = if *real_time { b.real_time() } else { b }.start().await;
                    (h.endpoint_url().to_string(), Some(h), None)
                }
                Target::Stub => {
                    let (url, task) = stub::start().expect("bind the stub on 127.0.0.1");
                    (url, None, Some(stub::AbortOnDrop(task)))
                }
                Target::Url(u) => (u.clone(), None, None),
            };
            if let Err(e) = bench_endpoint(&url, &label, &o).await {
                println!("roundtrip {label}: FAILED: {e}");
            }
        }
    });
}

/// The calibration endpoint: fixed, valid replies to the calls the round trip makes, with no
/// state behind them. Measuring it measures the SDK clients, HTTP on loopback and this bench.
mod stub {
    use std::convert::Infallible;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper::{Request, Response};
    use hyper_util::rt::TokioIo;
    use serde_json::{json, Value};

    pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }

    const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:stub:run";
    const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:stub";

    fn reply(target: &str, body: &[u8], base: &str) -> Value {
        match target {
            "AmazonSQS.CreateQueue" => {
                let name = serde_json::from_slice::<Value>(body)
                    .ok()
                    .and_then(|v| v["QueueName"].as_str().map(String::from))
                    .unwrap_or_default();
                json!({ "QueueUrl": format!("{base}/123456789012/{name}") })
            }
            "AmazonSQS.ReceiveMessage" => json!({ "Messages": [{
                "MessageId": "5fea7756-0ea4-451a-a703-a558b933e274",
                "ReceiptHandle": "stub-receipt",
                "MD5OfBody": "d6d3e6e8ce6fe3d8d6b3f1bbb6a3a9cd",
                "Body": "{\"token\":\"AQsfnhstubstubstubstubstubst\"}"
            }]}),
            "AWSStepFunctions.CreateStateMachine" => {
                json!({ "stateMachineArn": MACHINE, "creationDate": 1.7e9 })
            }
            "AWSStepFunctions.StartExecution" => {
                json!({ "executionArn": EXECUTION, "startDate": 1.7e9 })
            }
            "AWSStepFunctions.DescribeExecution" => json!({
                "executionArn": EXECUTION, "stateMachineArn": MACHINE,
                "status": "SUCCEEDED", "startDate": 1.7e9, "stopDate": 1.7e9, "output": "{}"
            }),
            _ => json!({}),
        }
    }

    pub fn start() -> std::io::Result<(String, tokio::task::JoinHandle<()>)> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let base = format!("http://{}", listener.local_addr()?);
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let url = base.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let base = base.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            let base = base.clone();
                            async move {
                                let target = req
                                    .headers()
                                    .get("x-amz-target")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string();
                                let body = req
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                let out = reply(&target, &body, &base).to_string();
                                let mut resp = Response::new(Full::new(Bytes::from(out)));
                                resp.headers_mut().insert(
                                    "content-type",
                                    hyper::header::HeaderValue::from_static(
                                        "application/x-amz-json-1.0",
                                    ),
                                );
                                Ok::<_, Infallible>(resp)
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok((url, task))
    }
}

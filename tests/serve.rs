//! `sfn-harness serve`, the built binary: the endpoint it prints works with the real SDK
//! clients, it logs each request, it listens on loopback unless `--host` says otherwise, and
//! Ctrl-C (SIGINT) stops it with exit code 0.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{json, Value};

mod support;

use support::{sfn_client, sqs_client};

const BIN: &str = env!("CARGO_BIN_EXE_sfn-harness");

/// A running `sfn-harness serve`; killed if a test ends without stopping it.
struct Served {
    child: Child,
    url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sfn-harness");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("sfn-harness printed no line within 10 s");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in the first line: {line:?}"))
            .to_string();
        Served {
            child,
            url,
            stderr: Some(stderr),
        }
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Sends SIGINT (what Ctrl-C sends) and waits, bounded, for the exit; returns the status
    /// and everything the process wrote to standard error.
    fn interrupt(mut self) -> (ExitStatus, String) {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -INT failed");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "sfn-harness did not exit within 10 s of SIGINT"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (status, stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_a_callback_execution_and_stops_on_ctrl_c() {
    let served = Served::start(&["--port", "0"]);
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    let (sfn, sqs) = (sfn_client(&served.url), sqs_client(&served.url));

    let queue = sqs
        .create_queue()
        .queue_name("work")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert_eq!(queue, format!("{}/123456789012/work", served.url));
    let definition = json!({
        "StartAt": "Work",
        "States": { "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": { "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token", "n.$": "$.n" } },
            "TimeoutSeconds": 60,
            "End": true } }
    });
    let machine = sfn
        .create_state_machine()
        .name("work")
        .definition(definition.to_string())
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let exec = sfn
        .start_execution()
        .state_machine_arn(&machine)
        .input(r#"{"n":41}"#)
        .send()
        .await
        .unwrap()
        .execution_arn;

    // The worker: receive, answer, delete.
    let got = sqs
        .receive_message()
        .queue_url(&queue)
        .wait_time_seconds(5)
        .send()
        .await
        .unwrap();
    let message = got
        .messages()
        .first()
        .expect("the task's message within 5 s");
    let body: Value = serde_json::from_str(message.body().unwrap()).unwrap();
    let n = body["n"].as_i64().unwrap();
    sfn.send_task_success()
        .task_token(body["token"].as_str().unwrap())
        .output(json!({ "n": n + 1 }).to_string())
        .send()
        .await
        .unwrap();
    sqs.delete_message()
        .queue_url(&queue)
        .receipt_handle(message.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    let done = loop {
        let d = sfn
            .describe_execution()
            .execution_arn(&exec)
            .send()
            .await
            .unwrap();
        if d.status != ExecutionStatus::Running {
            break d;
        }
        assert!(Instant::now() < deadline, "{exec} still RUNNING after 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert_eq!(done.output(), Some(r#"{"n":42}"#));

    // StartSyncExecution through the `sync-` host prefix (undone by NoHostPrefix).
    let express = sfn
        .create_state_machine()
        .name("quick")
        .definition(r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let sync = sfn
        .start_sync_execution()
        .state_machine_arn(&express)
        .input(r#"{"a":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(sync.output(), Some(r#"{"a":1}"#));

    let (status, log) = served.interrupt();
    assert_eq!(
        status.code(),
        Some(0),
        "exit status {status:?}; log:\n{log}"
    );
    // One log line per request: operation, status, duration.
    for op in [
        "AmazonSQS.CreateQueue",
        "AWSStepFunctions.StartExecution",
        "AmazonSQS.ReceiveMessage",
        "AWSStepFunctions.SendTaskSuccess",
        "AmazonSQS.DeleteMessage",
        "AWSStepFunctions.StartSyncExecution",
    ] {
        let line = log
            .lines()
            .find(|l| l.contains(op))
            .unwrap_or_else(|| panic!("no log line for {op} in:\n{log}"));
        assert!(
            line.contains("status=200") && line.contains("micros="),
            "{line}"
        );
    }
    assert!(log.contains("shutting down"), "{log}");
}

/// The addresses listening on `port`, from the kernel's own table (Linux).
#[cfg(target_os = "linux")]
fn listening_on(port: u16) -> Vec<std::net::IpAddr> {
    let mut found = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = std::fs::read_to_string(file) else {
            continue;
        };
        for row in table.lines().skip(1) {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // local_address is HEXIP:HEXPORT; state 0A is LISTEN.
            let (Some(local), Some("0A")) = (cols.get(1), cols.get(3).copied()) else {
                continue;
            };
            let Some((ip, p)) = local.split_once(':') else {
                continue;
            };
            if u16::from_str_radix(p, 16) != Ok(port) {
                continue;
            }
            let ip = if v6 {
                let mut bytes = [0u8; 16];
                for (i, word) in ip.as_bytes().chunks(8).enumerate() {
                    let w = u32::from_str_radix(std::str::from_utf8(word).unwrap(), 16).unwrap();
                    bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
                }
                std::net::IpAddr::from(bytes)
            } else {
                std::net::IpAddr::from(u32::from_str_radix(ip, 16).unwrap().to_le_bytes())
            };
            found.push(ip);
        }
    }
    found
}

#[test]
fn serve_listens_on_loopback_unless_host_says_otherwise() {
    let default = Served::start(&["--port", "0"]);
    assert!(
        default.url.starts_with("http://127.0.0.1:"),
        "{}",
        default.url
    );
    #[cfg(target_os = "linux")]
    assert_eq!(
        listening_on(default.port()),
        [std::net::IpAddr::from([127, 0, 0, 1])],
        "the default must listen on loopback only"
    );

    // Leaving loopback takes an explicit --host; the URL printed still reaches it locally.
    let everywhere = Served::start(&["--host", "0.0.0.0", "--port", "0"]);
    assert!(
        everywhere.url.starts_with("http://127.0.0.1:"),
        "{}",
        everywhere.url
    );
    #[cfg(target_os = "linux")]
    assert_eq!(
        listening_on(everywhere.port()),
        [std::net::IpAddr::from([0, 0, 0, 0])]
    );

    for served in [default, everywhere] {
        let (status, log) = served.interrupt();
        assert_eq!(status.code(), Some(0), "{log}");
    }
}

#[test]
fn serve_reports_what_it_cannot_do() {
    // A port already taken: a message and a failing exit, no hang.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN)
        .args(["serve", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on 127.0.0.1:"), "{err}");

    // A host that is not an address is a usage error (clap exits with 2).
    let out = Command::new(BIN)
        .args(["serve", "--host", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--host"));
}

//! `sfn-harness serve`: the harness's endpoint as a standalone process, for boto3, the AWS CLI
//! and any SDK.
//!
//! It serves Step Functions and SQS on one port, exactly as a `Harness` does (the same router,
//! with the SQS integration registered), but in real time and with nothing scripted: workers
//! are whatever programs call it. It binds loopback unless `--host` says otherwise, prints the
//! endpoint URL on its first line of standard output, logs one line per request on standard
//! error (`RUST_LOG` filters them; the default is `info`), and stops cleanly on Ctrl-C.
//!
//! With `--mock-config PATH` (or `SFN_MOCK_CONFIG=PATH`) it loads a Step Functions Local mock
//! configuration, refusing a bad one before it listens.
//!
//! ```text
//! $ cargo run --features cli --bin sfn-harness -- serve --port 8083
//! sfn-harness: serving Step Functions and SQS on http://127.0.0.1:8083
//! ```
//!
//! `sfn-harness picture` draws a state machine (and optionally an execution on it) as a Mermaid
//! flowchart, or as one self-contained HTML page with `--html`:
//!
//! ```text
//! $ aws stepfunctions get-execution-history --execution-arn $ARN > history.json
//! $ sfn-harness picture machine.json history.json --html -o run.html
//! ```

use std::net::IpAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sfn_harness::internals::Server;
use sfn_harness::internals::{Account, AccountConfig};
use sfn_harness::time::Clock;
use sfn_harness::MockConfig;

/// An in-process fake of AWS Step Functions and Amazon SQS, as a standalone endpoint.
#[derive(Debug, Parser)]
#[command(name = "sfn-harness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve Step Functions and SQS (AWS JSON 1.0) on one port until Ctrl-C.
    Serve(Serve),
    /// Draw a definition (and optionally an execution's GetExecutionHistory JSON) as Mermaid
    /// flowchart text, or as a self-contained HTML page.
    Picture(PictureArgs),
}

#[derive(Debug, Args)]
struct PictureArgs {
    /// The state machine definition (Amazon States Language JSON).
    definition: std::path::PathBuf,
    /// A GetExecutionHistory response (`{"events": [...]}`, as
    /// `aws stepfunctions get-execution-history` prints it) or a bare array of events.
    history: Option<std::path::PathBuf>,
    /// Write a self-contained HTML page (picture, timeline, Mermaid text) instead of Mermaid.
    #[arg(long)]
    html: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
struct Serve {
    /// The address to listen on. The default, loopback, is reachable from this machine only;
    /// anything else exposes an endpoint without authentication to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port to listen on (0: any free port; the URL printed names it).
    #[arg(long, default_value_t = 8083)]
    port: u16,
    /// The account id in ARNs and queue URLs.
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// The region in ARNs.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// A Lambda endpoint serving the Invoke REST API (`sam local start-lambda`, a Lambda
    /// emulator): Lambda Tasks invoke their functions there. Defaults to the `LAMBDA_ENDPOINT`
    /// environment variable (Step Functions Local's convention).
    #[arg(long)]
    lambda_endpoint: Option<String>,
    /// A Step Functions Local mock configuration (MockConfigFile.json): StartExecution on
    /// `<stateMachineArn>#<TestCase>` runs that test case. Default: the SFN_MOCK_CONFIG
    /// environment variable's path, if set.
    #[arg(long, env = "SFN_MOCK_CONFIG")]
    mock_config: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to standard error, so that standard output carries only the URL line.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = match cli.command {
        Command::Serve(args) => args,
        Command::Picture(args) => {
            return match picture(&args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sfn-harness: {e}");
                    ExitCode::FAILURE
                }
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sfn-harness: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sfn-harness: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a JSON file, naming it in the error.
fn read_json(path: &std::path::Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// `sfn-harness picture`.
fn picture(args: &PictureArgs) -> Result<(), String> {
    use sfn_harness::Picture;
    let definition = read_json(&args.definition)?;
    let mut picture = Picture::of_definition(&definition)
        .map_err(|e| format!("cannot draw {}: {e}", args.definition.display()))?;
    if let Some(path) = &args.history {
        let events = match read_json(path)? {
            serde_json::Value::Array(events) => events,
            serde_json::Value::Object(mut o) => match o.remove("events") {
                Some(serde_json::Value::Array(events)) => events,
                _ => {
                    return Err(format!(
                        "{} has no \"events\" array (expected a GetExecutionHistory response or an array of events)",
                        path.display()
                    ))
                }
            },
            _ => {
                return Err(format!(
                    "{} is neither a GetExecutionHistory response nor an array of events",
                    path.display()
                ))
            }
        };
        picture = picture.with_history(&events);
    }
    let text = if args.html {
        let title = args
            .definition
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state machine".to_string());
        picture.html(&title)
    } else {
        picture.mermaid()
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

async fn serve(args: Serve) -> Result<(), String> {
    let lambda_endpoint = args
        .lambda_endpoint
        .clone()
        .or_else(|| std::env::var("LAMBDA_ENDPOINT").ok())
        .filter(|u| !u.is_empty());
    let mock_config = match &args.mock_config {
        Some(path) => Some(MockConfig::from_file(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let account = Account::new(AccountConfig {
        clock: Clock::real(),
        seed: None,
        account_id: args.account_id.clone(),
        region: args.region.clone(),
        lambda_endpoint: lambda_endpoint.clone(),
        mock_config,
    });
    if let Some(url) = &lambda_endpoint {
        tracing::info!(lambda_endpoint = %url, "Lambda functions are invoked at this endpoint");
    }
    if let Some(path) = &args.mock_config {
        tracing::info!(path = %path.display(), "mock configuration loaded");
    }
    let router = account.router();
    let server = Server::bind(router, (args.host, args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    println!(
        "sfn-harness: serving Step Functions and SQS on {}",
        server.url()
    );
    tracing::info!(url = %server.url(), account = %args.account_id, region = %args.region, "listening");
    shutdown_signal().await?;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT), or SIGTERM on Unix.
async fn shutdown_signal() -> Result<(), String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())
            .map_err(|e| format!("cannot listen for SIGTERM: {e}"))?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(|e| format!("cannot listen for Ctrl-C: {e}")),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot listen for Ctrl-C: {e}"))
    }
}

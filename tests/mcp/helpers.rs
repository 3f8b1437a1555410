//! Starting the real binary and server, and the calls every test makes.

use std::process::Stdio;
use std::sync::mpsc;

use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp::service::RunningService;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use scopelink::catalog::CatalogSet;
use scopelink::config::ServeConfig;
use scopelink::http::Application;
use scopelink::link::LinkBase;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_scopelink");

/// A key-shaped string; it must never come back or reach a log.
pub const FAKE_KEY: &str = "pk_0123456789abcdef0123456789abcdef01";

pub type Client = RunningService<RoleClient, ()>;

/// `scopelink mcp ARGS…` as a child process, with an rmcp client on its
/// stdio; its stderr (the log) goes to `log` when given.
pub async fn stdio_client(args: &[&str], log: Option<&std::path::Path>) -> Client {
    let mut command = tokio::process::Command::new(BIN);
    command.arg("mcp").args(args).env("RUST_LOG", "debug");
    let stderr = match log {
        Some(path) => Stdio::from(std::fs::File::create(path).expect("a log file")),
        None => Stdio::inherit(),
    };
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(stderr)
        .spawn()
        .expect("scopelink mcp starts");
    ().serve(transport).await.expect("initialize succeeds")
}

/// An rmcp client on the server's `/mcp`.
pub async fn http_client(address: &str) -> Client {
    let transport = StreamableHttpClientTransport::from_uri(format!("{address}/mcp"));
    ().serve(transport).await.expect("initialize succeeds")
}

pub fn arguments(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, not {other}"),
    }
}

pub async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments(args)))
        .await
        .unwrap_or_else(|error| panic!("{tool} answers with a result, not {error}"))
}

/// The result's text content, joined.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// What the CLI prints on stdout for these arguments, as JSON.
pub fn cli_json(args: &[&str]) -> Value {
    let output = std::process::Command::new(BIN)
        .args(args)
        .output()
        .expect("the CLI runs");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "`scopelink {}` printed no JSON ({error}): {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The real server on a free port, in a thread of its own; its base URL.
pub fn spawn_server(config: ServeConfig) -> String {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let application =
                Application::build(&config, CatalogSet::embedded(), LinkBase::default())
                    .expect("the server binds");
            sender.send(application.port()).unwrap();
            application.run_until_stopped().await
        })
    });
    let port = receiver.recv().expect("the server started");
    format!("http://127.0.0.1:{port}")
}

pub fn test_config() -> ServeConfig {
    ServeConfig {
        bind: "127.0.0.1:0".to_owned(),
        workers: Some(1),
        ..ServeConfig::default()
    }
}

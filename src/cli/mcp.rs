//! `scopelink mcp`: the MCP server over stdio, for assistants that start it
//! as a local process. Protocol messages use stdout, so logs go to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use rmcp::ServiceExt;
use tracing_subscriber::EnvFilter;

use super::catalog_args::CatalogArgs;
use crate::config::Limits;
use crate::mcp::{ScopelinkMcp, Standalone};

#[derive(Debug, Args)]
pub struct McpArgs {
    /// The directory `klaviyo_scan` may read when the client declares no
    /// roots (default: the working directory).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Most operations (or scan paths) in one tool call, as in the JSON API.
    #[arg(long, env = "SCOPELINK_MAX_OPERATIONS", default_value_t = Limits::default().max_operations)]
    pub max_operations: usize,
    /// Longest single input, in bytes, as in the JSON API.
    #[arg(long, env = "SCOPELINK_MAX_ITEM_BYTES", default_value_t = Limits::default().max_item_bytes)]
    pub max_item_bytes: usize,
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub fn run(catalog_args: &CatalogArgs, args: &McpArgs) -> ExitCode {
    init_logs();
    if catalog_args.revision.is_some() {
        eprintln!(
            "scopelink mcp: --revision is chosen per call (every tool takes `revision`); \
             start without it"
        );
        return ExitCode::FAILURE;
    }
    let catalogs = match catalog_args.load() {
        Ok(catalogs) => catalogs,
        Err(error) => {
            eprintln!("scopelink mcp: {error}");
            return ExitCode::FAILURE;
        }
    };
    let root = match args.root.clone().map_or_else(std::env::current_dir, Ok) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("scopelink mcp: cannot read the working directory: {error}");
            return ExitCode::FAILURE;
        }
    };
    if !root.is_dir() {
        eprintln!(
            "scopelink mcp: --root `{}` is not a directory",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    let backend = Arc::new(Standalone {
        catalogs,
        link_base: catalog_args.link_base.clone(),
        limits: Limits {
            max_operations: args.max_operations,
            max_item_bytes: args.max_item_bytes,
            ..Limits::default()
        },
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("scopelink mcp: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let server = ScopelinkMcp::local(backend, root)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|error| error.to_string())?;
        server
            .waiting()
            .await
            .map(|_| ())
            .map_err(|error| error.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the MCP session failed");
            ExitCode::FAILURE
        }
    }
}

/// Logs on stderr, level from RUST_LOG (default info). rmcp is held to
/// errors: at debug it logs whole messages, which could hold what a user
/// pasted, and nothing key-like may reach a log.
fn init_logs() {
    let filter = EnvFilter::builder()
        .with_default_directive(tracing::Level::INFO.into())
        .from_env_lossy()
        .add_directive("rmcp=error".parse().expect("a valid directive"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
}

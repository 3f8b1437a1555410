//! The command line: `serve` (the default), `link`, `scopes`, `operations`,
//! `catalog import`, `oauth-url`, `audit`, `scan`, `openapi`, `healthcheck`
//! and `mcp`. Each prints what the library answers; flags have `SCOPELINK_*`
//! env twins.
//!
//! [`args`] holds the words, [`commands`] runs them, `print` shows the
//! answers; `scan` and `mcp` are the scanner's and the MCP server's commands.

pub mod args;
mod catalog_args;
mod commands;
mod mcp;
mod print;
mod scan;
mod scan_docs;
mod serve_args;

use std::process::ExitCode;

/// The exit code for bad usage or unreadable input, as `link` uses.
pub(crate) const USAGE: u8 = 2;
/// The exit code when the gate finds a problem.
pub(crate) const GATE_FAILED: u8 = 1;

use clap::Parser;

use args::ServeOnly;
pub use args::{
    AuditArgs, CatalogCommand, Cli, Command, HealthcheckArgs, ImportArgs, ImportRetiredArgs,
    LinkArgs, OauthUrlArgs, OperationsArgs,
};
pub use catalog_args::CatalogArgs;
use commands::*;
pub use print::describe_error;

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Link(args)) => with_catalog(&cli.catalog, |catalog| {
            link(catalog, &cli.catalog.link_base, &args)
        }),
        Some(Command::Scopes(args)) => with_catalog(&cli.catalog, |catalog| {
            scopes(catalog, &cli.catalog.link_base, &args)
        }),
        Some(Command::Operations(args)) => {
            with_catalog(&cli.catalog, |catalog| operations(catalog, &args))
        }
        Some(Command::Catalog(CatalogCommand::Import(args))) => import(&args),
        Some(Command::Catalog(CatalogCommand::ImportRetired(args))) => import_retired(&args),
        Some(Command::Serve(args)) => serve(&cli.catalog, &args.into()),
        Some(Command::OauthUrl(args)) => with_catalog(&cli.catalog, |selected| {
            oauth_url(selected, &cli.catalog.link_base, &args)
        }),
        Some(Command::Audit(args)) => with_catalog(&cli.catalog, |selected| {
            audit_link(selected, &cli.catalog.link_base, &args)
        }),
        Some(Command::Scan(args)) => scan::run(&cli.catalog, &args),
        Some(Command::Mcp(args)) => mcp::run(&cli.catalog, &args),
        Some(Command::Openapi) => {
            print!("{}", crate::http::openapi::document_json());
            ExitCode::SUCCESS
        }
        Some(Command::Healthcheck(args)) => {
            crate::healthcheck::run(args.url.as_deref(), &args.bind)
        }
        None => {
            // No command: serve, with settings from the SCOPELINK_* environment.
            let ServeOnly { config } = ServeOnly::parse_from(["scopelink"]);
            serve(&cli.catalog, &config.into())
        }
    }
}

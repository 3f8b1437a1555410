//! The command line's words: every command, flag and argument, with the
//! `SCOPELINK_*` environment twins. Parsing only; [`super::commands`] runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::catalog_args::CatalogArgs;
use super::serve_args::ServeArgs;
use crate::link::LinkBase;

/// Least-privilege Klaviyo private API key links from the operations an integration calls.
#[derive(Debug, Parser)]
#[command(name = "scopelink", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API, the page and the redirect (the default command).
    Serve(ServeArgs),
    /// Print the create-key link for the operations (exit 2 if any input fails).
    Link(LinkArgs),
    /// Print each needed scope with what needs it.
    Scopes(LinkArgs),
    /// List the operations in the catalog.
    Operations(OperationsArgs),
    /// Work with the derived catalog table.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a Klaviyo OAuth authorize URL with the least scopes for the operations.
    OauthUrl(OauthUrlArgs),
    /// Audit a create-key link or scope list: renamed, beta-only and unknown
    /// scopes, what they allow, and with --op what is missing or excess (exit 0
    /// when clean, 2 when something should be fixed, 1 on bad input).
    Audit(AuditArgs),
    /// Find the Klaviyo API calls in source code and print the link they need;
    /// with --check or --check-docs, exit 1 when a link lacks a needed scope.
    Scan(super::scan::ScanArgs),
    /// Print this service's OpenAPI document.
    Openapi,
    /// Exit 0 if the server at --url answers /healthz with 200 (for container health checks).
    Healthcheck(HealthcheckArgs),
    /// Serve the MCP tools over stdio, for coding assistants (`scopelink serve` has them at /mcp).
    Mcp(super::mcp::McpArgs),
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Exactly the scopes the spec lists: no `x:read` added for each `x:write`.
    #[arg(long)]
    pub minimal: bool,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Operations in any accepted form; `-` reads them one per line from stdin.
    #[arg(value_name = "OP", required_unless_present = "har")]
    pub operations: Vec<String>,
    /// Read the calls an integration made from a HAR file or a request log
    /// (one `METHOD URL` a line) instead; `-` reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "operations")]
    pub har: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OperationsArgs {
    /// Only operations whose name, alias, path, tag or summary contains this text.
    #[arg(long)]
    pub search: Option<String>,
    /// Only operations that need this scope (themselves or through an include).
    #[arg(long)]
    pub scope: Option<String>,
    /// Only operations with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// An operation the key is meant for, in any accepted form; repeatable
    /// (`-` reads them one per line from stdin).
    #[arg(long = "op", value_name = "OP")]
    pub operations: Vec<String>,
    /// Compare with exactly the scopes the spec lists (no `x:read` for each `x:write`).
    #[arg(long)]
    pub minimal: bool,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
    /// A create-key link, or scopes (comma- or space-separated, or one per argument).
    #[arg(value_name = "LINK_OR_SCOPES", required_unless_present = "docs")]
    pub given: Vec<String>,
    /// Audit every create-key link, /go link, scope list (scope ids, or names
    /// with levels) and Read-Only or Full Access key in this Markdown, HTML,
    /// reStructuredText or text file (`-`: stdin).
    #[arg(long, value_name = "FILE", conflicts_with = "given")]
    pub docs: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct OauthUrlArgs {
    /// Your OAuth app's client id.
    #[arg(long)]
    pub client_id: String,
    /// Where Klaviyo sends the user back (https; http only for localhost).
    #[arg(long)]
    pub redirect_uri: String,
    /// An unguessable value your app checks on the way back.
    #[arg(long)]
    pub state: String,
    /// base64url(SHA-256(code_verifier)), unpadded; keep the verifier to yourself.
    #[arg(long)]
    pub code_challenge: String,
    /// Klaviyo's OAuth authorize page (https on klaviyo.com).
    #[arg(long, env = "SCOPELINK_OAUTH_AUTHORIZE_URL", default_value = crate::oauth::KLAVIYO_AUTHORIZE_URL, value_parser = LinkBase::parse)]
    pub authorize_url: LinkBase,
    #[command(flatten)]
    pub link: LinkArgs,
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The health URL; by default /healthz on the port of SCOPELINK_BIND, on 127.0.0.1.
    #[arg(long)]
    pub url: Option<String>,
    #[arg(
        long,
        env = "SCOPELINK_BIND",
        default_value = "127.0.0.1:8080",
        hide = true
    )]
    pub bind: String,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Derive the catalog table from Klaviyo OpenAPI files.
    Import(ImportArgs),
    /// Derive the retired-endpoint table from the legacy mapping
    /// (`../shared/klaviyo-legacy-endpoints.json`).
    ImportRetired(ImportRetiredArgs),
}

#[derive(Debug, Args)]
pub struct ImportRetiredArgs {
    /// The legacy mapping (`klaviyo-legacy-endpoints.json`).
    #[arg(long)]
    pub from: PathBuf,
    /// Where to write the table.
    #[arg(long)]
    pub out: PathBuf,
    /// Do not write: exit 1 if the table at --out differs from the derived one.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The stable (GA) spec.
    #[arg(long)]
    pub stable: PathBuf,
    /// The beta (`.pre`) spec.
    #[arg(long)]
    pub beta: Option<PathBuf>,
    /// Where to write the table.
    #[arg(long)]
    pub out: PathBuf,
    /// Do not write: exit 1 if the table at --out differs from the derived one.
    #[arg(long)]
    pub check: bool,
}

/// Reads the serve settings from the environment alone.
#[derive(Debug, Parser)]
pub(super) struct ServeOnly {
    #[command(flatten)]
    pub(super) config: ServeArgs,
}

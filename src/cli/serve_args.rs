//! The flags of `scopelink serve`, each with its `SCOPELINK_*` environment
//! twin, read into the server's [`ServeConfig`]: clap stays in the command
//! line, and every default is the one `ServeConfig::default()` states.

use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};

use crate::config::{Limits, LogFormat, McpConfig, ServeConfig, DEFAULT_MCP_ALLOWED_HOSTS};
use crate::link::LinkBase;
use crate::oauth::KLAVIYO_AUTHORIZE_URL;

impl ValueEnum for LogFormat {
    fn value_variants<'a>() -> &'a [LogFormat] {
        &[LogFormat::Pretty, LogFormat::Json]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            LogFormat::Pretty => PossibleValue::new("pretty").help("Human-readable lines"),
            LogFormat::Json => PossibleValue::new("json").help("One JSON object per line"),
        })
    }
}

/// Size and count limits on requests.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest request body, in bytes.
    #[arg(long, env = "SCOPELINK_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,
    /// Most operations in one request.
    #[arg(long, env = "SCOPELINK_MAX_OPERATIONS", default_value_t = Limits::default().max_operations)]
    pub max_operations: usize,
    /// Longest single input item, in bytes.
    #[arg(long, env = "SCOPELINK_MAX_ITEM_BYTES", default_value_t = Limits::default().max_item_bytes)]
    pub max_item_bytes: usize,
    /// Longest request URL (path and query), in bytes.
    #[arg(long, env = "SCOPELINK_MAX_URL_BYTES", default_value_t = Limits::default().max_url_bytes)]
    pub max_url_bytes: usize,
    /// Largest HAR or request log for `POST /v1/links/from-har`, in bytes (streamed, never held).
    #[arg(long, env = "SCOPELINK_MAX_HAR_BYTES", default_value_t = Limits::default().max_har_bytes)]
    pub max_har_bytes: usize,
    /// Most files in one `POST /v1/links/from-source` request.
    #[arg(long, env = "SCOPELINK_MAX_SOURCE_FILES", default_value_t = Limits::default().max_source_files)]
    pub max_source_files: usize,
    /// Largest file content in `POST /v1/links/from-source`, in bytes.
    #[arg(long, env = "SCOPELINK_MAX_SOURCE_FILE_BYTES", default_value_t = Limits::default().max_source_file_bytes)]
    pub max_source_file_bytes: usize,
    /// Largest sum of file contents in `POST /v1/links/from-source`, in bytes
    /// (its body may be a quarter larger, for JSON escaping and paths).
    #[arg(long, env = "SCOPELINK_MAX_SOURCE_TOTAL_BYTES", default_value_t = Limits::default().max_source_total_bytes)]
    pub max_source_total_bytes: usize,
    /// Most Klaviyo calls one `POST /v1/links/from-source` request (or one
    /// MCP `klaviyo_scan`) may list; the scan stops past it.
    #[arg(long, env = "SCOPELINK_MAX_SOURCE_CALLS", default_value_t = Limits::default().max_source_calls)]
    pub max_source_calls: usize,
}

impl From<LimitArgs> for Limits {
    fn from(args: LimitArgs) -> Limits {
        Limits {
            max_body_bytes: args.max_body_bytes,
            max_operations: args.max_operations,
            max_item_bytes: args.max_item_bytes,
            max_url_bytes: args.max_url_bytes,
            max_har_bytes: args.max_har_bytes,
            max_source_files: args.max_source_files,
            max_source_file_bytes: args.max_source_file_bytes,
            max_source_total_bytes: args.max_source_total_bytes,
            max_source_calls: args.max_source_calls,
        }
    }
}

/// Settings of `scopelink serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SCOPELINK_BIND", default_value_t = ServeConfig::default().bind)]
    pub bind: String,
    /// Worker threads (default: one per CPU).
    #[arg(long, env = "SCOPELINK_WORKERS")]
    pub workers: Option<usize>,
    /// Log line format; the level comes from RUST_LOG.
    #[arg(long, env = "SCOPELINK_LOG_FORMAT", value_enum, default_value_t = ServeConfig::default().log_format)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Origins allowed to call the JSON API from a browser, comma-separated
    /// (default: any origin, without credentials).
    #[arg(long, env = "SCOPELINK_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Requests per minute per client IP; 0 turns rate limiting off.
    #[arg(long, env = "SCOPELINK_RATE_LIMIT_PER_MINUTE", default_value_t = ServeConfig::default().rate_limit_per_minute)]
    pub rate_limit_per_minute: u32,
    /// Klaviyo's OAuth authorize page (https on klaviyo.com).
    #[arg(long, env = "SCOPELINK_OAUTH_AUTHORIZE_URL", default_value = KLAVIYO_AUTHORIZE_URL, value_parser = LinkBase::parse)]
    pub oauth_authorize_url: LinkBase,
    /// Memory for answers kept to serve identical requests again, in bytes; 0 turns it off.
    #[arg(long, env = "SCOPELINK_ANSWER_CACHE_BYTES", default_value_t = ServeConfig::default().answer_cache_bytes)]
    pub answer_cache_bytes: usize,
    /// Longest time to receive a request's headers, and to answer it, in seconds.
    #[arg(long, env = "SCOPELINK_REQUEST_TIMEOUT_SECS", default_value_t = ServeConfig::default().request_timeout_secs)]
    pub request_timeout_secs: u64,
    /// Longest wait for in-flight requests at shutdown, in seconds.
    #[arg(long, env = "SCOPELINK_SHUTDOWN_TIMEOUT_SECS", default_value_t = ServeConfig::default().shutdown_timeout_secs)]
    pub shutdown_timeout_secs: u64,
    /// Also log the `request` line of probes and scrapes (`/healthz`, `/readyz`,
    /// `/metrics`) that succeed; those that fail are always logged.
    #[arg(long, env = "SCOPELINK_LOG_PROBES")]
    pub log_probes: bool,
    #[command(flatten)]
    pub mcp: McpEndpointArgs,
}

impl From<ServeArgs> for ServeConfig {
    fn from(args: ServeArgs) -> ServeConfig {
        ServeConfig {
            bind: args.bind,
            workers: args.workers,
            log_format: args.log_format,
            limits: args.limits.into(),
            cors_origins: args.cors_origins,
            rate_limit_per_minute: args.rate_limit_per_minute,
            oauth_authorize_url: args.oauth_authorize_url,
            answer_cache_bytes: args.answer_cache_bytes,
            request_timeout_secs: args.request_timeout_secs,
            shutdown_timeout_secs: args.shutdown_timeout_secs,
            log_probes: args.log_probes,
            mcp: args.mcp.into(),
        }
    }
}

/// Settings of the MCP endpoint `/mcp` on the serve port.
#[derive(Debug, Clone, Args)]
pub struct McpEndpointArgs {
    /// Browser origins allowed to call /mcp besides loopback and same-host
    /// ones, comma-separated (`https://app.example.com`, `http://tool.example:*`, `*`).
    #[arg(long, env = "SCOPELINK_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub mcp_allowed_origins: Vec<String>,
    /// `Host` names /mcp answers (DNS rebinding protection), comma-separated;
    /// set the names clients use when serving beyond loopback (`*` for any).
    #[arg(
        long,
        env = "SCOPELINK_MCP_ALLOWED_HOSTS",
        value_delimiter = ',',
        default_value = DEFAULT_MCP_ALLOWED_HOSTS
    )]
    pub mcp_allowed_hosts: Vec<String>,
    /// Most MCP sessions open at once; more are refused with 503.
    #[arg(long, env = "SCOPELINK_MCP_MAX_SESSIONS", default_value_t = McpConfig::default().mcp_max_sessions)]
    pub mcp_max_sessions: usize,
    /// An MCP session without traffic for this long is closed, in seconds.
    #[arg(long, env = "SCOPELINK_MCP_SESSION_IDLE_SECS", default_value_t = McpConfig::default().mcp_session_idle_secs)]
    pub mcp_session_idle_secs: u64,
}

impl From<McpEndpointArgs> for McpConfig {
    fn from(args: McpEndpointArgs) -> McpConfig {
        McpConfig {
            mcp_allowed_origins: args.mcp_allowed_origins,
            mcp_allowed_hosts: args.mcp_allowed_hosts,
            mcp_max_sessions: args.mcp_max_sessions,
            mcp_session_idle_secs: args.mcp_session_idle_secs,
        }
    }
}

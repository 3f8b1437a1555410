//! The server's settings and their defaults, so that `scopelink serve` with
//! nothing set serves on 127.0.0.1:8080. The command line reads them from
//! flags and their `SCOPELINK_*` environment twins (`cli::serve_args`).

use std::time::Duration;

use crate::link::LinkBase;
use crate::oauth::KLAVIYO_AUTHORIZE_URL;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Size and count limits on requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most operations in one request.
    pub max_operations: usize,
    /// Longest single input item, in bytes.
    pub max_item_bytes: usize,
    /// Longest request URL (path and query), in bytes.
    pub max_url_bytes: usize,
    /// Largest HAR or request log for `POST /v1/links/from-har`, in bytes (streamed, never held).
    pub max_har_bytes: usize,
    /// Most files in one `POST /v1/links/from-source` request.
    pub max_source_files: usize,
    /// Largest file content in `POST /v1/links/from-source`, in bytes.
    pub max_source_file_bytes: usize,
    /// Largest sum of file contents in `POST /v1/links/from-source`, in bytes
    /// (its body may be a quarter larger, for JSON escaping and paths).
    pub max_source_total_bytes: usize,
    /// Most Klaviyo calls one `POST /v1/links/from-source` request (or one
    /// MCP `klaviyo_scan`) may list; the scan stops past it.
    pub max_source_calls: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 64 * 1024,
            max_operations: 256,
            max_item_bytes: 2048,
            max_url_bytes: 8192,
            max_har_bytes: 128 * 1024 * 1024,
            max_source_files: 2000,
            max_source_file_bytes: 1024 * 1024,
            max_source_total_bytes: 16 * 1024 * 1024,
            max_source_calls: 20_000,
        }
    }
}

/// Settings of `scopelink serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub bind: String,
    /// Worker threads (default: one per CPU).
    pub workers: Option<usize>,
    /// Log line format; the level comes from RUST_LOG.
    pub log_format: LogFormat,
    pub limits: Limits,
    /// Origins allowed to call the JSON API from a browser, comma-separated
    /// (default: any origin, without credentials).
    pub cors_origins: Vec<String>,
    /// Requests per minute per client IP; 0 turns rate limiting off.
    pub rate_limit_per_minute: u32,
    /// Klaviyo's OAuth authorize page (https on klaviyo.com).
    pub oauth_authorize_url: LinkBase,
    /// Memory for answers kept to serve identical requests again, in bytes; 0 turns it off.
    pub answer_cache_bytes: usize,
    /// Longest time to receive a request's headers, and to answer it, in seconds.
    pub request_timeout_secs: u64,
    /// Longest wait for in-flight requests at shutdown, in seconds.
    pub shutdown_timeout_secs: u64,
    /// Also log the `request` line of probes and scrapes (`/healthz`, `/readyz`,
    /// `/metrics`) that succeed; those that fail are always logged.
    pub log_probes: bool,
    pub mcp: McpConfig,
}

/// The `Host` names `/mcp` answers by default, comma-separated: loopback
/// names, on any port.
pub const DEFAULT_MCP_ALLOWED_HOSTS: &str = "localhost,127.0.0.1,::1";

/// Settings of the MCP endpoint `/mcp` on the serve port.
#[derive(Debug, Clone)]
pub struct McpConfig {
    /// Browser origins allowed to call /mcp besides loopback and same-host
    /// ones, comma-separated (`https://app.example.com`, `http://tool.example:*`, `*`).
    pub mcp_allowed_origins: Vec<String>,
    /// `Host` names /mcp answers (DNS rebinding protection), comma-separated;
    /// set the names clients use when serving beyond loopback (`*` for any).
    pub mcp_allowed_hosts: Vec<String>,
    /// Most MCP sessions open at once; more are refused with 503.
    pub mcp_max_sessions: usize,
    /// An MCP session without traffic for this long is closed, in seconds.
    pub mcp_session_idle_secs: u64,
}

impl Default for McpConfig {
    fn default() -> McpConfig {
        McpConfig {
            mcp_allowed_origins: Vec::new(),
            mcp_allowed_hosts: DEFAULT_MCP_ALLOWED_HOSTS
                .split(',')
                .map(str::to_owned)
                .collect(),
            mcp_max_sessions: 64,
            mcp_session_idle_secs: 300,
        }
    }
}

impl McpConfig {
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.mcp_session_idle_secs.max(1))
    }
}

impl Limits {
    /// The largest body `POST /v1/links/from-source` reads: the total of the
    /// contents, plus a quarter and the JSON limit for escaping and paths.
    pub fn source_body_bytes(&self) -> usize {
        self.max_source_total_bytes
            .saturating_add(self.max_source_total_bytes / 4)
            .saturating_add(self.max_body_bytes)
    }
}

impl ServeConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            bind: "127.0.0.1:8080".to_owned(),
            workers: None,
            log_format: LogFormat::Pretty,
            limits: Limits::default(),
            cors_origins: Vec::new(),
            rate_limit_per_minute: 0,
            answer_cache_bytes: 4 * 1024 * 1024,
            oauth_authorize_url: LinkBase::parse(KLAVIYO_AUTHORIZE_URL)
                .expect("the default is valid"),
            request_timeout_secs: 10,
            shutdown_timeout_secs: 30,
            log_probes: false,
            mcp: McpConfig::default(),
        }
    }
}

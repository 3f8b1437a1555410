//! The MCP server, so coding assistants ask Scopelink which Klaviyo scopes a
//! key needs instead of guessing: tools, resources and instructions over the
//! same core as the CLI and the JSON API.
//!
//! [`ScopelinkMcp`] is one `rmcp` server handler for both transports:
//! [`ScopelinkMcp::local`] for `scopelink mcp` over stdio (it may scan local
//! source, confined to the working directory or the client's roots) and
//! [`ScopelinkMcp::hosted`] for `/mcp` on the serve port (it never reads its
//! own disk for a caller). Nothing here knows actix or clap.

pub mod guard;
mod resources;
pub mod scan;
pub mod schema;
pub mod sessions;
pub mod tools;

use std::path::PathBuf;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};

use crate::catalog::CatalogSet;
use crate::config::Limits;
use crate::link::LinkBase;
use tools::ToolError;

/// What the server answers from; the HTTP server's shared state implements it
/// too, so `/mcp` uses the catalogs `serve` already loaded.
pub trait Backend: Send + Sync + 'static {
    fn catalogs(&self) -> &CatalogSet;
    fn link_base(&self) -> &LinkBase;
    /// The JSON API's limits: operations per call, bytes per input.
    fn limits(&self) -> &Limits;
}

/// A backend of its own, for `scopelink mcp`.
#[derive(Debug)]
pub struct Standalone {
    pub catalogs: CatalogSet,
    pub link_base: LinkBase,
    pub limits: Limits,
}

impl Backend for Standalone {
    fn catalogs(&self) -> &CatalogSet {
        &self.catalogs
    }
    fn link_base(&self) -> &LinkBase {
        &self.link_base
    }
    fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// One paragraph for the assistant: when to call which tool, and never a key.
pub const INSTRUCTIONS: &str = "Scopelink answers which Klaviyo API scopes a private API key \
needs; do not guess scope names from memory (old names such as `list:read` no longer exist, and \
`include=` needs extra read scopes). When an integration will call Klaviyo's API, call \
`klaviyo_link` once with every operation it calls (paths such as `GET /api/profiles/{id}?include=lists`, \
operationIds, or SDK method names) and give the user the returned create-key link and why each \
scope is needed; if an input comes back with an error, use its suggestions and call again. Use \
`klaviyo_search_operations` to find the right operation when unsure, `klaviyo_audit_link` to check \
an existing create-key link or scope list (with the operations, it gives the corrected link), and, \
where offered, `klaviyo_scan` to find the Klaviyo calls in local source files. The resource \
template `scopelink://operations/{operationId}` describes one operation, and \
`scopelink://revisions` lists the Klaviyo revisions loaded. Never ask the user for an API key \
and never pass one to these tools: Scopelink needs only operation and scope names, and refuses \
anything that looks like a key (`pk_…`).";

/// The Scopelink MCP server handler.
#[derive(Clone)]
pub struct ScopelinkMcp {
    backend: Arc<dyn Backend>,
    /// Where `klaviyo_scan` may read when no roots are declared; `None` on a hosted server.
    working_dir: Option<Arc<PathBuf>>,
    tools: Arc<Vec<Tool>>,
}

/// The tools a server offers; `klaviyo_scan` only where local files may be read.
fn tool_list(local: bool) -> Vec<rmcp::model::Tool> {
    let mut list = tools::definitions();
    if local {
        list.extend(scan::definitions());
    }
    list
}

impl ScopelinkMcp {
    /// For stdio: local source may be scanned, within `working_dir` or the client's roots.
    pub fn local(backend: Arc<dyn Backend>, working_dir: PathBuf) -> ScopelinkMcp {
        ScopelinkMcp {
            backend,
            working_dir: Some(Arc::new(working_dir)),
            tools: Arc::new(tool_list(true)),
        }
    }

    /// For `/mcp`: no tool reads the server's disk.
    pub fn hosted(backend: Arc<dyn Backend>) -> ScopelinkMcp {
        ScopelinkMcp {
            backend,
            working_dir: None,
            tools: Arc::new(tool_list(false)),
        }
    }

    /// The tools this server lists.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    async fn run_tool(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CallToolResult, ToolError> {
        if let Some(at) = tools::key_like_argument(request.arguments.as_ref()) {
            return Err(tools::key_refused(&at));
        }
        let backend = &*self.backend;
        match request.name.as_ref() {
            tools::LINK => tools::link(backend, tools::parse(request.arguments)?),
            tools::SEARCH => tools::search(backend, tools::parse(request.arguments)?),
            tools::AUDIT => tools::audit_link(backend, tools::parse(request.arguments)?),
            tools::SCAN => match &self.working_dir {
                Some(working_dir) => {
                    let params = tools::parse(request.arguments)?;
                    let roots = scan::client_roots(context).await;
                    // Walking a tree blocks; keep it off the protocol's threads.
                    let (backend, working_dir) = (self.backend.clone(), working_dir.clone());
                    tokio::task::spawn_blocking(move || {
                        scan::run(&*backend, &working_dir, roots, params)
                    })
                    .await
                    .map_err(|_| ToolError::new("internal", "the scan stopped unexpectedly"))?
                }
                None => Err(ToolError::new(
                    "not_available",
                    "klaviyo_scan reads local source files, so only `scopelink mcp` (stdio) \
                     offers it; a hosted server never reads its own disk for a caller",
                )),
            },
            // Unknown names are answered before this, as a protocol error.
            other => Err(ToolError::new(
                "unknown_tool",
                format!("no tool is named `{other}`"),
            )),
        }
    }
}

impl ServerHandler for ScopelinkMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(
            Implementation::new("scopelink", env!("CARGO_PKG_VERSION"))
                .with_title("Scopelink: least-privilege Klaviyo API keys"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(name) = self
            .tools
            .iter()
            .map(|tool| tool.name.clone())
            .find(|name| *name == request.name)
        else {
            let known: Vec<&str> = self.tools.iter().map(|t| t.name.as_ref()).collect();
            return Err(McpError::invalid_params(
                format!(
                    "no tool is named `{}`; this server has {}",
                    crate::secret::redact(&request.name),
                    known.join(", ")
                ),
                None,
            ));
        };
        let result = match self.run_tool(request, &context).await {
            Ok(result) => result,
            Err(error) => {
                tracing::info!(tool = %name, code = error.code, "tool call refused");
                error.into_result()
            }
        };
        tracing::info!(
            tool = %name,
            is_error = result.is_error.unwrap_or(false),
            "tool call"
        );
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        resources::read(&*self.backend, &request.uri).map(Into::into)
    }
}

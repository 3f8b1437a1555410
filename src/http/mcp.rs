//! `/mcp`: the MCP server's streamable-HTTP transport on the serve port.
//!
//! rmcp's transport is a tower service over `http` 1.x types; this bridges
//! it into actix (request in, body streamed back, Server-Sent Events
//! included) rather than re-implementing the protocol, so rmcp's own session
//! handling and body limit apply. In front of it sit the checks the MCP
//! spec's security notes ask for: `Host` and `Origin` (DNS rebinding, see
//! [`crate::mcp::guard`]) and a bound on open sessions.
//!
//! # Implementation Notes
//! `rmcp-actix-web` exists (MIT) but re-implements the transport on actix
//! instead of wrapping rmcp's, so it would not get rmcp's fixes and checks
//! as they land; the bridge here is small.

use std::convert::Infallible;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt, TryStreamExt};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyDataStream, Full};
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::error::ApiError;
use super::AppState;
use crate::catalog::CatalogSet;
use crate::config::{Limits, McpConfig};
use crate::link::LinkBase;
use crate::mcp::guard::Guard;
use crate::mcp::sessions::BoundedSessions;
use crate::mcp::{Backend, ScopelinkMcp};

impl Backend for AppState {
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

/// The MCP service, shared by every worker.
pub struct McpEndpoint {
    service: StreamableHttpService<ScopelinkMcp, BoundedSessions>,
    sessions: Arc<BoundedSessions>,
    guard: Guard,
    max_body_bytes: usize,
}

impl McpEndpoint {
    pub fn new(state: Arc<AppState>, config: &McpConfig) -> web::Data<McpEndpoint> {
        let max_body_bytes = state.limits.max_body_bytes;
        let sessions = Arc::new(BoundedSessions::new(
            config.mcp_max_sessions,
            config.session_idle(),
        ));
        let guard = Guard {
            allowed_origins: config.mcp_allowed_origins.clone(),
            allowed_hosts: config.mcp_allowed_hosts.clone(),
        };
        // The guard checks Host and Origin first, with clear problems; rmcp
        // checks Host again with the same list.
        let mut rmcp_config = StreamableHttpServerConfig::default()
            .with_max_request_body_bytes(max_body_bytes)
            .disable_allowed_origins();
        rmcp_config = if guard.allowed_hosts.iter().any(|h| h.trim() == "*") {
            rmcp_config.disable_allowed_hosts()
        } else {
            rmcp_config.with_allowed_hosts(guard.allowed_hosts.clone())
        };
        let backend: Arc<dyn Backend> = state;
        let service = StreamableHttpService::new(
            move || Ok(ScopelinkMcp::hosted(backend.clone())),
            sessions.clone(),
            rmcp_config,
        );
        web::Data::new(McpEndpoint {
            service,
            sessions,
            guard,
            max_body_bytes,
        })
    }
}

/// Mounts `/mcp` (POST for messages, GET for the event stream, DELETE to end a session).
pub fn configure(config: &mut web::ServiceConfig) {
    config.service(web::resource("/mcp").route(web::route().to(handle)));
}

/// One request to `/mcp`, checked, then handed to rmcp.
async fn handle(
    request: HttpRequest,
    payload: web::Payload,
    endpoint: web::Data<McpEndpoint>,
) -> Result<HttpResponse, ApiError> {
    let header_text = |name: header::HeaderName| {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap_or("(not text)"))
    };
    if let Err(error) = endpoint
        .guard
        .check(header_text(header::HOST), header_text(header::ORIGIN))
    {
        tracing::warn!(code = error.code(), "refused an /mcp request");
        return Err(ApiError::McpRefused(error));
    }
    let body = read_body(payload, endpoint.max_body_bytes).await?;
    if opens_session(&request, &body) && endpoint.sessions.is_full().await {
        return Err(ApiError::McpSessionsFull {
            limit: endpoint.sessions.max_sessions(),
        });
    }
    let forwarded = to_http(&request, body).map_err(|_| ApiError::Internal)?;
    let answer = endpoint.service.handle(forwarded).await;
    let mut response = from_http(answer);
    if request.method() == actix_web::http::Method::DELETE {
        *response.status_mut() = session_end_status(response.status());
    }
    Ok(response)
}

/// rmcp answers a `DELETE` that ends a session with 202 Accepted, which
/// clients (the official Python SDK among them) take for a failed
/// termination: the session is ended by then, so it is 200 OK.
fn session_end_status(status: StatusCode) -> StatusCode {
    if status == StatusCode::ACCEPTED {
        StatusCode::OK
    } else {
        status
    }
}

/// An `initialize` without a session: the request that opens a new one.
fn opens_session(request: &HttpRequest, body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Message<'a> {
        #[serde(borrow)]
        method: Option<&'a str>,
    }
    request.method() == actix_web::http::Method::POST
        && !request.headers().contains_key("mcp-session-id")
        && serde_json::from_slice::<Message<'_>>(body)
            .is_ok_and(|message| message.method == Some("initialize"))
}

/// The whole body, up to the limit.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::InvalidBody(format!("the request body could not be read: {error}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The actix request as an `http` 1.x request for rmcp.
fn to_http(request: &HttpRequest, body: Bytes) -> Result<http::Request<Full<Bytes>>, http::Error> {
    let mut builder = http::Request::builder()
        .method(request.method().as_str())
        .uri(request.uri().to_string());
    for (name, value) in request.headers() {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    builder.body(Full::new(body))
}

/// rmcp's answer as an actix response, its body streamed as it comes.
fn from_http(answer: http::Response<BoxBody<Bytes, Infallible>>) -> HttpResponse {
    let (parts, body) = answer.into_parts();
    let status =
        StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_str().as_bytes()),
            header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response.append_header((name, value));
        }
    }
    let stream = BodyDataStream::new(body)
        .map_err(|never: Infallible| -> actix_web::Error { match never {} });
    response.streaming(stream)
}

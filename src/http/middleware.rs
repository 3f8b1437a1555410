//! What wraps every request: a request id, the URL-length limit, the request
//! timeout, problem+json for any bare error, security headers, one log line,
//! and the metrics.
//!
//! Logs and metrics name the matched route pattern, never the raw path or
//! query, so nothing an API key might hide in reaches them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};

use super::error::{ApiError, PROBLEM_JSON};
use super::AppState;
use crate::secret;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// For JSON answers: nothing may load, nothing may frame.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// For the Swagger UI, whose assets are served from here.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/// Wraps every request; see the module docs.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .expect("the app state is registered");
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_safe_request_id(id))
        .map(str::to_owned)
        .unwrap_or_else(new_request_id);
    let method = request.method().to_string();
    let url_length = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    let limit = state.limits.max_url_bytes;

    let mut response = if url_length > limit {
        request.into_response(ApiError::UrlTooLong { limit }.error_response())
    } else if let Some(retry_after_secs) = (!is_operations_endpoint(request.path()))
        .then(|| state.rate_limiter.check(request.peer_addr()))
        .flatten()
    {
        request.into_response(ApiError::RateLimited { retry_after_secs }.error_response())
    } else {
        // The request is consumed by the call (it must not be cloned before
        // routing), so a timeout or error is logged here and rendered by actix.
        let outcome = match tokio::time::timeout(state.request_timeout, next.call(request)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(ApiError::Timeout {
                secs: state.request_timeout.as_secs(),
            }
            .into()),
        };
        match outcome {
            Ok(response) => response.map_into_boxed_body(),
            Err(error) => {
                let status = error.as_response_error().status_code().as_u16();
                state
                    .metrics
                    .record_request(&method, "unanswered", status, started.elapsed());
                tracing::warn!(request_id = %request_id, method = %method, status, error = %error, "request failed before an answer");
                return Err(error);
            }
        }
    };
    if is_bare_error(&response) {
        response = into_problem(response);
    }

    let path = response.request().path().to_owned();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if path.starts_with("/docs") {
            DOCS_CSP
        } else {
            API_CSP
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }

    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16();
    let latency = started.elapsed();
    state
        .metrics
        .record_request(&method, &route, status, latency);
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(response)
}

/// Probes and scrapes come from the node or the monitoring system, many
/// clients behind one address: rate limiting them would restart healthy pods.
fn is_operations_endpoint(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// An error answer that is not already problem+json (or the HTML error page).
fn is_bare_error(response: &ServiceResponse<BoxBody>) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !(content_type.starts_with(PROBLEM_JSON) || content_type.starts_with("text/html"))
}

/// Replaces a bare error from the framework with the matching problem.
fn into_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let allow = response.headers().get(header::ALLOW).cloned();
    let (request, _) = response.into_parts();
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound(format!(
            "{} {}",
            request.method(),
            secret::redact(request.path())
        )),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allowed: allow
                .and_then(|v| v.to_str().ok().map(str::to_owned))
                .unwrap_or_else(|| "see /openapi.json".to_owned()),
        },
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge {
            limit: request
                .app_data::<web::Data<AppState>>()
                .map_or(0, |state| state.limits.max_body_bytes),
        },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        status if status.is_client_error() => ApiError::InvalidParameter(format!(
            "the request was refused: {}",
            status.canonical_reason().unwrap_or("bad request")
        )),
        _ => ApiError::Internal,
    };
    if matches!(error, ApiError::Internal) {
        tracing::error!(status = status.as_u16(), "an internal error was answered");
    }
    ServiceResponse::new(request, error.error_response())
}

/// Ids a client may pass in: short and plain, and nothing key-like.
fn is_safe_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !secret::contains_private_key(id)
}

fn new_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:016x}",
        seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    )
}

//! What wraps every request inside its root span (`request_span`): the
//! URL-length limit, the rate limit, the request timeout, problem+json for any
//! bare error, the request id and security headers, and the metrics.
//!
//! Logs and metrics name the matched route pattern, never the raw path or
//! query, so nothing an API key might hide in reaches them.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};

use super::error::{ApiError, PROBLEM_JSON};
use super::request_span::RequestContext;
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
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .expect("the app state is registered");
    let context = RequestContext::of(&request);
    let method = request.method().clone();
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
                let latency = context.started.elapsed();
                state
                    .metrics
                    .record_request(&method, &Arc::from("unanswered"), status, latency);
                tracing::warn!(
                    request_id = %context.id,
                    method = %method,
                    route = %context.route,
                    status,
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    error = %error,
                    "request failed before an answer"
                );
                return Err(error);
            }
        }
    };
    if is_bare_error(&response) {
        response = into_problem(response);
    }

    let path = response.request().path().to_owned();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&context.id) {
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

    state.metrics.record_request(
        &method,
        &context.route,
        response.status().as_u16(),
        context.started.elapsed(),
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

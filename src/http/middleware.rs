//! What wraps every request: what its log lines name of it (`request_log`)
//! and, inside that, the URL-length limit, the rate limit, the request
//! timeout, problem+json for any bare error, the request id and security
//! headers, the metrics and the one `request` log line (which probes and
//! scrapes that succeed skip unless `--log-probes` is set).
//!
//! Logs and metrics name the matched route pattern, never the raw path or
//! query, so nothing an API key might hide in reaches them.
//!
//! # Implementation notes
//! One hand-written middleware ([`Observe`]) where there were three layers
//! (tracing-actix-web's `TracingLogger`, which also made a UUID per request
//! that nothing read, and an `actix_web::middleware::from_fn` closure): a
//! request pays for one boxed future and no extensions. The route pattern of
//! a path that matches a static route is remembered per worker ([`Routes`]),
//! so the route table is walked once per static route, not once per request;
//! the map holds only paths equal to their pattern, so it is bounded by the
//! route table whatever clients send.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, Error, ResponseError};
use futures_util::future::LocalBoxFuture;

use super::error::{ApiError, PROBLEM_JSON};
use super::request_log::{self, RequestContext, REQUEST_ID};
use super::AppState;
use crate::secret;
use fnv::FnvBuildHasher;

/// For JSON answers: nothing may load, nothing may frame.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// For the Swagger UI, whose assets are served from here.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/// Wraps every request; see the module docs.
pub struct Observe;

impl<S, B> Transform<S, ServiceRequest> for Observe
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = ObserveMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ObserveMiddleware {
            service: Rc::new(service),
            routes: Rc::new(Routes::default()),
        }))
    }
}

pub struct ObserveMiddleware<S> {
    service: Rc<S>,
    routes: Rc<Routes>,
}

/// The route patterns of static paths seen by this worker (see the module docs).
pub struct Routes {
    by_path: RefCell<HashMap<Box<str>, Arc<str>, FnvBuildHasher>>,
    unmatched: Arc<str>,
}

impl Default for Routes {
    fn default() -> Routes {
        Routes {
            by_path: RefCell::default(),
            unmatched: Arc::from("unmatched"),
        }
    }
}

impl Routes {
    /// The matched route pattern of a request not yet routed, or `unmatched`.
    pub fn of(&self, request: &ServiceRequest) -> Arc<str> {
        let path = request.path();
        if let Some(route) = self.by_path.borrow().get(path) {
            return route.clone();
        }
        match request.match_pattern() {
            Some(pattern) if pattern == path => {
                let route: Arc<str> = Arc::from(pattern);
                self.by_path
                    .borrow_mut()
                    .insert(Box::from(path), route.clone());
                route
            }
            Some(pattern) => Arc::from(pattern),
            None => self.unmatched.clone(),
        }
    }
}

impl<S, B> Service<ServiceRequest> for ObserveMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let context = RequestContext::new(&request, self.routes.of(&request));
        let service = self.service.clone();
        let scope = context.scope.clone();
        Box::pin(scope.run(observe(request, service, context)))
    }
}

/// What [`Observe`] does while the request is the one its log lines name.
async fn observe<S, B>(
    request: ServiceRequest,
    service: Rc<S>,
    context: RequestContext,
) -> Result<ServiceResponse<BoxBody>, Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .expect("the app state is registered");
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
        let outcome = match tokio::time::timeout(state.request_timeout, service.call(request)).await
        {
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
                    request_id = context.scope.request_id(),
                    method = context.scope.method(),
                    route = &**context.scope.route(),
                    status,
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    error = %error,
                    "request failed before an answer"
                );
                context.scope.set_status(status);
                return Err(error);
            }
        }
    };
    if is_bare_error(&response) {
        response = into_problem(response);
    }

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(context.scope.request_id()) {
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
    if !response
        .headers()
        .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        let csp = if response.request().path().starts_with("/docs") {
            DOCS_CSP
        } else {
            API_CSP
        };
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }

    let status = response.status().as_u16();
    let latency = context.started.elapsed();
    state
        .metrics
        .record_request(&method, context.scope.route(), status, latency);
    context.scope.set_status(status);
    if state.log_probes || !(is_success(status) && is_operations_endpoint(context.scope.route())) {
        request_log::log_request(&context, status, latency);
    }
    Ok(response)
}

/// Probes and scrapes come from the node or the monitoring system, many
/// clients behind one address: rate limiting them would restart healthy pods.
/// They come every few seconds, so one that succeeds is counted in the
/// metrics but logged only with `--log-probes`; one that fails is logged.
fn is_operations_endpoint(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
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

//! The root span of every request (through `tracing-actix-web`) and the one
//! `request` log line it ends with: request id, method, route pattern, status
//! and latency.
//!
//! Neither the span nor the line records the raw path, query, headers or body:
//! an API key hidden in any of them never reaches the logs. Events logged while
//! a request is handled carry the span, so they name its id and route.
//!
//! # Implementation notes
//! tracing-actix-web's default root span records the raw target (path and
//! query), and its `emit_event_on_error` feature logs errors' `Debug`; this
//! builder records neither, and the crate's default features are off. The
//! line is emitted as a root event (`parent: None`) so it does not repeat the
//! span's fields. A request that fails before any answer (a timeout) is logged
//! by `middleware::observe`, which still knows its start.

use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

use super::middleware::REQUEST_ID;
use crate::secret;

/// What is known of a request from its start: kept in its extensions.
#[derive(Debug)]
pub struct RequestContext {
    /// The client's `x-request-id` if it is safe to echo, else a new one.
    pub id: Box<str>,
    /// The matched route pattern (`/v1/operations/{operation_id}`), or `unmatched`.
    pub route: Arc<str>,
    pub started: Instant,
}

impl RequestContext {
    /// The request's context, made and stored on first use.
    pub fn of(request: &ServiceRequest) -> Rc<RequestContext> {
        if let Some(context) = request.extensions().get::<Rc<RequestContext>>() {
            return context.clone();
        }
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .filter(|id| is_safe_request_id(id))
            .map_or_else(new_request_id, Box::from);
        let route = request
            .match_pattern()
            .map_or_else(|| Arc::from("unmatched"), Arc::from);
        let context = Rc::new(RequestContext {
            id,
            route,
            started: Instant::now(),
        });
        request.extensions_mut().insert(context.clone());
        context
    }
}

/// The [`RootSpanBuilder`] of [`tracing_actix_web::TracingLogger`]; see the module docs.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let context = RequestContext::of(request);
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %context.route,
            request_id = %context.id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let response = match outcome {
            Ok(response) => response,
            Err(error) => {
                span.record("status", error.as_response_error().status_code().as_u16());
                return;
            }
        };
        let status = response.status().as_u16();
        span.record("status", status);
        let request = response.request();
        let Some(context) = request.extensions().get::<Rc<RequestContext>>().cloned() else {
            return;
        };
        tracing::info!(
            parent: None,
            request_id = %context.id,
            method = %request.method(),
            route = %context.route,
            status,
            latency_ms = context.started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    }
}

/// Ids a client may pass in: short and plain, and nothing key-like.
fn is_safe_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !secret::contains_private_key(id)
}

fn new_request_id() -> Box<str> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: OnceLock<u64> = OnceLock::new();
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
    .into_boxed_str()
}

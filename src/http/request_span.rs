//! The root span of every request and the one
//! `request` log line it ends with: request id, method, route pattern, status
//! and latency.
//!
//! Neither the span nor the line records the raw path, query, headers or body:
//! an API key hidden in any of them never reaches the logs. Events logged while
//! a request is handled carry the span, so they name its id and route.
//!
//! # Implementation notes
//! The span is made by `middleware::Observe`, which also emits the line, as a
//! root event (`parent: None`) so it does not name a parent; the JSON format
//! still prints the entered span after it (see `telemetry`). A request that
//! fails before any answer (a timeout) is logged as a warning instead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use tracing::Span;

use super::middleware::REQUEST_ID;
use crate::secret;

/// What is known of a request from its start.
#[derive(Debug)]
pub struct RequestContext {
    /// The client's `x-request-id` if it is safe to echo, else a new one.
    pub id: Box<str>,
    /// The matched route pattern (`/v1/operations/{operation_id}`), or `unmatched`.
    pub route: Arc<str>,
    pub started: Instant,
}

impl RequestContext {
    /// The context of a request whose route pattern is `route`.
    pub fn new(request: &ServiceRequest, route: Arc<str>) -> RequestContext {
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .filter(|id| is_safe_request_id(id))
            .map_or_else(new_request_id, Box::from);
        RequestContext {
            id,
            route,
            started: Instant::now(),
        }
    }
}

/// The root span of a request; `status` is recorded when it is answered.
/// (Fields are given as `&str`, not `%` Display: the same JSON, without the
/// formatting machinery.)
pub fn root_span(request: &ServiceRequest, context: &RequestContext) -> Span {
    tracing::info_span!(
        "request",
        method = request.method().as_str(),
        route = &*context.route,
        request_id = &*context.id,
        status = tracing::field::Empty,
    )
}

/// The one `request` line of an answered request, `latency` after its start.
pub fn log_request(context: &RequestContext, method: &Method, status: u16, latency: Duration) {
    tracing::info!(
        parent: None,
        request_id = &*context.id,
        method = method.as_str(),
        route = &*context.route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request"
    );
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
    let value = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // `{:016x}` without the formatting machinery.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [0u8; 16];
    for (i, digit) in id.iter_mut().enumerate() {
        *digit = HEX[((value >> (60 - 4 * i)) & 0xf) as usize];
    }
    Box::from(std::str::from_utf8(&id).expect("hex digits are ASCII"))
}

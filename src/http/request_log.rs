//! What every request's log lines name of it (request id, method, route
//! pattern and, once answered, status) and the one `request` line it ends
//! with, which adds the latency. (Probes and scrapes that succeed end
//! without one unless `--log-probes` is set; see `middleware`.)
//!
//! Neither records the raw path, query, headers or body: an API key hidden in
//! any of them never reaches the logs. Events logged while a request is
//! handled name it (see `telemetry::RequestScope`).
//!
//! # Implementation notes
//! `middleware::Observe` makes the context and emits the line, as a root event
//! (`parent: None`); the JSON format still names the request after it (see
//! `telemetry`). A request that fails before any answer (a timeout) is logged
//! as a warning instead.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderName;
use actix_web::http::Method;

use crate::secret;
use crate::telemetry::{self, RequestScope};

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What is known of a request from its start.
#[derive(Debug)]
pub struct RequestContext {
    /// Its id (the client's `x-request-id` if it is safe to echo, else a new
    /// one), method and matched route pattern (`/v1/operations/{operation_id}`,
    /// or `unmatched`), as its log lines name them.
    pub scope: Rc<RequestScope>,
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
            scope: Rc::new(RequestScope::new(method_name(request.method()), route, id)),
            started: Instant::now(),
        }
    }
}

/// The standard methods' names without an allocation.
fn method_name(method: &Method) -> Cow<'static, str> {
    standard_method(method).map_or_else(|| Cow::Owned(method.as_str().to_owned()), Cow::Borrowed)
}

/// The name of one of the nine standard methods; `None` for an extension.
pub(super) fn standard_method(method: &Method) -> Option<&'static str> {
    Some(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => return None,
    })
}

/// The one `request` line of an answered request, `latency` after its start.
pub fn log_request(context: &RequestContext, status: u16, latency: Duration) {
    if !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    let scope = &context.scope;
    let latency_ms = latency.as_secs_f64() * 1000.0;
    if !telemetry::write_request_line(scope, status, latency_ms) {
        tracing::info!(
            parent: None,
            request_id = scope.request_id(),
            method = scope.method(),
            route = &**scope.route(),
            status,
            latency_ms,
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
    let value = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // `{:016x}` without the formatting machinery.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [0u8; 16];
    for (i, digit) in id.iter_mut().enumerate() {
        *digit = HEX[((value >> (60 - 4 * i)) & 0xf) as usize];
    }
    Box::from(std::str::from_utf8(&id).expect("hex digits are ASCII"))
}

//! The request being handled, as every line it logs names it: a task-local
//! scope rather than a tracing span, so that nothing is formatted, stored or
//! dispatched for a request that logs one line.

use std::borrow::Cow;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use crate::json_text::{needs_escape, write_json_str};

/// The request being handled, as its log lines name it: what a `request`
/// span with these fields would print.
#[derive(Debug)]
pub struct RequestScope {
    method: Cow<'static, str>,
    route: Arc<str>,
    request_id: Box<str>,
    status: Cell<Option<u16>>,
    /// Whether none of the three texts needs escaping in JSON (nearly
    /// always): checked once, when a line first names them ([`Self::is_plain`]).
    plain: Cell<Option<bool>>,
}

tokio::task_local! {
    pub(super) static REQUEST: Rc<RequestScope>;
}

impl RequestScope {
    pub fn new(method: Cow<'static, str>, route: Arc<str>, request_id: Box<str>) -> RequestScope {
        RequestScope {
            method,
            route,
            request_id,
            status: Cell::new(None),
            plain: Cell::new(None),
        }
    }

    /// Whether none of the scope's texts needs escaping in JSON.
    pub(super) fn is_plain(&self) -> bool {
        if let Some(plain) = self.plain.get() {
            return plain;
        }
        let plain = [&*self.method, &*self.route, &*self.request_id]
            .into_iter()
            .all(|text| !needs_escape(text));
        self.plain.set(Some(plain));
        plain
    }

    /// One of the scope's texts as a JSON string.
    pub(super) fn write_text(&self, writer: &mut String, text: &str) {
        if self.is_plain() {
            writer.push('"');
            writer.push_str(text);
            writer.push('"');
        } else {
            let _ = write_json_str(writer, text);
        }
    }

    pub fn method(&self) -> &str {
        &self.method
    }

    pub fn route(&self) -> &Arc<str> {
        &self.route
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The status, once the request is answered.
    pub fn status(&self) -> Option<u16> {
        self.status.get()
    }

    /// Named by the lines logged from now on.
    pub fn set_status(&self, status: u16) {
        self.status.set(Some(status));
    }

    /// Runs `future` with every event it logs naming this request.
    pub fn run<F: Future>(self: Rc<Self>, future: F) -> impl Future<Output = F::Output> {
        REQUEST.scope(self, future)
    }

    /// The request whose future is being polled on this thread, if any.
    pub(super) fn with_current<R>(f: impl FnOnce(&RequestScope) -> R) -> Option<R> {
        REQUEST.try_with(|scope| f(scope)).ok()
    }

    /// `"span":{…}` as the JSON format prints a span: fields sorted by name, then `name`.
    pub(super) fn write_json(&self, writer: &mut String) {
        writer.push_str(",\"span\":{\"method\":");
        self.write_text(writer, &self.method);
        writer.push_str(",\"request_id\":");
        self.write_text(writer, &self.request_id);
        writer.push_str(",\"route\":");
        self.write_text(writer, &self.route);
        if let Some(status) = self.status.get() {
            writer.push_str(",\"status\":");
            writer.push_str(itoa::Buffer::new().format(status));
        }
        writer.push_str(",\"name\":\"request\"}");
    }
}

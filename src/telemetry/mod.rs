//! Log set-up: one line per event, human-readable or JSON, level from RUST_LOG.
//! An event logged while a request is handled names the request (its id,
//! method, route pattern and, once answered, status; see [`RequestScope`]):
//! before the message in the human format, as `span` in JSON.
//!
//! The JSON lines are written by [`JsonLine`], which costs a request's log
//! line a fraction of what the stock formatter does (see its notes).
//!
//! # Implementation notes
//! A request is named by a task-local [`RequestScope`], not a tracing span:
//! the lines are the ones a `request` span with those fields gives (the tests
//! compare them with the stock formatter's), but nothing is formatted, stored
//! in the span registry or dispatched for a request that logs one line. Spans
//! other code opens (none here) are still printed, innermost first.

use std::sync::atomic::Ordering;

use tracing_subscriber::fmt::format::JsonFields;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

mod json_line;
mod pretty_line;
mod request_scope;
#[cfg(test)]
mod tests;

pub use json_line::write_request_line;
use json_line::{JsonLine, JSON_ON_STDOUT};
use pretty_line::PrettyLine;
pub use request_scope::RequestScope;

/// Installs the global subscriber; later calls are ignored.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::builder()
        .with_default_directive(tracing::Level::INFO.into())
        .from_env_lossy()
        // rmcp (the /mcp transport) logs whole messages at debug; nothing a
        // user pasted, key-like or not, may reach a log.
        .add_directive("rmcp=error".parse().expect("a valid directive"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Pretty => builder.event_format(PrettyLine::new()).try_init(),
        LogFormat::Json => {
            let installed = builder
                .fmt_fields(JsonFields::new())
                .event_format(JsonLine::new())
                .try_init();
            JSON_ON_STDOUT.store(installed.is_ok(), Ordering::Relaxed);
            installed
        }
    };
}

/// For the one-shot commands: warnings (such as an old spec's display-name
/// scopes) on stderr, so stdout keeps only the answer.
pub fn init_cli() {
    let filter = EnvFilter::builder()
        .with_default_directive(tracing::Level::WARN.into())
        .from_env_lossy();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .without_time()
        .with_writer(std::io::stderr)
        .try_init();
}

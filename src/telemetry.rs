//! Log set-up: one line per event, human-readable or JSON, level from RUST_LOG.
//! An event inside a request's root span (see `http::request_span`) carries
//! the span's fields (request id, method, route pattern, status): before the
//! message in the human format, as `span` in JSON.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

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
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
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

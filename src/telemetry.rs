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

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Json, JsonFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::json_text::needs_escape;

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
        LogFormat::Pretty => builder
            .event_format(PrettyLine {
                stock: tracing_subscriber::fmt::format().with_target(false),
            })
            .try_init(),
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
    static REQUEST: Rc<RequestScope>;
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
    fn is_plain(&self) -> bool {
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
    fn write_text(&self, writer: &mut String, text: &str) {
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

    /// Named by the lines logged from now on.
    pub fn set_status(&self, status: u16) {
        self.status.set(Some(status));
    }

    /// Runs `future` with every event it logs naming this request.
    pub fn run<F: Future>(self: Rc<Self>, future: F) -> impl Future<Output = F::Output> {
        REQUEST.scope(self, future)
    }

    /// The request whose future is being polled on this thread, if any.
    fn with_current<R>(f: impl FnOnce(&RequestScope) -> R) -> Option<R> {
        REQUEST.try_with(|scope| f(scope)).ok()
    }

    /// `"span":{…}` as the JSON format prints a span: fields sorted by name, then `name`.
    fn write_json(&self, writer: &mut String) {
        writer.push_str(",\"span\":{\"method\":");
        self.write_text(writer, &self.method);
        writer.push_str(",\"request_id\":");
        self.write_text(writer, &self.request_id);
        writer.push_str(",\"route\":");
        self.write_text(writer, &self.route);
        if let Some(status) = self.status.get() {
            writer.push_str(",\"status\":");
            push_u64(writer, status.into());
        }
        writer.push_str(",\"name\":\"request\"}");
    }

    /// `request{method=GET route=/x request_id=… status=200}` as the full format prints a span.
    fn write_pretty(&self, writer: &mut Writer<'_>) -> fmt::Result {
        let ansi = writer.has_ansi_escapes();
        write_bold(writer, ansi, "request")?;
        write_bold(writer, ansi, "{")?;
        write!(
            writer,
            "method={} route={} request_id={}",
            self.method, self.route, self.request_id
        )?;
        if let Some(status) = self.status.get() {
            write!(writer, " status={status}")?;
        }
        write_bold(writer, ansi, "}")
    }
}

/// The human-readable line: the stock full format, with the request (if one
/// is being handled and no span is open) where the stock format puts spans.
struct PrettyLine {
    stock: Format<Full, SystemTime>,
}

impl<S, N> FormatEvent<S, N> for PrettyLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // A root event names no span in this format, nor the request.
        if event.is_root() {
            return self.stock.format_event(ctx, writer, event);
        }
        let Some(result) = RequestScope::with_current(|request| -> fmt::Result {
            let ansi = writer.has_ansi_escapes();
            SystemTime.format_time(&mut writer)?;
            let level = *event.metadata().level();
            if ansi {
                let colour = match level {
                    Level::TRACE => "35",
                    Level::DEBUG => "34",
                    Level::INFO => "32",
                    Level::WARN => "33",
                    Level::ERROR => "31",
                };
                write!(writer, " \x1b[{colour}m{level:>5}\x1b[0m ")?;
            } else {
                write!(writer, " {level:>5} ")?;
            }
            request.write_pretty(&mut writer)?;
            writer.write_char(':')?;
            // Spans opened inside the request, outermost first, as the stock format does.
            for span in ctx
                .event_scope()
                .into_iter()
                .flat_map(|scope| scope.from_root())
            {
                write_bold(&mut writer, ansi, span.metadata().name())?;
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write_bold(&mut writer, ansi, "{")?;
                        writer.write_str(fields)?;
                        write_bold(&mut writer, ansi, "}")?;
                    }
                }
                writer.write_char(':')?;
            }
            writer.write_char(' ')?;
            ctx.format_fields(writer.by_ref(), event)?;
            writeln!(writer)
        }) else {
            return self.stock.format_event(ctx, writer, event);
        };
        result
    }
}

fn write_bold(writer: &mut Writer<'_>, ansi: bool, text: &str) -> fmt::Result {
    if ansi {
        write!(writer, "\x1b[1m{text}\x1b[0m")
    } else {
        writer.write_str(text)
    }
}

/// The JSON log line, written straight into the line buffer.
///
/// # Implementation notes
/// The same bytes as tracing-subscriber's `Format<Json>` with
/// `flatten_event(true)`, `with_current_span(true)`, `with_span_list(false)`
/// and no target: `timestamp`, `level`, the event's fields in order, then
/// `span` (its fields, sorted, then `name`): the innermost open span, or else
/// the request being handled. The stock formatter goes through serde_json one
/// small write at a time and parses the span's stored fields back into a
/// `serde_json::Value` to print them; this writes each byte once and splices
/// a span's stored JSON in as it is (it is already sorted and escaped).
/// Events of the `log` crate go to the stock formatter.
struct JsonLine {
    stock: Format<Json, SystemTime>,
}

impl JsonLine {
    fn new() -> JsonLine {
        JsonLine {
            stock: tracing_subscriber::fmt::format()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_target(false),
        }
    }
}

impl<S> FormatEvent<S, JsonFields> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() == "log" {
            return self.stock.format_event(ctx, writer, event);
        }
        // Written into a plain `String` and handed over once: a `Writer`
        // costs a dynamic call per write.
        with_line_buffer(|line| {
            format_line(ctx, line, event)?;
            writer.write_str(line)
        })
    }
}

/// Runs `write` with this thread's cleared line buffer (a new one if it is in use).
fn with_line_buffer<R>(write: impl FnOnce(&mut String) -> R) -> R {
    thread_local! {
        static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    LINE.with(|line| match line.try_borrow_mut() {
        Ok(mut line) => {
            line.clear();
            write(&mut line)
        }
        Err(_) => write(&mut String::new()),
    })
}

/// Whether [`init`] installed the JSON format on stdout, which
/// [`write_request_line`] then writes to directly.
static JSON_ON_STDOUT: AtomicBool = AtomicBool::new(false);

/// Writes a request's `request` line, as the JSON format writes the event
/// `info!(parent: None, request_id, method, route, status, latency_ms, "request")`
/// inside `scope`, straight to stdout; `false` (nothing written) unless the
/// JSON format is the one installed. The caller checks the level is enabled.
///
/// # Implementation notes
/// Every answered request logs this line; written directly, it skips the
/// dispatch, the field visitors and the fmt layer's writer (a third of a
/// `/healthz` request's cost over a bare server's). The tests compare it with
/// the stock formatter's line.
pub fn write_request_line(scope: &RequestScope, status: u16, latency_ms: f64) -> bool {
    if !JSON_ON_STDOUT.load(Ordering::Relaxed) {
        return false;
    }
    with_line_buffer(|line| {
        request_line(line, scope, status, latency_ms);
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), line.as_bytes());
    });
    true
}

/// The bytes of [`write_request_line`]'s line.
fn request_line(line: &mut String, scope: &RequestScope, status: u16, latency_ms: f64) {
    line.push_str("{\"timestamp\":\"");
    let _ = write_timestamp(line);
    line.push_str("\",\"level\":\"INFO\",\"message\":\"request\",\"request_id\":");
    scope.write_text(line, &scope.request_id);
    line.push_str(",\"method\":");
    scope.write_text(line, &scope.method);
    line.push_str(",\"route\":");
    scope.write_text(line, &scope.route);
    line.push_str(",\"status\":");
    push_u64(line, status.into());
    line.push_str(",\"latency_ms\":");
    let _ = write_json_f64(line, latency_ms);
    scope.write_json(line);
    line.push_str("}\n");
}

/// The line of a non-`log` event; see [`JsonLine`].
fn format_line<S>(
    ctx: &FmtContext<'_, S, JsonFields>,
    writer: &mut String,
    event: &Event<'_>,
) -> fmt::Result
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let meta = event.metadata();
    writer.push_str("{\"timestamp\":\"");
    write_timestamp(writer)?;
    writer.push_str("\",\"level\":\"");
    writer.push_str(meta.level().as_str());
    writer.push('"');
    let mut visitor = EventFields {
        writer,
        result: Ok(()),
    };
    event.record(&mut visitor);
    visitor.result?;
    let current = event
        .parent()
        .and_then(|id| ctx.span(id))
        .or_else(|| ctx.lookup_current());
    if let Some(span) = current {
        let extensions = span.extensions();
        let fields = extensions
            .get::<FormattedFields<JsonFields>>()
            .map(|f| f.fields.as_str())
            .and_then(|f| f.strip_prefix('{')?.strip_suffix('}'));
        if let Some(fields) = fields {
            writer.push_str(",\"span\":{");
            writer.push_str(fields);
            if !fields.is_empty() {
                writer.push(',');
            }
            writer.push_str("\"name\":");
            write_json_str(writer, span.metadata().name())?;
            writer.push('}');
        }
    } else {
        RequestScope::with_current(|request| request.write_json(writer));
    }
    writer.push_str("}\n");
    Ok(())
}

/// An event's fields as `,"name":value` pairs, in the order recorded
/// (what `tracing_serde::SerdeMapVisitor` writes).
struct EventFields<'a> {
    writer: &'a mut String,
    result: fmt::Result,
}

impl EventFields<'_> {
    fn entry(&mut self, field: &Field, value: impl FnOnce(&mut String) -> fmt::Result) {
        if self.result.is_ok() {
            self.writer.push(',');
            self.result = write_json_str(self.writer, field.name()).and_then(|()| {
                self.writer.push(':');
                value(self.writer)
            });
        }
    }
}

impl Visit for EventFields<'_> {
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.entry(field, |w| w.write_str(if value { "true" } else { "false" }));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.entry(field, |w| write_json_debug(w, value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.entry(field, |w| {
            push_u64(w, value);
            Ok(())
        });
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.entry(field, |w| {
            push_i64(w, value);
            Ok(())
        });
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.entry(field, |w| write_json_f64(w, value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.entry(field, |w| write_json_str(w, value));
    }
}

/// `SystemTime.format_time` (`2026-07-20T10:00:00.123456Z`, UTC), with the
/// date and time of day made once per second per thread.
fn write_timestamp(writer: &mut String) -> fmt::Result {
    thread_local! {
        /// The second last written, and its date and time of day.
        static SECOND: std::cell::RefCell<(u64, String)> =
            const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let Ok(since_epoch) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) else {
        return SystemTime.format_time(&mut Writer::new(writer));
    };
    let secs = since_epoch.as_secs();
    let written = SECOND.with(|second| {
        let Ok(mut second) = second.try_borrow_mut() else {
            return Ok(false);
        };
        let (cached, prefix) = &mut *second;
        if *cached != secs {
            let (year, month, day) = civil_from_days((secs / 86_400) as i64);
            if !(0..=9999).contains(&year) {
                return Ok(false);
            }
            let of_day = secs % 86_400;
            prefix.clear();
            write!(
                prefix,
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
                of_day / 3600,
                of_day / 60 % 60,
                of_day % 60
            )?;
            *cached = secs;
        }
        writer.push_str(prefix);
        Ok(true)
    })?;
    if !written {
        return SystemTime.format_time(&mut Writer::new(writer));
    }
    writer.push('.');
    let micros = since_epoch.subsec_micros();
    for place in [100_000, 10_000, 1_000, 100, 10, 1] {
        writer.push(char::from(b'0' + (micros / place % 10) as u8));
    }
    writer.push('Z');
    Ok(())
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// A number in decimal, as `{}` (and serde_json, which uses itoa too) writes it.
fn push_u64(out: &mut String, value: u64) {
    out.push_str(itoa::Buffer::new().format(value));
}

fn push_i64(out: &mut String, value: i64) {
    out.push_str(itoa::Buffer::new().format(value));
}

/// A JSON string as serde_json writes it.
fn write_json_str(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    writer.write_char('"')?;
    write_escaped(writer, text)?;
    writer.write_char('"')
}

fn write_escaped(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    if !needs_escape(text) {
        return writer.write_str(text);
    }
    /// The bytes serde_json escapes: control characters, `"` and `\`.
    const ESCAPED: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 0x20 {
            table[byte] = true;
            byte += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table
    };
    let bytes = text.as_bytes();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if !ESCAPED[byte as usize] {
            continue;
        }
        writer.write_str(&text[start..at])?;
        match byte {
            b'"' => writer.write_str("\\\"")?,
            b'\\' => writer.write_str("\\\\")?,
            b'\n' => writer.write_str("\\n")?,
            b'\r' => writer.write_str("\\r")?,
            b'\t' => writer.write_str("\\t")?,
            0x08 => writer.write_str("\\b")?,
            0x0c => writer.write_str("\\f")?,
            _ => write!(writer, "\\u{byte:04x}")?,
        }
        start = at + 1;
    }
    writer.write_str(&text[start..])
}

/// `{:?}` of a value as a JSON string, escaped as it is written.
fn write_json_debug(
    writer: &mut (impl fmt::Write + ?Sized),
    value: &dyn fmt::Debug,
) -> fmt::Result {
    struct Escaping<'a, W: fmt::Write + ?Sized>(&'a mut W);
    impl<W: fmt::Write + ?Sized> fmt::Write for Escaping<'_, W> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            write_escaped(self.0, text)
        }
    }
    writer.write_char('"')?;
    write!(Escaping(writer), "{value:?}")?;
    writer.write_char('"')
}

/// A float as serde_json writes it: shortest round-trip form, `null` if not finite.
fn write_json_f64(writer: &mut (impl fmt::Write + ?Sized), value: f64) -> fmt::Result {
    // What `serde_json::Number::from_f64(value)` displays, without the formatter.
    if value.is_finite() {
        writer.write_str(zmij::Buffer::new().format_finite(value))
    } else {
        writer.write_str("null")
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What a request logs: `in_request` runs its body as the request with
    /// `route`, either inside a stock `request` span or inside a [`RequestScope`].
    /// A request's body, given how to record the request's status.
    type RequestBody<'a> = &'a dyn Fn(&dyn Fn(u16));

    fn events(in_request: &dyn Fn(RequestBody<'_>)) {
        tracing::info!(port = 8080u16, "listening");
        in_request(&|set_status| {
            tracing::warn!(error = %"bad \"thing\"\t", ratio = 0.1f64, nan = f64::NAN, big = -3i64, ok = true, "failed");
            let inner = tracing::info_span!("inner", n = 1u64);
            inner.in_scope(|| tracing::debug!(items = 3u64, "inside another span"));
            set_status(200);
            tracing::info!(
                parent: None,
                request_id = "abc",
                method = "GET",
                route = ROUTE,
                status = 200u16,
                latency_ms = 1.5f64,
                "request"
            );
            tracing::error!(r#type = ?vec!["a"], "after the status");
        });
        tracing::info!("after the request");
    }

    const ROUTE: &str = "/v1/\"odd\"\n\u{1}é";

    fn in_stock_span(body: RequestBody<'_>) {
        let span = tracing::info_span!(
            "request",
            method = %"GET",
            route = %ROUTE,
            request_id = %"abc",
            status = tracing::field::Empty,
        );
        let _entered = span.enter();
        body(&|status| {
            span.record("status", status);
        });
    }

    fn in_request_scope(body: RequestBody<'_>) {
        let scope = Rc::new(RequestScope::new(
            Cow::Borrowed("GET"),
            Arc::from(ROUTE),
            Box::from("abc"),
        ));
        REQUEST.sync_scope(scope.clone(), || body(&|status| scope.set_status(status)));
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    type Builder = tracing_subscriber::fmt::SubscriberBuilder<
        tracing_subscriber::fmt::format::DefaultFields,
        Format,
        tracing_subscriber::filter::LevelFilter,
        Lines,
    >;

    /// What `run` logs with a subscriber it makes from a builder writing into memory.
    fn logged(run: impl FnOnce(Builder)) -> String {
        let lines = Lines::default();
        run(tracing_subscriber::fmt()
            .with_writer(lines.clone())
            .with_max_level(Level::DEBUG)
            .with_target(false)
            .with_ansi(false));
        let text = lines.0.lock().unwrap().clone();
        String::from_utf8(text).unwrap()
    }

    /// The lines without their timestamps.
    fn capture(fast: bool) -> String {
        let text = logged(|builder| {
            if fast {
                let subscriber = builder
                    .fmt_fields(JsonFields::new())
                    .event_format(JsonLine::new())
                    .finish();
                tracing::subscriber::with_default(subscriber, || events(&in_request_scope));
            } else {
                let subscriber = builder
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .finish();
                tracing::subscriber::with_default(subscriber, || events(&in_stock_span));
            }
        });
        text.lines()
            .map(|line| {
                let (head, rest) = line.split_once("\",\"level\"").expect("a timestamp");
                assert!(head.starts_with("{\"timestamp\":\""), "{line}");
                format!("{{\"level\"{rest}\n")
            })
            .collect()
    }

    #[test]
    fn json_lines_are_the_stock_formatters_bytes() {
        let stock = capture(false);
        assert_eq!(stock.lines().count(), 6, "{stock}");
        assert_eq!(capture(true), stock);
    }

    #[test]
    fn the_request_line_is_the_stock_formatters_bytes() {
        let stock = capture(false);
        let stock = stock
            .lines()
            .find(|line| line.contains("\"message\":\"request\""))
            .expect("the request line");
        let scope = RequestScope::new(Cow::Borrowed("GET"), Arc::from(ROUTE), Box::from("abc"));
        scope.set_status(200);
        let mut ours = String::new();
        request_line(&mut ours, &scope, 200, 1.5);
        let (_, ours) = ours.split_once("\",\"level\"").expect("a timestamp");
        assert_eq!(format!("{{\"level\"{ours}"), format!("{stock}\n"));
    }

    #[test]
    fn a_scopes_texts_are_written_as_write_json_str_writes_them() {
        for route in ["/v1/links", ROUTE] {
            let scope = RequestScope::new(Cow::Borrowed("GET"), Arc::from(route), Box::from("abc"));
            assert_eq!(scope.is_plain(), route == "/v1/links");
            for text in ["GET", route, "abc"] {
                let (mut ours, mut expected) = (String::new(), String::new());
                scope.write_text(&mut ours, text);
                write_json_str(&mut expected, text).unwrap();
                assert_eq!(ours, expected);
            }
        }
    }

    /// The human lines without their timestamps.
    fn capture_pretty(fast: bool) -> String {
        let text = logged(|builder| {
            if fast {
                let subscriber = builder
                    .event_format(PrettyLine {
                        stock: tracing_subscriber::fmt::format().with_target(false),
                    })
                    .finish();
                tracing::subscriber::with_default(subscriber, || events(&in_request_scope));
            } else {
                let subscriber = builder.finish();
                tracing::subscriber::with_default(subscriber, || events(&in_stock_span));
            }
        });
        // Each line starts with a timestamp (`2026-07-20T10:00:00.123456Z `);
        // the odd route's newline makes one line two.
        text.lines()
            .map(|line| match line.split_once("Z ") {
                Some((stamp, rest)) if stamp.len() == 26 && stamp.starts_with("20") => {
                    format!("{rest}\n")
                }
                _ => format!("{line}\n"),
            })
            .collect()
    }

    #[test]
    fn human_lines_name_the_request_as_a_span_would() {
        let stock = capture_pretty(false);
        assert_eq!(stock.matches("Z ").count(), 0, "{stock}");
        assert_eq!(stock.lines().count(), 9, "{stock}");
        let ours = capture_pretty(true);
        assert_eq!(ours, stock, "\n{ours}\n{stock}");
    }

    #[test]
    fn timestamps_are_the_stock_ones() {
        for (days, date) in [
            (0, (1970, 1, 1)),
            (59, (1970, 3, 1)),
            (365, (1971, 1, 1)),
            (11_016, (2000, 2, 29)),
            (20_789, (2026, 12, 2)),
            (2_932_896, (9999, 12, 31)),
        ] {
            assert_eq!(civil_from_days(days), date, "{days}");
        }
        // The stock clock and this one agree but for the microseconds.
        for _ in 0..3 {
            let mut ours = String::new();
            write_timestamp(&mut ours).unwrap();
            let mut stock = String::new();
            SystemTime
                .format_time(&mut Writer::new(&mut stock))
                .unwrap();
            assert_eq!(ours.len(), stock.len(), "{ours} {stock}");
            assert!(ours.ends_with('Z') && ours.as_bytes()[19] == b'.', "{ours}");
            if ours[..19] == stock[..19] {
                return;
            }
        }
        panic!("the seconds never agreed");
    }

    #[test]
    fn floats_are_written_as_serde_json_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            0.1,
            0.25,
            1e-7,
            123.456789,
            1e21,
            1e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Latencies as the request line computes them: microseconds in milliseconds.
        values.extend((0..2000u64).map(|us| (us * 7919) as f64 / 1000.0));
        for value in values {
            let mut ours = String::new();
            write_json_f64(&mut ours, value).unwrap();
            assert_eq!(ours, serde_json::to_string(&value).unwrap(), "{value:?}");
        }
    }

    #[test]
    fn negative_numbers_are_written_as_display_does() {
        for value in [0i64, -1, 42, i64::MIN, i64::MAX] {
            let mut out = String::new();
            push_i64(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }
}

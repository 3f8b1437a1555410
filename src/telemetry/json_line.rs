//! The JSON log line, written straight into the line buffer, and the
//! request line every answered request logs, written straight to stdout.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{Format, Json, JsonFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::request_scope::RequestScope;
use crate::json_text::{write_escaped, write_json_str};

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
pub(super) struct JsonLine {
    stock: Format<Json, SystemTime>,
}

impl JsonLine {
    pub(super) fn new() -> JsonLine {
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
pub(super) static JSON_ON_STDOUT: AtomicBool = AtomicBool::new(false);

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
pub(super) fn request_line(line: &mut String, scope: &RequestScope, status: u16, latency_ms: f64) {
    line.push_str("{\"timestamp\":\"");
    let _ = write_timestamp(line);
    line.push_str("\",\"level\":\"INFO\",\"message\":\"request\",\"request_id\":");
    scope.write_text(line, scope.request_id());
    line.push_str(",\"method\":");
    scope.write_text(line, scope.method());
    line.push_str(",\"route\":");
    scope.write_text(line, scope.route());
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
pub(super) fn write_timestamp(writer: &mut String) -> fmt::Result {
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
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

pub(super) fn push_i64(out: &mut String, value: i64) {
    out.push_str(itoa::Buffer::new().format(value));
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
pub(super) fn write_json_f64(writer: &mut (impl fmt::Write + ?Sized), value: f64) -> fmt::Result {
    // What `serde_json::Number::from_f64(value)` displays, without the formatter.
    if value.is_finite() {
        writer.write_str(zmij::Buffer::new().format_finite(value))
    } else {
        writer.write_str("null")
    }
}

//! Log set-up: one line per event, human-readable or JSON, level from RUST_LOG.
//! An event inside a request's root span (see `http::request_span`) carries
//! the span's fields (request id, method, route pattern, status): before the
//! message in the human format, as `span` in JSON.
//!
//! The JSON lines are written by [`JsonLine`], which costs a request's log
//! line a fraction of what the stock formatter does (see its notes).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::span::Record;
use tracing::{Event, Subscriber};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::{Format, Json, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;
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
            .fmt_fields(JsonSpanFields)
            .event_format(JsonLine {
                stock: tracing_subscriber::fmt::format()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_target(false),
            })
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

/// The JSON log line, written straight into the line buffer.
///
/// # Implementation notes
/// The same bytes as tracing-subscriber's `Format<Json>` with
/// `flatten_event(true)`, `with_current_span(true)`, `with_span_list(false)`
/// and no target: `timestamp`, `level`, the event's fields in order, then
/// `span` (its fields, sorted, then `name`). The stock formatter goes through
/// serde_json one small write at a time, parses the span's stored fields back
/// into a `serde_json::Value` to print them, and does so for every request's
/// log line; this writes each byte once and splices the span's stored JSON in
/// as it is (it is already sorted and escaped). Events of the `log` crate go
/// to the stock formatter.
struct JsonLine {
    stock: Format<Json, SystemTime>,
}

impl<S> FormatEvent<S, JsonSpanFields> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonSpanFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() == "log" {
            return self.stock.format_event(ctx, writer, event);
        }
        writer.write_str("{\"timestamp\":\"")?;
        SystemTime.format_time(&mut writer)?;
        writer.write_str("\",\"level\":\"")?;
        writer.write_str(meta.level().as_str())?;
        writer.write_char('"')?;
        let mut visitor = EventFields {
            writer: &mut writer,
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
                .get::<FormattedFields<JsonSpanFields>>()
                .map(|f| f.fields.as_str())
                .and_then(|f| f.strip_prefix('{')?.strip_suffix('}'));
            if let Some(fields) = fields {
                writer.write_str(",\"span\":{")?;
                writer.write_str(fields)?;
                if !fields.is_empty() {
                    writer.write_char(',')?;
                }
                writer.write_str("\"name\":")?;
                write_json_str(&mut writer, span.metadata().name())?;
                writer.write_char('}')?;
            }
        }
        writer.write_str("}\n")
    }
}

/// An event's fields as `,"name":value` pairs, in the order recorded
/// (what `tracing_serde::SerdeMapVisitor` writes).
struct EventFields<'a, 'w> {
    writer: &'a mut Writer<'w>,
    result: fmt::Result,
}

impl EventFields<'_, '_> {
    fn entry(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        if self.result.is_ok() {
            self.result = (|| {
                self.writer.write_char(',')?;
                write_json_str(self.writer, field.name())?;
                self.writer.write_char(':')?;
                value(self.writer)
            })();
        }
    }
}

impl Visit for EventFields<'_, '_> {
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.entry(field, |w| w.write_str(if value { "true" } else { "false" }));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.entry(field, |w| write_json_debug(w, value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.entry(field, |w| write!(w, "{value}"));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.entry(field, |w| write!(w, "{value}"));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.entry(field, |w| write_json_f64(w, value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.entry(field, |w| write_json_str(w, value));
    }
}

/// A span's fields as a JSON object sorted by name, the last value of a name
/// winning: the text tracing-subscriber's `JsonFields` stores, without its
/// `BTreeMap` of `serde_json::Value`s; and recording a field that sorts after
/// every stored one (a request's `status`) appends it instead of parsing and
/// re-serialising the object.
#[derive(Debug, Default)]
struct JsonSpanFields;

/// One field of a span, rendered as JSON.
struct SpanFields<'a> {
    values: Vec<(&'a str, String)>,
}

impl<'a> SpanFields<'a> {
    fn insert(&mut self, name: &'a str, value: String) {
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    fn rendered(value: impl FnOnce(&mut String) -> fmt::Result) -> String {
        let mut out = String::new();
        let _ = value(&mut out);
        out
    }

    /// The fields sorted by name (stable: names are unique here).
    fn sorted(mut self) -> Vec<(&'a str, String)> {
        self.values.sort_by(|a, b| a.0.cmp(b.0));
        self.values
    }
}

impl Visit for SpanFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field.name(), Self::rendered(|w| write_json_f64(w, value)));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field.name(), value.to_string());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field.name(), value.to_string());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field.name(), value.to_string());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field.name(), Self::rendered(|w| write_json_str(w, value)));
    }
    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        let mut out = String::from("[");
        for (i, byte) in value.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{byte}");
        }
        out.push(']');
        self.insert(field.name(), out);
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        if name.starts_with("log.") {
            return;
        }
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.insert(name, Self::rendered(|w| write_json_debug(w, value)));
    }
}

fn write_object(writer: &mut dyn fmt::Write, fields: &[(&str, String)]) -> fmt::Result {
    writer.write_char('{')?;
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            writer.write_char(',')?;
        }
        write_json_str(writer, name)?;
        writer.write_char(':')?;
        writer.write_str(value)?;
    }
    writer.write_char('}')
}

impl<'writer> FormatFields<'writer> for JsonSpanFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut visitor = SpanFields { values: Vec::new() };
        fields.record(&mut visitor);
        write_object(&mut writer, &visitor.sorted())
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &Record<'_>,
    ) -> fmt::Result {
        if current.fields.is_empty() {
            return self.format_fields(current.as_writer(), fields);
        }
        let mut visitor = SpanFields { values: Vec::new() };
        fields.record(&mut visitor);
        let added = visitor.sorted();
        let Some(first_added) = added.first() else {
            return Ok(());
        };
        match last_key(&current.fields) {
            // `{}`, or every new name sorts after the stored ones: append.
            Some(last) if last.as_deref().is_none_or(|last| last < first_added.0) => {
                let mut appended = String::new();
                write_object(&mut appended, &added)?;
                current.fields.pop();
                if last.is_some() {
                    current.fields.push(',');
                }
                current.fields.push_str(&appended[1..]);
                Ok(())
            }
            // Merge as `JsonFields` does: parse, insert, write out sorted.
            _ => {
                let stored: BTreeMap<String, serde_json::Value> =
                    serde_json::from_str(&current.fields).map_err(|_| fmt::Error)?;
                let mut merged: Vec<(String, String)> = stored
                    .into_iter()
                    .map(|(name, value)| (name, value.to_string()))
                    .collect();
                for (name, value) in added {
                    match merged.iter_mut().find(|(n, _)| n == name) {
                        Some(slot) => slot.1 = value,
                        None => merged.push((name.to_owned(), value)),
                    }
                }
                merged.sort_by(|a, b| a.0.cmp(&b.0));
                let merged: Vec<(&str, String)> = merged
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.clone()))
                    .collect();
                let mut text = String::new();
                write_object(&mut text, &merged)?;
                current.fields = text;
                Ok(())
            }
        }
    }
}

/// The last key of a JSON object this module wrote: `Some(None)` for `{}`,
/// `None` if the text is not such an object.
fn last_key(object: &str) -> Option<Option<String>> {
    let bytes = object.as_bytes();
    if bytes.first() != Some(&b'{') || bytes.last() != Some(&b'}') {
        return None;
    }
    let mut at = 1;
    let mut last = None;
    while at < bytes.len() - 1 {
        if bytes[at] != b'"' {
            return None;
        }
        let end = string_end(bytes, at)?;
        last = Some(serde_json::from_str::<String>(&object[at..end]).ok()?);
        at = end;
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at += 1;
        // Skip the value: a string, or anything up to the next `,` outside brackets.
        if bytes.get(at) == Some(&b'"') {
            at = string_end(bytes, at)?;
        } else {
            let mut depth = 0usize;
            while at < bytes.len() - 1 {
                match bytes[at] {
                    b'[' => depth += 1,
                    b']' => depth = depth.checked_sub(1)?,
                    b',' if depth == 0 => break,
                    _ => {}
                }
                at += 1;
            }
        }
        if bytes.get(at) == Some(&b',') {
            at += 1;
        }
    }
    Some(last)
}

/// The index just past the JSON string starting at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// A JSON string as serde_json writes it.
fn write_json_str(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    writer.write_char('"')?;
    write_escaped(writer, text)?;
    writer.write_char('"')
}

fn write_escaped(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        writer.write_str(&text[start..at])?;
        if escape.is_empty() {
            write!(writer, "\\u{byte:04x}")?;
        } else {
            writer.write_str(escape)?;
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
    match serde_json::Number::from_f64(value) {
        Some(number) => write!(writer, "{number}"),
        None => writer.write_str("null"),
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

    fn events() {
        tracing::info!(port = 8080u16, "listening");
        let span = tracing::info_span!(
            "request",
            method = %"GET",
            route = %"/v1/\"odd\"\n\u{1}é",
            request_id = %"abc",
            status = tracing::field::Empty,
        );
        let _entered = span.enter();
        tracing::warn!(error = %"bad \"thing\"\t", ratio = 0.1f64, nan = f64::NAN, big = -3i64, ok = true, "failed");
        span.record("status", 200u16);
        tracing::info!(parent: None, request_id = %"abc", latency_ms = 1.5f64, "request");
        span.record("method", "POST");
        tracing::error!(r#type = ?vec!["a"], "after a re-recorded field");
    }

    /// The lines without their timestamps.
    fn capture(fast: bool) -> String {
        let lines = Lines::default();
        let writer = lines.clone();
        let builder = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_target(false)
            .with_ansi(false);
        if fast {
            let subscriber = builder
                .fmt_fields(JsonSpanFields)
                .event_format(JsonLine {
                    stock: tracing_subscriber::fmt::format()
                        .json()
                        .flatten_event(true)
                        .with_current_span(true)
                        .with_span_list(false)
                        .with_target(false),
                })
                .finish();
            tracing::subscriber::with_default(subscriber, events);
        } else {
            let subscriber = builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish();
            tracing::subscriber::with_default(subscriber, events);
        }
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
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
        assert_eq!(stock.lines().count(), 4, "{stock}");
        assert_eq!(capture(true), stock);
    }

    #[test]
    fn the_last_key_of_stored_fields() {
        assert_eq!(last_key("{}"), Some(None));
        assert_eq!(
            last_key(r#"{"a":[1,2],"b\"":"x,\"}","c":null}"#),
            Some(Some("c".to_owned()))
        );
        assert_eq!(last_key("not json"), None);
    }
}

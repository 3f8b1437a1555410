//! Log set-up: one line per event, human-readable or JSON, level from RUST_LOG.
//! An event inside a request's root span (see `http::request_span`) carries
//! the span's fields (request id, method, route pattern, status): before the
//! message in the human format, as `span` in JSON.
//!
//! The JSON lines are written by [`JsonLine`], which costs a request's log
//! line a fraction of what the stock formatter does (see its notes).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::ops::Range;

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
        // Written into a plain `String` and handed over once: a `Writer`
        // costs a dynamic call per write.
        thread_local! {
            static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => {
                line.clear();
                format_line(ctx, &mut line, event)?;
                writer.write_str(&line)
            }
            Err(_) => {
                let mut line = String::new();
                format_line(ctx, &mut line, event)?;
                writer.write_str(&line)
            }
        })
    }
}

/// The line of a non-`log` event; see [`JsonLine`].
fn format_line<S>(
    ctx: &FmtContext<'_, S, JsonSpanFields>,
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
            .get::<FormattedFields<JsonSpanFields>>()
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

/// A span's fields as a JSON object sorted by name, the last value of a name
/// winning: the text tracing-subscriber's `JsonFields` stores, without its
/// `BTreeMap` of `serde_json::Value`s; and recording a field that sorts after
/// every stored one (a request's `status`) appends it instead of parsing and
/// re-serialising the object.
#[derive(Debug, Default)]
struct JsonSpanFields;

/// A span's fields rendered into one buffer, each name's last value winning;
/// [`FieldBuf::sorted`] orders them by name as `JsonFields`' `BTreeMap` does.
#[derive(Default)]
struct FieldBuf<'a> {
    values: String,
    entries: Vec<(&'a str, Range<usize>)>,
}

impl<'a> FieldBuf<'a> {
    fn entry(&mut self, name: &'a str, value: impl FnOnce(&mut String) -> fmt::Result) {
        let start = self.values.len();
        let _ = value(&mut self.values);
        let range = start..self.values.len();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = range,
            None => self.entries.push((name, range)),
        }
    }

    /// The fields sorted by name (names are unique here).
    fn sorted(mut self) -> Self {
        self.entries.sort_by(|a, b| a.0.cmp(b.0));
        self
    }

    /// `"name":value` pairs joined by `,`.
    fn write_pairs(&self, out: &mut String) {
        for (i, (name, range)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write_json_str(out, name);
            out.push(':');
            out.push_str(&self.values[range.clone()]);
        }
    }
}

impl<'a> Visit for FieldBuf<'a> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.entry(field.name(), |w| write_json_f64(w, value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.entry(field.name(), |w| {
            push_i64(w, value);
            Ok(())
        });
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.entry(field.name(), |w| {
            push_u64(w, value);
            Ok(())
        });
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.entry(field.name(), |w| write!(w, "{value}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.entry(field.name(), |w| write_json_str(w, value));
    }
    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        self.entry(field.name(), |w| {
            w.push('[');
            for (i, byte) in value.iter().enumerate() {
                if i > 0 {
                    w.push(',');
                }
                write!(w, "{byte}")?;
            }
            w.push(']');
            Ok(())
        });
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        if name.starts_with("log.") {
            return;
        }
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.entry(name, |w| write_json_debug(w, value));
    }
}

impl<'writer> FormatFields<'writer> for JsonSpanFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut buf = FieldBuf::default();
        fields.record(&mut buf);
        let buf = buf.sorted();
        let mut out = String::with_capacity(buf.values.len() + 16 * buf.entries.len() + 2);
        out.push('{');
        buf.write_pairs(&mut out);
        out.push('}');
        writer.write_str(&out)
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &Record<'_>,
    ) -> fmt::Result {
        if current.fields.is_empty() {
            return self.format_fields(current.as_writer(), fields);
        }
        let mut buf = FieldBuf::default();
        fields.record(&mut buf);
        let added = buf.sorted();
        let Some(first_added) = added.entries.first() else {
            return Ok(());
        };
        // `Some(stored is empty)` when every new name sorts after the stored ones.
        let append = match last_key(&current.fields) {
            Some(None) => Some(true),
            Some(Some(last)) if *last < *first_added.0 => Some(false),
            _ => None,
        };
        match append {
            // `{}`, or every new name sorts after the stored ones: append.
            Some(empty) => {
                current.fields.pop();
                if !empty {
                    current.fields.push(',');
                }
                added.write_pairs(&mut current.fields);
                current.fields.push('}');
                Ok(())
            }
            // Merge as `JsonFields` does: parse, insert, write out sorted.
            _ => {
                let stored: BTreeMap<String, serde_json::Value> =
                    serde_json::from_str(&current.fields).map_err(|_| fmt::Error)?;
                let mut merged: BTreeMap<String, String> = stored
                    .into_iter()
                    .map(|(name, value)| (name, value.to_string()))
                    .collect();
                for (name, range) in &added.entries {
                    merged.insert((*name).to_owned(), added.values[range.clone()].to_owned());
                }
                let mut text = String::from("{");
                for (i, (name, value)) in merged.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    write_json_str(&mut text, name)?;
                    text.push(':');
                    text.push_str(value);
                }
                text.push('}');
                current.fields = text;
                Ok(())
            }
        }
    }
}

/// The last key of a JSON object this module wrote: `Some(None)` for `{}`,
/// `None` if the text is not such an object.
fn last_key(object: &str) -> Option<Option<Cow<'_, str>>> {
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
        let key = &object[at + 1..end - 1];
        last = Some(if key.contains('\\') {
            Cow::Owned(serde_json::from_str::<String>(&object[at..end]).ok()?)
        } else {
            Cow::Borrowed(key)
        });
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

/// `SystemTime.format_time` (`2026-07-20T10:00:00.123456Z`, UTC), with the
/// date and time of day made once per second per thread.
fn write_timestamp(writer: &mut String) -> fmt::Result {
    thread_local! {
        static SECOND: std::cell::Cell<(u64, [u8; 19])> =
            const { std::cell::Cell::new((u64::MAX, [0; 19])) };
    }
    let Ok(since_epoch) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) else {
        return SystemTime.format_time(&mut Writer::new(writer));
    };
    let secs = since_epoch.as_secs();
    let (cached, mut prefix) = SECOND.get();
    if cached != secs {
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        if !(0..=9999).contains(&year) {
            return SystemTime.format_time(&mut Writer::new(writer));
        }
        let of_day = secs % 86_400;
        let mut text = String::with_capacity(19);
        write!(
            text,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60
        )?;
        prefix.copy_from_slice(text.as_bytes());
        SECOND.set((secs, prefix));
    }
    let mut tail = *b".000000Z";
    let mut rest = since_epoch.subsec_micros();
    for digit in tail[1..7].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    writer.push_str(std::str::from_utf8(&prefix).map_err(|_| fmt::Error)?);
    writer.push_str(std::str::from_utf8(&tail).map_err(|_| fmt::Error)?);
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

/// A number in decimal, as `{}` (and serde_json) writes it.
fn push_u64(out: &mut String, value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
}

fn push_i64(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    push_u64(out, value.unsigned_abs());
}

/// A JSON string as serde_json writes it.
fn write_json_str(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
    writer.write_char('"')?;
    write_escaped(writer, text)?;
    writer.write_char('"')
}

fn write_escaped(writer: &mut (impl fmt::Write + ?Sized), text: &str) -> fmt::Result {
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
    fn numbers_are_written_as_display_does() {
        for value in [0u64, 7, 10, 200, 65_535, u64::MAX] {
            let mut out = String::new();
            push_u64(&mut out, value);
            assert_eq!(out, value.to_string());
        }
        for value in [0i64, -1, 42, i64::MIN, i64::MAX] {
            let mut out = String::new();
            push_i64(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn the_last_key_of_stored_fields() {
        assert_eq!(last_key("{}"), Some(None));
        assert_eq!(
            last_key(r#"{"a":[1,2],"b\"":"x,\"}","c":null}"#),
            Some(Some(Cow::Borrowed("c")))
        );
        assert_eq!(last_key("not json"), None);
    }
}

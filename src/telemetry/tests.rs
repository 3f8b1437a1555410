//! The log lines compared with tracing-subscriber's stock formatters, byte for byte.

use std::io;
use std::sync::{Arc, Mutex};

use std::borrow::Cow;
use std::rc::Rc;

use tracing::Level;
use tracing_subscriber::fmt::format::{Format, JsonFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};

use super::json_line::{
    civil_from_days, push_i64, request_line, write_json_f64, write_timestamp, JsonLine,
};
use super::pretty_line::PrettyLine;
use super::request_scope::{RequestScope, REQUEST};
use crate::json_text::write_json_str;

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
            let subscriber = builder.event_format(PrettyLine::new()).finish();
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

//! Turns the calls an integration actually made (a HAR file or a plain
//! request log) into the least-privilege link: the calls to Klaviyo's API
//! host are resolved, calls to other hosts and CORS preflights are counted,
//! and unrecognised Klaviyo calls are listed, never dropped.
//!
//! # Bounded memory
//! A HAR is read as a stream ([`serde_json::Deserializer::from_reader`] with
//! visitors that keep only `request.method` and `request.url` of each entry
//! and skip everything else with [`IgnoredAny`]), so response bodies and
//! headers (which may carry `Authorization: Klaviyo-API-Key pk_…`) are never
//! held or read into values. What is kept is bounded whatever the input size:
//! one entry per distinct (operation, includes) pair, at most
//! [`MAX_UNRECOGNIZED`] unrecognised calls, [`MAX_TRACKED_HOSTS`] hosts,
//! [`MAX_UNREADABLE_EXAMPLES`] unreadable examples and a resolution cache of
//! [`RESOLVE_CACHE_ENTRIES`] call texts. A guard on the byte stream refuses
//! JSON nested deeper than [`MAX_JSON_DEPTH`] and object keys longer than
//! [`MAX_KEY_BYTES`]; log lines longer than [`MAX_LINE_BYTES`] are unreadable.
//! The one string held whole is each entry's `request.url` (and `method`),
//! while it is classified.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::catalog::{Catalog, Method};
use crate::link::{LinkBase, LinkReport};
use crate::resolve::{
    resolve, ErrorCode, InputItem, ItemError, ResolveOptions, StructuredInput, Suggestion, API_HOST,
};
use crate::secret;

/// Distinct unrecognised Klaviyo calls listed; calls beyond are counted.
pub const MAX_UNRECOGNIZED: usize = 100;
/// Unreadable lines or entries described; the rest are counted.
pub const MAX_UNREADABLE_EXAMPLES: usize = 5;
/// Distinct other hosts counted one by one; calls to more hosts are counted together.
pub const MAX_TRACKED_HOSTS: usize = 1000;
/// Other hosts listed in the report, most called first.
pub const TOP_HOSTS: usize = 20;
/// Call texts whose resolution is remembered (the cache is emptied when full).
pub const RESOLVE_CACHE_ENTRIES: usize = 4096;
/// Longest plain-log line read; longer lines are unreadable.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Deepest JSON nesting accepted in a HAR.
pub const MAX_JSON_DEPTH: u32 = 64;
/// Longest JSON object key accepted in a HAR.
pub const MAX_KEY_BYTES: usize = 4096;
/// Longest error message taken from the JSON parser.
const MAX_MESSAGE_CHARS: usize = 300;

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// An HTTP Archive: `{"log": {"entries": [{"request": {"method", "url"}}]}}`.
    Har,
    /// One `METHOD URL` a line; blank lines and `#` comments are skipped.
    Log,
}

/// A HAR file (HTTP Archive 1.2) as browsers and proxies export it. Only
/// `log.entries[].request.method` and `.url` are read, as a stream; every
/// other member (headers, cookies, bodies, timings) is skipped unread.
// A description for the API document: [`read_calls`] never deserialises it whole.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"log": {"version": "1.2", "entries": [
    {"request": {"method": "GET", "url": "https://a.klaviyo.com/api/profiles/01HXAMPLE?include=lists"}},
    {"request": {"method": "POST", "url": "https://a.klaviyo.com/api/lists"}},
    {"request": {"method": "GET", "url": "https://cdn.example.com/app.js"}}
]}}))]
pub struct HarDocument {
    pub log: HarLog,
}

/// `log` of a HAR.
#[derive(Debug, ToSchema)]
pub struct HarLog {
    pub entries: Vec<HarEntry>,
}

/// One request of a HAR; an entry without `request.method` and `.url` is counted as unreadable.
#[derive(Debug, ToSchema)]
pub struct HarEntry {
    #[schema(required = false)]
    pub request: HarRequest,
}

/// What is read of a HAR request.
#[derive(Debug, ToSchema)]
pub struct HarRequest {
    #[schema(required = false, example = "GET")]
    pub method: String,
    #[schema(
        required = false,
        example = "https://a.klaviyo.com/api/profiles/01HXAMPLE?include=lists"
    )]
    pub url: String,
}

/// How the calls are read and resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficOptions {
    pub resolve: ResolveOptions,
    /// Inputs longer than this many bytes fail with [`TrafficError::TooLarge`].
    pub max_bytes: Option<u64>,
    /// Most distinct (operation, includes) pairs.
    pub max_operations: usize,
    /// `None`: a HAR if the first non-space byte is `{`, else a log.
    pub format: Option<Format>,
}

impl Default for TrafficOptions {
    fn default() -> TrafficOptions {
        TrafficOptions {
            resolve: ResolveOptions::default(),
            max_bytes: None,
            max_operations: 256,
            format: None,
        }
    }
}

/// Why the calls could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    #[error("the input is empty: expected a HAR file ({{\"log\": {{\"entries\": [...]}}}}) or a request log (one `METHOD URL` a line)")]
    Empty,
    #[error("the input is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the HAR is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("expected a HAR, a JSON object with `log.entries` (an array of requests): {0}")]
    NotHar(String),
    #[error("the HAR nests JSON deeper than {limit} levels")]
    TooDeep { limit: u32 },
    #[error("the HAR has an object key longer than {limit} bytes")]
    KeyTooLong { limit: usize },
    #[error("the calls name more than {limit} distinct operations (with their includes); the limit is {limit}")]
    TooManyOperations { limit: usize },
    #[error("no calls to Klaviyo's API (https://{API_HOST}) were found: {summary}")]
    NoKlaviyoCalls { summary: String },
    #[error("cannot read the input: {0}")]
    Io(String),
}

/// How many calls of each kind were read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallCounts {
    /// Every call read, including unreadable ones: the sum of the others.
    pub total: u64,
    /// Calls to Klaviyo's API host that were resolved or are listed as unrecognised.
    pub klaviyo: u64,
    /// Calls to any other host (ignored).
    pub other_hosts: u64,
    /// `OPTIONS` calls to Klaviyo's API host: CORS preflights (ignored).
    pub preflight: u64,
    /// `/oauth/…` calls to Klaviyo's API host: token exchange, no scope (ignored).
    pub oauth: u64,
    /// Lines or entries that are not a method and an absolute URL.
    pub unreadable: u64,
}

/// Calls to one host other than Klaviyo's API host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HostCalls {
    #[schema(example = "www.google-analytics.com")]
    pub host: String,
    pub calls: u64,
}

/// Calls that resolved to one operation with one set of includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OperationCalls {
    #[schema(example = "get_profile")]
    pub operation_id: String,
    pub method: Method,
    #[schema(example = "/api/profiles/{id}")]
    pub path: String,
    /// Sorted.
    #[schema(example = json!(["lists"]))]
    pub includes: Vec<String>,
    pub calls: u64,
}

/// A call to Klaviyo's API host that no operation matches, with why and the fixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnrecognizedCall {
    #[schema(example = "GET")]
    pub method: String,
    /// Path and `include=` query only, with anything key-like blanked out.
    #[schema(example = "https://a.klaviyo.com/api/profile/01HX")]
    pub url: String,
    pub calls: u64,
    pub code: ErrorCode,
    pub detail: String,
    /// What would be accepted in its place (methods, include values), if a short list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    pub suggestions: Vec<Suggestion>,
}

/// Where an unreadable call is, and why; its content is never echoed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnreadableCall {
    /// The line of a request log (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The entry of a HAR's `log.entries` (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
    pub reason: String,
}

/// The link for the calls an integration made, and what was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TrafficReport {
    /// The link for the distinct operations called; `link.operations[i]` is `operations[i]`.
    pub link: LinkReport,
    pub format: Format,
    pub calls: CallCounts,
    /// The most called other hosts, most first (at most 20).
    pub other_hosts: Vec<HostCalls>,
    /// Calls to other hosts not listed in `other_hosts`.
    pub other_hosts_more: u64,
    /// Each distinct operation and include set called, with its call count.
    pub operations: Vec<OperationCalls>,
    /// Klaviyo calls that did not resolve: the first 100 distinct ones seen, most called first.
    pub unrecognized: Vec<UnrecognizedCall>,
    /// Unrecognised calls not listed in `unrecognized`.
    pub unrecognized_more: u64,
    /// The first few unreadable lines or entries.
    pub unreadable: Vec<UnreadableCall>,
}

impl TrafficReport {
    /// Every Klaviyo call resolved.
    pub fn is_complete(&self) -> bool {
        self.unrecognized.is_empty() && self.unrecognized_more == 0 && self.link.is_complete()
    }

    /// The unrecognised calls as per-input errors, as `POST /v1/links` reports them.
    pub fn unrecognized_errors(&self) -> Vec<ItemError> {
        self.unrecognized
            .iter()
            .enumerate()
            .map(|(index, call)| ItemError {
                index,
                input: InputItem::Text(format!("{} {}", call.method, call.url)),
                code: call.code,
                detail: call.detail.clone(),
                accepted: call.accepted.clone(),
                suggestions: call.suggestions.clone(),
            })
            .chain(self.link.errors.iter().cloned())
            .collect()
    }
}

/// The calls read, aggregated; [`Traffic::into_report`] builds the link.
#[derive(Debug)]
pub struct Traffic {
    format: Format,
    options: TrafficOptions,
    counts: CallCounts,
    hosts: HashMap<String, u64>,
    hosts_untracked: u64,
    operations: Vec<OperationCalls>,
    unrecognized: Vec<UnrecognizedCall>,
    unrecognized_more: u64,
    unreadable: Vec<UnreadableCall>,
}

impl Traffic {
    pub fn counts(&self) -> &CallCounts {
        &self.counts
    }

    /// Builds the link from the distinct operations called.
    pub fn into_report(mut self, catalog: &Catalog, base: &LinkBase) -> TrafficReport {
        self.operations
            .sort_by(|a, b| (&a.operation_id, &a.includes).cmp(&(&b.operation_id, &b.includes)));
        let items: Vec<InputItem> = self
            .operations
            .iter()
            .map(|op| {
                InputItem::Structured(StructuredInput {
                    operation: op.operation_id.clone(),
                    include: op.includes.clone(),
                })
            })
            .collect();
        let link = LinkReport::build(catalog, base, &items, self.options.resolve);
        let mut hosts: Vec<HostCalls> = self
            .hosts
            .into_iter()
            .map(|(host, calls)| HostCalls { host, calls })
            .collect();
        hosts.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.host.cmp(&b.host)));
        let listed = hosts.len().min(TOP_HOSTS);
        let other_hosts_more =
            self.hosts_untracked + hosts[listed..].iter().map(|h| h.calls).sum::<u64>();
        hosts.truncate(listed);
        self.unrecognized.sort_by(|a, b| {
            b.calls
                .cmp(&a.calls)
                .then_with(|| (&a.url, &a.method).cmp(&(&b.url, &b.method)))
        });
        TrafficReport {
            link,
            format: self.format,
            calls: self.counts,
            other_hosts: hosts,
            other_hosts_more,
            operations: self.operations,
            unrecognized: self.unrecognized,
            unrecognized_more: self.unrecognized_more,
            unreadable: self.unreadable,
        }
    }
}

/// Reads a HAR or a request log and resolves its Klaviyo calls against the catalog.
///
/// Fails when the input is over `max_bytes`, is not a HAR when one is
/// expected, names too many operations, or holds no Klaviyo API call.
pub fn read_calls(
    reader: impl Read,
    catalog: &Catalog,
    options: &TrafficOptions,
) -> Result<Traffic, TrafficError> {
    let stop: Rc<Cell<Option<Stop>>> = Rc::default();
    let mut input = BufReader::with_capacity(
        64 * 1024,
        Limited {
            inner: reader,
            read: 0,
            limit: options.max_bytes,
            stop: stop.clone(),
        },
    );
    let io_error = |error: io::Error| match stop.get() {
        Some(stopped) => stopped.into(),
        None => TrafficError::Io(error.to_string()),
    };
    let first = first_byte(&mut input).map_err(io_error)?;
    let format = match (options.format, first) {
        (_, None) => return Err(TrafficError::Empty),
        (Some(Format::Har), Some(byte)) if byte != b'{' => {
            return Err(TrafficError::NotHar(
                "the input does not start with `{`".to_owned(),
            ))
        }
        (Some(format), _) => format,
        (None, Some(b'{')) => Format::Har,
        (None, Some(_)) => Format::Log,
    };
    let mut calls = Aggregator::new(catalog, options);
    match format {
        Format::Har => read_har(input, &mut calls, &stop)?,
        Format::Log => read_log(&mut input, &mut calls).map_err(io_error)?,
    }
    if let Some(error) = calls.stop.take() {
        return Err(error);
    }
    if calls.counts.klaviyo == 0 {
        return Err(TrafficError::NoKlaviyoCalls {
            summary: calls.summary(),
        });
    }
    Ok(calls.into_traffic(format))
}

/// Skips a UTF-8 byte-order mark and white space; the first other byte, unconsumed.
fn first_byte(input: &mut impl BufRead) -> io::Result<Option<u8>> {
    let mut at_start = true;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(None);
        }
        if at_start && buffer.starts_with(b"\xEF\xBB\xBF") {
            input.consume(3);
            at_start = false;
            continue;
        }
        at_start = false;
        let spaces = buffer
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if spaces < buffer.len() {
            let first = buffer[spaces];
            input.consume(spaces);
            return Ok(Some(first));
        }
        input.consume(spaces);
    }
}

// ---- byte-stream limits -------------------------------------------------

/// Why the byte stream was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    TooLarge(u64),
    TooDeep,
    KeyTooLong,
}

impl From<Stop> for TrafficError {
    fn from(stop: Stop) -> TrafficError {
        match stop {
            Stop::TooLarge(limit) => TrafficError::TooLarge { limit },
            Stop::TooDeep => TrafficError::TooDeep {
                limit: MAX_JSON_DEPTH,
            },
            Stop::KeyTooLong => TrafficError::KeyTooLong {
                limit: MAX_KEY_BYTES,
            },
        }
    }
}

fn stopped(stop: &Cell<Option<Stop>>, why: Stop) -> io::Error {
    stop.set(Some(why));
    io::Error::new(io::ErrorKind::InvalidData, "input stopped")
}

/// Counts bytes and fails past the limit.
struct Limited<R> {
    inner: R,
    read: u64,
    limit: Option<u64>,
    stop: Rc<Cell<Option<Stop>>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.read += count as u64;
        match self.limit {
            Some(limit) if self.read > limit => Err(stopped(&self.stop, Stop::TooLarge(limit))),
            _ => Ok(count),
        }
    }
}

/// Follows the JSON structure byte by byte and fails on deep nesting or long
/// keys, the two things serde_json would otherwise buffer without bound.
struct JsonGuard<R> {
    inner: R,
    depth: u32,
    /// Bit `i`: the container at depth `i + 1` is an object.
    objects: u64,
    in_string: bool,
    escaped: bool,
    expect_key: bool,
    in_key: bool,
    key_bytes: usize,
    stop: Rc<Cell<Option<Stop>>>,
}

impl<R> JsonGuard<R> {
    fn new(inner: R, stop: Rc<Cell<Option<Stop>>>) -> JsonGuard<R> {
        JsonGuard {
            inner,
            depth: 0,
            objects: 0,
            in_string: false,
            escaped: false,
            expect_key: false,
            in_key: false,
            key_bytes: 0,
            stop,
        }
    }

    fn scan(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        for &byte in bytes {
            if self.in_string {
                if self.in_key {
                    self.key_bytes += 1;
                    if self.key_bytes > MAX_KEY_BYTES {
                        return Err(Stop::KeyTooLong);
                    }
                }
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                    self.in_key = false;
                }
                continue;
            }
            match byte {
                b'"' => {
                    self.in_string = true;
                    self.in_key = self.expect_key;
                    self.key_bytes = 0;
                    self.expect_key = false;
                }
                b'{' | b'[' => {
                    if self.depth >= MAX_JSON_DEPTH {
                        return Err(Stop::TooDeep);
                    }
                    let bit = 1u64 << self.depth;
                    if byte == b'{' {
                        self.objects |= bit;
                    } else {
                        self.objects &= !bit;
                    }
                    self.depth += 1;
                    self.expect_key = byte == b'{';
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.expect_key = false;
                }
                b',' => {
                    self.expect_key =
                        self.depth > 0 && self.objects & (1u64 << (self.depth - 1)) != 0;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for JsonGuard<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.scan(&buffer[..count])
            .map_err(|why| stopped(&self.stop, why))?;
        Ok(count)
    }
}

// ---- HAR ------------------------------------------------------------------

fn read_har<R: Read>(
    input: R,
    calls: &mut Aggregator<'_>,
    stop: &Rc<Cell<Option<Stop>>>,
) -> Result<(), TrafficError> {
    let guarded = BufReader::with_capacity(64 * 1024, JsonGuard::new(input, stop.clone()));
    let mut deserializer = serde_json::Deserializer::from_reader(guarded);
    let result = HarSeed { calls: &mut *calls }
        .deserialize(&mut deserializer)
        .and_then(|found| deserializer.end().map(|()| found));
    match result {
        Ok(true) => Ok(()),
        Ok(false) => Err(TrafficError::NotHar(
            "the object has no `log` member".to_owned(),
        )),
        Err(error) => {
            if let Some(why) = stop.get() {
                return Err(why.into());
            }
            if let Some(stopped) = calls.stop.take() {
                return Err(stopped);
            }
            let message = parser_message(&error);
            Err(match error.classify() {
                serde_json::error::Category::Io => TrafficError::Io(message),
                serde_json::error::Category::Data => TrafficError::NotHar(message),
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    TrafficError::MalformedJson(message)
                }
            })
        }
    }
}

/// A parser message, redacted and cut short: it may quote a whole string value.
fn parser_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = secret::redact(&text);
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text.into_owned();
    }
    let cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{cut}…")
}

/// The member names the HAR reader looks at; every other one is skipped.
enum Field {
    Log,
    Entries,
    Request,
    Method,
    Url,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "log" => Field::Log,
                    "entries" => Field::Entries,
                    "request" => Field::Request,
                    "method" => Field::Method,
                    "url" => Field::Url,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

/// The whole HAR; its value says whether `log` was there.
struct HarSeed<'a, 'c> {
    calls: &'a mut Aggregator<'c>,
}

impl<'de> DeserializeSeed<'de> for HarSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HarSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR object with `log.entries`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Log => {
                    map.next_value_seed(LogSeed {
                        calls: &mut *self.calls,
                    })?;
                    found = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// `log`: an object with `entries`.
struct LogSeed<'a, 'c> {
    calls: &'a mut Aggregator<'c>,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`log`, an object with `entries`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Entries => {
                    map.next_value_seed(EntriesSeed {
                        calls: &mut *self.calls,
                    })?;
                    found = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if found {
            Ok(())
        } else {
            Err(de::Error::missing_field("entries"))
        }
    }
}

/// `log.entries`: each entry is classified as soon as it is read.
struct EntriesSeed<'a, 'c> {
    calls: &'a mut Aggregator<'c>,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`log.entries`, an array of requests")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut number = 0u64;
        loop {
            number += 1;
            let entry = seq.next_element_seed(EntrySeed)?;
            let Some(request) = entry else {
                return Ok(());
            };
            let place = Place::Entry(number);
            match request {
                Some((Some(method), Some(url))) => self.calls.call(place, &method, &url),
                _ => self
                    .calls
                    .unreadable(place, "the entry has no `request.method` and `request.url`"),
            }
            if self.calls.stop.is_some() {
                return Err(de::Error::custom("stopped"));
            }
        }
    }
}

/// One entry: only `request` is looked into.
struct EntrySeed;

type RequestLine = Option<(Option<String>, Option<String>)>;

impl<'de> DeserializeSeed<'de> for EntrySeed {
    type Value = RequestLine;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RequestLine, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed {
    type Value = RequestLine;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR entry, an object with `request`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RequestLine, A::Error> {
        let mut request = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Request => request = Some(map.next_value_seed(RequestSeed)?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(request)
    }
}

/// `request`: `method` and `url`; headers, cookies and bodies are skipped unread.
struct RequestSeed;

impl<'de> DeserializeSeed<'de> for RequestSeed {
    type Value = (Option<String>, Option<String>);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed {
    type Value = (Option<String>, Option<String>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`request`, an object with `method` and `url`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut method, mut url) = (None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Method => method = Some(map.next_value::<String>()?),
                Field::Url => url = Some(map.next_value::<String>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((method, url))
    }
}

// ---- plain log --------------------------------------------------------------

fn read_log(input: &mut impl BufRead, calls: &mut Aggregator<'_>) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let Some(too_long) = read_line_bounded(input, &mut line)? else {
            return Ok(());
        };
        number += 1;
        let place = Place::Line(number);
        if too_long {
            calls.unreadable(place, "the line is longer than 64 KiB");
            continue;
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            calls.unreadable(place, "the line is not UTF-8");
            continue;
        };
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let mut words = text.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(method), Some(url), None) => calls.call(place, method, url),
            _ => calls.unreadable(place, "expected `METHOD URL`"),
        }
        if calls.stop.is_some() {
            return Ok(());
        }
    }
}

/// Reads one line into `line`, keeping at most [`MAX_LINE_BYTES`]; `None` at
/// the end of the input, else whether the line was longer.
fn read_line_bounded(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let mut any = false;
    let mut too_long = false;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let newline = buffer.iter().position(|&b| b == b'\n');
        let end = newline.map_or(buffer.len(), |at| at + 1);
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        if end > room {
            too_long = true;
        }
        line.extend_from_slice(&buffer[..end.min(room)]);
        input.consume(end);
        if newline.is_some() {
            return Ok(Some(too_long));
        }
    }
}

// ---- classification and aggregation ---------------------------------------

/// Where a call was read.
#[derive(Debug, Clone, Copy)]
enum Place {
    Line(u64),
    Entry(u64),
}

/// What a call text resolved to.
#[derive(Debug, Clone, Copy)]
enum Cached {
    Operation(usize),
    Unrecognized,
}

struct Aggregator<'c> {
    catalog: &'c Catalog,
    options: TrafficOptions,
    counts: CallCounts,
    hosts: HashMap<String, u64>,
    hosts_untracked: u64,
    cache: HashMap<String, Cached>,
    operations: Vec<OperationCalls>,
    operation_index: HashMap<(String, Vec<String>), usize>,
    unrecognized: Vec<UnrecognizedCall>,
    unrecognized_index: HashMap<String, usize>,
    unrecognized_more: u64,
    unreadable: Vec<UnreadableCall>,
    stop: Option<TrafficError>,
}

impl<'c> Aggregator<'c> {
    fn new(catalog: &'c Catalog, options: &TrafficOptions) -> Aggregator<'c> {
        Aggregator {
            catalog,
            options: *options,
            counts: CallCounts::default(),
            hosts: HashMap::new(),
            hosts_untracked: 0,
            cache: HashMap::new(),
            operations: Vec::new(),
            operation_index: HashMap::new(),
            unrecognized: Vec::new(),
            unrecognized_index: HashMap::new(),
            unrecognized_more: 0,
            unreadable: Vec::new(),
            stop: None,
        }
    }

    fn unreadable(&mut self, place: Place, reason: &str) {
        self.counts.total += 1;
        self.counts.unreadable += 1;
        if self.unreadable.len() < MAX_UNREADABLE_EXAMPLES {
            let (line, entry) = match place {
                Place::Line(n) => (Some(n), None),
                Place::Entry(n) => (None, Some(n)),
            };
            self.unreadable.push(UnreadableCall {
                line,
                entry,
                reason: reason.to_owned(),
            });
        }
    }

    /// Classifies one call and counts it where it belongs.
    fn call(&mut self, place: Place, method: &str, url: &str) {
        let method = method.trim();
        if method.is_empty()
            || method.len() > 16
            || !method.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return self.unreadable(place, "the method is not an HTTP method");
        }
        let Ok(url) = url::Url::parse(url.trim()) else {
            return self.unreadable(place, "the URL is not an absolute URL");
        };
        let host = url.host_str().unwrap_or_default();
        let on_api_host = matches!(url.scheme(), "https" | "http")
            && host.eq_ignore_ascii_case(API_HOST)
            && url.port().is_none();
        if !on_api_host {
            let key = match (url.host_str(), url.port()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_owned(),
                (None, _) => format!("{}:", url.scheme()),
            };
            return self.other_host(key);
        }
        self.counts.total += 1;
        let method = method.to_ascii_uppercase();
        if method == "OPTIONS" {
            self.counts.preflight += 1;
            return;
        }
        if url.path().starts_with("/oauth/") {
            self.counts.oauth += 1;
            return;
        }
        self.counts.klaviyo += 1;
        let text = call_text(&method, &url);
        let cached = match self.cache.get(&text) {
            Some(&cached) => cached,
            None => {
                let Some(cached) = self.resolve(&method, &text) else {
                    return;
                };
                if self.cache.len() >= RESOLVE_CACHE_ENTRIES {
                    self.cache.clear();
                }
                self.cache.insert(text.clone(), cached);
                cached
            }
        };
        match cached {
            Cached::Operation(index) => self.operations[index].calls += 1,
            Cached::Unrecognized => match self.unrecognized_index.get(&text) {
                Some(&index) => self.unrecognized[index].calls += 1,
                None => self.unrecognized_more += 1,
            },
        }
    }

    fn other_host(&mut self, host: String) {
        self.counts.total += 1;
        self.counts.other_hosts += 1;
        let host = secret::redact(&host).into_owned();
        if let Some(calls) = self.hosts.get_mut(&host) {
            *calls += 1;
        } else if self.hosts.len() < MAX_TRACKED_HOSTS {
            self.hosts.insert(host, 1);
        } else {
            self.hosts_untracked += 1;
        }
    }

    /// Resolves a call text the first time it is seen (or again after the
    /// cache was emptied); counts are added by the caller. `None` when the
    /// operation limit stops the reading.
    fn resolve(&mut self, method: &str, text: &str) -> Option<Cached> {
        let resolution = resolve(
            self.catalog,
            &[InputItem::Text(text.to_owned())],
            self.options.resolve,
        );
        if let Some(item) = resolution.operations.into_iter().next() {
            let mut includes = item.includes;
            includes.sort();
            let key = (item.operation_id, includes);
            if let Some(&index) = self.operation_index.get(&key) {
                return Some(Cached::Operation(index));
            }
            if self.operations.len() >= self.options.max_operations {
                self.stop = Some(TrafficError::TooManyOperations {
                    limit: self.options.max_operations,
                });
                return None;
            }
            let index = self.operations.len();
            self.operations.push(OperationCalls {
                operation_id: key.0.clone(),
                method: item.method,
                path: item.path,
                includes: key.1.clone(),
                calls: 0,
            });
            self.operation_index.insert(key, index);
            return Some(Cached::Operation(index));
        }
        if self.unrecognized_index.contains_key(text) {
            return Some(Cached::Unrecognized);
        }
        if let Some(error) = resolution.errors.into_iter().next() {
            if self.unrecognized.len() < MAX_UNRECOGNIZED {
                let shown = text.split_once(' ').map_or(text, |(_, url)| url);
                self.unrecognized_index
                    .insert(text.to_owned(), self.unrecognized.len());
                self.unrecognized.push(UnrecognizedCall {
                    method: method.to_owned(),
                    url: secret::redact(shown).into_owned(),
                    calls: 0,
                    code: error.code,
                    detail: error.detail,
                    accepted: error.accepted,
                    suggestions: error.suggestions,
                });
            }
        }
        Some(Cached::Unrecognized)
    }

    /// One line on what was read, for an input without Klaviyo calls.
    fn summary(&self) -> String {
        let c = &self.counts;
        let mut parts = vec![format!("{} calls read", c.total)];
        if c.other_hosts > 0 {
            let mut hosts: Vec<(&String, &u64)> = self.hosts.iter().collect();
            hosts.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let names: Vec<&str> = hosts.iter().take(3).map(|(h, _)| h.as_str()).collect();
            parts.push(format!(
                "{} to other hosts ({}{})",
                c.other_hosts,
                names.join(", "),
                if hosts.len() > 3 { ", …" } else { "" }
            ));
        }
        if c.preflight > 0 {
            parts.push(format!("{} OPTIONS preflights", c.preflight));
        }
        if c.oauth > 0 {
            parts.push(format!("{} OAuth calls", c.oauth));
        }
        if c.unreadable > 0 {
            parts.push(format!("{} unreadable", c.unreadable));
        }
        parts.join(", ")
    }

    fn into_traffic(self, format: Format) -> Traffic {
        Traffic {
            format,
            options: self.options,
            counts: self.counts,
            hosts: self.hosts,
            hosts_untracked: self.hosts_untracked,
            operations: self.operations,
            unrecognized: self.unrecognized,
            unrecognized_more: self.unrecognized_more,
            unreadable: self.unreadable,
        }
    }
}

/// The resolver input for a call: `METHOD https://a.klaviyo.com/path?include=…`.
/// Only `include` parameters are kept: they change the scopes, while the
/// others (filters with e-mail addresses, page cursors) would only leak data
/// and make every call text distinct.
fn call_text(method: &str, url: &url::Url) -> String {
    let mut text = format!("{method} https://{API_HOST}{}", url.path());
    let includes: Vec<&str> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| pair.split('=').next() == Some("include"))
        .collect();
    if !includes.is_empty() {
        text.push('?');
        text.push_str(&includes.join("&"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(text: &str) -> Result<(), Stop> {
        JsonGuard::new(io::empty(), Rc::default()).scan(text.as_bytes())
    }

    #[test]
    fn guard_counts_nesting_and_key_length_outside_strings() {
        assert!(guard(r#"{"a": [{"b": "[[[[{{{{"}]}"#).is_ok());
        assert_eq!(guard(&"[".repeat(65)), Err(Stop::TooDeep));
        assert!(guard(&"[".repeat(64)).is_ok());
        let long_key = format!("{{\"{}\": 1}}", "k".repeat(MAX_KEY_BYTES + 1));
        assert_eq!(guard(&long_key), Err(Stop::KeyTooLong));
        let long_value = format!(
            "{{\"k\": \"{}\", \"a\": [\"{}\"]}}",
            "v".repeat(100_000),
            "w".repeat(100_000)
        );
        assert!(guard(&long_value).is_ok());
    }

    #[test]
    fn call_text_keeps_only_includes() {
        let url = url::Url::parse(
            "https://a.klaviyo.com/api/profiles/01HX?fields[profile]=email&include=lists&page[cursor]=x&include=segments#top",
        )
        .unwrap();
        assert_eq!(
            call_text("GET", &url),
            "GET https://a.klaviyo.com/api/profiles/01HX?include=lists&include=segments"
        );
    }

    #[test]
    fn long_lines_are_cut_and_flagged() {
        let text = format!("{}\nGET x\nlast", "a".repeat(MAX_LINE_BYTES + 10));
        let mut input = io::Cursor::new(text.into_bytes());
        let mut line = Vec::new();
        assert_eq!(
            read_line_bounded(&mut input, &mut line).unwrap(),
            Some(true)
        );
        assert_eq!(line.len(), MAX_LINE_BYTES);
        line.clear();
        assert_eq!(
            read_line_bounded(&mut input, &mut line).unwrap(),
            Some(false)
        );
        assert_eq!(line, b"GET x\n");
        line.clear();
        assert_eq!(
            read_line_bounded(&mut input, &mut line).unwrap(),
            Some(false)
        );
        line.clear();
        assert_eq!(read_line_bounded(&mut input, &mut line).unwrap(), None);
    }
}

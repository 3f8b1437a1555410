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
//!
//! The modules: [`limits`] guards the byte stream, `har` and `log` read the
//! two formats, and `aggregate` classifies, counts and resolves the calls.

mod aggregate;
mod har;
pub mod limits;
mod log;

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::{Catalog, Method};
use crate::link::{LinkBase, LinkReport};
use crate::resolve::{
    explain, ErrorCode, InputItem, ItemError, MatchedBy, ResolveOptions, ResolvedItem,
    StructuredInput, Suggestion, API_HOST,
};
use aggregate::Aggregator;
use limits::{Limited, Stop};

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
pub(crate) const MAX_MESSAGE_CHARS: usize = 300;

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
    pub request: HarRequest,
}

/// What is read of a HAR request.
#[derive(Debug, ToSchema)]
pub struct HarRequest {
    #[schema(example = "GET")]
    pub method: String,
    #[schema(example = "https://a.klaviyo.com/api/profiles/01HXAMPLE?include=lists")]
    pub url: String,
}

/// How the calls are read and resolved.
#[derive(Debug, Clone, Copy)]
pub struct TrafficOptions {
    /// Recorded calls are URLs, which the resolver's memo of exact texts
    /// never holds: no memo is passed.
    pub resolve: ResolveOptions<'static>,
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
    /// The resolver's error for each of `unrecognized`, in the same order.
    #[serde(skip)]
    unrecognized_errors: Vec<ItemError>,
}

impl TrafficReport {
    /// Every Klaviyo call resolved.
    pub fn is_complete(&self) -> bool {
        self.unrecognized.is_empty() && self.unrecognized_more == 0 && self.link.is_complete()
    }

    /// The unrecognised calls as per-input errors, as `POST /v1/links` reports them.
    pub fn unrecognized_errors(&self) -> Vec<ItemError> {
        self.unrecognized_errors
            .iter()
            .cloned()
            .chain(self.link.errors.iter().cloned())
            .collect()
    }

    /// One line on what was read: the calls, and how many of each kind.
    pub fn summary(&self) -> String {
        let hosts: Vec<&str> = self
            .other_hosts
            .iter()
            .take(3)
            .map(|h| h.host.as_str())
            .collect();
        aggregate::summary(
            &self.calls,
            self.operations.len(),
            &hosts,
            self.other_hosts.len() > 3 || self.other_hosts_more > 0,
        )
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
    operations: Vec<(OperationCalls, ResolvedItem)>,
    unrecognized: Vec<(UnrecognizedCall, ItemError)>,
    unrecognized_more: u64,
    unreadable: Vec<UnreadableCall>,
}

impl Traffic {
    pub fn counts(&self) -> &CallCounts {
        &self.counts
    }

    /// Builds the link from the distinct operations called, each as it was
    /// resolved when first seen: item `i` of the link is `operations[i]`.
    pub fn into_report(mut self, catalog: &Catalog, base: &LinkBase) -> TrafficReport {
        self.operations.sort_by(|(a, _), (b, _)| {
            (&a.operation_id, &a.includes).cmp(&(&b.operation_id, &b.includes))
        });
        let (operations, matched): (Vec<OperationCalls>, Vec<ResolvedItem>) = self
            .operations
            .into_iter()
            .enumerate()
            .map(|(index, (calls, mut item))| {
                // The item stands for every call of it: named by operation.
                item.index = index;
                item.input = InputItem::Structured(StructuredInput {
                    operation: calls.operation_id.clone(),
                    include: calls.includes.clone(),
                });
                item.matched_by = MatchedBy::OperationId;
                item.includes = calls.includes.clone();
                (calls, item)
            })
            .unzip();
        let options = self.options.resolve;
        let resolution = explain(catalog, matched, Vec::new(), options.minimal);
        let link = LinkReport::from_resolution(catalog, base, resolution, options);
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
        self.unrecognized.sort_by(|(a, _), (b, _)| {
            b.calls
                .cmp(&a.calls)
                .then_with(|| (&a.url, &a.method).cmp(&(&b.url, &b.method)))
        });
        let (unrecognized, mut unrecognized_errors): (Vec<_>, Vec<_>) =
            self.unrecognized.into_iter().unzip();
        for (index, error) in unrecognized_errors.iter_mut().enumerate() {
            error.index = index;
        }
        TrafficReport {
            link,
            format: self.format,
            calls: self.counts,
            other_hosts: hosts,
            other_hosts_more,
            operations,
            unrecognized,
            unrecognized_more: self.unrecognized_more,
            unreadable: self.unreadable,
            unrecognized_errors,
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
        Format::Har => har::read_har(input, &mut calls, &stop)?,
        Format::Log => log::read_log(&mut input, &mut calls).map_err(io_error)?,
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

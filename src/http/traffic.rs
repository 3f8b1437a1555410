//! `POST /v1/links/from-har`: the link for the calls in a HAR file or a
//! request log. The body (up to `max_har_bytes`, far over the JSON limit) is
//! streamed chunk by chunk into the core's parser on a blocking thread, so a
//! large upload is never held whole and never blocks the async runtime.
//!
//! # Implementation notes
//! The payload can only be read on its connection's thread, so its chunks go
//! through a small bounded channel; on the parser's thread tokio-util's
//! `StreamReader` makes the channel an `AsyncRead` and `SyncIoBridge` a
//! blocking `Read`.

use std::io;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa::IntoParams;

use super::error::{ApiError, Problem};
use super::extract::{flag, is_json, media_type, Query};
use super::respond;
use super::AppState;
use crate::resolve::ResolveOptions;
use crate::traffic::{self, Format, HarDocument, TrafficError, TrafficOptions, TrafficReport};

/// Body chunks in flight between the connection and the parser.
const CHANNEL_CHUNKS: usize = 8;

/// Query parameters of `POST /v1/links/from-har`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HarQuery {
    /// `true` for exactly the spec's scopes.
    #[serde(default, deserialize_with = "flag::minimal")]
    pub minimal: Option<bool>,
    /// `true` to answer 200 with the link for the calls that resolved, listing the others.
    #[serde(default, deserialize_with = "flag::partial")]
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// Build the create-key link from the calls an integration made.
///
/// The body is a HAR file (`application/json`) or a request log
/// (`text/plain`, one `METHOD URL` a line, `#` comments). Calls to
/// `a.klaviyo.com` are resolved (only `include=` of their query is kept);
/// calls to other hosts, CORS preflights and OAuth token calls are counted
/// and ignored; unreadable lines are counted. If any Klaviyo call is not a
/// known operation it answers 422 with `errors` and `unrecognized` (with call
/// counts), unless `partial=true`. The body may be up to
/// `SCOPELINK_MAX_HAR_BYTES` (default 128 MiB) and is streamed, never held.
#[utoipa::path(
    tag = "links",
    operation_id = "create_link_from_har",
    params(HarQuery),
    request_body(
        description = "A HAR file, or a request log (one `METHOD URL` a line)",
        content(
            (HarDocument = "application/json"),
            (String = "text/plain", example = "GET https://a.klaviyo.com/api/profiles/01HXAMPLE?include=lists\nPOST https://a.klaviyo.com/api/lists\nGET https://cdn.example.com/app.js\n")
        )
    ),
    responses(
        (status = 200, description = "The link, the operations called and what was ignored", body = TrafficReport),
        (status = 400, description = "Not valid JSON, or a bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over `max_har_bytes`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither application/json nor text/plain", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a HAR, no Klaviyo calls, unrecognised Klaviyo calls (`errors`, `unrecognized`), or over a limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/links/from-har")]
pub async fn create_link_from_har(
    request: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let Some(format) = body_format(&request) else {
        return Err(ApiError::UnsupportedMediaType.with_detail(
            "the request body must be a HAR (`application/json`) or a request log (`text/plain`)",
        ));
    };
    // Read after the media type, so that a wrong body type is named first.
    let Query(query) = Query::<HarQuery>::parse(request.query_string())?;
    state.catalog_for(query.revision.as_deref())?;
    let limit = state.limits.max_har_bytes;
    if content_length(&request).is_some_and(|length| length > limit as u64) {
        return Err(ApiError::BodyTooLarge { limit });
    }

    let (sender, mut receiver) = mpsc::channel::<io::Result<Bytes>>(CHANNEL_CHUNKS);
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let body = SyncIoBridge::new(StreamReader::new(chunks));
    let worker = state.clone();
    let revision = query.revision.clone();
    let minimal = query.minimal.unwrap_or(false);
    let parsed = web::block(move || -> Result<TrafficReport, TrafficError> {
        let selected = worker
            .catalog_for(revision.as_deref())
            .expect("the revision was checked");
        let options = TrafficOptions {
            resolve: ResolveOptions {
                minimal,
                max_item_bytes: Some(worker.limits.max_item_bytes),
                prefer_beta: selected.prefer_beta,
                exact_inputs: None,
            },
            max_bytes: Some(limit as u64),
            max_operations: worker.limits.max_operations,
            format,
        };
        let calls = traffic::read_calls(body, selected.catalog, &options)?;
        Ok(calls.into_report(selected.catalog, &worker.link_base))
    });
    pump(payload, sender).await;
    match parsed.await {
        Ok(Ok(report)) => answer(&state, report, query.partial.unwrap_or(false)),
        Ok(Err(error)) => Err(traffic_problem(&error)),
        Err(_) => Err(ApiError::Internal),
    }
}

/// Sends the body's chunks to the parser until the body ends or the parser stops.
async fn pump(mut payload: web::Payload, sender: mpsc::Sender<io::Result<Bytes>>) {
    while let Some(chunk) = payload.next().await {
        let failed = chunk.is_err();
        let chunk = chunk.map_err(|error| io::Error::other(error.to_string()));
        if sender.send(chunk).await.is_err() || failed {
            // The parser has finished or failed, or the body broke off.
            return;
        }
    }
}

/// What the body is, by `Content-Type`: a HAR, or (for `text/plain`) detected
/// from its first byte; `None` for any other type.
fn body_format(request: &HttpRequest) -> Option<Option<Format>> {
    if is_json(request) {
        Some(Some(Format::Har))
    } else if media_type(request).as_deref() == Some("text/plain") {
        Some(None)
    } else {
        None
    }
}

fn content_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// 200 with the report, or 422 with the unrecognised calls unless `partial`.
fn answer(
    state: &AppState,
    report: TrafficReport,
    partial: bool,
) -> Result<HttpResponse, ApiError> {
    let errors = report.unrecognized_errors();
    state
        .metrics
        .record_errors(&errors.iter().map(|e| e.code).collect::<Vec<_>>());
    if !report.is_complete() && !partial {
        let calls: u64 =
            report.unrecognized.iter().map(|u| u.calls).sum::<u64>() + report.unrecognized_more;
        let detail = format!(
            "{calls} call(s) to Klaviyo's API ({} distinct listed) match no known operation; see `unrecognized` (with call counts) and `errors`, or send `partial=true` for the link of the others",
            report.unrecognized.len()
        );
        return Err(ApiError::Unresolved {
            count: errors.len(),
            errors,
        }
        .with_detail(detail)
        .with_extension("unrecognized", &report.unrecognized)
        .with_extension("unrecognized_more", report.unrecognized_more)
        .with_extension("calls", &report.calls));
    }
    state.metrics.record_link();
    respond::json(&report)
}

/// The problem for a body the core could not read.
fn traffic_problem(error: &TrafficError) -> ApiError {
    match error {
        TrafficError::TooLarge { limit } => ApiError::BodyTooLarge {
            limit: usize::try_from(*limit).unwrap_or(usize::MAX),
        },
        TrafficError::MalformedJson(message) => ApiError::MalformedJson(message.clone()),
        TrafficError::TooManyOperations { limit } => ApiError::TooManyOperations {
            given: limit + 1,
            limit: *limit,
        }
        .with_detail(error.to_string()),
        TrafficError::Empty
        | TrafficError::NotHar(_)
        | TrafficError::TooDeep { .. }
        | TrafficError::KeyTooLong { .. }
        | TrafficError::NoKlaviyoCalls { .. }
        | TrafficError::Io(_) => {
            ApiError::InvalidBody(error.to_string()).with_detail(error.to_string())
        }
    }
}

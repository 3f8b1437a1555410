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
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa::IntoParams;

use super::error::{ApiError, Problem, PROBLEM_JSON};
use super::links::parse_bool;
use super::links::{is_json, media_type};
use super::AppState;
use crate::resolve::ResolveOptions;
use crate::traffic::{self, Format, HarDocument, TrafficError, TrafficOptions, TrafficReport};

/// Body chunks in flight between the connection and the parser.
const CHANNEL_CHUNKS: usize = 8;

/// Query parameters of `POST /v1/links/from-har`.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HarQuery {
    /// `true` for exactly the spec's scopes.
    pub minimal: Option<bool>,
    /// `true` to answer 200 with the link for the calls that resolved, listing the others.
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

impl HarQuery {
    fn parse(query: &str) -> Result<HarQuery, ApiError> {
        let mut parsed = HarQuery::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "minimal" => parsed.minimal = Some(parse_bool("minimal", &value)?),
                "partial" => parsed.partial = Some(parse_bool("partial", &value)?),
                "revision" => parsed.revision = Some(value.into_owned()),
                other => {
                    return Err(ApiError::InvalidParameter(format!(
                        "unknown query parameter `{}`; accepted: minimal, partial, revision",
                        crate::secret::redact(other)
                    )))
                }
            }
        }
        Ok(parsed)
    }
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
    post,
    path = "/v1/links/from-har",
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
pub async fn create_link_from_har(
    request: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let Some(format) = body_format(&request) else {
        return problem(
            &ApiError::UnsupportedMediaType,
            Some("the request body must be a HAR (`application/json`) or a request log (`text/plain`)".to_owned()),
            None,
        );
    };
    let query = match HarQuery::parse(request.query_string()) {
        Ok(query) => query,
        Err(error) => return problem(&error, None, None),
    };
    if let Err(error) = state.catalog_for(query.revision.as_deref()) {
        return problem(&error, None, None);
    }
    let limit = state.limits.max_har_bytes;
    if content_length(&request).is_some_and(|length| length > limit as u64) {
        return problem(&ApiError::BodyTooLarge { limit }, None, None);
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
        Ok(Err(error)) => traffic_problem(&error),
        Err(_) => problem(&ApiError::Internal, None, None),
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
fn answer(state: &AppState, report: TrafficReport, partial: bool) -> HttpResponse {
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
        let extra = json!({
            "unrecognized": report.unrecognized,
            "unrecognized_more": report.unrecognized_more,
            "calls": report.calls,
        });
        return problem(
            &ApiError::Unresolved {
                count: errors.len(),
                errors,
            },
            Some(detail),
            Some(extra),
        );
    }
    state.metrics.record_link();
    json_response(&report)
}

fn json_response(value: &impl Serialize) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("application/json")
            .body(body),
        Err(_) => problem(&ApiError::Internal, None, None),
    }
}

/// The problem for a body the core could not read.
fn traffic_problem(error: &TrafficError) -> HttpResponse {
    let detail = Some(error.to_string());
    match error {
        TrafficError::TooLarge { limit } => problem(
            &ApiError::BodyTooLarge {
                limit: usize::try_from(*limit).unwrap_or(usize::MAX),
            },
            None,
            None,
        ),
        TrafficError::MalformedJson(message) => {
            problem(&ApiError::MalformedJson(message.clone()), None, None)
        }
        TrafficError::TooManyOperations { limit } => problem(
            &ApiError::TooManyOperations {
                given: limit + 1,
                limit: *limit,
            },
            detail,
            None,
        ),
        TrafficError::Empty
        | TrafficError::NotHar(_)
        | TrafficError::TooDeep { .. }
        | TrafficError::KeyTooLong { .. }
        | TrafficError::NoKlaviyoCalls { .. }
        | TrafficError::Io(_) => problem(&ApiError::InvalidBody(error.to_string()), detail, None),
    }
}

/// An `application/problem+json` answer, with its detail replaced and extension members added.
fn problem(error: &ApiError, detail: Option<String>, extra: Option<Value>) -> HttpResponse {
    let mut body = serde_json::to_value(error.problem()).unwrap_or_else(|_| json!({}));
    if let Some(detail) = detail {
        body["detail"] = Value::String(detail);
    }
    if let (Some(Value::Object(members)), Some(object)) = (extra, body.as_object_mut()) {
        object.extend(members);
    }
    HttpResponse::build(error.status_code())
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_vec(&body).unwrap_or_default())
}

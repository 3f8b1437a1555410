//! `POST /v1/links`, `GET /v1/links` and the `GET /go` redirect: the link
//! for a list of operations, as JSON or as a 302 to Klaviyo's page.

use std::ops::Range;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::answer_cache::{Answer, Endpoint};
use super::error::{ApiError, Problem};
use super::extract::{body_error, flag, is_json, Query};
use super::respond::{etag_of, problem_answer, send};
use super::AppState;
use crate::form_text::form_encode;
use crate::link::{CompactReport, LinkReport};
use crate::resolve::compact::catalog_input;
use crate::resolve::{ErrorCode, InputItem, ResolveOptions};
use crate::web::html::{go_error_page, GoInputs};
#[cfg(test)]
use crate::web::html::{input_text, links_url};

/// The operations to build a link for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "operations": ["GET /api/profiles/{id}?include=lists", "klaviyo.Lists.create_list", {"operation": "get_events", "include": ["metric"]}],
    "minimal": false
}))]
pub struct LinksRequest {
    /// Inputs in any accepted form: `METHOD /api/path`, a URL on a.klaviyo.com,
    /// an operationId, alias or SDK method name, or `{"operation", "include"}`.
    /// At most `SCOPELINK_MAX_OPERATIONS` (default 256).
    #[schema(min_items = 1)]
    pub operations: Vec<InputItem>,
    /// Exactly the spec's scopes, without `x:read` added for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// Answer 200 with the link for the inputs that resolved, plus `errors`.
    #[serde(default)]
    pub partial: bool,
    /// The Klaviyo revision to answer from (`2026-07-15`, `2026-07-15.pre`);
    /// default: the newest stable one loaded.
    #[schema(example = "2026-07-15")]
    pub revision: Option<String>,
}

impl LinksRequest {
    /// Reads a body as `serde_json::from_slice` does, values and errors
    /// alike, but a body that is UTF-8 (any body that reads) is checked as
    /// UTF-8 once, not string by string.
    pub fn from_json(body: &[u8]) -> Result<LinksRequest, serde_json::Error> {
        match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        }
    }
}

// The server writes this answer from the compact report (`answer_json`):
// the struct gives its schema and, in the tests, the owned answer it is
// compared with.
/// A link answer: the report, and the two URLs that reproduce it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkAnswer {
    #[serde(flatten)]
    pub report: LinkReport,
    /// The relative `/go` URL for the inputs that resolved, in input order, with
    /// `minimal` and `revision` as asked: a docs link that redirects to this link.
    #[schema(example = "/go?op=get_profiles&op=POST+%2Fapi%2Flists")]
    go_url: String,
    /// The relative builder-page URL for every input that is not key-like
    /// (resolved or not), so that opening it shows this answer, errors included.
    #[schema(example = "/?op=get_profiles&op=get_profils")]
    page_url: String,
}

#[cfg(test)]
impl LinkAnswer {
    /// The answer for `items` as resolved into `report`, owned, with its
    /// URLs written by `web::html::links_url` (`serde_urlencoded`): what
    /// the server writes from the compact report ([`answer_json`]) by hand,
    /// for the tests to compare.
    pub fn new(report: LinkReport, items: &[InputItem], revision: Option<&str>) -> LinkAnswer {
        let resolved: Vec<String> = report
            .operations
            .iter()
            .map(|operation| input_text(&items[operation.index]))
            .collect();
        let shown: Vec<String> = items
            .iter()
            .filter(|item| !item.is_key_like())
            .map(input_text)
            .collect();
        LinkAnswer {
            go_url: links_url("/go", &resolved, report.minimal, revision),
            page_url: links_url("/", &shown, report.minimal, revision),
            report,
        }
    }
}

/// The JSON of the [`LinkAnswer`] for `items` as resolved into `report`,
/// byte for byte `serde_json`'s, written from the compact report
/// (`link::json`) without making it owned.
fn answer_json(report: &CompactReport<'_>, items: &[InputItem], revision: Option<&str>) -> Vec<u8> {
    let catalog = report.resolution.catalog();
    let texts: usize = items.iter().map(|item| item.operation_text().len()).sum();
    let mut out = Vec::with_capacity(report.json_size_hint(items) + 6 * texts + 64);
    report.write_json_fields(items, &mut out);
    let resolved = report.resolution.found.iter().map(|found| {
        let item = &items[found.index];
        let encoded = catalog_input(catalog, found, item).map(|input| &*input.form_encoded);
        (found.index, encoded)
    });
    write_link_urls(&mut out, items, resolved, report.minimal(), revision);
    out.push(b'}');
    out
}

/// Writes `,"go_url":"…","page_url":"…"`: the `/go` URL of the inputs that
/// resolved (`resolved`: each one's index and, when the catalog rendered
/// it, its form-encoding, in input order) and the page URL of every input
/// that is not key-like, in input order, each with `minimal` and
/// `revision`. They are `links_url` (web::html) of each list, the same text
/// (the tests compare them), written in one pass with each input
/// form-encoded once: the page URL copies the `/go` URL's. Form-encoding
/// leaves nothing JSON would escape.
fn write_link_urls<'a>(
    out: &mut Vec<u8>,
    items: &[InputItem],
    resolved: impl Iterator<Item = (usize, Option<&'a str>)>,
    minimal: bool,
    revision: Option<&str>,
) {
    let revision = revision.filter(|r| !r.trim().is_empty());
    let options = |out: &mut Vec<u8>, has_query: bool| {
        let mut separator = if has_query { b'&' } else { b'?' };
        if minimal {
            out.push(separator);
            out.extend_from_slice(b"minimal=true");
            separator = b'&';
        }
        if let Some(revision) = revision {
            out.push(separator);
            out.extend_from_slice(b"revision=");
            form_encode(revision, out);
        }
    };
    out.extend_from_slice(b",\"go_url\":\"/go");
    // Each resolved input's index and where its value is in the `/go` URL.
    let mut in_go: Vec<(usize, Range<usize>)> = Vec::with_capacity(items.len());
    for (index, encoded) in resolved {
        out.extend_from_slice(if in_go.is_empty() { b"?op=" } else { b"&op=" });
        let start = out.len();
        match encoded {
            Some(encoded) => out.extend_from_slice(encoded.as_bytes()),
            None => encode_input(&items[index], out),
        }
        in_go.push((index, start..out.len()));
    }
    options(out, !in_go.is_empty());
    out.extend_from_slice(b"\",\"page_url\":\"/");
    let mut in_go = in_go.into_iter().peekable();
    let mut has_query = false;
    for (index, item) in items.iter().enumerate() {
        let separator: &[u8] = if has_query { b"&op=" } else { b"?op=" };
        if let Some((_, value)) = in_go.next_if(|(resolved, _)| *resolved == index) {
            out.extend_from_slice(separator);
            out.extend_from_within(value);
        } else if item.is_key_like() {
            // Key-like inputs are left out (resolving refuses them too).
            continue;
        } else {
            out.extend_from_slice(separator);
            encode_input(item, out);
        }
        has_query = true;
    }
    options(out, has_query);
    out.push(b'"');
}

/// `input_text` (web::html) of an item, form-encoded (`encode(a + b)` is `encode(a) + encode(b)`).
fn encode_input(item: &InputItem, out: &mut Vec<u8>) {
    match item {
        InputItem::Text(text) => form_encode(text, out),
        InputItem::Structured(input) => {
            form_encode(&input.operation, out);
            if !input.include.is_empty() {
                out.extend_from_slice(if input.operation.contains('?') {
                    b"%26include%3D"
                } else {
                    b"%3Finclude%3D"
                });
                for (i, value) in input.include.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b"%2C");
                    }
                    form_encode(value, out);
                }
            }
        }
    }
}

/// Query parameters of `GET /v1/links`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// An input, in any accepted text form; repeat for more.
    #[param(rename = "op", required = true, example = json!(["get_profiles"]), min_items = 1, explode = true, style = Form)]
    #[serde(default)]
    pub op: Vec<String>,
    /// `true` for exactly the spec's scopes.
    #[serde(default, deserialize_with = "flag::minimal")]
    pub minimal: Option<bool>,
    /// `true` to answer with the inputs that resolved (`GET /v1/links` only).
    #[serde(default, deserialize_with = "flag::partial")]
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// Query parameters of `GET /go`: those of `GET /v1/links`, and any other
/// (`utm_source`…) is ignored, so that a tracked docs link still works.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoQuery {
    /// An input, in any accepted text form; repeat for more.
    #[param(rename = "op", required = true, example = json!(["get_profiles"]), min_items = 1, explode = true, style = Form)]
    #[serde(default)]
    pub op: Vec<String>,
    /// `true` for exactly the spec's scopes.
    #[serde(default, deserialize_with = "flag::minimal")]
    pub minimal: Option<bool>,
    /// `true` to answer with the inputs that resolved (`GET /v1/links` only).
    // Read so that `/go` takes any link `GET /v1/links` takes; `/go` has no partial answer.
    #[allow(dead_code)]
    #[serde(default, deserialize_with = "flag::partial")]
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// Text inputs as items.
fn items(ops: &[String]) -> Vec<InputItem> {
    ops.iter().map(|op| InputItem::Text(op.clone())).collect()
}

/// Resolves the inputs under the configured limits; the one path every route shares.
pub(super) fn build_report<'s>(
    state: &'s AppState,
    items: &[InputItem],
    minimal: bool,
    revision: Option<&str>,
) -> Result<CompactReport<'s>, ApiError> {
    let selected = state.catalog_for(revision)?;
    if items.is_empty() {
        return Err(ApiError::NoOperations);
    }
    let limit = state.limits.max_operations;
    if items.len() > limit {
        return Err(ApiError::TooManyOperations {
            given: items.len(),
            limit,
        });
    }
    let options = ResolveOptions {
        minimal,
        max_item_bytes: Some(state.limits.max_item_bytes),
        prefer_beta: selected.prefer_beta,
        exact_inputs: Some(state.exact_inputs_of(&selected)),
    };
    Ok(CompactReport::build(
        selected.catalog,
        &state.link_base,
        items,
        options,
    ))
}

/// The JSON answer for a report of `items`: 200, or 422 with the per-input errors unless `partial`.
fn json_answer(
    report: Result<CompactReport<'_>, ApiError>,
    items: &[InputItem],
    revision: Option<&str>,
    partial: bool,
    etag: bool,
) -> Answer {
    let report = match report {
        Ok(report) if report.is_complete() || partial => report,
        Ok(report) => {
            let errors = report.resolution.errors;
            let error_codes = errors.iter().map(|e| e.code).collect();
            let error = ApiError::Unresolved {
                count: errors.len(),
                errors,
            };
            return Answer {
                error_codes,
                ..problem_answer(&error)
            };
        }
        Err(error) => return problem_answer(&error),
    };
    let error_codes = report.resolution.errors.iter().map(|e| e.code).collect();
    let body = Bytes::from(answer_json(&report, items, revision));
    Answer {
        status: StatusCode::OK,
        content_type: "application/json",
        etag: etag.then(|| etag_of(&body).to_string()),
        body,
        location: None,
        link_built: true,
        error_codes,
    }
}

/// Answers that depend only on the request: links and unresolved inputs.
fn deterministic(answer: &Answer) -> bool {
    answer.status == StatusCode::OK
        || answer.status == StatusCode::FOUND
        || answer.status == StatusCode::UNPROCESSABLE_ENTITY
}

/// Build the create-key link for a list of operations.
///
/// Answers with the link, its scopes (also space-separated for OAuth apps),
/// why each scope is needed, what each input matched, and warnings. If any
/// input cannot be resolved it answers 422 with an `errors` entry per failed
/// input, unless `partial` is set.
#[utoipa::path(
    tag = "links",
    operation_id = "create_link",
    request_body = LinksRequest,
    responses(
        (status = 200, description = "The link and why each scope is in it", body = LinkAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inputs that could not be resolved, or over a limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/links")]
pub async fn create_link(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    if !is_json(&request) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let answer = state.answers.get_or_compute(
        Endpoint::PostLinks,
        &body,
        || match LinksRequest::from_json(&body) {
            Ok(links) => json_answer(
                build_report(
                    &state,
                    &links.operations,
                    links.minimal,
                    links.revision.as_deref(),
                ),
                &links.operations,
                links.revision.as_deref(),
                links.partial,
                false,
            ),
            Err(error) => problem_answer(&body_error(&error)),
        },
        deterministic,
    );
    Ok(send(&state, &request, &answer))
}

/// Build the create-key link from query parameters.
///
/// The same answer as `POST /v1/links`, for clients that can only GET.
/// Answers carry an `ETag` and `Cache-Control`: they depend only on the
/// input and the catalog.
#[utoipa::path(
    tag = "links",
    operation_id = "get_link",
    params(LinksQuery),
    responses(
        (status = 200, description = "The link and why each scope is in it", body = LinkAnswer),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inputs that could not be resolved, or over a limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/links")]
pub async fn get_link(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = request.query_string();
    let answer = state.answers.get_or_compute(
        Endpoint::GetLinks,
        query.as_bytes(),
        || match Query::<LinksQuery>::parse(query) {
            Ok(Query(links)) => {
                let items = items(&links.op);
                json_answer(
                    build_report(
                        &state,
                        &items,
                        links.minimal.unwrap_or(false),
                        links.revision.as_deref(),
                    ),
                    &items,
                    links.revision.as_deref(),
                    links.partial.unwrap_or(false),
                    true,
                )
            }
            Err(error) => problem_answer(&error),
        },
        deterministic,
    );
    Ok(send(&state, &request, &answer))
}

/// Redirect to Klaviyo's create-key page with the scopes preselected.
///
/// For links in docs: `/go?op=get_profiles&op=POST%20/api/lists`. The target
/// is always the configured Klaviyo page. Inputs that cannot be resolved get
/// a readable HTML page (422) that says what was wrong and links the fixes.
#[utoipa::path(
    tag = "links",
    operation_id = "redirect_to_link",
    params(GoQuery),
    responses(
        (status = 302, description = "Redirect to the create-key link", headers(("location" = String, description = "The Klaviyo create-key link"))),
        (status = 400, description = "A bad query parameter", content_type = "text/html", body = String),
        (status = 422, description = "Inputs that could not be resolved", content_type = "text/html", body = String),
    )
)]
#[get("/go")]
pub async fn redirect_to_link(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = request.query_string();
    let answer = state.answers.get_or_compute(
        Endpoint::Go,
        query.as_bytes(),
        || redirect_answer(&state, query),
        deterministic,
    );
    Ok(send(&state, &request, &answer))
}

/// The `/go` answer: a 302, or an HTML page saying what was wrong.
fn redirect_answer(state: &AppState, query: &str) -> Answer {
    let outcome = Query::<GoQuery>::parse(query).and_then(|Query(go)| {
        let report = build_report(
            state,
            &items(&go.op),
            go.minimal.unwrap_or(false),
            go.revision.as_deref(),
        )?;
        Ok((go, report))
    });
    let html_answer = |status: StatusCode, body: String, error_codes: Vec<ErrorCode>| Answer {
        status,
        content_type: "text/html; charset=utf-8",
        body: Bytes::from(body),
        location: None,
        etag: None,
        link_built: false,
        error_codes,
    };
    match outcome {
        Err(error) => html_answer(
            error.status_code(),
            go_error_page(&error.to_string(), &[], &GoInputs::default()),
            Vec::new(),
        ),
        Ok((go, report)) if !report.is_complete() => html_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            go_error_page(
                "Some operations could not be resolved.",
                &report.resolution.errors,
                &GoInputs {
                    ops: &go.op,
                    minimal: go.minimal == Some(true),
                    revision: go.revision.as_deref(),
                },
            ),
            report.resolution.errors.iter().map(|e| e.code).collect(),
        ),
        Ok((_, report)) => Answer {
            status: StatusCode::FOUND,
            content_type: "text/plain",
            body: Bytes::new(),
            location: Some(report.url()),
            etag: None,
            link_built: true,
            error_codes: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::link::LinkBase;
    use crate::resolve::StructuredInput;

    fn report(catalog: &Catalog, items: &[InputItem], minimal: bool) -> LinkReport {
        let options = ResolveOptions {
            minimal,
            ..ResolveOptions::default()
        };
        LinkReport::build(catalog, &LinkBase::default(), items, options)
    }

    /// The server's answer for `items`, checked byte for byte against
    /// `serde_json`'s of the owned answer.
    fn answer(
        catalog: &Catalog,
        items: &[InputItem],
        minimal: bool,
        revision: Option<&str>,
    ) -> LinkAnswer {
        let options = ResolveOptions {
            minimal,
            ..ResolveOptions::default()
        };
        let base = LinkBase::default();
        let compact = CompactReport::build(catalog, &base, items, options);
        let written = answer_json(&compact, items, revision);
        let answer = LinkAnswer::new(compact.into_report(items), items, revision);
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&answer).unwrap()
        );
        answer
    }

    /// What `GET /go` reads from a `go_url`: the same report.
    fn reread(catalog: &Catalog, url: &str) -> LinkReport {
        let query = url.split_once('?').map_or("", |(_, query)| query);
        let Query(go) = Query::<GoQuery>::parse(query).unwrap();
        report(catalog, &items(&go.op), go.minimal == Some(true))
    }

    #[test]
    fn every_operation_with_every_include_round_trips_through_its_go_url() {
        let catalog = Catalog::embedded();
        for minimal in [false, true] {
            for operation in catalog.operations() {
                let items = [
                    InputItem::Structured(StructuredInput {
                        operation: operation.operation_id.clone(),
                        include: operation.includes.iter().map(|r| r.value.clone()).collect(),
                    }),
                    InputItem::Text(operation.endpoint()),
                ];
                let answer = answer(&catalog, &items, minimal, None);
                let original = &answer.report;
                assert!(original.is_complete(), "{}", operation.operation_id);
                assert_eq!(answer.go_url.contains("minimal=true"), minimal);
                let again = reread(&catalog, &answer.go_url);
                assert!(again.is_complete(), "{}", answer.go_url);
                assert_eq!(again.url, original.url, "{}", answer.go_url);
                assert_eq!(
                    again.explanations, original.explanations,
                    "{}",
                    answer.go_url
                );
                assert_eq!(
                    reread(&catalog, &answer.page_url).url,
                    original.url,
                    "{}",
                    answer.page_url
                );
            }
        }
    }

    #[test]
    fn go_url_keeps_only_what_resolved_and_page_url_all_but_keys() {
        let catalog = Catalog::embedded();
        let items = [
            InputItem::from("get_profils"),
            InputItem::from("POST /api/lists"),
            InputItem::from("GET /api/profiles?api_key=pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2"),
            InputItem::Structured(StructuredInput {
                operation: "get_events".to_owned(),
                include: vec!["metric".to_owned(), "profile".to_owned()],
            }),
        ];
        let answer = answer(&catalog, &items, false, Some("2026-07-15"));
        assert_eq!(
            answer.go_url,
            "/go?op=POST+%2Fapi%2Flists&op=get_events%3Finclude%3Dmetric%2Cprofile&revision=2026-07-15"
        );
        assert_eq!(
            answer.page_url,
            "/?op=get_profils&op=POST+%2Fapi%2Flists&op=get_events%3Finclude%3Dmetric%2Cprofile&revision=2026-07-15"
        );
        assert_eq!(links_url("/go", &[], false, Some(" ")), "/go");
    }

    #[test]
    fn urls_of_inputs_with_quotes_backslashes_controls_and_non_ascii_need_no_escaping() {
        // The answer copies its URLs unscanned: form-encoding leaves nothing
        // JSON would escape, whatever the inputs hold.
        let catalog = Catalog::embedded();
        let items: Vec<InputItem> = [
            "get_\"profiles\"",
            "GET /api/lists\\x",
            "a\u{1}\tb\n",
            "prófiles ☃",
        ]
        .into_iter()
        .map(InputItem::from)
        .collect();
        let answer = answer(&catalog, &items, false, Some("\"2026\""));
        for url in [&answer.go_url, &answer.page_url] {
            assert!(!crate::json_text::needs_escape(url), "{url}");
        }
        assert!(
            answer.page_url.contains("op=get_%22profiles%22"),
            "{}",
            answer.page_url
        );
    }

    /// The `go_url` and `page_url` [`write_link_urls`] writes.
    fn link_urls(
        items: &[InputItem],
        resolved: &[usize],
        minimal: bool,
        revision: Option<&str>,
    ) -> (String, String) {
        let mut out = b"{\"x\":0".to_vec();
        let resolved = resolved.iter().map(|&index| (index, None));
        write_link_urls(&mut out, items, resolved, minimal, revision);
        out.push(b'}');
        let urls: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let url = |key: &str| urls[key].as_str().unwrap().to_owned();
        (url("go_url"), url("page_url"))
    }

    #[test]
    fn link_urls_are_what_links_url_writes() {
        let catalog = Catalog::embedded();
        let mut items: Vec<InputItem> = catalog
            .operations()
            .iter()
            .flat_map(|op| {
                [
                    InputItem::Text(op.endpoint()),
                    InputItem::Structured(StructuredInput {
                        operation: op.operation_id.clone(),
                        include: op.includes.iter().map(|r| r.value.clone()).collect(),
                    }),
                ]
            })
            .collect();
        for odd in ["a b+c&d=e?f#g%h/é\u{1}\"'", "*-._~!", "", " ", "éé☃x", "x☃"] {
            items.push(InputItem::from(odd));
            items.push(InputItem::Structured(StructuredInput {
                operation: format!("get_events?{odd}"),
                include: vec![odd.to_owned(), "metric".to_owned()],
            }));
        }
        items.push(InputItem::from(
            "GET /api/profiles?api_key=pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2",
        ));
        let key_like = InputItem::is_key_like;
        for minimal in [false, true] {
            for revision in [None, Some("2026-07-15"), Some(" "), Some("a b&c")] {
                // Each input alone, resolved (unless key-like: resolving
                // refuses those) or not.
                for (index, item) in items.iter().enumerate() {
                    let texts = [input_text(item)];
                    let shown: &[String] = if key_like(item) { &[] } else { &texts };
                    let alone = std::slice::from_ref(item);
                    if !key_like(item) {
                        assert_eq!(
                            link_urls(alone, &[0], minimal, revision),
                            (
                                links_url("/go", shown, minimal, revision),
                                links_url("/", shown, minimal, revision)
                            ),
                            "{index}: {item:?}"
                        );
                    }
                    assert_eq!(
                        link_urls(alone, &[], minimal, revision),
                        (
                            links_url("/go", &[], minimal, revision),
                            links_url("/", shown, minimal, revision)
                        ),
                        "{index}: {item:?}"
                    );
                }
                // All of them, with every third resolved.
                let resolved: Vec<usize> = (0..items.len())
                    .filter(|&i| i % 3 == 0 && !key_like(&items[i]))
                    .collect();
                let texts = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
                    (0..items.len())
                        .filter(|&i| keep(i))
                        .map(|i| input_text(&items[i]))
                        .collect()
                };
                assert_eq!(
                    link_urls(&items, &resolved, minimal, revision),
                    (
                        links_url("/go", &texts(&|i| resolved.contains(&i)), minimal, revision),
                        links_url("/", &texts(&|i| !key_like(&items[i])), minimal, revision)
                    )
                );
                // As the server answers (compared with `links_url` by
                // `answer`), with the catalog's texts copied encoded.
                let base = LinkBase::default();
                let compact =
                    CompactReport::build(&catalog, &base, &items, ResolveOptions::default());
                assert!(compact.resolution.found.iter().any(|found| {
                    catalog_input(&catalog, found, &items[found.index]).is_some()
                }));
                answer(&catalog, &items, minimal, revision);
            }
        }
    }

    #[test]
    fn bodies_read_as_from_slice_reads_them() {
        let bodies = [
            r#"{"operations":["get_profiles","GET /api/lists?include=tags","\u00e9\"\n"]}"#,
            r#"{"operations":["get_profiles",{"operation":"get_events","include":["metric"]}],"minimal":true}"#,
            r#"{"operations":[],"partial":true,"revision":"2026-07-15"}"#,
            r#"{"operations":[1]}"#,
            r#"{"operations":[null,"a"]}"#,
            r#"{"operations":[{"operation":"x","extra":1}]}"#,
            r#"{"operations":["a"],"unknown":1}"#,
            r#"{"operations":["a"],"minimal":"yes"}"#,
            r#"{"operations":"a"}"#,
            r#"{"minimal":true}"#,
            r#"{"operations":["a"],"operations":["b"]}"#,
            r#"{"operations":["a"]"#,
            r#"[]"#,
            "",
            "{\"operations\": [\"GET /api/profiles/{id}?include=lists\", \"get_events\"], \"minimal\": false}",
            " \t\r\n{ \"operations\" :\n[ \"a\" ,\"b\" ] , \"partial\" : true , \"revision\" : null } \n",
            r#"{"revision":"2026-07-15.pre","minimal":true,"partial":false,"operations":["a"]}"#,
            r#"{"operations":[],"revision":""}"#,
            r#"{"operations":["a\/b","\\"]}"#,
            "{\"operations\":[\"a\tb\"]}",
            r#"{"operat\u0069ons":["a"]}"#,
            r#"{"operations":["a"],"minimal":true,"minimal":false}"#,
            r#"{"operations":["a"],"revision":"x","revision":"y"}"#,
            r#"{"operations":["a"],"minimal":null}"#,
            r#"{"operations":["a"],"minimal":truex}"#,
            r#"{"operations":["a"],"minimal":tru}"#,
            r#"{"operations":["a"],"revision":nul}"#,
            r#"{"operations":["a"],"revision":7}"#,
            r#"{"operations":["a",]}"#,
            r#"{"operations":[,"a"]}"#,
            r#"{"operations":["a"],}"#,
            r#"{"operations":["a"]}x"#,
            r#"{"operations":["a"]}}"#,
            r#"{"operations":["a" "b"]}"#,
            r#"{"operations":["a"] "minimal":true}"#,
            r#"{"operations":["unterminated]}"#,
            r#"{"operations":["é☃"],"revision":"é"}"#,
            r#"{}"#,
            r#"{"#,
            r#"{"operations":["#,
        ];
        // Bodies that are not UTF-8 are read by `from_slice` itself.
        let not_utf8: [&[u8]; 3] = [
            b"{\"operations\":[\"\xff\"]}",
            b"{\"operations\":[\"get_profiles\"],\"revision\":\"\xc3\"}",
            b"\xef\xbb\xbf{\"operations\":[\"a\"]}\xff",
        ];
        for body in bodies.iter().map(|body| body.as_bytes()).chain(not_utf8) {
            let read = LinksRequest::from_json(body).map_err(|e| e.to_string());
            let sliced = serde_json::from_slice::<LinksRequest>(body).map_err(|e| e.to_string());
            let body = String::from_utf8_lossy(body);
            match (read, sliced) {
                (Ok(read), Ok(sliced)) => {
                    assert_eq!(read.operations, sliced.operations, "{body}");
                    assert_eq!(
                        (read.minimal, read.partial, read.revision),
                        (sliced.minimal, sliced.partial, sliced.revision),
                        "{body}"
                    );
                }
                (read, sliced) => assert_eq!(read.err(), sliced.err(), "{body}"),
            }
        }
    }
}

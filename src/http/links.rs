//! `POST /v1/links`, `GET /v1/links` and the `GET /go` redirect: the link
//! for a list of operations, as JSON or as a 302 to Klaviyo's page.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::answer_cache::{Answer, Endpoint};
use super::error::{ApiError, Problem, PROBLEM_JSON};
use super::{etag_of, if_none_match, AppState};
use crate::link::LinkReport;
use crate::resolve::{ErrorCode, InputItem, ItemError, ResolveOptions};
use crate::web::{page_html, PAGE_CSP};

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

/// A link answer: the report, and the two URLs that reproduce it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkAnswer {
    #[serde(flatten)]
    pub report: LinkReport,
    /// The relative `/go` URL for the inputs that resolved, in input order, with
    /// `minimal` and `revision` as asked: a docs link that redirects to this link.
    #[schema(example = "/go?op=get_profiles&op=POST+%2Fapi%2Flists")]
    pub go_url: String,
    /// The relative builder-page URL for every input that is not key-like
    /// (resolved or not), so that opening it shows this answer, errors included.
    #[schema(example = "/?op=get_profiles&op=get_profils")]
    pub page_url: String,
}

impl LinkAnswer {
    /// The answer for `items` as resolved into `report`.
    pub fn new(report: LinkReport, items: &[InputItem], revision: Option<&str>) -> LinkAnswer {
        let resolved = report
            .operations
            .iter()
            .filter_map(|operation| items.get(operation.index));
        let minimal = report.minimal;
        LinkAnswer {
            go_url: links_url("/go", &input_texts(resolved), minimal, revision),
            page_url: links_url("/", &input_texts(items.iter()), minimal, revision),
            report,
        }
    }
}

/// Each input as one `op=` text (`operation?include=a,b` for a structured one),
/// leaving out any that holds something key-like.
fn input_texts<'a>(items: impl Iterator<Item = &'a InputItem>) -> Vec<String> {
    items
        .filter(|item| !item.texts().any(crate::secret::contains_private_key))
        .map(input_text)
        .collect()
}

/// An input as the one text `op=` takes.
pub fn input_text(item: &InputItem) -> String {
    match item {
        InputItem::Text(text) => text.clone(),
        InputItem::Structured(input) if input.include.is_empty() => input.operation.clone(),
        InputItem::Structured(input) => {
            let separator = if input.operation.contains('?') {
                '&'
            } else {
                '?'
            };
            format!(
                "{}{separator}include={}",
                input.operation,
                input.include.join(",")
            )
        }
    }
}

/// `path?op=…&op=…[&minimal=true][&revision=…]`: `minimal` only when set,
/// `revision` only when one was named.
pub fn links_url(path: &str, ops: &[String], minimal: bool, revision: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = ops.iter().map(|op| ("op", op.as_str())).collect();
    if minimal {
        pairs.push(("minimal", "true"));
    }
    if let Some(revision) = revision.filter(|r| !r.trim().is_empty()) {
        pairs.push(("revision", revision));
    }
    let query = serde_urlencoded::to_string(&pairs).expect("string pairs always encode");
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Query parameters of `GET /v1/links` and `GET /go`.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// An input, in any accepted text form; repeat for more.
    #[param(rename = "op", example = json!(["get_profiles"]), min_items = 1, explode = true, style = Form)]
    pub op: Vec<String>,
    /// `true` for exactly the spec's scopes.
    pub minimal: Option<bool>,
    /// `true` to answer with the inputs that resolved (`GET /v1/links` only).
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

impl LinksQuery {
    /// Reads the query; `op` repeats. Unknown parameters are refused when `strict`.
    fn parse(query: &str, strict: bool) -> Result<LinksQuery, ApiError> {
        let mut parsed = LinksQuery::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "op" => parsed.op.push(value.into_owned()),
                "minimal" => parsed.minimal = Some(parse_bool("minimal", &value)?),
                "partial" => parsed.partial = Some(parse_bool("partial", &value)?),
                "revision" => parsed.revision = Some(value.into_owned()),
                other if strict => {
                    return Err(ApiError::InvalidParameter(format!(
                        "unknown query parameter `{}`; accepted: op (repeatable), minimal, partial, revision",
                        crate::secret::redact(other)
                    )))
                }
                _ => {}
            }
        }
        Ok(parsed)
    }

    fn items(&self) -> Vec<InputItem> {
        self.op
            .iter()
            .map(|op| InputItem::Text(op.clone()))
            .collect()
    }
}

pub(super) fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::InvalidParameter(format!(
            "`{name}` must be true or false, not `{}`",
            crate::secret::redact(value)
        ))),
    }
}

/// Resolves the inputs under the configured limits; the one path every route shares.
pub(super) fn build_report(
    state: &AppState,
    items: &[InputItem],
    minimal: bool,
    revision: Option<&str>,
) -> Result<LinkReport, ApiError> {
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
    };
    Ok(LinkReport::build(
        selected.catalog,
        &state.link_base,
        items,
        options,
    ))
}

/// The JSON answer for a report of `items`: 200, or 422 with the per-input errors unless `partial`.
fn json_answer(
    report: Result<LinkReport, ApiError>,
    items: &[InputItem],
    revision: Option<&str>,
    partial: bool,
    etag: bool,
) -> Answer {
    let report = match report {
        Ok(report) if report.is_complete() || partial => report,
        Ok(report) => {
            let error_codes = report.errors.iter().map(|e| e.code).collect();
            let error = ApiError::Unresolved {
                count: report.errors.len(),
                errors: report.errors,
            };
            return Answer {
                error_codes,
                ..problem_answer(&error)
            };
        }
        Err(error) => return problem_answer(&error),
    };
    let error_codes = report.errors.iter().map(|e| e.code).collect();
    let answer = LinkAnswer::new(report, items, revision);
    let body = Bytes::from(serde_json::to_vec(&answer).unwrap_or_default());
    Answer {
        status: StatusCode::OK,
        content_type: "application/json",
        etag: etag.then(|| etag_of(&body)),
        body,
        location: None,
        link_built: true,
        error_codes,
    }
}

fn problem_answer(error: &ApiError) -> Answer {
    Answer {
        status: error.status_code(),
        content_type: PROBLEM_JSON,
        body: Bytes::from(serde_json::to_vec(&error.problem()).unwrap_or_default()),
        location: None,
        etag: None,
        link_built: false,
        error_codes: Vec::new(),
    }
}

/// Answers that depend only on the request: links and unresolved inputs.
fn deterministic(answer: &Answer) -> bool {
    answer.status == StatusCode::OK
        || answer.status == StatusCode::FOUND
        || answer.status == StatusCode::UNPROCESSABLE_ENTITY
}

/// Sends an answer, counting it in the metrics; GET answers honour `If-None-Match`.
fn send(state: &AppState, request: &HttpRequest, answer: &Answer) -> HttpResponse {
    if answer.link_built {
        state.metrics.record_link();
    }
    state.metrics.record_errors(&answer.error_codes);
    let mut response = HttpResponse::build(answer.status);
    if let Some(location) = &answer.location {
        response.insert_header((header::LOCATION, location.as_str()));
    }
    match &answer.etag {
        Some(etag) => {
            response
                .insert_header((header::ETAG, etag.as_str()))
                .insert_header((header::CACHE_CONTROL, "public, max-age=300"));
            if if_none_match(request, etag) {
                return HttpResponse::NotModified()
                    .insert_header((header::ETAG, etag.as_str()))
                    .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
                    .finish();
            }
        }
        None if answer.status == StatusCode::FOUND => {
            response.insert_header((header::CACHE_CONTROL, "public, max-age=300"));
        }
        None => {
            response.insert_header((header::CACHE_CONTROL, "no-store"));
        }
    }
    if answer.content_type.starts_with("text/html") {
        response.insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP));
    }
    if answer.body.is_empty() {
        return response.finish();
    }
    response
        .content_type(answer.content_type)
        .body(answer.body.clone())
}

/// The media type of a request body, lowercased, without parameters (`application/json`).
pub(super) fn media_type(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// Whether a request body is JSON (`application/json` or `application/*+json`).
pub(super) fn is_json(request: &HttpRequest) -> bool {
    media_type(request).is_some_and(|essence| {
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

/// Build the create-key link for a list of operations.
///
/// Answers with the link, its scopes (also space-separated for OAuth apps),
/// why each scope is needed, what each input matched, and warnings. If any
/// input cannot be resolved it answers 422 with an `errors` entry per failed
/// input, unless `partial` is set.
#[utoipa::path(
    post,
    path = "/v1/links",
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
pub async fn create_link(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: Bytes,
) -> HttpResponse {
    if !is_json(&request) {
        return ApiError::UnsupportedMediaType.error_response();
    }
    let answer = state.answers.get_or_compute(
        Endpoint::PostLinks,
        &body,
        || match serde_json::from_slice::<LinksRequest>(&body) {
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
    send(&state, &request, &answer)
}

/// The problem for a body serde could not read: bad JSON, or the wrong shape.
pub(super) fn body_error(error: &serde_json::Error) -> ApiError {
    let detail = crate::secret::redact(&error.to_string()).into_owned();
    if error.is_data() {
        ApiError::InvalidBody(detail)
    } else {
        ApiError::MalformedJson(detail)
    }
}

/// Build the create-key link from query parameters.
///
/// The same answer as `POST /v1/links`, for clients that can only GET.
/// Answers carry an `ETag` and `Cache-Control`: they depend only on the
/// input and the catalog.
#[utoipa::path(
    get,
    path = "/v1/links",
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
pub async fn get_link(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = request.query_string();
    let answer = state.answers.get_or_compute(
        Endpoint::GetLinks,
        query.as_bytes(),
        || match LinksQuery::parse(query, true) {
            Ok(links) => json_answer(
                build_report(
                    &state,
                    &links.items(),
                    links.minimal.unwrap_or(false),
                    links.revision.as_deref(),
                ),
                &links.items(),
                links.revision.as_deref(),
                links.partial.unwrap_or(false),
                true,
            ),
            Err(error) => problem_answer(&error),
        },
        deterministic,
    );
    send(&state, &request, &answer)
}

/// Redirect to Klaviyo's create-key page with the scopes preselected.
///
/// For links in docs: `/go?op=get_profiles&op=POST%20/api/lists`. The target
/// is always the configured Klaviyo page. Inputs that cannot be resolved get
/// a readable HTML page (422) that says what was wrong and links the fixes.
#[utoipa::path(
    get,
    path = "/go",
    tag = "links",
    operation_id = "redirect_to_link",
    params(LinksQuery),
    responses(
        (status = 302, description = "Redirect to the create-key link", headers(("location" = String, description = "The Klaviyo create-key link"))),
        (status = 400, description = "A bad query parameter", content_type = "text/html", body = String),
        (status = 422, description = "Inputs that could not be resolved", content_type = "text/html", body = String),
    )
)]
pub async fn redirect_to_link(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = request.query_string();
    let answer = state.answers.get_or_compute(
        Endpoint::Go,
        query.as_bytes(),
        || redirect_answer(&state, query),
        deterministic,
    );
    send(&state, &request, &answer)
}

fn redirect_answer(state: &AppState, query: &str) -> Answer {
    let outcome = LinksQuery::parse(query, false).and_then(|links| {
        let report = build_report(
            state,
            &links.items(),
            links.minimal.unwrap_or(false),
            links.revision.as_deref(),
        )?;
        Ok((links, report))
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
            error_page(&error.to_string(), &[], &LinksQuery::default()),
            Vec::new(),
        ),
        Ok((links, report)) if !report.is_complete() => html_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            error_page(
                "Some operations could not be resolved.",
                &report.errors,
                &links,
            ),
            report.errors.iter().map(|e| e.code).collect(),
        ),
        Ok((_, report)) => Answer {
            status: StatusCode::FOUND,
            content_type: "text/plain",
            body: Bytes::new(),
            location: Some(report.url),
            etag: None,
            link_built: true,
            error_codes: Vec::new(),
        },
    }
}

/// The HTML page people land on from a broken docs link.
fn error_page(summary: &str, errors: &[ItemError], query: &LinksQuery) -> String {
    let minimal = query.minimal == Some(true);
    let mut body = String::new();
    body.push_str(&format!("<p>{}</p>", escape(summary)));
    if !errors.is_empty() {
        body.push_str("<ul class=\"errors\">");
        for error in errors {
            let shown = match &error.input {
                InputItem::Text(text) => text.clone(),
                other => serde_json::to_string(other).unwrap_or_default(),
            };
            body.push_str(&format!(
                "<li><code>{}</code>: {} <small>({})</small>",
                escape(&shown),
                escape(&error.detail),
                error.code.as_str()
            ));
            if !error.suggestions.is_empty() {
                body.push_str("<br>Did you mean: ");
                let fixes: Vec<String> = error
                    .suggestions
                    .iter()
                    .filter_map(|s| match &s.replacement {
                        InputItem::Text(text) => Some(text.clone()),
                        InputItem::Structured(_) => None,
                    })
                    .map(|fix| {
                        let mut ops = query.op.clone();
                        if let Some(slot) = ops.get_mut(error.index) {
                            *slot = fix.clone();
                        }
                        let ops = without_keys(ops);
                        format!(
                            "<a href=\"{}\"><code>{}</code></a>",
                            escape(&links_url("/go", &ops, minimal, query.revision.as_deref())),
                            escape(&fix)
                        )
                    })
                    .collect();
                body.push_str(&fixes.join(" or "));
            }
            body.push_str("</li>");
        }
        body.push_str("</ul>");
    }
    // The page takes the same `op` list, so people land there with their inputs and the fixes.
    let page = links_url(
        "/",
        &without_keys(query.op.clone()),
        minimal,
        query.revision.as_deref(),
    );
    body.push_str(&format!(
        "<p><a href=\"{}\">Open these inputs on the Scopelink page</a> · <a href=\"/docs/\">API docs</a></p>",
        escape(&page)
    ));
    page_html("This link could not be built", &body)
}

/// The inputs minus any that hold something key-like: a key is never echoed, not even in a link.
fn without_keys(ops: Vec<String>) -> Vec<String> {
    ops.into_iter()
        .filter(|op| !crate::secret::contains_private_key(op))
        .collect()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
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

    /// What `GET /go` reads from a `go_url`: the same report.
    fn reread(catalog: &Catalog, url: &str) -> LinkReport {
        let query = url.split_once('?').map_or("", |(_, query)| query);
        let links = LinksQuery::parse(query, true).unwrap();
        report(catalog, &links.items(), links.minimal == Some(true))
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
                let original = report(&catalog, &items, minimal);
                assert!(original.is_complete(), "{}", operation.operation_id);
                let answer = LinkAnswer::new(original.clone(), &items, None);
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
        let answer = LinkAnswer::new(report(&catalog, &items, false), &items, Some("2026-07-15"));
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
}

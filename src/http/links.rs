//! `POST /v1/links`, `GET /v1/links` and the `GET /go` redirect: the link
//! for a list of operations, as JSON or as a 302 to Klaviyo's page.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Problem};
use super::page::{html, page_html};
use super::{cached_json, AppState};
use crate::link::LinkReport;
use crate::resolve::{InputItem, ItemError, ResolveOptions};

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
    #[schema(value_type = Vec<Object>)]
    pub operations: Vec<InputItem>,
    /// Exactly the spec's scopes, without `x:read` added for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// Answer 200 with the link for the inputs that resolved, plus `errors`.
    #[serde(default)]
    pub partial: bool,
}

/// Query parameters of `GET /v1/links` and `GET /go`.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// An input, in any accepted text form; repeat for more.
    #[param(rename = "op", example = "get_profiles")]
    pub op: Vec<String>,
    /// `true` for exactly the spec's scopes.
    pub minimal: Option<bool>,
    /// `true` to answer with the inputs that resolved (`GET /v1/links` only).
    pub partial: Option<bool>,
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
                other if strict => {
                    return Err(ApiError::InvalidParameter(format!(
                        "unknown query parameter `{}`; accepted: op (repeatable), minimal, partial",
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
fn build_report(
    state: &AppState,
    items: &[InputItem],
    minimal: bool,
) -> Result<LinkReport, ApiError> {
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
    };
    let report = LinkReport::build(&state.catalog, &state.link_base, items, options);
    state.metrics.record_errors(&report.errors);
    Ok(report)
}

/// The report, or 422 with the per-input errors unless `partial`.
fn complete_or_unresolved(
    state: &AppState,
    report: LinkReport,
    partial: bool,
) -> Result<LinkReport, ApiError> {
    if !report.is_complete() && !partial {
        return Err(ApiError::Unresolved {
            count: report.errors.len(),
            errors: report.errors,
        });
    }
    state.metrics.record_link();
    Ok(report)
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
        (status = 200, description = "The link and why each scope is in it", body = LinkReport),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inputs that could not be resolved, or over a limit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_link(
    state: web::Data<AppState>,
    body: web::Json<LinksRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let report = build_report(&state, &request.operations, request.minimal)?;
    let report = complete_or_unresolved(&state, report, request.partial)?;
    Ok(HttpResponse::Ok().json(report))
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
        (status = 200, description = "The link and why each scope is in it", body = LinkReport),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inputs that could not be resolved, or over a limit", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_link(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = LinksQuery::parse(request.query_string(), true)?;
    let report = build_report(&state, &query.items(), query.minimal.unwrap_or(false))?;
    let report = complete_or_unresolved(&state, report, query.partial.unwrap_or(false))?;
    Ok(cached_json(&request, &report))
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
    let outcome = LinksQuery::parse(request.query_string(), false).and_then(|query| {
        let report = build_report(&state, &query.items(), query.minimal.unwrap_or(false))?;
        Ok((query, report))
    });
    let (query, report) = match outcome {
        Ok(found) => found,
        Err(error) => {
            return error_page(
                &error.to_string(),
                &[],
                &LinksQuery::default(),
                error_status(&error),
            )
        }
    };
    if !report.is_complete() {
        return error_page(
            "Some operations could not be resolved.",
            &report.errors,
            &query,
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    state.metrics.record_link();
    HttpResponse::Found()
        .insert_header((header::LOCATION, report.url))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .finish()
}

fn error_status(error: &ApiError) -> actix_web::http::StatusCode {
    use actix_web::ResponseError;
    error.status_code()
}

/// The HTML page people land on from a broken docs link.
fn error_page(
    summary: &str,
    errors: &[ItemError],
    query: &LinksQuery,
    status: actix_web::http::StatusCode,
) -> HttpResponse {
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
                        format!(
                            "<a href=\"{}\"><code>{}</code></a>",
                            escape(&go_href(&ops, query.minimal)),
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
    body.push_str("<p><a href=\"/\">Build a link on the Scopelink page</a> · <a href=\"/docs/\">API docs</a></p>");
    html(status, page_html("This link could not be built", &body))
}

/// `/go?op=…&op=…` for a list of inputs.
pub fn go_href(ops: &[String], minimal: Option<bool>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for op in ops {
        query.append_pair("op", op);
    }
    if minimal == Some(true) {
        query.append_pair("minimal", "true");
    }
    format!("/go?{}", query.finish())
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

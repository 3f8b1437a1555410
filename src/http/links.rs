//! `POST /v1/links`, `GET /v1/links` and the `GET /go` redirect: the link
//! for a list of operations, as JSON or as a 302 to Klaviyo's page.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};

use super::answer_cache::{Answer, Endpoint};
use super::error::{ApiError, Problem};
use super::extract::{body_error, is_json, Query};
use super::link_answer::{answer_json, LinkAnswer};
use super::link_request::{items, GoQuery, LinksQuery, LinksRequest};
use super::respond::{etag_of, problem_answer, send};
use super::AppState;
use crate::link::CompactReport;
use crate::resolve::{ErrorCode, InputItem, ResolveOptions};
use crate::web::html::{go_error_page, GoInputs};

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

//! How answers go out, written once: JSON that is never cached, JSON that
//! depends only on the request and the catalog (a strong `ETag`, and the one
//! `If-None-Match` check, with the weak comparison RFC 9110 §13.1.2 asks of
//! it), and the stored answers of the link routes.

use std::hash::{Hash, Hasher};

use actix_web::http::header::{self, EntityTag, Header, HeaderValue, IfNoneMatch};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use super::answer_cache::Answer;
use super::error::{ApiError, PROBLEM_JSON};
use super::AppState;
use crate::web::PAGE_CSP;

/// `Cache-Control` of answers that depend only on the request and the catalog.
const CACHEABLE: &str = "public, max-age=300";

/// A JSON answer that must not be stored (it may echo what was sent).
pub fn json(value: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(|_| ApiError::Internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/json")
        .body(body))
}

/// A cacheable JSON answer: it depends only on the input and the catalog.
pub fn cached_json(
    request: &HttpRequest,
    value: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(|_| ApiError::Internal)?;
    Ok(cached_body(request, "application/json", body))
}

/// Adds a strong `ETag` from the body and `Cache-Control`; answers 304 to a matching `If-None-Match`.
pub fn cached_body(request: &HttpRequest, content_type: &str, body: Vec<u8>) -> HttpResponse {
    let etag = etag_of(&body);
    if not_modified(request, &etag) {
        return not_modified_response(&etag);
    }
    HttpResponse::Ok()
        .insert_header(header::ETag(etag))
        .insert_header((header::CACHE_CONTROL, CACHEABLE))
        .content_type(content_type)
        .body(body)
}

/// A strong entity tag: a hash of the body and its length.
pub fn etag_of(body: &[u8]) -> EntityTag {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    EntityTag::new_strong(format!("{:016x}{:08x}", hasher.finish(), body.len()))
}

/// Whether the request's `If-None-Match` is `*` or names this tag, weak or
/// strong: `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2).
pub fn not_modified(request: &HttpRequest, etag: &EntityTag) -> bool {
    match IfNoneMatch::parse(request) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(etag)),
        Err(_) => false,
    }
}

fn not_modified_response(etag: &EntityTag) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header(header::ETag(etag.clone()))
        .insert_header((header::CACHE_CONTROL, CACHEABLE))
        .finish()
}

/// A problem, stored as an answer of the link routes.
pub fn problem_answer(error: &ApiError) -> Answer {
    Answer {
        status: error.status_code(),
        content_type: PROBLEM_JSON,
        body: Bytes::from(error.problem_json()),
        location: None,
        etag: None,
        link_built: false,
        error_codes: Vec::new(),
    }
}

/// Sends a stored answer, counting it in the metrics; those with an `ETag`
/// honour `If-None-Match`.
pub fn send(state: &AppState, request: &HttpRequest, answer: &Answer) -> HttpResponse {
    if answer.link_built {
        state.metrics.record_link();
    }
    state.metrics.record_errors(&answer.error_codes);
    if let Some(etag) = answer
        .etag
        .as_deref()
        .and_then(|e| e.parse::<EntityTag>().ok())
    {
        if not_modified(request, &etag) {
            return not_modified_response(&etag);
        }
    }
    let mut response = HttpResponse::build(answer.status);
    if let Some(location) = &answer.location {
        response.insert_header((header::LOCATION, location.as_str()));
    }
    let cache_control = if answer.etag.is_some() || answer.status == StatusCode::FOUND {
        CACHEABLE
    } else {
        "no-store"
    };
    if let Some(etag) = &answer.etag {
        response.insert_header((header::ETAG, etag.as_str()));
    }
    // Static values are neither validated as text nor copied, as `&str` ones are.
    response.insert_header((
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    ));
    if answer.content_type.starts_with("text/html") {
        response.insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ));
    }
    if answer.body.is_empty() {
        return response.finish();
    }
    response
        .content_type(HeaderValue::from_static(answer.content_type))
        .body(answer.body.clone())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_none_match_compares_weakly() {
        let etag = etag_of(b"{}");
        let tag = etag.tag().to_owned();
        for (sent, matches) in [
            (format!("\"{tag}\""), true),
            (format!("W/\"{tag}\""), true),
            (format!("\"other\", W/\"{tag}\""), true),
            ("*".to_owned(), true),
            ("\"other\"".to_owned(), false),
            (tag.clone(), false),
        ] {
            let request = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, sent.as_str()))
                .to_http_request();
            assert_eq!(not_modified(&request, &etag), matches, "{sent}");
        }
        assert!(!not_modified(
            &TestRequest::default().to_http_request(),
            &etag
        ));
    }
}

//! Serves the link-builder page at `/` and its assets (`web`), under the
//! page's content security policy; any method but `GET` and `HEAD` is a 405.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::error::ApiError;
use crate::web::{self as page, PAGE_CSP};

/// An HTML answer with the page policy.
fn html(status: StatusCode, document: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(document)
}

/// `GET /assets/{name}`: an embedded asset, or 404.
async fn asset(
    request: HttpRequest,
    name: actix_web::web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (content_type, body) = page::asset(&name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "{} {}",
            request.method(),
            crate::secret::redact(request.path())
        ))
    })?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body))
}

/// `GET /`: the link builder.
async fn index() -> HttpResponse {
    html(StatusCode::OK, page::index_html())
}

/// Any method but `GET` and `HEAD`: a 405 naming them.
async fn get_or_head_only(request: HttpRequest) -> ApiError {
    ApiError::MethodNotAllowed {
        method: request.method().to_string(),
        allowed: "GET, HEAD".to_owned(),
    }
}

/// Registers the page and its assets.
pub fn configure(config: &mut actix_web::web::ServiceConfig) {
    use actix_web::web::{get, head, resource, route};
    config
        .service(
            resource("/")
                .route(get().to(index))
                .route(head().to(index))
                .default_service(route().to(get_or_head_only)),
        )
        .service(
            resource("/assets/{name}")
                .route(get().to(asset))
                .route(head().to(asset))
                .default_service(route().to(get_or_head_only)),
        );
}

//! The HTML side: the shared page shell and the embedded static assets.
//! Everything is compiled into the binary, so pages work offline.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::links::escape;

/// A strict policy for our HTML: only our own scripts, styles and API.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STYLE_CSS: &str = include_str!("assets/style.css");

/// A whole HTML document around a body fragment.
pub fn page_html(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Scopelink</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\
<body><header class=\"site\"><a href=\"/\" class=\"brand\">Scopelink</a></header><main><h1>{title}</h1>{body}</main></body></html>\n",
        title = escape(title)
    )
}

/// An HTML answer with the page policy.
pub fn html(status: actix_web::http::StatusCode, document: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(document)
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

pub async fn style_css() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

pub fn configure(config: &mut web::ServiceConfig) {
    config.route("/assets/style.css", web::get().to(style_css));
}

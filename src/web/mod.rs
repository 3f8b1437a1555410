//! The HTML side: the link-builder page at `/`, the shared page shell and the
//! embedded static assets. Everything is compiled into the binary, so pages
//! work offline, and the page runs under [`PAGE_CSP`]: no inline scripts or
//! styles, only `/assets/*` and the JSON API on the same origin.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::http::links::escape;

/// A strict policy for our HTML: only our own scripts, styles and API.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STYLE_CSS: &str = include_str!("assets/style.css");
const APP_JS: &str = include_str!("assets/app.js");
const FAVICON_SVG: &str = include_str!("assets/favicon.svg");
/// The builder's markup: a body fragment for [`page_html`]; `app.js` fills it.
const INDEX_BODY: &str = include_str!("assets/index.html");

/// The title (and `<h1>`) of the page at `/`.
const INDEX_TITLE: &str = "Build a Klaviyo API key link";

/// A whole HTML document around a body fragment.
pub fn page_html(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Scopelink</title><link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\
<link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\
<body><header class=\"site\"><a href=\"/\" class=\"brand\">Scopelink</a></header><main><h1>{title}</h1>{body}</main></body></html>\n",
        title = escape(title)
    )
}

/// An HTML answer with the page policy.
pub fn html(status: StatusCode, document: String) -> HttpResponse {
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

pub async fn app_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

pub async fn favicon_svg() -> HttpResponse {
    asset("image/svg+xml", FAVICON_SVG)
}

/// `GET /`: the link builder. Its state lives in the query (`?op=…&minimal=true`),
/// which only the script reads, so the HTML is the same for every URL.
pub async fn index() -> HttpResponse {
    html(StatusCode::OK, page_html(INDEX_TITLE, INDEX_BODY))
}

/// `GET` (and `HEAD`) only, for the page and each asset.
fn get_only<F>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<(), Output = HttpResponse>,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(crate::http::only("GET, HEAD"))
}

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(get_only("/", index))
        .service(get_only("/assets/style.css", style_css))
        .service(get_only("/assets/app.js", app_js))
        .service(get_only("/assets/favicon.svg", favicon_svg));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_script_and_style() {
        let page = page_html(INDEX_TITLE, INDEX_BODY);
        assert!(page.contains("<script type=\"module\" src=\"/assets/app.js\"></script>"));
        assert!(page.contains("href=\"/assets/style.css\""));
        // The policy forbids inline code and inline styles: none may be in the markup.
        assert!(!page.contains("style="), "no inline style attributes");
        assert!(!page.contains("<style"), "no inline style elements");
        assert!(
            !has_event_handler_attribute(&page),
            "no inline event handlers"
        );
        assert_eq!(page.matches("<script").count(), 1);
        assert!(!INDEX_BODY.contains("http://") && !INDEX_BODY.contains("https://"));
        assert!(!APP_JS.contains("http://") && !APP_JS.contains("https://"));
    }

    #[test]
    fn every_form_control_of_the_page_has_a_label() {
        let mut controls = 0;
        for tag in ["<input", "<select", "<textarea"] {
            for (at, _) in INDEX_BODY.match_indices(tag) {
                let element = &INDEX_BODY[at..at + INDEX_BODY[at..].find('>').unwrap()];
                // Radio buttons sit inside their label.
                if element.contains("type=\"radio\"") {
                    continue;
                }
                let id = attribute_value(element, "id").expect("every control has an id");
                let labelled = INDEX_BODY.contains(&format!("<label for=\"{id}\""))
                    || INDEX_BODY.contains(&format!(" for=\"{id}\">"))
                    || element.contains("aria-label=");
                assert!(labelled, "`{id}` has no label");
                controls += 1;
            }
        }
        // The builder, the revision, traffic, the OAuth app and the audit.
        assert!(controls >= 11, "{controls} controls");
        for section in ["traffic", "oauth", "audit"] {
            let labelled = format!("id=\"{section}\" aria-labelledby=\"{section}-heading\"");
            assert!(
                INDEX_BODY.contains(&labelled),
                "the {section} section is labelled by its heading"
            );
        }
    }

    fn attribute_value<'a>(element: &'a str, name: &str) -> Option<&'a str> {
        let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = element[start..].find('"')?;
        Some(&element[start..start + len])
    }

    /// ` onclick=`, ` oninput=`…: an attribute name starting with `on`.
    fn has_event_handler_attribute(page: &str) -> bool {
        page.match_indices(" on").any(|(at, _)| {
            let rest = &page[at + 3..];
            let name_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            name_len > 0 && rest[name_len..].starts_with('=')
        })
    }
}

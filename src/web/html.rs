//! The HTML Scopelink writes itself: the page shell every page shares, text
//! escaping, the builder-page and `/go` URLs, and the page people land on
//! from a `/go` docs link that cannot be built. All of it runs under
//! [`PAGE_CSP`].

use crate::link::links_url;
use crate::resolve::{InputItem, ItemError};

/// A strict policy for our HTML: only our own scripts (ES modules too), styles and API.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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

/// The inputs of a `/go` link, to rebuild it with fixes.
#[derive(Debug, Default)]
pub struct GoInputs<'a> {
    pub ops: &'a [String],
    pub minimal: bool,
    pub revision: Option<&'a str>,
}

/// The HTML page people land on from a broken docs link: what was wrong,
/// `/go` links with each fix applied, and the builder page with the inputs.
pub fn go_error_page(summary: &str, errors: &[ItemError], inputs: &GoInputs<'_>) -> String {
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
                        let mut ops = inputs.ops.to_vec();
                        if let Some(slot) = ops.get_mut(error.index) {
                            *slot = fix.clone();
                        }
                        let ops = without_keys(ops);
                        format!(
                            "<a href=\"{}\"><code>{}</code></a>",
                            escape(&links_url("/go", &ops, inputs.minimal, inputs.revision)),
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
        &without_keys(inputs.ops.to_vec()),
        inputs.minimal,
        inputs.revision,
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
        .filter(|op| !crate::resolve::is_key_like_text(op))
        .collect()
}

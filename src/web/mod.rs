//! The link-builder page at `/` and its static assets, compiled into the
//! binary so pages work offline (`http::page` serves them). The page runs under [`PAGE_CSP`]: no inline
//! scripts or styles, only `/assets/*` (ES modules included) and the JSON API
//! on the same origin. [`html`] holds the HTML the server writes itself.

pub mod html;

pub use html::{escape, page_html, PAGE_CSP};

/// The builder's markup: a body fragment for [`page_html`]; the scripts fill it.
const INDEX_BODY: &str = include_str!("assets/index.html");

/// The title (and `<h1>`) of the page at `/`.
const INDEX_TITLE: &str = "Build a Klaviyo API key link";

/// Every file of `assets/` but `index.html`, served at `/assets/<name>`:
/// a new file needs one line here (a test checks none is missing).
macro_rules! assets {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("assets/", $name)))),*]
    };
}
const ASSETS: &[(&str, &str)] = assets![
    "api.js",
    "app.js",
    "audit.js",
    "builder.js",
    "catalog.js",
    "copy.js",
    "dom.js",
    "favicon.svg",
    "inputs.js",
    "oauth.js",
    "render.js",
    "revisions.js",
    "search.js",
    "source.js",
    "state.js",
    "style.css",
    "traffic.js",
];

/// The content type of an asset, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An embedded asset by name: its content type and body.
pub fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(asset, _)| *asset == name)
        .map(|(name, body)| (content_type(name), *body))
}

/// The link builder at `/`. Its state lives in the query (`?op=…&minimal=true`),
/// which only the script reads, so the HTML is the same for every URL.
pub fn index_html() -> String {
    page_html(INDEX_TITLE, INDEX_BODY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_script_and_style() {
        let page = page_html(INDEX_TITLE, INDEX_BODY);
        let script = &page[page.find("<script").expect("a script")..];
        let script = &script[..script.find('>').unwrap()];
        assert!(script.contains(" src=\"/assets/app.js\""), "{script}");
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
        for (name, body) in ASSETS.iter().filter(|(name, _)| name.ends_with(".js")) {
            assert!(
                !body.contains("http://") && !body.contains("https://"),
                "{name}"
            );
        }
    }

    #[test]
    fn every_file_of_the_assets_folder_is_served() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/assets");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name != "index.html")
            .collect();
        files.sort();
        let mut served: Vec<&str> = ASSETS.iter().map(|(name, _)| *name).collect();
        served.sort();
        assert_eq!(
            files, served,
            "add the new file to `assets!` in src/web/mod.rs"
        );
        for name in served {
            assert_ne!(content_type(name), "application/octet-stream", "{name}");
        }
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

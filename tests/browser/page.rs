//! Building a link by hand on `/`: search and pick, includes, the mode, a
//! pasted typo fixed with one click, copying, and the state in the URL.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::webdriver::{keys, Browser, WAIT};

pub(crate) const DESKTOP: (u32, u32) = (1280, 900);
pub(crate) const PHONE: (u32, u32) = (390, 844);
const MARKDOWN_TEXT: &str = "Create a Klaviyo private API key";

/// `POST /v1/links` for text inputs, as the page sends it.
pub(crate) fn link_report(app: &TestApp, items: &[String], minimal: bool) -> Value {
    let response =
        app.post_links(&json!({ "operations": items, "minimal": minimal, "partial": true }));
    assert_eq!(response.status().as_u16(), 200, "POST /v1/links");
    response.json().unwrap()
}

pub(crate) fn link(app: &TestApp, items: &[String], minimal: bool) -> String {
    link_report(app, items, minimal)["url"]
        .as_str()
        .expect("a url")
        .to_owned()
}

pub(crate) fn screenshots_dir() -> PathBuf {
    let dir = std::env::var_os("SCOPELINK_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"));
    std::fs::create_dir_all(&dir).expect("the screenshot directory can be created");
    dir
}

/// What the page shows, read in one script.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shown {
    /// `ready` once the answer for the current inputs is in.
    pub(crate) state: String,
    pub(crate) items: Vec<String>,
    /// Items still being checked, or with an error.
    pub(crate) pending: usize,
    pub(crate) errors: usize,
    /// The link shown, or "" when there is none.
    pub(crate) link: String,
    pub(crate) minimal: bool,
}

const READ_PAGE: &str = r#"
const app = document.getElementById('app');
const box = document.getElementById('link-box');
return {
  state: app.dataset.state || '',
  catalog: app.dataset.catalog || '',
  items: [...document.querySelectorAll('#items .item-input')].map((c) => c.textContent),
  pending: document.querySelectorAll('#items .item.pending').length,
  errors: document.querySelectorAll('#items .item.has-error').length,
  link: box.hidden ? '' : document.getElementById('link-url').textContent,
  minimal: document.getElementById('mode-minimal').checked,
};
"#;

pub(crate) fn shown(browser: &Browser) -> Shown {
    let value = browser.execute(READ_PAGE, vec![]);
    let strings = |key: &str| -> Vec<String> {
        value[key]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| item.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    Shown {
        state: value["state"].as_str().unwrap_or_default().to_owned(),
        items: strings("items"),
        pending: value["pending"].as_u64().unwrap_or(0) as usize,
        errors: value["errors"].as_u64().unwrap_or(0) as usize,
        link: value["link"].as_str().unwrap_or_default().to_owned(),
        minimal: value["minimal"].as_bool().unwrap_or(false),
    }
}

/// Waits until the page has the answer for exactly `items` and `check` holds.
pub(crate) fn settled(
    browser: &Browser,
    items: &[String],
    check: impl Fn(&Shown) -> bool,
) -> Shown {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = shown(browser);
        if now.state == "ready" && now.pending == 0 && now.items == items && check(&now) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?} waiting for the page to show {items:?}; it shows {now:#?}"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
}

pub(crate) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn option_ids(browser: &Browser) -> Vec<String> {
    browser
        .execute(
            "return [...document.querySelectorAll('#search-results [role=option]')].map((o) => o.dataset.operation);",
            vec![],
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|id| id.as_str().unwrap_or_default().to_owned())
        .collect()
}

pub(crate) fn attribute(browser: &Browser, css: &str, name: &str) -> Value {
    browser.execute(
        "const node = document.querySelector(arguments[0]); return node ? node.getAttribute(arguments[1]) : null;",
        vec![json!(css), json!(name)],
    )
}

/// A string field of an API answer.
pub(crate) fn str_at<'a>(answer: &'a Value, key: &str) -> &'a str {
    answer[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string `{key}` in {answer}"))
}

/// The page's address, as the browser has it.
pub(crate) fn page_address(browser: &Browser) -> String {
    browser
        .execute("return window.location.href;", vec![])
        .as_str()
        .expect("a URL")
        .to_owned()
}

/// The decoded values of one query parameter of a URL.
pub(crate) fn query_values(address: &str, name: &str) -> Vec<String> {
    url::Url::parse(address)
        .expect("an absolute URL")
        .query_pairs()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// What the page copied last, read from the real clipboard.
pub(crate) fn clipboard(browser: &Browser) -> Value {
    browser.execute_async(
        "const done = arguments[arguments.length - 1];\
         navigator.clipboard.readText().then(done, (e) => done('clipboard error: ' + e));",
        vec![],
    )
}

pub(crate) fn checked(browser: &Browser, css: &str) -> bool {
    browser.execute(
        "const node = document.querySelector(arguments[0]); return Boolean(node && node.checked);",
        vec![json!(css)],
    ) == json!(true)
}

/// Console errors: a CSP violation or a script error shows up here.
pub(crate) fn assert_clean_console(browser: &Browser) {
    let severe: Vec<Value> = browser
        .console_log()
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .collect();
    assert!(severe.is_empty(), "browser console errors: {severe:#?}");
}

pub(crate) fn emulate(browser: &Browser, (width, height): (u32, u32), mobile: bool) {
    browser.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
    );
}

/// Screenshots of the viewport and of the whole page at one size.
pub(crate) fn screenshots(
    browser: &Browser,
    name: &str,
    (width, height): (u32, u32),
) -> Vec<PathBuf> {
    let dir = screenshots_dir();
    let viewport = dir.join(format!("{name}-{width}x{height}.png"));
    let full = dir.join(format!("{name}-{width}-full.png"));
    browser.execute("window.scrollTo(0, 0);", vec![]);
    browser.screenshot(&viewport);
    browser.full_page_screenshot(&full);
    vec![viewport, full]
}

/// The page never scrolls sideways.
pub(crate) fn assert_fits(browser: &Browser, width: u32) {
    let scroll_width = browser
        .execute("return document.documentElement.scrollWidth;", vec![])
        .as_u64()
        .unwrap_or(u64::MAX);
    assert!(
        scroll_width <= u64::from(width),
        "the page is {scroll_width}px wide at a {width}px viewport"
    );
}

pub(crate) fn open_page(app: &TestApp, browser: &Browser, path: &str) {
    browser.goto(&format!("{}{path}", app.address));
    browser.wait_for("the operation list to load", || {
        let value = browser.execute(
            "const app = document.getElementById('app');\
             return app ? app.dataset.catalog || '' : 'missing';",
            vec![],
        );
        match value.as_str() {
            Some("ready") => Some(()),
            Some("failed") => panic!("the page could not load GET /v1/operations"),
            Some("missing") => panic!(
                "{path} is not the builder page: {}",
                browser.execute(
                    "return document.documentElement.outerHTML.slice(0, 2000);",
                    vec![]
                )
            ),
            _ => None,
        }
    });
}

#[test]
fn the_page_and_its_assets_are_served_under_the_strict_policy() {
    let app = spawn_app();
    let page = app.get("/?op=get_profiles");
    assert_eq!(page.status().as_u16(), 200);
    let header = |response: &reqwest::blocking::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    let csp = header(&page, "content-security-policy");
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().unwrap();
    assert!(html.contains("<script type=\"module\" src=\"/assets/app.js\"></script>"));
    assert!(!html.contains("style=\""), "no inline styles");

    let style = app.get("/assets/style.css");
    assert_eq!(style.status().as_u16(), 200);
    assert_eq!(header(&style, "content-type"), "text/css; charset=utf-8");
    assert!(!style.text().unwrap().is_empty());

    // The entry module and every module it imports, transitively, are served as JavaScript.
    let mut modules = vec!["app.js".to_owned()];
    let mut seen = 0;
    while seen < modules.len() {
        let path = format!("/assets/{}", modules[seen]);
        seen += 1;
        let asset = app.get(&path);
        assert_eq!(asset.status().as_u16(), 200, "{path}");
        assert_eq!(
            header(&asset, "content-type"),
            "text/javascript; charset=utf-8",
            "{path}"
        );
        let source = asset.text().unwrap();
        assert!(source.starts_with("// "), "{path} opens with why it exists");
        for import in imported_modules(&source) {
            if !modules.contains(&import) {
                modules.push(import);
            }
        }
    }
    assert!(
        modules.len() > 5,
        "the page is split into modules: {modules:?}"
    );
    let wrong = app.client.post(format!("{}/", app.address)).send().unwrap();
    assert_eq!(wrong.status().as_u16(), 405);
}

/// The `./name.js` modules a module imports (`import … from './x.js'` or `import './x.js'`).
fn imported_modules(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.starts_with("import ") || line.starts_with("} from "))
        .filter_map(|line| {
            let start = line.find("'./")? + 3;
            let len = line[start..].find('\'')?;
            Some(line[start..start + len].to_owned())
        })
        .collect()
}

#[test]
fn a_partner_builds_a_link_by_hand() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    let origin = app.address.clone();
    // Let the page write to, and the test read, the real clipboard.
    browser.cdp(
        "Browser.grantPermissions",
        json!({
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            "origin": origin,
        }),
    );
    emulate(&browser, DESKTOP, false);
    open_page(&app, &browser, "/");
    let empty = shown(&browser);
    assert!(empty.items.is_empty() && empty.link.is_empty(), "{empty:?}");

    // Type to search, then pick with the keyboard.
    let search = browser.find("#search");
    browser.click(&search);
    browser.send_keys(&search, "get_profi");
    let matches = browser.wait_for("matches for `get_profi`", || {
        let ids = option_ids(&browser);
        (!ids.is_empty()).then_some(ids)
    });
    assert_eq!(matches[0], "get_profile", "best match first: {matches:?}");
    assert!(matches.contains(&"get_profiles".to_owned()), "{matches:?}");
    assert_eq!(attribute(&browser, "#search", "aria-expanded"), "true");
    browser.send_keys(&search, keys::ARROW_DOWN);
    assert_eq!(
        attribute(&browser, "#search", "aria-activedescendant"),
        "match-0"
    );
    browser.send_keys(&search, keys::ENTER);
    let mut items = strings(&["get_profile"]);
    settled(&browser, &items, |s| !s.link.is_empty());
    assert_eq!(
        attribute(&browser, "#search", "aria-expanded"),
        "false",
        "the list closes after a pick"
    );

    // Tick an include.
    let lists = browser.find("#items input[data-index='0'][data-include='lists']");
    browser.click(&lists);
    items = strings(&["get_profile?include=lists"]);
    settled(&browser, &items, |_| true);
    assert!(checked(
        &browser,
        "#items input[data-index='0'][data-include='lists']"
    ));

    // Add another operation, this time with the pointer.
    browser.send_keys(&search, "create_event");
    let option = browser.find("#search-results [role=option][data-operation='create_event']");
    browser.click(&option);
    items.push("create_event".to_owned());
    let expected = link(&app, &items, false);
    let now = settled(&browser, &items, |s| s.link == expected);
    assert!(!now.minimal);
    assert!(expected.contains("events:read"), "{expected}");
    let scopes = browser.execute(
        "return [...document.querySelectorAll('#scopes .scope')].map((c) => c.textContent);",
        vec![],
    );
    assert_eq!(scopes, link_report(&app, &items, false)["scopes"]);

    // Minimal mode: exactly the spec's scopes.
    browser.click(&browser.find("#mode-minimal"));
    let minimal_link = link(&app, &items, true);
    assert_ne!(minimal_link, expected, "minimal drops events:read");
    settled(&browser, &items, |s| s.minimal && s.link == minimal_link);

    // Paste a list with a typo, and apply the first suggestion in one click.
    browser.click(&browser.find("#paste summary"));
    browser.send_keys(&browser.find("#paste-text"), "get_profils\n");
    browser.click(&browser.find("#paste-add"));
    items.push("get_profils".to_owned());
    settled(&browser, &items, |s| {
        s.errors == 1 && s.link == minimal_link
    });
    let report = link_report(&app, &items, true);
    let first_fix = report["errors"][0]["suggestions"][0]["replacement"]
        .as_str()
        .expect("a text suggestion")
        .to_owned();
    assert_eq!(first_fix, "get_profile");
    let fix = browser.find("#items .item.has-error button.fix");
    assert_eq!(
        attribute(
            &browser,
            "#items .item.has-error button.fix",
            "data-replacement"
        ),
        first_fix.as_str()
    );
    let error_shots = screenshots(&browser, "desktop-error", DESKTOP);
    browser.click(&fix);
    items[2] = first_fix;
    let fixed_link = link(&app, &items, true);
    let now = settled(&browser, &items, |s| s.errors == 0 && s.link == fixed_link);
    assert!(now.minimal);

    // A pasted key is refused, shown blanked out, kept out of the page URL, and removable.
    browser.send_keys(
        &browser.find("#paste-text"),
        "pk_0123456789abcdef0123456789abcdef01",
    );
    browser.click(&browser.find("#paste-add"));
    let mut with_key = items.clone();
    with_key.push("pk_***".to_owned());
    settled(&browser, &with_key, |s| {
        s.errors == 1 && s.link == fixed_link
    });
    let error = browser.text(&browser.find("#items .item.has-error .item-error"));
    assert!(error.contains("looks_like_secret"), "{error}");
    let address = browser.current_url();
    assert!(
        !address.contains("pk_"),
        "the key is not in the page URL: {address}"
    );
    browser.click(&browser.find("#items button[data-action='remove'][data-index='3']"));
    settled(&browser, &items, |s| s.errors == 0 && s.link == fixed_link);

    // Copy the Markdown link: it must reach the real clipboard.
    let markdown = format!("[{MARKDOWN_TEXT}]({fixed_link})");
    let snippet = browser.text(&browser.find("#snippet-markdown"));
    assert_eq!(snippet, markdown);
    browser.click(&browser.find("button[data-copy='markdown']"));
    browser.wait_for("the copy to be confirmed", || {
        let status = attribute(&browser, "#copy-status", "data-copied");
        (status == "markdown").then_some(())
    });
    assert_eq!(
        clipboard(&browser),
        json!(markdown),
        "the clipboard holds the Markdown"
    );

    // The /go URL for docs is the server's `go_url` on the page's origin, and
    // redirects to the same link.
    let answer = link_report(&app, &items, true);
    let go = browser.text(&browser.find("#snippet-go"));
    assert_eq!(go, format!("{origin}{}", str_at(&answer, "go_url")));
    assert!(go.starts_with(&format!("{origin}/go?op=")), "{go}");
    let redirect = app.client.get(&go).send().unwrap();
    assert_eq!(redirect.status().as_u16(), 302, "{go}");
    assert_eq!(redirect.headers()["location"], fixed_link.as_str());
    browser.click(&browser.find("button[data-copy='go']"));
    browser.wait_for("the /go URL to be copied", || {
        (attribute(&browser, "#copy-status", "data-copied") == "go").then_some(())
    });
    assert_eq!(
        clipboard(&browser),
        json!(go),
        "the clipboard holds the /go URL"
    );

    let desktop_shots = screenshots(&browser, "desktop", DESKTOP);
    assert_fits(&browser, DESKTOP.0);

    // The page's own URL is the server's `page_url`, and reproduces it all in
    // a fresh navigation.
    let state_url = page_address(&browser);
    assert_eq!(
        state_url,
        format!("{origin}{}", str_at(&answer, "page_url"))
    );
    assert_eq!(query_values(&state_url, "minimal"), ["true"]);
    assert_eq!(query_values(&state_url, "op"), items);
    assert_eq!(items[0], "get_profile?include=lists");
    browser.goto("about:blank");
    // The include boxes come from the operation list: wait for it too.
    let state_path = state_url
        .strip_prefix(&origin)
        .expect("the page is on the test server");
    open_page(&app, &browser, state_path);
    let reloaded = settled(&browser, &items, |s| s.link == fixed_link);
    assert!(reloaded.minimal);
    assert!(checked(
        &browser,
        "#items input[data-index='0'][data-include='lists']"
    ));
    assert!(!checked(
        &browser,
        "#items input[data-index='0'][data-include='segments']"
    ));
    assert!(checked(&browser, "#mode-minimal"));

    // The same page at phone width.
    emulate(&browser, PHONE, true);
    browser.wait_for("the phone layout", || {
        let width = browser.execute("return window.innerWidth;", vec![]);
        (width == json!(PHONE.0)).then_some(())
    });
    assert_fits(&browser, PHONE.0);
    let phone_shots = screenshots(&browser, "phone", PHONE);

    assert_clean_console(&browser);
    for shot in error_shots.iter().chain(&desktop_shots).chain(&phone_shots) {
        eprintln!("screenshot: {}", shot.display());
    }
}

#[test]
fn a_docs_link_to_the_page_shows_warnings_and_fixes_by_keyboard() {
    let app = spawn_app();
    let beta: Value = app.get("/v1/operations?beta=true").json().unwrap();
    let beta_op = beta["operations"][0]["operation_id"]
        .as_str()
        .expect("the catalog has a beta operation")
        .to_owned();
    let url_input =
        "GET https://a.klaviyo.com/api/profiles/01HX?fields[profile]=email&include=lists";
    let mut items = vec![
        "POST /client/profiles".to_owned(),
        beta_op.clone(),
        url_input.to_owned(),
        "get_profile?include=listz".to_owned(),
    ];
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for item in &items {
        query.append_pair("op", item);
    }

    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    open_page(&app, &browser, &format!("/?{}", query.finish()));
    let expected = link(&app, &items, false);
    settled(&browser, &items, |s| s.errors == 1 && s.link == expected);

    // Warnings: a /client endpoint and a beta operation, with the item they are about.
    let warnings = browser.execute(
        "return [...document.querySelectorAll('#warnings li')].map((li) => li.className);",
        vec![],
    );
    let warnings = warnings.to_string();
    assert!(warnings.contains("warning-client_endpoint"), "{warnings}");
    assert!(warnings.contains("warning-beta_operation"), "{warnings}");
    assert!(browser
        .text(&browser.find("#items .item[data-index='1'] .badge.beta"))
        .contains("beta"));

    // An include ticked on a URL input that names an include of its own: the
    // input becomes the operation it resolved to with both include values.
    browser.click(&browser.find("#items input[data-index='2'][data-include='segments']"));
    items[2] = "get_profile?include=lists,segments".to_owned();
    let expected = link(&app, &items, false);
    assert!(expected.contains("segments:read"), "{expected}");
    settled(&browser, &items, |s| s.link == expected);
    assert_eq!(
        browser.execute("return document.activeElement.dataset.focus || '';", vec![]),
        "include-2-segments",
        "the ticked box keeps the focus"
    );

    // An invalid include, fixed from the keyboard.
    let fix = browser.find("#items .item.has-error button.fix");
    browser.execute("arguments[0].focus();", vec![fix.to_json()]);
    browser.send_keys(&fix, keys::ENTER);
    items[3] = "get_profile?include=lists".to_owned();
    let expected = link(&app, &items, false);
    settled(&browser, &items, |s| s.errors == 0 && s.link == expected);
    assert_eq!(
        browser.execute("return document.activeElement.dataset.focus || '';", vec![]),
        "item-3",
        "the fixed item takes the focus"
    );
    assert_clean_console(&browser);
}

//! The revision select and the sections below the builder, in real headless
//! Chromium: a beta revision, operations read from a HAR upload, an OAuth
//! authorize URL with a PKCE pair made in the browser, and the audit of an
//! old create-key link or of pasted docs. Every answer the page shows is
//! compared with what the JSON API answers for the same inputs.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::page::{
    assert_clean_console, assert_fits, attribute, checked, clipboard, emulate, open_page,
    page_address as page_url, query_values, screenshots, settled, str_at, strings, DESKTOP, PHONE,
};
use crate::webdriver::{keys, Browser};

const STABLE: &str = "2026-07-15";
const PRE: &str = "2026-07-15.pre";
const OLD_LINK: &str =
    "https://www.klaviyo.com/create-private-api-key?scopes=list:read,template:write,bogus:read";

/// A small HAR: Klaviyo calls (one twice, one unknown path), a CORS
/// preflight, calls to two other hosts and an entry without a request URL.
const HAR: &str = r#"{"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
  {"request": {"method": "GET", "url": "https://a.klaviyo.com/api/profiles/01HXAMPLE?include=lists", "headers": [{"name": "revision", "value": "2026-07-15"}]}, "response": {"status": 200}},
  {"request": {"method": "GET", "url": "https://a.klaviyo.com/api/profiles/01HYAMPLE?include=lists"}},
  {"request": {"method": "POST", "url": "https://a.klaviyo.com/api/lists"}},
  {"request": {"method": "OPTIONS", "url": "https://a.klaviyo.com/api/lists"}},
  {"request": {"method": "GET", "url": "https://a.klaviyo.com/api/profilez/01HXAMPLE"}},
  {"request": {"method": "GET", "url": "https://cdn.example.com/app.js"}},
  {"request": {"method": "GET", "url": "https://cdn.example.com/app.css"}},
  {"request": {"method": "GET", "url": "https://fonts.example.org/inter.woff2"}},
  {"request": {"method": "GET"}}
]}}"#;

/// Records what the page sends, to check a secret never leaves the browser.
const SPY_ON_FETCH: &str = r#"
window.__sent = [];
const original = window.fetch;
window.fetch = (resource, init) => {
  const body = init && typeof init.body === 'string' ? init.body : '';
  window.__sent.push(String(resource) + ' ' + body);
  return original(resource, init);
};
"#;

/// base64url(SHA-256(text)), computed by the test in the browser, apart from the page.
const S256: &str = r#"
const [text, done] = arguments;
crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then((digest) => {
  const binary = String.fromCharCode(...new Uint8Array(digest));
  done(btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
}, (error) => done('digest error: ' + error));
"#;

/// `POST /v1/links` as the page sends it, with a revision.
fn report(app: &TestApp, items: &[String], revision: Option<&str>) -> Value {
    let mut body = json!({ "operations": items, "minimal": false, "partial": true });
    if let Some(revision) = revision {
        body["revision"] = json!(revision);
    }
    let response = app.post_links(&body);
    assert_eq!(response.status().as_u16(), 200, "POST /v1/links");
    response.json().unwrap()
}

fn post_json(app: &TestApp, path: &str, body: &Value) -> Value {
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .json(body)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "POST {path}: {body}");
    response.json().unwrap()
}

/// A file the test writes and removes.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("scopelink-browser-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("the temp file is writable");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub(crate) fn visible(browser: &Browser, css: &str) -> bool {
    browser.execute(
        "const node = document.querySelector(arguments[0]);\
         return Boolean(node && node.checkVisibility() && node.getClientRects().length);",
        vec![json!(css)],
    ) == json!(true)
}

fn value(browser: &Browser, css: &str) -> String {
    browser
        .execute(
            "const node = document.querySelector(arguments[0]); return node ? node.value : '';",
            vec![json!(css)],
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn texts(browser: &Browser, css: &str) -> Vec<String> {
    browser
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map((n) => n.textContent.trim());",
            vec![json!(css)],
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|text| text.as_str().unwrap_or_default().to_owned())
        .collect()
}

pub(crate) fn text_of(browser: &Browser, css: &str) -> String {
    texts(browser, css).into_iter().next().unwrap_or_default()
}

/// Waits until an element is shown.
pub(crate) fn wait_visible(browser: &Browser, css: &str) {
    browser.wait_for(&format!("`{css}` to be shown"), || {
        visible(browser, css).then_some(())
    });
}

/// Console errors, but for the 422s a test provokes on purpose (Chromium logs
/// every failed request).
fn assert_clean_console_but(browser: &Browser, expected_422: &[&str]) {
    let severe: Vec<Value> = browser
        .console_log()
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .filter(|entry| {
            let message = entry["message"].as_str().unwrap_or_default();
            !(entry["source"] == "network"
                && message.contains("status of 422")
                && expected_422
                    .iter()
                    .any(|path| message.contains(&format!("{path} - "))))
        })
        .collect();
    assert!(severe.is_empty(), "browser console errors: {severe:#?}");
}

fn focused_id(browser: &Browser) -> Value {
    browser.execute("return document.activeElement.id || '';", vec![])
}

fn sent_requests(browser: &Browser) -> Vec<String> {
    browser
        .execute("return window.__sent || [];", vec![])
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|sent| sent.as_str().unwrap_or_default().to_owned())
        .collect()
}

fn as_strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The operation each item resolved to, as the page shows it.
fn operation_names(browser: &Browser) -> Vec<String> {
    texts(browser, "#items .item .op-name")
}

fn grant_clipboard(app: &TestApp, browser: &Browser) {
    browser.cdp(
        "Browser.grantPermissions",
        json!({
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            "origin": app.address,
        }),
    );
}

/// Desktop and phone screenshots of the whole page; it never scrolls sideways.
pub(crate) fn screenshots_at_both_widths(browser: &Browser, name: &str) -> Vec<PathBuf> {
    let mut shots = Vec::new();
    assert_fits(browser, DESKTOP.0);
    shots.extend(screenshots(browser, &format!("{name}-desktop"), DESKTOP));
    emulate(browser, PHONE, true);
    browser.wait_for("the phone layout", || {
        let width = browser.execute("return window.innerWidth;", vec![]);
        (width == json!(PHONE.0)).then_some(())
    });
    assert_fits(browser, PHONE.0);
    shots.extend(screenshots(browser, &format!("{name}-phone"), PHONE));
    emulate(browser, DESKTOP, false);
    shots
}

#[test]
fn an_oauth_app_is_built_from_recorded_traffic_on_the_beta_revision() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    grant_clipboard(&app, &browser);
    emulate(&browser, DESKTOP, false);
    open_page(&app, &browser, "/");

    // The revision select lists GET /v1/catalog's revisions in its order
    // (newest first); the default is its `default_revision`, which is what the
    // API answers without a revision.
    let catalog: Value = app.get("/v1/catalog").json().unwrap();
    let loaded: Vec<String> = catalog["revisions"]
        .as_array()
        .expect("a revision list")
        .iter()
        .map(|revision| str_at(revision, "revision").to_owned())
        .collect();
    assert!(
        loaded.len() > 1 && loaded.contains(&PRE.to_owned()),
        "{catalog}"
    );
    let default = report(&app, &strings(&["get_profiles"]), None)["catalog"]["revision"]
        .as_str()
        .expect("a revision")
        .to_owned();
    assert_eq!(default, STABLE);
    assert_eq!(str_at(&catalog, "default_revision"), default);
    wait_visible(&browser, "#revision-field");
    let options = as_strings(&browser.execute(
        "return [...document.querySelectorAll('#revision option')].map((o) => o.value);",
        vec![],
    ));
    assert_eq!(options, loaded);
    browser.wait_for("the default revision to be selected", || {
        (value(&browser, "#revision") == default).then_some(())
    });

    // A shared endpoint resolves to the stable operation, then, on the .pre
    // revision, to the beta one.
    browser.click(&browser.find("#paste summary"));
    browser.send_keys(&browser.find("#paste-text"), "GET /api/campaigns");
    browser.click(&browser.find("#paste-add"));
    let mut items = strings(&["GET /api/campaigns"]);
    let stable_link = report(&app, &items, None)["url"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&browser, &items, |s| s.link == stable_link);
    assert_eq!(operation_names(&browser), ["get_campaigns"]);
    assert_eq!(
        attribute(&browser, "#answered-revision", "data-revision"),
        STABLE
    );
    assert!(!page_url(&browser).contains("revision="));

    browser.click(&browser.find(&format!("#revision option[value='{PRE}']")));
    let beta = report(&app, &items, Some(PRE));
    assert_eq!(beta["operations"][0]["operation_id"], "get_campaigns_beta");
    assert_eq!(beta["catalog"]["revision"], PRE);
    browser.wait_for("the beta operation", || {
        let shown = settled(&browser, &items, |_| true);
        (operation_names(&browser) == ["get_campaigns_beta"]
            && attribute(&browser, "#answered-revision", "data-revision") == PRE
            && shown.link == beta["url"])
            .then_some(())
    });
    assert!(browser
        .text(&browser.find("#items .item[data-index='0'] .badge.beta"))
        .contains("beta"));
    let state_url = page_url(&browser);
    assert!(
        state_url.contains(&format!("revision={PRE}")),
        "{state_url}"
    );
    let go = browser.text(&browser.find("#snippet-go"));
    assert_eq!(go, format!("{}{}", app.address, str_at(&beta, "go_url")));
    assert!(go.ends_with(&format!("&revision={PRE}")), "{go}");
    let redirect = app.client.get(&go).send().unwrap();
    assert_eq!(redirect.status().as_u16(), 302, "{go}");
    assert_eq!(
        redirect.headers()["location"],
        beta["url"].as_str().unwrap()
    );

    // The page URL keeps the revision.
    browser.goto("about:blank");
    let state_path = state_url
        .strip_prefix(&app.address)
        .expect("the page is on the test server");
    open_page(&app, &browser, state_path);
    browser.wait_for("the revision from the page URL", || {
        settled(&browser, &items, |s| s.link == beta["url"]);
        (value(&browser, "#revision") == PRE && operation_names(&browser) == ["get_campaigns_beta"])
            .then_some(())
    });

    // From traffic: a HAR file through the file input.
    let har = TempFile::new("traffic.har", HAR);
    let from_har = {
        let response = app
            .client
            .post(format!(
                "{}/v1/links/from-har?partial=true&revision={PRE}",
                app.address
            ))
            .header("content-type", "application/json")
            .body(HAR)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json::<Value>().unwrap()
    };
    let calls = &from_har["calls"];
    assert_eq!(
        (
            &calls["klaviyo"],
            &calls["other_hosts"],
            &calls["preflight"],
            &calls["unreadable"]
        ),
        (&json!(4), &json!(3), &json!(1), &json!(1)),
        "{from_har}"
    );
    browser.send_keys(
        &browser.find("#traffic-file"),
        har.0.to_str().expect("a UTF-8 temp path"),
    );
    wait_visible(&browser, "#traffic-result");
    let count = |kind: &str| {
        text_of(
            &browser,
            &format!("#traffic-counts dd[data-count='{kind}']"),
        )
    };
    for kind in ["klaviyo", "other_hosts", "preflight", "unreadable"] {
        assert_eq!(count(kind), calls[kind].to_string(), "{kind}");
    }
    assert_eq!(count("unrecognized"), "1");
    let hosts = texts(&browser, "#traffic-hosts li");
    assert_eq!(hosts.len(), 2, "{hosts:?}");
    assert!(
        hosts[0].contains("cdn.example.com") && hosts[0].contains("2 calls"),
        "{hosts:?}"
    );
    let unrecognized = texts(&browser, "#traffic-unrecognized > li");
    assert_eq!(unrecognized.len(), 1, "{unrecognized:?}");
    assert!(
        unrecognized[0].contains("GET https://a.klaviyo.com/api/profilez/01HXAMPLE"),
        "{unrecognized:?}"
    );
    let called: Vec<String> = from_har["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| {
            let includes = as_strings(&op["includes"]);
            let id = op["operation_id"].as_str().unwrap();
            if includes.is_empty() {
                id.to_owned()
            } else {
                format!("{id}?include={}", includes.join(","))
            }
        })
        .collect();
    assert_eq!(called.len(), 2, "{called:?}");
    assert_eq!(texts(&browser, "#traffic-ops .called-op"), called);

    // "Use these operations" adds them to the list, and the link follows.
    browser.click(&browser.find("#traffic-use"));
    items.extend(called.iter().cloned());
    let with_traffic = report(&app, &items, Some(PRE));
    assert!(with_traffic["errors"].as_array().unwrap().is_empty());
    settled(&browser, &items, |s| {
        s.errors == 0 && s.link == with_traffic["url"]
    });
    assert!(text_of(&browser, "#traffic-status").starts_with("Added 2 operations"));
    assert!(page_url(&browser).contains(&format!("revision={PRE}")));

    // For an OAuth app: state and a PKCE pair made in the browser.
    browser.execute(SPY_ON_FETCH, vec![]);
    browser.click(&browser.find("#oauth-state-generate"));
    browser.click(&browser.find("#oauth-pkce-generate"));
    wait_visible(&browser, "#oauth-verifier-box");
    let verifier = value(&browser, "#oauth-verifier");
    let challenge = value(&browser, "#oauth-code-challenge");
    let oauth_state = value(&browser, "#oauth-state");
    let base64url = |text: &str| {
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    assert!(verifier.len() == 43 && base64url(&verifier), "{verifier}");
    assert!(
        challenge.len() == 43 && base64url(&challenge),
        "{challenge}"
    );
    assert!(
        oauth_state.len() >= 20 && base64url(&oauth_state),
        "{oauth_state}"
    );
    // RFC 7636 appendix B checks the test's own S256 first.
    assert_eq!(
        browser.execute_async(
            S256,
            vec![json!("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")]
        ),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(
        browser.execute_async(S256, vec![json!(verifier)]),
        json!(challenge)
    );

    // A refused redirect URI: the problem's detail under its field, which takes the focus.
    browser.send_keys(&browser.find("#oauth-client-id"), "scopelink-test-app");
    let redirect_field = browser.find("#oauth-redirect-uri");
    browser.send_keys(&redirect_field, "http://app.example/cb");
    browser.send_keys(&redirect_field, keys::ENTER);
    wait_visible(&browser, "#oauth-redirect-uri-error");
    let error = text_of(&browser, "#oauth-redirect-uri-error");
    assert!(
        error.contains("redirect_uri") && error.contains("https"),
        "{error}"
    );
    assert_eq!(
        attribute(&browser, "#oauth-redirect-uri", "aria-invalid"),
        "true"
    );
    assert_eq!(focused_id(&browser), "oauth-redirect-uri");
    assert!(!visible(&browser, "#oauth-result"));

    // Fixed, submitted with Enter: the page shows what the API answers.
    let redirect_uri = "https://app.example/klaviyo/callback";
    browser.clear(&redirect_field);
    browser.send_keys(&redirect_field, redirect_uri);
    assert!(!visible(&browser, "#oauth-redirect-uri-error"));
    browser.send_keys(&redirect_field, keys::ENTER);
    wait_visible(&browser, "#oauth-result");
    let shown_url = text_of(&browser, "#oauth-url");
    let expected = post_json(
        &app,
        "/v1/oauth/authorize-url",
        &json!({
            "client_id": "scopelink-test-app",
            "redirect_uri": redirect_uri,
            "state": oauth_state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "operations": items,
            "minimal": false,
            "revision": PRE,
        }),
    );
    assert_eq!(shown_url, expected["url"].as_str().unwrap());
    let parsed = url::Url::parse(&shown_url).unwrap();
    let query: std::collections::HashMap<String, String> =
        parsed.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"], challenge);
    assert_eq!(query["state"], oauth_state);
    assert_eq!(query["redirect_uri"], redirect_uri);
    assert_eq!(query["scope"], expected["scope"].as_str().unwrap());
    assert_eq!(
        attribute(&browser, "#oauth-url", "href"),
        expected["url"].as_str().unwrap()
    );

    // The verifier stayed in the browser: not sent, not in the page URL.
    let sent = sent_requests(&browser);
    assert!(
        sent.iter()
            .any(|s| s.starts_with("/v1/oauth/authorize-url") && s.contains(&challenge)),
        "{sent:?}"
    );
    assert!(!sent.iter().any(|s| s.contains(&verifier)), "{sent:?}");
    assert!(!sent.iter().any(|s| s.contains("client_secret")));
    assert!(!page_url(&browser).contains(&verifier));

    // Copy the authorize URL.
    browser.click(&browser.find("#oauth button[data-copy='authorize']"));
    browser.wait_for("the authorize URL to be copied", || {
        (attribute(&browser, "#oauth .copy-status", "data-copied") == "authorize").then_some(())
    });
    assert_eq!(clipboard(&browser), expected["url"]);

    // Another mode makes the URL stale until it is built again.
    browser.click(&browser.find("#mode-minimal"));
    wait_visible(&browser, "#oauth-stale");
    browser.click(&browser.find("#mode-readwrite"));
    browser.wait_for("the URL to be current again", || {
        (!visible(&browser, "#oauth-stale")).then_some(())
    });
    settled(&browser, &items, |s| s.link == with_traffic["url"]);

    let shots = screenshots_at_both_widths(&browser, "tools-oauth");
    assert_clean_console_but(&browser, &["/v1/oauth/authorize-url"]);
    for shot in shots {
        eprintln!("screenshot: {}", shot.display());
    }
}

#[test]
fn a_partner_audits_an_old_link_against_the_operations() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    grant_clipboard(&app, &browser);
    emulate(&browser, DESKTOP, false);
    let items = strings(&["get_profiles", "create_list", "get_templates"]);
    open_page(
        &app,
        &browser,
        "/?op=get_profiles&op=create_list&op=get_templates",
    );
    let expected_link = report(&app, &items, None)["url"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&browser, &items, |s| s.link == expected_link);

    // The link alone: each scope's finding, as the API reports it.
    browser.send_keys(&browser.find("#audit-text"), OLD_LINK);
    browser.click(&browser.find("#audit-run"));
    wait_visible(&browser, "#audit-result");
    let audit = post_json(&app, "/v1/audit", &json!({ "link": OLD_LINK }));
    let findings = audit["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    let statuses = as_strings(&browser.execute(
        "return [...document.querySelectorAll('#audit-findings .finding')].map((f) => f.dataset.status);",
        vec![],
    ));
    assert_eq!(statuses, ["renamed", "renamed", "unknown"]);
    let shown = texts(&browser, "#audit-findings .finding");
    for (finding, text) in findings.iter().zip(&shown) {
        assert_eq!(
            statuses[finding["index"].as_u64().unwrap() as usize],
            finding["status"]
        );
        assert!(text.contains(finding["given"].as_str().unwrap()), "{text}");
        for name in as_strings(&finding["current"])
            .iter()
            .chain(&as_strings(&finding["suggestions"]))
        {
            assert!(text.contains(name.as_str()), "{name} in {text}");
        }
    }
    assert_eq!(
        texts(&browser, "#audit-findings .finding-renamed .current"),
        ["lists:read", "templates:write"]
    );
    let unknown = &findings[2];
    assert_eq!(unknown["given"], "bogus:read");
    assert!(!unknown["suggestions"].as_array().unwrap().is_empty());
    assert!(shown[2].contains("unknown"), "{}", shown[2]);

    // What the scopes allow, behind a disclosure.
    let count = audit["allowed_operation_count"].as_u64().unwrap();
    let summary = text_of(&browser, "#audit-allowed-summary");
    assert!(
        summary.contains(&format!("{count} private-key operations")),
        "{summary}"
    );
    assert!(!visible(&browser, "#audit-allowed-list"));
    browser.click(&browser.find("#audit-allowed-summary"));
    wait_visible(&browser, "#audit-allowed-list");
    assert_eq!(
        texts(&browser, "#audit-allowed-list li").len(),
        audit["allowed_operations"].as_array().unwrap().len()
    );
    assert_eq!(
        text_of(&browser, "#audit-normalized-url"),
        audit["normalized_url"].as_str().unwrap()
    );

    // Against the operations above, from the keyboard: tick, then Ctrl+Enter in the text.
    let against = browser.find("#audit-against");
    browser.execute("arguments[0].focus();", vec![against.to_json()]);
    browser.send_keys(&against, " ");
    assert!(checked(&browser, "#audit-against"));
    let text = browser.find("#audit-text");
    browser.execute("arguments[0].focus();", vec![text.to_json()]);
    browser.send_keys(&text, &format!("{}{}", keys::CONTROL, keys::ENTER));
    wait_visible(&browser, "#audit-intended-box");
    let compared = post_json(
        &app,
        "/v1/audit",
        &json!({ "link": OLD_LINK, "operations": items, "minimal": false }),
    );
    let intended = &compared["intended"];
    let codes = |css: &str| texts(&browser, &format!("#audit-diff {css} code"));
    assert_eq!(codes("dd.missing"), as_strings(&intended["missing"]));
    assert_eq!(codes("dd.excess"), as_strings(&intended["excess"]));
    assert!(!intended["missing"].as_array().unwrap().is_empty());
    let corrected = intended["corrected_url"].as_str().unwrap();
    assert_eq!(
        corrected, expected_link,
        "the corrected link is the builder's"
    );
    wait_visible(&browser, "#audit-corrected-box");
    assert_eq!(text_of(&browser, "#audit-corrected-url"), corrected);
    browser.click(&browser.find("button[data-copy='audit-corrected']"));
    browser.wait_for("the corrected link to be copied", || {
        (attribute(&browser, "#audit .copy-status", "data-copied") == "audit-corrected")
            .then_some(())
    });
    assert_eq!(clipboard(&browser), json!(corrected));

    // A change to the operations makes the comparison stale.
    browser.click(&browser.find("#items button[data-action='remove'][data-index='2']"));
    wait_visible(&browser, "#audit-stale");
    browser.send_keys(&browser.find("#search"), "get_templates");
    browser.send_keys(&browser.find("#search"), keys::ENTER);
    settled(&browser, &items, |s| s.link == expected_link);
    browser.wait_for("the audit to be current again", || {
        (!visible(&browser, "#audit-stale")).then_some(())
    });

    let shots = screenshots_at_both_widths(&browser, "tools-audit");

    // Something key-like is the API's call: the audit request, the one that
    // checks its own text, is refused with `looks_like_secret`, and the key
    // goes nowhere else.
    browser.execute(SPY_ON_FETCH, vec![]);
    browser.clear(&text);
    let key = "pk_0123456789abcdef0123456789abcdef01";
    let refused = app
        .client
        .post(format!("{}/v1/audit", app.address))
        .json(&json!({ "link": key }))
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let refused: Value = refused.json().unwrap();
    assert_eq!(refused["code"], "looks_like_secret");
    assert!(!refused.to_string().contains(key), "{refused}");
    browser.send_keys(&text, key);
    browser.click(&browser.find("#audit-run"));
    wait_visible(&browser, "#audit-text-error");
    assert_eq!(
        text_of(&browser, "#audit-text-error"),
        str_at(&refused, "detail")
    );
    assert!(text_of(&browser, "#audit-text-error").contains("private API key"));
    assert_eq!(focused_id(&browser), "audit-text");
    let sent = sent_requests(&browser);
    assert!(
        sent.iter()
            .all(|s| !s.contains("pk_") || s.starts_with("/v1/audit ")),
        "the key went beyond the audit request: {sent:?}"
    );
    assert!(!page_url(&browser).contains("pk_"));

    assert_clean_console_but(&browser, &["/v1/audit"]);
    for shot in shots {
        eprintln!("screenshot: {}", shot.display());
    }
}

/// A README section as a partner would paste it: a heading and a table of
/// the key page's display names and levels.
const DOCS_TABLE: &str = "## Required scopes

Create a private API key with these scopes:

| Scope | Access |
|---|---|
| List | Read |
| Profiles | Read |
";

#[test]
fn a_partner_audits_pasted_docs_against_the_operations() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    emulate(&browser, DESKTOP, false);
    // `create_profile` needs `profiles:write`, `get_lists` needs `lists:read`.
    let items = strings(&["get_lists", "create_profile"]);
    open_page(&app, &browser, "/?op=get_lists&op=create_profile");
    let expected_link = report(&app, &items, None)["url"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&browser, &items, |s| s.link == expected_link);
    browser.execute(SPY_ON_FETCH, vec![]);

    browser.click(&browser.find("#audit-against"));
    assert!(checked(&browser, "#audit-against"));
    let text = browser.find("#audit-text");
    browser.send_keys(&text, DOCS_TABLE);
    assert_eq!(value(&browser, "#audit-text"), DOCS_TABLE);
    browser.click(&browser.find("#audit-run"));
    browser.wait_for("the audit to be answered", || {
        let status = text_of(&browser, "#audit-status");
        (!status.is_empty() && status != "Auditing…").then_some(())
    });

    // The page sent the text as docs, neither as a link nor as scopes.
    let sent = sent_requests(&browser);
    let audits: Vec<Value> = sent
        .iter()
        .filter_map(|s| s.strip_prefix("/v1/audit "))
        .map(|body| serde_json::from_str(body).unwrap())
        .collect();
    assert_eq!(audits.len(), 1, "{sent:?}");
    let request = &audits[0];
    assert_eq!(request["docs"], DOCS_TABLE, "{request}");
    assert!(
        request.get("link").is_none() && request.get("scopes").is_none(),
        "{request}"
    );
    assert_eq!(as_strings(&request["operations"]), items);
    wait_visible(&browser, "#audit-result .doc-entry");

    // What the page shows is the server's answer to the same request.
    let answer = post_json(
        &app,
        "/v1/audit",
        &json!({ "docs": DOCS_TABLE, "operations": items, "minimal": false }),
    );
    assert_eq!(answer["clean"], false, "{answer}");
    let found = answer["found"].as_array().unwrap();
    assert!(!found.is_empty(), "{answer}");
    let entries = browser.execute(
        "return [...document.querySelectorAll('#audit-report .doc-entry')]\
         .map((e) => ({line: Number(e.dataset.line), kind: e.dataset.kind}));",
        vec![],
    );
    let expected: Vec<Value> = found
        .iter()
        .map(|entry| json!({ "line": entry["line"], "kind": entry["kind"] }))
        .collect();
    assert_eq!(entries, json!(expected));
    assert_eq!(found[0]["kind"], "display_names");
    assert_eq!(
        as_strings(&found[0]["scopes"]),
        ["lists:read", "profiles:read"]
    );

    let heads = texts(&browser, "#audit-report .doc-entry-head");
    for (entry, head) in found.iter().zip(&heads) {
        let line = format!("line {}", entry["line"]);
        assert!(head.contains(&line), "{head}");
    }
    assert!(
        heads[0].contains("scope list (names and levels)"),
        "{heads:?}"
    );

    // Each entry's report, rendered as a link's report is.
    for (i, entry) in found.iter().enumerate() {
        let id = format!("#audit-found-{}", i + 1);
        let audit = &entry["audit"];
        let givens = texts(&browser, &format!("{id} .finding .given"));
        let expected_givens: Vec<String> = audit["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| str_at(finding, "given").to_owned())
            .collect();
        assert_eq!(givens, expected_givens);
        let intended = &audit["intended"];
        let codes = |css: &str| texts(&browser, &format!("{id} .diff {css} code"));
        assert_eq!(codes("dd.missing"), as_strings(&intended["missing"]));
        assert_eq!(codes("dd.excess"), as_strings(&intended["excess"]));
        assert_eq!(codes("dd.needed"), as_strings(&intended["needed"]));
        assert_eq!(
            text_of(&browser, &format!("{id}-corrected-url")),
            str_at(intended, "corrected_url")
        );
    }
    assert_eq!(
        as_strings(&found[0]["audit"]["intended"]["missing"]),
        ["profiles:write"]
    );
    assert_eq!(
        texts(&browser, "#audit-found-1 .diff dd.missing code"),
        ["profiles:write"]
    );
    assert_eq!(
        text_of(&browser, "#audit-found-1-corrected-url"),
        expected_link,
        "the corrected link is the builder's"
    );

    // The overall verdict: not clean.
    assert_eq!(attribute(&browser, "#audit-status", "data-clean"), "false");
    let status = text_of(&browser, "#audit-status");
    assert!(status.starts_with("Not clean:"), "{status}");
    assert!(status.contains("found in the docs"), "{status}");

    // A change to the operations makes the docs' audit stale too.
    browser.click(&browser.find("#items button[data-action='remove'][data-index='1']"));
    wait_visible(&browser, "#audit-stale");
    assert!(browser
        .execute(
            "return document.getElementById('audit-result').classList.contains('stale');",
            vec![]
        )
        .as_bool()
        .unwrap());
    let shots = screenshots_at_both_widths(&browser, "tools-audit-docs");

    // Docs without a link, scope list or key type: the API's 422 under the field.
    let prose = "Some notes on the integration.\nIt syncs lists nightly.";
    let refused = app
        .client
        .post(format!("{}/v1/audit", app.address))
        .json(&json!({ "docs": prose }))
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let refused: Value = refused.json().unwrap();
    assert_eq!(refused["code"], "nothing_in_docs");
    browser.click(&browser.find("#audit-against"));
    assert!(!checked(&browser, "#audit-against"));
    browser.clear(&text);
    browser.send_keys(&text, prose);
    browser.click(&browser.find("#audit-run"));
    wait_visible(&browser, "#audit-text-error");
    // The detail's backquoted names are shown as code.
    assert_eq!(
        text_of(&browser, "#audit-text-error"),
        str_at(&refused, "detail").replace('`', "")
    );
    assert!(!visible(&browser, "#audit-result"));

    assert_clean_console_but(&browser, &["/v1/audit"]);
    for shot in shots {
        eprintln!("screenshot: {}", shot.display());
    }
}

#[test]
fn the_api_not_the_page_says_which_inputs_are_keys() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    emulate(&browser, DESKTOP, false);
    open_page(&app, &browser, "/?op=get_profiles");
    settled(&browser, &strings(&["get_profiles"]), |s| {
        !s.link.is_empty()
    });
    browser.execute(SPY_ON_FETCH, vec![]);

    // `mypk_abc` merely contains `pk_`: the API reads it as an (unknown)
    // operation. `pk_abc123` is shaped like a key.
    browser.click(&browser.find("#paste summary"));
    browser.send_keys(
        &browser.find("#paste-text"),
        "mypk_abc\npk_abc123\ncreate_list",
    );
    browser.click(&browser.find("#paste-add"));
    let sent_items = strings(&["get_profiles", "mypk_abc", "pk_abc123", "create_list"]);
    let answer = report(&app, &sent_items, None);
    let codes: Vec<(u64, String)> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            (
                error["index"].as_u64().unwrap(),
                str_at(error, "code").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            (1, "unknown_operation".to_owned()),
            (2, "looks_like_secret".to_owned())
        ]
    );
    let shown = strings(&["get_profiles", "mypk_abc", "pk_***", "create_list"]);
    settled(&browser, &shown, |s| {
        s.errors == 2 && s.link == answer["url"]
    });
    let error_of = |index: usize| {
        text_of(
            &browser,
            &format!("#items .item[data-index='{index}'] .item-error"),
        )
    };
    assert!(
        error_of(1).contains("(unknown_operation)"),
        "{}",
        error_of(1)
    );
    assert!(
        error_of(2).contains("(looks_like_secret)"),
        "{}",
        error_of(2)
    );

    // The page URL is the server's `page_url`: `mypk_abc` in it, the key not.
    let address = page_url(&browser);
    assert_eq!(
        address,
        format!("{}{}", app.address, str_at(&answer, "page_url"))
    );
    assert_eq!(
        query_values(&address, "op"),
        strings(&["get_profiles", "mypk_abc", "create_list"])
    );
    assert!(!address.contains("pk_abc123"), "{address}");
    // The /go URL is the server's `go_url`: the inputs that resolved.
    let go = text_of(&browser, "#snippet-go");
    assert_eq!(go, format!("{}{}", app.address, str_at(&answer, "go_url")));
    assert_eq!(
        query_values(&go, "op"),
        strings(&["get_profiles", "create_list"])
    );

    // A tool sends `mypk_abc` as the ordinary input it is, never the key.
    let against = browser.find("#audit-against");
    browser.click(&against);
    assert!(checked(&browser, "#audit-against"));
    browser.send_keys(&browser.find("#audit-text"), "lists:read");
    browser.click(&browser.find("#audit-run"));
    wait_visible(&browser, "#audit-intended-box");
    let sent = sent_requests(&browser);
    let audits: Vec<&String> = sent
        .iter()
        .filter(|s| s.starts_with("/v1/audit "))
        .collect();
    assert_eq!(audits.len(), 1, "{sent:?}");
    assert!(audits[0].contains("mypk_abc"), "{}", audits[0]);
    assert!(
        sent.iter()
            .any(|s| s.starts_with("/v1/links ") && s.contains("pk_abc123")),
        "the link request checks every input: {sent:?}"
    );
    assert!(
        sent.iter()
            .all(|s| s.starts_with("/v1/links ") || !s.contains("pk_abc123")),
        "the key left the link request: {sent:?}"
    );
    let compared = post_json(
        &app,
        "/v1/audit",
        &json!({ "scopes": ["lists:read"], "operations": ["get_profiles", "mypk_abc", "create_list"], "minimal": false }),
    );
    let errors = texts(&browser, "#audit-intended-errors li");
    assert_eq!(
        errors.len(),
        compared["intended"]["errors"].as_array().unwrap().len()
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("mypk_abc") && e.contains("unknown_operation")),
        "{errors:?}"
    );
    assert!(!page_url(&browser).contains("pk_abc123"));

    // Typed in the search box, each is echoed only once the API has said
    // whether it is a key.
    let search = browser.find("#search");
    let status = |expected: &str| {
        browser.wait_for(&format!("the status `{expected}`"), || {
            (text_of(&browser, "#catalog-status") == expected).then_some(())
        })
    };
    browser.send_keys(&search, "pk_abc999");
    browser.send_keys(&search, keys::ENTER);
    status("Added, blanked out: it looks like a private API key.");
    browser.send_keys(&search, "mypk_xyz");
    browser.send_keys(&search, keys::ENTER);
    status("Added mypk_xyz.");
    let shown = strings(&[
        "get_profiles",
        "mypk_abc",
        "pk_***",
        "create_list",
        "pk_***",
        "mypk_xyz",
    ]);
    settled(&browser, &shown, |s| s.errors == 4);
    let body = browser.execute("return document.body.innerText;", vec![]);
    let body = body.as_str().unwrap_or_default();
    assert!(
        !body.contains("pk_abc123") && !body.contains("pk_abc999"),
        "{body}"
    );
    assert_eq!(
        query_values(&page_url(&browser), "op"),
        strings(&["get_profiles", "mypk_abc", "create_list", "mypk_xyz"])
    );
    assert_clean_console(&browser);
}

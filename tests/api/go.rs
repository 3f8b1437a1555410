//! `GET /go`: a 302 to the configured Klaviyo page, or a readable HTML page.

use scopelink::link::LinkBase;
use serde_json::{json, Value};

use crate::helpers::{content_type, ops_query, spawn_app, spawn_app_with, test_config};

#[test]
fn redirects_to_the_same_link_post_returns() {
    let app = spawn_app();
    let ops = [
        "get_profiles",
        "POST /api/lists",
        "$klaviyo->Events->getEvents",
    ];
    let post: Value = app.post_links(&json!({"operations": ops})).json().unwrap();
    let response = app.get(&format!("/go?{}", ops_query(&ops)));
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        post["url"].as_str().unwrap()
    );
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let minimal = app.get("/go?op=create_list&minimal=true&utm_source=docs");
    assert_eq!(
        minimal.headers()["location"],
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:write",
        "unknown parameters such as utm_* are ignored on /go"
    );
}

#[test]
fn the_target_is_always_the_configured_klaviyo_page() {
    let base = LinkBase::parse("https://www.klaviyo.com/settings/create-private-api-key").unwrap();
    let app = spawn_app_with(test_config(), base);
    let location = app.get("/go?op=get_lists").headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        location,
        "https://www.klaviyo.com/settings/create-private-api-key?scopes=lists:read"
    );
    for hostile in [
        "https://evil.example/api/lists",
        "GET //evil.example/api/lists",
        "GET /api/lists\r\nLocation: https://evil.example",
        "javascript:alert(1)",
    ] {
        let response = app.get(&format!("/go?{}", ops_query(&[hostile])));
        assert_ne!(response.status(), 302, "{hostile}");
        assert!(response.headers().get("location").is_none(), "{hostile}");
    }
}

#[test]
fn bad_inputs_get_a_readable_page_with_fixes_that_work() {
    let app = spawn_app();
    let response = app.get(&format!(
        "/go?{}",
        ops_query(&["get_profils", "get_lists", "<script>alert(1)</script>"])
    ));
    assert_eq!(response.status(), 422);
    assert!(content_type(&response).starts_with("text/html"));
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let html = response.text().unwrap();
    assert!(html.contains("get_profils") && html.contains("unknown_operation"));
    assert!(!html.contains("<script>alert"), "input is escaped");
    assert!(html.contains("&lt;script&gt;"));
    // The suggested fix links to /go with the item replaced, and that link works.
    let start = html.find("href=\"/go?").expect("a fix link") + "href=\"".len();
    let href = html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let fixed = app.get(&href);
    assert_eq!(fixed.status(), 422, "the third input still fails: {href}");
    assert!(href.contains("op=get_profile"), "{href}");
    assert!(
        html.contains("href=\"/?op=get_profils&amp;op=get_lists&amp;op=%3Cscript%3E"),
        "the page link carries the inputs"
    );
    let empty = app.get("/go");
    assert_eq!(empty.status(), 422);
    assert!(empty.text().unwrap().contains("no operations were given"));
    let bad_flag = app.get("/go?op=get_lists&minimal=perhaps");
    assert_eq!(bad_flag.status(), 400);
    assert!(content_type(&bad_flag).starts_with("text/html"));
}

#[test]
fn a_key_in_a_docs_link_is_never_echoed_on_the_page() {
    let app = spawn_app();
    let key = "pk_5e4d3c2b1a09f8e7d6c5b4a3928170f6e5";
    let response = app.get(&format!(
        "/go?{}",
        ops_query(&["get_profils", &format!("GET /api/profiles?k={key}")])
    ));
    assert_eq!(response.status(), 422);
    let html = response.text().unwrap();
    assert!(html.contains("looks_like_secret"));
    assert!(
        !html.contains(&key[3..]),
        "the key leaked into the page:\n{html}"
    );
    assert!(
        html.contains("href=\"/go?op=get_profile\""),
        "fix links keep working without the key item"
    );
}

//! Inputs the engine, CLI and API tests all feed to the same code: a string
//! shaped like a Klaviyo private key (which must never come back out), a stale
//! create-key link, and recorded traffic (HAR entries).

use serde_json::{json, Value};

/// Shaped like a Klaviyo private key; must never appear in any output.
pub const KEY: &str = "pk_0123456789abcdef0123456789abcdef01";

/// A create-key link from old docs: a renamed scope, an old singular name, a
/// retired `:full` scope and a scope that never existed.
pub const STALE: &str = "https://www.klaviyo.com/create-private-api-key?scopes=list:read,template:write,campaigns:full,bogus:read";

/// Fails if `text` holds the key or a prefix of it.
pub fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the key leaked: {text}");
    assert!(!text.contains("pk_0123"), "part of the key leaked: {text}");
}

/// One HAR entry, with the key in a header and echoed in the response body.
pub fn entry(method: &str, url: &str) -> Value {
    json!({
        "startedDateTime": "2026-07-20T10:00:00.000Z",
        "time": 12.5,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Authorization", "value": format!("Klaviyo-API-Key {KEY}")},
                {"name": "revision", "value": "2026-07-15"}
            ],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0
        },
        "response": {
            "status": 200,
            "headers": [{"name": "content-type", "value": "application/vnd.api+json"}],
            "content": {"size": 64, "mimeType": "application/json", "text": format!("{{\"data\": [], \"echo\": \"{KEY}\"}}")}
        },
        "timings": {"send": 0, "wait": 10, "receive": 2}
    })
}

/// A HAR 1.2 document of these entries.
pub fn har(entries: Vec<Value>) -> String {
    json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "pages": [], "entries": entries}})
        .to_string()
}

/// An integration's traffic: API calls with IDs and includes, a /client call,
/// other hosts, a preflight, an OAuth refresh, and an entry without a request.
pub fn mixed_har() -> String {
    let mut entries = vec![
        entry(
            "GET",
            "https://a.klaviyo.com/api/profiles/01HXAAA?include=lists&fields[profile]=email",
        ),
        entry(
            "GET",
            "https://a.klaviyo.com/api/profiles/01HXBBB?include=lists",
        ),
        entry(
            "get",
            "https://a.klaviyo.com/api/profiles/01HXCCC/?include=lists",
        ),
        entry("GET", "https://a.klaviyo.com/api/lists?page[cursor]=abc"),
        entry("OPTIONS", "https://a.klaviyo.com/api/lists"),
        entry("POST", "https://a.klaviyo.com/api/lists/"),
        entry(
            "POST",
            "https://a.klaviyo.com/client/subscriptions?company_id=ABC123",
        ),
        entry("POST", "https://a.klaviyo.com/oauth/token"),
        entry("GET", "https://www.google-analytics.com/collect?v=1"),
        entry("GET", "https://www.google-analytics.com/collect?v=2"),
        entry("GET", &format!("https://cdn.example.com/app.js?key={KEY}")),
        entry("GET", "data:image/png;base64,iVBORw0KGgo="),
    ];
    entries.push(json!({"request": {"headers": []}, "response": {}}));
    har(entries)
}

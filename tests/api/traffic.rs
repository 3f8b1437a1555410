//! `POST /v1/links/from-har` on a real server: the report for a HAR and a
//! log, the same link as `POST /v1/links`, 422 with the unrecognised calls
//! unless `partial`, refusals, 413 over `max_har_bytes`, and a streamed
//! multi-megabyte HAR.

use std::io::Read;

use scopelink::link::LinkBase;
use serde_json::{json, Value};

use crate::common::{
    assert_no_key, entry, mixed_har, problem, spawn_app, spawn_app_with, test_config, TestApp, KEY,
};

fn post(
    app: &TestApp,
    query: &str,
    content_type: &str,
    body: impl Into<reqwest::blocking::Body>,
) -> reqwest::blocking::Response {
    app.client
        .post(format!("{}/v1/links/from-har{query}", app.address))
        .header("content-type", content_type)
        .body(body)
        .send()
        .unwrap()
}

#[test]
fn http_answers_the_report_for_a_har_and_a_log() {
    let app = spawn_app();
    let response = post(&app, "", "application/json", mixed_har());
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = response.text().unwrap();
    assert_no_key(&body);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["link"]["url"], "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read");
    assert_eq!(json["calls"]["preflight"], 1);
    assert_eq!(json["other_hosts"][0]["host"], "www.google-analytics.com");

    let response = post(
        &app,
        "?minimal=true",
        "text/plain; charset=utf-8",
        "POST https://a.klaviyo.com/api/lists\n",
    );
    assert_eq!(response.status(), 200);
    let json: Value = response.json().unwrap();
    assert_eq!(json["format"], "log");
    assert_eq!(json["link"]["scopes"], json!(["lists:write"]));
}

#[test]
fn http_link_equals_post_v1_links_for_the_same_operations() {
    let app = spawn_app();
    let calls = [
        "GET https://a.klaviyo.com/api/profiles/01HX?include=lists,segments",
        "GET https://a.klaviyo.com/api/events?include=metric",
        "POST https://a.klaviyo.com/api/profile-subscription-bulk-create-jobs",
        "PATCH https://a.klaviyo.com/api/campaigns/01HC",
    ];
    for minimal in [false, true] {
        let from_har: Value = post(
            &app,
            &format!("?minimal={minimal}"),
            "text/plain",
            calls.join("\n"),
        )
        .json()
        .unwrap();
        let direct: Value = app
            .post_links(&json!({"operations": calls, "minimal": minimal}))
            .json()
            .unwrap();
        assert_eq!(from_har["link"]["url"], direct["url"]);
        assert_eq!(from_har["link"]["scopes"], direct["scopes"]);
        assert_eq!(from_har["link"]["oauth_scope"], direct["oauth_scope"]);
    }
}

#[test]
fn http_answers_422_with_the_unrecognised_calls_unless_partial() {
    let app = spawn_app();
    let log = "GET https://a.klaviyo.com/api/lists\nGET https://a.klaviyo.com/api/profilez/1\nGET https://a.klaviyo.com/api/profilez/1\n";
    let body = problem(
        post(&app, "", "text/plain", log),
        422,
        "unresolved_operations",
    );
    assert_eq!(body["unrecognized"][0]["calls"], 2);
    assert_eq!(
        body["unrecognized"][0]["url"],
        "https://a.klaviyo.com/api/profilez/1"
    );
    assert_eq!(body["errors"][0]["code"], "unknown_operation");
    assert_eq!(
        body["errors"][0]["input"],
        "GET https://a.klaviyo.com/api/profilez/1"
    );
    assert_eq!(body["calls"]["klaviyo"], 3);
    assert!(body["detail"].as_str().unwrap().contains("partial=true"));

    let response = post(&app, "?partial=true", "text/plain", log);
    assert_eq!(response.status(), 200);
    let json: Value = response.json().unwrap();
    assert_eq!(json["link"]["scopes"], json!(["lists:read"]));
    assert_eq!(json["unrecognized"][0]["code"], "unknown_operation");
}

#[test]
fn http_refuses_other_types_bad_bodies_and_parameters() {
    let app = spawn_app();
    let body = problem(
        post(&app, "", "application/x-www-form-urlencoded", "GET x"),
        415,
        "unsupported_media_type",
    );
    assert!(body["detail"].as_str().unwrap().contains("text/plain"));
    let response = app
        .client
        .post(format!("{}/v1/links/from-har", app.address))
        .body("x")
        .send()
        .unwrap();
    problem(response, 415, "unsupported_media_type");
    problem(
        post(&app, "", "application/json", "{\"log\": "),
        400,
        "malformed_json",
    );
    let body = problem(
        post(&app, "", "application/json", "{\"log\": {}}"),
        422,
        "invalid_body",
    );
    assert!(
        body["detail"].as_str().unwrap().contains("log.entries"),
        "{body}"
    );
    problem(
        post(
            &app,
            "",
            "application/json",
            "GET https://a.klaviyo.com/api/lists",
        ),
        422,
        "invalid_body",
    );
    let body = problem(
        post(&app, "", "text/plain", "GET https://example.org/\n"),
        422,
        "invalid_body",
    );
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("no calls to Klaviyo's API"));
    problem(post(&app, "", "text/plain", ""), 422, "invalid_body");
    problem(
        post(
            &app,
            "?minimal=maybe",
            "text/plain",
            "GET https://a.klaviyo.com/api/lists",
        ),
        400,
        "invalid_parameter",
    );
    problem(
        post(
            &app,
            "?op=get_lists",
            "text/plain",
            "GET https://a.klaviyo.com/api/lists",
        ),
        400,
        "invalid_parameter",
    );
    problem(
        post(
            &app,
            "?revision=1999-01-01",
            "text/plain",
            "GET https://a.klaviyo.com/api/lists",
        ),
        422,
        "unknown_revision",
    );
    let response = app.get("/v1/links/from-har");
    assert_eq!(response.headers()["allow"], "POST");
    problem(response, 405, "method_not_allowed");
}

#[test]
fn http_answers_413_over_max_har_bytes_with_or_without_a_length() {
    let mut config = test_config();
    config.limits.max_har_bytes = 2000;
    config.limits.max_operations = 2;
    let app = spawn_app_with(config, LinkBase::default());
    let big = mixed_har();
    assert!(big.len() > 2000);
    let body = problem(
        post(&app, "", "application/json", big.clone()),
        413,
        "body_too_large",
    );
    assert_eq!(body["limit"], 2000);
    // Chunked, with no Content-Length: the streamed count stops it.
    let chunked = reqwest::blocking::Body::new(std::io::Cursor::new(big.into_bytes()));
    problem(
        post(&app, "", "application/json", chunked),
        413,
        "body_too_large",
    );
    let three = "GET https://a.klaviyo.com/api/lists\nPOST https://a.klaviyo.com/api/lists\nGET https://a.klaviyo.com/api/events\n";
    problem(
        post(&app, "", "text/plain", three),
        422,
        "too_many_operations",
    );
}

/// Generates a HAR of `entries` entries with large response bodies, as a stream.
struct GeneratedHar {
    entries: usize,
    next: usize,
    pending: Vec<u8>,
    at: usize,
    body: String,
}

impl GeneratedHar {
    fn new(entries: usize, body_bytes: usize) -> GeneratedHar {
        GeneratedHar {
            entries,
            next: 0,
            pending: b"{\"log\": {\"version\": \"1.2\", \"entries\": [".to_vec(),
            at: 0,
            body: format!("{KEY} {}", "x\\\"y".repeat(body_bytes / 4)),
        }
    }
}

impl Read for GeneratedHar {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.pending.clear();
            self.at = 0;
            if self.next < self.entries {
                let url = match self.next % 4 {
                    0 => format!(
                        "https://a.klaviyo.com/api/profiles/01H{}?include=lists",
                        self.next
                    ),
                    1 => "https://a.klaviyo.com/api/lists".to_owned(),
                    2 => format!("https://cdn{}.example.com/asset.js", self.next % 7),
                    _ => format!(
                        "https://a.klaviyo.com/api/events?page[cursor]={}",
                        self.next
                    ),
                };
                let separator = if self.next == 0 { "" } else { "," };
                let mut entry = entry("GET", &url);
                entry["response"]["content"]["text"] = Value::String(self.body.clone());
                self.pending = format!("{separator}{entry}").into_bytes();
                self.next += 1;
            } else if self.next == self.entries {
                self.pending = b"]}}".to_vec();
                self.next += 1;
            } else {
                return Ok(0);
            }
        }
        let count = buffer.len().min(self.pending.len() - self.at);
        buffer[..count].copy_from_slice(&self.pending[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

#[test]
fn http_streams_a_multi_megabyte_har() {
    let app = spawn_app();
    let entries = 400;
    let har = GeneratedHar::new(entries, 16 * 1024);
    let response = post(
        &app,
        "",
        "application/json",
        reqwest::blocking::Body::new(har),
    );
    assert_eq!(response.status(), 200);
    let json: Value = response.json().unwrap();
    assert_eq!(json["calls"]["total"], entries);
    assert_eq!(json["calls"]["klaviyo"], entries / 4 * 3);
    assert_eq!(json["operations"].as_array().unwrap().len(), 3);
    assert_eq!(
        json["link"]["scopes"],
        json!(["events:read", "lists:read", "profiles:read"])
    );
    assert_no_key(&json.to_string());
    let mut whole = Vec::new();
    GeneratedHar::new(entries, 16 * 1024)
        .read_to_end(&mut whole)
        .unwrap();
    assert!(whole.len() > 6_000_000, "{} bytes", whole.len());
    let parsed: Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(parsed["log"]["entries"].as_array().unwrap().len(), entries);
}

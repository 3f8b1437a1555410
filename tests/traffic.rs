//! Links from recorded traffic: the core reading HARs and request logs, the
//! `scopelink link --har` command, and `POST /v1/links/from-har` on a real
//! server, including limits and a multi-megabyte streamed HAR.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

use scopelink::catalog::Catalog;
use scopelink::link::LinkBase;
use scopelink::resolve::ErrorCode;
use scopelink::traffic::{read_calls, TrafficError, TrafficOptions, TrafficReport};
use serde_json::{json, Value};

use helpers::{problem, spawn_app, spawn_app_with, test_config, TestApp};

/// Shaped like a Klaviyo private key; must never appear in any output.
const KEY: &str = "pk_0123456789abcdef0123456789abcdef01";

fn entry(method: &str, url: &str) -> Value {
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

fn har(entries: Vec<Value>) -> String {
    json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "pages": [], "entries": entries}})
        .to_string()
}

/// An integration's traffic: API calls with IDs and includes, a /client call,
/// other hosts, a preflight, an OAuth refresh, and an entry without a request.
fn mixed_har() -> String {
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

fn read(text: &str) -> Result<TrafficReport, TrafficError> {
    read_with(text, TrafficOptions::default())
}

fn read_with(text: &str, options: TrafficOptions) -> Result<TrafficReport, TrafficError> {
    let catalog = Catalog::embedded();
    read_calls(text.as_bytes(), &catalog, &options)
        .map(|traffic| traffic.into_report(&catalog, &LinkBase::default()))
}

fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the key leaked: {text}");
    assert!(!text.contains("pk_0123"), "part of the key leaked: {text}");
}

// ---- the core -------------------------------------------------------------

#[test]
fn a_har_keeps_klaviyo_calls_counts_the_rest_and_never_holds_the_key() {
    let report = read(&mixed_har()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_no_key(&json.to_string());
    assert_eq!(json["format"], "har");
    assert_eq!(
        json["calls"],
        json!({"total": 13, "klaviyo": 6, "other_hosts": 4, "preflight": 1, "oauth": 1, "unreadable": 1})
    );
    assert_eq!(
        json["other_hosts"],
        json!([
            {"host": "www.google-analytics.com", "calls": 2},
            {"host": "cdn.example.com", "calls": 1},
            {"host": "data:", "calls": 1}
        ])
    );
    assert_eq!(
        json["unreadable"],
        json!([{"entry": 13, "reason": "the entry has no `request.method` and `request.url`"}])
    );
    let operations: Vec<(String, Vec<String>, u64)> = report
        .operations
        .iter()
        .map(|op| (op.operation_id.clone(), op.includes.clone(), op.calls))
        .collect();
    assert_eq!(
        operations,
        [
            ("create_client_subscription".to_owned(), vec![], 1),
            ("create_list".to_owned(), vec![], 1),
            ("get_lists".to_owned(), vec![], 1),
            ("get_profile".to_owned(), vec!["lists".to_owned()], 3),
        ]
    );
    assert_eq!(
        report.link.url,
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read"
    );
    assert!(report.is_complete());
    assert!(report.unrecognized.is_empty());
    assert_eq!(report.link.operations.len(), report.operations.len());
    assert!(report
        .link
        .warnings
        .iter()
        .any(|w| w.message.contains("create_client_subscription")));
}

#[test]
fn a_request_log_skips_comments_and_counts_unreadable_lines() {
    let mut log = String::from(
        "# captured by the proxy\n\nGET https://a.klaviyo.com/api/events?include=metric\r\n",
    );
    for n in 0..7 {
        log.push_str(&format!("garbage line {n} with words\n"));
    }
    log.push_str("GET /api/profiles\n");
    log.push_str("FETCH!! https://a.klaviyo.com/api/lists\n");
    log.push_str("POST https://a.klaviyo.com/api/profile-import\n");
    log.push_str("GET https://example.org/\n");
    let report = read(&log).unwrap();
    assert_eq!(report.calls.total, 12);
    assert_eq!(report.calls.klaviyo, 2);
    assert_eq!(report.calls.other_hosts, 1);
    assert_eq!(report.calls.unreadable, 9);
    let lines: Vec<Option<u64>> = report.unreadable.iter().map(|u| u.line).collect();
    assert_eq!(
        lines,
        [Some(4), Some(5), Some(6), Some(7), Some(8)],
        "the first five only"
    );
    assert_eq!(report.unreadable[0].reason, "expected `METHOD URL`");
    assert!(
        !serde_json::to_string(&report).unwrap().contains("garbage"),
        "lines are never echoed"
    );
    assert_eq!(
        report.link.scopes,
        [
            "events:read",
            "metrics:read",
            "profiles:read",
            "profiles:write"
        ]
    );
}

#[test]
fn unrecognised_klaviyo_calls_are_listed_with_counts_and_fixes() {
    let log = [
        "GET https://a.klaviyo.com/api/profilez/1",
        "GET https://a.klaviyo.com/api/profilez/1",
        "GET https://a.klaviyo.com/api/profilez/1?page[cursor]=2",
        "PUT https://a.klaviyo.com/api/lists",
        "GET https://a.klaviyo.com/api/lists?include=tgs",
        &format!("GET https://a.klaviyo.com/api/profiles/{KEY}"),
        "GET https://a.klaviyo.com/api/lists",
    ]
    .join("\n");
    let report = read(&log).unwrap();
    assert!(!report.is_complete());
    assert_no_key(&serde_json::to_string(&report).unwrap());
    let listed: Vec<(&str, &str, u64, ErrorCode)> = report
        .unrecognized
        .iter()
        .map(|u| (u.method.as_str(), u.url.as_str(), u.calls, u.code))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "GET",
                "https://a.klaviyo.com/api/profilez/1",
                3,
                ErrorCode::UnknownOperation
            ),
            (
                "PUT",
                "https://a.klaviyo.com/api/lists",
                1,
                ErrorCode::MethodNotAllowed
            ),
            (
                "GET",
                "https://a.klaviyo.com/api/lists?include=tgs",
                1,
                ErrorCode::InvalidInclude
            ),
            (
                "GET",
                "https://a.klaviyo.com/api/profiles/pk_***",
                1,
                ErrorCode::LooksLikeSecret
            ),
        ]
    );
    let unknown = &report.unrecognized[0];
    assert!(unknown
        .suggestions
        .iter()
        .any(|s| serde_json::to_string(&s.replacement)
            .unwrap()
            .contains("/api/profiles/1")));
    assert_eq!(report.unrecognized[1].accepted, ["GET", "POST"]);
    assert!(report.unrecognized[2].accepted.contains(&"tags".to_owned()));
    assert_eq!(
        report.link.scopes,
        ["lists:read"],
        "the recognised call still builds the link"
    );
    let errors = report.unrecognized_errors();
    assert_eq!(errors.len(), 4);
    assert_eq!(errors[0].code, ErrorCode::UnknownOperation);
}

#[test]
fn unrecognised_calls_beyond_the_cap_are_counted_never_dropped() {
    let mut log = String::from("GET https://a.klaviyo.com/api/lists\n");
    for n in 0..130 {
        log.push_str(&format!("GET https://a.klaviyo.com/api/nothing-{n}\n"));
        log.push_str(&format!("GET https://a.klaviyo.com/api/nothing-{n}\n"));
    }
    let report = read(&log).unwrap();
    assert_eq!(report.unrecognized.len(), 100);
    assert!(report.unrecognized.iter().all(|u| u.calls == 2));
    assert_eq!(report.unrecognized_more, 60);
    assert_eq!(report.calls.klaviyo, 261);
}

#[test]
fn bad_inputs_fail_with_typed_errors() {
    assert!(matches!(read(""), Err(TrafficError::Empty)));
    assert!(matches!(read(" \n\t"), Err(TrafficError::Empty)));
    assert!(matches!(
        read("{\"log\": {\"entries\": ["),
        Err(TrafficError::MalformedJson(_))
    ));
    assert!(matches!(
        read("{\"log\": {]}"),
        Err(TrafficError::MalformedJson(_))
    ));
    let Err(TrafficError::NotHar(message)) = read("{\"log\": {\"pages\": []}}") else {
        panic!("a log without entries is not a HAR");
    };
    assert!(message.contains("entries"), "{message}");
    assert!(matches!(
        read("{\"version\": 1}"),
        Err(TrafficError::NotHar(_))
    ));
    assert!(matches!(
        read("{\"log\": {\"entries\": {}}}"),
        Err(TrafficError::NotHar(_))
    ));
    let Err(TrafficError::NotHar(message)) = read(&format!(
        "{{\"log\": {{\"entries\": \"{KEY}{}\"}}}}",
        "x".repeat(10_000)
    )) else {
        panic!("entries must be an array");
    };
    assert!(
        message.len() < 1000 && !message.contains("pk_0123"),
        "{message}"
    );
    assert!(matches!(
        read(&format!("{}]", har(vec![]).trim_end_matches('}'))),
        Err(TrafficError::MalformedJson(_))
    ));
    let deep = format!("{{\"log\": {{\"x\": {}}}}}", "[".repeat(100));
    assert!(matches!(
        read(&deep),
        Err(TrafficError::TooDeep { limit: 64 })
    ));
    let Err(TrafficError::NoKlaviyoCalls { summary }) =
        read("GET https://example.org/\nGET https://example.org/a\nnope\n")
    else {
        panic!("no Klaviyo calls");
    };
    assert_eq!(
        summary,
        "3 calls read, 2 to other hosts (example.org), 1 unreadable"
    );
    let forced = TrafficOptions {
        format: Some(scopelink::traffic::Format::Har),
        ..TrafficOptions::default()
    };
    assert!(matches!(
        read_with("GET https://a.klaviyo.com/api/lists", forced),
        Err(TrafficError::NotHar(_))
    ));
}

#[test]
fn byte_and_operation_limits_hold() {
    let text = mixed_har();
    let small = TrafficOptions {
        max_bytes: Some(100),
        ..TrafficOptions::default()
    };
    assert!(matches!(
        read_with(&text, small),
        Err(TrafficError::TooLarge { limit: 100 })
    ));
    let exact = TrafficOptions {
        max_bytes: Some(text.len() as u64),
        ..TrafficOptions::default()
    };
    assert!(read_with(&text, exact).is_ok());
    let few = TrafficOptions {
        max_operations: 2,
        ..TrafficOptions::default()
    };
    assert!(matches!(
        read_with(&text, few),
        Err(TrafficError::TooManyOperations { limit: 2 })
    ));
}

// ---- the command line -------------------------------------------------------

fn scopelink(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scopelink"))
        .args(args)
        .env_remove("SCOPELINK_SPEC")
        .env_remove("SCOPELINK_SPEC_DIR")
        .env_remove("SCOPELINK_LINK_BASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scopelink-traffic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn cli_links_a_har_file_and_summarises_ignored_hosts() {
    let path = temp_file("mixed.har", &mixed_har());
    let out = scopelink(&["link", "--har", path.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read\n"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("www.google-analytics.com (2)"), "{stderr}");
    assert!(stderr.contains("entry 13"), "{stderr}");
    assert_no_key(&stderr);

    let out = scopelink(
        &[
            "link",
            "--json",
            "--minimal",
            "--har",
            path.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["link"]["scopes"],
        json!(["lists:read", "lists:write", "profiles:read"])
    );
    assert_eq!(json["calls"]["other_hosts"], 4);
    assert_eq!(json["operations"][3]["operation_id"], "get_profile");
    assert_eq!(json["operations"][3]["calls"], 3);
    assert_no_key(&text(&out.stdout));
}

#[test]
fn cli_reads_a_log_from_stdin() {
    let out = scopelink(
        &["link", "--har", "-"],
        "GET https://a.klaviyo.com/api/profiles/01HX?include=lists\nPOST https://a.klaviyo.com/api/lists\nGET https://example.org/\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read\n"
    );
    assert!(text(&out.stderr).contains("example.org (1)"));
    let out = scopelink(
        &["scopes", "--har", "-"],
        "GET https://a.klaviyo.com/api/lists\n",
    );
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("lists:read"));
}

#[test]
fn cli_exits_2_with_a_line_per_unrecognised_call() {
    let log = "GET https://a.klaviyo.com/api/lists\nGET https://a.klaviyo.com/api/profilez/1\nGET https://a.klaviyo.com/api/profilez/1\nPUT https://a.klaviyo.com/api/lists\n";
    for extra in [&[][..], &["--json"][..]] {
        let mut args = vec!["link", "--har", "-"];
        args.extend_from_slice(extra);
        let out = scopelink(&args, log);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{stderr}");
        assert!(
            lines[0].starts_with("error: GET https://a.klaviyo.com/api/profilez/1 (2 calls): ")
                && lines[0].contains("(unknown_operation)")
                && lines[0].contains("did you mean `GET https://a.klaviyo.com/api/profiles/1`"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].contains("PUT https://a.klaviyo.com/api/lists (1 call)")
                && lines[1].contains("method_not_allowed")
        );
    }
}

#[test]
fn cli_refuses_bad_files_and_both_inputs_at_once() {
    let out = scopelink(&["link", "--har", "-"], "{\"log\": {}}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("entries"),
        "{}",
        text(&out.stderr)
    );
    let out = scopelink(&["link", "--har", "/no/such/file.har"], "");
    assert_eq!(out.status.code(), Some(1));
    let out = scopelink(&["link", "--har", "-", "get_lists"], "");
    assert_eq!(out.status.code(), Some(2), "clap refuses OP with --har");
    let out = scopelink(&["link"], "");
    assert_eq!(out.status.code(), Some(2), "OP or --har is required");
}

// ---- the HTTP route ---------------------------------------------------------

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

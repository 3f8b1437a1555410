//! Every error is problem+json with a stable code, and every limit holds.

use scopelink::config::Limits;
use scopelink::link::LinkBase;
use serde_json::json;

use crate::helpers::{problem, spawn_app, spawn_app_with, test_config};

#[test]
fn framework_errors_are_problems_too() {
    let app = spawn_app();
    problem(app.get("/no/such/route"), 404, "not_found");
    let response = app
        .client
        .delete(format!("{}/v1/links", app.address))
        .send()
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, POST");
    problem(response, 405, "method_not_allowed");
    let response = app
        .client
        .post(format!("{}/healthz", app.address))
        .send()
        .unwrap();
    problem(response, 405, "method_not_allowed");
    let response = app
        .client
        .post(format!("{}/v1/links", app.address))
        .header("content-type", "text/plain")
        .body(r#"{"operations":["get_lists"]}"#)
        .send()
        .unwrap();
    problem(response, 415, "unsupported_media_type");
    let response = app
        .client
        .post(format!("{}/v1/links", app.address))
        .body("x")
        .send()
        .unwrap();
    problem(response, 415, "unsupported_media_type");
    let response = app
        .client
        .post(format!("{}/v1/links", app.address))
        .header("content-type", "application/json")
        .body("{\"operations\": [")
        .send()
        .unwrap();
    problem(response, 400, "malformed_json");
}

#[test]
fn bodies_of_the_wrong_shape_say_what_is_wrong() {
    let app = spawn_app();
    let body = problem(
        app.post_links(&json!({"operation": ["get_lists"]})),
        422,
        "invalid_body",
    );
    assert!(
        body["detail"].as_str().unwrap().contains("operation"),
        "{body}"
    );
    problem(
        app.post_links(&json!({"operations": "get_lists"})),
        422,
        "invalid_body",
    );
    problem(
        app.post_links(&json!({"operations": [42]})),
        422,
        "invalid_body",
    );
    problem(
        app.post_links(&json!({"operations": [{"operation": "get_lists", "includes": []}]})),
        422,
        "invalid_body",
    );
    problem(
        app.post_links(&json!({"operations": []})),
        422,
        "no_operations",
    );
    let body = problem(
        app.post_links(
            &json!({"operations": ["get_lists"], "api_key": "pk_abcdef0123456789abcdef"}),
        ),
        422,
        "invalid_body",
    );
    assert!(!body.to_string().contains("abcdef0123456789"), "{body}");
}

#[test]
fn limits_are_enforced_and_named() {
    let config = scopelink::config::ServeConfig {
        limits: Limits {
            max_body_bytes: 4096,
            max_operations: 5,
            max_item_bytes: 100,
            max_url_bytes: 600,
            ..Limits::default()
        },
        ..test_config()
    };
    let app = spawn_app_with(config, LinkBase::default());
    let big = "x".repeat(5000);
    let body = problem(
        app.post_links(&json!({"operations": [big]})),
        413,
        "body_too_large",
    );
    assert_eq!(body["limit"], 4096);
    let body = problem(
        app.post_links(&json!({"operations": vec!["get_lists"; 6]})),
        422,
        "too_many_operations",
    );
    assert_eq!(body["limit"], 5);
    assert!(body["detail"].as_str().unwrap().contains("6 operations"));
    let long_item = format!("GET /api/profiles/{}", "A".repeat(200));
    let body = problem(
        app.post_links(&json!({"operations": ["get_lists", long_item]})),
        422,
        "unresolved_operations",
    );
    assert_eq!(body["errors"][0]["code"], "too_long");
    assert_eq!(body["errors"][0]["index"], 1);
    assert!(body["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("100 bytes"));
    let body = problem(
        app.get(&format!("/v1/links?op={}", "a".repeat(700))),
        414,
        "url_too_long",
    );
    assert_eq!(body["limit"], 600);
    assert_eq!(
        app.post_links(&json!({"operations": vec!["get_lists"; 5]}))
            .status(),
        200,
        "at the limit is fine"
    );
}

#[test]
fn hostile_bodies_get_the_problem_that_names_them() {
    let app = spawn_app();
    // (body, problem code, the code of each failed input)
    let bodies: [(&str, &str, &[&str]); 15] = [
        ("null", "invalid_body", &[]),
        ("[]", "invalid_body", &[]),
        ("{}", "invalid_body", &[]),
        ("\"text\"", "invalid_body", &[]),
        ("{\"operations\": null}", "invalid_body", &[]),
        ("{\"operations\": [null]}", "invalid_body", &[]),
        (
            "{\"operations\": [\"\\u0000\"]}",
            "unresolved_operations",
            &["malformed"],
        ),
        (
            "{\"operations\": [\"GET /api/%ZZ\"]}",
            "unresolved_operations",
            &["unknown_operation"],
        ),
        (
            "{\"operations\": [\"GET https://[::1]/x\"]}",
            "unresolved_operations",
            &["wrong_host"],
        ),
        (
            "{\"operations\": [\"\u{1F600}\", \"GET /api/profiles/\u{1F600}\"]}",
            "unresolved_operations",
            &["malformed"],
        ),
        // An empty operation breaks the schema (`minLength: 1`): refused whole.
        (
            "{\"operations\": [{\"operation\": \"\"}]}",
            "invalid_body",
            &[],
        ),
        (
            "{\"operations\": [\"get_lists\", \"\"]}",
            "invalid_body",
            &[],
        ),
        // A blank one is well-formed: that input's `empty` error.
        (
            "{\"operations\": [{\"operation\": \" \"}]}",
            "unresolved_operations",
            &["empty"],
        ),
        (
            "{\"operations\": [\"GET https://a.klaviyo.com:99999/api\"]}",
            "unresolved_operations",
            &["malformed"],
        ),
        (
            "{\"operations\": [\"a->b::c.d\"]}",
            "unresolved_operations",
            &["unknown_operation"],
        ),
    ];
    for (body, code, item_codes) in bodies {
        let response = app
            .client
            .post(format!("{}/v1/links", app.address))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let problem = problem(response, 422, code);
        let errors: Vec<&str> = problem["errors"]
            .as_array()
            .map(|errors| errors.iter().map(|e| e["code"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(errors, item_codes, "{body}");
    }
}

/// An empty operation text breaks the schema (`minLength: 1`) on every route
/// that takes operations: the request is refused whole, naming where; a blank
/// one is that input's `empty` error, beside the answers for the rest.
#[test]
fn empty_operations_break_the_schema_and_are_named() {
    let app = spawn_app();
    for path in ["/v1/links?op=get_lists&op=", "/go?op=&op=get_lists"] {
        let response = app.get(path);
        assert_eq!(response.status().as_u16(), 400, "{path}");
        let text = response.text().unwrap();
        assert!(
            text.contains("is empty: give an operation"),
            "{path}: {text}"
        );
    }
    let refused = problem(app.get("/v1/links?op="), 400, "invalid_parameter");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("`op[0]` is empty"),
        "{refused}"
    );
    for (path, body) in [
        (
            "/v1/audit",
            json!({"scopes": "lists:read", "operations": ["get_lists", ""]}),
        ),
        (
            "/v1/oauth/authorize-url",
            json!({
                "client_id": "c", "redirect_uri": "https://example.com/cb", "state": "s",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "operations": [{"operation": ""}]
            }),
        ),
    ] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .json(&body)
            .send()
            .unwrap();
        let refused = problem(response, 422, "invalid_body");
        assert!(
            refused["detail"].as_str().unwrap().contains("is empty"),
            "{path}: {refused}"
        );
    }
    let partial = app.get("/v1/links?op=get_lists&op=%20&partial=true");
    assert_eq!(partial.status().as_u16(), 200);
    let answer: serde_json::Value = partial.json().unwrap();
    assert_eq!(answer["scopes"], json!(["lists:read"]));
    assert_eq!(answer["errors"][0]["code"], "empty");
}

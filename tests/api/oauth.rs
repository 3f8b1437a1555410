//! `POST /v1/oauth/authorize-url` and `scopelink oauth-url`.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::common::{problem, scopelink, spawn_app, TestApp};

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn request() -> Value {
    json!({
        "client_id": "app-123",
        "redirect_uri": "https://app.example/klaviyo/callback",
        "state": "4e1c2f9a7b",
        "code_challenge": CHALLENGE,
        "operations": ["get_profiles", "POST /api/lists"]
    })
}

fn post(app: &TestApp, body: &Value, query: &str) -> reqwest::blocking::Response {
    app.client
        .post(format!("{}/v1/oauth/authorize-url{query}", app.address))
        .json(body)
        .send()
        .unwrap()
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[test]
fn answers_the_authorize_url_with_the_least_scopes() {
    let app = spawn_app();
    let response = post(&app, &request(), "");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    let url = body["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://www.klaviyo.com/oauth/authorize?"),
        "{url}"
    );
    let query = query_of(url);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], "app-123");
    assert_eq!(
        query["redirect_uri"],
        "https://app.example/klaviyo/callback"
    );
    assert_eq!(query["state"], "4e1c2f9a7b");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"], CHALLENGE);
    // The same scopes as the create-key link, space-separated.
    let link: Value = app
        .post_links(&json!({"operations": ["get_profiles", "POST /api/lists"]}))
        .json()
        .unwrap();
    assert_eq!(query["scope"], link["oauth_scope"].as_str().unwrap());
    assert_eq!(body["scope"], link["oauth_scope"]);
    assert_eq!(body["explanations"], link["explanations"]);
}

#[test]
fn secrets_are_refused_wherever_they_are_sent() {
    let app = spawn_app();
    for field in ["client_secret", "code_verifier"] {
        let mut body = request();
        body[field] = json!("s3cr3t-value-123");
        let refused = problem(post(&app, &body, ""), 422, "secret_refused");
        assert!(refused["detail"].as_str().unwrap().contains(field));
        assert!(!refused.to_string().contains("s3cr3t-value-123"));
        let refused = problem(
            post(&app, &request(), &format!("?{field}=s3cr3t")),
            422,
            "secret_refused",
        );
        assert!(!refused.to_string().contains("s3cr3t"));
    }
    let mut key = request();
    key["state"] = json!("pk_abcdef0123456789abcdef");
    let refused = problem(post(&app, &key, ""), 422, "looks_like_secret");
    assert!(!refused.to_string().contains("abcdef0123456789"));
}

#[test]
fn bad_parameters_and_inputs_are_named() {
    let app = spawn_app();
    let cases = [
        (
            "code_challenge",
            json!("plain-verifier"),
            "invalid_oauth_parameter",
        ),
        (
            "redirect_uri",
            json!("http://app.example/cb"),
            "invalid_oauth_parameter",
        ),
        (
            "code_challenge_method",
            json!("plain"),
            "invalid_oauth_parameter",
        ),
        ("state", json!(""), "invalid_oauth_parameter"),
    ];
    for (field, value, code) in cases {
        let mut body = request();
        body[field] = value;
        let refused = problem(post(&app, &body, ""), 422, code);
        assert!(
            refused["detail"].as_str().unwrap().contains(field),
            "{refused}"
        );
    }
    let mut unresolved = request();
    unresolved["operations"] = json!(["get_profils"]);
    let body = problem(post(&app, &unresolved, ""), 422, "unresolved_operations");
    assert_eq!(
        body["errors"][0]["suggestions"][1]["replacement"],
        "get_profiles"
    );
    let mut client_only = request();
    client_only["operations"] = json!(["POST /client/subscriptions"]);
    problem(post(&app, &client_only, ""), 422, "no_scopes");
    let mut missing = request();
    missing.as_object_mut().unwrap().remove("client_id");
    problem(post(&app, &missing, ""), 422, "invalid_body");
    let response = app
        .client
        .post(format!("{}/v1/oauth/authorize-url", app.address))
        .body("{}")
        .send()
        .unwrap();
    problem(response, 415, "unsupported_media_type");
}

#[test]
fn the_cli_prints_the_same_url() {
    let app = spawn_app();
    let api: Value = post(&app, &request(), "").json().unwrap();
    let out = scopelink()
        .args([
            "oauth-url",
            "--client-id",
            "app-123",
            "--redirect-uri",
            "https://app.example/klaviyo/callback",
        ])
        .args([
            "--state",
            "4e1c2f9a7b",
            "--code-challenge",
            CHALLENGE,
            "get_profiles",
            "POST /api/lists",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        api["url"].as_str().unwrap()
    );
    let bad = scopelink()
        .args([
            "oauth-url",
            "--client-id",
            "a",
            "--redirect-uri",
            "https://a.example/cb",
            "--state",
            "s",
            "--code-challenge",
            "x",
            "get_lists",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("code_challenge"));
}

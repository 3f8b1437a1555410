//! Health, metrics, CORS, request ids, security headers and rate limiting.

use scopelink::link::LinkBase;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, spawn_app_with, test_config};

#[test]
fn health_and_readiness() {
    let app = spawn_app();
    let health: Value = app.get("/healthz").json().unwrap();
    assert_eq!(health, json!({"status": "ok"}));
    let ready: Value = app.get("/readyz").json().unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["operations"], 493);
    assert_eq!(ready["revisions"], json!(["2026-07-15", "2026-07-15.pre"]));
}

#[test]
fn metrics_count_requests_latency_links_and_errors() {
    let app = spawn_app();
    app.post_links(&json!({"operations": ["get_lists"]}));
    app.post_links(&json!({"operations": ["get_profils", "PUT /api/lists"]}));
    app.get("/go?op=get_lists");
    app.get("/nowhere/pk_abcdef0123456789");
    let response = app.get("/metrics");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().unwrap();
    for line in [
        "scopelink_http_requests_total{method=\"POST\",route=\"/v1/links\",status=\"200\"} 1",
        "scopelink_http_requests_total{method=\"POST\",route=\"/v1/links\",status=\"422\"} 1",
        "scopelink_http_requests_total{method=\"GET\",route=\"/go\",status=\"302\"} 1",
        "scopelink_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "scopelink_links_built_total 2",
        "scopelink_resolution_errors_total{code=\"unknown_operation\"} 1",
        "scopelink_resolution_errors_total{code=\"method_not_allowed\"} 1",
        "scopelink_http_request_duration_seconds_count 4",
        "# TYPE scopelink_http_request_duration_seconds histogram",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
    assert!(
        !text.contains("abcdef0123456789"),
        "raw paths never reach metrics"
    );
}

#[test]
fn methods_a_client_makes_up_count_as_one_other_series() {
    let app = spawn_app();
    for method in ["FOO1", "FOO2", "BREW"] {
        let response = app
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}/healthz", app.address),
            )
            .send()
            .unwrap();
        assert_eq!(response.status(), 405, "{method}");
    }
    let text = app.get("/metrics").text().unwrap();
    assert!(
        text.contains(
            "scopelink_http_requests_total{method=\"OTHER\",route=\"/healthz\",status=\"405\"} 3\n"
        ),
        "{text}"
    );
    for method in ["FOO1", "FOO2", "BREW"] {
        assert!(
            !text.contains(method),
            "{method} is a series of its own:\n{text}"
        );
    }
}

#[test]
fn cors_allows_any_origin_without_credentials_by_default() {
    let app = spawn_app();
    let response = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/links", app.address),
        )
        .header("origin", "https://partner.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert!(response
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    let simple = app
        .client
        .get(format!("{}/v1/scopes", app.address))
        .header("origin", "https://x.example")
        .send()
        .unwrap();
    assert_eq!(simple.headers()["access-control-allow-origin"], "*");
}

#[test]
fn cors_allow_list_admits_only_its_origins() {
    let config = scopelink::config::ServeConfig {
        cors_origins: vec!["https://partner.example".into()],
        ..test_config()
    };
    let app = spawn_app_with(config, LinkBase::default());
    let allowed = app
        .client
        .get(format!("{}/v1/scopes", app.address))
        .header("origin", "https://partner.example")
        .send()
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://partner.example"
    );
    let refused = app
        .client
        .get(format!("{}/v1/scopes", app.address))
        .header("origin", "https://other.example")
        .send()
        .unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[test]
fn request_ids_and_security_headers_on_every_answer() {
    let app = spawn_app();
    for path in [
        "/healthz",
        "/v1/links?op=nope",
        "/missing",
        "/go?op=get_lists",
    ] {
        let response = app.get(path);
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(
            headers["x-request-id"].to_str().unwrap().len(),
            16,
            "{path}"
        );
    }
    let given = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-123")
        .send()
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-123");
    let key_like = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "pk_abcdef0123456789")
        .send()
        .unwrap();
    assert_ne!(key_like.headers()["x-request-id"], "pk_abcdef0123456789");
}

#[test]
fn rate_limiting_answers_429_with_retry_after() {
    let config = scopelink::config::ServeConfig {
        rate_limit_per_minute: 3,
        ..test_config()
    };
    let app = spawn_app_with(config, LinkBase::default());
    for _ in 0..3 {
        assert_eq!(app.get("/v1/scopes").status(), 200);
    }
    let response = app.get("/go?op=get_lists");
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    problem(response, 429, "rate_limited");
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            app.get(path).status(),
            200,
            "{path}: probes and scrapes are never limited"
        );
    }
    let off = spawn_app();
    for _ in 0..20 {
        assert_eq!(off.get("/v1/scopes").status(), 200, "off by default");
    }
}

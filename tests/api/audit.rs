//! `POST /v1/audit` on a real server: the report, the refusals (422, keys
//! never echoed), media type, syntax, method and limits, the revision asked
//! for, and the route in the committed OpenAPI document.

use std::path::PathBuf;

use scopelink::audit::{audit, AuditOptions, AuditSource};
use scopelink::catalog::{Catalog, CatalogSet};
use scopelink::config::{Limits, ServeConfig};
use scopelink::link::LinkBase;
use scopelink::resolve::{InputItem, StructuredInput};
use serde_json::{json, Value};

use crate::common::{
    content_type, problem, spawn_app, spawn_app_with, spawn_app_with_catalogs, spec, test_config,
    TestApp, KEY, STALE,
};

fn post_audit(app: &TestApp, body: &Value) -> reqwest::blocking::Response {
    app.client
        .post(format!("{}/v1/audit", app.address))
        .json(body)
        .send()
        .unwrap()
}

fn findings(report: &Value) -> Vec<ScopeFindingView> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| ScopeFindingView {
            given: f["given"].as_str().unwrap().to_owned(),
            status: f["status"].as_str().unwrap().to_owned(),
        })
        .collect()
}

#[derive(Debug, PartialEq)]
struct ScopeFindingView {
    given: String,
    status: String,
}

#[test]
fn http_answers_200_with_the_report() {
    let app = spawn_app();
    let response = post_audit(
        &app,
        &json!({"link": STALE, "operations": ["get_lists", {"operation": "create_template"}]}),
    );
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "application/json");
    let report: Value = response.json().unwrap();
    let statuses: Vec<String> = findings(&report).into_iter().map(|f| f.status).collect();
    assert_eq!(statuses, ["renamed", "renamed", "renamed", "unknown"]);
    assert_eq!(report["clean"], false);
    assert_eq!(report["source"], "link");
    assert_eq!(report["link"], STALE);
    assert_eq!(report["findings"][0]["current"], json!(["lists:read"]));
    assert_eq!(report["findings"][0]["needs_fix"], true);
    assert_eq!(report["intended"]["missing"], json!(["templates:read"]));
    assert_eq!(
        report["intended"]["excess"],
        json!(["campaigns:read", "campaigns:write"])
    );
    assert_eq!(
        report["intended"]["corrected_url"],
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,templates:read,templates:write"
    );
    assert_eq!(report["catalog"]["revision"], "2026-07-15");
    assert_eq!(
        report["allowed_operation_count"],
        report["allowed_operations"].as_array().unwrap().len()
    );

    // The same core answers as a library.
    let core = audit(
        &Catalog::embedded(),
        &LinkBase::default(),
        &AuditSource::Link(STALE.into()),
        &[
            InputItem::from("get_lists"),
            InputItem::Structured(StructuredInput {
                operation: "create_template".into(),
                include: vec![],
            }),
        ],
        AuditOptions::default(),
    )
    .unwrap();
    assert_eq!(report, serde_json::to_value(&core).unwrap());

    // Scopes as a list or as one string; no operations means no `intended`.
    for scopes in [
        json!(["profiles:read", "lists:read"]),
        json!("profiles:read lists:read"),
    ] {
        let report: Value = post_audit(&app, &json!({"scopes": scopes})).json().unwrap();
        assert_eq!(report["clean"], true);
        assert_eq!(report["intended"], Value::Null);
        assert_eq!(report["link"], Value::Null);
        assert_eq!(report["normalized"], json!(["lists:read", "profiles:read"]));
    }
}

#[test]
fn http_refuses_what_cannot_be_audited_with_422() {
    let app = spawn_app();
    problem(post_audit(&app, &json!({})), 422, "nothing_to_audit");
    problem(
        post_audit(&app, &json!({"operations": ["get_profiles"]})),
        422,
        "nothing_to_audit",
    );
    problem(
        post_audit(&app, &json!({"link": STALE, "scopes": ["lists:read"]})),
        422,
        "link_and_scopes",
    );
    let body = problem(
        post_audit(
            &app,
            &json!({"link": "https://evil.example/create-private-api-key?scopes=lists:read"}),
        ),
        422,
        "wrong_host",
    );
    assert!(body["detail"].as_str().unwrap().contains("evil.example"));
    problem(
        post_audit(
            &app,
            &json!({"link": "https://www.klaviyo.com/create-private-api-key"}),
        ),
        422,
        "no_scopes",
    );
    problem(
        post_audit(
            &app,
            &json!({"link": "https://www.klaviyo.com/dashboard?scopes=lists:read"}),
        ),
        422,
        "not_create_key_page",
    );
    problem(
        post_audit(
            &app,
            &json!({"scopes": "lists:read", "revision": "2020-01-01"}),
        ),
        422,
        "unknown_revision",
    );
    problem(
        post_audit(&app, &json!({"scopes": "lists:read", "partial": true})),
        422,
        "invalid_body",
    );
    problem(post_audit(&app, &json!({"scopes": 7})), 422, "invalid_body");
}

#[test]
fn http_refuses_keys_and_never_echoes_them() {
    let app = spawn_app();
    for body in [
        json!({"link": format!("https://www.klaviyo.com/create-private-api-key?scopes=lists:read,{KEY}")}),
        json!({"scopes": [KEY]}),
        json!({"scopes": format!("lists:read {KEY}")}),
    ] {
        let response = post_audit(&app, &body);
        let text = response.text().unwrap();
        assert!(!text.contains(KEY), "{text}");
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["code"], "looks_like_secret");
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("Never send API keys"));
    }
    // Keys in the wrong place are not echoed either.
    let text = post_audit(&app, &json!({"scopes": "lists:read", KEY: 1}))
        .text()
        .unwrap();
    assert!(!text.contains(KEY), "{text}");
    let text = post_audit(&app, &json!({"scopes": "lists:read", "operations": [KEY]}))
        .text()
        .unwrap();
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn http_checks_media_type_syntax_method_and_limits() {
    let app = spawn_app();
    let url = format!("{}/v1/audit", app.address);
    let plain = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body(r#"{"scopes": "lists:read"}"#)
        .send()
        .unwrap();
    problem(plain, 415, "unsupported_media_type");
    let bare = app
        .client
        .post(&url)
        .body(r#"{"scopes": "lists:read"}"#)
        .send()
        .unwrap();
    problem(bare, 415, "unsupported_media_type");
    let broken = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"scopes\": ")
        .send()
        .unwrap();
    problem(broken, 400, "malformed_json");
    let get = app.get("/v1/audit");
    assert_eq!(get.headers()["allow"], "POST");
    problem(get, 405, "method_not_allowed");

    let config = ServeConfig {
        limits: Limits {
            max_body_bytes: 4096,
            max_operations: 3,
            max_item_bytes: 200,
            ..Limits::default()
        },
        ..test_config()
    };
    let small = spawn_app_with(config, LinkBase::default());
    let body = problem(
        post_audit(&small, &json!({"scopes": "a:read b:read c:read d:read"})),
        422,
        "too_many_scopes",
    );
    assert_eq!(body["limit"], 3);
    problem(
        post_audit(
            &small,
            &json!({"scopes": "lists:read", "operations": ["a", "b", "c", "d"]}),
        ),
        422,
        "too_many_operations",
    );
    problem(
        post_audit(&small, &json!({"scopes": "x".repeat(300)})),
        422,
        "too_long",
    );
    problem(
        post_audit(&small, &json!({"scopes": "x".repeat(5000)})),
        413,
        "body_too_large",
    );
}

#[test]
fn http_audits_against_the_revision_asked_for() {
    let catalogs = CatalogSet::from_spec_files(&[
        spec("stable-2024-10-15.json"),
        spec("stable.json"),
        spec("beta.json"),
    ])
    .unwrap();
    let app = spawn_app_with_catalogs(test_config(), catalogs, LinkBase::default());
    let body = |revision: Option<&str>| {
        let mut body = json!({"scopes": ["conversations:read", "agents:read"]});
        if let Some(revision) = revision {
            body["revision"] = json!(revision);
        }
        let report: Value = post_audit(&app, &body).json().unwrap();
        report
    };
    let newest = body(None);
    assert_eq!(newest["catalog"]["revision"], "2026-07-15");
    assert_eq!(
        findings(&newest),
        [
            ScopeFindingView {
                given: "conversations:read".into(),
                status: "current".into()
            },
            ScopeFindingView {
                given: "agents:read".into(),
                status: "beta_only".into()
            },
        ]
    );
    let old = body(Some("2024-10-15"));
    assert_eq!(old["catalog"]["revision"], "2024-10-15");
    let statuses: Vec<String> = findings(&old).into_iter().map(|f| f.status).collect();
    assert_eq!(
        statuses,
        ["unknown", "unknown"],
        "neither existed in 2024-10-15"
    );
    let beta = body(Some("2026-07-15.pre"));
    assert_eq!(beta["catalog"]["revision"], "2026-07-15.pre");
    problem(
        post_audit(
            &app,
            &json!({"scopes": "lists:read", "revision": "1999-01-01"}),
        ),
        422,
        "unknown_revision",
    );
}

#[test]
fn the_committed_openapi_document_describes_the_route() {
    let document: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/scopelink.openapi.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let post = &document["paths"]["/v1/audit"]["post"];
    assert_eq!(post["operationId"], "audit_link");
    assert!(post["requestBody"]
        .to_string()
        .contains("#/components/schemas/AuditRequest"));
    for status in ["200", "400", "413", "415", "422"] {
        assert!(post["responses"][status].is_object(), "{status}");
    }
    let schemas = &document["components"]["schemas"];
    assert!(schemas["AuditRequest"]["example"]["link"].is_string());
    assert_eq!(schemas["AuditRequest"]["additionalProperties"], false);
    for name in [
        "AuditReport",
        "ScopeFinding",
        "ScopeStatus",
        "IntendedCheck",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
}

/// `docs`: every link and scope list in pasted docs, each audited as a link
/// or scope list is, against the operations given; the same answer as the
/// library's `audit_docs`; docs with none are a 422 that says what is read.
#[test]
fn http_audits_the_scope_lists_in_pasted_docs() {
    let app = spawn_app();
    let docs = "# Setup\n\n## API key scopes\n\n| Scope | Access |\n|---|---|\n| List | Read |\n| Profiles | Read |\n\nOr use https://www.klaviyo.com/create-private-api-key?scopes=list:read,profiles:read,profiles:write\n";
    let operations = ["get_lists", "create_profile"];
    let response = post_audit(&app, &json!({"docs": docs, "operations": operations}));
    assert_eq!(response.status().as_u16(), 200);
    let answer: Value = response.json().unwrap();
    assert_eq!(answer["clean"], false);
    let found = answer["found"].as_array().unwrap();
    assert_eq!(found.len(), 2, "{answer}");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["kind"].as_str()),
        (Some(7), Some("display_names"))
    );
    assert_eq!(found[0]["scopes"], json!(["lists:read", "profiles:read"]));
    assert_eq!(
        found[0]["audit"]["intended"]["missing"],
        json!(["profiles:write"])
    );
    assert_eq!(
        (found[1]["line"].as_u64(), found[1]["kind"].as_str()),
        (Some(10), Some("create_key"))
    );
    assert_eq!(found[1]["audit"]["findings"][0]["status"], "renamed");
    assert_eq!(found[1]["audit"]["intended"]["missing"], json!([]));

    let items: Vec<InputItem> = operations.iter().map(|op| InputItem::from(*op)).collect();
    let library = scopelink::audit::audit_docs(
        &Catalog::embedded(),
        &LinkBase::default(),
        docs,
        &items,
        AuditOptions::default(),
    )
    .unwrap();
    assert_eq!(answer, serde_json::to_value(&library).unwrap());

    let refused = post_audit(&app, &json!({"docs": "We sync profiles and lists."}));
    let body = problem(refused, 422, "nothing_in_docs");
    assert!(
        body["detail"].as_str().unwrap().contains("no scope list"),
        "{body}"
    );
    let both = post_audit(&app, &json!({"docs": docs, "scopes": "lists:read"}));
    problem(both, 422, "link_and_scopes");
}

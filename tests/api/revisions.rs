//! Several revisions loaded at once: a request names one and is answered from it.

use scopelink::catalog::CatalogSet;
use scopelink::link::LinkBase;
use serde_json::{json, Value};

use crate::helpers::{
    problem, spawn_app_with_catalogs, spec, spec_operations, test_config, TestApp,
};

fn spawn_with_three_specs() -> TestApp {
    let catalogs = CatalogSet::from_spec_files(&[
        spec("stable-2024-10-15.json"),
        spec("stable.json"),
        spec("beta.json"),
    ])
    .unwrap();
    spawn_app_with_catalogs(test_config(), catalogs, LinkBase::default())
}

#[test]
fn each_request_is_answered_from_the_revision_it_names() {
    let app = spawn_with_three_specs();
    let ready: Value = app.get("/readyz").json().unwrap();
    assert_eq!(
        ready["revisions"],
        json!(["2024-10-15", "2026-07-15", "2026-07-15.pre"])
    );

    let default: Value = app
        .post_links(&json!({"operations": ["get_conversation_for_profile"]}))
        .json()
        .unwrap();
    assert_eq!(
        default["catalog"]["revision"], "2026-07-15",
        "the newest stable is the default"
    );

    let old = problem(
        app.post_links(
            &json!({"operations": ["get_conversation_for_profile"], "revision": "2024-10-15"}),
        ),
        422,
        "unresolved_operations",
    );
    assert_eq!(
        old["errors"][0]["code"], "unknown_operation",
        "conversations arrived after 2024-10-15"
    );
    let old: Value = app
        .post_links(&json!({"operations": ["get_profiles"], "revision": "2024-10-15"}))
        .json()
        .unwrap();
    assert_eq!(old["catalog"]["revision"], "2024-10-15");

    // A .pre revision answers shared endpoints with the beta operation.
    let beta: Value = app
        .get("/v1/links?op=GET%20/api/campaigns&revision=2026-07-15.pre")
        .json()
        .unwrap();
    assert_eq!(beta["operations"][0]["operation_id"], "get_campaigns_beta");
    assert_eq!(beta["catalog"]["revision"], "2026-07-15.pre");
    let stable: Value = app.get("/v1/links?op=GET%20/api/campaigns").json().unwrap();
    assert_eq!(stable["operations"][0]["operation_id"], "get_campaigns");

    let listed: Value = app
        .get("/v1/operations?revision=2024-10-15")
        .json()
        .unwrap();
    assert_eq!(listed["count"], 261);
    assert_eq!(listed["catalog"]["revision"], "2024-10-15");
    let scopes: Value = app.get("/v1/scopes?revision=2024-10-15").json().unwrap();
    assert!(!scopes["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["scope"] == "conversations:read"));
    assert_eq!(
        app.get("/v1/operations/get_conversation_for_profile?revision=2024-10-15")
            .status(),
        404
    );
    assert_eq!(
        app.get("/go?op=get_profiles&revision=2024-10-15").status(),
        302
    );

    let body = problem(
        app.post_links(&json!({"operations": ["get_lists"], "revision": "2023-01-01"})),
        422,
        "unknown_revision",
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("2024-10-15, 2026-07-15, 2026-07-15.pre"),
        "{body}"
    );
    problem(app.get("/v1/scopes?revision=nope"), 422, "unknown_revision");
    // Exactly as /openapi.json lists them: no blank or padded revision.
    for revision in ["", "%202026-07-15"] {
        problem(
            app.get(&format!("/v1/scopes?revision={revision}")),
            422,
            "unknown_revision",
        );
    }
    problem(
        app.post_links(&json!({"operations": ["get_lists"], "revision": ""})),
        422,
        "unknown_revision",
    );
}

#[test]
fn the_catalog_lists_each_loaded_revision_newest_first() {
    let app = spawn_with_three_specs();
    let catalog: Value = app.get("/v1/catalog").json().unwrap();
    assert_eq!(catalog["default_revision"], "2026-07-15");
    assert_eq!(
        catalog["revisions"],
        json!([
            {"revision": "2026-07-15", "beta": false, "operations": spec_operations("stable.json").len(), "origin": "specs"},
            {"revision": "2026-07-15.pre", "beta": true, "operations": spec_operations("beta.json").len(), "origin": "specs"},
            {"revision": "2024-10-15", "beta": false, "operations": spec_operations("stable-2024-10-15.json").len(), "origin": "specs"},
        ])
    );
    problem(
        app.get("/v1/catalog?revision=2024-10-15"),
        400,
        "invalid_parameter",
    );
}

#[test]
fn go_url_names_the_revision_the_request_named_and_only_then() {
    let app = spawn_with_three_specs();
    let beta: Value = app
        .get("/v1/links?op=GET%20/api/campaigns&revision=2026-07-15.pre")
        .json()
        .unwrap();
    let go_url = beta["go_url"].as_str().unwrap();
    assert_eq!(
        go_url,
        "/go?op=GET+%2Fapi%2Fcampaigns&revision=2026-07-15.pre"
    );
    assert_eq!(
        beta["page_url"],
        "/?op=GET+%2Fapi%2Fcampaigns&revision=2026-07-15.pre"
    );
    let redirect = app.get(go_url);
    assert_eq!(redirect.status(), 302);
    assert_eq!(
        redirect.headers()["location"],
        beta["url"].as_str().unwrap()
    );
    let default: Value = app
        .post_links(&json!({"operations": ["GET /api/campaigns"]}))
        .json()
        .unwrap();
    assert_eq!(default["go_url"], "/go?op=GET+%2Fapi%2Fcampaigns");
}

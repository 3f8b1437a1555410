//! Catalog browsing: operations, one operation by any name, scopes.

use serde_json::Value;

use crate::helpers::{problem, spawn_app, spec_operations};

#[test]
fn operations_are_listed_and_filtered() {
    let app = spawn_app();
    // Counted from the specs the embedded catalog was derived from, not from the answer.
    let stable = spec_operations("stable.json");
    let beta_spec = spec_operations("beta.json");
    let all: Value = app.get("/v1/operations").json().unwrap();
    assert_eq!(all["count"], stable.len() + beta_spec.len());
    let mut listed: Vec<&str> = all["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation_id"].as_str().unwrap())
        .collect();
    let mut in_specs: Vec<&str> = stable
        .iter()
        .chain(&beta_spec)
        .map(|o| o.operation_id.as_str())
        .collect();
    listed.sort_unstable();
    in_specs.sort_unstable();
    assert_eq!(listed, in_specs, "every operation of the specs, once");
    let beta: Value = app.get("/v1/operations?beta=true").json().unwrap();
    assert_eq!(beta["count"], beta_spec.len());
    assert!(beta["operations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["operation_id"].as_str().unwrap().ends_with("_beta")));
    let scope: Value = app
        .get("/v1/operations?scope=push-tokens:read")
        .json()
        .unwrap();
    let ids: Vec<&str> = scope["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"get_push_tokens") && ids.contains(&"get_profile"),
        "{ids:?}"
    );
    let found: Value = app
        .get("/v1/operations?q=bulk-import&tag=profiles&beta=false")
        .json()
        .unwrap();
    assert!(found["count"].as_u64().unwrap() >= 3);
    for op in found["operations"].as_array().unwrap() {
        assert_eq!(op["tag"], "Profiles");
        assert!(op["path"].as_str().unwrap().contains("bulk-import"));
    }
    problem(
        app.get("/v1/operations?beta=sometimes"),
        400,
        "invalid_parameter",
    );
    problem(app.get("/v1/operations?search=x"), 400, "invalid_parameter");
}

#[test]
fn one_operation_by_operation_id_alias_camel_case_or_sdk_name() {
    let app = spawn_app();
    for name in [
        "get_profile_lists",
        "get_lists_for_profile",
        "getListsForProfile",
        "klaviyo.Profiles.get_lists_for_profile",
        "$klaviyo->Profiles->getProfileLists",
    ] {
        let response = app.get(&format!("/v1/operations/{}", urlencode(name)));
        assert_eq!(response.status(), 200, "{name}");
        let body: Value = response.json().unwrap();
        assert_eq!(body["path"], "/api/profiles/{id}/lists", "{name}");
    }
    let profile: Value = app.get("/v1/operations/get_profile").json().unwrap();
    assert_eq!(profile["scopes"], serde_json::json!(["profiles:read"]));
    let includes: Vec<&str> = profile["includes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        includes,
        ["conversations", "lists", "push-tokens", "segments"]
    );
    assert_eq!(profile["sdk_methods"]["node"], "ProfilesApi.getProfile");
    let body = problem(
        app.get("/v1/operations/get_profils"),
        404,
        "unknown_operation",
    );
    assert_eq!(body["suggestions"][0]["replacement"], "get_profile");
}

#[test]
fn scopes_list_every_scope_with_its_operations() {
    let app = spawn_app();
    let body: Value = app.get("/v1/scopes").json().unwrap();
    let scopes = body["scopes"].as_array().unwrap();
    // Every scope some operation of the specs lists, from the specs themselves.
    let in_specs: Vec<String> = spec_operations("stable.json")
        .iter()
        .chain(&spec_operations("beta.json"))
        .flat_map(|o| o.scopes.iter().cloned())
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    let listed: Vec<&str> = scopes
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(listed, in_specs);
    assert_eq!(body["count"], in_specs.len());
    let lists = scopes.iter().find(|s| s["scope"] == "lists:read").unwrap();
    assert!(lists["operations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "get_lists"));
    let push = scopes
        .iter()
        .find(|s| s["scope"] == "push-tokens:read")
        .unwrap();
    assert!(push["includes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["operation_id"] == "get_profile" && i["include"] == "push-tokens"));
    assert!(
        scopes.iter().any(|s| s["scope"] == "agents:read"),
        "beta-only families are listed"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[test]
fn the_catalog_names_the_embedded_revisions_and_the_default() {
    let app = spawn_app();
    let response = app.get("/v1/catalog");
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let catalog: Value = response.json().unwrap();
    assert_eq!(
        catalog,
        serde_json::json!({
            "default_revision": "2026-07-15",
            "revisions": [
                {"revision": "2026-07-15", "beta": false, "operations": spec_operations("stable.json").len(), "origin": "embedded"},
                {"revision": "2026-07-15.pre", "beta": true, "operations": spec_operations("beta.json").len(), "origin": "embedded"},
            ]
        })
    );
    let again = app
        .client
        .get(format!("{}/v1/catalog", app.address))
        .header("if-none-match", format!("\"other\", W/{etag}"))
        .send()
        .unwrap();
    assert_eq!(again.status(), 304, "a weak tag in a list matches");
}

//! The served OpenAPI document equals the committed one, and the docs UI
//! works offline.

use std::path::PathBuf;

use serde_json::Value;

use crate::helpers::spawn_app;

fn committed() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/scopelink.openapi.json"),
    )
    .unwrap()
}

#[test]
fn served_document_equals_the_committed_one() {
    let app = spawn_app();
    let served = app.get("/openapi.json").text().unwrap();
    assert!(
        served == committed(),
        "openapi/scopelink.openapi.json is stale: run `cargo run -- openapi > openapi/scopelink.openapi.json`"
    );
    let printed = crate::helpers::scopelink().arg("openapi").output().unwrap();
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), served);
}

#[test]
fn document_covers_every_route_with_examples() {
    let document: Value = serde_json::from_str(&committed()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/v1/links",
        "/go",
        "/v1/operations",
        "/v1/operations/{operation_id}",
        "/v1/scopes",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
    assert!(paths["/v1/links"]["post"]["requestBody"]
        .to_string()
        .contains("#/components/schemas/LinksRequest"));
    assert!(document["components"]["schemas"]["LinksRequest"]["example"]["operations"].is_array());
    assert!(paths["/v1/links"]["post"]["responses"]["422"].is_object());
}

#[test]
fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app();
    let redirect = app.get("/docs");
    assert_eq!(redirect.status(), 308);
    let page = app.get("/docs/");
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("swagger-ui"));
    assert_eq!(app.get("/docs/swagger-ui-bundle.js").status(), 200);
    let initializer = app.get("/docs/swagger-initializer.js").text().unwrap();
    assert!(initializer.contains("/openapi.json"), "{initializer}");
}

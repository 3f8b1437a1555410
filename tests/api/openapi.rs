//! The served OpenAPI document equals the committed one, and the docs UI
//! works offline.

use std::path::PathBuf;

use serde_json::Value;

use scopelink::link::LinkBase;

use crate::helpers::{problem, spawn_app, spawn_app_with_catalogs, spec, test_config};

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
    let routes = scopelink::http::route_table();
    let mut documented = 0;
    for (path, item) in paths {
        documented += item.as_object().unwrap().len();
        for method in item.as_object().unwrap().keys() {
            assert!(
                routes
                    .iter()
                    .any(|r| &r.path == path && r.method == method.to_uppercase()),
                "{method} {path} is documented but not in the route table"
            );
        }
    }
    assert_eq!(documented, routes.len(), "every route is documented once");
    let app = spawn_app();
    for route in &routes {
        let operation = &paths[&route.path][route.method.to_lowercase()];
        assert!(
            operation["operationId"].is_string() && operation["summary"].is_string(),
            "{} {} has an operationId and a summary",
            route.method,
            route.path
        );
        // The route is served: whatever the answer to an empty request, it is not "no such route".
        let url = format!(
            "{}{}",
            app.address,
            route.path.replace("{operation_id}", "get_profiles")
        );
        let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
        let response = app.client.request(method, url).send().unwrap();
        assert!(
            ![404, 405].contains(&response.status().as_u16()),
            "{} {} answered {}",
            route.method,
            route.path,
            response.status()
        );
    }
    assert!(paths["/v1/links"]["post"]["requestBody"]
        .to_string()
        .contains("#/components/schemas/LinksRequest"));
    assert!(document["components"]["schemas"]["LinksRequest"]["example"]["operations"].is_array());
    assert!(paths["/v1/links"]["post"]["responses"]["422"].is_object());
    // An audit takes exactly one of `link` and `scopes`.
    let audit = &paths["/v1/audit"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        audit["allOf"][0]["$ref"],
        "#/components/schemas/AuditRequest"
    );
    assert_eq!(
        audit["allOf"][1]["oneOf"][0]["required"],
        serde_json::json!(["link"])
    );
    assert_eq!(
        audit["allOf"][1]["oneOf"][1]["required"],
        serde_json::json!(["scopes"])
    );
}

#[test]
fn a_method_a_route_does_not_have_is_a_405_naming_the_ones_it_has() {
    let app = spawn_app();
    for route in scopelink::http::route_table() {
        let allowed: Vec<String> = scopelink::http::route_table()
            .into_iter()
            .filter(|r| r.path == route.path)
            .map(|r| r.method)
            .collect();
        let url = format!(
            "{}{}",
            app.address,
            route.path.replace("{operation_id}", "get_profiles")
        );
        let response = app.client.delete(url).send().unwrap();
        assert_eq!(
            response.headers()["allow"],
            allowed.join(", "),
            "{}",
            route.path
        );
        problem(response, 405, "method_not_allowed");
    }
}

#[test]
fn revision_inputs_are_enums_of_the_loaded_revisions() {
    let document: Value = serde_json::from_str(&committed()).unwrap();
    let revisions = serde_json::json!(["2026-07-15", "2026-07-15.pre"]);
    let mut seen = 0;
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["name"] == "revision" {
                    assert_eq!(parameter["schema"]["enum"], revisions);
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, 6, "the revision query parameters");
    for schema in ["LinksRequest", "AuditRequest", "AuthorizeUrlRequest"] {
        let revision = &document["components"]["schemas"][schema]["properties"]["revision"];
        assert_eq!(
            revision["enum"],
            serde_json::json!(["2026-07-15", "2026-07-15.pre", null]),
            "{schema}"
        );
    }
    // Built for the loaded catalogs: another set of revisions, another enum.
    let catalogs =
        scopelink::catalog::CatalogSet::from_spec_files(&[spec("stable-2024-10-15.json")]).unwrap();
    let app = spawn_app_with_catalogs(test_config(), catalogs, LinkBase::default());
    let served: Value = app.get("/openapi.json").json().unwrap();
    assert_eq!(
        served["paths"]["/v1/scopes"]["get"]["parameters"][0]["schema"]["enum"],
        serde_json::json!(["2024-10-15"])
    );
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

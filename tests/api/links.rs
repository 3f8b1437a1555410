//! `POST /v1/links` and `GET /v1/links`.

use scopelink::catalog::Catalog;
use scopelink::link::{LinkBase, LinkReport};
use scopelink::resolve::{InputItem, ResolveOptions};
use serde_json::{json, Value};

use crate::helpers::{ops_query, problem, spawn_app};

#[test]
fn post_answers_the_link_with_every_part_the_library_gives() {
    let app = spawn_app();
    let inputs = json!(["GET /api/profiles/{id}?include=lists", {"operation": "get_events", "include": ["metric"]}, "klaviyo.Lists.create_list"]);
    let response = app.post_links(&json!({"operations": inputs}));
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().unwrap();
    assert_eq!(
        body["url"],
        "https://www.klaviyo.com/create-private-api-key?scopes=events:read,lists:read,lists:write,metrics:read,profiles:read"
    );
    assert_eq!(
        body["oauth_scope"],
        "events:read lists:read lists:write metrics:read profiles:read"
    );
    assert_eq!(body["operations"][1]["operation_id"], "get_events");
    assert_eq!(body["operations"][2]["matched_by"], "sdk_method");
    assert_eq!(body["explanations"].as_array().unwrap().len(), 5);
    assert_eq!(body["catalog"]["origin"], "embedded");
    assert_eq!(body["catalog"]["sources"][1]["revision"], "2026-07-15.pre");

    // The same code path as the library and the CLI.
    let items: Vec<InputItem> = serde_json::from_value(inputs).unwrap();
    let direct = LinkReport::build(
        &Catalog::embedded(),
        &LinkBase::default(),
        &items,
        ResolveOptions::default(),
    );
    let mut body = body;
    let urls = body.as_object_mut().unwrap();
    let go_url = urls.remove("go_url").unwrap();
    let page_url = urls.remove("page_url").unwrap();
    assert_eq!(body, serde_json::to_value(direct).unwrap());
    assert_eq!(
        go_url,
        "/go?op=GET+%2Fapi%2Fprofiles%2F%7Bid%7D%3Finclude%3Dlists&op=get_events%3Finclude%3Dmetric&op=klaviyo.Lists.create_list"
    );
    assert_eq!(page_url, go_url.as_str().unwrap().replacen("/go?", "/?", 1));
}

#[test]
fn go_url_reproduces_the_answer_and_page_url_keeps_the_failures_but_not_keys() {
    let app = spawn_app();
    let key = "pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2";
    let inputs = json!([
        "get_profils",
        {"operation": "GET /api/profiles/{id}", "include": ["lists", "segments"]},
        format!("GET /api/lists?k={key}"),
        "$klaviyo->Events->getEvents",
    ]);
    let text = app
        .post_links(&json!({"operations": inputs, "minimal": true, "partial": true}))
        .text()
        .unwrap();
    assert!(!text.contains(&key[3..]), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let go_url = body["go_url"].as_str().unwrap();
    assert_eq!(
        go_url,
        "/go?op=GET+%2Fapi%2Fprofiles%2F%7Bid%7D%3Finclude%3Dlists%2Csegments&op=%24klaviyo-%3EEvents-%3EgetEvents&minimal=true"
    );
    let redirect = app.get(go_url);
    assert_eq!(redirect.status(), 302);
    assert_eq!(
        redirect.headers()["location"],
        body["url"].as_str().unwrap()
    );
    assert_eq!(
        body["page_url"],
        "/?op=get_profils&op=GET+%2Fapi%2Fprofiles%2F%7Bid%7D%3Finclude%3Dlists%2Csegments&op=%24klaviyo-%3EEvents-%3EgetEvents&minimal=true"
    );
    // The same query answers GET /v1/links with the same scopes and the same go_url.
    let get: Value = app
        .get(&go_url.replacen("/go?", "/v1/links?", 1))
        .json()
        .unwrap();
    assert_eq!(get["scopes"], body["scopes"]);
    assert_eq!(get["go_url"], go_url);
    assert_eq!(get["errors"], json!([]));
    assert_eq!(body["errors"][0]["code"], "unknown_operation");
    assert_eq!(body["errors"][1]["code"], "looks_like_secret");
}

#[test]
fn minimal_gives_exactly_the_spec_scopes() {
    let app = spawn_app();
    let body: Value = app
        .post_links(&json!({"operations": ["create_list"], "minimal": true}))
        .json()
        .unwrap();
    assert_eq!(body["scopes"], json!(["lists:write"]));
    assert_eq!(body["minimal"], true);
}

#[test]
fn an_unresolvable_input_is_a_422_naming_each_failed_item() {
    let app = spawn_app();
    let response =
        app.post_links(&json!({"operations": ["get_profiles", "get_profils", "PUT /api/lists"]}));
    let body = problem(response, 422, "unresolved_operations");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["index"], 1);
    assert_eq!(errors[0]["input"], "get_profils");
    assert_eq!(errors[0]["code"], "unknown_operation");
    assert_eq!(errors[0]["suggestions"][1]["replacement"], "get_profiles");
    assert_eq!(errors[1]["code"], "method_not_allowed");
    assert_eq!(errors[1]["accepted"], json!(["GET", "POST"]));
    assert!(body.get("url").is_none(), "no link while an input fails");
}

#[test]
fn partial_answers_200_with_the_good_inputs_and_the_errors() {
    let app = spawn_app();
    let response = app.post_links(
        &json!({"operations": ["get_profiles", "nope_nope", "POST /api/lists"], "partial": true}),
    );
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    assert_eq!(
        body["scopes"],
        json!(["lists:read", "lists:write", "profiles:read"])
    );
    assert_eq!(body["errors"][0]["index"], 1);
    assert_eq!(body["errors"][0]["code"], "unknown_operation");
}

#[test]
fn get_answers_as_post_does_and_is_cacheable() {
    let app = spawn_app();
    let ops = [
        "get_profiles",
        "POST /api/lists",
        "GET /api/catalog-items/$custom:::$default:::SKU?include=variants",
    ];
    let post: Value = app.post_links(&json!({"operations": ops})).json().unwrap();
    let response = app.get(&format!("/v1/links?{}", ops_query(&ops)));
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let get: Value = response.json().unwrap();
    assert_eq!(get, post);

    let again = app
        .client
        .get(format!("{}/v1/links?{}", app.address, ops_query(&ops)))
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);
    // If-None-Match compares weakly (RFC 9110 §13.1.2): a weak tag matches too.
    let weak = app
        .client
        .get(format!("{}/v1/links?{}", app.address, ops_query(&ops)))
        .header("if-none-match", format!("W/{etag}"))
        .send()
        .unwrap();
    assert_eq!(weak.status(), 304);
    assert_eq!(weak.headers()["etag"], etag.as_str());
    let other = app.get(&format!("/v1/links?{}&minimal=true", ops_query(&ops)));
    assert_ne!(
        other.headers()["etag"].to_str().unwrap(),
        etag,
        "another answer, another tag"
    );

    let minimal: Value = app
        .get("/v1/links?op=create_list&minimal=true")
        .json()
        .unwrap();
    assert_eq!(minimal["scopes"], json!(["lists:write"]));
    problem(
        app.get("/v1/links?op=get_profils"),
        422,
        "unresolved_operations",
    );
    let partial: Value = app
        .get("/v1/links?op=get_profils&op=get_lists&partial=1")
        .json()
        .unwrap();
    assert_eq!(partial["scopes"], json!(["lists:read"]));
}

#[test]
fn get_refuses_unknown_and_bad_parameters() {
    let app = spawn_app();
    let body = problem(
        app.get("/v1/links?ops=get_profiles"),
        400,
        "invalid_parameter",
    );
    assert!(body["detail"].as_str().unwrap().contains("`ops`"));
    problem(
        app.get("/v1/links?op=get_profiles&minimal=maybe"),
        400,
        "invalid_parameter",
    );
    problem(app.get("/v1/links"), 422, "no_operations");
}

#[test]
fn keys_are_refused_and_never_echoed() {
    let app = spawn_app();
    let key = "pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2";
    let response = app.post_links(
        &json!({"operations": [format!("GET /api/profiles?api_key={key}"), "get_lists"]}),
    );
    let text = response.text().unwrap();
    assert!(!text.contains(&key[3..]), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["errors"][0]["code"], "looks_like_secret");
    assert_eq!(
        body["errors"][0]["input"],
        "GET /api/profiles?api_key=pk_***"
    );
    let response = app.get(&format!("/v1/links?op={key}"));
    assert!(!response.text().unwrap().contains(&key[3..]));
}

#[test]
fn identical_requests_get_identical_answers_and_are_counted_each_time() {
    let app = spawn_app();
    let body = json!({"operations": ["get_profiles", "get_profils"], "partial": true});
    let first = app.post_links(&body).text().unwrap();
    let second = app.post_links(&body).text().unwrap();
    assert_eq!(first, second);
    let metrics = app.get("/metrics").text().unwrap();
    assert!(
        metrics.contains("scopelink_links_built_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("scopelink_resolution_errors_total{code=\"unknown_operation\"} 2"),
        "{metrics}"
    );
}

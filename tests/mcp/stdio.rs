//! `scopelink mcp` over stdio: tools and their schemas, answers equal to the
//! CLI's, errors with suggestions, keys refused, limits, resources.

use rmcp::model::{CallToolRequestParams, ReadResourceRequestParams, ResourceContents};
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn initialize_gives_instructions_and_tools_with_schemas() {
    let client = stdio_client(&[], None).await;
    let info = client.peer_info().expect("the server introduced itself");
    assert_eq!(info.server_info.as_ref().unwrap().name, "scopelink");
    let instructions = info.instructions.clone().expect("instructions");
    for needle in [
        "klaviyo_link",
        "klaviyo_search_operations",
        "klaviyo_audit_link",
        "API key",
    ] {
        assert!(instructions.contains(needle), "{needle}: {instructions}");
    }
    assert!(!instructions.contains("\n\n"), "one paragraph");

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for name in [
        "klaviyo_link",
        "klaviyo_search_operations",
        "klaviyo_audit_link",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for tool in &tools {
        let input = Value::Object((*tool.input_schema).clone());
        assert_eq!(input["type"], "object", "{}", tool.name);
        let output = Value::Object((*tool.output_schema.clone().expect("outputSchema")).clone());
        assert_eq!(output["type"], "object", "{}", tool.name);
        assert!(
            !output.to_string().contains("#/components/"),
            "{}",
            tool.name
        );
        assert!(tool.description.as_deref().is_some_and(|d| d.len() > 40));
    }
    let link = tools.iter().find(|t| t.name == "klaviyo_link").unwrap();
    let input = Value::Object((*link.input_schema).clone());
    assert_eq!(input["required"], json!(["operations"]));
    assert!(input["properties"]["minimal"].is_object());
    let output = Value::Object((*link.output_schema.clone().unwrap()).clone());
    for field in ["url", "scopes", "explanations", "warnings", "errors"] {
        assert!(output["properties"][field].is_object(), "{field}: {output}");
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn klaviyo_link_answers_what_the_cli_answers() {
    let client = stdio_client(&[], None).await;
    let inputs = [
        "GET /api/profiles/{id}?include=lists",
        "POST /api/lists",
        "klaviyo.Events.get_events",
        "POST /client/subscriptions",
    ];
    let result = call(&client, "klaviyo_link", json!({ "operations": inputs })).await;
    assert!(!is_error(&result), "{}", text(&result));
    let mut cli = vec!["link", "--json"];
    cli.extend(inputs);
    let expected = cli_json(&cli);
    assert_eq!(result.structured_content, Some(expected.clone()));
    let summary = text(&result);
    assert!(
        summary.contains(expected["url"].as_str().unwrap()),
        "{summary}"
    );
    assert!(
        summary.contains("warning:"),
        "the /client warning: {summary}"
    );

    let minimal = call(
        &client,
        "klaviyo_link",
        json!({ "operations": ["POST /api/lists"], "minimal": true }),
    )
    .await;
    assert_eq!(
        minimal.structured_content,
        Some(cli_json(&[
            "link",
            "--json",
            "--minimal",
            "POST /api/lists"
        ]))
    );
    assert_eq!(
        minimal.structured_content.unwrap()["scopes"],
        json!(["lists:write"])
    );

    let structured = call(
        &client,
        "klaviyo_link",
        json!({ "operations": [{"operation": "get_events", "include": ["metric"]}] }),
    )
    .await;
    let report = structured.structured_content.unwrap();
    assert_eq!(
        report["scopes"],
        cli_json(&["link", "--json", "GET /api/events?include=metric"])["scopes"]
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_misspelt_operation_is_a_tool_error_with_suggestions() {
    let client = stdio_client(&[], None).await;
    let result = call(
        &client,
        "klaviyo_link",
        json!({ "operations": ["get_profils", "POST /api/lists"] }),
    )
    .await;
    assert!(is_error(&result));
    let report = result
        .structured_content
        .clone()
        .expect("the report still comes");
    assert_eq!(report["errors"][0]["code"], "unknown_operation");
    let suggestions: Vec<&str> = report["errors"][0]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["replacement"].as_str().unwrap())
        .collect();
    assert!(suggestions.contains(&"get_profiles"), "{suggestions:?}");
    // The good input still resolves.
    assert_eq!(report["scopes"], json!(["lists:read", "lists:write"]));
    let summary = text(&result);
    assert!(
        summary.contains("input 1 `get_profils`") && summary.contains("did you mean `get_profile`"),
        "{summary}"
    );

    let unknown_revision = call(
        &client,
        "klaviyo_link",
        json!({ "operations": ["get_profiles"], "revision": "1999-01-01" }),
    )
    .await;
    assert!(is_error(&unknown_revision));
    assert!(
        text(&unknown_revision).contains("unknown_revision")
            && text(&unknown_revision).contains("2026-07-15"),
        "{}",
        text(&unknown_revision)
    );

    let wrong_shape = call(
        &client,
        "klaviyo_link",
        json!({ "operation": "get_profiles" }),
    )
    .await;
    assert!(is_error(&wrong_shape));
    assert!(
        text(&wrong_shape).contains("invalid_arguments")
            && text(&wrong_shape).contains("operation"),
        "{}",
        text(&wrong_shape)
    );

    let no_such_tool = client
        .call_tool(CallToolRequestParams::new("klaviyo_make_key"))
        .await;
    let message = no_such_tool
        .expect_err("an unknown tool is a protocol error")
        .to_string();
    assert!(message.contains("klaviyo_link"), "{message}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn keys_are_refused_and_never_echoed_or_logged() {
    let log = std::env::temp_dir().join(format!("scopelink-mcp-keys-{}.log", std::process::id()));
    let client = stdio_client(&[], Some(&log)).await;
    let link = call(
        &client,
        "klaviyo_link",
        json!({ "operations": [FAKE_KEY, "get_profiles"] }),
    )
    .await;
    assert!(is_error(&link));
    let report = link.structured_content.clone().unwrap();
    assert_eq!(report["errors"][0]["code"], "looks_like_secret");
    assert_eq!(report["scopes"], json!(["profiles:read"]));

    let search = call(
        &client,
        "klaviyo_search_operations",
        json!({ "query": format!("profiles {FAKE_KEY}") }),
    )
    .await;
    let audit = call(
        &client,
        "klaviyo_audit_link",
        json!({ "scopes": [FAKE_KEY] }),
    )
    .await;
    let in_link = call(
        &client,
        "klaviyo_audit_link",
        json!({ "link": format!("https://www.klaviyo.com/create-private-api-key?scopes=lists:read&key={FAKE_KEY}") }),
    )
    .await;
    for refused in [&search, &audit, &in_link] {
        assert!(is_error(refused));
        assert!(
            text(refused).contains("looks_like_secret"),
            "{}",
            text(refused)
        );
    }
    let resource = client
        .read_resource(ReadResourceRequestParams::new(format!(
            "scopelink://operations/{FAKE_KEY}"
        )))
        .await;
    assert!(resource.is_err());
    for result in [&link, &search, &audit, &in_link] {
        let whole = serde_json::to_string(result).unwrap();
        assert!(!whole.contains(FAKE_KEY), "echoed: {whole}");
    }
    assert!(!resource.unwrap_err().to_string().contains(FAKE_KEY));
    client.cancel().await.unwrap();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("tool call"), "the log is written: {logged}");
    assert!(!logged.contains(FAKE_KEY), "logged: {logged}");
    let _ = std::fs::remove_file(&log);
}

#[tokio::test]
async fn search_and_audit_answer_what_the_cli_answers() {
    let client = stdio_client(&[], None).await;
    let search = call(
        &client,
        "klaviyo_search_operations",
        json!({ "query": "profile", "scope": "lists:read", "limit": 256 }),
    )
    .await;
    assert!(!is_error(&search), "{}", text(&search));
    let found = search.structured_content.unwrap();
    let expected = cli_json(&[
        "operations",
        "--search",
        "profile",
        "--scope",
        "lists:read",
        "--json",
    ]);
    assert_eq!(found["operations"], expected);
    assert_eq!(found["total"], expected.as_array().unwrap().len());
    assert!(found["count"].as_u64().unwrap() > 0);

    let limited = call(&client, "klaviyo_search_operations", json!({ "limit": 3 })).await;
    let limited = limited.structured_content.unwrap();
    assert_eq!(limited["count"], 3);
    assert!(limited["total"].as_u64().unwrap() > 100);
    let all = cli_json(&["operations", "--json"]);
    assert_eq!(limited["operations"], json!(all.as_array().unwrap()[..3]));

    let bad_limit = call(&client, "klaviyo_search_operations", json!({ "limit": 0 })).await;
    assert!(is_error(&bad_limit) && text(&bad_limit).contains("limit"));

    let link =
        "https://www.klaviyo.com/create-private-api-key?scopes=list:read,campaigns:full,bogus:read";
    let audit = call(
        &client,
        "klaviyo_audit_link",
        json!({ "link": link, "operations": ["get_lists", "get_profiles"] }),
    )
    .await;
    assert!(!is_error(&audit), "{}", text(&audit));
    let expected = cli_json(&[
        "audit",
        link,
        "--op",
        "get_lists",
        "--op",
        "get_profiles",
        "--json",
    ]);
    assert_eq!(audit.structured_content, Some(expected.clone()));
    assert_eq!(expected["clean"], false);
    let summary = text(&audit);
    assert!(
        summary.contains("corrected link:") && summary.contains("renamed"),
        "{summary}"
    );

    let neither = call(&client, "klaviyo_audit_link", json!({})).await;
    assert!(
        is_error(&neither) && text(&neither).contains("nothing_to_audit"),
        "{}",
        text(&neither)
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_json_api_limits_apply() {
    let client = stdio_client(&["--max-operations", "2", "--max-item-bytes", "40"], None).await;
    let many = call(
        &client,
        "klaviyo_link",
        json!({ "operations": ["get_profiles", "get_lists", "get_events"] }),
    )
    .await;
    assert!(is_error(&many));
    assert!(text(&many).contains("too_many_operations") && text(&many).contains("limit is 2"));

    let long = call(
        &client,
        "klaviyo_link",
        json!({ "operations": [format!("GET /api/profiles/{}", "x".repeat(60))] }),
    )
    .await;
    assert!(is_error(&long));
    assert_eq!(
        long.structured_content.unwrap()["errors"][0]["code"],
        "too_long"
    );

    let empty = call(&client, "klaviyo_link", json!({ "operations": [] })).await;
    assert!(is_error(&empty) && text(&empty).contains("no_operations"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn resources_list_revisions_and_describe_operations() {
    let client = stdio_client(&[], None).await;
    let resources = client.list_all_resources().await.unwrap();
    assert!(resources.iter().any(|r| r.uri == "scopelink://revisions"));
    let templates = client.list_all_resource_templates().await.unwrap();
    assert!(templates
        .iter()
        .any(|t| t.uri_template == "scopelink://operations/{operationId}"));

    let read = |uri: &str| {
        let request = ReadResourceRequestParams::new(uri.to_owned());
        let client = &client;
        async move { client.read_resource(request).await }
    };
    let revisions = read("scopelink://revisions").await.unwrap();
    let revisions: Value = serde_json::from_str(contents_text(&revisions.contents[0])).unwrap();
    assert_eq!(revisions["default"], "2026-07-15");
    let names: Vec<&str> = revisions["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2026-07-15", "2026-07-15.pre"]);

    let operation = read("scopelink://operations/getProfiles").await.unwrap();
    let operation: Value = serde_json::from_str(contents_text(&operation.contents[0])).unwrap();
    assert_eq!(operation["operation_id"], "get_profiles");
    assert_eq!(operation["scopes"], json!(["profiles:read"]));
    assert_eq!(
        operation["sdk_methods"]["python"],
        "klaviyo.Profiles.get_profiles"
    );
    let listed = cli_json(&["operations", "--json"]);
    let from_cli = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["operation_id"] == "get_profiles")
        .unwrap();
    for (key, value) in from_cli.as_object().unwrap() {
        assert_eq!(&operation[key], value, "{key}");
    }

    let unknown = read("scopelink://operations/get_profils")
        .await
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("did you mean `get_profile`"), "{unknown}");
    let elsewhere = read("scopelink://nothing").await.unwrap_err().to_string();
    assert!(elsewhere.contains("scopelink://revisions"), "{elsewhere}");
    client.cancel().await.unwrap();
}

fn contents_text(contents: &ResourceContents) -> &str {
    match contents {
        ResourceContents::TextResourceContents { text, .. } => text,
        other => panic!("text contents, not {other:?}"),
    }
}

/// `klaviyo_audit_link` with `docs`: the README an assistant is editing,
/// audited list by list as `scopelink audit --docs --json` does.
#[tokio::test]
async fn audit_reads_the_scope_lists_in_docs_text() {
    let client = stdio_client(&[], None).await;
    let docs = "## Required scopes\n\n| Scope | Access |\n|---|---|\n| List | Read |\n| Profiles | Read |\n";
    let audit = call(
        &client,
        "klaviyo_audit_link",
        json!({ "docs": docs, "operations": ["get_lists", "create_profile"] }),
    )
    .await;
    assert!(!is_error(&audit), "{}", text(&audit));
    let report = audit.structured_content.clone().unwrap();
    assert_eq!(report["clean"], false);
    assert_eq!(report["found"][0]["kind"], "display_names");
    assert_eq!(
        report["found"][0]["audit"]["intended"]["missing"],
        json!(["profiles:write"])
    );
    assert!(
        text(&audit).contains("missing: profiles:write"),
        "{}",
        text(&audit)
    );
    let dir = std::env::temp_dir().join(format!("scopelink-mcp-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("README.md");
    std::fs::write(&file, docs).unwrap();
    let expected = cli_json(&[
        "audit",
        "--docs",
        file.to_str().unwrap(),
        "--op",
        "get_lists",
        "--op",
        "create_profile",
        "--json",
    ]);
    assert_eq!(report, expected);
    let _ = std::fs::remove_dir_all(&dir);

    let nothing = call(
        &client,
        "klaviyo_audit_link",
        json!({ "docs": "We sync profiles." }),
    )
    .await;
    assert!(is_error(&nothing));
    assert!(
        text(&nothing).contains("nothing_in_docs"),
        "{}",
        text(&nothing)
    );
    client.cancel().await.unwrap();
}

//! `/mcp` on the real server: the same tools (without `klaviyo_scan`), the
//! same answers as the CLI, Host and Origin checks, bounded sessions.

use serde_json::{json, Value};

use crate::helpers::*;
use scopelink::config::{McpConfig, ServeConfig};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;

/// A raw `initialize` POST, as a browser or a legacy client would send it.
fn post_initialize(address: &str, headers: &[(&str, &str)]) -> reqwest::blocking::Response {
    let client = reqwest::blocking::Client::new();
    let mut request = client
        .post(format!("{address}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(INITIALIZE);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().expect("the server answers")
}

fn problem(response: reqwest::blocking::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], code, "{body}");
    body
}

#[tokio::test]
async fn the_tools_over_http_answer_what_the_cli_answers() {
    let address = spawn_server(test_config());
    let client = http_client(&address).await;
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "scopelink");
    assert!(info.instructions.as_deref().unwrap().contains("API key"));
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "klaviyo_link",
            "klaviyo_search_operations",
            "klaviyo_audit_link"
        ],
        "no klaviyo_scan on a hosted server"
    );
    for tool in &tools {
        assert!(tool.output_schema.is_some(), "{}", tool.name);
    }

    let inputs = ["GET /api/profiles/{id}?include=lists", "POST /api/lists"];
    let link = call(&client, "klaviyo_link", json!({ "operations": inputs })).await;
    assert!(!is_error(&link), "{}", text(&link));
    let mut cli = vec!["link", "--json"];
    cli.extend(inputs);
    assert_eq!(link.structured_content, Some(cli_json(&cli)));

    let search = call(
        &client,
        "klaviyo_search_operations",
        json!({ "tag": "Lists", "limit": 256 }),
    )
    .await;
    assert_eq!(
        search.structured_content.unwrap()["operations"],
        cli_json(&["operations", "--tag", "Lists", "--json"])
    );

    let audit = call(
        &client,
        "klaviyo_audit_link",
        json!({ "scopes": "list:read profiles:read" }),
    )
    .await;
    assert_eq!(
        audit.structured_content,
        Some(cli_json(&["audit", "list:read profiles:read", "--json"]))
    );

    let misspelt = call(
        &client,
        "klaviyo_link",
        json!({ "operations": ["get_lsts"] }),
    )
    .await;
    assert!(is_error(&misspelt));
    assert!(
        text(&misspelt).contains("did you mean `get_lists`"),
        "{}",
        text(&misspelt)
    );

    let key = call(&client, "klaviyo_link", json!({ "operations": [FAKE_KEY] })).await;
    assert!(is_error(&key));
    assert!(!serde_json::to_string(&key).unwrap().contains(FAKE_KEY));

    let scan = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("klaviyo_scan")
                .with_arguments(arguments(json!({ "paths": ["."] }))),
        )
        .await;
    assert!(scan.is_err(), "a hosted server has no klaviyo_scan");
    client.cancel().await.unwrap();
}

#[test]
fn a_foreign_origin_or_host_is_refused() {
    let address = spawn_server(test_config());
    let port = address.rsplit(':').next().unwrap().to_owned();

    let body = problem(
        post_initialize(&address, &[("origin", "https://evil.example")]),
        403,
        "origin_refused",
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("https://evil.example"),
        "{body}"
    );
    // DNS rebinding: the page's own origin, under a name that is not ours.
    let rebound = format!("evil.example:{port}");
    problem(
        post_initialize(
            &address,
            &[
                ("host", rebound.as_str()),
                ("origin", format!("http://{rebound}").as_str()),
            ],
        ),
        403,
        "host_refused",
    );

    // Non-browser clients (no Origin) and loopback pages are served.
    for headers in [
        vec![],
        vec![("origin", "http://localhost:5173")],
        vec![("origin", "http://127.0.0.1:6274")],
    ] {
        let response = post_initialize(&address, &headers);
        assert_eq!(response.status().as_u16(), 200, "{headers:?}");
        assert!(response.headers().contains_key("mcp-session-id"));
    }
}

#[test]
fn configured_origins_and_hosts_are_served() {
    let config = ServeConfig {
        mcp: McpConfig {
            mcp_allowed_origins: vec!["https://assistant.example".into()],
            mcp_allowed_hosts: vec!["scopelink.example".into()],
            ..McpConfig::default()
        },
        ..test_config()
    };
    let address = spawn_server(config);
    let ok = post_initialize(
        &address,
        &[
            ("host", "scopelink.example"),
            ("origin", "https://assistant.example"),
        ],
    );
    assert_eq!(ok.status().as_u16(), 200);
    problem(
        post_initialize(
            &address,
            &[
                ("host", "scopelink.example"),
                ("origin", "https://other.example"),
            ],
        ),
        403,
        "origin_refused",
    );
    // Loopback names are no longer served once the list names other hosts.
    problem(post_initialize(&address, &[]), 403, "host_refused");
}

#[test]
fn sessions_are_bounded_in_number_and_idle_time() {
    let config = ServeConfig {
        mcp: McpConfig {
            mcp_max_sessions: 2,
            mcp_session_idle_secs: 1,
            ..McpConfig::default()
        },
        ..test_config()
    };
    let address = spawn_server(config);
    for _ in 0..2 {
        let response = post_initialize(&address, &[]);
        assert_eq!(response.status().as_u16(), 200);
    }
    let full = problem(post_initialize(&address, &[]), 503, "too_many_sessions");
    assert_eq!(full["limit"], 2);

    // Idle sessions are closed by the server, which frees their places; wait
    // for that (bounded), asserting only that it happens.
    let mut reopened = false;
    for _ in 0..120 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        let response = post_initialize(&address, &[]);
        if response.status().as_u16() == 200 {
            reopened = true;
            break;
        }
        assert_eq!(response.status().as_u16(), 503);
    }
    assert!(reopened, "idle sessions were never closed");
}

//! `klaviyo_scan` over stdio: the same answer as `scopelink scan --json`,
//! confined to the working directory or to the roots the client declares.

// Roots are deprecated from protocol 2026-07-28 on (SEP-2577); today's clients
// still declare them, and the server honours them.
#![allow(deprecated)]

use std::path::{Path, PathBuf};

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ListRootsResult,
    ProtocolVersion, Root,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{json, Value};

use crate::helpers::*;

/// A client that declares the user's project as its one root.
#[derive(Clone)]
struct WithRoots(Vec<PathBuf>);

impl ClientHandler for WithRoots {
    fn get_info(&self) -> ClientConfig {
        let mut config = ClientConfig::new(
            ClientCapabilities::builder().enable_roots().build(),
            Implementation::new("roots-test", "0"),
        );
        config.protocol_version = ProtocolVersion::V_2025_06_18;
        config
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(
            self.0
                .iter()
                .map(|dir| Root::new(url::Url::from_directory_path(dir).unwrap().to_string()))
                .collect(),
        ))
    }
}

/// A project with SDK calls, a raw request and a call whose path is computed.
fn project(name: &str) -> (PathBuf, PathBuf) {
    let work = std::env::temp_dir().join(format!("scopelink-mcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let project = work.join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::create_dir_all(work.join("elsewhere")).unwrap();
    std::fs::write(
        project.join("src/sync.py"),
        "import requests\nfrom klaviyo_api import KlaviyoAPI\n\nklaviyo = KlaviyoAPI(key)\n\
         klaviyo.Profiles.get_profiles()\nklaviyo.Lists.create_list(body)\n\
         requests.get(\"https://a.klaviyo.com/api/events?include=metric\", headers=h)\n\
         requests.post(f\"https://a.klaviyo.com/api/{kind}/\", json=body)\n",
    )
    .unwrap();
    std::fs::write(
        work.join("elsewhere/other.py"),
        "klaviyo.Campaigns.get_campaigns()\n",
    )
    .unwrap();
    (
        work.canonicalize().unwrap(),
        project.canonicalize().unwrap(),
    )
}

async fn spawn<H: ClientHandler>(handler: H, cwd: &Path) -> RunningService<RoleClient, H> {
    let mut command = tokio::process::Command::new(BIN);
    command.arg("mcp").current_dir(cwd);
    let transport = TokioChildProcess::new(command).expect("scopelink mcp starts");
    handler.serve(transport).await.expect("initialize succeeds")
}

async fn scan<H: ClientHandler>(
    client: &RunningService<RoleClient, H>,
    args: Value,
) -> rmcp::model::CallToolResult {
    client
        .call_tool(CallToolRequestParams::new("klaviyo_scan").with_arguments(arguments(args)))
        .await
        .expect("klaviyo_scan answers with a result")
}

/// `scopelink scan --json ARGS…`, run in `cwd`.
fn cli_scan(cwd: &Path, args: &[&str]) -> Value {
    let output = std::process::Command::new(BIN)
        .arg("scan")
        .arg("--json")
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).expect("scan prints JSON")
}

fn result_text(result: &rmcp::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect()
}

#[tokio::test]
async fn scan_in_the_working_directory_equals_the_cli() {
    let (work, project) = project("cwd");
    let client = spawn((), &project).await;
    let result = scan(&client, json!({ "paths": ["src"] })).await;
    assert_eq!(result.is_error, Some(false), "{}", result_text(&result));
    let expected = cli_scan(&project, &["src"]);
    assert_eq!(result.structured_content, Some(expected.clone()));
    assert_eq!(
        expected["scopes"],
        json!([
            "events:read",
            "lists:read",
            "lists:write",
            "metrics:read",
            "profiles:read"
        ])
    );
    assert_eq!(expected["unresolved"][0]["reason"], "dynamic_path");
    let summary = result_text(&result);
    assert!(
        summary.contains("src/sync.py:5") && summary.contains("not readable"),
        "{summary}"
    );

    let link = "https://www.klaviyo.com/create-private-api-key?scopes=profile:read,lists:write";
    let checked = scan(&client, json!({ "paths": ["src"], "check": link })).await;
    let expected = cli_scan(&project, &["src", "--check", link]);
    assert_eq!(checked.structured_content, Some(expected.clone()));
    assert_eq!(expected["passed"], false);
    assert!(
        result_text(&checked).contains("check failed: missing"),
        "{}",
        result_text(&checked)
    );

    // The declared output schema names every field of the answer.
    let tools = scopelink::mcp::scan::definitions();
    let schema = tools[0].output_schema.as_ref().expect("an output schema");
    let root = serde_json::Value::Object((**schema).clone());
    let declared = declared_fields(&root, &root);
    for answer in [&result, &checked] {
        let value = answer.structured_content.clone().unwrap();
        for field in value.as_object().unwrap().keys() {
            assert!(
                declared.contains(field),
                "{field} is not in the schema's {declared:?}"
            );
        }
    }

    for outside in ["..", "../elsewhere", "/etc", "src/../../elsewhere/other.py"] {
        let refused = scan(&client, json!({ "paths": ["src", outside] })).await;
        assert_eq!(refused.is_error, Some(true), "{outside}");
        let text = result_text(&refused);
        assert!(
            text.contains("path_outside_roots")
                && text.contains(outside)
                && text.contains(&project.display().to_string()),
            "{text}"
        );
        assert!(refused.structured_content.is_none());
    }
    let missing = scan(&client, json!({ "paths": ["nope"] })).await;
    assert!(result_text(&missing).contains("path_not_found"));
    let none = scan(&client, json!({ "paths": [] })).await;
    assert!(result_text(&none).contains("no_paths"));
    client.cancel().await.unwrap();
    std::fs::remove_dir_all(&work).unwrap();
}

#[tokio::test]
async fn scan_is_confined_to_the_roots_the_client_declares() {
    let (work, project) = project("roots");
    // The server runs in the parent directory, but the client's root is the project.
    let client = spawn(WithRoots(vec![project.clone()]), &work).await;
    let result = scan(&client, json!({ "paths": ["src"] })).await;
    assert_eq!(result.is_error, Some(false), "{}", result_text(&result));
    assert_eq!(
        result.structured_content,
        Some(cli_scan(&project, &["src"]))
    );

    let absolute = project.join("src").display().to_string();
    let inside = scan(&client, json!({ "paths": [absolute] })).await;
    assert_eq!(inside.is_error, Some(false));

    let elsewhere = work.join("elsewhere").display().to_string();
    let refused = scan(&client, json!({ "paths": [elsewhere] })).await;
    assert_eq!(refused.is_error, Some(true));
    let text = result_text(&refused);
    assert!(
        text.contains("path_outside_roots") && text.contains(&project.display().to_string()),
        "{text}"
    );
    client.cancel().await.unwrap();

    // A client that declares roots, none of them readable, may read nothing.
    let client = spawn(WithRoots(vec![work.join("gone")]), &project).await;
    let refused = scan(&client, json!({ "paths": ["src"] })).await;
    assert!(
        result_text(&refused).contains("no_roots"),
        "{}",
        result_text(&refused)
    );
    client.cancel().await.unwrap();
    std::fs::remove_dir_all(&work).unwrap();
}

/// The property names a JSON Schema declares at its top level, through
/// `allOf` and local `$ref`s (a flattened struct is an `allOf`).
fn declared_fields(
    schema: &serde_json::Value,
    root: &serde_json::Value,
) -> std::collections::BTreeSet<String> {
    let mut fields: std::collections::BTreeSet<String> = schema["properties"]
        .as_object()
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(reference) = schema["$ref"].as_str() {
        let target = root
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{reference} resolves in the schema"));
        fields.extend(declared_fields(target, root));
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        fields.extend(declared_fields(part, root));
    }
    fields
}

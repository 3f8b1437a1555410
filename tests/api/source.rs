//! `POST /v1/links/from-source` on the real server: the same answer as
//! `scopelink scan --json` on the same files, its limits, `check`, skipped
//! files, and keys never echoed.

use std::path::{Path, PathBuf};

use reqwest::blocking::Response;
use serde_json::{json, Value};

use scopelink::config::Limits;
use scopelink::link::LinkBase;

use crate::helpers::{problem, scopelink, spawn_app, spawn_app_with, test_config, TestApp};

const KEY: &str = "pk_5e4d3c2b1a09f8e7d6c5b4a3928170f6e5";

fn post(app: &TestApp, body: &Value) -> Response {
    app.client
        .post(format!("{}/v1/links/from-source", app.address))
        .json(body)
        .send()
        .unwrap()
}

/// Every file of the scanner's fixture projects, as `project/file`.
fn fixture_files() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scan/fixtures");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    assert!(files.len() >= 9, "the fixture projects are there");
    files
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy();
            // A file that is not UTF-8 cannot be sent as JSON text.
            if let Ok(content) = std::fs::read_to_string(&path) {
                files.push((relative.replace('\\', "/"), content));
            }
        }
    }
}

fn files_json(files: &[(String, String)]) -> Value {
    files
        .iter()
        .map(|(path, content)| json!({"path": path, "content": content}))
        .collect()
}

/// A directory in the temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn with(name: &str, files: &[(String, String)]) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("scopelink-source-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, content) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, content).unwrap();
        }
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `scopelink scan . --json ARGS` in `dir`, parsed.
fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let output = scopelink()
        .current_dir(dir)
        .args(["scan", ".", "--json"])
        .args(args)
        .output()
        .unwrap();
    // 2 where a check cannot pass (files naming Klaviyo unread): the answer is printed still.
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_answer_equals_scan_json_on_the_same_files() {
    let files = fixture_files();
    let dir = TempDir::with("fixtures", &files);
    let app = spawn_app();

    let response = post(&app, &json!({ "files": files_json(&files) }));
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let answer: Value = response.json().unwrap();
    assert_eq!(answer, cli_json(&dir.0, &[]));
    assert!(answer["calls"].as_array().unwrap().len() > 10, "{answer}");
    assert!(!answer["unresolved"].as_array().unwrap().is_empty());
    let at = answer["explanations"][0]["calls"][0]["at"]
        .as_str()
        .unwrap();
    assert!(
        files
            .iter()
            .any(|(path, _)| at.starts_with(&format!("{path}:"))),
        "paths are the given ones: {at}"
    );

    // With `minimal`, and a scope list to check: still the CLI's answer.
    let check = "profiles:read,lists:read";
    let response = post(
        &app,
        &json!({ "files": files_json(&files), "minimal": true, "check": check }),
    );
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().unwrap();
    assert_eq!(answer, cli_json(&dir.0, &["--minimal", "--check", check]));
    assert_eq!(answer["minimal"], true);
}

#[test]
fn check_names_the_missing_scopes_with_their_calls_and_the_corrected_link() {
    let files: Vec<(String, String)> = fixture_files()
        .into_iter()
        .filter(|(path, _)| path.starts_with("python-sdk/"))
        .collect();
    let app = spawn_app();
    let link = "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read,campaigns:read";
    let answer: Value = post(&app, &json!({ "files": files_json(&files), "check": link }))
        .json()
        .unwrap();
    let check = &answer["check"];
    assert_eq!(answer["passed"], false);
    assert_eq!(check["passed"], false);
    let missing: Vec<&str> = check["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["scope"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        [
            "lists:write",
            "profiles:write",
            "segments:read",
            "subscriptions:read",
            "subscriptions:write"
        ]
    );
    assert_eq!(
        check["missing"][0]["calls"][0]["at"],
        "python-sdk/sync.py:28"
    );
    assert_eq!(check["excess"], json!(["campaigns:read"]));
    assert_eq!(check["corrected_url"], answer["url"]);

    // Everything given: the gate passes.
    let scopes = answer["scopes"].as_array().unwrap().clone();
    let all: Vec<&str> = scopes.iter().map(|s| s.as_str().unwrap()).collect();
    let answer: Value = post(
        &app,
        &json!({ "files": files_json(&files), "check": all.join(" ") }),
    )
    .json()
    .unwrap();
    assert_eq!(answer["passed"], true);
    assert_eq!(answer["check"]["missing"], json!([]));

    // A check that cannot be read is a problem naming `check`.
    let body = problem(
        post(
            &app,
            &json!({ "files": files_json(&files), "check": "https://example.com/keys" }),
        ),
        422,
        "wrong_host",
    );
    assert!(
        body["detail"].as_str().unwrap().starts_with("`check`: "),
        "{body}"
    );
    let response = post(&app, &json!({ "files": files_json(&files), "check": KEY }));
    let text = response.text().unwrap();
    assert!(
        text.contains("looks_like_secret") && !text.contains(&KEY[3..]),
        "{text}"
    );
}

fn limited() -> TestApp {
    let mut config = test_config();
    config.limits = Limits {
        max_source_files: 3,
        max_source_file_bytes: 100,
        max_source_total_bytes: 200,
        max_source_calls: 3,
        max_body_bytes: 1000,
        ..Limits::default()
    };
    spawn_app_with(config, LinkBase::default())
}

fn file(path: &str, bytes: usize) -> Value {
    let line = "requests.get('https://a.klaviyo.com/api/lists')\n";
    let mut content = line.repeat(bytes / line.len() + 1);
    content.truncate(bytes);
    json!({"path": path, "content": content})
}

#[test]
fn each_limit_is_its_own_problem_naming_the_limit_its_value_and_the_file() {
    let app = limited();
    let within = json!({ "files": [file("a.py", 40), file("b.py", 40)] });
    assert_eq!(post(&app, &within).status(), 200);

    let four: Vec<Value> = (0..4).map(|i| file(&format!("f{i}.py"), 10)).collect();
    let body = problem(
        post(&app, &json!({ "files": four })),
        422,
        "too_many_source_files",
    );
    assert_eq!(body["limit"], 3);
    assert_eq!(body["limit_name"], "max_source_files");
    assert!(
        body["detail"].as_str().unwrap().contains("4 files"),
        "{body}"
    );
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("SCOPELINK_MAX_SOURCE_FILES"));

    let body = problem(
        post(
            &app,
            &json!({ "files": [file("ok.py", 10), file("big/gen.py", 101)] }),
        ),
        413,
        "source_file_too_large",
    );
    assert_eq!(body["limit"], 100);
    assert_eq!(body["limit_name"], "max_source_file_bytes");
    assert_eq!(body["file"], "big/gen.py");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("`big/gen.py` has 101 bytes"));

    let body = problem(
        post(
            &app,
            &json!({ "files": [file("a.py", 90), file("b.py", 90), file("c.py", 90)] }),
        ),
        413,
        "sources_too_large",
    );
    assert_eq!(body["limit"], 200);
    assert_eq!(body["limit_name"], "max_source_total_bytes");
    assert_eq!(body["file"], "c.py");

    // More calls than `max_source_calls`: the scan stops, and says so.
    let many = json!({ "files": [file("a.py", 100), file("b.py", 100)] });
    let body = problem(post(&app, &many), 422, "too_many_source_calls");
    assert_eq!(body["limit"], 3);
    assert_eq!(body["limit_name"], "max_source_calls");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("SCOPELINK_MAX_SOURCE_CALLS"));

    // A body over what the total allows is refused before it is read whole.
    let huge = json!({ "files": [{"path": "a.py", "content": "x".repeat(5000)}] });
    let body = problem(post(&app, &huge), 413, "sources_too_large");
    assert_eq!(body["limit_name"], "max_source_total_bytes");
    assert!(body.get("file").is_none());
}

#[test]
fn the_body_limit_is_the_source_total_not_the_json_one() {
    let app = spawn_app();
    // 300 KiB, far over the 64 KiB JSON limit of the other routes.
    let files: Vec<Value> = (0..3)
        .map(|i| file(&format!("part{i}.py"), 100 * 1024))
        .collect();
    let response = post(&app, &json!({ "files": files }));
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().unwrap();
    assert_eq!(answer["files_scanned"], 3);
    assert_eq!(answer["scopes"], json!(["lists:read"]));
    // The same body on /v1/links is over its limit.
    let response = app
        .client
        .post(format!("{}/v1/links", app.address))
        .json(&json!({ "operations": ["get_lists"], "pad": "x".repeat(100 * 1024) }))
        .send()
        .unwrap();
    problem(response, 413, "body_too_large");
}

#[test]
fn a_key_in_a_file_is_scanned_and_never_echoed() {
    let app = spawn_app();
    let content = format!(
        "import requests\nAPI_KEY = \"{KEY}\"\n\ndef profiles():\n    return requests.get(\"https://a.klaviyo.com/api/profiles/?api_key={KEY}\", headers={{\"Authorization\": \"Klaviyo-API-Key {KEY}\"}})\n\ndef dynamic(url):\n    return requests.post(url + \"{KEY}\")\n"
    );
    let body = json!({ "files": [
        {"path": "sync.py", "content": content},
        {"path": format!("keys/{KEY}.py"), "content": "x = 1\n"}
    ]});
    let response = post(&app, &body);
    assert_eq!(response.status(), 200);
    let text = response.text().unwrap();
    assert!(!text.contains(&KEY[3..]), "the key is echoed: {text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["calls"][0]["operation_id"], "get_profiles");
    assert_eq!(answer["calls"][0]["line"], 5);
    assert!(answer["calls"][0]["excerpt"]
        .as_str()
        .unwrap()
        .contains("pk_***"));
    assert_eq!(answer["files_scanned"], 2);

    // A key in a misplaced content is not quoted back by a shape error.
    let response = post(
        &app,
        &json!({ "files": [{"path": "a.py", "content": "x"}], "minimal": content }),
    );
    let text = response.text().unwrap();
    assert!(
        !text.contains(&KEY[3..]) && !text.contains("import requests"),
        "{text}"
    );
}

#[test]
fn bad_items_are_skipped_and_the_others_scanned() {
    let app = spawn_app();
    let body = json!({ "files": [
        {"path": "", "content": "requests.get('https://a.klaviyo.com/api/events')"},
        {"path": "README.md", "content": "requests.get('https://a.klaviyo.com/api/campaigns')"},
        {"path": "src/lists.py", "content": "import requests\nrequests.get('https://a.klaviyo.com/api/lists')\n"},
        {"path": "src/lists.py", "content": "import requests\nrequests.get('https://a.klaviyo.com/api/segments')\n"}
    ]});
    let response = post(&app, &body);
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().unwrap();
    assert_eq!(answer["scopes"], json!(["lists:read"]));
    assert_eq!(answer["files_scanned"], 1);
    assert_eq!(answer["calls"][0]["file"], "src/lists.py");
    assert_eq!(answer["calls"][0]["line"], 2);
    let skipped = answer["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3, "{answer}");
    assert_eq!(skipped[0]["file"], "");
    assert!(skipped[0]["reason"]
        .as_str()
        .unwrap()
        .contains("path is empty"));
    assert_eq!(skipped[1]["file"], "README.md");
    assert!(skipped[1]["reason"].as_str().unwrap().contains(".py"));
    assert_eq!(skipped[2]["file"], "src/lists.py");
    assert!(skipped[2]["reason"].as_str().unwrap().contains("same path"));
}

#[test]
fn unknown_fields_bad_shapes_and_media_types_are_problems() {
    let app = spawn_app();
    let body = problem(
        post(&app, &json!({ "files": [], "strict": true })),
        422,
        "invalid_body",
    );
    assert!(
        body["detail"].as_str().unwrap().contains("`strict`"),
        "{body}"
    );
    let body = problem(
        post(
            &app,
            &json!({ "files": [{"path": "a.py", "content": "", "lang": "python"}] }),
        ),
        422,
        "invalid_body",
    );
    assert!(
        body["detail"].as_str().unwrap().contains("`lang`"),
        "{body}"
    );
    problem(post(&app, &json!({ "minimal": true })), 422, "invalid_body");
    problem(
        post(&app, &json!({ "files": [], "revision": "2020-01-01" })),
        422,
        "unknown_revision",
    );
    let response = app
        .client
        .post(format!("{}/v1/links/from-source", app.address))
        .header("content-type", "application/json")
        .body("{\"files\": [")
        .send()
        .unwrap();
    problem(response, 400, "malformed_json");
    let response = app
        .client
        .post(format!("{}/v1/links/from-source", app.address))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .unwrap();
    problem(response, 415, "unsupported_media_type");
}

/// Code in a language not scanned that calls Klaviyo is named with its
/// line; with it, or with no call at all, a `check` cannot pass, and the
/// answer says why instead of giving an empty link.
#[test]
fn unread_code_and_no_calls_are_said_and_fail_a_check() {
    let app = spawn_app();
    let files = json!({
        "files": [
            {"path": "lib/klaviyo.ex", "content": "# Elixir\nHTTPoison.get(\"https://a.klaviyo.com/api/lists\")\n"},
            {"path": "app/main.py", "content": "print('hello')\n"},
        ],
        "check": "lists:read",
    });
    let response = post(&app, &files);
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().unwrap();
    assert!(answer["url"].is_null(), "no empty link: {answer}");
    assert_eq!(answer["unscanned"][0]["file"], "lib/klaviyo.ex");
    assert_eq!(answer["unscanned"][0]["language"], "Elixir");
    assert_eq!(answer["unscanned"][0]["line"], 2);
    assert_eq!(answer["passed"], false);
    let incomplete: Vec<&str> = answer["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(incomplete.len(), 2, "{incomplete:?}");
    assert!(
        incomplete[0].starts_with("no current Klaviyo API call was found in the 1 files scanned")
    );
    assert!(incomplete[1].contains("lib/klaviyo.ex"));
    assert_eq!(
        answer["files_by_language"],
        json!([{"language": "python", "files": 1}])
    );
}

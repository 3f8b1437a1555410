//! The "From source code" panel in real headless Chromium: files chosen on
//! its file input are read in the browser (a binary one left out, with a
//! note), scanned by `POST /v1/links/from-source`, and shown as the API
//! answers them; "Use these operations" puts them in the builder. Files
//! dropped on the panel go the same way.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::page::{assert_clean_console, emulate, link_report, open_page, settled, DESKTOP};
use crate::tools::{screenshots_at_both_widths, text_of, texts, visible, wait_visible};
use crate::webdriver::Browser;

/// Files the test writes and removes.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("scopelink-browser-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the temp dir is writable");
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("the temp file is writable");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/scan/fixtures")
            .join(path),
    )
    .expect("the scanner's fixtures are there")
}

fn from_source(app: &TestApp, files: &[(&str, &str)]) -> Value {
    let files: Vec<Value> = files
        .iter()
        .map(|(path, content)| json!({"path": path, "content": content}))
        .collect();
    let response = app
        .client
        .post(format!("{}/v1/links/from-source", app.address))
        .json(&json!({ "files": files, "minimal": false }))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().unwrap()
}

fn at(value: &Value) -> String {
    format!("{}:{}", value["file"].as_str().unwrap(), value["line"])
}

#[test]
fn source_files_give_the_link_their_calls_and_the_builder_operations() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    emulate(&browser, DESKTOP, false);
    open_page(&app, &browser, "/");

    let dir = TempDir::new("source");
    let python = fixture("python-sdk/sync.py");
    let javascript = fixture("js-raw/client.js");
    let paths = [
        dir.write("sync.py", python.as_bytes()),
        dir.write("client.js", javascript.as_bytes()),
        dir.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ];
    let answer = from_source(&app, &[("sync.py", &python), ("client.js", &javascript)]);
    assert!(
        !answer["unresolved"].as_array().unwrap().is_empty(),
        "{answer}"
    );

    let chosen: Vec<&str> = paths
        .iter()
        .map(|p| p.to_str().expect("a UTF-8 temp path"))
        .collect();
    browser.send_keys(&browser.find("#source-files"), &chosen.join("\n"));
    wait_visible(&browser, "#source-link-box");

    // The link, and each scope with the calls that need it, as the API answers.
    assert_eq!(
        text_of(&browser, "#source-url"),
        answer["url"].as_str().unwrap()
    );
    let scopes: Vec<String> = answer["explanations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["scope"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts(&browser, "#source-scopes > li > .scope"), scopes);
    let mut every_site = Vec::new();
    for explanation in answer["explanations"].as_array().unwrap() {
        let sites: Vec<String> = explanation["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|site| site["at"].as_str().unwrap().to_owned())
            .collect();
        let css = format!(
            "#source-scopes > li[data-scope='{}'] .at",
            explanation["scope"].as_str().unwrap()
        );
        assert_eq!(texts(&browser, &css), sites);
        every_site.extend(sites);
    }
    for file in ["sync.py:", "client.js:"] {
        assert!(
            every_site.iter().any(|site| site.starts_with(file)),
            "{every_site:?}"
        );
    }
    let unresolved: Vec<String> = answer["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(at)
        .collect();
    assert_eq!(texts(&browser, "#source-unresolved .at"), unresolved);
    assert!(text_of(&browser, "#source-status").starts_with("Scanned 2 files"));
    let notes = texts(&browser, "#source-notes li");
    assert_eq!(notes, ["logo.png: a binary file; left out."]);
    // The panel fits a phone and a desktop.
    let shots = screenshots_at_both_widths(&browser, "source");
    assert!(!shots.is_empty());

    // "Use these operations" adds each operation found once, with its includes.
    let mut items: Vec<String> = Vec::new();
    for op in answer["operations"].as_array().unwrap() {
        let id = op["operation_id"].as_str().unwrap();
        let includes: Vec<&str> = op["includes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        let label = if includes.is_empty() {
            id.to_owned()
        } else {
            format!("{id}?include={}", includes.join(","))
        };
        if !items.contains(&label) {
            items.push(label);
        }
    }
    assert!(items.len() > 3, "{items:?}");
    assert_eq!(
        text_of(&browser, "#source-use"),
        format!("Use these {} operations", items.len())
    );
    browser.click(&browser.find("#source-use"));
    let expected = link_report(&app, &items, false);
    assert!(
        expected["errors"].as_array().unwrap().is_empty(),
        "{expected}"
    );
    assert_eq!(
        expected["url"], answer["url"],
        "the builder's link is the code's"
    );
    settled(&browser, &items, |s| {
        s.errors == 0 && s.link == answer["url"]
    });
    assert!(text_of(&browser, "#source-status")
        .starts_with(&format!("Added {} operations", items.len())));
    assert_clean_console(&browser);
}

#[test]
fn files_dropped_on_the_panel_are_scanned_like_chosen_ones() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    emulate(&browser, DESKTOP, false);
    open_page(&app, &browser, "/");

    let python = fixture("python-sdk/sync.py");
    let answer = from_source(&app, &[("sync.py", &python)]);

    // A drag of files lights the zone up; the drop reads them and scans them.
    let over = browser.execute(
        "const [name, text] = arguments;
         const zone = document.getElementById('source-drop');
         const transfer = new DataTransfer();
         transfer.items.add(new File([text], name, { type: 'text/x-python' }));
         window.dropped = transfer;
         zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
         return zone.classList.contains('over');",
        vec![json!("sync.py"), json!(python)],
    );
    assert_eq!(over, json!(true), "the zone shows a drag of files over it");
    let lit = browser.execute(
        "const zone = document.getElementById('source-drop');
         zone.dispatchEvent(new DragEvent('drop', { dataTransfer: window.dropped, bubbles: true, cancelable: true }));
         return zone.classList.contains('over');",
        vec![],
    );
    assert_eq!(lit, json!(false), "the highlight goes with the drop");
    wait_visible(&browser, "#source-link-box");
    browser.wait_for("the dropped file's link", || {
        (text_of(&browser, "#source-url") == answer["url"].as_str().unwrap()).then_some(())
    });
    assert_clean_console(&browser);
}

/// Code that only calls the retired API, a file in a language Scopelink
/// does not read, and a Klaviyo path whose method nothing says: the panel
/// gives no link (never an empty `scopes=`), lists each retired call with
/// its replacements and the key they need, names the unread file, and
/// shows the operations the undecided call may be.
#[test]
fn retired_calls_unread_files_and_undecided_calls_are_shown_not_dropped() {
    let app = spawn_app();
    let browser = Browser::start(DESKTOP.0, DESKTOP.1);
    emulate(&browser, DESKTOP, false);
    open_page(&app, &browser, "/");

    let dir = TempDir::new("retired");
    let legacy = fixture("retired-calls/python/legacy.py");
    let elixir = fixture("unread-files/lib/klaviyo.ex");
    let undecided = "import requests\nLISTS = \"https://a.klaviyo.com/api/lists\"\n";
    let answer = from_source(
        &app,
        &[
            ("legacy.py", &legacy),
            ("klaviyo.ex", &elixir),
            ("consts.py", undecided),
        ],
    );
    assert!(answer["url"].is_null(), "{answer}");
    assert_eq!(answer["retired"].as_array().unwrap().len(), 4, "{answer}");
    let paths = [
        dir.write("legacy.py", legacy.as_bytes()),
        dir.write("klaviyo.ex", elixir.as_bytes()),
        dir.write("consts.py", undecided.as_bytes()),
    ];
    let chosen: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    browser.send_keys(&browser.find("#source-files"), &chosen.join("\n"));
    wait_visible(&browser, "#source-retired-box");

    // No link, and the status says why.
    assert!(!visible(&browser, "#source-link-box"));
    let status = text_of(&browser, "#source-status");
    assert!(status.contains("4 calls to the retired API"), "{status}");
    assert!(status.contains("No link is given"), "{status}");

    // Each retired call, where it is, and what replaces it.
    let retired: Vec<String> = answer["retired"]
        .as_array()
        .unwrap()
        .iter()
        .map(at)
        .collect();
    assert_eq!(texts(&browser, "#source-retired .at"), retired);
    let first = &answer["retired"][0];
    let shown = text_of(&browser, "#source-retired > li:first-child");
    for replacement in first["replaced_by"].as_array().unwrap() {
        assert!(
            shown.contains(replacement["operation_id"].as_str().unwrap()),
            "{shown}"
        );
    }
    assert_eq!(
        text_of(&browser, "#source-migration"),
        answer["migration"]["url"].as_str().unwrap()
    );

    // The Elixir file that calls Klaviyo: named, with its line.
    wait_visible(&browser, "#source-unread-box");
    assert_eq!(texts(&browser, "#source-unread .at"), ["klaviyo.ex:2"]);

    // The constant holding a Klaviyo path: the operations it may be, and what each adds.
    let candidates = texts(&browser, "#source-unresolved .candidates li");
    assert_eq!(candidates.len(), 2, "{candidates:?}");
    assert!(
        candidates[0].contains("get_lists") && candidates[0].contains("lists:read"),
        "{candidates:?}"
    );
    assert!(
        candidates[1].contains("create_list") && candidates[1].contains("lists:write"),
        "{candidates:?}"
    );
    assert_clean_console(&browser);
}

//! `--check-docs` on the scope lists real docs hold instead of links (the
//! fixture docs in `tests/scan/docs/`, against `code.py` there, which needs
//! `lists:read`, `profiles:read` and `profiles:write`): scope ids in bullets,
//! tables and inline code; display names with levels in tables, HTML and
//! prose; Read-Only and Full Access keys; prose that is not a scope list.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scan/docs")
}

fn check_docs(doc: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scopelink"))
        .current_dir(docs_dir())
        .args(["scan", "code.py", "--check-docs", doc])
        .args(extra)
        .output()
        .unwrap()
}

/// One list found in a doc: (line, kind, scopes read, missing, excess).
type Found = (u64, String, Vec<String>, Vec<String>, Vec<String>);

/// Each list found in the doc, and whether the gate passed.
fn found(doc: &str) -> (Vec<Found>, bool) {
    let output = check_docs(doc, &["--json"]);
    let text = String::from_utf8_lossy(&output.stdout);
    let answer: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{doc}: {e}: {text}"));
    assert_eq!(
        answer["scopes"],
        serde_json::json!(["lists:read", "profiles:read", "profiles:write"])
    );
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|v| {
                        v.as_str()
                            .unwrap_or_else(|| v["scope"].as_str().unwrap())
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let lists = answer["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|doc| {
            (
                doc["link"]["line"].as_u64().unwrap(),
                doc["link"]["kind"].as_str().unwrap().to_owned(),
                strings(&doc["link"]["scopes"]),
                strings(&doc["checked"]["missing"]),
                strings(&doc["checked"]["excess"]),
            )
        })
        .collect();
    (lists, answer["passed"].as_bool().unwrap())
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

#[test]
fn scope_ids_in_bullets_tables_and_inline_code_are_checked() {
    let (lists, passed) = found("bullets-right.md");
    assert_eq!(
        lists,
        [(
            7,
            "scope_ids".to_owned(),
            owned(&["profiles:read", "profiles:write", "lists:read"]),
            vec![],
            vec![]
        )]
    );
    assert!(passed);

    let (lists, passed) = found("bullets-missing.md");
    assert_eq!(lists[0].3, owned(&["profiles:write"]));
    assert!(!passed);

    let (lists, passed) = found("table-excess.md");
    assert_eq!(lists.len(), 1);
    assert_eq!((lists[0].0, lists[0].1.as_str()), (5, "scope_ids"));
    assert!(lists[0].3.is_empty());
    assert_eq!(lists[0].4, owned(&["segments:write"]));
    assert!(passed, "an excess scope fails only with --strict");
    assert_eq!(
        check_docs("table-excess.md", &["--strict"]).status.code(),
        Some(1)
    );

    // reStructuredText: ``id`` in a list under an underlined heading; one id
    // mentioned in a sentence is not a list.
    let (lists, passed) = found("scopes.rst");
    assert_eq!(
        lists,
        [(
            4,
            "scope_ids".to_owned(),
            owned(&["profiles:read", "profiles:write", "lists:read"]),
            vec![],
            vec![]
        )]
    );
    assert!(passed);
}

#[test]
fn display_names_with_levels_are_read_as_the_key_page_names_them() {
    // `List` is lists (its name on the key page), Full is read and write.
    let (lists, passed) = found("display-table.md");
    assert_eq!(
        lists,
        [(
            5,
            "display_names".to_owned(),
            owned(&[
                "lists:read",
                "profiles:read",
                "segments:read",
                "segments:write"
            ]),
            owned(&["profiles:write"]),
            owned(&["segments:read", "segments:write"]),
        )]
    );
    assert!(!passed);

    let (lists, passed) = found("prose-levels.md");
    assert_eq!(
        lists,
        [(
            6,
            "display_names".to_owned(),
            owned(&["profiles:read", "profiles:write", "lists:read"]),
            vec![],
            vec![]
        )]
    );
    assert!(passed);

    // HTML: a row over several lines is one row; `Data Privacy`, Read-only.
    let (lists, passed) = found("scopes.html");
    assert_eq!(
        lists,
        [(
            4,
            "display_names".to_owned(),
            owned(&["profiles:read", "profiles:write", "data-privacy:read"]),
            owned(&["lists:read"]),
            owned(&["data-privacy:read"]),
        )]
    );
    assert!(!passed);
}

#[test]
fn read_only_and_full_access_keys_are_reported_with_what_they_lack_or_over_grant() {
    let (lists, passed) = found("read-only.md");
    assert_eq!((lists[0].0, lists[0].1.as_str()), (3, "read_only_key"));
    assert_eq!(lists[0].3, owned(&["profiles:write"]));
    assert!(lists[0].4.contains(&"campaigns:read".to_owned()));
    assert!(lists[0].4.iter().all(|scope| scope.ends_with(":read")));
    assert!(!passed);
    let text = String::from_utf8_lossy(&check_docs("read-only.md", &[]).stdout).into_owned();
    assert!(text.contains("read-only.md:3: a Read-Only key"), "{text}");
    assert!(
        text.contains("missing: profiles:write (needed by code.py:8"),
        "{text}"
    );

    let (lists, passed) = found("full-access.md");
    assert_eq!((lists[0].0, lists[0].1.as_str()), (3, "full_access_key"));
    assert!(lists[0].3.is_empty());
    assert!(lists[0].4.contains(&"campaigns:write".to_owned()));
    assert!(passed, "nothing is missing from a Full Access key");
    let strict = check_docs("full-access.md", &["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn prose_that_mentions_resources_is_not_a_scope_list() {
    let output = check_docs("prose.md", &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("prose.md has no create-key link"),
        "{stderr}"
    );
    assert!(stderr.contains("no scope list"), "{stderr}");
}

fn scan_in(dir: &Path, args: &[&str]) -> Output {
    crate::helpers::scan_cli(dir, args)
}

/// `--update-docs` writes the block from the code and a second run changes
/// nothing; once the code changes, `--check-docs` fails on the stale block
/// and says how to refresh it; the refreshed block passes.
#[test]
fn update_docs_writes_the_block_idempotently_and_a_stale_block_fails() {
    let dir = crate::helpers::TempDir::new("update-docs");
    dir.write(
        "src/sync/sync.py",
        "import requests\nB = 'https://a.klaviyo.com/api'\nrequests.post(B + '/profiles', json={})\nrequests.get(B + '/events?include=metric')\n",
    );
    dir.write(
        "src/tools/lists.py",
        "import requests\nrequests.get('https://a.klaviyo.com/api/lists')\n",
    );
    let before = "# Acme\n\n## API key\n\n<!-- scopelink:begin -->\nanything\n<!-- scopelink:end -->\n\nThe end.\n";
    dir.write("README.md", before);
    let args = [
        "src",
        "--update-docs",
        "README.md",
        "--group-by",
        "dir",
        "--service-url",
        "https://scopelink.example/",
    ];
    let first = scan_in(&dir.0, &args);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let readme = std::fs::read_to_string(dir.0.join("README.md")).unwrap();
    let expected_block = "<!-- scopelink:begin -->\n\
<!-- Written by `scopelink scan --update-docs` from the code; run it again, do not edit. -->\n\
Create the Klaviyo private API key with exactly the scopes the code needs: [create the key](https://www.klaviyo.com/create-private-api-key?scopes=events:read,lists:read,metrics:read,profiles:read,profiles:write) ([through Scopelink](https://scopelink.example/go?op=create_profile&op=get_events%3Finclude%3Dmetric&op=get_lists)).\n\
\n\
| Scope | Access on Klaviyo's key page | Needed by |\n\
|---|---|---|\n\
| `events:read` | Events: Read | `get_events` |\n\
| `lists:read` | List: Read | `get_lists` |\n\
| `metrics:read` | Metrics: Read | `get_events` (include=metric) |\n\
| `profiles:read` | Profiles: Full | `create_profile` |\n\
| `profiles:write` | Profiles: Full | `create_profile` |\n\
\n\
| Part of the code | Scopes it needs |\n\
|---|---|\n\
| `src/sync/` | `events:read`, `metrics:read`, `profiles:read`, `profiles:write` |\n\
| `src/tools/` | `lists:read` |\n\
\n\
Klaviyo API revision 2026-07-15.\n\
<!-- scopelink:end -->\n";
    assert!(readme.starts_with("# Acme\n\n## API key\n\n"), "{readme}");
    assert!(readme.ends_with("\nThe end.\n"), "{readme}");
    assert!(readme.contains(expected_block), "{readme}");
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("updated the scopelink block in README.md")
    );

    let second = scan_in(&dir.0, &args);
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.0.join("README.md")).unwrap(),
        readme
    );
    assert!(String::from_utf8_lossy(&second.stderr).contains("README.md is up to date"));

    let check = [
        "src",
        "--check-docs",
        "README.md",
        "--group-by",
        "dir",
        "--service-url",
        "https://scopelink.example/",
    ];
    let fresh = scan_in(&dir.0, &check);
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fresh.stdout)
    );

    // The code now also writes lists: the block is stale.
    dir.write(
        "src/tools/lists.py",
        "import requests\nrequests.get('https://a.klaviyo.com/api/lists')\nrequests.post('https://a.klaviyo.com/api/lists', json={})\n",
    );
    let stale = scan_in(&dir.0, &check);
    assert_eq!(stale.status.code(), Some(1));
    let text = String::from_utf8_lossy(&stale.stdout);
    assert!(text.contains("README.md:5: the scopelink block"), "{text}");
    assert!(
        text.contains("scopelink scan PATH --update-docs README.md"),
        "{text}"
    );
    assert!(text.contains("missing: lists:write"), "{text}");

    assert_eq!(scan_in(&dir.0, &args).status.code(), Some(0));
    assert_eq!(scan_in(&dir.0, &check).status.code(), Some(0));

    // No markers: an error that says where they go.
    dir.write("NOTES.md", "# Notes\n");
    let missing = scan_in(&dir.0, &["src", "--update-docs", "NOTES.md"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("NOTES.md: it has no `<!-- scopelink:begin -->` line"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.0.join("NOTES.md")).unwrap(),
        "# Notes\n"
    );
}

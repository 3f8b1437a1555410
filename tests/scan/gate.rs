//! The CI gate through the real binary: `--check`, `--strict`,
//! `--check-docs` exit codes and what they print, SARIF, and bad usage.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::helpers::{fixture, TempDir};

const PAGE: &str = "https://www.klaviyo.com/create-private-api-key?scopes=";

fn scan(dir: &Path, args: &[&str]) -> Output {
    crate::helpers::scan_cli(dir, args)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The scopes `scan --json` says the directory needs.
fn needed(dir: &Path) -> Vec<String> {
    let output = scan(dir, &[".", "--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn check_fails_on_a_missing_scope_naming_its_calls_and_the_corrected_link() {
    let dir = fixture("python-raw");
    let all = needed(&dir);
    assert!(all.contains(&"data-privacy:write".to_owned()));
    let full = format!("{PAGE}{}", all.join(","));
    let output = scan(&dir, &[".", "--check", &full]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("  passed"));

    let without: Vec<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|s| !s.starts_with("data-privacy"))
        .collect();
    let output = scan(
        &dir,
        &[".", "--check", &format!("{PAGE}{}", without.join(","))],
    );
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "missing: data-privacy:write (needed by klaviyo_client.py:26 (raw request `POST /api/data-privacy-deletion-jobs/`))"
        ),
        "{text}"
    );
    assert!(text.contains(&format!("corrected link: {full}")), "{text}");
    assert!(text.contains("FAILED"));

    // A scope list (old names too) works like a link.
    let scopes = all.join(",").replace("lists:", "list:");
    assert_eq!(code(&scan(&dir, &[".", "--check", &scopes])), 0);
}

#[test]
fn excess_scopes_fail_only_with_strict() {
    let dir = TempDir::new("strict");
    dir.write(
        "sync.py",
        "import requests\nrequests.get(\"https://a.klaviyo.com/api/lists\")\n",
    );
    let exact = format!("{PAGE}lists:read");
    let extra = format!("{PAGE}lists:read,campaigns:read");
    assert_eq!(
        code(&scan(&dir.0, &[".", "--check", &exact, "--strict"])),
        0
    );
    let output = scan(&dir.0, &[".", "--check", &extra]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("excess: campaigns:read (fails only with --strict)"));
    assert_eq!(
        code(&scan(&dir.0, &[".", "--check", &extra, "--strict"])),
        1
    );

    // --strict also fails on a call whose operation cannot be read.
    dir.write(
        "dynamic.py",
        "import requests\nBASE = \"https://a.klaviyo.com/api\"\ndef f(kind):\n    r = TABLE[kind]\n    return requests.get(f\"{BASE}/{r}\")\n",
    );
    let output = scan(&dir.0, &[".", "--check", &exact, "--strict"]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(
        stderr(&output).contains("unresolved: dynamic.py:5"),
        "{}",
        stderr(&output)
    );
    assert_eq!(code(&scan(&dir.0, &[".", "--check", &exact])), 0);
}

#[test]
fn check_docs_holds_every_link_in_the_docs_to_the_code() {
    let dir = TempDir::new("docs");
    dir.write(
        "src/privacy.py",
        "import requests\nBASE = 'https://a.klaviyo.com/api'\nrequests.post(BASE + '/data-privacy-deletion-jobs', json={})\nrequests.get(BASE + '/profiles')\n",
    );
    let good = format!("{PAGE}data-privacy:read,data-privacy:write,profiles:read");
    dir.write(
        "README.md",
        &format!(
            "# Setup\n\nCreate a key with [this link]({good}).\n\nOr <a href=\"https://scopelink.example/go?op=request_profile_deletion&amp;op=get_profiles\">here</a>.\n"
        ),
    );
    let output = scan(&dir.0, &["src", "--check-docs", "README.md"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("README.md:3:"));
    assert!(stdout(&output).contains("README.md:5:"));

    dir.write(
        "docs/setup.md",
        &format!("Old docs: {PAGE}profiles:read,campaigns:read\n"),
    );
    let output = scan(
        &dir.0,
        &["src", "--check-docs", "README.md", "docs/setup.md"],
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("docs/setup.md:1:"), "{text}");
    assert!(
        text.contains("missing: data-privacy:write (needed by src/privacy.py:3"),
        "{text}"
    );
    assert!(text.contains("excess: campaigns:read"), "{text}");

    // A doc without any link is an error, so a wrong path cannot pass.
    dir.write("CHANGELOG.md", "nothing here\n");
    let output = scan(&dir.0, &["src", "--check-docs", "CHANGELOG.md"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("CHANGELOG.md has no create-key link"));
}

#[test]
fn sarif_has_one_result_per_missing_scope_and_unreadable_call() {
    let dir = fixture("python-raw");
    let output = scan(
        &dir,
        &[
            ".",
            "--format",
            "sarif",
            "--check",
            &format!("{PAGE}profiles:read"),
        ],
    );
    assert_eq!(code(&output), 1);
    let log: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let json_output = scan(
        &dir,
        &[".", "--json", "--check", &format!("{PAGE}profiles:read")],
    );
    let report: Value = serde_json::from_str(&stdout(&json_output)).unwrap();
    let missing = report["check"]["missing"].as_array().unwrap().len();
    let unresolved = report["unresolved"].as_array().unwrap().len();
    let errors = report["errors"].as_array().unwrap().len();
    assert!(missing > 0 && unresolved == 2 && errors == 1);
    assert_eq!(results.len(), missing + unresolved + errors);
    assert!(results.iter().any(|r| r["ruleId"] == "unknown-operation"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 48));
    let privacy = results
        .iter()
        .find(|r| r["properties"]["scope"] == "data-privacy:write")
        .unwrap();
    let location = &privacy["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "klaviyo_client.py");
    assert_eq!(location["region"]["startLine"], 26);
    assert_eq!(report["passed"], false);
}

#[test]
fn bad_usage_exits_2_with_a_clear_message() {
    let dir = fixture("python-raw");
    let output = scan(&dir, &["./no-such-dir"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("`./no-such-dir` does not exist"));
    let output = scan(&dir, &[".", "--strict"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--strict needs --check"));
    let output = scan(
        &dir,
        &[
            ".",
            "--check",
            "https://evil.example/create-private-api-key?scopes=a:read",
        ],
    );
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("wrong_host"),
        "{}",
        stderr(&output)
    );
    assert_eq!(code(&scan(&dir, &[])), 2, "clap: PATH is required");
    let output = scan(&dir, &[".", "--exclude", "a/[b"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("not a valid glob"));
}

/// Where the code's needs are not known, a check cannot pass: no call
/// found, only retired calls, or files that name Klaviyo left unread.
#[test]
fn check_exits_2_when_what_the_code_needs_is_not_known() {
    let dir = TempDir::new("gate-unknown");
    dir.write("app/plain.py", "print('no klaviyo here')\n");
    let output = scan(&dir.0, &[".", "--check", "lists:read"]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    assert!(
        stderr(&output)
            .contains("cannot check: no current Klaviyo API call was found in the 1 files scanned"),
        "{}",
        stderr(&output)
    );
    // No empty `scopes=` link is ever printed: a key made from one has full access.
    assert!(
        !stdout(&output).contains("scopes=\n"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("no link:"), "{}", stdout(&output));

    let output = scan(&fixture("retired-calls"), &[".", "--check", "lists:read"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("10 calls to the retired v1/v2 API were found"),
        "{}",
        stderr(&output)
    );

    let output = scan(&fixture("unread-files"), &[".", "--check", "lists:read"]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.contains("2 file(s) that name Klaviyo could not be read, so calls in them are not in the link: lib/klaviyo.ex, src/latin1.py"),
        "{err}"
    );
    assert!(
        err.contains("unscanned: lib/klaviyo.ex:2: Elixir is not a language Scopelink reads"),
        "{err}"
    );
    assert!(
        err.contains("skipped: src/latin1.py: it is not UTF-8 text (it names Klaviyo"),
        "{err}"
    );

    // Without a check, the scan itself succeeds and says the same.
    let output = scan(&fixture("unread-files"), &[".", "--json"]);
    assert_eq!(code(&output), 0);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["unscanned"][0]["file"], "lib/klaviyo.ex");
    assert_eq!(report["unscanned"][0]["language"], "Elixir");
    assert_eq!(report["skipped"][0]["names_klaviyo"], true);
    assert!(report["incomplete"][0]
        .as_str()
        .unwrap()
        .contains("could not be read"));
}

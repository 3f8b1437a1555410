//! `scopelink audit`: one line per finding, JSON on request, and the exit
//! codes the README promises (0 when clean, 2 if something needs fixing, 1 on
//! bad input), with keys never echoed.

use std::process::Output;

use serde_json::{json, Value};

use crate::common::{run, text, KEY, STALE};

fn audit(args: &[&str]) -> Output {
    run(&[&["audit"], args].concat(), "")
}

/// One scope of each status, as a user sees it: the status by name, whether it
/// needs fixing, `clean`, and the exit code, in JSON and in text.
#[test]
fn only_renamed_unknown_and_duplicate_scopes_need_a_fix_and_exit_2() {
    for (scopes, status, needs_fix) in [
        ("profiles:read", "current", false),
        ("list:read", "renamed", true),
        ("agents:read", "beta_only", false),
        ("data-privacy:read", "documented_unused", false),
        ("bogus:read", "unknown", true),
        ("profiles:read,profiles:read", "duplicate", true),
    ] {
        let exit = if needs_fix { 2 } else { 0 };
        let output = audit(&["--json", scopes]);
        assert_eq!(output.status.code(), Some(exit), "{scopes}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let finding = report["findings"].as_array().unwrap().last().unwrap();
        assert_eq!(finding["status"], status, "{scopes}: {report}");
        assert_eq!(finding["needs_fix"], needs_fix, "{scopes}: {report}");
        assert_eq!(report["clean"], !needs_fix, "{scopes}: {report}");

        let output = audit(&[scopes]);
        assert_eq!(output.status.code(), Some(exit), "{scopes}");
        let stdout = text(&output.stdout);
        assert!(
            stdout.lines().any(|line| line.starts_with(status)),
            "{scopes}: {stdout}"
        );
    }
}

#[test]
fn cli_prints_one_line_per_finding_and_exits_2_when_something_needs_fixing() {
    let output = audit(&[STALE]);
    assert_eq!(output.status.code(), Some(2));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("renamed") && lines[0].contains("`lists:read`"),
        "{stdout}"
    );
    assert!(lines[1].contains("templates:write"), "{stdout}");
    assert!(lines[2].contains("campaigns:read") && lines[2].contains("campaigns:write"));
    assert!(
        lines[3].starts_with("unknown") && lines[3].contains("bogus:read"),
        "{stdout}"
    );
    assert!(stdout.contains("allows "), "{stdout}");
    assert!(stdout.contains(
        "https://www.klaviyo.com/create-private-api-key?scopes=campaigns:read,campaigns:write,lists:read,templates:write"
    ));

    let output = audit(&[
        "--op",
        "get_profiles",
        "--op",
        "POST /api/lists",
        "lists:read",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("missing: lists:write (needed by #2 create_list)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("missing: profiles:read (needed by #1 get_profiles)"),
        "{stdout}"
    );
    assert!(!stdout.contains("excess:"), "{stdout}");
    assert!(stdout.contains(
        "corrected link: https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read"
    ), "{stdout}");
}

#[test]
fn cli_exits_0_when_clean_and_prints_json_on_request() {
    let output = audit(&["--op", "get_profiles", "profiles:read"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("clean"));

    let output = audit(&["--json", "--op", "get_profiles", "profiles:read,lists:read"]);
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["clean"], false);
    assert_eq!(report["source"], "scopes");
    assert_eq!(report["intended"]["excess"], json!(["lists:read"]));
    assert_eq!(report["findings"][0]["status"], "current");

    let output = audit(&["--minimal", "--op", "create_list", "lists:write"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn cli_exits_1_on_bad_input_and_never_echoes_a_key() {
    let output = audit(&["https://evil.example/create-private-api-key?scopes=lists:read"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("evil.example"));

    let link = format!("https://www.klaviyo.com/create-private-api-key?scopes=lists:read&k={KEY}");
    let output = audit(&[&link]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("looks_like_secret") && !stderr.contains(KEY),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    let output = audit(&[STALE, "lists:read"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("not both"));

    // An operation that does not resolve is bad input too; the rest is still reported.
    let output = audit(&["--op", "get_profils", "profiles:read"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("get_profils"));
    assert!(text(&output.stdout).contains("current"));

    let output = audit(&[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap refuses a missing argument"
    );
}

/// `audit --docs FILE` (or `-` for stdin): each scope list in the doc,
/// audited against the operations; exit 0 when all are clean, 2 when not.
#[test]
fn audit_docs_reads_the_scope_lists_in_a_doc() {
    let doc = "## Required scopes\n\n* Profiles: __full access__;\n* List: __read__.\n";
    let output = run(
        &[
            "audit",
            "--docs",
            "-",
            "--op",
            "get_lists",
            "--op",
            "create_profile",
        ],
        doc,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(
            "-:3: scope list (names and levels): profiles:read, profiles:write, lists:read"
        ),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("clean"), "{stdout}");

    let output = run(
        &["audit", "--docs", "-", "--op", "create_list", "--json"],
        doc,
    );
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["clean"], false);
    assert_eq!(
        report["found"][0]["audit"]["intended"]["missing"],
        json!(["lists:write"])
    );

    let output = run(&["audit", "--docs", "-"], "We sync profiles and lists.\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("(nothing_in_docs)"));
}

//! The link audit (`scopelink audit`, `POST /v1/audit`): the core against the
//! real embedded catalog, the command line's output and exit codes, and the
//! HTTP route on a real server.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::LazyLock;

use proptest::prelude::*;
use scopelink::audit::{audit, AuditError, AuditOptions, AuditReport, AuditSource, ScopeStatus};
use scopelink::catalog::{Catalog, CatalogSet};
use scopelink::config::{Limits, ServeConfig};
use scopelink::http::Application;
use scopelink::link::{LinkBase, LinkReport};
use scopelink::resolve::{InputItem, Reason, ResolveOptions, StructuredInput};
use serde_json::{json, Value};

use helpers::{problem, spawn_app, spawn_app_with, test_config, TestApp};

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::embedded);

const STALE: &str = "https://www.klaviyo.com/create-private-api-key?scopes=list:read,template:write,campaigns:full,bogus:read";
const KEY: &str = "pk_0123456789abcdef0123456789abcdef01";

fn scopes(texts: &[&str]) -> AuditSource {
    AuditSource::Scopes(texts.iter().map(|t| (*t).to_owned()).collect())
}

fn ops(names: &[&str]) -> Vec<InputItem> {
    names.iter().map(|name| InputItem::from(*name)).collect()
}

fn run(source: &AuditSource, operations: &[InputItem]) -> Result<AuditReport, AuditError> {
    audit(
        &CATALOG,
        &LinkBase::default(),
        source,
        operations,
        AuditOptions::default(),
    )
}

fn statuses(report: &AuditReport) -> Vec<ScopeStatus> {
    report.findings.iter().map(|f| f.status).collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

// ---------------------------------------------------------------- the core

#[test]
fn every_rename_maps_to_a_scope_the_catalog_has() {
    let renames: &[(&str, &[&str])] = &[
        ("list:read", &["lists:read"]),
        ("list:write", &["lists:write"]),
        ("template:write", &["templates:write"]),
        ("Catalogs Read", &["catalogs:read"]),
        ("List Write", &["lists:write"]),
        ("Profiles Read", &["profiles:read"]),
        ("campaigns:full", &["campaigns:read", "campaigns:write"]),
        ("list:full", &["lists:read", "lists:write"]),
        ("accounts:full", &["accounts:read"]),
    ];
    for (old, new) in renames {
        let report = run(&scopes(&[old]), &[]).unwrap();
        let finding = &report.findings[0];
        assert_eq!(finding.status, ScopeStatus::Renamed, "{old}: {finding:?}");
        assert_eq!(finding.current, strings(new), "{old}");
        assert!(finding.needs_fix);
        for scope in *new {
            assert!(
                CATALOG.has_scope(scope),
                "{old} → {scope} is not in the catalog"
            );
            let need_it = CATALOG
                .operations()
                .iter()
                .filter(|op| !op.client && !op.is_beta() && op.scopes.iter().any(|s| s == scope))
                .count();
            assert!(need_it > 0, "no stable operation needs {scope}");
        }
        assert!(finding.message.contains(old), "{}", finding.message);
    }
}

#[test]
fn a_stale_link_gets_findings_suggestions_and_a_corrected_link() {
    let report = run(
        &AuditSource::Link(STALE.to_owned()),
        &ops(&["get_lists", "create_template"]),
    )
    .unwrap();
    assert_eq!(
        statuses(&report),
        [
            ScopeStatus::Renamed,
            ScopeStatus::Renamed,
            ScopeStatus::Renamed,
            ScopeStatus::Unknown
        ]
    );
    let given: Vec<&str> = report.findings.iter().map(|f| f.given.as_str()).collect();
    assert_eq!(
        given,
        [
            "list:read",
            "template:write",
            "campaigns:full",
            "bogus:read"
        ]
    );
    assert_eq!(report.findings[0].current, ["lists:read"]);
    assert_eq!(report.findings[1].current, ["templates:write"]);
    assert_eq!(
        report.findings[2].current,
        ["campaigns:read", "campaigns:write"]
    );
    let bogus = &report.findings[3];
    assert!(bogus.current.is_empty());
    assert!(
        !bogus.suggestions.is_empty() && bogus.suggestions.len() <= 3,
        "{bogus:?}"
    );
    assert!(
        bogus.suggestions.iter().any(|s| s == "tags:read"),
        "{bogus:?}"
    );
    for suggestion in &bogus.suggestions {
        assert!(CATALOG.has_scope(suggestion), "{suggestion}");
    }
    assert_eq!(
        report.normalized,
        [
            "campaigns:read",
            "campaigns:write",
            "lists:read",
            "templates:write"
        ]
    );
    assert_eq!(
        report.normalized_url,
        "https://www.klaviyo.com/create-private-api-key?scopes=campaigns:read,campaigns:write,lists:read,templates:write"
    );
    assert_eq!(report.counts.renamed, 3);
    assert_eq!(report.counts.unknown, 1);
    assert!(!report.clean);

    let check = report.intended.as_ref().expect("operations were given");
    assert_eq!(
        check.needed,
        ["lists:read", "templates:read", "templates:write"]
    );
    assert_eq!(check.missing, ["templates:read"]);
    assert_eq!(check.excess, ["campaigns:read", "campaigns:write"]);
    assert_eq!(
        check.corrected_url,
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,templates:read,templates:write"
    );
    assert_eq!(check.explanations.len(), 1);
    assert_eq!(check.explanations[0].scope, "templates:read");
    let need = &check.explanations[0].needed_by[0];
    assert_eq!(need.operation_id, "create_template");
    assert!(matches!(need.reason, Reason::WriteImpliesRead { .. }));
    assert!(check.errors.is_empty());
}

#[test]
fn close_misspellings_get_the_close_scope_only() {
    let report = run(
        &scopes(&["tag:read", "Profiles:Read", "lists:delete", "xyz"]),
        &[],
    )
    .unwrap();
    let suggestions: Vec<Vec<String>> = report
        .findings
        .iter()
        .map(|f| f.suggestions.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(suggestions[0], &["tags:read"]);
    assert_eq!(suggestions[1], &["profiles:read"]);
    assert!(report.findings[1].message.contains("lowercase"));
    assert_eq!(suggestions[2], &["lists:read", "lists:write"]);
    assert!(suggestions[3].is_empty());
    assert!(statuses(&report).iter().all(|s| *s == ScopeStatus::Unknown));
    assert!(report.normalized.is_empty());
}

#[test]
fn beta_only_and_documented_scopes_are_flagged_but_need_no_fix() {
    let report = run(
        &scopes(&["agents:read brands:write", "data-privacy:read"]),
        &[],
    )
    .unwrap();
    assert_eq!(
        statuses(&report),
        [
            ScopeStatus::BetaOnly,
            ScopeStatus::BetaOnly,
            ScopeStatus::DocumentedUnused
        ]
    );
    assert!(report.findings.iter().all(|f| !f.needs_fix));
    assert!(report.findings[0].message.contains("beta"));
    assert!(report.clean);
    assert!(report.allowed_operations.iter().all(|op| op.beta));
    assert!(report.allowed_operation_count > 0);
}

#[test]
fn a_read_paired_with_a_write_is_not_unknown() {
    // No operation needs data-privacy:read, but links pair it with data-privacy:write.
    let built = LinkReport::build(
        &CATALOG,
        &LinkBase::default(),
        &ops(&["request_profile_deletion"]),
        ResolveOptions::default(),
    );
    assert_eq!(built.scopes, ["data-privacy:read", "data-privacy:write"]);
    let report = run(
        &AuditSource::Link(built.url),
        &ops(&["request_profile_deletion"]),
    )
    .unwrap();
    assert_eq!(
        statuses(&report),
        [ScopeStatus::DocumentedUnused, ScopeStatus::Current]
    );
    assert!(report.findings[0].message.contains("data-privacy:write"));
    assert!(report.clean);
}

#[test]
fn allowed_operations_follow_the_scopes_and_write_covers_read() {
    let read = run(&scopes(&["profiles:read"]), &[]).unwrap();
    let ids: Vec<&str> = read
        .allowed_operations
        .iter()
        .map(|op| op.operation_id.as_str())
        .collect();
    assert!(ids.contains(&"get_profiles") && ids.contains(&"get_profile"));
    assert!(!ids.contains(&"create_profile"));
    assert_eq!(read.allowed_operation_count, ids.len());
    assert_eq!(read.findings[0].status, ScopeStatus::Current);

    let write = run(&scopes(&["profiles:write"]), &[]).unwrap();
    let ids: Vec<&str> = write
        .allowed_operations
        .iter()
        .map(|op| op.operation_id.as_str())
        .collect();
    assert!(ids.contains(&"create_profile") && ids.contains(&"get_profiles"));
    // /client operations take the public key, never a private one.
    assert!(!ids.contains(&"create_client_profile"));
    assert!(write
        .allowed_operations
        .iter()
        .all(|op| !op.path.starts_with("/client")));
}

#[test]
fn duplicates_are_found_under_any_name() {
    let report = run(
        &scopes(&[
            "lists:read",
            "list:read",
            "lists:read",
            "campaigns:read,campaigns:full",
        ]),
        &[],
    )
    .unwrap();
    assert_eq!(
        statuses(&report),
        [
            ScopeStatus::Current,
            ScopeStatus::Duplicate,
            ScopeStatus::Duplicate,
            ScopeStatus::Current,
            ScopeStatus::Renamed
        ]
    );
    assert_eq!(report.counts.duplicate, 2);
    assert_eq!(
        report.normalized,
        ["campaigns:read", "campaigns:write", "lists:read"]
    );
    assert!(!report.clean);
}

#[test]
fn scope_text_is_split_on_commas_and_whitespace() {
    let report = run(
        &scopes(&[
            "lists:read, profiles:read  events:write",
            "Catalogs Read, List Write",
        ]),
        &[],
    )
    .unwrap();
    let given: Vec<&str> = report.findings.iter().map(|f| f.given.as_str()).collect();
    assert_eq!(
        given,
        [
            "lists:read",
            "profiles:read",
            "events:write",
            "Catalogs Read",
            "List Write"
        ]
    );
    assert_eq!(
        report.normalized,
        [
            "catalogs:read",
            "events:write",
            "lists:read",
            "lists:write",
            "profiles:read"
        ]
    );
}

#[test]
fn bad_links_and_keys_are_errors_that_never_echo_a_key() {
    let wrong_host = run(
        &AuditSource::Link("https://evil.example/create-private-api-key?scopes=lists:read".into()),
        &[],
    )
    .unwrap_err();
    assert_eq!(wrong_host.code(), "wrong_host");
    assert!(wrong_host.to_string().contains("evil.example"));
    let lookalike = run(
        &AuditSource::Link(
            "https://klaviyo.com.evil.example/create-private-api-key?scopes=a:read".into(),
        ),
        &[],
    )
    .unwrap_err();
    assert_eq!(lookalike.code(), "wrong_host");
    assert_eq!(
        run(
            &AuditSource::Link("https://www.klaviyo.com/create-private-api-key".into()),
            &[]
        )
        .unwrap_err(),
        AuditError::NoScopesParameter
    );
    assert_eq!(
        run(
            &AuditSource::Link("https://www.klaviyo.com/create-private-api-key?scopes=".into()),
            &[]
        )
        .unwrap_err()
        .code(),
        "no_scopes"
    );
    assert_eq!(
        run(
            &AuditSource::Link("https://www.klaviyo.com/settings?scopes=lists:read".into()),
            &[]
        )
        .unwrap_err()
        .code(),
        "not_create_key_page"
    );
    assert_eq!(
        run(&AuditSource::Link("not a link".into()), &[])
            .unwrap_err()
            .code(),
        "not_a_link"
    );
    // Without a scheme, and percent-encoded, a Klaviyo link still reads.
    let bare = run(
        &AuditSource::Link(
            "www.klaviyo.com/create-private-api-key?scopes=lists%3Aread%2Cprofiles%3Aread".into(),
        ),
        &[],
    )
    .unwrap();
    assert_eq!(bare.normalized, ["lists:read", "profiles:read"]);

    for source in [
        AuditSource::Link(format!(
            "https://www.klaviyo.com/create-private-api-key?scopes=lists:read&key={KEY}"
        )),
        scopes(&["lists:read", KEY]),
        AuditSource::Link(format!(
            "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,{}",
            KEY.replace('_', "%5F")
        )),
    ] {
        let error = run(&source, &[]).unwrap_err();
        assert_eq!(error, AuditError::LooksLikeSecret);
        assert!(!error.to_string().contains(KEY));
        assert!(error.to_string().contains("Never send API keys"));
    }
    // A key among the operations fails that input alone, redacted.
    let report = run(&scopes(&["profiles:read"]), &ops(&[KEY, "get_profiles"])).unwrap();
    let check = report.intended.unwrap();
    assert_eq!(check.errors.len(), 1);
    assert!(!serde_json::to_string(&check.errors).unwrap().contains(KEY));
}

#[test]
fn sources_and_limits() {
    assert_eq!(
        AuditSource::from_parts(None, None),
        Err(AuditError::NothingGiven)
    );
    assert_eq!(
        AuditSource::from_parts(Some(STALE.into()), Some(vec![])),
        Err(AuditError::LinkAndScopes)
    );
    assert_eq!(
        AuditSource::from_args(&[STALE.to_owned()]),
        Ok(AuditSource::Link(STALE.to_owned()))
    );
    assert_eq!(
        AuditSource::from_args(&strings(&["lists:read", "profiles:read"])),
        Ok(scopes(&["lists:read", "profiles:read"]))
    );
    assert_eq!(
        AuditSource::from_args(&strings(&[STALE, "lists:read"])),
        Err(AuditError::LinkAndScopes)
    );
    assert_eq!(
        run(&scopes(&[" , "]), &[]).unwrap_err(),
        AuditError::NoScopes
    );
    let limited = AuditOptions {
        max_scopes: Some(2),
        max_item_bytes: Some(40),
        ..AuditOptions::default()
    };
    let base = LinkBase::default();
    assert_eq!(
        audit(
            &CATALOG,
            &base,
            &scopes(&["a:read b:read c:read"]),
            &[],
            limited
        ),
        Err(AuditError::TooManyScopes { given: 3, limit: 2 })
    );
    assert_eq!(
        audit(
            &CATALOG,
            &base,
            &AuditSource::Link(STALE.into()),
            &[],
            limited
        ),
        Err(AuditError::TooLong { limit: 40 })
    );
}

#[test]
fn a_bad_operation_never_hides_the_rest() {
    let report = run(
        &scopes(&["profiles:read"]),
        &ops(&["get_profils", "get_profiles"]),
    )
    .unwrap();
    let check = report.intended.as_ref().unwrap();
    assert_eq!(check.errors.len(), 1);
    assert_eq!(check.errors[0].index, 0);
    assert!(!check.errors[0].suggestions.is_empty());
    assert_eq!(check.needed, ["profiles:read"]);
    assert!(check.missing.is_empty() && check.excess.is_empty());
    assert!(
        !report.clean,
        "an unresolved operation leaves the audit open"
    );
}

#[test]
fn minimal_compares_with_the_spec_scopes_alone() {
    let source = scopes(&["lists:read", "lists:write"]);
    let operations = ops(&["create_list"]);
    let paired = run(&source, &operations).unwrap();
    assert!(paired.clean, "{:?}", paired.intended);
    let minimal = audit(
        &CATALOG,
        &LinkBase::default(),
        &source,
        &operations,
        AuditOptions {
            minimal: true,
            ..AuditOptions::default()
        },
    )
    .unwrap();
    assert_eq!(minimal.intended.unwrap().excess, ["lists:read"]);
    assert!(minimal.minimal);
}

/// Private-key operations with their include values, for the property below.
static LINKABLE: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    CATALOG
        .operations()
        .iter()
        .filter(|op| !op.client)
        .map(|op| {
            (
                op.operation_id.clone(),
                op.includes.iter().map(|rule| rule.value.clone()).collect(),
            )
        })
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_built_link_audits_clean_against_its_operations(
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<bool>()), 1..8),
        minimal in any::<bool>(),
    ) {
        let items: Vec<InputItem> = picks
            .iter()
            .map(|(op, include, with_include)| {
                let (name, includes) = &LINKABLE[op.index(LINKABLE.len())];
                if *with_include && !includes.is_empty() {
                    InputItem::Structured(StructuredInput {
                        operation: name.clone(),
                        include: vec![includes[include.index(includes.len())].clone()],
                    })
                } else {
                    InputItem::Text(name.clone())
                }
            })
            .collect();
        let resolve = ResolveOptions { minimal, ..ResolveOptions::default() };
        let built = LinkReport::build(&CATALOG, &LinkBase::default(), &items, resolve);
        prop_assert!(built.is_complete(), "{:?}", built.errors);
        let options = AuditOptions { minimal, ..AuditOptions::default() };
        let report = audit(&CATALOG, &LinkBase::default(), &AuditSource::Link(built.url.clone()), &items, options).unwrap();
        prop_assert!(report.clean, "{} {:?}", built.url, report.intended);
        prop_assert_eq!(&report.normalized, &built.scopes);
        let check = report.intended.unwrap();
        prop_assert_eq!(&check.corrected_url, &built.url);
        prop_assert!(report.findings.iter().all(|f| !f.needs_fix), "{:?}", report.findings);
        // Every operation the link was built for is among those it allows.
        for item in &built.operations {
            prop_assert!(report.allowed_operations.iter().any(|op| op.operation_id == item.operation_id), "{}", item.operation_id);
        }
    }
}

// ---------------------------------------------------------------- the CLI

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scopelink"))
        .arg("audit")
        .args(args)
        .env_remove("SCOPELINK_SPEC")
        .env_remove("SCOPELINK_SPEC_DIR")
        .env_remove("SCOPELINK_LINK_BASE")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn cli_prints_one_line_per_finding_and_exits_2_when_something_needs_fixing() {
    let output = cli(&[STALE]);
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

    let output = cli(&[
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
    let output = cli(&["--op", "get_profiles", "profiles:read"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("clean"));

    let output = cli(&["--json", "--op", "get_profiles", "profiles:read,lists:read"]);
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["clean"], false);
    assert_eq!(report["source"], "scopes");
    assert_eq!(report["intended"]["excess"], json!(["lists:read"]));
    assert_eq!(report["findings"][0]["status"], "current");

    let output = cli(&["--minimal", "--op", "create_list", "lists:write"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn cli_exits_1_on_bad_input_and_never_echoes_a_key() {
    let output = cli(&["https://evil.example/create-private-api-key?scopes=lists:read"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("evil.example"));

    let link = format!("https://www.klaviyo.com/create-private-api-key?scopes=lists:read&k={KEY}");
    let output = cli(&[&link]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("looks_like_secret") && !stderr.contains(KEY),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    let output = cli(&[STALE, "lists:read"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("not both"));

    // An operation that does not resolve is bad input too; the rest is still reported.
    let output = cli(&["--op", "get_profils", "profiles:read"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("get_profils"));
    assert!(text(&output.stdout).contains("current"));

    let output = cli(&[]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap refuses a missing argument"
    );
}

// ---------------------------------------------------------------- HTTP

fn post_audit(app: &TestApp, body: &Value) -> reqwest::blocking::Response {
    app.client
        .post(format!("{}/v1/audit", app.address))
        .json(body)
        .send()
        .unwrap()
}

fn findings(report: &Value) -> Vec<ScopeFindingView> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| ScopeFindingView {
            given: f["given"].as_str().unwrap().to_owned(),
            status: f["status"].as_str().unwrap().to_owned(),
        })
        .collect()
}

#[derive(Debug, PartialEq)]
struct ScopeFindingView {
    given: String,
    status: String,
}

#[test]
fn http_answers_200_with_the_report() {
    let app = spawn_app();
    let response = post_audit(
        &app,
        &json!({"link": STALE, "operations": ["get_lists", {"operation": "create_template"}]}),
    );
    assert_eq!(response.status(), 200);
    assert_eq!(helpers::content_type(&response), "application/json");
    let report: Value = response.json().unwrap();
    let statuses: Vec<String> = findings(&report).into_iter().map(|f| f.status).collect();
    assert_eq!(statuses, ["renamed", "renamed", "renamed", "unknown"]);
    assert_eq!(report["clean"], false);
    assert_eq!(report["source"], "link");
    assert_eq!(report["link"], STALE);
    assert_eq!(report["findings"][0]["current"], json!(["lists:read"]));
    assert_eq!(report["findings"][0]["needs_fix"], true);
    assert_eq!(report["intended"]["missing"], json!(["templates:read"]));
    assert_eq!(
        report["intended"]["excess"],
        json!(["campaigns:read", "campaigns:write"])
    );
    assert_eq!(
        report["intended"]["corrected_url"],
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,templates:read,templates:write"
    );
    assert_eq!(report["catalog"]["revision"], "2026-07-15");
    assert_eq!(
        report["allowed_operation_count"],
        report["allowed_operations"].as_array().unwrap().len()
    );

    // The same core answers as a library.
    let core = run(
        &AuditSource::Link(STALE.into()),
        &[
            InputItem::from("get_lists"),
            InputItem::Structured(StructuredInput {
                operation: "create_template".into(),
                include: vec![],
            }),
        ],
    )
    .unwrap();
    assert_eq!(report, serde_json::to_value(&core).unwrap());

    // Scopes as a list or as one string; no operations means no `intended`.
    for scopes in [
        json!(["profiles:read", "lists:read"]),
        json!("profiles:read lists:read"),
    ] {
        let report: Value = post_audit(&app, &json!({"scopes": scopes})).json().unwrap();
        assert_eq!(report["clean"], true);
        assert_eq!(report["intended"], Value::Null);
        assert_eq!(report["link"], Value::Null);
        assert_eq!(report["normalized"], json!(["lists:read", "profiles:read"]));
    }
}

#[test]
fn http_refuses_what_cannot_be_audited_with_422() {
    let app = spawn_app();
    problem(post_audit(&app, &json!({})), 422, "nothing_to_audit");
    problem(
        post_audit(&app, &json!({"operations": ["get_profiles"]})),
        422,
        "nothing_to_audit",
    );
    problem(
        post_audit(&app, &json!({"link": STALE, "scopes": ["lists:read"]})),
        422,
        "link_and_scopes",
    );
    let body = problem(
        post_audit(
            &app,
            &json!({"link": "https://evil.example/create-private-api-key?scopes=lists:read"}),
        ),
        422,
        "wrong_host",
    );
    assert!(body["detail"].as_str().unwrap().contains("evil.example"));
    problem(
        post_audit(
            &app,
            &json!({"link": "https://www.klaviyo.com/create-private-api-key"}),
        ),
        422,
        "no_scopes",
    );
    problem(
        post_audit(
            &app,
            &json!({"link": "https://www.klaviyo.com/dashboard?scopes=lists:read"}),
        ),
        422,
        "not_create_key_page",
    );
    problem(
        post_audit(
            &app,
            &json!({"scopes": "lists:read", "revision": "2020-01-01"}),
        ),
        422,
        "unknown_revision",
    );
    problem(
        post_audit(&app, &json!({"scopes": "lists:read", "partial": true})),
        422,
        "invalid_body",
    );
    problem(post_audit(&app, &json!({"scopes": 7})), 422, "invalid_body");
}

#[test]
fn http_refuses_keys_and_never_echoes_them() {
    let app = spawn_app();
    for body in [
        json!({"link": format!("https://www.klaviyo.com/create-private-api-key?scopes=lists:read,{KEY}")}),
        json!({"scopes": [KEY]}),
        json!({"scopes": format!("lists:read {KEY}")}),
    ] {
        let response = post_audit(&app, &body);
        let text = response.text().unwrap();
        assert!(!text.contains(KEY), "{text}");
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["code"], "looks_like_secret");
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("Never send API keys"));
    }
    // Keys in the wrong place are not echoed either.
    let text = post_audit(&app, &json!({"scopes": "lists:read", KEY: 1}))
        .text()
        .unwrap();
    assert!(!text.contains(KEY), "{text}");
    let text = post_audit(&app, &json!({"scopes": "lists:read", "operations": [KEY]}))
        .text()
        .unwrap();
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn http_checks_media_type_syntax_method_and_limits() {
    let app = spawn_app();
    let url = format!("{}/v1/audit", app.address);
    let plain = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body(r#"{"scopes": "lists:read"}"#)
        .send()
        .unwrap();
    problem(plain, 415, "unsupported_media_type");
    let bare = app
        .client
        .post(&url)
        .body(r#"{"scopes": "lists:read"}"#)
        .send()
        .unwrap();
    problem(bare, 415, "unsupported_media_type");
    let broken = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"scopes\": ")
        .send()
        .unwrap();
    problem(broken, 400, "malformed_json");
    let get = app.get("/v1/audit");
    assert_eq!(get.headers()["allow"], "POST");
    problem(get, 405, "method_not_allowed");

    let config = ServeConfig {
        limits: Limits {
            max_body_bytes: 4096,
            max_operations: 3,
            max_item_bytes: 200,
            ..Limits::default()
        },
        ..test_config()
    };
    let small = spawn_app_with(config, LinkBase::default());
    let body = problem(
        post_audit(&small, &json!({"scopes": "a:read b:read c:read d:read"})),
        422,
        "too_many_scopes",
    );
    assert_eq!(body["limit"], 3);
    problem(
        post_audit(
            &small,
            &json!({"scopes": "lists:read", "operations": ["a", "b", "c", "d"]}),
        ),
        422,
        "too_many_operations",
    );
    problem(
        post_audit(&small, &json!({"scopes": "x".repeat(300)})),
        422,
        "too_long",
    );
    problem(
        post_audit(&small, &json!({"scopes": "x".repeat(5000)})),
        413,
        "body_too_large",
    );
}

fn spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/klaviyo-openapi")
        .join(name)
}

#[test]
fn http_audits_against_the_revision_asked_for() {
    let catalogs = CatalogSet::from_spec_files(&[
        spec("stable-2024-10-15.json"),
        spec("stable.json"),
        spec("beta.json"),
    ])
    .unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let application =
                Application::build(&test_config(), catalogs, LinkBase::default()).unwrap();
            sender.send(application.port()).unwrap();
            application.run_until_stopped().await
        })
    });
    let app = TestApp {
        address: format!("http://127.0.0.1:{}", receiver.recv().unwrap()),
        client: reqwest::blocking::Client::new(),
    };
    let body = |revision: Option<&str>| {
        let mut body = json!({"scopes": ["conversations:read", "agents:read"]});
        if let Some(revision) = revision {
            body["revision"] = json!(revision);
        }
        let report: Value = post_audit(&app, &body).json().unwrap();
        report
    };
    let newest = body(None);
    assert_eq!(newest["catalog"]["revision"], "2026-07-15");
    assert_eq!(
        findings(&newest),
        [
            ScopeFindingView {
                given: "conversations:read".into(),
                status: "current".into()
            },
            ScopeFindingView {
                given: "agents:read".into(),
                status: "beta_only".into()
            },
        ]
    );
    let old = body(Some("2024-10-15"));
    assert_eq!(old["catalog"]["revision"], "2024-10-15");
    let statuses: Vec<String> = findings(&old).into_iter().map(|f| f.status).collect();
    assert_eq!(
        statuses,
        ["unknown", "unknown"],
        "neither existed in 2024-10-15"
    );
    let beta = body(Some("2026-07-15.pre"));
    assert_eq!(beta["catalog"]["revision"], "2026-07-15.pre");
    problem(
        post_audit(
            &app,
            &json!({"scopes": "lists:read", "revision": "1999-01-01"}),
        ),
        422,
        "unknown_revision",
    );
}

#[test]
fn status_names_are_stable_api() {
    // The page keys its styles on these names.
    for (status, name) in [
        (ScopeStatus::Current, "current"),
        (ScopeStatus::Renamed, "renamed"),
        (ScopeStatus::BetaOnly, "beta_only"),
        (ScopeStatus::DocumentedUnused, "documented_unused"),
        (ScopeStatus::Unknown, "unknown"),
        (ScopeStatus::Duplicate, "duplicate"),
    ] {
        assert_eq!(status.as_str(), name);
        assert_eq!(serde_json::to_value(status).unwrap(), name);
        assert_eq!(
            status.needs_fix(),
            matches!(name, "renamed" | "unknown" | "duplicate")
        );
    }
}

#[test]
fn the_committed_openapi_document_describes_the_route() {
    let document: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/scopelink.openapi.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let post = &document["paths"]["/v1/audit"]["post"];
    assert_eq!(post["operationId"], "audit_link");
    assert!(post["requestBody"]
        .to_string()
        .contains("#/components/schemas/AuditRequest"));
    for status in ["200", "400", "413", "415", "422"] {
        assert!(post["responses"][status].is_object(), "{status}");
    }
    let schemas = &document["components"]["schemas"];
    assert!(schemas["AuditRequest"]["example"]["link"].is_string());
    assert_eq!(schemas["AuditRequest"]["additionalProperties"], false);
    for name in [
        "AuditReport",
        "ScopeFinding",
        "ScopeStatus",
        "IntendedCheck",
    ] {
        assert!(schemas[name].is_object(), "{name}");
    }
}

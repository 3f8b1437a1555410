//! The link audit's core against the real embedded catalog: renames,
//! suggestions, statuses, the allowed operations, the intended check, errors
//! and limits, and a property: a link built for some operations audits clean.
//! (`tests/cli/audit.rs` runs `scopelink audit`, `tests/api/audit.rs` the route.)

use std::sync::LazyLock;

use proptest::prelude::*;
use scopelink::audit::{audit, AuditError, AuditOptions, AuditReport, AuditSource, ScopeStatus};
use scopelink::link::{LinkBase, LinkReport};
use scopelink::resolve::{InputItem, Reason, ResolveOptions, StructuredInput};

use crate::common::{KEY, STALE};

use crate::common::EMBEDDED as CATALOG;

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

//! Calls to the retired v1/v2 API and through the old SDKs: each listed
//! with its place, the retired endpoint, the operations that replace it (as
//! the shared legacy mapping states or suggests) and the scopes a new key
//! needs for them; none of them in the link, which they cannot use.

use scopelink::link::LinkBase;
use scopelink::resolve::{resolve, InputItem, ResolveOptions};
use scopelink::retired::ReplacementBasis;
use scopelink::scan::ScanReport;

use crate::helpers::scan_fixture;

/// file, line, endpoint, old SDK method, replacements, basis.
type Retired = (
    String,
    usize,
    String,
    Option<String>,
    Vec<String>,
    ReplacementBasis,
);

fn summary(report: &ScanReport) -> Vec<Retired> {
    report
        .retired
        .iter()
        .map(|r| {
            (
                r.file.clone(),
                r.line,
                r.endpoint.clone(),
                r.sdk_method
                    .as_ref()
                    .map(|m| m.split(' ').next().unwrap().to_owned()),
                r.replaced_by
                    .iter()
                    .map(|op| op.operation_id.clone())
                    .collect(),
                r.basis,
            )
        })
        .collect()
}

#[test]
fn retired_endpoints_and_old_sdk_methods_with_their_replacements() {
    let report = scan_fixture("retired-calls");
    use ReplacementBasis::{Stated, Suggested};
    let s = |x: &str| x.to_owned();
    let ops = |ids: &[&str]| ids.iter().map(|id| id.to_string()).collect::<Vec<_>>();
    assert_eq!(
        summary(&report),
        vec![
            (
                s("js/track.js"),
                6,
                s("GET /api/track"),
                Some(s("public.track")),
                ops(&["create_client_event", "create_event"]),
                Stated
            ),
            (
                s("js/track.js"),
                10,
                s("POST /api/identify"),
                None,
                ops(&["create_client_profile", "create_or_update_profile"]),
                Stated
            ),
            (
                s("php/Subscriber.php"),
                11,
                s("POST /api/v2/list/{list_id}/members"),
                Some(s("lists.addMembersToList")),
                ops(&["add_profiles_to_list"]),
                Stated
            ),
            (
                s("php/Subscriber.php"),
                13,
                s("POST /api/v2/list/{list_id}/subscribe"),
                None,
                ops(&["bulk_subscribe_profiles", "create_client_subscription"]),
                Stated
            ),
            (
                s("python/legacy.py"),
                8,
                s("GET /api/identify"),
                Some(s("Public.identify")),
                ops(&["create_client_profile", "create_or_update_profile"]),
                Stated
            ),
            (
                s("python/legacy.py"),
                9,
                s("GET /api/v2/lists"),
                Some(s("Lists.get_lists")),
                ops(&["get_lists"]),
                Suggested
            ),
            (
                s("python/legacy.py"),
                10,
                s("GET /api/v1/person/{person_id}/metrics/timeline"),
                Some(s("Profiles.get_profile_metrics_timeline")),
                ops(&["get_events"]),
                Suggested
            ),
            (
                s("python/legacy.py"),
                14,
                s("GET /api/v1/metrics"),
                None,
                ops(&["get_metrics"]),
                Stated
            ),
            (
                s("ruby/tracker.rb"),
                5,
                s("GET /api/v2/lists"),
                Some(s("Lists.get_lists")),
                ops(&["get_lists"]),
                Suggested
            ),
            (
                s("ruby/tracker.rb"),
                9,
                s("GET /api/v2/list/{list_id}/exclusions/all"),
                Some(s("Lists.get_list_exclusions")),
                ops(&["get_profiles"]),
                Suggested
            ),
        ]
    );
    // Retired calls fail (410 Gone): none of them is a call of the link.
    assert!(
        report.calls.is_empty() && report.url.is_none(),
        "{:?}",
        report.url
    );
    // Each retired call's scopes, and the migration link, are what the
    // resolver gives for its replacements (each write with its read).
    let mut all = Vec::new();
    for call in &report.retired {
        let items: Vec<InputItem> = call
            .replaced_by
            .iter()
            .map(|r| InputItem::Text(r.operation_id.clone()))
            .collect();
        let resolved = resolve(&crate::helpers::CATALOG, &items, ResolveOptions::default());
        let scopes: Vec<String> = resolved.scopes.iter().map(|s| s.to_string()).collect();
        let given: Vec<String> = call.scopes.iter().map(|s| s.to_string()).collect();
        assert_eq!(given, scopes, "{}:{}", call.file, call.line);
        all.extend(scopes);
    }
    all.sort();
    all.dedup();
    let migration = report.migration.as_ref().expect("a migration link");
    let expected = format!("{}?scopes={}", LinkBase::default().as_str(), all.join(","));
    assert_eq!(migration.url.as_deref(), Some(expected.as_str()));
    // A suggested replacement says so.
    assert!(
        report.retired[5].note.starts_with("suggested:"),
        "{}",
        report.retired[5].note
    );
}

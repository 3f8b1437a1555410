//! Every include value of every operation gives its extra scopes.
//!
//! The expected extras are KLAVIYO_FACTS §3.5, written out here by hand:
//! every (operation, value) pair not listed there needs no extra scope.

use scopelink::link::{LinkBase, LinkReport};
use scopelink::resolve::{InputItem, ResolveOptions, StructuredInput};

use crate::common::{stable_twin, SPEC_OPERATIONS};
use crate::operations::{report, CATALOG};

/// (beta spec?, GET path, include value, extra scope), from KLAVIYO_FACTS §3.5.
const NON_EMPTY_EXTRAS: &[(bool, &str, &str, &str)] = &[
    (false, "/api/campaigns", "tags", "tags:read"),
    (false, "/api/campaigns/{id}", "tags", "tags:read"),
    (false, "/api/campaign-messages/{id}", "image", "images:read"),
    (
        false,
        "/api/campaign-messages/{id}",
        "template",
        "templates:read",
    ),
    (
        false,
        "/api/campaigns/{id}/campaign-messages",
        "image",
        "images:read",
    ),
    (
        false,
        "/api/campaigns/{id}/campaign-messages",
        "template",
        "templates:read",
    ),
    (false, "/api/coupon-codes", "coupon", "coupons:read"),
    (false, "/api/coupon-codes/{id}", "coupon", "coupons:read"),
    (false, "/api/events", "metric", "metrics:read"),
    (false, "/api/events", "profile", "profiles:read"),
    (false, "/api/events/{id}", "metric", "metrics:read"),
    (false, "/api/events/{id}", "profile", "profiles:read"),
    (false, "/api/flows", "tags", "tags:read"),
    (false, "/api/flows/{id}", "tags", "tags:read"),
    (
        false,
        "/api/flow-messages/{id}",
        "template",
        "templates:read",
    ),
    (false, "/api/lists", "flow-triggers", "flows:read"),
    (false, "/api/lists", "tags", "tags:read"),
    (false, "/api/lists/{id}", "flow-triggers", "flows:read"),
    (false, "/api/lists/{id}", "tags", "tags:read"),
    (false, "/api/segments", "flow-triggers", "flows:read"),
    (false, "/api/segments", "tags", "tags:read"),
    (false, "/api/segments/{id}", "flow-triggers", "flows:read"),
    (false, "/api/segments/{id}", "tags", "tags:read"),
    (false, "/api/metrics", "flow-triggers", "flows:read"),
    (false, "/api/metrics/{id}", "flow-triggers", "flows:read"),
    (
        false,
        "/api/profiles",
        "conversations",
        "conversations:read",
    ),
    (
        false,
        "/api/profiles/{id}",
        "conversations",
        "conversations:read",
    ),
    (false, "/api/profiles/{id}", "lists", "lists:read"),
    (false, "/api/profiles/{id}", "segments", "segments:read"),
    (false, "/api/profiles", "push-tokens", "push-tokens:read"),
    (
        false,
        "/api/profiles/{id}",
        "push-tokens",
        "push-tokens:read",
    ),
    (false, "/api/reviews", "events", "events:read"),
    (false, "/api/reviews/{id}", "events", "events:read"),
    (
        true,
        "/api/translations",
        "campaign-variation",
        "campaigns:read",
    ),
    (true, "/api/translations", "flow-message", "flows:read"),
    (true, "/api/translations", "template", "templates:read"),
    (
        true,
        "/api/translations",
        "template-universal-content",
        "templates:read",
    ),
    (
        true,
        "/api/translations/{id}",
        "campaign-variation",
        "campaigns:read",
    ),
    (true, "/api/translations/{id}", "flow-message", "flows:read"),
    (true, "/api/translations/{id}", "template", "templates:read"),
    (
        true,
        "/api/translations/{id}",
        "template-universal-content",
        "templates:read",
    ),
    (
        true,
        "/api/campaign-variations/{id}",
        "image",
        "images:read",
    ),
    (
        true,
        "/api/campaign-variations/{id}",
        "translation",
        "translations:read",
    ),
    (true, "/api/brand-logos", "image", "images:read"),
    (true, "/api/brand-logos/{id}", "image", "images:read"),
];

pub fn expected_extra(beta: bool, path: &str, value: &str) -> Option<&'static str> {
    NON_EMPTY_EXTRAS
        .iter()
        .find(|(b, p, v, _)| *b == beta && *p == path && *v == value)
        .map(|(_, _, _, scope)| *scope)
}

#[test]
fn every_include_value_of_every_operation_gives_its_extra_scopes() {
    let mut combinations = 0;
    let mut non_empty = 0;
    for op in SPEC_OPERATIONS.iter() {
        for value in &op.includes {
            combinations += 1;
            let mut expected = op.scopes.clone();
            if let Some(extra) = expected_extra(op.beta, &op.path, value) {
                non_empty += 1;
                expected.push(extra.to_owned());
            }
            expected.sort();
            expected.dedup();

            // By name, so beta operations are hit exactly.
            let item = InputItem::Structured(StructuredInput {
                operation: op.operation_id.clone(),
                include: vec![value.clone()],
            });
            let by_name = LinkReport::build(
                &CATALOG,
                &LinkBase::default(),
                &[item],
                ResolveOptions {
                    minimal: true,
                    ..Default::default()
                },
            );
            assert!(
                by_name.errors.is_empty(),
                "{} include={value}: {:?}",
                op.operation_id,
                by_name.errors
            );
            assert_eq!(
                by_name.scopes, expected,
                "{} include={value}",
                op.operation_id
            );

            // By path: stable answers shared endpoints, the beta twin takes beta-only values.
            let input = format!("GET https://a.klaviyo.com{}?include={value}", op.path);
            let by_path = report(&[&input], true);
            assert!(by_path.errors.is_empty(), "{input}: {:?}", by_path.errors);
            let twin_has_value = stable_twin(op).is_some_and(|twin| twin.includes.contains(value));
            let answered_by = &by_path.operations[0].operation_id;
            if op.beta && twin_has_value {
                assert_eq!(answered_by, &stable_twin(op).unwrap().operation_id);
            } else {
                assert_eq!(answered_by, &op.operation_id, "{input}");
            }
            assert_eq!(by_path.scopes, expected, "{input}");
        }
    }
    let in_catalog: usize = CATALOG
        .operations()
        .iter()
        .map(|op| op.includes.len())
        .sum();
    assert_eq!(
        in_catalog, combinations,
        "the catalog has every (spec, operation, value) combination of the specs"
    );
    assert_eq!(
        non_empty,
        NON_EMPTY_EXTRAS.len(),
        "every row of §3.5 names a real include value"
    );
}

#[test]
fn all_include_values_at_once_and_in_both_spellings() {
    for op in SPEC_OPERATIONS
        .iter()
        .filter(|op| op.includes.len() > 1 && !op.beta)
    {
        let comma = format!("GET {}?include={}", op.path, op.includes.join(","));
        let repeated = format!(
            "GET {}?{}",
            op.path,
            op.includes
                .iter()
                .map(|v| format!("include={v}"))
                .collect::<Vec<_>>()
                .join("&")
        );
        let a = report(&[&comma], true);
        let b = report(&[&repeated], true);
        assert!(a.errors.is_empty() && b.errors.is_empty(), "{comma}");
        assert_eq!(a.scopes, b.scopes);
        let mut expected = op.scopes.clone();
        expected.extend(
            op.includes
                .iter()
                .filter_map(|v| expected_extra(false, &op.path, v))
                .map(str::to_owned),
        );
        expected.sort();
        expected.dedup();
        assert_eq!(a.scopes, expected, "{comma}");
    }
}

#[test]
fn include_explanations_name_the_value_and_the_evidence() {
    let report = report(&["GET /api/profiles/ABC?include=push-tokens"], true);
    let explanation = report
        .explanations
        .iter()
        .find(|e| e.scope == "push-tokens:read")
        .unwrap();
    let reason = serde_json::to_value(&explanation.needed_by[0]).unwrap();
    assert_eq!(reason["kind"], "include");
    assert_eq!(reason["value"], "push-tokens");
    assert!(reason["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "GET /api/push-tokens"));
}

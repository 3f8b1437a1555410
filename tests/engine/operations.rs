//! Every operation in the stable and beta specs resolves to exactly its spec
//! scopes by operationId, by each alias, by template path, by a concrete URL,
//! in camelCase, and (stable) by the SDK method names of all four SDKs.

use scopelink::link::{LinkBase, LinkReport};
use scopelink::resolve::{InputItem, MatchedBy, ResolveOptions};

use crate::common::{
    camel, concrete_path, owner_of_name, stable_twin, SpecOperation, SPEC_OPERATIONS,
};

pub use crate::common::EMBEDDED as CATALOG;

pub fn report(items: &[&str], minimal: bool) -> LinkReport {
    let items: Vec<InputItem> = items.iter().map(|&text| InputItem::from(text)).collect();
    LinkReport::build(
        &CATALOG,
        &LinkBase::default(),
        &items,
        ResolveOptions {
            minimal,
            ..Default::default()
        },
    )
}

/// What a private key needs for the operation: its spec scopes, or none for `/client`.
fn expected_scopes(op: &SpecOperation) -> Vec<String> {
    if op.path.starts_with("/client/") {
        Vec::new()
    } else {
        op.scopes.clone()
    }
}

/// Resolves one input minimally and checks it lands on `op` (or an operation
/// on the same endpoint) with exactly the spec's scopes.
fn assert_resolves(input: &str, op: &SpecOperation, matched_by: MatchedBy) {
    let report = report(&[input], true);
    assert!(report.errors.is_empty(), "{input}: {:?}", report.errors);
    let item = &report.operations[0];
    assert_eq!(
        (item.method.as_str(), item.path.as_str()),
        (op.method.as_str(), op.path.as_str()),
        "{input}"
    );
    assert_eq!(
        report.scopes,
        expected_scopes(op),
        "{input} ({})",
        op.operation_id
    );
    assert_eq!(item.matched_by, matched_by, "{input}");
    let expected_link = format!(
        "https://www.klaviyo.com/create-private-api-key?scopes={}",
        expected_scopes(op).join(",")
    );
    assert_eq!(report.url, expected_link, "{input}");
}

#[test]
fn the_catalog_holds_each_operation_of_both_specs_once() {
    for beta in [false, true] {
        let mut in_spec: Vec<&str> = SPEC_OPERATIONS
            .iter()
            .filter(|op| op.beta == beta)
            .map(|op| op.operation_id.as_str())
            .collect();
        let mut in_catalog: Vec<&str> = CATALOG
            .operations()
            .iter()
            .filter(|op| op.is_beta() == beta)
            .map(|op| op.operation_id.as_str())
            .collect();
        in_spec.sort_unstable();
        in_catalog.sort_unstable();
        assert!(!in_spec.is_empty(), "the beta={beta} spec has operations");
        assert_eq!(in_catalog, in_spec, "beta={beta}");
    }
}

#[test]
fn every_operation_resolves_by_operation_id_and_camel_case() {
    for op in SPEC_OPERATIONS.iter() {
        assert_resolves(&op.operation_id, op, MatchedBy::OperationId);
        let report = report(&[&camel(&op.operation_id)], true);
        assert_eq!(report.operations[0].operation_id, op.operation_id);
        let resolved = &report.operations[0];
        assert_eq!(
            resolved.beta_revision.is_some(),
            op.beta,
            "{}",
            op.operation_id
        );
        assert_eq!(resolved.client, op.path.starts_with("/client/"));
    }
}

#[test]
fn every_alias_resolves_to_its_operation() {
    let mut aliases = 0;
    for op in SPEC_OPERATIONS.iter() {
        for alias in &op.aliases {
            aliases += 1;
            let owner = owner_of_name(alias);
            assert_eq!(
                (owner.method.as_str(), owner.path.as_str()),
                (op.method.as_str(), op.path.as_str())
            );
            let matched_by = if owner.operation_id == *alias {
                MatchedBy::OperationId
            } else {
                MatchedBy::Alias
            };
            assert_resolves(alias, op, matched_by);
        }
    }
    assert_eq!(
        aliases,
        299 + 56,
        "KLAVIYO_FACTS §4.1 counts 299 stable and 56 beta aliases"
    );
}

#[test]
fn every_operation_resolves_by_template_path_and_concrete_url() {
    for op in SPEC_OPERATIONS.iter() {
        // A path on both specs answers from stable; the scopes are the same (KLAVIYO_FACTS §6).
        let target = stable_twin(op).unwrap_or(op);
        assert_eq!(
            target.scopes, op.scopes,
            "{} and its stable twin",
            op.operation_id
        );
        assert_resolves(&format!("{} {}", op.method, op.path), op, MatchedBy::Path);
        assert_resolves(
            &format!("{} {}/", op.method.to_lowercase(), op.path),
            op,
            MatchedBy::Path,
        );
        for encode in [true, false] {
            let url = format!(
                "{} https://a.klaviyo.com{}",
                op.method,
                concrete_path(&op.path, encode)
            );
            assert_resolves(&url, op, MatchedBy::Url);
            let query = format!("{} {}?filter=equals(x,1)&fields[profile]=email&page[cursor]=abc&sort=-id&additional-fields[profile]=subscriptions", op.method, concrete_path(&op.path, encode));
            assert_resolves(&query, op, MatchedBy::Path);
        }
        let report = report(&[&path_without_method(op)], true);
        let methods_on_path = SPEC_OPERATIONS
            .iter()
            .filter(|o| o.path == op.path)
            .map(|o| &o.method)
            .collect::<std::collections::BTreeSet<_>>();
        if methods_on_path.len() == 1 {
            assert_eq!(
                report.scopes,
                expected_scopes(op),
                "{} without a method",
                op.path
            );
        } else {
            assert_eq!(
                report.errors[0].code.as_str(),
                "method_required",
                "{}",
                op.path
            );
        }
    }
}

fn path_without_method(op: &SpecOperation) -> String {
    concrete_path(&op.path, true)
}

#[test]
fn every_stable_operation_resolves_by_each_sdk_method_name() {
    for op in SPEC_OPERATIONS.iter().filter(|op| !op.beta) {
        let python_namespace = op.tag.replace(' ', "_");
        let class = op.tag.replace(' ', "");
        let names: Vec<String> = op
            .aliases
            .iter()
            .chain([&op.operation_id])
            .cloned()
            .collect();
        for name in names {
            let camel = camel(&name);
            for input in [
                format!("klaviyo.{python_namespace}.{name}"),
                format!("klaviyo.{python_namespace}.{name}_with_http_info"),
                format!("klaviyo.{python_namespace}.{name}_without_preload_content"),
                format!("{class}Api.{camel}"),
                format!("{class}.{camel}"),
                format!("$klaviyo->{class}->{camel}"),
                format!("$klaviyo->{class}->{camel}AsyncWithHttpInfo"),
                format!("$klaviyo->{class}->{camel}Async"),
                format!("KlaviyoAPI::{class}.{name}"),
                format!("KlaviyoAPI::{class}.{name}_with_http_info"),
            ] {
                let owner = owner_of_name(&name);
                assert_resolves(&input, owner, MatchedBy::SdkMethod);
            }
        }
    }
}

#[test]
fn write_scopes_bring_their_read_scope_unless_minimal() {
    for op in SPEC_OPERATIONS
        .iter()
        .filter(|op| !op.path.starts_with("/client/"))
    {
        let full = report(&[&op.operation_id], false);
        let mut expected: Vec<String> = op.scopes.clone();
        for scope in &op.scopes {
            if let Some(family) = scope.strip_suffix(":write") {
                expected.push(format!("{family}:read"));
            }
        }
        expected.sort();
        expected.dedup();
        assert_eq!(full.scopes, expected, "{}", op.operation_id);
    }
}

#[test]
fn many_inputs_give_the_sorted_union_with_reasons() {
    let report = report(
        &[
            "get_profile",
            "POST /api/lists",
            "GET /api/campaigns?include=tags",
            "create_list",
        ],
        false,
    );
    assert_eq!(
        report.scopes,
        [
            "campaigns:read",
            "lists:read",
            "lists:write",
            "profiles:read",
            "tags:read"
        ]
    );
    let why = |scope: &str| {
        report
            .explanations
            .iter()
            .find(|e| e.scope == scope)
            .unwrap()
    };
    assert_eq!(
        why("lists:write").needed_by.len(),
        2,
        "both list creations need it"
    );
    let tags = serde_json::to_value(&why("tags:read").needed_by[0]).unwrap();
    assert_eq!(tags["kind"], "include");
    assert_eq!(tags["value"], "tags");
    assert_eq!(tags["evidence"][0], "GET /api/campaigns/{id}/tags");
    let read = serde_json::to_value(&why("lists:read").needed_by[0]).unwrap();
    assert_eq!(read["kind"], "write_implies_read");
    assert_eq!(report.oauth_scope, report.scopes.join(" "));
}

#[test]
fn client_endpoints_add_no_scopes_and_warn_and_beta_is_flagged() {
    let report = report(
        &[
            "POST /client/subscriptions",
            "get_profiles",
            "get_campaign_variation_beta",
        ],
        false,
    );
    assert_eq!(report.scopes, ["campaigns:read", "profiles:read"]);
    let codes: Vec<String> = report
        .warnings
        .iter()
        .map(|w| {
            serde_json::to_value(w.code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(codes, ["client_endpoint", "beta_operation"]);
    assert!(report.warnings[1].message.contains("2026-07-15.pre"));
    assert_eq!(
        report.operations[2].beta_revision.as_deref(),
        Some("2026-07-15.pre")
    );
}

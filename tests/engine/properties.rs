//! Property tests over the input parser and the link builder: arbitrary
//! input never panics, and any mix of operations (by name or path, with an
//! include value or not) gets exactly the scopes the specs give them, in a
//! link that parses back to those scopes.

use proptest::prelude::*;
use scopelink::link::{scopes_of_link, LinkBase, LinkReport};
use scopelink::resolve::{InputItem, ResolveOptions, StructuredInput};

use crate::common::{SpecOperation, SPEC_OPERATIONS};
use crate::includes::expected_extra;

use crate::common::EMBEDDED as CATALOG;

fn build(items: &[InputItem], minimal: bool) -> LinkReport {
    LinkReport::build(
        &CATALOG,
        &LinkBase::default(),
        items,
        ResolveOptions {
            minimal,
            ..Default::default()
        },
    )
}

/// Strings shaped like inputs: a method or not, paths with awkward characters, queries.
fn input_like() -> impl Strategy<Value = String> {
    let method = prop_oneof![
        prop::sample::select(vec!["", "GET ", "post ", "DELETE ", "FETCH "])
            .prop_map(str::to_owned),
        "[A-Za-z]{1,7} ",
    ];
    let host = prop::sample::select(vec![
        "",
        "https://a.klaviyo.com",
        "http://a.klaviyo.com:80",
        "https://evil.example",
        "a.klaviyo.com",
    ])
    .prop_map(str::to_owned);
    let segment = prop_oneof![
        Just("api".to_owned()),
        Just("client".to_owned()),
        Just("profiles".to_owned()),
        Just("{id}".to_owned()),
        Just("relationships".to_owned()),
        "[a-z-]{1,12}",
        "[%$:._~!*'()A-Za-z0-9]{0,16}",
        "\\PC{0,6}",
    ];
    let path = prop::collection::vec(segment, 0..6).prop_map(|s| format!("/{}", s.join("/")));
    let query = prop_oneof![
        Just(String::new()),
        "\\?include=[a-z,-]{0,20}",
        "\\?[ -~]{0,30}"
    ];
    (method, host, path, query).prop_map(|(m, h, p, q)| format!("{m}{h}{p}{q}"))
}

/// Names shaped like SDK methods.
fn name_like() -> impl Strategy<Value = String> {
    "[$A-Za-z_:.>()-]{0,40}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(text in "\\PC{0,80}", raw in any::<String>()) {
        for item in [text, raw] {
            let report = build(&[InputItem::Text(item)], false);
            prop_assert_eq!(report.operations.len() + report.errors.len(), 1);
        }
    }

    #[test]
    fn input_shaped_strings_never_panic_and_each_gets_an_answer(inputs in prop::collection::vec(prop_oneof![input_like(), name_like()], 1..8)) {
        let items: Vec<InputItem> = inputs.iter().cloned().map(InputItem::Text).collect();
        let report = build(&items, false);
        prop_assert_eq!(report.operations.len() + report.errors.len(), items.len());
        for error in &report.errors {
            prop_assert!(error.suggestions.len() <= 3);
            prop_assert!(!error.detail.is_empty());
        }
        prop_assert_eq!(scopes_of_link(&report.url), Some(report.scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    }

    #[test]
    fn structured_items_never_panic(operation in prop_oneof![input_like(), name_like()], include in prop::collection::vec("\\PC{0,12}", 0..4)) {
        let report = build(&[InputItem::Structured(StructuredInput { operation, include })], true);
        prop_assert_eq!(report.operations.len() + report.errors.len(), 1);
    }

    #[test]
    fn any_mix_of_operations_gets_the_spec_scopes_in_a_link_that_parses_back(
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<bool>(), any::<bool>()), 1..12),
        minimal in any::<bool>(),
    ) {
        let mut items = Vec::new();
        let mut expected = Vec::new();
        for (op, include, with_include, by_path) in &picks {
            let op = op.get(&SPEC_OPERATIONS);
            let include = (*with_include && !op.includes.is_empty()).then(|| include.get(&op.includes).clone());
            items.push(input(op, include.as_deref(), *by_path));
            expected.extend(spec_scopes(op, include.as_deref(), minimal));
        }
        expected.sort();
        expected.dedup();

        let report = build(&items, minimal);
        prop_assert!(report.errors.is_empty(), "{:?}", report.errors);
        prop_assert_eq!(&report.scopes, &expected, "{:?}", items);
        prop_assert!(report.url.starts_with("https://www.klaviyo.com/create-private-api-key?scopes="));
        prop_assert_eq!(scopes_of_link(&report.url), Some(expected.clone()));
        prop_assert_eq!(report.oauth_scope.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(), expected.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// The operation as a user writes it: `METHOD /path?include=…` for a stable
/// operation when `by_path`, else its operationId (which names beta ones exactly).
fn input(op: &SpecOperation, include: Option<&str>, by_path: bool) -> InputItem {
    if by_path && !op.beta {
        let query = include
            .map(|value| format!("?include={value}"))
            .unwrap_or_default();
        InputItem::Text(format!("{} {}{query}", op.method, op.path))
    } else {
        InputItem::Structured(StructuredInput {
            operation: op.operation_id.clone(),
            include: include.into_iter().map(str::to_owned).collect(),
        })
    }
}

/// What the specs say the operation needs with a private key: its
/// `x-klaviyo-scopes` (none for `/client` operations, which take the public
/// key), the include value's extra from KLAVIYO_FACTS §3.5, and the read
/// scope of each write scope unless `minimal`.
fn spec_scopes(op: &SpecOperation, include: Option<&str>, minimal: bool) -> Vec<String> {
    if op.path.starts_with("/client/") {
        return Vec::new();
    }
    let mut scopes = op.scopes.clone();
    if let Some(extra) = include.and_then(|value| expected_extra(op.beta, &op.path, value)) {
        scopes.push(extra.to_owned());
    }
    if !minimal {
        let reads: Vec<String> = scopes
            .iter()
            .filter_map(|scope| scope.strip_suffix(":write"))
            .map(|family| format!("{family}:read"))
            .collect();
        scopes.extend(reads);
    }
    scopes
}

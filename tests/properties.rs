//! Property tests over the input parser and the link builder: arbitrary
//! input never panics, and every link parses back to exactly its scopes.

use std::sync::LazyLock;

use proptest::prelude::*;
use scopelink::catalog::Catalog;
use scopelink::link::{scopes_of_link, LinkBase, LinkReport};
use scopelink::resolve::{InputItem, ResolveOptions, StructuredInput};

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::embedded);

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
    fn every_link_parses_back_to_exactly_its_scopes(
        picks in prop::collection::vec((0usize..493, any::<prop::sample::Index>(), any::<bool>()), 1..12),
        minimal in any::<bool>(),
    ) {
        let operations = CATALOG.operations();
        let items: Vec<InputItem> = picks
            .iter()
            .map(|(n, include, by_path)| {
                let op = &operations[n % operations.len()];
                let include: Vec<String> = if op.includes.is_empty() { Vec::new() } else { vec![include.get(&op.includes).value.clone()] };
                if *by_path && !op.is_beta() {
                    let query = if include.is_empty() { String::new() } else { format!("?include={}", include[0]) };
                    InputItem::Text(format!("{} {}{query}", op.method, op.path))
                } else {
                    InputItem::Structured(StructuredInput { operation: op.operation_id.clone(), include })
                }
            })
            .collect();
        let report = build(&items, minimal);
        prop_assert!(report.errors.is_empty(), "{:?}", report.errors);
        let parsed = scopes_of_link(&report.url).expect("a link with scopes=");
        prop_assert_eq!(&parsed, &report.scopes);
        let mut sorted = parsed.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&sorted, &parsed, "sorted and deduplicated");
        prop_assert!(report.url.starts_with("https://www.klaviyo.com/create-private-api-key?scopes="));
        prop_assert_eq!(report.oauth_scope.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(), parsed.iter().map(String::as_str).collect::<Vec<_>>());
        // Every scope the spec lists for a private-key operation is in the link.
        for item in &report.operations {
            for scope in &item.scopes {
                prop_assert!(parsed.iter().any(|p| p == scope));
            }
        }
    }
}

//! The resolver's memo of exact inputs answers every input as the resolver
//! answers it without the memo: each spec's every endpoint, operationId and
//! alias, written exactly, in other spellings, with includes and with
//! concrete ids, both without and with a `.pre` revision's preference; and
//! it holds every endpoint and operationId.

use scopelink::catalog::Catalog;
use scopelink::resolve::{
    resolve, ExactInputs, InputItem, MatchedBy, ResolveOptions, StructuredInput,
};

use crate::common::{concrete_path, spec, SpecOperation, SPEC_OPERATIONS};

/// Every text an input could be written as for one spec operation.
fn texts(op: &SpecOperation) -> Vec<String> {
    let method = op.method.to_uppercase();
    let endpoint = format!("{method} {}", op.path);
    let mut texts = vec![
        endpoint.clone(),
        op.operation_id.clone(),
        format!("{} {}", op.method.to_lowercase(), op.path),
        format!("{endpoint}/"),
        format!(" {endpoint}"),
        format!("{method}  {}", op.path),
        format!("{method} https://a.klaviyo.com{}", op.path),
        format!("{method} {}", concrete_path(&op.path, false)),
    ];
    texts.extend(op.aliases.iter().cloned());
    for include in &op.includes {
        texts.push(format!("{endpoint}?include={include}"));
        texts.push(format!("{}?include={include}", op.operation_id));
    }
    texts
}

/// The inputs for one text: as a string, and as structured input with no
/// include and with the operation's first include.
fn inputs(op: &SpecOperation) -> Vec<InputItem> {
    let mut inputs = Vec::new();
    for text in texts(op) {
        inputs.push(InputItem::Text(text.clone()));
        for include in [Vec::new(), op.includes.iter().take(1).cloned().collect()] {
            inputs.push(InputItem::Structured(StructuredInput {
                operation: text.clone(),
                include,
            }));
        }
    }
    inputs
}

fn catalogs() -> Vec<(&'static str, Catalog)> {
    let load = |files: &[&str]| {
        let paths: Vec<_> = files.iter().map(|name| spec(name)).collect();
        Catalog::from_spec_files(&paths).unwrap()
    };
    [
        ("stable and beta", &["stable.json", "beta.json"][..]),
        ("older stable", &["stable-2024-10-15.json"][..]),
    ]
    .into_iter()
    .map(|(name, files)| (name, load(files)))
    .collect()
}

#[test]
fn every_input_resolves_as_it_does_without_the_memo() {
    for (name, catalog) in catalogs() {
        let memo = ExactInputs::of(&catalog);
        assert!(
            memo.len() >= catalog.operations().len(),
            "{name}: {} texts for {} operations",
            memo.len(),
            catalog.operations().len()
        );
        // Each item is resolved on its own, and the resolution says which
        // item each operation and error is of, so comparing the whole
        // resolution compares every item's.
        // (Operations the catalog lacks would only compare errors, which
        // take the same path with or without the memo.)
        let known = SPEC_OPERATIONS
            .iter()
            .filter(|op| catalog.by_name(&op.operation_id).is_some());
        for op in known {
            let items = inputs(op);
            for prefer_beta in [false, true] {
                let without = ResolveOptions {
                    prefer_beta,
                    max_item_bytes: Some(500),
                    ..ResolveOptions::default()
                };
                let with = ResolveOptions {
                    exact_inputs: Some(&memo),
                    ..without
                };
                assert_eq!(
                    resolve(&catalog, &items, with),
                    resolve(&catalog, &items, without),
                    "{name}: {} (prefer_beta {prefer_beta})",
                    op.operation_id
                );
            }
        }
    }
}

#[test]
fn the_memo_holds_every_endpoint_and_operation_id_the_catalog_answers() {
    for (name, catalog) in catalogs() {
        let memo = ExactInputs::of(&catalog);
        for operation in catalog.operations() {
            for (text, form) in [
                (operation.endpoint(), MatchedBy::Path),
                (operation.operation_id.clone(), MatchedBy::OperationId),
            ] {
                for prefer_beta in [false, true] {
                    let options = ResolveOptions {
                        prefer_beta,
                        ..ResolveOptions::default()
                    };
                    let resolution = resolve(&catalog, &[InputItem::Text(text.clone())], options);
                    let [item] = &resolution.operations[..] else {
                        panic!("{name}: {text} did not resolve: {:?}", resolution.errors);
                    };
                    assert_eq!(item.matched_by, form, "{name}: {text}");
                    assert!(memo.holds(&text), "{name}: {text} is not in the memo");
                }
            }
        }
    }
}

//! A JSON writer for a [`CompactReport`] that gives exactly the bytes
//! `serde_json` gives for the [`LinkReport`] made from it, at a fraction of
//! the cost: keys are written as constants, each operation's fixed parts
//! (its fields, and its `operations` and `needed_by` entries for no include
//! or one) are copied whole as the catalog rendered them when it loaded,
//! strings that need no escaping (nearly all) are copied whole, and scopes,
//! methods and codes, which never need it, are copied unchecked. The
//! answer of `POST /v1/links` is written with it.
//!
//! The tests compare it with `serde_json::to_vec` of the owned report on
//! every operation, every include value and every error, so a field added
//! to the report without being added here fails them.

use super::{CatalogInfo, CompactReport};
use crate::catalog::Catalog;
use crate::json_text::needs_escape;
use crate::resolve::compact::{catalog_input, include_slot, Found, Need, Why};
use crate::resolve::{InputItem, Warning};
use crate::scope::Scope;

impl CompactReport<'_> {
    /// The report for `items` (the inputs it was built from) as compact
    /// JSON: byte for byte `serde_json::to_vec` of [`CompactReport::into_report`].
    pub fn to_json(&self, items: &[InputItem]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json_size_hint(items));
        self.write_json_fields(items, &mut out);
        out.push(b'}');
        out
    }

    /// A guess of the JSON size, to allocate the answer once.
    pub fn json_size_hint(&self, items: &[InputItem]) -> usize {
        let resolution = &self.resolution;
        let inputs: usize = resolution
            .found
            .iter()
            .map(|found| items[found.index].operation_text().len())
            .sum();
        // Each scope is in the link, `scopes`, `oauth_scope` and `explanations`.
        1024 + 400 * resolution.found.len()
            + inputs
            + 88 * resolution.needs.scope_count()
            + 100 * resolution.needs.need_count()
            + 200 * resolution.warnings.len()
            + 600 * resolution.errors.len()
    }

    /// Writes `{` and every field of the report for `items` (the inputs it
    /// was built from), without the closing `}`, so that a caller can add
    /// fields of its own (`#[serde(flatten)]`).
    pub fn write_json_fields(&self, items: &[InputItem], out: &mut Vec<u8>) {
        let resolution = &self.resolution;
        let catalog = resolution.catalog();
        out.extend_from_slice(b"{\"url\":");
        let base = self.base.as_str();
        if needs_escape(base) {
            write_str(out, &self.url());
        } else {
            out.push(b'"');
            out.extend_from_slice(base.as_bytes());
            out.extend_from_slice(super::SCOPES_QUERY.as_bytes());
            write_joined(out, resolution.scopes(), b',');
            out.push(b'"');
        }
        out.extend_from_slice(b",\"scopes\":");
        write_scopes(out, resolution.scopes());
        out.extend_from_slice(b",\"oauth_scope\":\"");
        write_joined(out, resolution.scopes(), b' ');
        out.extend_from_slice(b"\",\"minimal\":");
        write_bool(out, self.options.minimal);
        out.extend_from_slice(b",\"explanations\":");
        let ids = catalog.scope_ids();
        write_list(out, resolution.needs.by_scope(), |out, (scope, needs)| {
            out.extend_from_slice(b"{\"scope\":");
            write_plain(out, ids.scope(scope));
            out.extend_from_slice(b",\"needed_by\":");
            write_list(out, needs, |out, need| {
                write_need(out, catalog, &resolution.found, need)
            });
            out.push(b'}');
        });
        out.extend_from_slice(b",\"operations\":");
        write_list(out, &resolution.found, |out, found| {
            write_found(out, catalog, found, &items[found.index])
        });
        out.extend_from_slice(b",\"warnings\":");
        write_list(out, &resolution.warnings, write_warning);
        out.extend_from_slice(b",\"errors\":");
        write_list(out, &resolution.errors, write_serde);
        out.extend_from_slice(b",\"catalog\":");
        write_catalog(out, catalog.info(self.options.prefer_beta));
    }
}

/// A JSON string, escaped exactly as `serde_json` escapes it.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text) {
        write_serde(out, text);
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Any value through `serde_json`, for the rare parts (errors, the catalog).
fn write_serde<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(&mut *out, value).expect("JSON into a Vec cannot fail");
}

fn write_bool(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

fn write_usize(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// A string known to need no escaping (scopes, methods, codes, and the
/// form-encoded link URLs), copied without being scanned.
pub fn write_plain(out: &mut Vec<u8>, text: &str) {
    debug_assert!(!needs_escape(text), "{text:?} needs escaping");
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

fn write_list<I: IntoIterator>(
    out: &mut Vec<u8>,
    items: I,
    mut write: impl FnMut(&mut Vec<u8>, I::Item),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// Scopes with `separator` between them, unchecked (see [`write_scopes`]).
fn write_joined<'s>(out: &mut Vec<u8>, scopes: impl Iterator<Item = &'s Scope>, separator: u8) {
    for (i, scope) in scopes.enumerate() {
        if i > 0 {
            out.push(separator);
        }
        out.extend_from_slice(scope.as_bytes());
    }
}

fn write_strings(out: &mut Vec<u8>, texts: &[String]) {
    write_list(out, texts, |out, text| write_str(out, text));
}

/// Scopes are `family:level` with a lowercase, hyphenated family, checked
/// when parsed ([`Scope::parse`]), so they never need escaping.
fn write_scopes<'s>(out: &mut Vec<u8>, scopes: impl IntoIterator<Item = &'s Scope>) {
    write_list(out, scopes, |out, scope| write_plain(out, scope));
}

/// A `needed_by` entry: its `index`, then what the catalog rendered for an
/// operation's or an include value's need, or the pairing of a read scope
/// with its write.
fn write_need(out: &mut Vec<u8>, catalog: &Catalog, found: &[Found], need: &Need) {
    let found = &found[need.item];
    let text = catalog.shared_text(found.operation);
    out.extend_from_slice(b"{\"index\":");
    write_usize(out, found.index);
    match need.why {
        Why::Operation => out.extend_from_slice(text.json_need.as_bytes()),
        Why::Include(slot) => out.extend_from_slice(text.includes[slot].json_need.as_bytes()),
        Why::WriteImpliesRead(write) => {
            out.extend_from_slice(b",\"operation_id\":");
            write_str(out, &text.operation_id);
            out.extend_from_slice(b",\"kind\":\"write_implies_read\",\"write_scope\":");
            write_plain(out, catalog.scope_ids().scope(write));
            out.push(b'}');
        }
    }
}

fn write_input(out: &mut Vec<u8>, input: &InputItem) {
    match input {
        InputItem::Text(text) => write_str(out, text),
        InputItem::Structured(item) => {
            out.extend_from_slice(b"{\"operation\":");
            write_str(out, &item.operation);
            out.extend_from_slice(b",\"include\":");
            write_strings(out, &item.include);
            out.push(b'}');
        }
    }
}

/// An `operations` entry: the input (as the catalog rendered it, when it
/// is the operation's endpoint or operationId), the operation's fields, and
/// the rest as the catalog rendered it for no include or one.
fn write_found(out: &mut Vec<u8>, catalog: &Catalog, found: &Found, input: &InputItem) {
    let op = catalog.operation(found.operation);
    let text = catalog.shared_text(found.operation);
    out.extend_from_slice(b"{\"index\":");
    write_usize(out, found.index);
    out.extend_from_slice(b",\"input\":");
    match (input, catalog_input(catalog, found, input)) {
        (InputItem::Text(_), Some(rendered)) => out.extend_from_slice(rendered.json.as_bytes()),
        (InputItem::Text(text), None) if found.plain_text => write_plain(out, text),
        _ => write_input(out, input),
    }
    out.push(b',');
    out.extend_from_slice(text.json_fields.as_bytes());
    out.extend_from_slice(b",\"matched_by\":");
    write_plain(out, found.matched_by.as_str());
    match &found.includes[..] {
        [] => out.extend_from_slice(text.json_rest_without_includes.as_bytes()),
        [value] => {
            out.extend_from_slice(text.includes[include_slot(op, value)].json_rest.as_bytes())
        }
        includes => op.write_json_rest(includes, out),
    }
}

fn write_warning(out: &mut Vec<u8>, warning: &Warning) {
    out.extend_from_slice(b"{\"code\":");
    write_plain(out, warning.code.as_str());
    if let Some(index) = warning.index {
        out.extend_from_slice(b",\"index\":");
        write_usize(out, index);
    }
    out.extend_from_slice(b",\"message\":");
    write_str(out, &warning.message);
    out.push(b'}');
}

fn write_catalog(out: &mut Vec<u8>, catalog: &CatalogInfo) {
    out.extend_from_slice(catalog.json().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::link::LinkBase;
    use crate::resolve::{ResolveOptions, StructuredInput};

    fn same_as_serde(catalog: &Catalog, items: &[InputItem], minimal: bool, prefer_beta: bool) {
        let options = ResolveOptions {
            minimal,
            prefer_beta,
            max_item_bytes: Some(200),
            exact_inputs: None,
        };
        let base = LinkBase::default();
        let report = CompactReport::build(catalog, &base, items, options);
        let written = report.to_json(items);
        let expected = serde_json::to_vec(&report.into_report(items)).unwrap();
        assert!(
            written == expected,
            "differs from serde_json:\n{}\n{}",
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected)
        );
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for value in (0..=1_000).chain([9_999, 10_000, 123_456, usize::MAX]) {
            let mut out = Vec::new();
            write_usize(&mut out, value);
            assert_eq!(out, serde_json::to_vec(&value).unwrap(), "{value}");
        }
    }

    #[test]
    fn every_operation_and_include_writes_what_serde_json_writes() {
        let catalog = Catalog::embedded();
        for minimal in [false, true] {
            for prefer_beta in [false, true] {
                for operation in catalog.operations() {
                    let includes: Vec<String> =
                        operation.includes.iter().map(|r| r.value.clone()).collect();
                    let items = [
                        InputItem::Structured(StructuredInput {
                            operation: operation.operation_id.clone(),
                            include: includes.clone(),
                        }),
                        InputItem::Text(operation.endpoint()),
                        InputItem::Text(format!(
                            "{}?include={}",
                            operation.endpoint(),
                            includes.join(",")
                        )),
                    ];
                    same_as_serde(&catalog, &items, minimal, prefer_beta);
                }
                let all: Vec<InputItem> = catalog
                    .operations()
                    .iter()
                    .map(|op| InputItem::Text(op.operation_id.clone()))
                    .collect();
                same_as_serde(&catalog, &all, minimal, prefer_beta);
            }
        }
    }

    #[test]
    fn escapes_errors_and_odd_text_write_what_serde_json_writes() {
        let catalog = Catalog::embedded();
        let odd = [
            "GET\t/api/profiles",
            "GET /api/profiles/\"quoted\\\"/lists",
            "GET /api/profiles/é\u{7f}ü/lists",
            "GET /api/profiles/\u{1}",
            "get_profils",
            "GET /api/profiles?include=lsts",
            "GET https://www.klaviyo.com/api/profiles",
            "FETCH /api/profiles",
            "/api/profiles/{id}",
            "",
            "get_profiles?include=\"x\"",
            "GET /api/profiles?api_key=pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2",
            "klaviyo.Lists.get_profiles",
            "get_profiles\n",
            "klaviyo.Profiles.get_profiles",
            "ProfilesApi.getProfilesWithHttpInfo",
            "GET https://a.klaviyo.com/api/profiles/?include=lists",
        ];
        let mut items: Vec<InputItem> = odd.iter().map(|&text| InputItem::from(text)).collect();
        items.push(InputItem::Text("x".repeat(300)));
        items.push(InputItem::Structured(StructuredInput {
            operation: "get_event".into(),
            include: vec!["metric, profile".into(), "\"bad\"".into()],
        }));
        items.push(InputItem::Structured(StructuredInput {
            operation: "get_event".into(),
            include: vec!["metric".into(), "profile".into()],
        }));
        for minimal in [false, true] {
            same_as_serde(&catalog, &items, minimal, false);
            for item in &items {
                same_as_serde(&catalog, std::slice::from_ref(item), minimal, false);
            }
        }
        for value in [0, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut out = Vec::new();
            write_usize(&mut out, value);
            assert_eq!(out, value.to_string().into_bytes());
        }
    }

    #[test]
    fn every_catalog_origin_and_channel_writes_what_serde_json_writes() {
        use crate::catalog::{CatalogOrigin, CatalogSource, Channel};
        for origin in [
            CatalogOrigin::Embedded,
            CatalogOrigin::Specs,
            CatalogOrigin::Table,
        ] {
            let info = CatalogInfo::new(
                "2026-07-15.pre",
                origin,
                &[
                    CatalogSource {
                        revision: "2026-07-15".to_owned(),
                        channel: Channel::Stable,
                        file: "a \"b\"\\c\u{1}é.json".to_owned(),
                        operations: 412,
                    },
                    CatalogSource {
                        revision: "2026-07-15.pre".to_owned(),
                        channel: Channel::Beta,
                        file: "beta.json".to_owned(),
                        operations: 0,
                    },
                ],
            );
            let mut out = Vec::new();
            write_catalog(&mut out, &info);
            assert_eq!(out, serde_json::to_vec(&info).unwrap());
        }
    }
}

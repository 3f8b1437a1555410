//! A JSON writer for [`LinkReport`] that gives exactly the bytes `serde_json`
//! gives for its `Serialize` impl, at a fraction of the cost: keys are
//! written as constants, strings that need no escaping (nearly all) are
//! copied whole, and scopes, methods and codes, which never need it, are
//! copied unchecked. The answer of `POST /v1/links` is written with it.
//!
//! The tests compare it with `serde_json::to_vec` on every operation, every
//! include value and every error, so a field added to the report without
//! being added here fails them.

use super::{CatalogInfo, LinkReport};
use crate::json_text::{decimal_bytes, needs_escape};
use crate::resolve::{InputItem, NeededBy, Reason, ResolvedItem, ScopeExplanation, Warning};
use crate::scope::Scope;

impl LinkReport {
    /// The report as compact JSON, byte for byte `serde_json::to_vec(self)`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json_size_hint());
        self.write_json_fields(&mut out);
        out.push(b'}');
        out
    }

    /// A guess of the JSON size, to allocate the answer once.
    pub fn json_size_hint(&self) -> usize {
        let inputs: usize = self
            .operations
            .iter()
            .map(|item| item.input.operation_text().len())
            .sum();
        let needs: usize = self
            .explanations
            .iter()
            .map(|explanation| 40 + 100 * explanation.needed_by.len())
            .sum();
        1024 + 400 * self.operations.len()
            + inputs
            + needs
            + 48 * self.scopes.len()
            + 200 * self.warnings.len()
            + 600 * self.errors.len()
    }

    /// Writes `{` and every field of the report, without the closing `}`, so
    /// that a caller can add fields of its own (`#[serde(flatten)]`).
    pub fn write_json_fields(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"url\":");
        write_str(out, &self.url);
        out.extend_from_slice(b",\"scopes\":");
        write_scopes(out, &self.scopes);
        out.extend_from_slice(b",\"oauth_scope\":");
        write_str(out, &self.oauth_scope);
        out.extend_from_slice(b",\"minimal\":");
        write_bool(out, self.minimal);
        out.extend_from_slice(b",\"explanations\":");
        write_list(out, &self.explanations, write_explanation);
        out.extend_from_slice(b",\"operations\":");
        write_list(out, &self.operations, write_resolved);
        out.extend_from_slice(b",\"warnings\":");
        write_list(out, &self.warnings, write_warning);
        out.extend_from_slice(b",\"errors\":");
        write_list(out, &self.errors, write_serde);
        out.extend_from_slice(b",\"catalog\":");
        write_catalog(out, &self.catalog);
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
    // Indexes are nearly always under 100: their digits need no loop.
    match value {
        0..=9 => out.push(b'0' + value as u8),
        10..=99 => out.extend_from_slice(&[b'0' + (value / 10) as u8, b'0' + (value % 10) as u8]),
        _ => out.extend_from_slice(decimal_bytes(value as u64, &mut [0; 20])),
    }
}

/// A string known to need no escaping (scopes, methods, codes, and the
/// form-encoded link URLs), copied without being scanned.
pub fn write_plain(out: &mut Vec<u8>, text: &str) {
    debug_assert!(!needs_escape(text), "{text:?} needs escaping");
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

fn write_list<T>(out: &mut Vec<u8>, items: &[T], mut write: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

fn write_strings(out: &mut Vec<u8>, texts: &[String]) {
    write_list(out, texts, |out, text| write_str(out, text));
}

/// Scopes are `family:level` with a lowercase, hyphenated family, checked
/// when parsed ([`Scope::parse`]), so they never need escaping.
fn write_scopes(out: &mut Vec<u8>, scopes: &[Scope]) {
    write_list(out, scopes, |out, scope| write_plain(out, scope));
}

fn write_explanation(out: &mut Vec<u8>, explanation: &ScopeExplanation) {
    out.extend_from_slice(b"{\"scope\":");
    write_plain(out, &explanation.scope);
    out.extend_from_slice(b",\"needed_by\":");
    write_list(out, &explanation.needed_by, write_needed_by);
    out.push(b'}');
}

fn write_needed_by(out: &mut Vec<u8>, need: &NeededBy) {
    out.extend_from_slice(b"{\"index\":");
    write_usize(out, need.index);
    if let Some(rest) = &need.json_rest {
        out.extend_from_slice(rest.as_bytes());
        return;
    }
    out.extend_from_slice(b",\"operation_id\":");
    write_str(out, &need.operation_id);
    match &need.reason {
        Reason::Operation => out.extend_from_slice(b",\"kind\":\"operation\""),
        Reason::Include { value, evidence } => {
            out.extend_from_slice(b",\"kind\":\"include\",\"value\":");
            write_str(out, value);
            out.extend_from_slice(b",\"evidence\":");
            write_strings(out, evidence);
        }
        Reason::WriteImpliesRead { write_scope } => {
            out.extend_from_slice(b",\"kind\":\"write_implies_read\",\"write_scope\":");
            write_plain(out, write_scope);
        }
    }
    out.push(b'}');
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

fn write_resolved(out: &mut Vec<u8>, item: &ResolvedItem) {
    out.extend_from_slice(b"{\"index\":");
    write_usize(out, item.index);
    out.extend_from_slice(b",\"input\":");
    match (&item.catalog_input, &item.input) {
        (Some(text), InputItem::Text(_)) => out.extend_from_slice(text.json.as_bytes()),
        _ => write_input(out, &item.input),
    }
    out.push(b',');
    out.extend_from_slice(item.json_fields.as_bytes());
    out.extend_from_slice(b",\"matched_by\":");
    write_plain(out, item.matched_by.as_str());
    // (Rendered for the item's includes: restating an item drops it.)
    if let Some(rest) = &item.json_rest {
        out.extend_from_slice(rest.as_bytes());
        return;
    }
    out.extend_from_slice(b",\"includes\":");
    write_strings(out, &item.includes);
    out.extend_from_slice(b",\"scopes\":");
    write_scopes(out, &item.scopes);
    if let Some(revision) = &item.beta_revision {
        out.extend_from_slice(b",\"beta_revision\":");
        write_str(out, revision);
    }
    out.extend_from_slice(b",\"client\":");
    write_bool(out, item.client);
    out.push(b'}');
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
        };
        let report = LinkReport::build(catalog, &LinkBase::default(), items, options);
        let expected = serde_json::to_vec(&report).unwrap();
        let written = report.to_json();
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

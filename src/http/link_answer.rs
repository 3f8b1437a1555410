//! The link answer the server writes: the report's JSON (`link::json`) and
//! the two URLs that reproduce it, `/go` and the page's, written in one pass.

use std::ops::Range;

use serde::Serialize;
use utoipa::ToSchema;

use crate::form_text::form_encode;
#[cfg(test)]
use crate::link::{input_text, links_url};
use crate::link::{CompactReport, LinkReport};
use crate::resolve::compact::catalog_input;
use crate::resolve::InputItem;

// The server writes this answer from the compact report (`answer_json`):
// the struct gives its schema and, in the tests, the owned answer it is
// compared with.
/// A link answer: the report, and the two URLs that reproduce it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkAnswer {
    #[serde(flatten)]
    pub report: LinkReport,
    /// The relative `/go` URL for the inputs that resolved, in input order, with
    /// `minimal` and `revision` as asked: a docs link that redirects to this link.
    #[schema(example = "/go?op=get_profiles&op=POST+%2Fapi%2Flists")]
    go_url: String,
    /// The relative builder-page URL for every input that is not key-like
    /// (resolved or not), so that opening it shows this answer, errors included.
    #[schema(example = "/?op=get_profiles&op=get_profils")]
    page_url: String,
}

#[cfg(test)]
impl LinkAnswer {
    /// The answer for `items` as resolved into `report`, owned, with its
    /// URLs written by `link::links_url` (`serde_urlencoded`): what
    /// the server writes from the compact report ([`answer_json`]) by hand,
    /// for the tests to compare.
    pub fn new(report: LinkReport, items: &[InputItem], revision: Option<&str>) -> LinkAnswer {
        let resolved: Vec<String> = report
            .operations
            .iter()
            .map(|operation| input_text(&items[operation.index]))
            .collect();
        let shown: Vec<String> = items
            .iter()
            .filter(|item| !item.is_key_like())
            .map(input_text)
            .collect();
        LinkAnswer {
            go_url: links_url("/go", &resolved, report.minimal, revision),
            page_url: links_url("/", &shown, report.minimal, revision),
            report,
        }
    }
}

/// The JSON of the [`LinkAnswer`] for `items` as resolved into `report`,
/// byte for byte `serde_json`'s, written from the compact report
/// (`link::json`) without making it owned.
pub(super) fn answer_json(
    report: &CompactReport<'_>,
    items: &[InputItem],
    revision: Option<&str>,
) -> Vec<u8> {
    let catalog = report.resolution.catalog();
    let texts: usize = items.iter().map(|item| item.operation_text().len()).sum();
    let mut out = Vec::with_capacity(report.json_size_hint(items) + 6 * texts + 64);
    report.write_json_fields(items, &mut out);
    let resolved = report.resolution.found.iter().map(|found| {
        let item = &items[found.index];
        let encoded = catalog_input(catalog, found, item).map(|input| &*input.form_encoded);
        (found.index, encoded)
    });
    write_link_urls(&mut out, items, resolved, report.minimal(), revision);
    out.push(b'}');
    out
}

/// Writes `,"go_url":"…","page_url":"…"`: the `/go` URL of the inputs that
/// resolved (`resolved`: each one's index and, when the catalog rendered
/// it, its form-encoding, in input order) and the page URL of every input
/// that is not key-like, in input order, each with `minimal` and
/// `revision`. They are `links_url` (crate::link) of each list, the same text
/// (the tests compare them), written in one pass with each input
/// form-encoded once: the page URL copies the `/go` URL's. Form-encoding
/// leaves nothing JSON would escape.
fn write_link_urls<'a>(
    out: &mut Vec<u8>,
    items: &[InputItem],
    resolved: impl Iterator<Item = (usize, Option<&'a str>)>,
    minimal: bool,
    revision: Option<&str>,
) {
    let revision = revision.filter(|r| !r.trim().is_empty());
    let options = |out: &mut Vec<u8>, has_query: bool| {
        let mut separator = if has_query { b'&' } else { b'?' };
        if minimal {
            out.push(separator);
            out.extend_from_slice(b"minimal=true");
            separator = b'&';
        }
        if let Some(revision) = revision {
            out.push(separator);
            out.extend_from_slice(b"revision=");
            form_encode(revision, out);
        }
    };
    out.extend_from_slice(b",\"go_url\":\"/go");
    // Each resolved input's index and where its value is in the `/go` URL.
    let mut in_go: Vec<(usize, Range<usize>)> = Vec::with_capacity(items.len());
    for (index, encoded) in resolved {
        out.extend_from_slice(if in_go.is_empty() { b"?op=" } else { b"&op=" });
        let start = out.len();
        match encoded {
            Some(encoded) => out.extend_from_slice(encoded.as_bytes()),
            None => encode_input(&items[index], out),
        }
        in_go.push((index, start..out.len()));
    }
    options(out, !in_go.is_empty());
    out.extend_from_slice(b"\",\"page_url\":\"/");
    let mut in_go = in_go.into_iter().peekable();
    let mut has_query = false;
    for (index, item) in items.iter().enumerate() {
        let separator: &[u8] = if has_query { b"&op=" } else { b"?op=" };
        if let Some((_, value)) = in_go.next_if(|(resolved, _)| *resolved == index) {
            out.extend_from_slice(separator);
            out.extend_from_within(value);
        } else if item.is_key_like() {
            // Key-like inputs are left out (resolving refuses them too).
            continue;
        } else {
            out.extend_from_slice(separator);
            encode_input(item, out);
        }
        has_query = true;
    }
    options(out, has_query);
    out.push(b'"');
}

/// `input_text` (web::html) of an item, form-encoded (`encode(a + b)` is `encode(a) + encode(b)`).
fn encode_input(item: &InputItem, out: &mut Vec<u8>) {
    match item {
        InputItem::Text(text) => form_encode(text, out),
        InputItem::Structured(input) => {
            form_encode(&input.operation, out);
            if !input.include.is_empty() {
                out.extend_from_slice(if input.operation.contains('?') {
                    b"%26include%3D"
                } else {
                    b"%3Finclude%3D"
                });
                for (i, value) in input.include.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b"%2C");
                    }
                    form_encode(value, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::http::extract::Query;
    use crate::http::link_request::{items, GoQuery};
    use crate::link::LinkBase;
    use crate::resolve::{ResolveOptions, StructuredInput};

    fn report(catalog: &Catalog, items: &[InputItem], minimal: bool) -> LinkReport {
        let options = ResolveOptions {
            minimal,
            ..ResolveOptions::default()
        };
        LinkReport::build(catalog, &LinkBase::default(), items, options)
    }

    /// The server's answer for `items`, checked byte for byte against
    /// `serde_json`'s of the owned answer.
    fn answer(
        catalog: &Catalog,
        items: &[InputItem],
        minimal: bool,
        revision: Option<&str>,
    ) -> LinkAnswer {
        let options = ResolveOptions {
            minimal,
            ..ResolveOptions::default()
        };
        let base = LinkBase::default();
        let compact = CompactReport::build(catalog, &base, items, options);
        let written = answer_json(&compact, items, revision);
        let answer = LinkAnswer::new(compact.into_report(items), items, revision);
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string(&answer).unwrap()
        );
        answer
    }

    /// What `GET /go` reads from a `go_url`: the same report.
    fn reread(catalog: &Catalog, url: &str) -> LinkReport {
        let query = url.split_once('?').map_or("", |(_, query)| query);
        let Query(go) = Query::<GoQuery>::parse(query).unwrap();
        report(catalog, &items(&go.op), go.minimal == Some(true))
    }

    #[test]
    fn every_operation_with_every_include_round_trips_through_its_go_url() {
        let catalog = Catalog::embedded();
        for minimal in [false, true] {
            for operation in catalog.operations() {
                let items = [
                    InputItem::Structured(StructuredInput {
                        operation: operation.operation_id.clone(),
                        include: operation.includes.iter().map(|r| r.value.clone()).collect(),
                    }),
                    InputItem::Text(operation.endpoint()),
                ];
                let answer = answer(&catalog, &items, minimal, None);
                let original = &answer.report;
                assert!(original.is_complete(), "{}", operation.operation_id);
                assert_eq!(answer.go_url.contains("minimal=true"), minimal);
                let again = reread(&catalog, &answer.go_url);
                assert!(again.is_complete(), "{}", answer.go_url);
                assert_eq!(again.url, original.url, "{}", answer.go_url);
                assert_eq!(
                    again.explanations, original.explanations,
                    "{}",
                    answer.go_url
                );
                assert_eq!(
                    reread(&catalog, &answer.page_url).url,
                    original.url,
                    "{}",
                    answer.page_url
                );
            }
        }
    }

    #[test]
    fn go_url_keeps_only_what_resolved_and_page_url_all_but_keys() {
        let catalog = Catalog::embedded();
        let items = [
            InputItem::from("get_profils"),
            InputItem::from("POST /api/lists"),
            InputItem::from("GET /api/profiles?api_key=pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2"),
            InputItem::Structured(StructuredInput {
                operation: "get_events".to_owned(),
                include: vec!["metric".to_owned(), "profile".to_owned()],
            }),
        ];
        let answer = answer(&catalog, &items, false, Some("2026-07-15"));
        assert_eq!(
            answer.go_url,
            "/go?op=POST+%2Fapi%2Flists&op=get_events%3Finclude%3Dmetric%2Cprofile&revision=2026-07-15"
        );
        assert_eq!(
            answer.page_url,
            "/?op=get_profils&op=POST+%2Fapi%2Flists&op=get_events%3Finclude%3Dmetric%2Cprofile&revision=2026-07-15"
        );
        assert_eq!(links_url("/go", &[], false, Some(" ")), "/go");
    }

    #[test]
    fn urls_of_inputs_with_quotes_backslashes_controls_and_non_ascii_need_no_escaping() {
        // The answer copies its URLs unscanned: form-encoding leaves nothing
        // JSON would escape, whatever the inputs hold.
        let catalog = Catalog::embedded();
        let items: Vec<InputItem> = [
            "get_\"profiles\"",
            "GET /api/lists\\x",
            "a\u{1}\tb\n",
            "prófiles ☃",
        ]
        .into_iter()
        .map(InputItem::from)
        .collect();
        let answer = answer(&catalog, &items, false, Some("\"2026\""));
        for url in [&answer.go_url, &answer.page_url] {
            assert!(!crate::json_text::needs_escape(url), "{url}");
        }
        assert!(
            answer.page_url.contains("op=get_%22profiles%22"),
            "{}",
            answer.page_url
        );
    }

    /// The `go_url` and `page_url` [`write_link_urls`] writes.
    fn link_urls(
        items: &[InputItem],
        resolved: &[usize],
        minimal: bool,
        revision: Option<&str>,
    ) -> (String, String) {
        let mut out = b"{\"x\":0".to_vec();
        let resolved = resolved.iter().map(|&index| (index, None));
        write_link_urls(&mut out, items, resolved, minimal, revision);
        out.push(b'}');
        let urls: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let url = |key: &str| urls[key].as_str().unwrap().to_owned();
        (url("go_url"), url("page_url"))
    }

    #[test]
    fn link_urls_are_what_links_url_writes() {
        let catalog = Catalog::embedded();
        let mut items: Vec<InputItem> = catalog
            .operations()
            .iter()
            .flat_map(|op| {
                [
                    InputItem::Text(op.endpoint()),
                    InputItem::Structured(StructuredInput {
                        operation: op.operation_id.clone(),
                        include: op.includes.iter().map(|r| r.value.clone()).collect(),
                    }),
                ]
            })
            .collect();
        for odd in ["a b+c&d=e?f#g%h/é\u{1}\"'", "*-._~!", "", " ", "éé☃x", "x☃"] {
            items.push(InputItem::from(odd));
            items.push(InputItem::Structured(StructuredInput {
                operation: format!("get_events?{odd}"),
                include: vec![odd.to_owned(), "metric".to_owned()],
            }));
        }
        items.push(InputItem::from(
            "GET /api/profiles?api_key=pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2",
        ));
        let key_like = InputItem::is_key_like;
        for minimal in [false, true] {
            for revision in [None, Some("2026-07-15"), Some(" "), Some("a b&c")] {
                // Each input alone, resolved (unless key-like: resolving
                // refuses those) or not.
                for (index, item) in items.iter().enumerate() {
                    let texts = [input_text(item)];
                    let shown: &[String] = if key_like(item) { &[] } else { &texts };
                    let alone = std::slice::from_ref(item);
                    if !key_like(item) {
                        assert_eq!(
                            link_urls(alone, &[0], minimal, revision),
                            (
                                links_url("/go", shown, minimal, revision),
                                links_url("/", shown, minimal, revision)
                            ),
                            "{index}: {item:?}"
                        );
                    }
                    assert_eq!(
                        link_urls(alone, &[], minimal, revision),
                        (
                            links_url("/go", &[], minimal, revision),
                            links_url("/", shown, minimal, revision)
                        ),
                        "{index}: {item:?}"
                    );
                }
                // All of them, with every third resolved.
                let resolved: Vec<usize> = (0..items.len())
                    .filter(|&i| i % 3 == 0 && !key_like(&items[i]))
                    .collect();
                let texts = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
                    (0..items.len())
                        .filter(|&i| keep(i))
                        .map(|i| input_text(&items[i]))
                        .collect()
                };
                assert_eq!(
                    link_urls(&items, &resolved, minimal, revision),
                    (
                        links_url("/go", &texts(&|i| resolved.contains(&i)), minimal, revision),
                        links_url("/", &texts(&|i| !key_like(&items[i])), minimal, revision)
                    )
                );
                // As the server answers (compared with `links_url` by
                // `answer`), with the catalog's texts copied encoded.
                let base = LinkBase::default();
                let compact =
                    CompactReport::build(&catalog, &base, &items, ResolveOptions::default());
                assert!(compact.resolution.found.iter().any(|found| {
                    catalog_input(&catalog, found, &items[found.index]).is_some()
                }));
                answer(&catalog, &items, minimal, revision);
            }
        }
    }
}

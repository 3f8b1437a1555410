//! Builds the "did you mean" fixes for inputs that failed: each suggestion is
//! a whole replacement input that resolves, ranked by edit distance.

use strsim::levenshtein;

use super::input::{self, HttpTarget, ParsedText, API_HOST};
use super::names;
use super::query;
use super::{InputItem, StructuredInput, Suggestion};
use crate::catalog::{Catalog, Method, Operation};

pub(crate) const MAX_SUGGESTIONS: usize = 3;

/// The text with the item's query string put back.
pub(crate) fn with_query(text: &str, parsed: &ParsedText<'_>) -> String {
    match &parsed.query {
        Some(query) => format!("{text}?{query}"),
        None => text.to_owned(),
    }
}

/// The distance under which a candidate counts as a likely typo.
fn close_enough(distance: usize, length: usize) -> bool {
    distance <= (length / 3).max(2)
}

/// Closest operation names for an unknown one.
pub(crate) fn names(
    catalog: &Catalog,
    item: &InputItem,
    name: &str,
    parsed: &ParsedText<'_>,
) -> Vec<Suggestion> {
    let parts = names::split(name);
    let wanted = names::candidates(parts.method)
        .map(|(snake, _)| snake)
        .min_by_key(String::len)
        .unwrap_or_default();
    let camel = parts.method.chars().any(|c| c.is_ascii_uppercase());
    let mut best: Vec<(usize, &str, usize)> = Vec::new();
    let most = (wanted.len() / 3).max(2);
    for (candidate, operation) in catalog.names() {
        let contains = wanted.len() >= 4 && candidate.contains(wanted.as_str());
        // The length difference bounds the distance from below: skip the far ones unread.
        if !contains && wanted.len().abs_diff(candidate.len()) > most {
            continue;
        }
        let distance = levenshtein(&wanted, candidate);
        if !close_enough(distance, wanted.len()) && !contains {
            continue;
        }
        match best.iter_mut().find(|(_, _, op)| *op == operation) {
            Some(entry) if (distance, candidate) < (entry.0, entry.1) => {
                *entry = (distance, candidate, operation)
            }
            Some(_) => {}
            None => best.push((distance, candidate, operation)),
        }
    }
    best.sort();
    best.into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, candidate, operation)| {
            let op = catalog.operation(operation);
            let spelled = if camel {
                names::to_camel_case(candidate)
            } else {
                candidate.to_owned()
            };
            Suggestion {
                replacement: item
                    .with_operation(with_query(&format!("{}{spelled}", parts.prefix), parsed)),
                reason: format!("`{candidate}` is {} ({})", op.endpoint(), op.summary),
            }
        })
        .collect()
}

/// Closest path templates for a path that matches none.
pub(crate) fn paths(
    catalog: &Catalog,
    item: &InputItem,
    target: &HttpTarget<'_>,
    parsed: &ParsedText<'_>,
) -> Vec<Suggestion> {
    let raw: Vec<&str> = target.raw_path[1..].split('/').collect();
    let given: Vec<String> = target.segments().map(str::to_owned).collect();
    let mut attempts = vec![(given.clone(), raw.clone())];
    if !matches!(given.first().map(String::as_str), Some("api" | "client")) {
        let mut segments = vec!["api".to_owned()];
        segments.extend(given.iter().cloned());
        let mut raw_with_api = vec!["api"];
        raw_with_api.extend(raw.iter().copied());
        attempts.push((segments, raw_with_api));
    }
    let mut scored: Vec<(usize, String, Method)> = Vec::new();
    for (template, operations) in catalog.templates() {
        let template_segments: Vec<&str> = template[1..].split('/').collect();
        for (segments, raw) in &attempts {
            if segments.len() != template_segments.len() {
                continue;
            }
            let mut distance = 0;
            let mut literal_length = 0;
            for (given, wanted) in segments.iter().zip(&template_segments) {
                if !wanted.starts_with('{') {
                    literal_length += wanted.len();
                    distance += levenshtein(given, wanted);
                }
            }
            if !close_enough(distance, literal_length.min(12)) {
                continue;
            }
            let path: Vec<&str> = template_segments
                .iter()
                .zip(raw)
                .map(|(wanted, given)| {
                    if wanted.starts_with('{') {
                        *given
                    } else {
                        *wanted
                    }
                })
                .collect();
            let methods: Vec<Method> = operations
                .iter()
                .map(|&i| catalog.operation(i).method)
                .collect();
            let method = target
                .method
                .filter(|m| methods.contains(m))
                .unwrap_or(methods[0]);
            let penalty = usize::from(target.method.is_some_and(|m| m != method));
            scored.push((distance + penalty, format!("/{}", path.join("/")), method));
        }
    }
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, path, method)| {
            let shown = http_text(target, method, &path, parsed);
            Suggestion {
                replacement: item.with_operation(shown),
                reason: format!("closest Klaviyo path to `{}`", target.raw_path),
            }
        })
        .collect()
}

/// The allowed methods on a path the method does not fit.
pub(crate) fn methods(
    catalog: &Catalog,
    item: &InputItem,
    target: &HttpTarget<'_>,
    parsed: &ParsedText<'_>,
    operations: &[usize],
) -> Vec<Suggestion> {
    let mut seen = Vec::new();
    operations
        .iter()
        .map(|&i| catalog.operation(i))
        .filter(|op| {
            let new = !seen.contains(&op.method);
            seen.push(op.method);
            new
        })
        .take(MAX_SUGGESTIONS)
        .map(|op| Suggestion {
            replacement: item.with_operation(http_text(
                target,
                op.method,
                &target.raw_path,
                parsed,
            )),
            reason: format!(
                "{} {} is {} ({})",
                op.method, op.path, op.operation_id, op.summary
            ),
        })
        .collect()
}

/// The valid include values closest to the invalid ones.
pub(crate) fn includes(
    item: &InputItem,
    parsed: &ParsedText<'_>,
    op: &Operation,
    invalid: &[&String],
) -> Vec<Suggestion> {
    let Some(bad) = invalid.first() else {
        return Vec::new();
    };
    if op.includes.is_empty() {
        return vec![Suggestion {
            replacement: replace_include(item, parsed, bad, None),
            reason: format!("{} takes no include values", op.operation_id),
        }];
    }
    let mut ranked: Vec<(usize, &str)> = op
        .includes
        .iter()
        .map(|rule| (levenshtein(bad, &rule.value), rule.value.as_str()))
        .collect();
    ranked.sort();
    ranked
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, value)| Suggestion {
            replacement: replace_include(item, parsed, bad, Some(value)),
            reason: format!("`{value}` is a valid include value for {}", op.operation_id),
        })
        .collect()
}

/// The input with one include value swapped for another, or removed.
fn replace_include(
    item: &InputItem,
    parsed: &ParsedText<'_>,
    old: &str,
    new: Option<&str>,
) -> InputItem {
    let fix_list = |values: &[String]| -> Vec<String> {
        let mut fixed = Vec::new();
        for value in values {
            let mut parts = Vec::new();
            query::split_include_list(value, &mut parts);
            for part in parts {
                match (part == old, new) {
                    (true, Some(new)) => fixed.push(new.to_owned()),
                    (true, None) => {}
                    (false, _) => fixed.push(part),
                }
            }
        }
        fixed
    };
    let text = item.operation_text();
    let fixed_text = match (&parsed.query, text.split_once('?')) {
        (Some(query), Some((before, _))) => {
            let query = query::replace_include_in_query(query, old, new.unwrap_or(""));
            let query = query.replace("include=&", "").replace(",,", ",");
            let query = query
                .trim_end_matches("include=")
                .trim_end_matches(['&', ','])
                .to_owned();
            if query.is_empty() {
                before.to_owned()
            } else {
                format!("{before}?{query}")
            }
        }
        _ => text.to_owned(),
    };
    match item {
        InputItem::Text(_) => InputItem::Text(fixed_text),
        InputItem::Structured(structured) => InputItem::Structured(StructuredInput {
            operation: fixed_text,
            include: fix_list(&structured.include),
        }),
    }
}

/// A `METHOD path` input in the same form (path or URL) as the one given.
fn http_text(
    target: &HttpTarget<'_>,
    method: Method,
    path: &str,
    parsed: &ParsedText<'_>,
) -> String {
    let location = if target.from_url {
        format!("https://{API_HOST}{path}")
    } else {
        path.to_owned()
    };
    with_query(&format!("{method} {location}"), parsed)
}

/// The same input on the API host, if its path exists there.
pub(crate) fn on_api_host(catalog: &Catalog, item: &InputItem, path: &str) -> Vec<Suggestion> {
    let text = item.operation_text();
    let Some(start) = text.find("://").map(|at| at + 3) else {
        return Vec::new();
    };
    let end = text[start..]
        .find(['/', '?'])
        .map_or(text.len(), |at| start + at);
    let fixed = format!("{}{API_HOST}{}", &text[..start], &text[end..]);
    let normalized = input::Normalized::of(&fixed);
    let Ok(parsed) = input::parse(&normalized) else {
        return Vec::new();
    };
    let matches = match &parsed.target {
        input::Target::Http(target) => catalog.match_path(target.segments()).is_some(),
        input::Target::Name(_) => false,
    };
    if !matches {
        return Vec::new();
    }
    vec![Suggestion {
        replacement: item.with_operation(fixed),
        reason: format!("Klaviyo's API path {path} is served from https://{API_HOST}"),
    }]
}

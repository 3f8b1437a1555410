//! SARIF 2.1.0 for GitHub code scanning: one result per missing scope (at
//! the calls that need it), per call Scopelink could not read or resolve,
//! per retired call, and per file that names Klaviyo but could not be read,
//! with repo-relative paths so the results show inline.

use serde_json::{json, Value};

use super::check::{CheckReport, DocCheck, DocOutcome};
use super::report::ScanReport;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

const RULES: &[(&str, &str, &str)] = &[
    (
        "missing-scope",
        "A Klaviyo API call needs a scope the key's link or scope list lacks",
        "Every call with the given key gets 403 until the scope is added: create the key from the corrected link.",
    ),
    (
        "unresolved-call",
        "A Klaviyo API call whose path or method is computed at run time",
        "Scopelink cannot tell which operation this call reaches, so its scopes are not in the link. Write the path or method literally, or list the operation in the check.",
    ),
    (
        "unknown-operation",
        "A Klaviyo API call that matches no operation of the API",
        "The call's path, method, include value or SDK method is not in Klaviyo's API as loaded; it will fail, or needs a newer revision.",
    ),
    (
        "retired-call",
        "A call to Klaviyo's retired v1/v2 API, or through an old SDK",
        "Klaviyo retired the v1/v2 API on 2024-06-30: the call gets 410 Gone. Move it to the current operations named, and create the key for them.",
    ),
    (
        "doc-unreadable",
        "A link, scope list or scopelink block in the docs that cannot be checked, or is stale",
        "A stale scopelink block: run `scopelink scan PATH --update-docs FILE`. A link that cannot be read: replace it with the corrected link.",
    ),
    (
        "unread-file",
        "A file that names Klaviyo but could not be read",
        "Its calls are not in the link: it is in a language Scopelink does not parse, not UTF-8, too large, or nested too deep. List its operations by hand.",
    ),
];

/// The scan (and, with a check, the missing scopes) as a SARIF 2.1.0 log.
pub fn sarif(report: &ScanReport, check: Option<&CheckReport>) -> Value {
    sarif_with_docs(report, check, &[])
}

/// Also one result per missing scope of each link checked in the docs, at the link.
pub fn sarif_with_docs(
    report: &ScanReport,
    check: Option<&CheckReport>,
    docs: &[DocCheck],
) -> Value {
    let mut results = Vec::new();
    if let Some(check) = check {
        for missing in &check.missing {
            let locations: Vec<Value> = missing
                .calls
                .iter()
                .map(|site| location(&site.file, site.line, 1))
                .collect();
            let sites: Vec<&str> = missing.calls.iter().map(|s| s.at.as_str()).collect();
            results.push(json!({
                "ruleId": "missing-scope",
                "level": "error",
                "message": {"text": format!(
                    "`{}` is needed by {} but missing from the given scopes; corrected link: {}",
                    missing.scope, sites.join(", "), check.corrected_url.as_deref().unwrap_or("(none)")
                )},
                "locations": locations.first().cloned().into_iter().collect::<Vec<_>>(),
                "relatedLocations": locations.iter().skip(1).cloned().collect::<Vec<_>>(),
                "partialFingerprints": {"scopelink/v1": format!("missing:{}", missing.scope)},
                "properties": {"scope": missing.scope},
            }));
        }
    }
    for doc in docs {
        if let DocOutcome::Unreadable { code, detail } = &doc.outcome {
            results.push(json!({
                "ruleId": "doc-unreadable",
                "level": "error",
                "message": {"text": format!("{detail} ({code})")},
                "locations": [location(&doc.file, doc.link.line, doc.link.column)],
                "partialFingerprints": {"scopelink/v1": format!("doc-unreadable:{}:{code}", doc.file)},
            }));
        }
        if let DocOutcome::Checked(check) = &doc.outcome {
            for missing in &check.missing {
                let sites: Vec<&str> = missing.calls.iter().map(|s| s.at.as_str()).collect();
                results.push(json!({
                    "ruleId": "missing-scope",
                    "level": "error",
                    "message": {"text": format!(
                        "this {} lacks `{}`, which {} needs; corrected link: {}",
                        doc.link.noun(),
                        missing.scope, sites.join(", "), check.corrected_url.as_deref().unwrap_or("(none)")
                    )},
                    "locations": [location(&doc.file, doc.link.line, doc.link.column)],
                    "partialFingerprints": {"scopelink/v1": format!("doc-missing:{}:{}", doc.file, missing.scope)},
                    "properties": {"scope": missing.scope},
                }));
            }
        }
    }
    for call in &report.unresolved {
        results.push(json!({
            "ruleId": "unresolved-call",
            "level": "warning",
            "message": {"text": format!("{} ({}): `{}`", call.detail, call.reason.as_str(), call.excerpt)},
            "locations": [location(&call.file, call.line, call.column)],
            "partialFingerprints": {"scopelink/v1": format!("unresolved:{}:{}", call.file, call.excerpt)},
        }));
    }
    for call in &report.retired {
        let replaced: Vec<String> = call.replaced_by.iter().map(ToString::to_string).collect();
        let what = match (&call.sdk_method, call.endpoint.is_empty()) {
            (Some(method), true) => format!("the old SDK method {method}"),
            (Some(method), false) => format!("{} (old SDK method {method})", call.endpoint),
            (None, _) => call.endpoint.clone(),
        };
        let replacement = if replaced.is_empty() {
            "no current operation is recorded for it".to_owned()
        } else {
            format!("replace it with {}", replaced.join(" and "))
        };
        results.push(json!({
            "ruleId": "retired-call",
            "level": "error",
            "message": {"text": format!("{what} was retired on 2024-06-30 and answers 410 Gone; {replacement} ({})", call.note)},
            "locations": [location(&call.file, call.line, call.column)],
            "partialFingerprints": {"scopelink/v1": format!("retired:{}:{}", call.file, call.excerpt)},
        }));
    }
    for file in &report.unscanned {
        results.push(json!({
            "ruleId": "unread-file",
            "level": "warning",
            "message": {"text": format!(
                "{} is not a language Scopelink reads, and this file calls Klaviyo's API: its calls are not in the link: `{}`",
                file.language, file.excerpt
            )},
            "locations": [location(&file.file, file.line, 1)],
            "partialFingerprints": {"scopelink/v1": format!("unscanned:{}", file.file)},
        }));
    }
    for file in report.skipped.iter().filter(|f| f.names_klaviyo) {
        results.push(json!({
            "ruleId": "unread-file",
            "level": "warning",
            "message": {"text": format!("this file names Klaviyo but was not read ({}): calls in it are not in the link", file.reason)},
            "locations": [location(&file.file, 1, 1)],
            "partialFingerprints": {"scopelink/v1": format!("skipped:{}", file.file)},
        }));
    }
    for error in &report.errors {
        let call = &report.calls[error.index];
        results.push(json!({
            "ruleId": "unknown-operation",
            "level": "warning",
            "message": {"text": format!("`{}`: {} ({})", call.input, error.detail, error.code.as_str())},
            "locations": [location(&call.file, call.line, call.column)],
            "partialFingerprints": {"scopelink/v1": format!("unknown:{}:{}", call.file, call.input)},
        }));
    }
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, short, full)| {
            json!({
                "id": id,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
            })
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "scopelink",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn location(file: &str, line: usize, column: usize) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line.max(1), "startColumn": column.max(1)},
        }
    })
}

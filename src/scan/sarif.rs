//! SARIF 2.1.0 for GitHub code scanning: one result per missing scope (at
//! the calls that need it) and one per call Scopelink could not read or
//! resolve, with repo-relative paths so the results show inline.

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
        if let DocOutcome::Checked(check) = &doc.outcome {
            for missing in &check.missing {
                let sites: Vec<&str> = missing.calls.iter().map(|s| s.at.as_str()).collect();
                results.push(json!({
                    "ruleId": "missing-scope",
                    "level": "error",
                    "message": {"text": format!(
                        "this link lacks `{}`, which {} needs; corrected link: {}",
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

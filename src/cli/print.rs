//! How the command line shows answers: one line per failed input on stderr,
//! aligned tables, and JSON; nothing here computes anything.

use std::io::Write;
use std::process::ExitCode;

use crate::catalog::Operation;
use crate::link::LinkReport;
use crate::resolve::{InputItem, ItemError, Reason, Suggestion, Warning};

/// One line for a failed input: which, why, and what would work.
pub fn describe_error(error: &ItemError) -> String {
    let input = match &error.input {
        InputItem::Text(text) => text.clone(),
        structured => serde_json::to_string(structured).unwrap_or_default(),
    };
    let mut line = format!(
        "error: input {} `{input}`: {} ({})",
        error.index + 1,
        error.detail,
        error.code.as_str()
    );
    line.push_str(&did_you_mean(&error.suggestions));
    line
}

/// `; did you mean `a` or `b`?`, or nothing when there are no suggestions.
fn did_you_mean(suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let fixes: Vec<String> = suggestions
        .iter()
        .map(|s| match &s.replacement {
            InputItem::Text(text) => format!("`{text}`"),
            other => serde_json::to_string(other).unwrap_or_default(),
        })
        .collect();
    format!("; did you mean {}?", fixes.join(" or "))
}

/// Warnings go to stderr, one a line.
pub(super) fn warnings(warnings: &[Warning]) {
    for warning in warnings {
        eprintln!("warning: {}", warning.message);
    }
}

/// Each needed scope with the inputs that need it, aligned.
pub(super) fn explanations(report: &LinkReport) {
    let width = report.scopes.iter().map(|s| s.len()).max().unwrap_or(0);
    for explanation in &report.explanations {
        let reasons: Vec<String> = explanation
            .needed_by
            .iter()
            .map(|need| {
                let why = match &need.reason {
                    Reason::Operation => "the operation".to_owned(),
                    Reason::Include { value, .. } => format!("include={value}"),
                    Reason::WriteImpliesRead { write_scope } => {
                        format!("read paired with {write_scope}")
                    }
                };
                format!("#{} {} ({why})", need.index + 1, need.operation_id)
            })
            .collect();
        println!("{:width$}  {}", explanation.scope, reasons.join("; "));
    }
}

/// One line per operation: method, path, operationId, scopes, flags.
pub(super) fn operations(found: &[&Operation]) {
    let path_width = found.iter().map(|op| op.path.len()).max().unwrap_or(0);
    let id_width = found
        .iter()
        .map(|op| op.operation_id.len())
        .max()
        .unwrap_or(0);
    let mut stdout = std::io::stdout().lock();
    for op in found {
        let mut flags = String::new();
        if let Some(revision) = &op.beta_revision {
            flags.push_str(&format!("  [beta {revision}]"));
        }
        if op.client {
            flags.push_str("  [client: public key]");
        }
        let scopes: Vec<&str> = op.scopes.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            stdout,
            "{:<6} {:<path_width$}  {:<id_width$}  {}{flags}",
            op.method,
            op.path,
            op.operation_id,
            scopes.join(",")
        );
    }
}

/// `audit --docs`: each link or list found, then its audit as `audit` prints one.
pub(super) fn docs_audit(file: &str, report: &crate::audit::DocsAudit) {
    for found in &report.found {
        let what = match (&found.url, found.scopes.is_empty()) {
            (Some(url), _) => url.clone(),
            (None, false) => format!("{}: {}", found.kind.describe(), found.scopes.join(", ")),
            (None, true) => found.kind.describe().to_owned(),
        };
        println!("{file}:{}: {what}", found.line);
        match (&found.audit, &found.error) {
            (Some(audit_report), _) => audit(audit_report),
            (None, Some(error)) => println!("  cannot audit: {} ({})", error.detail, error.code),
            (None, None) => {}
        }
    }
    println!("{}", if report.clean { "clean" } else { "NOT clean" });
}

pub(super) fn audit(report: &crate::audit::AuditReport) {
    let mut out = std::io::stdout().lock();
    let width = report
        .findings
        .iter()
        .map(|f| f.status.as_str().len())
        .max()
        .unwrap_or(0);
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "{:width$}  {}",
            finding.status.as_str(),
            finding.message
        );
    }
    let beta = report
        .allowed_operations
        .iter()
        .filter(|op| op.beta)
        .count();
    let _ = writeln!(
        out,
        "allows {} private-key operations ({beta} of them beta)",
        report.allowed_operation_count
    );
    match &report.intended {
        None => {
            let _ = writeln!(out, "current names: {}", report.normalized_url);
        }
        Some(check) => {
            for explanation in &check.explanations {
                let by: Vec<String> = explanation
                    .needed_by
                    .iter()
                    .map(|need| format!("#{} {}", need.index + 1, need.operation_id))
                    .collect();
                let _ = writeln!(
                    out,
                    "missing: {} (needed by {})",
                    explanation.scope,
                    by.join(", ")
                );
            }
            if !check.excess.is_empty() {
                let excess: Vec<&str> = check.excess.iter().map(|s| s.as_str()).collect();
                let _ = writeln!(out, "excess: {}", excess.join(", "));
            }
            let _ = writeln!(out, "corrected link: {}", check.corrected_url);
        }
    }
    let _ = writeln!(
        out,
        "{}",
        if report.clean {
            "clean: nothing to fix"
        } else {
            "not clean: fix the lines above"
        }
    );
}

/// What `link --har` read and ignored, on stderr.
pub(super) fn traffic_summary(traffic: &crate::traffic::TrafficReport) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", traffic.summary());
    if !traffic.other_hosts.is_empty() {
        let mut hosts: Vec<String> = traffic
            .other_hosts
            .iter()
            .map(|h| format!("{} ({})", h.host, h.calls))
            .collect();
        if traffic.other_hosts_more > 0 {
            hosts.push(format!("{} more calls", traffic.other_hosts_more));
        }
        let _ = writeln!(stderr, "ignored other hosts: {}", hosts.join(", "));
    }
    for unreadable in &traffic.unreadable {
        let place = match (unreadable.line, unreadable.entry) {
            (Some(line), _) => format!("line {line}"),
            (_, Some(entry)) => format!("entry {entry}"),
            _ => "input".to_owned(),
        };
        let _ = writeln!(stderr, "unreadable: {place}: {}", unreadable.reason);
    }
}

/// One stderr line per unrecognised Klaviyo call, with its fixes.
pub(super) fn unrecognized_calls(traffic: &crate::traffic::TrafficReport) {
    let mut stderr = std::io::stderr().lock();
    for call in &traffic.unrecognized {
        let mut line = format!(
            "error: {} {} ({} call{}): {} ({})",
            call.method,
            call.url,
            call.calls,
            if call.calls == 1 { "" } else { "s" },
            call.detail,
            call.code.as_str()
        );
        line.push_str(&did_you_mean(&call.suggestions));
        let _ = writeln!(stderr, "{line}");
    }
    if traffic.unrecognized_more > 0 {
        let _ = writeln!(
            stderr,
            "error: {} more unrecognised Klaviyo calls are not listed",
            traffic.unrecognized_more
        );
    }
    for error in &traffic.link.errors {
        let _ = writeln!(stderr, "{}", describe_error(error));
    }
}

pub fn json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("scopelink: {error}");
            ExitCode::FAILURE
        }
    }
}

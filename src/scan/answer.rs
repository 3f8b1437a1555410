//! The answer to a scan, built one way for `scopelink scan --json` and for
//! `POST /v1/links/from-source`: the report, the `--check` comparison when a
//! link or scope list is given, the docs checks, and whether the gate passed.
//! One type and one builder, so the CLI and the API cannot drift apart.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{AuditError, AuditSource};
use crate::catalog::Catalog;
use crate::link::LinkBase;
use crate::resolve::ResolveOptions;

use super::check::{check, CheckOptions, CheckReport, DocCheck};
use super::docs_block::ScopeGroup;
use super::report::ScanReport;
use super::Findings;

/// The scan report, and the checks asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScanAnswer {
    #[serde(flatten)]
    pub report: ScanReport,
    /// The code's needs against the given link or scope list (`check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
    /// Each create-key or `/go` link found in the docs (`--check-docs`; CLI only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub docs: Vec<DocCheck>,
    /// The scopes each folder or file needs (`--group-by`; CLI only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<ScopeGroup>,
    /// The gate passed: nothing the code needs is missing from what was
    /// checked (with `--strict`, also nothing excess and every call read),
    /// and what the code needs is known (see `incomplete`).
    pub passed: bool,
    /// Why what the code needs is not fully known: no Klaviyo call found,
    /// or files that name Klaviyo could not be read. A check cannot pass
    /// while any is given (the CLI exits 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
}

/// How to build a [`ScanAnswer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AnswerOptions<'a> {
    /// Exactly the spec's scopes, without `x:read` for each `x:write`.
    pub minimal: bool,
    /// The selected catalog prefers beta operations (a `.pre` revision).
    pub prefer_beta: bool,
    /// A create-key link, `/go` link or scope list to check the code against,
    /// as `scan --check` takes it.
    pub check: Option<&'a str>,
    /// Excess scopes and unreadable calls fail the gate too.
    pub strict: bool,
}

impl<'a> AnswerOptions<'a> {
    pub fn check_options(&self) -> CheckOptions {
        CheckOptions {
            minimal: self.minimal,
            prefer_beta: self.prefer_beta,
        }
    }
}

/// Resolves the findings into the report and checks `options.check` against it.
pub fn build_answer(
    catalog: &Catalog,
    base: &LinkBase,
    findings: Findings,
    options: AnswerOptions<'_>,
) -> Result<ScanAnswer, AuditError> {
    let resolve = ResolveOptions {
        minimal: options.minimal,
        prefer_beta: options.prefer_beta,
        ..ResolveOptions::default()
    };
    let report = ScanReport::build(catalog, base, findings, resolve);
    let checked = match options.check {
        None => None,
        Some(given) => {
            let source = AuditSource::from_args(&[given.to_owned()])?;
            Some(check(
                catalog,
                base,
                &report,
                &source,
                options.check_options(),
            )?)
        }
    };
    let incomplete = incomplete(&report);
    let mut answer = ScanAnswer {
        report,
        check: checked,
        docs: Vec::new(),
        groups: Vec::new(),
        passed: false,
        incomplete,
    };
    answer.passed = answer.gate(options.strict);
    Ok(answer)
}

impl ScanAnswer {
    /// Adds the docs checks (`--check-docs`) and settles the gate again.
    pub fn add_docs(&mut self, docs: Vec<DocCheck>, strict: bool) {
        self.docs.extend(docs);
        self.passed = self.gate(strict);
    }

    /// A check or docs check was asked for.
    pub fn checks_asked(&self) -> bool {
        self.check.is_some() || !self.docs.is_empty()
    }

    fn gate(&self, strict: bool) -> bool {
        let readable = !strict || self.report.is_complete();
        let known = !self.checks_asked() || self.incomplete.is_empty();
        readable
            && known
            && self
                .check
                .as_ref()
                .is_none_or(|c| if strict { c.strict_passed } else { c.passed })
            && self.docs.iter().all(|doc| doc.passed(strict))
    }
}

/// What keeps the code's needs from being known.
fn incomplete(report: &ScanReport) -> Vec<String> {
    let mut reasons = Vec::new();
    let resolved = report.calls.len() - report.errors.len();
    if resolved == 0 {
        let retired = if report.retired.is_empty() {
            String::new()
        } else {
            format!(
                " ({} calls to the retired v1/v2 API were found; they fail with 410 Gone)",
                report.retired.len()
            )
        };
        reasons.push(format!(
            "no current Klaviyo API call was found in the {} files scanned{retired}, so there is nothing to check the scopes against",
            report.files_scanned
        ));
    }
    let unread = report.unread_klaviyo_files();
    if !unread.is_empty() {
        let shown: Vec<&str> = unread.iter().take(5).copied().collect();
        reasons.push(format!(
            "{} file(s) that name Klaviyo could not be read, so calls in them are not in the link: {}{}",
            unread.len(),
            shown.join(", "),
            if unread.len() > shown.len() { ", …" } else { "" }
        ));
    }
    reasons
}

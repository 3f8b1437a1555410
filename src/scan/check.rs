//! The CI gate: compares what the code needs with an existing create-key
//! link or scope list (or every such link in the docs). The given scopes are
//! read and normalised by [`crate::audit::audit`] (renamed `list:read`,
//! `"List Write"`, `x:full`), so the gate and `scopelink audit` agree.

use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{
    audit, doc_source, AuditError, AuditOptions, AuditReport, AuditSource, DocUnreadable,
};
use crate::catalog::Catalog;
use crate::link::LinkBase;
use crate::scope::Scope;

use super::report::{CallSite, ScanReport};
use crate::docs::DocLink;

/// The choices the report was built with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub minimal: bool,
    pub prefer_beta: bool,
}

/// A scope the code needs that the link lacks, with the calls that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MissingScope {
    #[schema(value_type = String)]
    pub scope: Scope,
    pub calls: Vec<CallSite>,
}

/// The code's needs against a given link or scope list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CheckReport {
    /// Nothing the code needs is missing.
    pub passed: bool,
    /// Nothing missing and nothing excess (the `--strict` gate).
    pub strict_passed: bool,
    /// The scopes the code needs.
    #[schema(value_type = Vec<String>)]
    pub needed: Vec<Scope>,
    /// The given scopes under their current names.
    #[schema(value_type = Vec<String>)]
    pub given: Vec<Scope>,
    pub missing: Vec<MissingScope>,
    /// Given, but no call needs it.
    #[schema(value_type = Vec<String>)]
    pub excess: Vec<Scope>,
    /// The link for exactly what the code needs; `null` when it needs no scope.
    pub corrected_url: Option<String>,
    /// The audit of the given link or scopes (renamed, unknown, duplicate…).
    pub audit: AuditReport,
}

/// Compares the scan's scopes with a link or scope list.
pub fn check(
    catalog: &Catalog,
    base: &LinkBase,
    report: &ScanReport,
    given: &AuditSource,
    options: CheckOptions,
) -> Result<CheckReport, AuditError> {
    let audit_options = AuditOptions {
        minimal: options.minimal,
        prefer_beta: options.prefer_beta,
        ..AuditOptions::default()
    };
    let audited = audit(catalog, base, given, &[], audit_options)?;
    Ok(compare(report, audited))
}

fn compare(report: &ScanReport, audited: AuditReport) -> CheckReport {
    let given = audited.normalized.clone();
    let missing: Vec<MissingScope> = report
        .scopes
        .iter()
        .filter(|scope| !given.contains(scope))
        .map(|scope| MissingScope {
            scope: scope.clone(),
            calls: report.calls_needing(scope),
        })
        .collect();
    let excess: Vec<Scope> = given
        .iter()
        .filter(|scope| !report.scopes.contains(scope))
        .cloned()
        .collect();
    CheckReport {
        passed: missing.is_empty(),
        strict_passed: missing.is_empty() && excess.is_empty(),
        needed: report.scopes.clone(),
        given,
        missing,
        excess,
        corrected_url: report.url.clone(),
        audit: audited,
    }
}

/// One link found in the docs, checked against the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocCheck {
    pub file: String,
    pub link: DocLink,
    /// The comparison, or why the link could not be read.
    #[serde(flatten)]
    pub outcome: DocOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocOutcome {
    Checked(Box<CheckReport>),
    /// The link could not be read (not Klaviyo's page, no scopes, an operation that does not resolve).
    Unreadable {
        code: String,
        detail: String,
    },
}

impl DocCheck {
    pub fn passed(&self, strict: bool) -> bool {
        match &self.outcome {
            DocOutcome::Checked(check) if strict => check.strict_passed,
            DocOutcome::Checked(check) => check.passed,
            DocOutcome::Unreadable { .. } => false,
        }
    }
}

/// Checks one link, scope list or key type found in the docs by what it
/// grants ([`doc_source`]).
pub fn check_doc_link(
    catalog: &Catalog,
    base: &LinkBase,
    report: &ScanReport,
    file: &str,
    link: &DocLink,
    options: CheckOptions,
) -> DocCheck {
    let audit_options = AuditOptions {
        minimal: options.minimal,
        prefer_beta: options.prefer_beta,
        ..AuditOptions::default()
    };
    let outcome = doc_source(catalog, base, link, audit_options).and_then(|source| {
        check(catalog, base, report, &source, options).map_err(DocUnreadable::from)
    });
    DocCheck {
        file: file.to_owned(),
        link: link.clone(),
        outcome: match outcome {
            Ok(check) => DocOutcome::Checked(Box::new(check)),
            Err(DocUnreadable { code, detail }) => DocOutcome::Unreadable { code, detail },
        },
    }
}

//! Resolves the calls a scan found into the same report `scopelink link`
//! gives, with each scope's explanation naming the calls (`file:line`, form)
//! that need it, plus every call and every unresolved call.

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::{Catalog, Method};
use crate::link::{CatalogInfo, LinkBase, LinkReport};
use crate::resolve::{
    resolve, ErrorCode, InputItem, ItemError, NeededBy, ResolveOptions, ResolvedItem, Warning,
};
use crate::scope::Scope;

use super::{CallForm, Findings, Language, SkippedFile, UnresolvedCall};

/// Where a call is, and how it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallSite {
    /// `file:line`.
    pub at: String,
    pub file: String,
    pub line: usize,
    pub form: CallForm,
    pub input: String,
}

/// A scope with the inputs and the calls that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScanExplanation {
    #[schema(value_type = String, example = "profiles:read")]
    pub scope: Scope,
    /// As in `scopelink link --json`; `index` is the index in `calls`.
    pub needed_by: Vec<NeededBy>,
    /// The calls that need it, in file and line order, each once.
    pub calls: Vec<CallSite>,
}

/// One call found and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScannedCall {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub language: Language,
    pub form: CallForm,
    pub input: String,
    pub excerpt: String,
    /// `None` when the input did not resolve (see `error`).
    pub operation_id: Option<String>,
    pub method: Option<Method>,
    pub path: Option<String>,
    pub includes: Vec<String>,
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<Scope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorCode>,
}

impl ScannedCall {
    pub fn site(&self) -> CallSite {
        CallSite {
            at: format!("{}:{}", self.file, self.line),
            file: self.file.clone(),
            line: self.line,
            form: self.form,
            input: self.input.clone(),
        }
    }
}

/// The link report of a scan: the `scopelink link --json` fields, with the
/// calls and the unresolved calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScanReport {
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read"
    )]
    pub url: String,
    #[schema(value_type = Vec<String>, example = json!(["lists:read", "profiles:read"]))]
    pub scopes: Vec<Scope>,
    pub oauth_scope: String,
    pub minimal: bool,
    pub explanations: Vec<ScanExplanation>,
    /// One per call, in the order of `calls`.
    pub operations: Vec<ResolvedItem>,
    pub warnings: Vec<Warning>,
    /// Calls whose input did not resolve; `index` is the index in `calls`.
    pub errors: Vec<ItemError>,
    pub catalog: CatalogInfo,
    pub files_scanned: usize,
    pub calls: Vec<ScannedCall>,
    pub unresolved: Vec<UnresolvedCall>,
    pub skipped: Vec<SkippedFile>,
}

impl ScanReport {
    /// Resolves every found call (each is one input; `index` = its place in `calls`).
    pub fn build(
        catalog: &Catalog,
        base: &LinkBase,
        findings: Findings,
        options: ResolveOptions,
    ) -> ScanReport {
        let mut findings = findings;
        // An SDK-shaped call on an untraced client counts only if it names an SDK method.
        findings.calls.retain(|call| {
            call.traced
                || resolve(catalog, &[InputItem::Text(call.input.clone())], options)
                    .errors
                    .is_empty()
        });
        let items: Vec<InputItem> = findings
            .calls
            .iter()
            .map(|call| InputItem::Text(call.input.clone()))
            .collect();
        let link = LinkReport::build(catalog, base, &items, options);
        let mut calls: Vec<ScannedCall> = findings
            .calls
            .into_iter()
            .map(|call| ScannedCall {
                file: call.file,
                line: call.line,
                column: call.column,
                language: call.language,
                form: call.form,
                input: call.input,
                excerpt: call.excerpt,
                operation_id: None,
                method: None,
                path: None,
                includes: Vec::new(),
                scopes: Vec::new(),
                error: None,
            })
            .collect();
        for item in &link.operations {
            let call = &mut calls[item.index];
            call.operation_id = Some(item.operation_id.clone().into());
            call.method = Some(item.method);
            call.path = Some(item.path.to_string());
            call.includes = item.includes.clone();
            call.scopes = item.scopes.to_vec();
        }
        for error in &link.errors {
            calls[error.index].error = Some(error.code);
        }
        let explanations = link
            .explanations
            .into_iter()
            .map(|explanation| {
                let mut seen = std::collections::HashSet::new();
                let mut sites: Vec<CallSite> = Vec::new();
                for need in &explanation.needed_by {
                    if seen.insert(need.index) {
                        sites.push(calls[need.index].site());
                    }
                }
                ScanExplanation {
                    scope: explanation.scope,
                    needed_by: explanation.needed_by,
                    calls: sites,
                }
            })
            .collect();
        ScanReport {
            url: link.url,
            scopes: link.scopes,
            oauth_scope: link.oauth_scope,
            minimal: link.minimal,
            explanations,
            operations: link.operations,
            warnings: link.warnings,
            errors: link.errors,
            catalog: link.catalog,
            files_scanned: findings.files_scanned,
            calls,
            unresolved: findings.unresolved,
            skipped: findings.skipped,
        }
    }

    /// The calls that need a scope.
    pub fn calls_needing(&self, scope: &str) -> Vec<CallSite> {
        self.explanations
            .iter()
            .find(|explanation| explanation.scope == scope)
            .map(|explanation| explanation.calls.clone())
            .unwrap_or_default()
    }

    /// Every call resolved and nothing was unreadable.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty() && self.unresolved.is_empty()
    }
}

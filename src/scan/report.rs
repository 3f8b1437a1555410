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

use super::decide::settle;
use super::model::{
    CallForm, Findings, MethodSource, RetiredCall, SkippedFile, UnresolvedCall, UnscannedFile,
};
use super::Language;

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
    /// How the HTTP method of a raw request was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_from: Option<MethodSource>,
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

/// The link a new key needs to do what the code's retired calls did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MigrationLink {
    /// `None` when the replacements need no private-key scope.
    pub url: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<Scope>,
}

/// How many files of a language were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FilesRead {
    pub language: Language,
    pub files: usize,
}

/// The link report of a scan: the `scopelink link --json` fields, with the
/// calls, the calls that could not be read, retired calls and the files read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScanReport {
    /// The create-key link; `null` when no call needs a scope (a key made
    /// from an empty `scopes=` link has full access, so none is given).
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read"
    )]
    pub url: Option<String>,
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
    /// Files read, by language.
    pub files_by_language: Vec<FilesRead>,
    pub calls: Vec<ScannedCall>,
    pub unresolved: Vec<UnresolvedCall>,
    /// Calls to the retired v1/v2 API or through an old SDK, with what replaces them.
    pub retired: Vec<RetiredCall>,
    /// The key the retired calls' replacements need, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<MigrationLink>,
    pub skipped: Vec<SkippedFile>,
    /// Files in a language Scopelink does not parse that hold a Klaviyo API URL.
    pub unscanned: Vec<UnscannedFile>,
}

impl ScanReport {
    /// Settles the findings with the catalog and resolves every call found
    /// (each is one input; `index` = its place in `calls`).
    pub fn build(
        catalog: &Catalog,
        base: &LinkBase,
        findings: Findings,
        options: ResolveOptions<'_>,
    ) -> ScanReport {
        let settled = settle(catalog, &findings, options.prefer_beta, options.minimal);
        let mut found = findings.calls;
        found.extend(settled.calls);
        found.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        found.dedup_by(|a, b| a.file == b.file && a.line == b.line && a.input == b.input);
        // An SDK-shaped call counts where its namespace is one of the SDK's
        // (a project's own `KlaviyoAPI::Foo` module is not the SDK), and on
        // an untraced client only if it names an SDK method.
        found.retain(|call| {
            if call.form != CallForm::SdkMethod {
                return true;
            }
            let namespace_known = sdk_namespace(&call.input)
                .is_some_and(|ns| catalog.has_namespace(&crate::catalog::namespace_key(ns)));
            namespace_known
                && (call.traced
                    || resolve(catalog, &[InputItem::Text(call.input.clone())], options)
                        .errors
                        .is_empty())
        });
        let items: Vec<InputItem> = found
            .iter()
            .map(|call| InputItem::Text(call.input.clone()))
            .collect();
        let link = LinkReport::build(catalog, base, &items, options);
        let mut calls: Vec<ScannedCall> = found
            .into_iter()
            .map(|call| ScannedCall {
                file: call.file,
                line: call.line,
                column: call.column,
                language: call.language,
                form: call.form,
                input: call.input,
                excerpt: call.excerpt,
                method_from: call.method_from,
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
        let mut unresolved = findings.unresolved;
        unresolved.extend(settled.unresolved);
        unresolved.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        for call in &mut unresolved {
            for candidate in &mut call.candidates {
                candidate.adds = with_reads(&candidate.scopes, options.minimal)
                    .into_iter()
                    .filter(|scope| !link.scopes.contains(scope))
                    .collect();
            }
        }
        let mut retired = settled.retired;
        retired.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        let migration = (!retired.is_empty()).then(|| {
            let mut scopes: Vec<Scope> = retired.iter().flat_map(|r| r.scopes.clone()).collect();
            scopes.sort();
            scopes.dedup();
            MigrationLink {
                url: (!scopes.is_empty()).then(|| base.url_for(scopes.iter())),
                scopes,
            }
        });
        let url = (!link.scopes.is_empty()).then_some(link.url);
        ScanReport {
            url,
            scopes: link.scopes,
            oauth_scope: link.oauth_scope,
            minimal: link.minimal,
            explanations,
            operations: link.operations,
            warnings: link.warnings,
            errors: link.errors,
            catalog: link.catalog,
            files_scanned: findings.files_scanned,
            files_by_language: findings
                .files_by_language
                .into_iter()
                .map(|(language, files)| FilesRead { language, files })
                .collect(),
            calls,
            unresolved,
            retired,
            migration,
            skipped: findings.skipped,
            unscanned: findings.unscanned,
        }
    }

    /// Files that name Klaviyo but could not be read: skipped ones, and
    /// ones in a language not scanned that hold a Klaviyo API URL.
    pub fn unread_klaviyo_files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self
            .skipped
            .iter()
            .filter(|f| f.names_klaviyo)
            .map(|f| f.file.as_str())
            .chain(self.unscanned.iter().map(|f| f.file.as_str()))
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// The calls that need a scope.
    pub fn calls_needing(&self, scope: &str) -> Vec<CallSite> {
        self.explanations
            .iter()
            .find(|explanation| explanation.scope == scope)
            .map(|explanation| explanation.calls.clone())
            .unwrap_or_default()
    }

    /// Every call resolved, nothing was unreadable, and nothing calls the retired API.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
            && self.unresolved.is_empty()
            && self.retired.is_empty()
            && self.unread_klaviyo_files().is_empty()
    }
}

/// The namespace of an SDK call's input: `Profiles` of
/// `klaviyo.Profiles.get_profiles`, `$klaviyo->Profiles->getProfiles`,
/// `KlaviyoAPI::Profiles.get_profiles`, `ProfilesApi.getProfiles`.
fn sdk_namespace(input: &str) -> Option<&str> {
    let rest = input
        .strip_prefix("klaviyo.")
        .or_else(|| input.strip_prefix("$klaviyo->"))
        .or_else(|| input.strip_prefix("KlaviyoAPI::"))
        .unwrap_or(input);
    rest.split(['.', '-']).next().filter(|ns| !ns.is_empty())
}

/// Each `x:write` with its `x:read`, unless minimal.
fn with_reads(scopes: &[Scope], minimal: bool) -> Vec<Scope> {
    let mut out = scopes.to_vec();
    if !minimal {
        out.extend(scopes.iter().filter_map(Scope::read_of_write));
        out.sort();
        out.dedup();
    }
    out
}

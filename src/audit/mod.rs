//! Audits an existing create-key link (or a scope list) that partners keep in
//! their docs for years: which scopes are renamed, beta-only or unknown, what
//! the scopes allow, and, given the operations actually called, which scopes
//! are missing or excess and the corrected link. The CLI and the HTTP API call
//! the same [`audit`] function.

mod classify;
mod docs;
mod source;

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::{Catalog, Method};
use crate::link::{CatalogInfo, LinkBase, LinkReport};
use crate::resolve::{InputItem, ItemError, ResolveOptions, ScopeExplanation, Warning};
use crate::scope::Scope;
use crate::secret;
use classify::{classify, Known};
pub use docs::{audit_docs, doc_source, AuditAnswer, DocAudit, DocUnreadable, DocsAudit};
use source::{link_scopes, tokens};
pub use source::{AuditSource, ScopeList};

/// Why an audit could not be made. The codes are stable API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("nothing to audit: give a create-key link (`link`) or a list of scopes (`scopes`)")]
    NothingGiven,
    #[error("give either one create-key link or a list of scopes, not both")]
    LinkAndScopes,
    #[error("this looks like a Klaviyo private API key (pk_…). Never send API keys: an audit needs only the link or the scope names. If it is a real key, revoke it in Klaviyo.")]
    LooksLikeSecret,
    #[error("`{0}` is not a URL; give Klaviyo's create-key link, e.g. https://www.klaviyo.com/create-private-api-key?scopes=lists:read")]
    NotALink(String),
    #[error("the link is on `{host}`, not klaviyo.com: only Klaviyo's create-key page (https://www.klaviyo.com/create-private-api-key) can be audited")]
    WrongHost { host: String },
    #[error("the link points at `{path}` on klaviyo.com, not the create-key page /create-private-api-key")]
    NotCreateKeyPage { path: String },
    #[error("the link has no `scopes=` parameter, so it preselects nothing; a new key has full access by default")]
    NoScopesParameter,
    #[error(
        "no scopes were given; a key created with none preselected has full access by default"
    )]
    NoScopes,
    #[error("{given} scopes were given; the limit is {limit} per audit")]
    TooManyScopes { given: usize, limit: usize },
    #[error("a link or scope text is longer than the limit of {limit} bytes")]
    TooLong { limit: usize },
    #[error("the docs hold no create-key link, no /go link, no scope list (scope ids, or names with levels such as `List | Read`, in a list or table under a heading about scopes) and no Read-Only or Full Access key")]
    NothingInDocs,
    #[error("give docs alone: `docs` is audited on its own, not with `link` or `scopes`")]
    DocsAndOthers,
}

impl AuditError {
    /// The stable short code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AuditError::NothingGiven => "nothing_to_audit",
            AuditError::LinkAndScopes => "link_and_scopes",
            AuditError::LooksLikeSecret => "looks_like_secret",
            AuditError::NotALink(_) => "not_a_link",
            AuditError::WrongHost { .. } => "wrong_host",
            AuditError::NotCreateKeyPage { .. } => "not_create_key_page",
            AuditError::NoScopesParameter | AuditError::NoScopes => "no_scopes",
            AuditError::TooManyScopes { .. } => "too_many_scopes",
            AuditError::TooLong { .. } => "too_long",
            AuditError::NothingInDocs => "nothing_in_docs",
            AuditError::DocsAndOthers => "link_and_scopes",
        }
    }

    /// The limit that was exceeded, if any.
    pub fn limit(&self) -> Option<usize> {
        match self {
            AuditError::TooManyScopes { limit, .. } | AuditError::TooLong { limit } => Some(*limit),
            _ => None,
        }
    }
}

/// Limits and the link builder's choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditOptions {
    /// Compare with exactly the scopes the spec lists (no `x:read` for each `x:write`).
    pub minimal: bool,
    /// A `.pre` revision answers: endpoints in both specs resolve to the beta operation.
    pub prefer_beta: bool,
    /// Longest link, scope text or operation input, in bytes.
    pub max_item_bytes: Option<usize>,
    /// Most scopes in one audit.
    pub max_scopes: Option<usize>,
}

/// What was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Link,
    Scopes,
}

/// What a given scope turned out to be. The names are stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeStatus {
    /// A current scope some stable operation needs.
    Current,
    /// An old name (`list:read`, `"List Write"`, `campaigns:full`): use `current` instead.
    Renamed,
    /// Only beta (`.pre`) operations need it.
    BetaOnly,
    /// In Klaviyo's docs, but no operation needs it.
    DocumentedUnused,
    /// No operation needs it; see `suggestions`.
    Unknown,
    /// Already given earlier in the list.
    Duplicate,
}

impl ScopeStatus {
    /// The name it serialises as: serde's derive states the names once.
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("a unit variant has a name")
    }

    /// Whether the link should be changed because of this scope.
    pub fn needs_fix(self) -> bool {
        matches!(
            self,
            ScopeStatus::Renamed | ScopeStatus::Unknown | ScopeStatus::Duplicate
        )
    }
}

/// One given scope and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScopeFinding {
    /// Position in the given list, from 0.
    pub index: usize,
    /// The scope as given, with anything key-like blanked out.
    #[schema(example = "list:read")]
    pub given: String,
    pub status: ScopeStatus,
    /// The current scope name(s) it stands for; empty when unknown.
    #[schema(value_type = Vec<String>, example = json!(["lists:read"]))]
    pub current: Vec<Scope>,
    /// For unknown scopes, up to three current scopes closest in spelling.
    #[schema(value_type = Vec<String>)]
    pub suggestions: Vec<Scope>,
    /// The link should change because of this scope (renamed, unknown, duplicate).
    pub needs_fix: bool,
    #[schema(
        example = "`list:read` was renamed `lists:read` in revision 2023-12-15; use the current name"
    )]
    pub message: String,
}

/// How many findings have each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct FindingCounts {
    pub current: usize,
    pub renamed: usize,
    pub beta_only: usize,
    pub documented_unused: usize,
    pub unknown: usize,
    pub duplicate: usize,
}

impl FindingCounts {
    fn add(&mut self, status: ScopeStatus) {
        let slot = match status {
            ScopeStatus::Current => &mut self.current,
            ScopeStatus::Renamed => &mut self.renamed,
            ScopeStatus::BetaOnly => &mut self.beta_only,
            ScopeStatus::DocumentedUnused => &mut self.documented_unused,
            ScopeStatus::Unknown => &mut self.unknown,
            ScopeStatus::Duplicate => &mut self.duplicate,
        };
        *slot += 1;
    }
}

/// A private-key operation the given scopes allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AllowedOperation {
    #[schema(example = "get_profiles")]
    pub operation_id: String,
    pub method: Method,
    #[schema(example = "/api/profiles")]
    pub path: String,
    /// A beta operation: it needs the `.pre` revision header.
    pub beta: bool,
}

/// The given scopes compared with what the intended operations need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IntendedCheck {
    /// The scopes the link builder puts in the link for the operations.
    #[schema(value_type = Vec<String>, example = json!(["lists:read", "profiles:read"]))]
    pub needed: Vec<Scope>,
    /// Needed, but not among the given scopes.
    #[schema(value_type = Vec<String>, example = json!(["profiles:read"]))]
    pub missing: Vec<Scope>,
    /// Given, but not needed.
    #[schema(value_type = Vec<String>, example = json!(["campaigns:read", "campaigns:write"]))]
    pub excess: Vec<Scope>,
    /// The link for exactly the needed scopes.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read"
    )]
    pub corrected_url: String,
    /// For each missing scope, the inputs that need it.
    pub explanations: Vec<ScopeExplanation>,
    pub warnings: Vec<Warning>,
    /// Operation inputs that could not be resolved; the others still count.
    pub errors: Vec<ItemError>,
}

/// The whole audit of a link or scope list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuditReport {
    /// Nothing to fix: no renamed, unknown or duplicate scope, and, when
    /// operations were given, nothing missing or excess and every operation resolved.
    pub clean: bool,
    pub source: SourceKind,
    /// The link as given (when a link was given), with anything key-like blanked out.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=list:read,campaigns:full"
    )]
    pub link: Option<String>,
    /// One per given scope, in the given order.
    pub findings: Vec<ScopeFinding>,
    pub counts: FindingCounts,
    /// The current names of every recognised scope, sorted and deduplicated.
    #[schema(value_type = Vec<String>, example = json!(["campaigns:read", "campaigns:write", "lists:read"]))]
    pub normalized: Vec<Scope>,
    /// The create-key link for `normalized`: the same access under current names.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=campaigns:read,campaigns:write,lists:read"
    )]
    pub normalized_url: String,
    pub allowed_operation_count: usize,
    /// Private-key operations whose scopes `normalized` covers (`x:write` also covers `x:read`).
    pub allowed_operations: Vec<AllowedOperation>,
    /// Present when intended operations were given.
    pub intended: Option<IntendedCheck>,
    pub minimal: bool,
    pub catalog: CatalogInfo,
}

/// Audits a link or scope list against a catalog and, if any are given,
/// the operations the key is meant for.
pub fn audit(
    catalog: &Catalog,
    base: &LinkBase,
    source: &AuditSource,
    operations: &[InputItem],
    options: AuditOptions,
) -> Result<AuditReport, AuditError> {
    let texts = source.texts();
    if texts.iter().any(|text| secret::contains_private_key(text)) {
        return Err(AuditError::LooksLikeSecret);
    }
    if let Some(limit) = options.max_item_bytes {
        if texts.iter().any(|text| text.len() > limit) {
            return Err(AuditError::TooLong { limit });
        }
    }
    let given: Vec<String> = match source {
        AuditSource::Link(link) => link_scopes(link, base)?
            .iter()
            .flat_map(|scope| tokens(scope))
            .collect(),
        AuditSource::Scopes(scopes) => scopes.iter().flat_map(|text| tokens(text)).collect(),
    };
    // A key can hide behind percent-encoding in a link.
    if given.iter().any(|text| secret::contains_private_key(text)) {
        return Err(AuditError::LooksLikeSecret);
    }
    if given.is_empty() {
        return Err(AuditError::NoScopes);
    }
    if let Some(limit) = options.max_scopes {
        if given.len() > limit {
            return Err(AuditError::TooManyScopes {
                given: given.len(),
                limit,
            });
        }
    }

    let known = Known::of(catalog);
    let mut findings = Vec::with_capacity(given.len());
    let mut seen_texts = BTreeSet::new();
    let mut normalized = BTreeSet::new();
    for (index, text) in given.iter().enumerate() {
        let mut finding = classify(&known, text);
        finding.index = index;
        let repeated = !seen_texts.insert(text.clone());
        let covered = !finding.current.is_empty()
            && finding
                .current
                .iter()
                .all(|scope| normalized.contains(scope));
        if repeated || covered {
            finding.message = if finding.current.is_empty()
                || (finding.current.len() == 1 && finding.current[0] == *text)
            {
                format!("`{}` is already listed", finding.given)
            } else {
                format!(
                    "`{}` ({}) is already listed",
                    finding.given,
                    quoted(&finding.current)
                )
            };
            finding.status = ScopeStatus::Duplicate;
            finding.suggestions.clear();
        }
        finding.needs_fix = finding.status.needs_fix();
        normalized.extend(finding.current.iter().cloned());
        findings.push(finding);
    }
    let normalized: Vec<Scope> = normalized.into_iter().collect();
    let mut counts = FindingCounts::default();
    for finding in &findings {
        counts.add(finding.status);
    }

    let allowed_operations = allowed(catalog, &normalized);
    let intended = (!operations.is_empty()).then(|| {
        let resolve = ResolveOptions {
            minimal: options.minimal,
            max_item_bytes: options.max_item_bytes,
            prefer_beta: options.prefer_beta,
            exact_inputs: None,
        };
        let report = LinkReport::build(catalog, base, operations, resolve);
        compare(report, &normalized)
    });
    let clean = findings.iter().all(|finding| !finding.needs_fix)
        && intended.as_ref().is_none_or(|check| {
            check.missing.is_empty() && check.excess.is_empty() && check.errors.is_empty()
        });
    Ok(AuditReport {
        clean,
        source: source.kind(),
        link: match source {
            AuditSource::Link(link) => Some(secret::redact(link.trim()).into_owned()),
            AuditSource::Scopes(_) => None,
        },
        findings,
        counts,
        normalized_url: base.url_for(&normalized),
        allowed_operation_count: allowed_operations.len(),
        allowed_operations,
        normalized,
        intended,
        minimal: options.minimal,
        catalog: CatalogInfo::of(catalog, options.prefer_beta),
    })
}

/// Private-key operations whose scopes the given ones cover (`x:write` also covers `x:read`).
fn allowed(catalog: &Catalog, normalized: &[Scope]) -> Vec<AllowedOperation> {
    let mut covered: BTreeSet<&str> = normalized.iter().map(|scope| scope.as_str()).collect();
    let reads: Vec<Scope> = normalized.iter().filter_map(Scope::read_of_write).collect();
    covered.extend(reads.iter().map(|scope| scope.as_str()));
    catalog
        .operations()
        .iter()
        .filter(|op| !op.client && op.scopes.iter().all(|s| covered.contains(s.as_str())))
        .map(|op| AllowedOperation {
            operation_id: op.operation_id.clone(),
            method: op.method,
            path: op.path.clone(),
            beta: op.is_beta(),
        })
        .collect()
}

/// The given scopes against the link the builder makes for the operations.
fn compare(report: LinkReport, normalized: &[Scope]) -> IntendedCheck {
    let given: BTreeSet<&Scope> = normalized.iter().collect();
    let needed: BTreeSet<&Scope> = report.scopes.iter().collect();
    let missing: Vec<Scope> = needed.difference(&given).map(|s| (*s).clone()).collect();
    let excess: Vec<Scope> = given.difference(&needed).map(|s| (*s).clone()).collect();
    let explanations = report
        .explanations
        .into_iter()
        .filter(|explanation| missing.contains(&explanation.scope))
        .collect();
    IntendedCheck {
        needed: report.scopes,
        missing,
        excess,
        corrected_url: report.url,
        explanations,
        warnings: report.warnings,
        errors: report.errors,
    }
}

fn quoted(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}

//! Audits what a doc tells merchants to create: each create-key link, `/go`
//! link, scope list and Read-Only or Full Access key in the text
//! ([`crate::docs::doc_findings`]), audited as a link or scope list is.

use serde::Serialize;
use utoipa::ToSchema;

use super::{audit, AuditError, AuditOptions, AuditReport, AuditSource};
use crate::catalog::Catalog;
use crate::docs::{doc_findings, go_link_operations, DocLink, DocLinkKind, Families};
use crate::link::{LinkBase, LinkReport};
use crate::resolve::{InputItem, ResolveOptions};

/// Why something found in a doc could not be audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DocUnreadable {
    pub code: String,
    pub detail: String,
}

impl DocUnreadable {
    fn new(code: &str, detail: String) -> DocUnreadable {
        DocUnreadable {
            code: code.to_owned(),
            detail,
        }
    }
}

impl From<AuditError> for DocUnreadable {
    fn from(error: AuditError) -> DocUnreadable {
        DocUnreadable::new(error.code(), error.to_string())
    }
}

/// What a doc's link, scope list or key type grants, as an audit reads it:
/// a create-key link as it is, a `/go` link as the scopes its operations
/// resolve to, a scope list as its scopes, a Read-Only key as every read
/// scope and a Full Access key as every scope (those stable operations
/// need, as the key page offers them).
pub fn doc_source(
    catalog: &Catalog,
    base: &LinkBase,
    found: &DocLink,
    options: AuditOptions,
) -> Result<AuditSource, DocUnreadable> {
    match found.kind {
        DocLinkKind::CreateKey => Ok(AuditSource::Link(found.url.clone())),
        DocLinkKind::Go => go_link_scopes(catalog, base, found, options).map(AuditSource::Scopes),
        DocLinkKind::ScopeIds | DocLinkKind::DisplayNames => {
            Ok(AuditSource::Scopes(found.scopes.clone()))
        }
        DocLinkKind::ReadOnlyKey | DocLinkKind::FullAccessKey => {
            let read_only = found.kind == DocLinkKind::ReadOnlyKey;
            Ok(AuditSource::Scopes(
                catalog
                    .scopes()
                    .filter(|scope| !read_only || !scope.is_write())
                    // What the key page offers: scopes some stable operation needs.
                    .filter(|scope| {
                        catalog
                            .usage()
                            .get(scope.as_str())
                            .is_some_and(|usage| usage.stable_operations > 0)
                    })
                    .map(|scope| scope.to_string())
                    .collect(),
            ))
        }
        DocLinkKind::ScopelinkBlock => Err(DocUnreadable::new(
            "scopelink_block",
            "a scopelink block is held to the code by `scopelink scan --check-docs`".to_owned(),
        )),
    }
}

/// The scopes a `/go` link's operations resolve to.
fn go_link_scopes(
    catalog: &Catalog,
    base: &LinkBase,
    found: &DocLink,
    options: AuditOptions,
) -> Result<Vec<String>, DocUnreadable> {
    let (operations, minimal) = go_link_operations(&found.url);
    if operations.is_empty() {
        return Err(DocUnreadable::new(
            "no_operations",
            "the /go link names no operation (`op=`)".to_owned(),
        ));
    }
    let items: Vec<InputItem> = operations.into_iter().map(InputItem::Text).collect();
    let resolve = ResolveOptions {
        minimal: minimal.unwrap_or(options.minimal),
        prefer_beta: options.prefer_beta,
        ..ResolveOptions::default()
    };
    let linked = LinkReport::build(catalog, base, &items, resolve);
    if let Some(error) = linked.errors.first() {
        return Err(DocUnreadable::new(
            error.code.as_str(),
            format!(
                "operation {} of the /go link does not resolve: {}",
                error.index + 1,
                error.detail
            ),
        ));
    }
    if linked.scopes.is_empty() {
        return Err(DocUnreadable::new(
            "no_scopes",
            "the /go link's operations need no scopes".to_owned(),
        ));
    }
    Ok(linked.scopes.iter().map(ToString::to_string).collect())
}

/// An audit's answer: of a link or scope list, or of every one found in docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AuditAnswer {
    Link(Box<AuditReport>),
    Docs(DocsAudit),
}

/// One link, scope list or key type found in a doc, and its audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DocAudit {
    /// Where it is, from line 1.
    pub line: usize,
    /// What it is: `create_key`, `go`, `scope_ids`, `display_names`,
    /// `read_only_key` or `full_access_key`.
    #[schema(value_type = String, example = "display_names")]
    pub kind: DocLinkKind,
    /// The link, for a link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The scopes as written, for a scope list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// The audit, as for a link or scope list given alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditReport>,
    /// Why it could not be audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<DocUnreadable>,
}

/// The audit of every link, scope list and key type in a doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DocsAudit {
    /// Every one found is clean (see each `audit.clean`), and none was unreadable.
    pub clean: bool,
    /// In order of line.
    pub found: Vec<DocAudit>,
}

/// Audits every link, scope list and key type in a doc's text; a text that
/// holds none is an error that says what is read.
pub fn audit_docs(
    catalog: &Catalog,
    base: &LinkBase,
    text: &str,
    operations: &[InputItem],
    options: AuditOptions,
) -> Result<DocsAudit, AuditError> {
    if let Some(limit) = options.max_item_bytes.map(|limit| limit * 64) {
        if text.len() > limit {
            return Err(AuditError::TooLong { limit });
        }
    }
    let findings = doc_findings(text, &Families::of(catalog));
    if findings.is_empty() {
        return Err(AuditError::NothingInDocs);
    }
    let found: Vec<DocAudit> = findings
        .into_iter()
        .map(|finding| {
            let outcome = doc_source(catalog, base, &finding, options).and_then(|source| {
                audit(catalog, base, &source, operations, options).map_err(DocUnreadable::from)
            });
            let (audit, error) = match outcome {
                Ok(report) => (Some(report), None),
                Err(error) => (None, Some(error)),
            };
            DocAudit {
                line: finding.line,
                kind: finding.kind,
                url: (!finding.url.is_empty()).then(|| finding.url.clone()),
                scopes: finding.scopes,
                audit,
                error,
            }
        })
        .collect();
    Ok(DocsAudit {
        clean: found
            .iter()
            .all(|doc| doc.audit.as_ref().is_some_and(|audit| audit.clean)),
        found,
    })
}

//! `POST /v1/audit`: checks an existing create-key link or scope list, the
//! way partners find the stale links in their docs; a thin wrapper over
//! [`crate::audit::audit`], which the CLI calls too.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::extract::non_empty;
use super::respond;
use super::AppState;
use crate::audit::{
    audit, audit_docs, AuditAnswer, AuditError, AuditOptions, AuditSource, ScopeList,
};
use crate::resolve::InputItem;

/// A link or scope list to audit, and optionally the operations the key is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "link": "https://www.klaviyo.com/create-private-api-key?scopes=list:read,template:write,campaigns:full,bogus:read",
    "operations": ["get_profiles", "POST /api/lists"]
}))]
pub struct AuditRequest {
    /// A Klaviyo create-key link (`https://www.klaviyo.com/create-private-api-key?scopes=…`).
    /// Give this or `scopes`, not both.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=list:read,campaigns:full",
        pattern = "^https://([a-z0-9-]+[.])*klaviyo[.]com/create-private-api-key[?](.*&)?scopes=[a-z]"
    )]
    pub link: Option<String>,
    /// Scopes as a list, or one comma- or whitespace-separated string; old
    /// names (`list:read`, `Catalogs Read`, `campaigns:full`) are recognised.
    /// At most `SCOPELINK_MAX_OPERATIONS` (default 256).
    pub scopes: Option<ScopeList>,
    /// Docs text (Markdown, HTML, reStructuredText or plain): every
    /// create-key link, `/go` link, scope list (scope ids, or names with
    /// levels such as `| List | Read |`) and Read-Only or Full Access key in
    /// it is audited, and the answer is a `DocsAudit`. Give one of `link`,
    /// `scopes` and `docs`.
    #[schema(
        example = "## Scopes\n\n| Scope | Access |\n|---|---|\n| List | Read |\n| Profiles | Full |\n"
    )]
    pub docs: Option<String>,
    /// The operations the key is meant for, in any form `POST /v1/links` accepts.
    /// When given, the report says which scopes are missing or excess and
    /// gives the corrected link. At most `SCOPELINK_MAX_OPERATIONS` (default 256).
    #[serde(default, deserialize_with = "non_empty::items")]
    pub operations: Vec<InputItem>,
    /// Compare with exactly the spec's scopes, without `x:read` for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// The Klaviyo revision to audit against (`2026-07-15`, `2026-07-15.pre`);
    /// default: the newest stable one loaded.
    #[schema(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// Audit a create-key link or a scope list.
///
/// Reports, per given scope, whether it is current, renamed (`list:read` →
/// `lists:read`, `"List Write"`, `x:full`), needed only by beta operations,
/// documented but unused, unknown (with suggestions) or a duplicate; the
/// scopes under their current names; the private-key operations they allow;
/// and, when `operations` are given, which scopes are missing or excess and
/// the corrected link. Findings are not errors: the answer is 200 with
/// `clean: false`. Never send an API key: a link or scope that looks like
/// one is refused and never echoed.
#[utoipa::path(
    tag = "links",
    operation_id = "audit_link",
    request_body = AuditRequest,
    responses(
        (status = 200, description = "The audit: findings per scope, what they allow, and what is missing or excess (for `docs`, one such audit per link or scope list found)", body = AuditAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of link and scopes, a link that is not Klaviyo's create-key page, something key-like, an unknown revision, or over a limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/audit")]
pub async fn audit_link(
    state: web::Data<AppState>,
    body: web::Json<AuditRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let selected = state.catalog_for(request.revision.as_deref())?;
    let limit = state.limits.max_operations;
    if request.operations.len() > limit {
        return Err(ApiError::TooManyOperations {
            given: request.operations.len(),
            limit,
        });
    }
    let options = AuditOptions {
        minimal: request.minimal,
        prefer_beta: selected.prefer_beta,
        max_item_bytes: Some(state.limits.max_item_bytes),
        max_scopes: Some(limit),
    };
    if let Some(docs) = request.docs {
        if request.link.is_some() || request.scopes.is_some() {
            return Err(ApiError::Audit(AuditError::DocsAndOthers));
        }
        let report = audit_docs(
            selected.catalog,
            &state.link_base,
            &docs,
            &request.operations,
            options,
        )?;
        return respond::json(&AuditAnswer::Docs(report));
    }
    let source = AuditSource::from_parts(request.link, request.scopes.map(ScopeList::into_vec))?;
    let report = audit(
        selected.catalog,
        &state.link_base,
        &source,
        &request.operations,
        options,
    )?;
    respond::json(&AuditAnswer::Link(Box::new(report)))
}

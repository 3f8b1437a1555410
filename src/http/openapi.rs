//! This service's own OpenAPI document, generated from the handlers' annotations.

use utoipa::OpenApi;

use super::browse::{
    CatalogResponse, IncludeUse, OperationDetail, OperationsResponse, RevisionInfo, ScopeUse,
    ScopesResponse,
};
use super::error::Problem;
use super::health::{Health, Readiness};
use super::links::{LinkAnswer, LinksRequest};
use super::oauth::{AuthorizeUrlRequest, AuthorizeUrlResponse};
use crate::catalog::{CatalogOrigin, Channel, IncludeBasis, IncludeRule, Method, Operation};
use crate::link::{CatalogInfo, LinkReport};
use crate::resolve::{
    ErrorCode, ItemError, MatchedBy, NeededBy, Reason, ResolvedItem, ScopeExplanation, SdkMethods,
    Suggestion, Warning, WarningCode,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scopelink",
        description = "Least-privilege Klaviyo private API key links: send the API operations an integration calls, get Klaviyo's create-key link with the least scopes that cover them, and why each scope is there. Never send an API key: inputs that look like one are refused.",
        license(name = "MIT")
    ),
    paths(
        super::links::create_link,
        super::links::get_link,
        super::links::redirect_to_link,
        super::traffic::create_link_from_har,
        super::audit::audit_link,
        super::oauth::create_authorize_url,
        super::browse::get_catalog,
        super::browse::list_operations,
        super::browse::get_operation,
        super::browse::list_scopes,
        super::health::health_check,
        super::health::readiness_check,
        super::health::get_metrics,
    ),
    components(schemas(
        LinksRequest, LinkReport, LinkAnswer, CatalogResponse, RevisionInfo, CatalogOrigin, AuthorizeUrlRequest, AuthorizeUrlResponse, CatalogInfo, ResolvedItem, ScopeExplanation, NeededBy, Reason,
        Warning, WarningCode, ItemError, ErrorCode, Suggestion, MatchedBy, Problem, Operation,
        IncludeRule, IncludeBasis, Method, Channel, OperationsResponse, OperationDetail, SdkMethods,
        ScopesResponse, ScopeUse, IncludeUse, Health, Readiness,
        crate::traffic::HarDocument, crate::traffic::HarLog, crate::traffic::HarEntry,
        crate::traffic::HarRequest, crate::traffic::TrafficReport, crate::traffic::Format,
        crate::traffic::CallCounts, crate::traffic::HostCalls, crate::traffic::OperationCalls,
        crate::traffic::UnrecognizedCall, crate::traffic::UnreadableCall,
        super::audit::AuditRequest, crate::audit::ScopeList, crate::audit::AuditReport,
        crate::audit::ScopeFinding, crate::audit::ScopeStatus, crate::audit::SourceKind,
        crate::audit::FindingCounts, crate::audit::AllowedOperation, crate::audit::IntendedCheck
    )),
    tags(
        (name = "links", description = "Create-key links for a list of operations"),
        (name = "catalog", description = "The Klaviyo operations and scopes Scopelink knows"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// The document as served at `/openapi.json` and committed in `openapi/scopelink.openapi.json`.
pub fn document_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    text.push('\n');
    text
}

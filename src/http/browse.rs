//! Catalog browsing: `GET /v1/catalog`, `GET /v1/operations`,
//! `GET /v1/operations/{operation_id}` and `GET /v1/scopes`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, Problem};
use super::extract::{flag, Query};
use super::respond::cached_json;
use super::AppState;
use crate::catalog::{Catalog, CatalogOrigin, CatalogSet, Channel, Operation, OperationFilter};
use crate::link::CatalogInfo;
use crate::resolve::{resolve, sdk_methods, InputItem, ResolveOptions, SdkMethods};

/// Filters of `GET /v1/operations`; all that are given must match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OperationsQuery {
    /// Text in the operationId, an alias, the path, tag or summary.
    #[param(example = "profile")]
    pub q: Option<String>,
    /// Operations that need this scope, themselves or through an include.
    #[param(example = "lists:read")]
    pub scope: Option<String>,
    /// The operation's tag.
    #[param(example = "Profiles")]
    pub tag: Option<String>,
    /// `true` for beta operations only, `false` for stable only.
    #[serde(default, deserialize_with = "flag::beta")]
    pub beta: Option<bool>,
    /// The Klaviyo revision to list; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// The `revision` query parameter, the only one some routes take.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevisionQuery {
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// A route that takes no query parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// The loaded revisions, for clients that let people pick one.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogResponse {
    /// The revision that answers a request that names none: the newest stable one.
    #[schema(example = "2026-07-15")]
    pub default_revision: String,
    /// Every loaded revision, newest first (a beta after the stable of its date).
    pub revisions: Vec<RevisionInfo>,
}

/// One loaded Klaviyo revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionInfo {
    /// The value the `revision` parameters take.
    #[schema(example = "2026-07-15")]
    pub revision: String,
    /// A `.pre` revision: its beta operations need the `revision` header.
    pub beta: bool,
    /// Operations the revision's spec defines.
    #[schema(example = 345)]
    pub operations: usize,
    /// Where the revision's catalog came from.
    pub origin: CatalogOrigin,
}

impl CatalogResponse {
    /// The revisions of a catalog set; built once at start-up.
    pub fn of(catalogs: &CatalogSet) -> CatalogResponse {
        let mut revisions: Vec<RevisionInfo> = catalogs
            .catalogs()
            .iter()
            .flat_map(|catalog| {
                catalog.sources().iter().map(|source| RevisionInfo {
                    revision: source.revision.clone(),
                    beta: source.channel == Channel::Beta,
                    operations: source.operations,
                    origin: catalog.origin().clone(),
                })
            })
            .collect();
        // Newest date first; on one date the stable revision before its `.pre`.
        revisions.sort_by(|a, b| {
            let date = |r: &RevisionInfo| r.revision.trim_end_matches(".pre").to_owned();
            date(b).cmp(&date(a)).then(a.beta.cmp(&b.beta))
        });
        let default_revision = catalogs
            .select(None)
            .map(|selected| selected.revision.to_owned())
            .unwrap_or_default();
        CatalogResponse {
            default_revision,
            revisions,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationsResponse {
    pub count: usize,
    pub operations: Vec<Operation>,
    pub catalog: CatalogInfo,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationDetail {
    #[serde(flatten)]
    pub operation: Operation,
    /// The method in each official SDK (stable private-key operations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk_methods: Option<SdkMethods>,
}

/// An operation that needs a scope only through one of its include values.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncludeUse {
    pub operation_id: String,
    pub include: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeUse {
    #[schema(example = "lists:read")]
    pub scope: String,
    /// Operations that list the scope themselves.
    pub operations: Vec<String>,
    /// Include values that add the scope.
    pub includes: Vec<IncludeUse>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopesResponse {
    pub count: usize,
    pub scopes: Vec<ScopeUse>,
}

impl ScopesResponse {
    /// Every scope of the catalog with what uses it; built once at start-up.
    pub fn of(catalog: &Catalog) -> ScopesResponse {
        let id = |index: usize| catalog.operation(index).operation_id.clone();
        let scopes: Vec<ScopeUse> = catalog
            .usage()
            .iter()
            .map(|(scope, usage)| ScopeUse {
                scope: scope.to_string(),
                operations: usage.operations.iter().map(|&op| id(op)).collect(),
                includes: usage
                    .includes
                    .iter()
                    .map(|(op, value)| IncludeUse {
                        operation_id: id(*op),
                        include: value.clone(),
                    })
                    .collect(),
            })
            .collect();
        ScopesResponse {
            count: scopes.len(),
            scopes,
        }
    }
}

impl From<OperationsQuery> for OperationFilter {
    fn from(query: OperationsQuery) -> OperationFilter {
        OperationFilter {
            text: query.q,
            scope: query.scope,
            tag: query.tag,
            beta: query.beta,
        }
    }
}

/// List the loaded Klaviyo revisions.
///
/// Each revision any `revision` parameter takes, newest first, and the one
/// that answers when a request names none.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_catalog",
    responses(
        (status = 200, description = "The loaded revisions", body = CatalogResponse),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A query parameter (this route takes none)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/catalog")]
pub async fn get_catalog(
    request: HttpRequest,
    state: web::Data<AppState>,
    _: Query<NoQuery>,
) -> Result<HttpResponse, ApiError> {
    cached_json(&request, &state.catalog)
}

/// List the operations in the catalog.
///
/// Filter by text (`q`), by the scope they need (`scope`), by `tag`, and by
/// `beta`.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_operations",
    params(OperationsQuery),
    responses(
        (status = 200, description = "The matching operations", body = OperationsResponse),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown revision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/operations")]
pub async fn list_operations(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(query): Query<OperationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let selected = state.catalog_for(query.revision.as_deref())?;
    let filter = OperationFilter::from(query);
    let operations: Vec<Operation> = selected.catalog.filter(&filter).cloned().collect();
    cached_json(
        &request,
        &OperationsResponse {
            count: operations.len(),
            operations,
            catalog: CatalogInfo::of(selected.catalog, selected.prefer_beta),
        },
    )
}

/// Show one operation.
///
/// The name may be an operationId, an alias, camelCase or an SDK method
/// name. An unknown name answers 404 with the closest names.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_operation",
    params(("operation_id" = String, Path, description = "operationId, alias or SDK method name", example = "getProfiles", min_length = 1), RevisionQuery),
    responses(
        (status = 200, description = "The operation, its scopes and include values", body = OperationDetail),
        (status = 404, description = "No such operation; `suggestions` lists the closest", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown revision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/operations/{operation_id}")]
pub async fn get_operation(
    request: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    Query(query): Query<RevisionQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let selected = state.catalog_for(query.revision.as_deref())?;
    match crate::resolve::find(selected.catalog, &name) {
        Some(operation) => cached_json(
            &request,
            &OperationDetail {
                sdk_methods: sdk_methods(operation),
                operation: operation.clone(),
            },
        ),
        None => {
            let resolution = resolve(
                selected.catalog,
                &[InputItem::Text(name.clone())],
                ResolveOptions::default(),
            );
            let suggestions = resolution
                .errors
                .into_iter()
                .flat_map(|e| e.suggestions)
                .collect();
            Err(ApiError::UnknownOperation {
                name: crate::secret::redact(&name).into_owned(),
                suggestions,
            })
        }
    }
}

/// List every scope with the operations that need it.
#[utoipa::path(
    tag = "catalog",
    operation_id = "list_scopes",
    params(RevisionQuery),
    responses(
        (status = 200, description = "Every scope and what needs it", body = ScopesResponse),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown revision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/scopes")]
pub async fn list_scopes(
    request: HttpRequest,
    state: web::Data<AppState>,
    Query(query): Query<RevisionQuery>,
) -> Result<HttpResponse, ApiError> {
    let selected = state.catalog_for(query.revision.as_deref())?;
    cached_json(&request, state.scopes_of(&selected))
}

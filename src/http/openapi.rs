//! This service's own OpenAPI document: the paths collected from the route
//! table ([`super::api_routes`]) and the handlers' annotations, then made
//! exact for the catalogs loaded at start-up (every `revision` is an enum of
//! the loaded revisions).

use actix_web::App;
use serde_json::Value;
use utoipa::openapi::schema::{
    AllOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use super::browse::{
    CatalogResponse, IncludeUse, OperationDetail, OperationsResponse, RevisionInfo, ScopeUse,
    ScopesResponse,
};
use super::error::Problem;
use super::health::{Health, Readiness};
use super::link_answer::LinkAnswer;
use super::link_request::LinksRequest;
use super::oauth::{AuthorizeUrlRequest, AuthorizeUrlResponse};
use crate::catalog::{
    CatalogOrigin, CatalogSet, Channel, IncludeBasis, IncludeRule, Method, Operation,
};
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
        crate::audit::FindingCounts, crate::audit::AllowedOperation, crate::audit::IntendedCheck,
        super::source::SourceRequest, crate::scan::SourceFile, crate::scan::ScanAnswer,
        crate::scan::ScanReport, crate::scan::ScanExplanation, crate::scan::CallSite,
        crate::scan::ScannedCall, crate::scan::UnresolvedCall, crate::scan::UnresolvedReason,
        crate::scan::SkippedFile, crate::scan::Language, crate::scan::CallForm,
        crate::scan::CheckReport, crate::scan::MissingScope, crate::scan::Candidate,
        crate::scan::RetiredCall, crate::scan::Replacement, crate::retired::ReplacementBasis,
        crate::scan::MigrationLink, crate::scan::FilesRead, crate::scan::UnscannedFile,
        crate::scan::MethodSource
    )),
    tags(
        (name = "links", description = "Create-key links for a list of operations, a HAR, or source code"),
        (name = "catalog", description = "The Klaviyo operations and scopes Scopelink knows"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// The document as [`super::api_routes`] and [`ApiDoc`] describe it.
pub fn collected() -> utoipa::openapi::OpenApi {
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(super::api_routes)
        .split_for_parts()
        .1
}

/// The document as `scopelink openapi` prints it and as committed in
/// `openapi/scopelink.openapi.json`: for the embedded catalog.
pub fn document_json() -> String {
    document_json_for(&CatalogSet::embedded())
}

/// The document as served at `/openapi.json` for these catalogs.
pub fn document_json_for(catalogs: &CatalogSet) -> String {
    let mut document = collected();
    restrict_revisions(&mut document, &catalogs.revisions());
    link_or_scopes(&mut document);
    non_empty_operation_texts(&mut document);
    let mut text = document
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    text.push('\n');
    text
}

/// Makes every `revision` input (query parameters and request body members)
/// an enum of the loaded revisions.
fn restrict_revisions(document: &mut utoipa::openapi::OpenApi, revisions: &[String]) {
    let values = |nullable: bool| {
        let mut values: Vec<Value> = revisions.iter().map(|r| Value::from(r.as_str())).collect();
        if nullable {
            values.push(Value::Null);
        }
        Some(values)
    };
    let mut request_schemas = Vec::new();
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let (true, Some(RefOr::T(Schema::Object(schema)))) =
                    (parameter.name == "revision", parameter.schema.as_mut())
                {
                    schema.enum_values = values(false);
                }
            }
            for content in operation
                .request_body
                .iter()
                .flat_map(|b| b.content.values())
            {
                if let Some(RefOr::Ref(reference)) = &content.schema {
                    request_schemas.push(
                        reference
                            .ref_location
                            .trim_start_matches("#/components/schemas/")
                            .to_owned(),
                    );
                }
            }
        }
    }
    let Some(components) = document.components.as_mut() else {
        return;
    };
    for name in request_schemas {
        if let Some(RefOr::T(Schema::Object(request))) = components.schemas.get_mut(&name) {
            if let Some(RefOr::T(Schema::Object(revision))) = request.properties.get_mut("revision")
            {
                let nullable = matches!(&revision.schema_type, SchemaType::Array(types) if types.contains(&Type::Null));
                revision.enum_values = values(nullable);
            }
        }
    }
}

/// An operation text is never empty: `minLength: 1` on every string that
/// names an operation (an `InputItem` string, `StructuredInput.operation`
/// and each `op` query parameter), which the derives cannot say of a tuple
/// variant or of a list's items.
fn non_empty_operation_texts(document: &mut utoipa::openapi::OpenApi) {
    let non_empty = |schema: &mut Schema| {
        if let Schema::Object(object) = schema {
            object.min_length = Some(1);
        }
    };
    for item in document.paths.paths.values_mut() {
        for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.name != "op" {
                    continue;
                }
                if let Some(RefOr::T(Schema::Array(array))) = parameter.schema.as_mut() {
                    if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) =
                        &mut array.items
                    {
                        if let RefOr::T(schema) = items.as_mut() {
                            non_empty(schema);
                        }
                    }
                }
            }
        }
    }
    let Some(components) = document.components.as_mut() else {
        return;
    };
    if let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get_mut("InputItem") {
        for branch in &mut one_of.items {
            if let RefOr::T(schema) = branch {
                non_empty(schema);
            }
        }
    }
    if let Some(RefOr::T(Schema::Object(structured))) =
        components.schemas.get_mut("StructuredInput")
    {
        if let Some(RefOr::T(operation)) = structured.properties.get_mut("operation") {
            non_empty(operation);
        }
    }
}

/// An audit takes a `link`, `scopes` or `docs`, exactly one of them
/// (non-null): its request body is `AuditRequest` and that rule.
fn link_or_scopes(document: &mut utoipa::openapi::OpenApi) {
    let Some(body) = document
        .paths
        .paths
        .get_mut("/v1/audit")
        .and_then(|item| item.post.as_mut())
        .and_then(|operation| operation.request_body.as_mut())
        .and_then(|body| body.content.get_mut("application/json"))
    else {
        return;
    };
    let Some(request) = body.schema.take() else {
        return;
    };
    let branch = |given: &str, given_schema: Schema, absent: [&str; 2]| {
        let null = || ObjectBuilder::new().schema_type(Type::Null);
        ObjectBuilder::new()
            .required(given)
            .property(given, given_schema)
            .property(absent[0], null())
            .property(absent[1], null())
    };
    // Scope text holds a scope: something besides commas, blanks and quotes.
    let scope_text = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("[^\\s,\"'`]"))
    };
    let scopes = OneOfBuilder::new()
        .item(ArrayBuilder::new().items(scope_text()).min_items(Some(1)))
        .item(scope_text());
    let exactly_one = OneOfBuilder::new()
        .item(branch(
            "link",
            ObjectBuilder::new().schema_type(Type::String).into(),
            ["scopes", "docs"],
        ))
        .item(branch("scopes", scopes.into(), ["link", "docs"]))
        .item(branch(
            "docs",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .into(),
            ["link", "scopes"],
        ));
    body.schema = Some(RefOr::T(Schema::AllOf(
        AllOfBuilder::new().item(request).item(exactly_one).build(),
    )));
}

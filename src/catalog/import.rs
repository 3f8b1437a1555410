//! Reads Klaviyo OpenAPI files and derives the catalog table from them:
//! each operation's `x-klaviyo-scopes`, and the extra scopes of each
//! `include` value, which the spec never states (KLAVIYO_FACTS §3).
//!
//! # Implementation notes
//! The include rule follows KLAVIYO_FACTS §3.3. R1 reads the scopes of the
//! related endpoint (`<item>/<value>` or `<item>/relationships/<value>`); R2
//! reads the scopes of the endpoints that own the included resource type.
//! Where both answer and agree the answer is R1; where they disagree it is
//! their union, because a missing scope is a 403 while an extra read scope
//! only widens read access a little.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    CatalogError, CatalogSource, CatalogTable, Channel, IncludeBasis, IncludeRule, Method,
    Operation, TABLE_FORMAT,
};
use crate::scope::Scope;

/// A parsed Klaviyo OpenAPI document and where it came from.
#[derive(Debug, Clone)]
pub struct SpecFile {
    pub path: PathBuf,
    pub revision: String,
    pub channel: Channel,
    document: Value,
}

impl SpecFile {
    /// Reads a spec file; `.gz` files are decompressed first.
    pub fn read(path: &Path) -> Result<SpecFile, CatalogError> {
        let read_error = |source| CatalogError::Read {
            path: path.to_owned(),
            source,
        };
        let bytes = std::fs::read(path).map_err(read_error)?;
        let bytes = if path.extension().is_some_and(|ext| ext == "gz") {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(bytes.as_slice())
                .read_to_end(&mut text)
                .map_err(read_error)?;
            text
        } else {
            bytes
        };
        let document = serde_json::from_slice(&bytes).map_err(|source| CatalogError::Json {
            path: path.to_owned(),
            source,
        })?;
        SpecFile::from_document(path, document)
    }

    /// Checks that a JSON document is a Klaviyo OpenAPI spec.
    pub fn from_document(path: &Path, document: Value) -> Result<SpecFile, CatalogError> {
        let not_klaviyo = |reason: &str| CatalogError::NotKlaviyoSpec {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        if document.get("openapi").and_then(Value::as_str).is_none() {
            return Err(not_klaviyo("it has no `openapi` version field"));
        }
        let revision = document
            .pointer("/info/version")
            .and_then(Value::as_str)
            .ok_or_else(|| not_klaviyo("it has no `info.version` revision"))?
            .to_owned();
        let paths = document
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| not_klaviyo("it has no `paths` object"))?;
        let has_scopes = paths.values().any(|item| {
            item.as_object()
                .is_some_and(|ops| ops.values().any(|op| op.get("x-klaviyo-scopes").is_some()))
        });
        if !has_scopes {
            return Err(not_klaviyo("no operation carries `x-klaviyo-scopes`"));
        }
        let channel = if revision.ends_with(".pre") {
            Channel::Beta
        } else {
            Channel::Stable
        };
        Ok(SpecFile {
            path: path.to_owned(),
            revision,
            channel,
            document,
        })
    }

    fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// Derives the catalog table from one stable and at most one beta spec.
pub fn import_specs(specs: &[SpecFile]) -> Result<CatalogTable, CatalogError> {
    if specs.is_empty() {
        return Err(CatalogError::NoSpecs);
    }
    for (i, first) in specs.iter().enumerate() {
        if let Some(second) = specs[i + 1..].iter().find(|s| s.channel == first.channel) {
            return Err(CatalogError::DuplicateChannel {
                first: first.file_name(),
                second: second.file_name(),
                channel: first.channel,
            });
        }
    }
    let mut ordered: Vec<&SpecFile> = specs.iter().collect();
    ordered.sort_by_key(|spec| spec.channel);

    let parsed: Vec<ParsedSpec<'_>> = ordered
        .iter()
        .map(|spec| ParsedSpec::parse(spec))
        .collect::<Result<_, _>>()?;

    let mut operations = Vec::new();
    let mut sources = Vec::new();
    for (position, spec) in parsed.iter().enumerate() {
        let others: Vec<&ParsedSpec<'_>> = parsed
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != position)
            .map(|(_, spec)| spec)
            .collect();
        for raw in &spec.operations {
            operations.push(raw.to_operation(spec, &others));
        }
        sources.push(CatalogSource {
            revision: spec.file.revision.clone(),
            channel: spec.file.channel,
            file: spec.file.file_name(),
            operations: spec.operations.len(),
        });
    }
    Ok(CatalogTable {
        format: TABLE_FORMAT,
        sources,
        operations,
    })
}

/// An operation as read from the spec, before include rules are derived.
struct RawOperation {
    method: Method,
    path: String,
    operation_id: String,
    aliases: Vec<String>,
    tag: String,
    summary: String,
    scopes: Vec<Scope>,
    include_values: Vec<String>,
    /// The JSON:API type of the response's primary data.
    data_type: Option<String>,
    /// Include value → the resource types its relationship points to.
    related_types: BTreeMap<String, Vec<String>>,
}

struct ParsedSpec<'a> {
    file: &'a SpecFile,
    operations: Vec<RawOperation>,
}

impl<'a> ParsedSpec<'a> {
    fn parse(file: &'a SpecFile) -> Result<ParsedSpec<'a>, CatalogError> {
        let document = &file.document;
        let paths = document["paths"].as_object().expect("checked on load");
        let mut operations = Vec::new();
        let mut display_names = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method_name, op) in item {
                let Some(method) = Method::parse(method_name) else {
                    continue;
                };
                let raw =
                    RawOperation::parse(file, document, path, method, op, &mut display_names)?;
                operations.push(raw);
            }
        }
        if let Some((written, scope)) = display_names.first() {
            tracing::warn!(
                spec = %file.path.display(),
                revision = %file.revision,
                count = display_names.len(),
                "the spec writes scopes as display names, as revisions up to 2023-02-22 did; \
                 each is read as the scope it names under its current name (e.g. {written:?} as {scope})"
            );
        }
        Ok(ParsedSpec { file, operations })
    }

    /// The operation on a path, whatever its parameters are named
    /// (`/api/x/{job_id}` and `/api/x/{id}/y` belong together).
    fn find(&self, method: Method, path: &str) -> Option<&RawOperation> {
        let wanted = path_shape(path);
        self.operations
            .iter()
            .find(|op| op.method == method && path_shape(&op.path) == wanted)
    }

    /// The canonical GET endpoints (`/api/<x>` or `/api/<x>/{id}`) returning `data_type`.
    fn owners(&self, data_type: &str) -> Vec<&RawOperation> {
        self.operations
            .iter()
            .filter(|op| {
                op.method == Method::Get
                    && op.data_type.as_deref() == Some(data_type)
                    && is_canonical(&op.path)
            })
            .collect()
    }
}

/// A path template with every parameter name erased: `/api/x/{}`.
fn path_shape(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `/api/<x>` or `/api/<x>/{param}`.
fn is_canonical(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", _] => true,
        ["api", _, last] => last.starts_with('{'),
        _ => false,
    }
}

fn is_item_path(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with('{'))
}

impl RawOperation {
    fn parse(
        file: &SpecFile,
        document: &Value,
        path: &str,
        method: Method,
        op: &Value,
        display_names: &mut Vec<(String, Scope)>,
    ) -> Result<RawOperation, CatalogError> {
        let operation_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| CatalogError::NotKlaviyoSpec {
                path: file.path.clone(),
                reason: format!("{method} {path} has no operationId"),
            })?
            .to_owned();
        let scopes = op
            .get("x-klaviyo-scopes")
            .and_then(Value::as_array)
            .ok_or_else(|| CatalogError::NotKlaviyoSpec {
                path: file.path.clone(),
                reason: format!("{operation_id} has no `x-klaviyo-scopes` list"),
            })?;
        let mut scopes = scopes
            .iter()
            .filter_map(Value::as_str)
            .map(|text| spec_scope(&operation_id, text, display_names))
            .collect::<Result<Vec<Scope>, CatalogError>>()?;
        scopes.sort();
        scopes.dedup();
        let strings = |value: Option<&Value>| -> Vec<String> {
            value
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let include_values = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|param| follow(document, param))
            .find(|param| param["name"] == "include" && param["in"] == "query")
            .map(|param| {
                let schema = follow(document, &param["schema"]);
                let items = follow(document, &schema["items"]);
                let values = strings(items.get("enum"));
                if values.is_empty() {
                    strings(schema.get("enum"))
                } else {
                    values
                }
            })
            .unwrap_or_default();
        let resource = primary_resource(document, op);
        let data_type = resource.and_then(|resource| resource_type(document, resource));
        let related_types = include_values
            .iter()
            .map(|value| {
                let types = resource
                    .map(|resource| relationship_types(document, resource, value))
                    .unwrap_or_default();
                (value.clone(), types)
            })
            .collect();
        Ok(RawOperation {
            method,
            path: path.to_owned(),
            aliases: strings(op.get("x-klaviyo-operation-aliases")),
            tag: op
                .pointer("/tags/0")
                .and_then(Value::as_str)
                .unwrap_or("Untagged")
                .to_owned(),
            summary: op
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            operation_id,
            scopes,
            include_values,
            data_type,
            related_types,
        })
    }

    fn to_operation(&self, spec: &ParsedSpec<'_>, others: &[&ParsedSpec<'_>]) -> Operation {
        let client = self.path.starts_with("/client/");
        Operation {
            operation_id: self.operation_id.clone(),
            method: self.method,
            path: self.path.clone(),
            tag: self.tag.clone(),
            summary: self.summary.clone(),
            aliases: self.aliases.clone(),
            scopes: self.scopes.clone(),
            includes: self
                .include_values
                .iter()
                .map(|value| self.include_rule(value, spec, others))
                .collect(),
            beta_revision: (spec.file.channel == Channel::Beta).then(|| spec.file.revision.clone()),
            client,
        }
    }

    fn include_rule(
        &self,
        value: &str,
        spec: &ParsedSpec<'_>,
        others: &[&ParsedSpec<'_>],
    ) -> IncludeRule {
        let related = self.related_endpoint_rule(value, spec);
        let owner = self.resource_owner_rule(value, spec, others);
        let (basis, extra, evidence) = match (related, owner) {
            (Some(related), Some(owner)) if related.0 == owner.0 => {
                (IncludeBasis::RelatedEndpoint, related.0, related.1)
            }
            (Some(related), Some(owner)) => (
                IncludeBasis::RelatedAndOwner,
                related.0.union(&owner.0).cloned().collect(),
                related.1.into_iter().chain(owner.1).collect(),
            ),
            (Some((extra, evidence)), None) => (IncludeBasis::RelatedEndpoint, extra, evidence),
            (None, Some((extra, evidence))) => (IncludeBasis::ResourceOwner, extra, evidence),
            (None, None) => (IncludeBasis::EmbeddedOnly, BTreeSet::new(), Vec::new()),
        };
        IncludeRule {
            value: value.to_owned(),
            extra_scopes: extra.into_iter().collect(),
            basis,
            evidence,
        }
    }

    fn extra_over_base<'s>(&self, scopes: impl IntoIterator<Item = &'s Scope>) -> BTreeSet<Scope> {
        scopes
            .into_iter()
            .filter(|scope| !self.scopes.contains(scope))
            .cloned()
            .collect()
    }

    /// R1: the scopes of `GET <item>/<value>` and `GET <item>/relationships/<value>`.
    fn related_endpoint_rule(
        &self,
        value: &str,
        spec: &ParsedSpec<'_>,
    ) -> Option<(BTreeSet<Scope>, Vec<String>)> {
        let item_path = if is_item_path(&self.path) {
            self.path.clone()
        } else {
            let data_type = self.data_type.as_deref()?;
            spec.operations
                .iter()
                .find(|op| {
                    op.method == Method::Get
                        && op.data_type.as_deref() == Some(data_type)
                        && is_canonical(&op.path)
                        && is_item_path(&op.path)
                })?
                .path
                .clone()
        };
        let related: Vec<&RawOperation> = [
            format!("{item_path}/{value}"),
            format!("{item_path}/relationships/{value}"),
        ]
        .iter()
        .filter_map(|path| spec.find(Method::Get, path))
        .collect();
        if related.is_empty() {
            return None;
        }
        let extra = related
            .iter()
            .flat_map(|op| self.extra_over_base(&op.scopes))
            .collect();
        let evidence = related
            .iter()
            .map(|op| format!("{} {}", op.method, op.path))
            .collect();
        Some((extra, evidence))
    }

    /// R2: what the endpoints owning the included type all need, from the
    /// same spec if it has them, else from another loaded spec.
    fn resource_owner_rule(
        &self,
        value: &str,
        spec: &ParsedSpec<'_>,
        others: &[&ParsedSpec<'_>],
    ) -> Option<(BTreeSet<Scope>, Vec<String>)> {
        let types = self.related_types.get(value)?;
        let mut extra = BTreeSet::new();
        let mut evidence = Vec::new();
        let mut found = false;
        for data_type in types {
            let owners = std::iter::once(spec)
                .chain(others.iter().copied())
                .map(|candidate| candidate.owners(data_type))
                .find(|owners| !owners.is_empty());
            let Some(owners) = owners else {
                continue;
            };
            found = true;
            let mut common: BTreeSet<&Scope> = owners[0].scopes.iter().collect();
            for owner in &owners[1..] {
                common.retain(|scope| owner.scopes.contains(scope));
            }
            extra.extend(self.extra_over_base(common));
            evidence.extend(owners.iter().map(|op| format!("{} {}", op.method, op.path)));
        }
        found.then_some((extra, evidence))
    }
}

/// One `x-klaviyo-scopes` entry as a scope. Revisions before 2023-02-22 wrote
/// display names (`Campaigns Write`, `List Read`, KLAVIYO_FACTS §5.3): those
/// are read as the scope they name, under its current name, and noted in
/// `display_names` so the import can warn.
fn spec_scope(
    operation_id: &str,
    text: &str,
    display_names: &mut Vec<(String, Scope)>,
) -> Result<Scope, CatalogError> {
    if let Ok(scope) = Scope::parse(text) {
        return Ok(scope);
    }
    let Some(named) = Scope::from_display_name(text) else {
        return Err(CatalogError::InvalidScope {
            operation_id: operation_id.to_owned(),
            scope: text.to_owned(),
        });
    };
    let scope = named.renamed().unwrap_or(named);
    display_names.push((text.to_owned(), scope.clone()));
    Ok(scope)
}

/// Follows `$ref` links until a schema that is not a reference.
fn follow<'v>(document: &'v Value, mut value: &'v Value) -> &'v Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        match reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
        {
            Some(target) => value = target,
            None => return &Value::Null,
        }
    }
    &Value::Null
}

/// Every schema a property path leads to, looking through `allOf` parts.
fn property_schemas<'v>(document: &'v Value, schema: &'v Value, path: &[&str]) -> Vec<&'v Value> {
    let mut current = vec![follow(document, schema)];
    for name in path {
        let mut next = Vec::new();
        while let Some(schema) = current.pop() {
            if let Some(found) = schema.get("properties").and_then(|p| p.get(*name)) {
                next.push(follow(document, found));
            }
            if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
                current.extend(parts.iter().map(|part| follow(document, part)));
            }
        }
        current = next;
    }
    current
}

/// The element schema of an array schema, or the schema itself.
fn element<'v>(document: &'v Value, schema: &'v Value) -> &'v Value {
    match schema.get("items") {
        Some(items) => follow(document, items),
        None => schema,
    }
}

/// The schema of one primary resource object of a successful response.
fn primary_resource<'v>(document: &'v Value, op: &'v Value) -> Option<&'v Value> {
    let responses = op.get("responses")?.as_object()?;
    let response = ["200", "201", "202"]
        .iter()
        .find_map(|code| responses.get(*code))?;
    let content = follow(document, response).get("content")?.as_object()?;
    let schema = follow(document, &content.values().next()?["schema"]);
    let data = *property_schemas(document, schema, &["data"]).first()?;
    Some(first_variant(document, element(document, data)))
}

fn first_variant<'v>(document: &'v Value, schema: &'v Value) -> &'v Value {
    match schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(|variants| variants.get(0))
    {
        Some(variant) => follow(document, variant),
        None => schema,
    }
}

/// The `type` enum value of a resource object schema.
fn resource_type(document: &Value, resource: &Value) -> Option<String> {
    property_schemas(document, resource, &["type"])
        .into_iter()
        .find_map(|schema| schema.pointer("/enum/0").and_then(Value::as_str))
        .map(str::to_owned)
}

/// The resource types `data.relationships.<value>.data` points to.
fn relationship_types(document: &Value, resource: &Value, value: &str) -> Vec<String> {
    let mut types: Vec<String> =
        property_schemas(document, resource, &["relationships", value, "data"])
            .into_iter()
            .flat_map(|data| {
                let linkage = element(document, data);
                match linkage.get("oneOf").and_then(Value::as_array) {
                    Some(variants) => variants.iter().map(|v| follow(document, v)).collect(),
                    None => vec![linkage],
                }
            })
            .filter_map(|variant| resource_type(document, variant))
            .collect();
    types.sort();
    types.dedup();
    types
}

//! The MCP resources: `scopelink://revisions` (the Klaviyo revisions loaded)
//! and the template `scopelink://operations/{operationId}` (one operation, as
//! `GET /v1/operations/{name}` shows it; `?revision=` picks a revision).

use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use rmcp::ErrorData as McpError;
use serde::Serialize;
use serde_json::{json, Value};

use super::Backend;
use crate::catalog::{Catalog, Channel};
use crate::resolve::{resolve, sdk_methods, InputItem, ResolveOptions};
use crate::secret;

pub const REVISIONS_URI: &str = "scopelink://revisions";
pub const OPERATION_PREFIX: &str = "scopelink://operations/";
pub const OPERATION_TEMPLATE: &str = "scopelink://operations/{operationId}";
const JSON: &str = "application/json";

pub fn list() -> Vec<Resource> {
    vec![Resource::new(REVISIONS_URI, "revisions")
        .with_title("Klaviyo revisions loaded")
        .with_description(
            "Every Klaviyo API revision this server answers from, stable and beta, with \
             its operation count; tools take one as `revision`.",
        )
        .with_mime_type(JSON)]
}

pub fn templates() -> Vec<ResourceTemplate> {
    vec![ResourceTemplate::new(OPERATION_TEMPLATE, "operation")
        .with_title("One Klaviyo API operation")
        .with_description(
            "An operation by operationId, alias or SDK method name: method, path, scopes, \
             include values with their extra scopes, and the SDK method names. Add \
             `?revision=2026-07-15.pre` for another loaded revision.",
        )
        .with_mime_type(JSON)]
}

#[derive(Debug, Serialize)]
struct RevisionEntry<'a> {
    revision: &'a str,
    channel: Channel,
    default: bool,
    operations: usize,
    file: &'a str,
}

pub fn read(backend: &dyn Backend, uri: &str) -> Result<ReadResourceResult, McpError> {
    if uri == REVISIONS_URI {
        return Ok(json_contents(uri, &revisions(backend)));
    }
    let Some(rest) = uri.strip_prefix(OPERATION_PREFIX) else {
        return Err(McpError::resource_not_found(
            format!(
                "no resource `{}`; this server has {REVISIONS_URI} and {OPERATION_TEMPLATE}",
                secret::redact(uri)
            ),
            None,
        ));
    };
    let (name, query) = rest.split_once('?').unwrap_or((rest, ""));
    let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
    if secret::contains_private_key(&name) || secret::contains_private_key(query) {
        return Err(McpError::invalid_params(
            "the URI looks like it holds a Klaviyo private API key (pk_…); Scopelink never \
             needs a key. If it is a real key, revoke it in Klaviyo.",
            None,
        ));
    }
    let mut revision = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "revision" => revision = Some(value.into_owned()),
            other => {
                return Err(McpError::invalid_params(
                    format!("unknown URI parameter `{other}`; accepted: revision"),
                    None,
                ))
            }
        }
    }
    let selected = backend
        .catalogs()
        .select(revision.as_deref())
        .map_err(|error| McpError::invalid_params(error.to_string(), None))?;
    match crate::resolve::find(selected.catalog, &name) {
        Some(operation) => {
            let mut value = serde_json::to_value(operation).unwrap_or(Value::Null);
            if let (Value::Object(map), Some(sdk)) = (&mut value, sdk_methods(operation)) {
                map.insert(
                    "sdk_methods".to_owned(),
                    serde_json::to_value(sdk).unwrap_or(Value::Null),
                );
            }
            Ok(json_contents(uri, &value))
        }
        None => Err(unknown_operation(selected.catalog, &name)),
    }
}

/// Not found, with the names the resolver would suggest.
fn unknown_operation(catalog: &Catalog, name: &str) -> McpError {
    let resolution = resolve(
        catalog,
        &[InputItem::Text(name.to_owned())],
        ResolveOptions::default(),
    );
    let suggestions: Vec<String> = resolution
        .errors
        .into_iter()
        .flat_map(|error| error.suggestions)
        .map(|s| s.replacement.operation_text().to_owned())
        .collect();
    let mut message = format!("no operation is named `{}`", secret::redact(name));
    if !suggestions.is_empty() {
        let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        message.push_str(&format!("; did you mean {}?", quoted.join(" or ")));
    }
    McpError::resource_not_found(message, Some(json!({ "suggestions": suggestions })))
}

fn revisions(backend: &dyn Backend) -> Value {
    let catalogs = backend.catalogs();
    let default = catalogs.select(None).map(|s| s.revision.to_owned()).ok();
    let mut entries: Vec<RevisionEntry<'_>> = catalogs
        .catalogs()
        .iter()
        .flat_map(|catalog| catalog.sources())
        .map(|source| RevisionEntry {
            revision: &source.revision,
            channel: source.channel,
            default: default.as_deref() == Some(source.revision.as_str()),
            operations: source.operations,
            file: &source.file,
        })
        .collect();
    entries.sort_by(|a, b| a.revision.cmp(b.revision));
    json!({ "default": default, "revisions": entries })
}

fn json_contents(uri: &str, value: &impl Serialize) -> ReadResourceResult {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(JSON)])
}

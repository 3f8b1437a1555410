//! The MCP tools: their input and output types (with `schemars` schemas), and
//! thin handlers over the same core calls as the CLI and the JSON API:
//! [`LinkReport::build`], [`Catalog::filter`](crate::catalog::Catalog::filter)
//! and [`audit`], so all three front ends give the same answer.
//!
//! A tool that cannot answer returns a result with `isError` and a message
//! (what was wrong, which argument, what is accepted), never a protocol error.

use std::borrow::Cow;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::utoipa_schema;
use super::Backend;
use crate::audit::{
    audit, audit_docs, AuditAnswer, AuditError, AuditOptions, AuditSource, IntendedCheck, ScopeList,
};
use crate::catalog::{Operation, OperationFilter, Selected};
use crate::link::{CatalogInfo, LinkReport};
use crate::resolve::{InputItem, ItemError, ResolveOptions, Suggestion};
use crate::secret;

pub const LINK: &str = "klaviyo_link";
pub const SEARCH: &str = "klaviyo_search_operations";
pub const AUDIT: &str = "klaviyo_audit_link";
pub const SCAN: &str = "klaviyo_scan";

/// How many operations `klaviyo_search_operations` returns when `limit` is not given.
pub const DEFAULT_SEARCH_LIMIT: usize = 50;

/// Arguments of `klaviyo_link`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkParams {
    /// The Klaviyo API operations the integration calls, each in any form:
    /// `METHOD /api/path` (template or concrete, with `?include=`), a URL on
    /// a.klaviyo.com, an operationId or alias (`get_profiles`), an SDK method
    /// (`klaviyo.Profiles.get_profiles`, `ProfilesApi.getProfiles`), or
    /// `{"operation": "get_profile", "include": ["lists"]}`.
    #[schemars(schema_with = "utoipa_schema::<Vec<InputItem>>")]
    pub operations: Vec<InputItem>,
    /// Exactly the scopes the spec lists, without `x:read` added for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// The Klaviyo revision to answer from (`2026-07-15`, `2026-07-15.pre`);
    /// default: the newest stable one loaded.
    #[serde(default)]
    pub revision: Option<String>,
}

/// Arguments of `klaviyo_search_operations`; every filter given must match.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Text in the operationId, an alias, the path, tag or summary (any case).
    #[serde(default)]
    pub query: Option<String>,
    /// Only operations that need this scope, themselves or through an include (`lists:read`).
    #[serde(default)]
    pub scope: Option<String>,
    /// Only operations with this tag (`Profiles`).
    #[serde(default)]
    pub tag: Option<String>,
    /// `true` for beta operations only, `false` for stable ones only.
    #[serde(default)]
    pub beta: Option<bool>,
    /// Most operations to return (default 50).
    #[serde(default)]
    pub limit: Option<usize>,
    /// The Klaviyo revision to search; default: the newest stable one loaded.
    #[serde(default)]
    pub revision: Option<String>,
}

/// Arguments of `klaviyo_audit_link`: exactly one of `link`, `scopes` and `docs`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// A create-key link from old docs, e.g.
    /// `https://www.klaviyo.com/create-private-api-key?scopes=list:read,campaigns:full`.
    #[serde(default)]
    pub link: Option<String>,
    /// Scopes as a list, or as one comma- or space-separated string.
    #[serde(default)]
    #[schemars(schema_with = "utoipa_schema::<Option<ScopeList>>")]
    pub scopes: Option<ScopeList>,
    /// Docs text (a README being edited, Markdown, HTML, reStructuredText or
    /// plain): every create-key link, `/go` link, scope list (scope ids, or
    /// names with levels such as `| List | Read |`) and Read-Only or Full
    /// Access key in it is audited against `operations`.
    #[serde(default)]
    pub docs: Option<String>,
    /// The operations the key is meant for, in any form `klaviyo_link` takes;
    /// with them the audit says what is missing or excess and gives the corrected link.
    #[serde(default)]
    #[schemars(schema_with = "utoipa_schema::<Vec<InputItem>>")]
    pub operations: Vec<InputItem>,
    /// Compare with exactly the scopes the spec lists (no `x:read` for each `x:write`).
    #[serde(default)]
    pub minimal: bool,
    /// The Klaviyo revision to audit against; default: the newest stable one loaded.
    #[serde(default)]
    pub revision: Option<String>,
}

/// What `klaviyo_link` returns: the same report as `scopelink link --json`
/// and `POST /v1/links`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct LinkOutput(#[schemars(schema_with = "utoipa_schema::<LinkReport>")] pub LinkReport);

/// What `klaviyo_audit_link` returns: the same report as `scopelink audit --json`
/// and `POST /v1/audit` (for `docs`, as `scopelink audit --docs --json`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct AuditOutput(#[schemars(schema_with = "utoipa_schema::<AuditAnswer>")] pub AuditAnswer);

/// What `klaviyo_search_operations` returns.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchOutput {
    /// How many operations match, in all.
    pub total: usize,
    /// How many are listed here (at most `limit`).
    pub count: usize,
    /// The matching operations, in catalog order: method, path, scopes, include values.
    #[schemars(schema_with = "utoipa_schema::<Vec<Operation>>")]
    pub operations: Vec<Operation>,
    /// Which catalog answered.
    #[schemars(schema_with = "utoipa_schema::<CatalogInfo>")]
    pub catalog: CatalogInfo,
}

/// A tool call that could not be answered: a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    pub code: &'static str,
    pub detail: String,
}

impl ToolError {
    pub fn new(code: &'static str, detail: impl Into<String>) -> ToolError {
        ToolError {
            code,
            detail: secret::redact(&detail.into()).into_owned(),
        }
    }

    /// The result a client sees: `isError`, and the message as text.
    pub fn into_result(self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(format!(
            "error ({}): {}",
            self.code, self.detail
        ))])
    }
}

/// A result with `structuredContent` and a short text summary.
pub fn structured(value: &impl Serialize, summary: String, is_error: bool) -> CallToolResult {
    let content = vec![ContentBlock::text(summary)];
    let mut result = if is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    result.structured_content = Some(serde_json::to_value(value).unwrap_or(Value::Null));
    result
}

/// The definitions of the tools over the catalog (`klaviyo_scan` is `scan`'s).
pub fn definitions() -> Vec<Tool> {
    vec![
        tool::<LinkParams, LinkOutput>(
            LINK,
            "Klaviyo private API key link",
            "The least-privilege Klaviyo private API key for a list of API operations: \
             Klaviyo's create-key link with exactly the scopes they need (include= extras \
             and read-with-write pairs added), why each scope is there, warnings, and for \
             each input that did not resolve the reason and suggestions that resolve. \
             Call it with every operation the integration calls, in one call.",
        ),
        tool::<SearchParams, SearchOutput>(
            SEARCH,
            "Search Klaviyo API operations",
            "Search Klaviyo's API operations by text, scope, tag or beta status: each \
             with method, path, operationId, aliases, scopes and valid include values. \
             Use it to find the exact operation before calling klaviyo_link.",
        ),
        tool::<AuditParams, AuditOutput>(
            AUDIT,
            "Audit a Klaviyo create-key link",
            "Check an existing Klaviyo create-key link or scope list: renamed, unknown \
             (with suggestions), beta-only, unused and duplicate scopes, what they allow, \
             and, given the operations, which scopes are missing or excess, with the \
             corrected link.",
        ),
    ]
}

/// One tool with schemars-derived input and output schemas.
pub(super) fn tool<I: JsonSchema + 'static, O: JsonSchema + 'static>(
    name: &'static str,
    title: &str,
    description: &'static str,
) -> Tool {
    use rmcp::handler::server::common::{schema_for_empty_input, schema_for_input};
    let input = schema_for_input::<I>().unwrap_or_else(|_| schema_for_empty_input());
    let mut tool = Tool::new(name, description, input);
    tool.title = Some(title.to_owned());
    tool.output_schema = Some(rmcp::handler::server::tool::schema_for_output::<O>());
    let mut annotations = ToolAnnotations::with_title(title);
    annotations.read_only_hint = Some(true);
    annotations.destructive_hint = Some(false);
    annotations.idempotent_hint = Some(true);
    annotations.open_world_hint = Some(false);
    tool.annotations = Some(annotations);
    tool
}

/// Reads a tool's arguments; a wrong shape is a [`ToolError`] naming what was wrong.
pub fn parse<T: DeserializeOwned>(arguments: Option<JsonObject>) -> Result<T, ToolError> {
    let value = Value::Object(arguments.unwrap_or_default());
    serde_json::from_value(value).map_err(|error| {
        ToolError::new(
            "invalid_arguments",
            format!("the arguments do not have the expected shape: {error}"),
        )
    })
}

/// Where an argument holds something key-like (`pk_…`), outside `operations`
/// (whose items the resolver refuses one by one, so the others still resolve).
pub fn key_like_argument(arguments: Option<&JsonObject>) -> Option<String> {
    fn walk(value: &Value, at: String) -> Option<String> {
        match value {
            Value::String(text) if secret::contains_private_key(text) => Some(at),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, format!("{at}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(key, child)| {
                if secret::contains_private_key(key) {
                    Some(format!("a key of {at}"))
                } else {
                    walk(child, format!("{at}.{key}"))
                }
            }),
            _ => None,
        }
    }
    let arguments = arguments?;
    arguments.iter().find_map(|(key, value)| {
        if secret::contains_private_key(key) {
            Some("an argument name".to_owned())
        } else if key == "operations" {
            None
        } else {
            walk(value, key.clone())
        }
    })
}

/// The refusal for a key-like argument; the key itself is never repeated.
pub fn key_refused(at: &str) -> ToolError {
    ToolError::new(
        "looks_like_secret",
        format!(
            "`{at}` looks like a Klaviyo private API key (pk_…). Scopelink never needs \
             a key: pass operation names, paths or scope names only. If it is a real \
             key, revoke it in Klaviyo."
        ),
    )
}

fn select<'a>(backend: &'a dyn Backend, revision: Option<&str>) -> Result<Selected<'a>, ToolError> {
    backend
        .catalogs()
        .select(revision)
        .map_err(|error| ToolError::new("unknown_revision", error.to_string()))
}

fn check_operations(backend: &dyn Backend, given: usize) -> Result<(), ToolError> {
    let limit = backend.limits().max_operations;
    if given > limit {
        return Err(ToolError::new(
            "too_many_operations",
            format!("{given} operations were given; the limit is {limit} per call"),
        ));
    }
    Ok(())
}

/// `klaviyo_link`: [`LinkReport::build`] under the JSON API's limits.
pub fn link(backend: &dyn Backend, params: LinkParams) -> Result<CallToolResult, ToolError> {
    let selected = select(backend, params.revision.as_deref())?;
    if params.operations.is_empty() {
        return Err(ToolError::new(
            "no_operations",
            "no operations were given: pass at least one in `operations`, e.g. \
             [\"get_profiles\", \"POST /api/lists\"]",
        ));
    }
    check_operations(backend, params.operations.len())?;
    let options = ResolveOptions {
        minimal: params.minimal,
        max_item_bytes: Some(backend.limits().max_item_bytes),
        prefer_beta: selected.prefer_beta,
        exact_inputs: None,
    };
    let report = LinkReport::build(
        selected.catalog,
        backend.link_base(),
        &params.operations,
        options,
    );
    let summary = link_summary(&report, params.operations.len());
    let complete = report.is_complete();
    Ok(structured(&LinkOutput(report), summary, !complete))
}

fn link_summary(report: &LinkReport, inputs: usize) -> String {
    let mut lines = Vec::new();
    if report.is_complete() {
        lines.push(report.url.clone());
        lines.push(format!(
            "{} scope{} for {} operation{} (Klaviyo revision {}): {}",
            report.scopes.len(),
            plural(report.scopes.len()),
            report.operations.len(),
            plural(report.operations.len()),
            report.catalog.revision(),
            if report.scopes.is_empty() {
                "none".to_owned()
            } else {
                report.scopes.join(", ")
            }
        ));
    } else {
        lines.push(format!(
            "{} of {inputs} input{} could not be resolved; fix them and call again \
             (the link below covers only the others):",
            report.errors.len(),
            plural(inputs)
        ));
        lines.extend(report.errors.iter().map(describe_error));
        lines.push(report.url.clone());
    }
    lines.extend(
        report
            .warnings
            .iter()
            .map(|warning| format!("warning: {}", warning.message)),
    );
    lines.join("\n")
}

/// One line for a failed input, as the CLI prints it: which, why, and what would work.
pub fn describe_error(error: &ItemError) -> String {
    let mut line = format!(
        "input {} `{}`: {} ({})",
        error.index + 1,
        show_input(&error.input),
        error.detail,
        error.code.as_str()
    );
    line.push_str(&did_you_mean(&error.suggestions));
    line
}

fn show_input(input: &InputItem) -> Cow<'_, str> {
    match input {
        InputItem::Text(text) => Cow::Borrowed(text),
        structured => Cow::Owned(serde_json::to_string(structured).unwrap_or_default()),
    }
}

fn did_you_mean(suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let fixes: Vec<String> = suggestions
        .iter()
        .map(|s| format!("`{}`", show_input(&s.replacement)))
        .collect();
    format!("; did you mean {}?", fixes.join(" or "))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `klaviyo_search_operations`: the catalog filter behind `GET /v1/operations`
/// and `scopelink operations`.
pub fn search(backend: &dyn Backend, params: SearchParams) -> Result<CallToolResult, ToolError> {
    let selected = select(backend, params.revision.as_deref())?;
    let max_item = backend.limits().max_item_bytes;
    for (name, value) in [
        ("query", &params.query),
        ("scope", &params.scope),
        ("tag", &params.tag),
    ] {
        if value.as_ref().is_some_and(|v| v.len() > max_item) {
            return Err(ToolError::new(
                "too_long",
                format!("`{name}` is longer than the limit of {max_item} bytes"),
            ));
        }
    }
    let max_limit = backend.limits().max_operations;
    let limit = params.limit.unwrap_or(DEFAULT_SEARCH_LIMIT.min(max_limit));
    if limit == 0 || limit > max_limit {
        return Err(ToolError::new(
            "invalid_arguments",
            format!("`limit` must be between 1 and {max_limit}, not {limit}"),
        ));
    }
    let filter = OperationFilter {
        text: params.query,
        scope: params.scope,
        tag: params.tag,
        beta: params.beta,
    };
    let matching: Vec<&Operation> = selected.catalog.filter(&filter).collect();
    let total = matching.len();
    let operations: Vec<Operation> = matching.into_iter().take(limit).cloned().collect();
    let output = SearchOutput {
        total,
        count: operations.len(),
        operations,
        catalog: CatalogInfo::of(selected.catalog, selected.prefer_beta),
    };
    let mut lines = vec![if total == output.count {
        format!("{total} operation{} match:", plural(total))
    } else {
        format!(
            "{total} operations match; the first {} are listed (raise `limit` or narrow the search):",
            output.count
        )
    }];
    for op in output.operations.iter().take(20) {
        lines.push(format!(
            "{} {}  {}  {}{}",
            op.method.as_str(),
            op.path,
            op.operation_id,
            if op.scopes.is_empty() {
                "(no scopes: public key)".to_owned()
            } else {
                op.scopes.join(",")
            },
            op.beta_revision
                .as_ref()
                .map(|r| format!("  [beta {r}]"))
                .unwrap_or_default()
        ));
    }
    if output.count > 20 {
        lines.push(format!(
            "… and {} more in structuredContent",
            output.count - 20
        ));
    }
    if total == 0 {
        lines = vec!["no operation matches; try a shorter query or fewer filters".to_owned()];
    }
    Ok(structured(&output, lines.join("\n"), false))
}

/// `klaviyo_audit_link`: [`audit`] under the JSON API's limits.
pub fn audit_link(backend: &dyn Backend, params: AuditParams) -> Result<CallToolResult, ToolError> {
    let selected = select(backend, params.revision.as_deref())?;
    check_operations(backend, params.operations.len())?;
    let limits = backend.limits();
    let options = AuditOptions {
        minimal: params.minimal,
        prefer_beta: selected.prefer_beta,
        max_item_bytes: Some(limits.max_item_bytes),
        max_scopes: Some(limits.max_operations),
    };
    if let Some(docs) = &params.docs {
        if params.link.is_some() || params.scopes.is_some() {
            let error = AuditError::DocsAndOthers;
            return Err(ToolError::new(error.code(), error.to_string()));
        }
        let report = audit_docs(
            selected.catalog,
            backend.link_base(),
            docs,
            &params.operations,
            options,
        )
        .map_err(|error| ToolError::new(error.code(), error.to_string()))?;
        let mut lines = vec![if report.clean {
            "clean: every link and scope list in the docs fits".to_owned()
        } else {
            "not clean: fix the lists below".to_owned()
        }];
        for found in &report.found {
            lines.push(format!("line {}: {}", found.line, found.kind.describe()));
            if let Some(check) = found.audit.as_ref().and_then(|a| a.intended.as_ref()) {
                lines.extend(difference(check).map(|line| format!("  {line}")));
            }
            if let Some(error) = &found.error {
                lines.push(format!("  cannot audit: {}", error.detail));
            }
        }
        return Ok(structured(
            &AuditOutput(AuditAnswer::Docs(report)),
            lines.join("\n"),
            false,
        ));
    }
    let source = AuditSource::from_parts(params.link, params.scopes.map(ScopeList::into_vec))
        .map_err(|error| ToolError::new(error.code(), error.to_string()))?;
    let report = audit(
        selected.catalog,
        backend.link_base(),
        &source,
        &params.operations,
        options,
    )
    .map_err(|error| ToolError::new(error.code(), error.to_string()))?;
    let mut lines = vec![if report.clean {
        "clean: nothing to fix".to_owned()
    } else {
        "not clean: fix the findings below".to_owned()
    }];
    lines.extend(
        report
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.status.as_str(), f.message)),
    );
    if let Some(check) = &report.intended {
        lines.extend(check.errors.iter().map(describe_error));
        lines.extend(difference(check));
        lines.push(format!("corrected link: {}", check.corrected_url));
    } else {
        lines.push(format!("current names: {}", report.normalized_url));
    }
    let failed = report
        .intended
        .as_ref()
        .is_some_and(|check| !check.errors.is_empty());
    Ok(structured(
        &AuditOutput(AuditAnswer::Link(Box::new(report))),
        lines.join("\n"),
        failed,
    ))
}

/// `missing: …` and `excess: …`, each only when there is something to say.
fn difference(check: &IntendedCheck) -> impl Iterator<Item = String> + '_ {
    [("missing", &check.missing), ("excess", &check.excess)]
        .into_iter()
        .filter(|(_, scopes)| !scopes.is_empty())
        .map(|(what, scopes)| format!("{what}: {}", scopes.join(", ")))
}

//! Resolves the operations an integration will call into the least scopes
//! that cover them, with the reason for each scope and a typed error, with
//! suggestions, for each input that cannot be resolved.
//!
//! A bad item never hides the good ones: every item is resolved on its own,
//! and the result carries both the scopes of the good items and the errors.

mod input;
pub(crate) mod names;
pub use names::{sdk_methods, SdkMethods};
mod suggest;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::{Catalog, Method};
use crate::secret;
pub use input::API_HOST;
use input::{HttpTarget, ParseError, ParsedText, Target};
use names::{NameLookup, NameMatch};

/// One input item: a string in any accepted form, or an operation with includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum InputItem {
    /// `GET /api/profiles/{id}?include=lists`, a URL on a.klaviyo.com, an
    /// operationId, alias or SDK method name.
    #[schema(example = "GET /api/profiles/{id}?include=lists")]
    Text(String),
    Structured(StructuredInput),
}

/// An operation in any accepted form, with `include` values given apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StructuredInput {
    #[schema(example = "get_profile")]
    pub operation: String,
    #[serde(default)]
    #[schema(example = json!(["lists"]))]
    pub include: Vec<String>,
}

impl InputItem {
    /// The operation text of the item.
    pub fn operation_text(&self) -> &str {
        match self {
            InputItem::Text(text) => text,
            InputItem::Structured(item) => &item.operation,
        }
    }

    /// Every string the item holds, for secret checks and size limits.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let includes = match self {
            InputItem::Text(_) => &[][..],
            InputItem::Structured(item) => &item.include[..],
        };
        std::iter::once(self.operation_text()).chain(includes.iter().map(String::as_str))
    }

    /// The item with anything key-like blanked out, safe to echo and log.
    pub fn redacted(&self) -> InputItem {
        match self {
            InputItem::Text(text) => InputItem::Text(secret::redact(text).into_owned()),
            InputItem::Structured(item) => InputItem::Structured(StructuredInput {
                operation: secret::redact(&item.operation).into_owned(),
                include: item
                    .include
                    .iter()
                    .map(|value| secret::redact(value).into_owned())
                    .collect(),
            }),
        }
    }

    /// The item with its operation text replaced, includes kept.
    fn with_operation(&self, operation: String) -> InputItem {
        match self {
            InputItem::Text(_) => InputItem::Text(operation),
            InputItem::Structured(item) => InputItem::Structured(StructuredInput {
                operation,
                include: item.include.clone(),
            }),
        }
    }
}

impl From<&str> for InputItem {
    fn from(text: &str) -> InputItem {
        InputItem::Text(text.to_owned())
    }
}

/// How the scopes are chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResolveOptions {
    /// Exactly the scopes the spec lists, without adding `x:read` for each `x:write`.
    pub minimal: bool,
    /// Items with a string longer than this many bytes fail with `too_long`, unread.
    pub max_item_bytes: Option<usize>,
    /// A `.pre` revision answers: an endpoint in both specs resolves to its beta operation.
    pub prefer_beta: bool,
}

/// What one input matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResolvedItem {
    pub index: usize,
    pub input: InputItem,
    #[schema(example = "get_profile")]
    pub operation_id: String,
    pub method: Method,
    #[schema(example = "/api/profiles/{id}")]
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub matched_by: MatchedBy,
    pub includes: Vec<String>,
    /// The scopes this item needs (the spec's, plus include extras).
    pub scopes: Vec<String>,
    /// For beta operations, the `.pre` revision header they need.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta_revision: Option<String>,
    /// A `/client` endpoint: it uses the public key and adds no scopes.
    pub client: bool,
}

/// Which form of input an item was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    OperationId,
    Alias,
    SdkMethod,
    Path,
    Url,
}

/// Why a scope is in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The operation lists the scope in `x-klaviyo-scopes`.
    Operation,
    /// An `include` value needs read access to the related resource.
    Include {
        value: String,
        /// The endpoints the extra scope was read from.
        evidence: Vec<String>,
    },
    /// A write scope is paired with its read scope (not in minimal mode).
    WriteImpliesRead { write_scope: String },
}

/// One input that needs a scope, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NeededBy {
    pub index: usize,
    pub operation_id: String,
    #[serde(flatten)]
    pub reason: Reason,
}

/// A scope and everything that needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScopeExplanation {
    #[schema(example = "profiles:read")]
    pub scope: String,
    pub needed_by: Vec<NeededBy>,
}

/// Things worth knowing that do not stop a link from being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    ClientEndpoint,
    BetaOperation,
    NoScopes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Warning {
    pub code: WarningCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub message: String,
}

/// Why an input could not be resolved. The names are stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Empty,
    LooksLikeSecret,
    Malformed,
    WrongHost,
    UnknownOperation,
    MethodNotAllowed,
    MethodRequired,
    NamespaceMismatch,
    InvalidInclude,
    TooLong,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Empty => "empty",
            ErrorCode::LooksLikeSecret => "looks_like_secret",
            ErrorCode::Malformed => "malformed",
            ErrorCode::WrongHost => "wrong_host",
            ErrorCode::UnknownOperation => "unknown_operation",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::MethodRequired => "method_required",
            ErrorCode::NamespaceMismatch => "namespace_mismatch",
            ErrorCode::InvalidInclude => "invalid_include",
            ErrorCode::TooLong => "too_long",
        }
    }
}

/// A replacement for a failed input that would resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Suggestion {
    pub replacement: InputItem,
    pub reason: String,
}

/// One input that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ItemError {
    pub index: usize,
    /// The input as given, with anything key-like blanked out.
    pub input: InputItem,
    pub code: ErrorCode,
    pub detail: String,
    /// What would be accepted in its place (methods, include values), if a short list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    /// Up to three fixes, closest first.
    pub suggestions: Vec<Suggestion>,
}

impl ItemError {
    pub(crate) fn new(
        index: usize,
        input: &InputItem,
        code: ErrorCode,
        detail: String,
    ) -> ItemError {
        ItemError {
            index,
            input: input.redacted(),
            code,
            detail,
            accepted: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    fn accepting(mut self, accepted: Vec<String>) -> ItemError {
        self.accepted = accepted;
        self
    }

    fn suggesting(mut self, suggestions: Vec<Suggestion>) -> ItemError {
        self.suggestions = suggestions;
        self.suggestions.truncate(suggest::MAX_SUGGESTIONS);
        self
    }
}

/// Everything resolved from a list of inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Sorted and deduplicated.
    pub scopes: Vec<String>,
    pub explanations: Vec<ScopeExplanation>,
    pub operations: Vec<ResolvedItem>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ItemError>,
}

impl Resolution {
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Resolves every input item against the catalog.
pub fn resolve(catalog: &Catalog, items: &[InputItem], options: ResolveOptions) -> Resolution {
    let mut matched = Vec::new();
    let mut operations = Vec::new();
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let result = match options.max_item_bytes {
            Some(limit) if item.texts().any(|text| text.len() > limit) => {
                Err(Box::new(ItemError::new(
                    index,
                    &InputItem::Text(shortened(item.operation_text(), 64)),
                    ErrorCode::TooLong,
                    format!("this input is longer than the limit of {limit} bytes per item"),
                )))
            }
            _ => resolve_item(catalog, index, item, options.prefer_beta),
        };
        match result {
            Ok((operation, resolved)) => {
                matched.push(operation);
                operations.push(resolved);
            }
            Err(mut error) => {
                // Offer only fixes that resolve as they stand.
                error.suggestions.retain(|fix| {
                    resolve_item(catalog, index, &fix.replacement, options.prefer_beta).is_ok()
                });
                errors.push(*error);
            }
        }
    }

    let mut needed: BTreeMap<String, Vec<NeededBy>> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (item, &operation) in operations.iter().zip(&matched) {
        let operation = catalog.operation(operation);
        if item.client {
            warnings.push(Warning {
                code: WarningCode::ClientEndpoint,
                index: Some(item.index),
                message: format!(
                    "{} ({} {}) is a /client endpoint: it takes the 6-character public key as `company_id`, never a private key, so it adds no scopes",
                    item.operation_id, item.method, item.path
                ),
            });
            continue;
        }
        if let Some(revision) = &item.beta_revision {
            warnings.push(Warning {
                code: WarningCode::BetaOperation,
                index: Some(item.index),
                message: format!(
                    "{} is a beta operation: call it with the header `revision: {revision}`; beta revisions are not for production",
                    item.operation_id
                ),
            });
        }
        let need = |reason: Reason| NeededBy {
            index: item.index,
            operation_id: item.operation_id.clone(),
            reason,
        };
        for scope in &operation.scopes {
            needed
                .entry(scope.clone())
                .or_default()
                .push(need(Reason::Operation));
        }
        for value in &item.includes {
            let rule = operation.include(value).expect("validated include");
            for scope in &rule.extra_scopes {
                needed
                    .entry(scope.clone())
                    .or_default()
                    .push(need(Reason::Include {
                        value: value.clone(),
                        evidence: rule.evidence.clone(),
                    }));
            }
        }
    }
    if !options.minimal {
        add_reads_for_writes(&mut needed);
    }
    if needed.is_empty() && !operations.is_empty() {
        warnings.push(Warning {
            code: WarningCode::NoScopes,
            index: None,
            message: "none of the operations needs a private-key scope".to_owned(),
        });
    }
    let explanations: Vec<ScopeExplanation> = needed
        .into_iter()
        .map(|(scope, needed_by)| ScopeExplanation { scope, needed_by })
        .collect();
    Resolution {
        scopes: explanations.iter().map(|e| e.scope.clone()).collect(),
        explanations,
        operations,
        warnings,
        errors,
    }
}

/// Pairs each `x:write` with `x:read`, as Klaviyo's own example link does.
fn add_reads_for_writes(needed: &mut BTreeMap<String, Vec<NeededBy>>) {
    let writes: Vec<(String, Vec<NeededBy>)> = needed
        .iter()
        .filter_map(|(scope, by)| {
            let family = scope.strip_suffix(":write")?;
            let read = format!("{family}:read");
            (!needed.contains_key(&read)).then(|| (read, by.clone()))
        })
        .collect();
    for (read, by) in writes {
        let write_scope = read.replace(":read", ":write");
        let reasons = by
            .into_iter()
            .map(|need| NeededBy {
                reason: Reason::WriteImpliesRead {
                    write_scope: write_scope.clone(),
                },
                ..need
            })
            .collect();
        needed.insert(read, reasons);
    }
}

/// Finds an operation by operationId, alias or SDK method name.
pub fn find_operation(catalog: &Catalog, name: &str) -> Option<usize> {
    match names::lookup(catalog, name.trim()) {
        NameLookup::Found { operation, .. } | NameLookup::WrongNamespace { operation, .. } => {
            Some(operation)
        }
        NameLookup::NotFound => None,
    }
}

/// Resolves one item, or says precisely why it cannot be.
fn resolve_item(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Result<(usize, ResolvedItem), Box<ItemError>> {
    let error = |code, detail: String| Box::new(ItemError::new(index, item, code, detail));
    if item.texts().any(secret::contains_private_key) {
        return Err(error(
            ErrorCode::LooksLikeSecret,
            "this looks like a Klaviyo private API key (pk_…). Never send API keys here: Scopelink needs only the operations you will call. If it is a real key, revoke it in Klaviyo."
                .to_owned(),
        ));
    }
    let parsed = input::parse(item.operation_text()).map_err(|parse_error| match parse_error {
        ParseError::Empty => error(
            ErrorCode::Empty,
            "the input is empty: give an operation such as `GET /api/profiles` or `get_profiles`".to_owned(),
        ),
        ParseError::Malformed { reason } => error(
            ErrorCode::Malformed,
            format!(
                "cannot read this input: {reason}. Accepted forms: `METHOD /api/path`, `METHOD https://a.klaviyo.com/api/path`, an operationId or alias (`get_profiles`), or an SDK method (`klaviyo.Profiles.get_profiles`)"
            ),
        ),
        ParseError::WrongHost { host, path } => {
            let detail = format!(
                "the URL is on {host}, but Klaviyo's API is served only from https://{API_HOST}"
            );
            let suggestions = suggest::on_api_host(catalog, item, &path);
            Box::new(ItemError::new(index, item, ErrorCode::WrongHost, detail).suggesting(suggestions))
        }
    })?;
    let mut includes = parsed.includes.clone();
    if let InputItem::Structured(structured) = item {
        for list in &structured.include {
            input::split_include_list(list, &mut includes);
        }
    }
    let (operation, matched_by, alternatives) = match &parsed.target {
        Target::Name(name) => {
            let (operation, matched) = match_name(catalog, index, item, name, &parsed)?;
            let matched_by = match matched {
                NameMatch::OperationId => MatchedBy::OperationId,
                NameMatch::Alias => MatchedBy::Alias,
                NameMatch::SdkMethod => MatchedBy::SdkMethod,
            };
            (operation, matched_by, Vec::new())
        }
        Target::Http(target) => {
            let (operation, alternatives) =
                match_http(catalog, index, item, target, &parsed, prefer_beta)?;
            let matched_by = if target.from_url {
                MatchedBy::Url
            } else {
                MatchedBy::Path
            };
            (operation, matched_by, alternatives)
        }
    };
    let operation = check_includes(
        catalog,
        index,
        item,
        &parsed,
        operation,
        &alternatives,
        &includes,
    )?;
    let op = catalog.operation(operation);
    let mut scopes: Vec<String> = if op.client {
        Vec::new()
    } else {
        op.scopes
            .iter()
            .chain(includes.iter().flat_map(|value| {
                op.include(value)
                    .map(|rule| rule.extra_scopes.iter())
                    .into_iter()
                    .flatten()
            }))
            .cloned()
            .collect()
    };
    scopes.sort();
    scopes.dedup();
    let resolved = ResolvedItem {
        index,
        input: item.clone(),
        operation_id: op.operation_id.clone(),
        method: op.method,
        path: op.path.clone(),
        tag: op.tag.clone(),
        summary: op.summary.clone(),
        matched_by,
        includes,
        scopes,
        beta_revision: op.beta_revision.clone(),
        client: op.client,
    };
    Ok((operation, resolved))
}

fn match_name(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    name: &str,
    parsed: &ParsedText,
) -> Result<(usize, NameMatch), Box<ItemError>> {
    if !names::is_name_like(name) {
        return Err(Box::new(ItemError::new(
            index,
            item,
            ErrorCode::Malformed,
            format!(
                "`{name}` is neither a path nor an operation name. Accepted forms: `METHOD /api/path`, a URL on https://{API_HOST}, an operationId or alias (`get_profiles`), or an SDK method (`klaviyo.Profiles.get_profiles`)"
            ),
        )));
    }
    match names::lookup(catalog, name) {
        NameLookup::Found { operation, matched } => Ok((operation, matched)),
        NameLookup::WrongNamespace { operation, given } => {
            let op = catalog.operation(operation);
            let parts = names::split(name);
            let fixed = format!(
                "{}{}",
                parts
                    .prefix
                    .replacen(&given, &names::namespace_like(&given, &op.tag), 1),
                parts.method
            );
            Err(Box::new(
                ItemError::new(
                    index,
                    item,
                    ErrorCode::NamespaceMismatch,
                    format!(
                        "{} belongs to the {} API, not {given}",
                        op.operation_id, op.tag
                    ),
                )
                .suggesting(vec![Suggestion {
                    replacement: item.with_operation(suggest::with_query(&fixed, parsed)),
                    reason: format!("{} is in the {} namespace", parts.method, op.tag),
                }]),
            ))
        }
        NameLookup::NotFound => Err(Box::new(
            ItemError::new(
                index,
                item,
                ErrorCode::UnknownOperation,
                format!("no operation, alias or SDK method is named `{name}`"),
            )
            .suggesting(suggest::names(catalog, item, name, parsed)),
        )),
    }
}

/// Matches a method and path; also returns the other operations on the same
/// template and method (a beta twin of a stable operation).
fn match_http(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    target: &HttpTarget,
    parsed: &ParsedText,
    prefer_beta: bool,
) -> Result<(usize, Vec<usize>), Box<ItemError>> {
    let Some(found) = catalog.match_path(&target.segments) else {
        return Err(Box::new(
            ItemError::new(
                index,
                item,
                ErrorCode::UnknownOperation,
                format!("no Klaviyo API path matches `{}`", target.raw_path),
            )
            .suggesting(suggest::paths(catalog, item, target, parsed)),
        ));
    };
    let mut methods: Vec<Method> = found
        .operations
        .iter()
        .map(|&i| catalog.operation(i).method)
        .collect();
    methods.sort();
    methods.dedup();
    let accepted: Vec<String> = methods.iter().map(|m| m.to_string()).collect();
    // A method that does not fit the path: the allowed ones, each as a fix.
    let method_error = |code, detail| {
        Box::new(
            ItemError::new(index, item, code, detail)
                .accepting(accepted.clone())
                .suggesting(suggest::methods(
                    catalog,
                    item,
                    target,
                    parsed,
                    found.operations,
                )),
        )
    };
    let method = match (target.method, &target.unknown_method) {
        (Some(method), _) => method,
        (None, None) if methods.len() == 1 => methods[0],
        (None, unknown) => {
            let (code, detail) = match unknown {
                Some(word) => (
                    ErrorCode::MethodNotAllowed,
                    format!(
                        "{word} is not a method Klaviyo's API uses on {}; allowed: {}",
                        found.template,
                        accepted.join(", ")
                    ),
                ),
                None => (
                    ErrorCode::MethodRequired,
                    format!(
                        "{} has several methods ({}); say which one, e.g. `{} {}`",
                        found.template,
                        accepted.join(", "),
                        methods[0],
                        target.raw_path
                    ),
                ),
            };
            return Err(method_error(code, detail));
        }
    };
    // Stable operations come first; a `.pre` revision wants the beta twin first.
    let mut on_method: Vec<usize> = found
        .operations
        .iter()
        .copied()
        .filter(|&i| catalog.operation(i).method == method)
        .collect();
    if prefer_beta {
        on_method.sort_by_key(|&i| !catalog.operation(i).is_beta());
    }
    let mut on_method = on_method.into_iter();
    let Some(operation) = on_method.next() else {
        return Err(method_error(
            ErrorCode::MethodNotAllowed,
            format!(
                "{method} is not allowed on {}; allowed: {}",
                found.template,
                accepted.join(", ")
            ),
        ));
    };
    Ok((operation, on_method.collect()))
}

/// Checks every include value; a value valid only on the beta twin of a
/// stable endpoint switches to that twin (KLAVIYO_FACTS §3.6).
fn check_includes(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    parsed: &ParsedText,
    operation: usize,
    alternatives: &[usize],
    includes: &[String],
) -> Result<usize, Box<ItemError>> {
    let accepts_all = |candidate: usize| {
        let op = catalog.operation(candidate);
        includes.iter().all(|value| op.include(value).is_some())
    };
    if accepts_all(operation) {
        return Ok(operation);
    }
    if let Some(&twin) = alternatives.iter().find(|&&twin| accepts_all(twin)) {
        return Ok(twin);
    }
    let op = catalog.operation(operation);
    let invalid: Vec<&String> = includes
        .iter()
        .filter(|v| op.include(v).is_none())
        .collect();
    let valid: Vec<String> = op.includes.iter().map(|rule| rule.value.clone()).collect();
    let detail = if valid.is_empty() {
        format!(
            "{} ({}) takes no include parameter, so {} cannot be included",
            op.operation_id,
            op.endpoint(),
            join_quoted(&invalid)
        )
    } else {
        format!(
            "{} is not a valid include value for {} ({}); valid values: {}",
            join_quoted(&invalid),
            op.operation_id,
            op.endpoint(),
            valid.join(", ")
        )
    };
    Err(Box::new(
        ItemError::new(index, item, ErrorCode::InvalidInclude, detail)
            .accepting(valid)
            .suggesting(suggest::includes(item, parsed, op, &invalid)),
    ))
}

/// The first `max` bytes of a text (on a character boundary), marked as cut.
fn shortened(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn join_quoted(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

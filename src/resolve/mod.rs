//! Resolves the operations an integration will call into the least scopes
//! that cover them, with the reason for each scope and a typed error, with
//! suggestions, for each input that cannot be resolved.
//!
//! A bad item never hides the good ones: every item is resolved on its own,
//! and the result carries both the scopes of the good items and the errors.

mod error;
mod exact;
mod input;
pub(crate) use input::parameter_name;
pub(crate) mod names;
mod plain;
mod suggest;
mod types;

use crate::catalog::{
    Catalog, Method, Operation, ScopeId, ScopeIds, SharedInclude, SharedList, SharedStr,
};
use crate::secret;
pub use error::{ErrorCode, ItemError, Suggestion};
pub use exact::ExactInputs;
pub use input::API_HOST;
use input::{HttpTarget, ParseError, ParsedText, Target};
pub use names::{sdk_methods, SdkMethods};
use names::{NameLookup, NameMatch};
pub use types::{
    InputItem, MatchedBy, NeededBy, Reason, Resolution, ResolveOptions, ResolvedItem,
    ScopeExplanation, StructuredInput, Warning, WarningCode,
};

/// Resolves every input item against the catalog.
pub fn resolve(catalog: &Catalog, items: &[InputItem], options: ResolveOptions) -> Resolution {
    let mut resolution = resolve_without_inputs(catalog, items, options);
    for operation in &mut resolution.operations {
        operation.input = items[operation.index].clone();
    }
    resolution
}

/// [`resolve`], moving each input that resolved into its item instead of
/// copying it, and leaving an empty text in its place in `items`.
pub fn resolve_taking_inputs(
    catalog: &Catalog,
    items: &mut [InputItem],
    options: ResolveOptions,
) -> Resolution {
    let mut resolution = resolve_without_inputs(catalog, items, options);
    for operation in &mut resolution.operations {
        operation.input = std::mem::take(&mut items[operation.index]);
    }
    resolution
}

/// [`resolve`] with each resolved item's `input` left empty, for the caller to fill.
fn resolve_without_inputs(
    catalog: &Catalog,
    items: &[InputItem],
    options: ResolveOptions,
) -> Resolution {
    let mut matched = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let result = match options.max_item_bytes {
            Some(limit) if item.any_text(|text| text.len() > limit) => {
                Err(Box::new(ItemError::new(
                    index,
                    &InputItem::Text(shortened(item.operation_text(), 64)),
                    ErrorCode::TooLong,
                    format!("this input is longer than the limit of {limit} bytes per item"),
                )))
            }
            _ => resolve_one_without_input(catalog, index, item, options.prefer_beta),
        };
        match result {
            Ok(found) => matched.push(found),
            Err(error) => errors.push(*error),
        }
    }
    explain(catalog, matched, errors, options.minimal)
}

/// The scopes of items already resolved, with the reason for each scope and
/// the warnings: the second half of [`resolve`], for callers that resolved
/// their items one by one (recorded traffic resolves each distinct call once).
pub fn explain(
    catalog: &Catalog,
    operations: Vec<ResolvedItem>,
    errors: Vec<ItemError>,
    minimal: bool,
) -> Resolution {
    let ids = catalog.scope_ids();
    // What needs each scope, in the order the scopes are first needed, and
    // where each scope's entry is (by scope id).
    let mut needed = NeedsByScope::new(ids);
    let mut warnings = Vec::new();
    for item in &operations {
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
        let mut need = |scope: ScopeId, reason: Reason, json_rest: &SharedStr| {
            needed.of(scope).push(NeededBy {
                index: item.index,
                operation_id: item.operation_id.clone(),
                reason,
                json_rest: Some(json_rest.clone()),
            });
        };
        let shared = catalog.shared_text(item.catalog_position);
        for &scope in &shared.scope_ids {
            need(scope, Reason::Operation, &shared.json_need);
        }
        for value in &item.includes {
            let include = validated_include(catalog, item.catalog_position, value);
            for &scope in &include.scope_ids {
                need(
                    scope,
                    Reason::Include {
                        value: include.value.clone(),
                        evidence: include.evidence.clone(),
                    },
                    &include.json_need,
                );
            }
        }
    }
    if !minimal {
        needed.add_reads_for_writes(ids);
    }
    let explanations = needed.into_explanations(ids);
    if explanations.is_empty() && !operations.is_empty() {
        warnings.push(Warning {
            code: WarningCode::NoScopes,
            index: None,
            message: "none of the operations needs a private-key scope".to_owned(),
        });
    }
    Resolution {
        scopes: explanations.iter().map(|e| e.scope.clone()).collect(),
        explanations,
        operations,
        warnings,
        errors,
    }
}

/// What needs each scope, gathered item by item.
struct NeedsByScope {
    /// Each scope needed, with what needs it, in the order first needed.
    entries: Vec<(ScopeId, Vec<NeededBy>)>,
    /// For each scope id, its place in `entries` (`u32::MAX` until needed).
    place: Vec<u32>,
}

impl NeedsByScope {
    const ABSENT: u32 = u32::MAX;

    fn new(ids: &ScopeIds) -> NeedsByScope {
        NeedsByScope {
            // Room for the scopes of a few operations: growing from empty costs more.
            entries: Vec::with_capacity(8),
            place: vec![Self::ABSENT; ids.len()],
        }
    }

    /// What needs `scope`, to add to.
    fn of(&mut self, scope: ScopeId) -> &mut Vec<NeededBy> {
        let place = &mut self.place[scope.index()];
        if *place == Self::ABSENT {
            *place = u32::try_from(self.entries.len()).expect("fewer than 2^32 scopes");
            // Room for four, as the first push would make, in one
            // allocation: growing from empty costs more.
            self.entries.push((scope, Vec::with_capacity(4)));
        }
        &mut self.entries[*place as usize].1
    }

    /// Pairs each `x:write` with `x:read`, as Klaviyo's own example link
    /// does: where nothing needs the read scope, what needs the write does.
    fn add_reads_for_writes(&mut self, ids: &ScopeIds) {
        for at in 0..self.entries.len() {
            let write = self.entries[at].0;
            let Some(read) = ids.read_of(write) else {
                continue;
            };
            if self.place[read.index()] != Self::ABSENT {
                continue;
            }
            let write_scope = ids.scope(write);
            let reads = self.entries[at]
                .1
                .iter()
                .map(|need| NeededBy {
                    index: need.index,
                    operation_id: need.operation_id.clone(),
                    reason: Reason::WriteImpliesRead {
                        write_scope: write_scope.clone(),
                    },
                    json_rest: None,
                })
                .collect();
            *self.of(read) = reads;
        }
    }

    /// Each scope with what needs it, in the scopes' order (ids order as
    /// the scopes do).
    fn into_explanations(mut self, ids: &ScopeIds) -> Vec<ScopeExplanation> {
        self.entries.sort_unstable_by_key(|(scope, _)| *scope);
        self.entries
            .into_iter()
            .map(|(scope, needed_by)| ScopeExplanation {
                scope: ids.scope(scope).clone(),
                needed_by,
            })
            .collect()
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

/// The operation named by an operationId, alias or SDK method name.
pub fn find<'c>(catalog: &'c Catalog, name: &str) -> Option<&'c Operation> {
    find_operation(catalog, name).map(|index| catalog.operation(index))
}

/// Resolves one item on its own (fixes offered only where they resolve), or
/// says precisely why it cannot be.
pub fn resolve_one(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Result<ResolvedItem, Box<ItemError>> {
    let mut found = resolve_one_without_input(catalog, index, item, prefer_beta)?;
    found.input = item.clone();
    Ok(found)
}

/// [`resolve_one`] with the resolved item's `input` left empty.
fn resolve_one_without_input(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Result<ResolvedItem, Box<ItemError>> {
    resolve_item(catalog, index, item, prefer_beta).map_err(|mut error| {
        error
            .suggestions
            .retain(|fix| resolve_item(catalog, index, &fix.replacement, prefer_beta).is_ok());
        error
    })
}

/// Resolves one item, or says precisely why it cannot be: from the memo of
/// exact texts ([`ExactInputs`]) when it was made and holds the item, else
/// in full.
fn resolve_item(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Result<ResolvedItem, Box<ItemError>> {
    if let Some((operation, matched_by)) = item
        .sole_text()
        .and_then(|text| catalog.exact_inputs()?.get(text, prefer_beta))
    {
        return Ok(resolved(
            catalog,
            index,
            item,
            operation,
            matched_by,
            Vec::new(),
        ));
    }
    resolve_uncached(catalog, index, item, prefer_beta)
}

/// [`resolve_item`] without the memo, which is made with it.
fn resolve_uncached(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Result<ResolvedItem, Box<ItemError>> {
    let error = |code, detail: String| Box::new(ItemError::new(index, item, code, detail));
    if item.any_text(secret::contains_private_key) {
        return Err(error(
            ErrorCode::LooksLikeSecret,
            "this looks like a Klaviyo private API key (pk_…). Never send API keys here: Scopelink needs only the operations you will call. If it is a real key, revoke it in Klaviyo."
                .to_owned(),
        ));
    }
    if let Some(found) = resolve_plain(catalog, index, item, prefer_beta) {
        return Ok(found);
    }
    let normalized = input::Normalized::of(item.operation_text());
    let mut parsed = input::parse(&normalized).map_err(|parse_error| match parse_error {
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
    // Nothing after this reads `parsed.includes`.
    let mut includes = std::mem::take(&mut parsed.includes);
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
    Ok(resolved(
        catalog, index, item, operation, matched_by, includes,
    ))
}

/// A text input of the usual shape ([`plain::read`]) that resolves as it
/// is: its operation, with the includes it takes. `None` leaves the text,
/// resolvable or not, to the full reading, which gives the same answer
/// (and the only errors, alternatives and beta twins).
fn resolve_plain(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Option<ResolvedItem> {
    let InputItem::Text(text) = item else {
        return None;
    };
    let mut lowered = [0; plain::MAX_PATH];
    let plain = plain::read(text, &mut lowered)?;
    let found = catalog.match_path(plain.segments())?;
    let operation = first_on_method(catalog, found.operations, plain.method, prefer_beta)?;
    let op = catalog.operation(operation);
    if !plain
        .includes
        .iter()
        .all(|value| op.include(value).is_some())
    {
        return None;
    }
    Some(resolved(
        catalog,
        index,
        item,
        operation,
        MatchedBy::Path,
        plain.includes,
    ))
}

/// The operation on a matched template that answers `method`: the stable
/// one, or the beta twin first when a `.pre` revision prefers beta.
fn first_on_method(
    catalog: &Catalog,
    operations: &[usize],
    method: Method,
    prefer_beta: bool,
) -> Option<usize> {
    let mut on_method = operations
        .iter()
        .copied()
        .filter(|&i| catalog.operation(i).method == method);
    if prefer_beta {
        on_method
            .clone()
            .find(|&i| catalog.operation(i).is_beta())
            .or_else(|| on_method.next())
    } else {
        on_method.next()
    }
}

/// The catalog's texts for an include value of the operation at `operation`,
/// one the resolver has checked the operation takes.
fn validated_include<'c>(catalog: &'c Catalog, operation: usize, value: &str) -> &'c SharedInclude {
    let at = catalog
        .operation(operation)
        .includes
        .iter()
        .position(|rule| rule.value == value)
        .expect("validated include");
    &catalog.shared_text(operation).includes[at]
}

/// What the answer says of an item that resolved to `operation`, but its
/// `input`, which the public entry points fill.
fn resolved(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    operation: usize,
    matched_by: MatchedBy,
    includes: Vec<String>,
) -> ResolvedItem {
    let op = catalog.operation(operation);
    let text = catalog.shared_text(operation);
    // The catalog rendered the scopes and the rest of the JSON for no include
    // and for each include alone; more than one are gathered here.
    let (scopes, json_rest) = match &includes[..] {
        [] => (
            text.scopes_without_includes.clone(),
            Some(text.json_rest_without_includes.clone()),
        ),
        [value] => {
            let include = validated_include(catalog, operation, value);
            (
                include.scopes_with_operation.clone(),
                Some(include.json_rest.clone()),
            )
        }
        _ => (SharedList::from(op.scopes_with_includes(&includes)), None),
    };
    let catalog_input = match (item.sole_text(), matched_by) {
        (Some(input), MatchedBy::Path) if input == &*text.endpoint => {
            Some(text.endpoint_input.clone())
        }
        (Some(input), MatchedBy::OperationId) if input == &*text.operation_id => {
            Some(text.operation_id_input.clone())
        }
        _ => None,
    };
    ResolvedItem {
        index,
        // Filled by the caller (`resolve` copies it, `resolve_taking_inputs` moves it).
        input: InputItem::default(),
        operation_id: text.operation_id.clone(),
        method: op.method,
        path: text.path.clone(),
        tag: text.tag.clone(),
        summary: text.summary.clone(),
        matched_by,
        includes,
        scopes,
        beta_revision: op.beta_revision.clone(),
        client: op.client,
        json_fields: text.json_fields.clone(),
        json_rest,
        catalog_input,
        catalog_position: operation,
    }
}

fn match_name(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    name: &str,
    parsed: &ParsedText<'_>,
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
    target: &HttpTarget<'_>,
    parsed: &ParsedText<'_>,
    prefer_beta: bool,
) -> Result<(usize, Vec<usize>), Box<ItemError>> {
    let Some(found) = catalog.match_path(target.segments()) else {
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
    // The methods on the path, in `Method` order, as a set: no list is made
    // unless an error names them.
    let on_path = |method: Method| {
        found
            .operations
            .iter()
            .any(|&i| catalog.operation(i).method == method)
    };
    let mut methods = Method::ALL.into_iter().filter(|&m| on_path(m));
    let accepted = || -> Vec<String> {
        Method::ALL
            .into_iter()
            .filter(|&m| on_path(m))
            .map(|m| m.to_string())
            .collect()
    };
    // A method that does not fit the path: the allowed ones, each as a fix.
    let method_error = |code, detail| {
        Box::new(
            ItemError::new(index, item, code, detail)
                .accepting(accepted())
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
        (None, None) => match (methods.next(), methods.next()) {
            (Some(only), None) => only,
            (first, _) => {
                let detail = format!(
                    "{} has several methods ({}); say which one, e.g. `{} {}`",
                    found.template,
                    accepted().join(", "),
                    first.expect("a matched template has an operation"),
                    target.raw_path
                );
                return Err(method_error(ErrorCode::MethodRequired, detail));
            }
        },
        (None, Some(word)) => {
            let detail = format!(
                "{word} is not a method Klaviyo's API uses on {}; allowed: {}",
                found.template,
                accepted().join(", ")
            );
            return Err(method_error(ErrorCode::MethodNotAllowed, detail));
        }
    };
    let on_method = || {
        found
            .operations
            .iter()
            .copied()
            .filter(|&i| catalog.operation(i).method == method)
    };
    let Some(operation) = first_on_method(catalog, found.operations, method, prefer_beta) else {
        return Err(method_error(
            ErrorCode::MethodNotAllowed,
            format!(
                "{method} is not allowed on {}; allowed: {}",
                found.template,
                accepted().join(", ")
            ),
        ));
    };
    // The others, in the same order: beta ones first for a `.pre` revision.
    let is_beta = |i: usize| catalog.operation(i).is_beta();
    let others = on_method().filter(|&i| i != operation);
    let alternatives = if prefer_beta {
        others
            .clone()
            .filter(|&i| is_beta(i))
            .chain(others.filter(|&i| !is_beta(i)))
            .collect()
    } else {
        others.collect()
    };
    Ok((operation, alternatives))
}

/// Checks every include value; a value valid only on the beta twin of a
/// stable endpoint switches to that twin (KLAVIYO_FACTS §3.6).
fn check_includes(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    parsed: &ParsedText<'_>,
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

//! Resolves the operations an integration will call into the least scopes
//! that cover them, with the reason for each scope and a typed error, with
//! suggestions, for each input that cannot be resolved.
//!
//! A bad item never hides the good ones: every item is resolved on its own,
//! and the result carries both the scopes of the good items and the errors.

pub(crate) mod compact;
mod error;
mod exact;
mod input;
mod item;
pub(crate) use placeholders::parameter_name;
pub(crate) mod names;
mod placeholders;
mod plain;
mod query;
mod suggest;
mod types;

use crate::catalog::{Catalog, Method, Operation};
pub use compact::CompactResolution;
use compact::{Found, Needs};
pub use error::{ErrorCode, ItemError, Suggestion};
pub use exact::ExactInputs;
pub(crate) use input::without_trailing_slash;
pub use input::API_HOST;
use input::{HttpTarget, ParseError, ParsedText, Target};
pub use item::{is_key_like_text, InputItem, StructuredInput};
pub use names::{sdk_methods, SdkMethods};
use names::{NameLookup, NameMatch};
pub use types::{
    MatchedBy, NeededBy, Reason, Resolution, ResolveOptions, ResolvedItem, ScopeExplanation,
    Warning, WarningCode,
};

/// Resolves every input item against the catalog.
pub fn resolve(catalog: &Catalog, items: &[InputItem], options: ResolveOptions<'_>) -> Resolution {
    resolve_compact(catalog, items, options).into_resolution(|index| items[index].clone())
}

/// [`resolve`] by catalog position, without the owned items and reasons
/// (see [`CompactResolution`]).
pub fn resolve_compact<'c>(
    catalog: &'c Catalog,
    items: &[InputItem],
    options: ResolveOptions<'_>,
) -> CompactResolution<'c> {
    let mut found = Vec::with_capacity(items.len());
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
            _ => resolve_found(catalog, index, item, options),
        };
        match result {
            Ok(item) => found.push(item),
            Err(error) => errors.push(*error),
        }
    }
    CompactResolution::new(catalog, found, errors, options.minimal)
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
    let needs = Needs::of(catalog, &operations, minimal);
    let warnings = compact::warnings_of(catalog, &operations, &needs);
    let explanations = needs.explanations(catalog, &operations);
    Resolution {
        scopes: explanations.iter().map(|e| e.scope.clone()).collect(),
        explanations,
        operations,
        warnings,
        errors,
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
/// says precisely why it cannot be. Only `prefer_beta` and `exact_inputs`
/// of the options apply.
pub fn resolve_one(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    options: ResolveOptions<'_>,
) -> Result<ResolvedItem, Box<ItemError>> {
    let found = resolve_found(catalog, index, item, options)?;
    Ok(compact::resolved_item(catalog, found, item.clone()))
}

/// [`resolve_one`] by catalog position.
fn resolve_found(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    options: ResolveOptions<'_>,
) -> Result<Found, Box<ItemError>> {
    resolve_item(catalog, index, item, options).map_err(|mut error| {
        error
            .suggestions
            .retain(|fix| resolve_item(catalog, index, &fix.replacement, options).is_ok());
        error
    })
}

/// Resolves one item, or says precisely why it cannot be: from the memo of
/// exact texts ([`ExactInputs`]) when the options hold it and it holds the
/// item, else in full.
fn resolve_item(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    options: ResolveOptions<'_>,
) -> Result<Found, Box<ItemError>> {
    if let Some((operation, matched_by)) = item
        .sole_text()
        .and_then(|text| options.exact_inputs?.get(text, options.prefer_beta))
    {
        return Ok(Found {
            index,
            operation,
            matched_by,
            includes: Vec::new(),
            plain_text: false,
        });
    }
    resolve_uncached(catalog, index, item, options.prefer_beta)
}

/// [`resolve_item`] without the memo, which is made with it.
fn resolve_uncached(
    catalog: &Catalog,
    index: usize,
    item: &InputItem,
    prefer_beta: bool,
) -> Result<Found, Box<ItemError>> {
    let error = |code, detail: String| Box::new(ItemError::new(index, item, code, detail));
    if item.is_key_like() {
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
            query::split_include_list(list, &mut includes);
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
    Ok(Found {
        index,
        operation,
        matched_by,
        includes,
        plain_text: false,
    })
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
) -> Option<Found> {
    let InputItem::Text(text) = item else {
        return None;
    };
    let plain = plain::read(text)?;
    let found = catalog.match_path(plain.segments())?;
    let operation = first_on_method(catalog, found.operations, plain.method, prefer_beta)?;
    let op = catalog.operation(operation);
    if !op.takes_includes(&plain.includes) {
        return None;
    }
    Some(Found {
        index,
        operation,
        matched_by: MatchedBy::Path,
        includes: plain.includes,
        plain_text: true,
    })
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
    let accepts_all = |candidate: usize| catalog.operation(candidate).takes_includes(includes);
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

/// The first `max` bytes of a text (on a character boundary), marked as
/// cut: an input over the limit in bytes is echoed by bytes, unlike
/// [`crate::excerpt::shorten`]'s characters.
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

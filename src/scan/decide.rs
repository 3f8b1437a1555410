//! Settles what the code gave with the catalog: whether a path is Klaviyo's
//! (on its host, or relative where the file names Klaviyo or the call goes
//! through a Klaviyo wrapper, and matching a template), which method a call
//! sends (the code, else its wrapper, else the path's only method), which
//! operations an undecided call may be, and what replaces a retired call.

use crate::catalog::{Catalog, Method, Operation};
use crate::retired::{is_retired_path, ReplacementBasis, RetiredEndpoint, RetiredTable};
use crate::scope::Scope;

use super::model::{
    Candidate, Findings, FoundCall, MethodHint, MethodSource, PathCall, PathConstant, Replacement,
    RetiredCall, RetiredSdkCall, Site, UnresolvedCall, UnresolvedReason, Wrapper,
};

/// The calls, undecided calls and retired calls the paths are.
#[derive(Debug, Default)]
pub(crate) struct Settled {
    pub calls: Vec<FoundCall>,
    pub unresolved: Vec<UnresolvedCall>,
    pub retired: Vec<RetiredCall>,
}

/// Settles every path call and old-SDK call of the findings.
pub(crate) fn settle(
    catalog: &Catalog,
    findings: &Findings,
    prefer_beta: bool,
    minimal: bool,
) -> Settled {
    let table = RetiredTable::embedded();
    let mut settled = Settled::default();
    let constants = constants_used(findings);
    for call in &findings.path_calls {
        let call = match &call.constant {
            // A call whose URL is a constant of another file: its value.
            Some(name) if call.path.is_empty() => match unique_constant(findings, name) {
                Some(constant) => with_constant(call, constant),
                None => continue,
            },
            // A constant's value standing alone: its uses are the calls.
            Some(name) if call.standalone && constants.contains(name) => continue,
            _ => call.clone(),
        };
        settle_path(catalog, table, findings, &call, prefer_beta, &mut settled);
    }
    for call in &findings.retired_sdk_calls {
        settled.retired.push(retired_sdk(catalog, table, call));
    }
    for call in &mut settled.retired {
        if call.scopes.is_empty() && !call.replaced_by.is_empty() {
            call.scopes = replacement_scopes(&call.replaced_by, minimal);
        }
    }
    settled
}

/// The constants whose value some call of another file takes.
fn constants_used(findings: &Findings) -> Vec<String> {
    let mut used: Vec<String> = findings
        .path_calls
        .iter()
        .filter(|c| c.path.is_empty())
        .filter_map(|c| c.constant.clone())
        .filter(|name| unique_constant(findings, name).is_some())
        .collect();
    used.sort();
    used.dedup();
    used
}

/// The one value a constant has across the project (none if it has several).
fn unique_constant<'f>(findings: &'f Findings, name: &str) -> Option<&'f PathConstant> {
    let mut named = findings.path_constants.iter().filter(|c| c.name == name);
    let first = named.next()?;
    named.all(|c| c.path == first.path).then_some(first)
}

/// A call that passes a constant, with the constant's path.
fn with_constant(call: &PathCall, constant: &PathConstant) -> PathCall {
    let mut call = call.clone();
    call.path = constant.path.clone();
    call.on_host = constant.on_host;
    call.tied = true;
    call.includes.extend(constant.includes.iter().cloned());
    call
}

/// The wrapper a call goes through: one of its own file first, then any
/// Klaviyo wrapper of the project by that name.
fn wrapper_for<'w>(wrappers: &'w [Wrapper], call: &PathCall) -> Option<&'w Wrapper> {
    let name = call.callee.as_deref()?;
    // A wrapper takes its path at one argument; a call that passes it
    // elsewhere is some other function of that name.
    let at_path = move |w: &&Wrapper| call.arg_index.is_none_or(|i| i == w.path_param);
    let named = || {
        wrappers
            .iter()
            .filter(move |w| w.name == name)
            .filter(at_path)
    };
    if let Some(own) = named().find(|w| w.file == call.site.file) {
        return Some(own);
    }
    // Elsewhere, only where every wrapper of that name agrees (a Klaviyo
    // `_get` and a Mailchimp `_get` leave the call to its own file's ties).
    let first = named().next()?;
    named().all(|w| w.klaviyo == first.klaviyo).then_some(first)
}

fn settle_path(
    catalog: &Catalog,
    table: &RetiredTable,
    findings: &Findings,
    call: &PathCall,
    prefer_beta: bool,
    settled: &mut Settled,
) {
    let wrapper = wrapper_for(&findings.wrappers, call);
    let path = if call.relative {
        format!("/api/{}", call.path.trim_start_matches('/'))
    } else {
        call.path.clone()
    };
    // A retired endpoint's own shape after a configured base
    // (`${apiUrl}/v2/list/${id}/subscribe`) in a project that names
    // Klaviyo is Klaviyo's, though its file does not say so.
    let retired_shape =
        call.after_base && findings.names_klaviyo && !table.endpoints_for(None, &path).is_empty();
    let klaviyo_base = call
        .base
        .as_ref()
        .is_some_and(|base| findings.klaviyo_bases.binary_search(base).is_ok());
    let through_wrapper = wrapper.is_some_and(|w| w.klaviyo);
    let klaviyo = if call.weak {
        through_wrapper
    } else {
        call.on_host
            || (!call.same_origin
                && (call.tied || klaviyo_base || through_wrapper || retired_shape))
    };
    if !klaviyo {
        return;
    }

    let (method, source) = match decided_method(call, wrapper) {
        Some((method, source)) => (Some(method), Some(source)),
        None => (None, None),
    };
    if is_retired_path(&path) {
        // A relative `v1/…` tail is Klaviyo's retired API only where it is
        // one of its endpoints (`client.get("/v1/accounts")` tests an app's own).
        if call.relative && table.endpoints_for(None, &path).is_empty() {
            return;
        }

        settled
            .retired
            .push(retired_path(catalog, table, &call.site, method, &path));
        return;
    }
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .collect();
    let Some(matched) = catalog.match_path(segments.iter().copied()) else {
        // A Klaviyo URL that is no operation: the resolver says so, with
        // suggestions. A bare `/api/…` path that is none is another API's.
        if call.on_host {
            let input = match method {
                Some(method) => format!("{} {path}", method.as_str()),
                None => path,
            };
            settled.calls.push(found(call, input, source));
        }
        return;
    };
    let usable: Vec<&Operation> = matched
        .operations
        .iter()
        .map(|&i| catalog.operation(i))
        .filter(|op| prefer_beta || !op.is_beta())
        .collect();
    let mut methods: Vec<Method> = usable.iter().map(|op| op.method).collect();
    methods.sort();
    methods.dedup();
    let (method, source) = match (method, source, methods.as_slice()) {
        (Some(method), Some(source), _) => (method, source),
        (None, _, [only]) => (*only, MethodSource::Catalog),
        _ => {
            settled.unresolved.push(undecided(call, &path, &usable));
            return;
        }
    };
    let mut input = format!("{} {path}", method.as_str());
    if !call.includes.is_empty() {
        input = format!("{input}?include={}", call.includes.join(","));
    }
    settled.calls.push(found(call, input, Some(source)));
}

/// The method the code or its wrapper gives.
fn decided_method(call: &PathCall, wrapper: Option<&Wrapper>) -> Option<(Method, MethodSource)> {
    if let MethodHint::Known(method) = call.method {
        return Some((method, MethodSource::Call));
    }
    let wrapper = wrapper?;
    if let Some(method) = wrapper.method {
        return Some((method, MethodSource::Wrapper));
    }
    let given = wrapper
        .method_param
        .and_then(|index| *call.arg_methods.get(index)?);
    let method = given.or(wrapper.default_method)?;
    Some((method, MethodSource::Wrapper))
}

fn found(call: &PathCall, input: String, source: Option<MethodSource>) -> FoundCall {
    let mut found = FoundCall::at(call.site.clone(), call.form, input);
    found.method_from = source;
    found
}

/// A Klaviyo path whose method nothing in the code gives, and which has several.
fn undecided(call: &PathCall, path: &str, operations: &[&Operation]) -> UnresolvedCall {
    let (reason, why) = match &call.method {
        MethodHint::Dynamic { expression, .. } => (
            UnresolvedReason::DynamicMethod,
            format!("its HTTP method `{expression}` is computed at run time"),
        ),
        _ => (
            UnresolvedReason::UnknownMethod,
            "nothing in the code says which HTTP method it sends".to_owned(),
        ),
    };
    let methods: Vec<&str> = operations.iter().map(|op| op.method.as_str()).collect();
    let detail = format!(
        "`{path}` is a Klaviyo path, but {why}; it takes {}. Pass the method literally (or through a constant) where the call is made",
        methods.join(", ")
    );
    let mut unresolved = UnresolvedCall::at(call.site.clone(), reason, detail);
    unresolved.candidates = operations
        .iter()
        .map(|op| Candidate {
            operation_id: op.operation_id.clone(),
            method: op.method,
            path: op.path.clone(),
            scopes: op.scopes_with_includes(&call.includes),
            adds: Vec::new(),
        })
        .collect();
    unresolved
}

/// A call to `/api/v1/…`, `/api/v2/…`, `/api/track` or `/api/identify`.
fn retired_path(
    catalog: &Catalog,
    table: &RetiredTable,
    site: &Site,
    method: Option<Method>,
    path: &str,
) -> RetiredCall {
    let endpoints = table.endpoints_for(method, path);
    let endpoint = match (endpoints.as_slice(), method) {
        ([one], _) => format!("{} {}", one.method.as_str(), one.path),
        (_, Some(method)) => format!("{} {path}", method.as_str()),
        _ => path.to_owned(),
    };
    retired_call(catalog, site, endpoint, None, &endpoints)
}

/// A method of an old SDK.
fn retired_sdk(catalog: &Catalog, table: &RetiredTable, call: &RetiredSdkCall) -> RetiredCall {
    let name = format!("{}.{}", call.namespace, call.method);
    match table.sdk_method(&call.sdk_language, &call.namespace, &call.method) {
        Some((sdk, method)) => {
            let endpoints: Vec<&RetiredEndpoint> =
                [Some(&method.endpoint), method.endpoint_alt.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter_map(|text| {
                        let (verb, path) = text.split_once(' ')?;
                        table
                            .endpoints_for(Method::parse(verb), path)
                            .into_iter()
                            .next()
                    })
                    .collect();
            let mut retired = retired_call(
                catalog,
                &call.site,
                method.endpoint.clone(),
                Some(format!("{name} ({})", sdk.package)),
                &endpoints,
            );
            if endpoints.is_empty() {
                retired.note = format!(
                    "{} calls `{}`, which has no replacement recorded",
                    name, method.endpoint
                );
            }
            retired
        }
        None => {
            let mut retired =
                retired_call(catalog, &call.site, String::new(), Some(name.clone()), &[]);
            retired.note = format!(
                "`{name}` is called on a client of an old, retired Klaviyo SDK; it is not in the table of that SDK's methods, so its replacement is not known"
            );
            retired
        }
    }
}

fn retired_call(
    catalog: &Catalog,
    site: &Site,
    endpoint: String,
    sdk_method: Option<String>,
    endpoints: &[&RetiredEndpoint],
) -> RetiredCall {
    let mut replaced_by: Vec<Replacement> = Vec::new();
    for id in endpoints.iter().flat_map(|e| &e.replaced_by) {
        if replaced_by.iter().any(|r| &r.operation_id == id) {
            continue;
        }
        if let Some(op) = crate::resolve::find(catalog, id) {
            replaced_by.push(Replacement {
                operation_id: op.operation_id.clone(),
                method: op.method,
                path: op.path.clone(),
                scopes: op.scopes_with_includes(&[]),
            });
        }
    }
    let basis =
        if endpoints.is_empty() || endpoints.iter().all(|e| e.basis == ReplacementBasis::None) {
            ReplacementBasis::None
        } else if endpoints
            .iter()
            .any(|e| e.basis == ReplacementBasis::Suggested)
        {
            ReplacementBasis::Suggested
        } else {
            ReplacementBasis::Stated
        };
    let note = match (endpoints, basis) {
        ([], _) => "this retired endpoint is not in Klaviyo's migration chart as Scopelink holds it; see https://developers.klaviyo.com/en/docs/apis_comparison_chart".to_owned(),
        (_, ReplacementBasis::Suggested) => format!(
            "suggested: matched by resource and action, not stated by Klaviyo; confirm it against the migration chart. {}",
            endpoints.iter().map(|e| e.note.as_str()).collect::<Vec<_>>().join(" ")
        ),
        _ => endpoints.iter().map(|e| e.note.as_str()).collect::<Vec<_>>().join(" "),
    };
    RetiredCall {
        file: site.file.clone(),
        line: site.line,
        column: site.column,
        language: site.language,
        endpoint,
        sdk_method,
        excerpt: site.excerpt.clone(),
        replaced_by,
        basis,
        scopes: Vec::new(),
        note: note.trim().to_owned(),
    }
}

/// What a private key needs for the replacements, each write with its read unless minimal.
fn replacement_scopes(replacements: &[Replacement], minimal: bool) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = replacements.iter().flat_map(|r| r.scopes.clone()).collect();
    if !minimal {
        let reads: Vec<Scope> = scopes.iter().filter_map(Scope::read_of_write).collect();
        scopes.extend(reads);
    }
    scopes.sort();
    scopes.dedup();
    scopes
}

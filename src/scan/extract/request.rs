//! Reading one call that takes a Klaviyo path: which argument is the URL,
//! whether the call sends a request at all (not a log line, a route, a
//! string builder), whether a relative tail counts, and, inside a function
//! that builds a URL from its own parameter, the wrapper that makes.

use tree_sitter::Node;

use super::engine::{mentions_related, Engine};
use super::eval::{string_call, StringCall};
use super::identifiers::callee_name;
use super::method::{is_not_request, is_request_word};
use super::pieces::{render, Piece};
use super::position::{At, Visit};
use super::target::{
    classify, first_dynamic, split_query, wrapper_path_param, BaseHost, Reading, Target,
};
use super::{named_children, text, Call};
use crate::excerpt::shorten;
use crate::scan::model::{CallForm, MethodHint, PathCall, UnresolvedReason, Wrapper};

/// What the call a path flows into says of it.
#[derive(Debug, Clone, Default)]
pub(super) struct Taken {
    /// The called function's name, for wrapper look-up.
    pub(super) callee: Option<String>,
    /// Each positional argument read as an HTTP method.
    pub(super) arg_methods: Vec<Option<crate::catalog::Method>>,
    /// Which positional argument the path is.
    pub(super) arg_index: Option<usize>,
    pub(super) same_origin: bool,
    /// A bare word (`"events"`) passed without a method: Klaviyo's only
    /// through a Klaviyo wrapper that takes its path there.
    pub(super) weak: bool,
    /// See [`PathCall::constant`].
    pub(super) constant: Option<String>,
}

impl<'t> Engine<'_, 't> {
    /// A call whose argument is a Klaviyo path: a request, or inside a
    /// wrapper, a request to the wrapper's own parameter.
    pub(super) fn read_request(&mut self, visit: Visit<'t>, call: &Call<'t>) {
        if is_not_request(&call.name)
            || self.in_decorator(visit.node)
            || self.is_compared(visit.node)
        {
            return;
        }
        // A URL builder's value flows into the call around it.
        if self.syntax.concat(visit.node, self.src).is_some()
            || matches!(
                string_call(call, self.src),
                Some(
                    StringCall::Same
                        | StringCall::Receiver
                        | StringCall::Join
                        | StringCall::UrlWithBase
                )
            )
        {
            return;
        }
        // Routes of a web framework (`router.get('/x', handler)`) are not requests.
        if call
            .args
            .iter()
            .any(|a| self.syntax.is_function(a.value.kind()) && !is_trailing_lambda(a, call))
        {
            return;
        }
        let at = visit.at();
        let params = self.params.get(&visit.scope).cloned().unwrap_or_default();
        // Calls are read in source order, outer before inner, and a call
        // inside a claimed URL claims nothing: the last claim is the only
        // one that can hold this call.
        let inside_claimed = self.claimed.as_ref().is_some_and(|range| {
            range.start <= visit.node.start_byte() && visit.node.end_byte() <= range.end
        });
        if inside_claimed {
            return;
        }
        // A URL that is a constant of another file, if no argument is a path here.
        let mut pending: Option<Node<'t>> = None;
        for url in self.url_candidates(call) {
            self.touched.borrow_mut().clear();
            let alternatives = self.eval(url, at, 0);
            let touched = std::mem::take(&mut *self.touched.borrow_mut());
            if alternatives
                .iter()
                .any(|pieces| self.is_wrapper(visit, call, url, pieces, &params))
            {
                self.consumed.extend(touched);
                return;
            }
            let request_like = self.is_request_like(call, visit.node, url, at);
            let method_argument = self.has_method_argument(call, url, at);
            let targets: Vec<Target> = alternatives
                .iter()
                .filter_map(|pieces| match classify(pieces, false) {
                    Reading::Path(target)
                        if self.takes(call, &target, request_like, method_argument) != Take::No =>
                    {
                        Some(target)
                    }
                    _ => None,
                })
                .collect();
            if targets.is_empty() {
                if request_like && self.names_klaviyo && self.is_related(url, at) {
                    self.unresolved(
                        visit.node,
                        UnresolvedReason::RelatedLink,
                        format!(
                            "the URL `{}` is taken from a response's links (links.related / links.next), so the operation it reaches is known only at run time",
                            shorten(text(url, self.src), 60)
                        ),
                    );
                    return;
                }
                if pending.is_none()
                    && self.is_constant_from_elsewhere(url, &alternatives, request_like)
                {
                    pending = Some(url);
                }
                continue;
            }
            self.consumed.extend(touched);
            self.claimed = Some(url.byte_range());
            let (method, arg_methods) = self.method_hint(call, visit.node, url, at);
            let same_origin = self.is_same_origin(call);
            let callee = call
                .chain
                .as_ref()
                .map(|chain| callee_name(chain))
                .unwrap_or_else(|| call.name.clone());
            let shifted = call
                .chain
                .as_ref()
                .and_then(|c| c.last())
                .is_some_and(|last| last == "call");
            let arg_index = call
                .args
                .iter()
                .filter(|a| a.name.is_none())
                .position(|a| a.value.id() == url.id())
                .and_then(|i| if shifted { i.checked_sub(1) } else { Some(i) });
            let from = self.findings.path_calls.len();
            let mut seen = Vec::new();
            for target in targets {
                // Alternatives that differ only in their query or their
                // parameters' names are one call.
                let path = template_shape(&split_query(&target.pieces).0);
                if !seen.contains(&path) {
                    seen.push(path);
                    let weak =
                        self.takes(call, &target, request_like, method_argument) == Take::Weak;
                    let taken = Taken {
                        callee: Some(callee.clone()),
                        arg_methods: arg_methods.clone(),
                        arg_index,
                        same_origin,
                        weak,
                        constant: None,
                    };
                    self.path_call(visit, url, target, &method, taken, &params);
                }
            }
            if self.findings.path_calls.len() > from {
                let includes = self.includes_of(visit, call, Some(url));
                self.add_includes(from, &includes.values);
                let what = format!("`{}`", self.findings.path_calls[from].path);
                self.dynamic_includes(visit.node, &what, &includes.dynamic);
            }
            return;
        }
        if let Some(url) = pending {
            self.constant_from_elsewhere(visit, call, url);
        }
    }

    /// `request(KLAVIYO_AUTH_ENDPOINT, HTTP_POST)`: an argument that is a
    /// constant not defined in this file (and not a method constant), passed
    /// to a call that sends requests.
    fn is_constant_from_elsewhere(
        &self,
        url: Node<'t>,
        alternatives: &[super::pieces::Pieces],
        request_like: bool,
    ) -> bool {
        let Some(name) = self
            .syntax
            .chain(url, self.src)
            .and_then(|c| c.last().cloned())
        else {
            return false;
        };
        let unbound = matches!(alternatives, [pieces] if matches!(pieces.as_slice(), [Piece::Hole(hole)] if *hole == name));
        request_like
            && unbound
            && super::engine::is_constant_name(&name)
            && super::method::method_of_constant(&name).is_none()
    }

    /// Records a call whose URL is a constant of another file by the
    /// constant's name, for the project to read its value.
    fn constant_from_elsewhere(&mut self, visit: Visit<'t>, call: &Call<'t>, url: Node<'t>) {
        let Some(name) = self
            .syntax
            .chain(url, self.src)
            .and_then(|c| c.last().cloned())
        else {
            return;
        };
        let at = visit.at();
        let (method, arg_methods) = self.method_hint(call, visit.node, url, at);
        let arg_index = call
            .args
            .iter()
            .filter(|a| a.name.is_none())
            .position(|a| a.value.id() == url.id());
        let target = Target {
            pieces: Vec::new(),
            relative: false,
            on_host: false,
            after_base: false,
            rooted: true,
            base: None,
            method: None,
        };
        let taken = Taken {
            callee: Some(call.name.clone()),
            arg_methods,
            arg_index,
            same_origin: false,
            weak: false,
            constant: Some(name),
        };
        self.push_path_call(url, target, method, Some(taken));
    }

    /// A call that sends a request: it says its method, or its name (or
    /// what it is called on) is a request's.
    fn is_request_like(&self, call: &Call<'t>, node: Node<'t>, url: Node<'t>, at: At) -> bool {
        is_request_word(&call.name)
            || super::method::verb_of_name(&call.name).is_some()
            || !matches!(self.method_hint(call, node, url, at).0, MethodHint::Absent)
    }

    /// Whether the call takes this path as its URL. A relative tail needs a
    /// call that sends requests; a single segment (`'lists'`, a common word)
    /// also needs a method argument or a client (`client.get('lists')`,
    /// `Klaviyo::get`), else it is Klaviyo's only through a Klaviyo wrapper.
    fn takes(
        &self,
        call: &Call<'t>,
        target: &Target,
        request_like: bool,
        method_argument: bool,
    ) -> Take {
        if !target.relative {
            return Take::Yes;
        }
        if !request_like {
            return Take::No;
        }
        let single = !render(&target.pieces)
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .contains('/');
        if !single || target.after_base || target.rooted || method_argument {
            return Take::Yes;
        }
        let receiver = call.receiver.map(|r| text(r, self.src)).unwrap_or_default();
        let client = super::identifiers::words(receiver).iter().any(|w| {
            matches!(
                w.as_str(),
                "self"
                    | "this"
                    | "client"
                    | "api"
                    | "http"
                    | "session"
                    | "klaviyo"
                    | "rest"
                    | "conn"
                    | "connection"
                    | "service"
                    | "request"
                    | "requests"
                    | "httpx"
                    | "faraday"
                    | "guzzle"
                    | "resty"
                    | "req"
            )
        });
        if client {
            Take::Yes
        } else {
            Take::Weak
        }
    }

    /// The arguments that may be the URL: positional and named arguments,
    /// and `url`/`uri`/`path`/`endpoint` entries of option objects; the
    /// receiver when the call is made on a string (`url.GetAsync()`).
    fn url_candidates(&self, call: &Call<'t>) -> Vec<Node<'t>> {
        const URL_KEYS: &[&str] = &[
            "url",
            "uri",
            "path",
            "endpoint",
            "resource",
            "RequestUri",
            "CURLOPT_URL",
            "baseURL",
            "href",
        ];
        let mut out: Vec<Node<'t>> = Vec::new();
        for arg in &call.args {
            match &arg.name {
                Some(name) if !URL_KEYS.contains(&name.as_str()) && is_option_name(name) => {}
                _ => out.push(arg.value),
            }
            for child in named_children(arg.value) {
                if let Some((key, value)) = self.syntax.pair(child, self.src) {
                    if URL_KEYS.contains(&key.as_str()) {
                        out.push(value);
                    }
                }
            }
        }
        if let Some(receiver) = call.receiver {
            if self.syntax.string_parts(receiver, self.src).is_some()
                || self.syntax.concat(receiver, self.src).is_some()
            {
                out.push(receiver);
            }
        }
        out
    }

    /// Inside a function, a request to the function's own parameter (after
    /// a base URL): the function is a wrapper and its callers are the calls.
    fn is_wrapper(
        &mut self,
        visit: Visit<'t>,
        call: &Call<'t>,
        url: Node<'t>,
        pieces: &[Piece],
        params: &[String],
    ) -> bool {
        let Some((param, host)) = wrapper_path_param(pieces, params) else {
            return false;
        };
        let Some(path_param) = params.iter().position(|p| *p == param) else {
            return false;
        };
        let (method, _) = self.method_hint(call, visit.node, url, visit.at());
        let has_method = !matches!(method, MethodHint::Absent);
        if !has_method && !is_request_word(&call.name) {
            return false;
        }
        let (method, method_param, default_method) = match method {
            MethodHint::Known(m) => (Some(m), None, None),
            MethodHint::Dynamic {
                expression,
                default,
            } => {
                let name = crate::resolve::parameter_name(&expression);
                (None, params.iter().position(|p| *p == name), default)
            }
            MethodHint::Absent => (None, None, None),
        };
        if let Some(name) = self.function_names.get(&visit.scope).cloned() {
            let (line, _, _) = self.place(visit.node);
            self.findings.wrappers.push(Wrapper {
                file: self.path.to_owned(),
                line,
                name,
                path_param,
                method,
                method_param,
                default_method,
                klaviyo: host == BaseHost::Klaviyo
                    || (host == BaseHost::Unknown && self.names_klaviyo),
            });
        }
        true
    }

    fn path_call(
        &mut self,
        visit: Visit<'t>,
        url: Node<'t>,
        target: Target,
        method: &MethodHint,
        taken: Taken,
        params: &[String],
    ) {
        if let Some(hole) = first_dynamic(&target) {
            if params.contains(&hole) {
                return;
            }
            if target.on_host || self.names_klaviyo {
                self.unresolved(
                    visit.node,
                    UnresolvedReason::DynamicPath,
                    format!(
                        "the path `{}` is computed at run time (`{hole}`), so its operation is not known; write the resource path literally",
                        render(&target.pieces)
                    ),
                );
            }
            return;
        }
        let method = match target.method {
            Some(m) => MethodHint::Known(m),
            None => method.clone(),
        };
        let taken = Taken {
            same_origin: taken.same_origin && !target.after_base,
            ..taken
        };
        // The call's place is where its URL is written (a chained call
        // starts lines above its `->post(`).
        self.push_path_call(url, target, method, Some(taken));
    }

    /// Records a Klaviyo path; `taken` is `None` for a path no call takes.
    pub(super) fn push_path_call(
        &mut self,
        node: Node<'t>,
        target: Target,
        method: MethodHint,
        taken: Option<Taken>,
    ) {
        let standalone = taken.is_none();
        let taken = taken.unwrap_or_default();
        let (path, query) = split_query(&target.pieces);
        let mut includes = Vec::new();
        for pair in query.iter().flat_map(|q| q.split('&')) {
            let Some(values) = pair.strip_prefix("include=") else {
                continue;
            };
            if values.contains('{') || values.contains('\u{1}') {
                self.unresolved(
                    node,
                    UnresolvedReason::DynamicInclude,
                    format!("the include= value of `{path}` is computed at run time; its extra scopes are not known"),
                );
                continue;
            }
            for value in values
                .split([',', '%'])
                .filter(|v| !v.is_empty() && *v != "2C")
            {
                let value = value.trim_start_matches("2C");
                if !includes.iter().any(|known| known == value) {
                    includes.push(value.to_owned());
                }
            }
        }
        let site = self.site(node);
        self.findings.path_calls.push(PathCall {
            site,
            form: CallForm::RawHttp,
            path,
            relative: target.relative,
            on_host: target.on_host,
            tied: self.names_klaviyo,
            same_origin: taken.same_origin,
            after_base: target.after_base,
            base: target.base.clone(),
            includes,
            method,
            callee: taken.callee,
            arg_methods: taken.arg_methods,
            arg_index: taken.arg_index,
            weak: taken.weak,
            standalone,
            constant: taken.constant,
        });
    }

    /// The include values the call's other arguments give (`include=[…]`,
    /// `params: {include: …}`), added to the path calls it made.
    pub(super) fn add_includes(&mut self, from: usize, values: &[String]) {
        for call in &mut self.findings.path_calls[from..] {
            for value in values {
                if !call.includes.contains(value) {
                    call.includes.push(value.clone());
                }
            }
        }
    }

    /// A browser `fetch('/api/…')` with no host goes to the page's own server.
    fn is_same_origin(&self, call: &Call<'t>) -> bool {
        let language = self.syntax.language();
        if !matches!(
            language,
            crate::scan::Language::JavaScript | crate::scan::Language::TypeScript
        ) {
            return false;
        }
        let receiver = call.receiver.map(|r| text(r, self.src)).unwrap_or_default();
        let global = matches!(receiver, "" | "window" | "globalThis" | "self");
        (global
            && matches!(
                call.name.as_str(),
                "fetch" | "$fetch" | "ofetch" | "useFetch" | "axios" | "ky" | "got"
            ))
            || matches!(
                receiver,
                "axios" | "ky" | "got" | "$" | "jQuery" | "$http" | "window.axios"
            )
    }

    fn is_related(&self, url: Node<'t>, at: At) -> bool {
        mentions_related(text(url, self.src))
            || self.syntax.chain(url, self.src).is_some_and(|c| {
                c.last()
                    .and_then(|n| self.lookup(n, at))
                    .is_some_and(|b| b.related)
            })
    }

    /// A call in a decorator (`@app.get("/v1/x")`, `@router.post(…)`) declares a
    /// server route; it sends nothing.
    fn in_decorator(&self, node: Node<'t>) -> bool {
        let mut up = self.parent_of(node);
        for _ in 0..2 {
            match up {
                Some(parent) if parent.kind() == "decorator" => return true,
                Some(parent) => up = self.parent_of(parent),
                None => break,
            }
        }
        false
    }
}

/// `/api/lists/{list_id}` → `/api/lists/{}`: paths compared by shape.
fn template_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_hole = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_hole = true;
                out.push('{');
            }
            '}' => {
                in_hole = false;
                out.push('}');
            }
            _ if in_hole => {}
            _ => out.push(c),
        }
    }
    out
}

/// Whether a call takes a path as its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    Yes,
    /// Only if a Klaviyo wrapper takes its path there.
    Weak,
    No,
}

/// Kotlin's `client.get(url) { … }`: a request with a block, not a route
/// (a route, `get("/x") { … }`, has no receiver).
pub(super) fn is_trailing_lambda(arg: &super::Arg<'_>, call: &Call<'_>) -> bool {
    arg.name.as_deref() == Some(super::kotlin::TRAILING_LAMBDA) && call.receiver.is_some()
}

/// A keyword argument that is an option, not a URL (`json=`, `headers=`).
fn is_option_name(name: &str) -> bool {
    !matches!(
        name,
        "url" | "uri" | "path" | "endpoint" | "resource" | "href"
    )
}

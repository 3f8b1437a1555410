//! The language-independent passes over a parsed file. The first records
//! what names hold (constants, fields, URL templates and SDK clients, per
//! function scope) and what helper functions return; the second reads every
//! call: SDK methods on traced clients, then requests whose URL evaluates to
//! a Klaviyo path (or, inside a wrapper, to the wrapper's own parameter);
//! the last takes every Klaviyo path no call took, so a path that reaches
//! Klaviyo by a way the scanner cannot follow is still reported.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::bindings::{Binding, Bindings, Scopes};
use super::eval::{render, string_call, Piece, Pieces, StringCall};
use super::method::{is_not_request, is_request_word};
use super::sdk::Sdk;
use super::target::{
    classify, first_dynamic, split_query, wrapper_path_param, BaseHost, Reading, Target,
};
use super::{named_children, text, Call, Syntax};
use crate::scan::model::{
    CallForm, FoundCall, MethodHint, PathCall, Site, UnresolvedCall, UnresolvedReason, Wrapper,
};
use crate::scan::FileFindings;

/// The deepest a file's syntax tree may nest to be read: a file nested
/// deeper (generated, minified, or built to be slow) is reported unread.
const MAX_NESTING: usize = 1000;
/// Longest excerpt kept, in characters.
const EXCERPT_CHARS: usize = 120;
/// The most nodes a search around one call visits (its function, its
/// ancestors), so a huge function costs each call no more than this.
pub(super) const MAX_WALK: usize = 4096;

/// A value's alternatives and the string literals read to get them.
pub(super) type Evaluated = (Vec<Pieces>, Vec<usize>);

/// Where a name is read: its function scope and byte position.
#[derive(Debug, Clone, Copy)]
pub(super) struct At {
    pub scope: usize,
    pub pos: usize,
}

pub(crate) struct Engine<'a, 't> {
    pub(super) syntax: &'a dyn Syntax,
    pub(super) path: &'a str,
    pub(super) src: &'a str,
    pub(super) bindings: Bindings<'t>,
    /// Binding values already evaluated: (alternatives, literals read), by value node.
    pub(super) memo: RefCell<HashMap<usize, Evaluated>>,
    /// What each function of the file returns, by name: (its scope, the value).
    pub(super) returns: HashMap<String, Vec<(usize, Node<'t>)>>,
    pub(super) sdk: HashMap<String, Sdk>,
    pub(super) imports: HashSet<String>,
    /// Each node's parent, by id (tree-sitter finds a parent by walking
    /// down from the root, which costs as deep as the node is).
    parents: HashMap<usize, Node<'t>>,
    /// Each function's parameters and name, by the function node's id.
    pub(super) params: HashMap<usize, Vec<String>>,
    /// The scope each function is in, by the function node's id.
    scope_parents: HashMap<usize, usize>,
    pub(super) function_names: HashMap<usize, String>,
    pub(super) names_klaviyo: bool,
    /// The file sets curl options (`CURLOPT_…`), read once.
    pub(super) uses_curl: bool,
    /// The file imports an old, retired Klaviyo SDK, read once.
    pub(super) legacy_sdk: std::cell::OnceCell<bool>,
    /// String literals read by the evaluation under way.
    pub(super) touched: RefCell<Vec<usize>>,
    /// String literals a call took (or that were judged), by node id.
    consumed: HashSet<usize>,
    /// The byte range of the last URL argument a call took: a call inside
    /// it (`quote(path)` in `requests.get(BASE + quote(path))`) takes nothing.
    claimed: Option<std::ops::Range<usize>>,
    /// (line start, byte, characters before it on the line) of the last place asked.
    column_cache: RefCell<(usize, usize, usize)>,
    pub(super) findings: FileFindings,
}

/// What the call a path flows into says of it.
#[derive(Debug, Clone, Default)]
struct Taken {
    /// The called function's name, for wrapper look-up.
    callee: Option<String>,
    /// Each positional argument read as an HTTP method.
    arg_methods: Vec<Option<crate::catalog::Method>>,
    /// Which positional argument the path is.
    arg_index: Option<usize>,
    same_origin: bool,
    /// A bare word (`"events"`) passed without a method: Klaviyo's only
    /// through a Klaviyo wrapper that takes its path there.
    weak: bool,
}

/// A node with the function scope it is in.
#[derive(Clone, Copy)]
pub(super) struct Visit<'t> {
    pub node: Node<'t>,
    pub scope: usize,
}

impl Visit<'_> {
    pub(super) fn at(&self) -> At {
        At {
            scope: self.scope,
            pos: self.node.start_byte(),
        }
    }
}

impl<'a, 't> Engine<'a, 't> {
    pub(crate) fn new(syntax: &'a dyn Syntax, path: &'a str, src: &'a str) -> Engine<'a, 't> {
        Engine {
            syntax,
            path,
            src,
            bindings: Bindings::default(),
            memo: RefCell::new(HashMap::new()),
            returns: HashMap::new(),
            sdk: HashMap::new(),
            imports: HashSet::new(),
            params: HashMap::new(),
            parents: HashMap::new(),
            scope_parents: HashMap::new(),
            function_names: HashMap::new(),
            names_klaviyo: super::names_klaviyo(src.as_bytes()),
            uses_curl: memchr::memmem::find(src.as_bytes(), b"CURLOPT_").is_some(),
            legacy_sdk: std::cell::OnceCell::new(),
            touched: RefCell::new(Vec::new()),
            consumed: HashSet::new(),
            claimed: None,
            column_cache: RefCell::new((usize::MAX, 0, 0)),
            findings: FileFindings::default(),
        }
    }

    pub(crate) fn run(mut self, root: Node<'t>) -> FileFindings {
        let nodes = match self.visit_all(root) {
            Ok(nodes) => nodes,
            Err(depth) => {
                let mut findings = FileFindings {
                    names_klaviyo: self.names_klaviyo,
                    ..FileFindings::default()
                };
                findings.unreadable = Some(format!(
                    "its code nests more than {MAX_NESTING} levels deep (at least {depth}), so it was not read; real code nests far less, so it is likely generated or minified"
                ));
                return findings;
            }
        };
        for visit in &nodes {
            self.learn_return(*visit);
        }
        for visit in &nodes {
            self.learn_factory(*visit);
        }
        for visit in &nodes {
            self.learn(*visit);
        }
        for visit in &nodes {
            if let Some(call) = self.syntax.call(visit.node, self.src) {
                self.read_call(*visit, &call);
            } else {
                self.read_sdk_reference(*visit);
            }
        }
        for visit in &nodes {
            self.sweep(*visit);
        }
        self.learn_bases();
        self.findings.names_klaviyo = self.names_klaviyo;
        self.findings
    }

    /// Every node in source order, with its scope; records function parameters.
    /// `Err` with the depth when the file nests deeper than [`MAX_NESTING`].
    fn visit_all(&mut self, root: Node<'t>) -> Result<Vec<Visit<'t>>, usize> {
        let mut out = Vec::new();
        let mut stack = vec![(
            Visit {
                node: root,
                scope: 0,
            },
            0,
        )];
        while let Some((visit, depth)) = stack.pop() {
            if depth > MAX_NESTING {
                return Err(depth);
            }
            out.push(visit);
            let scope = if self.syntax.is_function(visit.node.kind()) {
                let id = visit.node.id();
                self.scope_parents.insert(id, visit.scope);
                self.params
                    .insert(id, parameter_names(visit.node, self.src));
                if let Some(name) = self.syntax.function_name(visit.node, self.src) {
                    self.function_names.insert(id, name);
                }
                id
            } else {
                visit.scope
            };
            let children = named_children(visit.node);
            for child in children.into_iter().rev() {
                self.parents.insert(child.id(), visit.node);
                stack.push((Visit { node: child, scope }, depth + 1));
            }
        }
        Ok(out)
    }

    /// Names bound to a Klaviyo API base (`$apiUrl = 'https://a.klaviyo.com/api'`)
    /// and functions that return one (`getApiUrl()`), for the project.
    fn learn_bases(&mut self) {
        if !self.src.contains(super::target::API_HOST) {
            return;
        }
        let mut bases = Vec::new();
        for (name, bindings) in self.bindings.iter() {
            if bindings
                .iter()
                .any(|b| text(b.value, self.src).contains(super::target::API_HOST))
            {
                bases.push(name.to_owned());
            }
        }
        for (name, returns) in &self.returns {
            let on_host = returns.iter().any(|(scope, value)| {
                let at = At {
                    scope: *scope,
                    pos: value.start_byte(),
                };
                self.eval(*value, at, 0)
                    .iter()
                    .any(|pieces| render(pieces).contains(super::target::API_HOST))
            });
            if on_host {
                bases.push(name.clone());
            }
        }
        self.findings.klaviyo_bases = bases;
    }

    /// What each function returns, for helpers that build a path.
    fn learn_return(&mut self, visit: Visit<'t>) {
        if let Some(value) = self.syntax.returned(visit.node) {
            if let Some(name) = self.function_names.get(&visit.scope) {
                let returns = self.returns.entry(name.clone()).or_default();
                if returns.len() < 4 {
                    returns.push((visit.scope, value));
                }
            }
        }
    }

    /// Pass 1: what names hold.
    fn learn(&mut self, visit: Visit<'t>) {
        let node = visit.node;
        let src = self.src;
        for name in self.syntax.sdk_imports(node, src) {
            self.imports.insert(name);
        }
        if let Some((name, type_name)) = self.syntax.typed_binding(node, src) {
            if let Some(kind) = self.sdk_of_type(&type_name) {
                self.sdk.insert(name, kind);
            }
        }
        let Some((name, value)) = self.syntax.assignment(node, src) else {
            return;
        };
        if let Some(kind) = self.sdk_of_value(value) {
            self.sdk.insert(name, kind);
            return;
        }
        let related = mentions_related(text(value, src));
        let member = node
            .child_by_field_name("left")
            .and_then(|left| self.syntax.chain(left, src))
            .is_some_and(|chain| chain.len() > 1 || chain[0].starts_with('@'));
        self.bindings.insert(
            name,
            Binding {
                scope: visit.scope,
                pos: node.start_byte(),
                value,
                related,
                member,
            },
        );
    }

    /// The value of a name visible at `at`: in its function or the
    /// functions around it, at module level, or (for a member, `self.x`) in
    /// any method. A parameter of the function hides the rest.
    pub(super) fn lookup(&self, name: &str, at: At) -> Option<&Binding<'t>> {
        self.lookup_as(name, at, false)
    }

    pub(super) fn lookup_as(&self, name: &str, at: At, member: bool) -> Option<&Binding<'t>> {
        let scopes = Scopes {
            params: &self.params,
            parents: &self.scope_parents,
        };
        self.bindings.lookup(name, at, member, &scopes)
    }

    /// Pass 2: one call.
    fn read_call(&mut self, visit: Visit<'t>, call: &Call<'t>) {
        if let Some(receiver) = call.dynamic_receiver {
            self.read_dynamic_sdk_call(visit, receiver);
            return;
        }
        if self.read_sdk_call(visit, call) {
            return;
        }
        self.read_request(visit, call);
    }

    /// A call whose argument is a Klaviyo path: a request, or inside a
    /// wrapper, a request to the wrapper's own parameter.
    fn read_request(&mut self, visit: Visit<'t>, call: &Call<'t>) {
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
        let client = super::method::words(receiver).iter().any(|w| {
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
    fn push_path_call(
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

    /// Pass 3: a string no call took that is a Klaviyo path on its own.
    fn sweep(&mut self, visit: Visit<'t>) {
        let node = visit.node;
        if self.syntax.string_parts(node, self.src).is_none() || self.consumed.contains(&node.id())
        {
            return;
        }
        let root = self.expression_root(node);
        if self.is_not_a_path_site(root) {
            return;
        }
        self.touched.borrow_mut().clear();
        let alternatives = self.eval(root, visit.at(), 0);
        let touched = std::mem::take(&mut *self.touched.borrow_mut());
        if touched.iter().any(|id| self.consumed.contains(id)) {
            return;
        }
        self.consumed.extend(touched);
        self.consumed.insert(node.id());
        let params = self.params.get(&visit.scope).cloned().unwrap_or_default();
        let mut seen = Vec::new();
        for pieces in alternatives {
            let Reading::Path(target) = classify(&pieces, true) else {
                continue;
            };
            let klaviyo_shaped = target.on_host || self.names_klaviyo;
            if !klaviyo_shaped || seen.contains(&target.pieces) {
                continue;
            }
            if let Some(hole) = first_dynamic(&target) {
                if !params.contains(&hole) && target.on_host {
                    self.unresolved(
                        root,
                        UnresolvedReason::DynamicPath,
                        format!(
                            "the path `{}` is computed at run time (`{hole}`), so its operation is not known; write the resource path literally",
                            render(&target.pieces)
                        ),
                    );
                }
                continue;
            }
            seen.push(target.pieces.clone());
            let method = target.method.map_or(MethodHint::Absent, MethodHint::Known);
            self.push_path_call(root, target, method, None);
        }
    }

    /// The whole string expression a literal is part of (`BASE + "/lists"`,
    /// `fmt.Sprintf("%s/lists", base)`).
    fn expression_root(&self, node: Node<'t>) -> Node<'t> {
        let mut root = node;
        'up: for _ in 0..6 {
            // The parent, or an argument list's call (a format call).
            let mut candidate = self.parent_of(root);
            for _ in 0..3 {
                let Some(up) = candidate else { break 'up };
                let part_of = self.syntax.concat(up, self.src).is_some()
                    || self.syntax.branches(up, self.src).is_some()
                    || self.syntax.string_parts(up, self.src).is_some();
                if part_of {
                    root = up;
                    continue 'up;
                }
                if !up.kind().contains("argument") {
                    break 'up;
                }
                candidate = self.parent_of(up);
            }
            break;
        }
        root
    }

    /// An operand of `==`, `!=`, `in` (a test's expectation, not a request).
    fn is_compared(&self, node: Node<'t>) -> bool {
        let Some(parent) = self.parent_of(node) else {
            return false;
        };
        (0..parent.child_count()).any(|i| {
            parent.child(i as u32).is_some_and(|c| {
                !c.is_named()
                    && matches!(
                        text(c, self.src),
                        "==" | "!=" | "===" | "!==" | "in" | "not in" | "=~" | "<" | ">"
                    )
            })
        })
    }

    /// A docstring, a comparison, a dictionary key, a JSON:API link, or an
    /// argument of a call that sends nothing (a log line, an assertion).
    fn is_not_a_path_site(&self, root: Node<'t>) -> bool {
        let Some(parent) = self.parent_of(root) else {
            return false;
        };
        if parent.kind() == "expression_statement" && parent.named_child_count() == 1 {
            return true;
        }
        // A key or a name (`"/api/x": {…}` in a type), not a value.
        let named_here = ["key", "name", "property"].iter().any(|field| {
            parent
                .child_by_field_name(field)
                .is_some_and(|n| n.id() == root.id())
        });
        if named_here {
            return true;
        }
        // Server routes and other declarations in annotations and decorators.
        let mut up = Some(parent);
        for _ in 0..4 {
            let Some(node) = up else { break };
            if matches!(
                node.kind(),
                "attribute" | "annotation" | "marker_annotation" | "decorator" | "attribute_list"
            ) {
                return true;
            }
            up = self.parent_of(node);
        }
        if self.is_compared(root) {
            return true;
        }
        if let Some((key, value)) = self.syntax.pair(parent, self.src) {
            if value.id() != root.id() {
                return true;
            }
            if matches!(
                key.as_str(),
                "next" | "prev" | "self" | "first" | "last" | "related"
            ) {
                return true;
            }
        }
        let mut current = parent;
        for _ in 0..3 {
            if let Some(call) = self.syntax.call(current, self.src) {
                if self.is_compared(current) {
                    return true;
                }
                let route = call.args.iter().any(|a| {
                    self.syntax.is_function(a.value.kind()) && !is_trailing_lambda(a, &call)
                });
                return route || is_not_request(&call.name);
            }
            match self.parent_of(current) {
                Some(up) => current = up,
                None => break,
            }
        }
        false
    }

    pub(super) fn found(&mut self, node: Node<'_>, form: CallForm, input: String, untraced: bool) {
        let mut call = FoundCall::at(self.site(node), form, input);
        call.traced = !untraced;
        self.findings.calls.push(call);
    }

    pub(super) fn unresolved(&mut self, node: Node<'_>, reason: UnresolvedReason, detail: String) {
        let site = self.site(node);
        self.findings
            .unresolved
            .push(UnresolvedCall::at(site, reason, detail));
    }

    pub(super) fn site(&self, node: Node<'_>) -> Site {
        let (line, column, excerpt) = self.place(node);
        Site {
            file: self.path.to_owned(),
            line,
            column,
            language: self.syntax.language(),
            excerpt,
        }
    }

    /// Line, column (from 1, in characters) and the shortened first line of a node.
    /// The work is bounded by the excerpt, not the line: a minified
    /// one-line file with many calls costs no more per call.
    fn place(&self, node: Node<'_>) -> (usize, usize, String) {
        let start = node.start_byte();
        let position = node.start_position();
        let column = self.char_column(start - position.column, start) + 1;
        let mut end = (start + 4 * EXCERPT_CHARS).min(self.src.len());
        while !self.src.is_char_boundary(end) {
            end -= 1;
        }
        let line_end = self.src[start..end].find('\n').map_or(end, |i| start + i);
        let excerpt = shorten(self.src[start..line_end].trim(), EXCERPT_CHARS);
        (
            node.start_position().row + 1,
            column,
            crate::secret::redact(&excerpt).into_owned(),
        )
    }

    /// Characters from a line's start to a byte; counted on from the last
    /// place asked on the same line, since places are asked mostly in order.
    fn char_column(&self, line_start: usize, at: usize) -> usize {
        let mut cache = self.column_cache.borrow_mut();
        let (from, chars) = match *cache {
            (line, pos, chars) if line == line_start && pos <= at => (pos, chars),
            _ => (line_start, 0),
        };
        let chars = chars + self.src[from..at].chars().count();
        *cache = (line_start, at, chars);
        chars
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

    /// A node's parent.
    pub(super) fn parent_of(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.parents.get(&node.id()).copied()
    }

    /// The function a node is in.
    pub(super) fn function_node(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut current = self.parent_of(node);
        for _ in 0..MAX_WALK {
            let candidate = current?;
            if self.syntax.is_function(candidate.kind()) {
                return Some(candidate);
            }
            current = self.parent_of(candidate);
        }
        None
    }

    /// The nodes of a function, in no order, at most [`MAX_WALK`] of them.
    pub(super) fn function_nodes(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let Some(function) = self.function_node(node) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stack = vec![function];
        while let Some(current) = stack.pop() {
            if out.len() == MAX_WALK {
                break;
            }
            out.push(current);
            stack.extend(named_children(current));
        }
        out
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

/// The name a call is made by: `apiRequest` for `apiRequest.call(this, …)`.
fn callee_name(chain: &[String]) -> String {
    let mut names: Vec<&String> = chain.iter().collect();
    while names.len() > 1
        && matches!(
            names.last().map(|s| s.as_str()),
            Some("call" | "apply" | "bind")
        )
    {
        names.pop();
    }
    names
        .last()
        .map(|s| s.trim_end_matches("()").to_owned())
        .unwrap_or_default()
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
fn is_trailing_lambda(arg: &super::Arg<'_>, call: &Call<'_>) -> bool {
    arg.name.as_deref() == Some(super::kotlin::TRAILING_LAMBDA) && call.receiver.is_some()
}

/// A keyword argument that is an option, not a URL (`json=`, `headers=`).
fn is_option_name(name: &str) -> bool {
    !matches!(
        name,
        "url" | "uri" | "path" | "endpoint" | "resource" | "href"
    )
}

pub(super) fn mentions_related(text: &str) -> bool {
    text.contains("links") && (text.contains("related") || text.contains("next"))
}

pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// The parameter names of a function node, in order.
fn parameter_names(node: Node<'_>, src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let params = ["parameters", "parameter", "parameter_list"]
        .iter()
        .find_map(|field| node.child_by_field_name(field))
        .or_else(|| {
            named_children(node).into_iter().find(|c| {
                matches!(
                    c.kind(),
                    "formal_parameters"
                        | "function_value_parameters"
                        | "parameter_list"
                        | "method_parameters"
                        | "lambda_parameters"
                        | "block_parameters"
                )
            })
        });
    let Some(params) = params else {
        return names;
    };
    for param in named_children(params) {
        if let Some(name) = parameter_name_of(param, src) {
            names.push(name);
        }
    }
    // Python's `self` and `cls` are not in the call's arguments.
    if names.first().is_some_and(|n| n == "self" || n == "cls") {
        names.remove(0);
    }
    names
}

/// The name one parameter declares (`path`, `$path`, `path: str`, `String path`, `path = "x"`).
fn parameter_name_of(param: Node<'_>, src: &str) -> Option<String> {
    if param.kind() == "comment" || param.kind().contains("receiver") {
        return None;
    }
    let named = param
        .child_by_field_name("name")
        .or_else(|| param.child_by_field_name("pattern"));
    let node = match named {
        Some(name) => name,
        None if param.named_child_count() == 0 => param,
        None => {
            let identifiers: Vec<Node<'_>> = named_children(param)
                .into_iter()
                .filter(|c| c.kind().contains("identifier") || c.kind() == "variable_name")
                .collect();
            // `String path` / `path string`: the name is the identifier that is not the type.
            match param.child_by_field_name("type") {
                Some(type_node) => identifiers.into_iter().find(|c| c.id() != type_node.id())?,
                None => *identifiers.first()?,
            }
        }
    };
    let name = text(node, src).trim_start_matches(['$', '@', '&', '*']);
    let name = name.split([':', '=', ' ']).next().unwrap_or(name).trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callee_names_drop_call_and_apply() {
        let chain = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(callee_name(&chain(&["apiRequest", "call"])), "apiRequest");
        assert_eq!(callee_name(&chain(&["this", "request"])), "request");
        assert_eq!(callee_name(&chain(&["get_client()"])), "get_client");
    }
}

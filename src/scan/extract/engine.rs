//! The language-independent half of extraction: two passes over a parsed
//! file. The first records what names hold (string constants and URL
//! templates per function scope, SDK clients by constructor or declared type,
//! names imported from the SDK); the second reads every call: SDK methods on
//! traced clients, then HTTP requests whose URL evaluates to a Klaviyo path.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{text, Arg, Call, Concat, Part, Syntax};
use crate::resolve::parameter_name;
use crate::scan::{CallForm, FileFindings, FoundCall, Language, UnresolvedCall, UnresolvedReason};

/// Longest excerpt kept, in characters.
const EXCERPT_CHARS: usize = 120;
/// How deep names are followed through other names.
const MAX_DEPTH: usize = 8;

const API_HOST: &str = "a.klaviyo.com";

/// A piece of an evaluated string expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(String),
    /// A value known only at run time, named after the expression (a path parameter).
    Hole(String),
    /// Something that cannot be read at all.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Sdk {
    /// `KlaviyoAPI(...)`: its namespaces (`.Profiles`) are API objects.
    Root,
    /// An API object of one namespace (`new ProfilesApi(...)`, `klaviyo.Profiles`).
    Api(String),
}

#[derive(Debug, Clone)]
struct Binding {
    scope: usize,
    pos: usize,
    pieces: Vec<Piece>,
    /// The value comes from a response's `links.related` / `links.next`.
    related: bool,
}

pub(crate) struct Engine<'a> {
    syntax: &'a dyn Syntax,
    path: &'a str,
    src: &'a str,
    bindings: HashMap<String, Vec<Binding>>,
    sdk: HashMap<String, Sdk>,
    imports: HashSet<String>,
    params: HashMap<usize, Vec<String>>,
    mentions_klaviyo: bool,
    findings: FileFindings,
}

/// A node with the function scope it is in.
#[derive(Clone, Copy)]
struct Visit<'t> {
    node: Node<'t>,
    scope: usize,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(syntax: &'a dyn Syntax, path: &'a str, src: &'a str) -> Engine<'a> {
        let mentions_klaviyo = src
            .as_bytes()
            .windows(7)
            .any(|w| w.eq_ignore_ascii_case(b"klaviyo"));
        Engine {
            syntax,
            path,
            src,
            bindings: HashMap::new(),
            sdk: HashMap::new(),
            imports: HashSet::new(),
            params: HashMap::new(),
            mentions_klaviyo,
            findings: FileFindings::default(),
        }
    }

    pub(crate) fn run(mut self, root: Node<'_>) -> FileFindings {
        let nodes = self.visit_all(root);
        for visit in &nodes {
            self.learn(*visit);
        }
        for visit in &nodes {
            if let Some(call) = self.syntax.call(visit.node, self.src) {
                self.read_call(*visit, &call);
            }
        }
        self.findings
    }

    /// Every node in source order, with its scope; records function parameters.
    fn visit_all<'t>(&mut self, root: Node<'t>) -> Vec<Visit<'t>> {
        let mut out = Vec::new();
        let mut stack = vec![Visit {
            node: root,
            scope: 0,
        }];
        while let Some(visit) = stack.pop() {
            out.push(visit);
            let scope = if self.syntax.is_function(visit.node.kind()) {
                let id = visit.node.id();
                let params = parameter_names(visit.node, self.src);
                self.params.insert(id, params);
                id
            } else {
                visit.scope
            };
            let mut cursor = visit.node.walk();
            let children: Vec<Node<'t>> = visit.node.named_children(&mut cursor).collect();
            for child in children.into_iter().rev() {
                stack.push(Visit { node: child, scope });
            }
        }
        out
    }

    /// Pass 1: what names hold.
    fn learn(&mut self, visit: Visit<'_>) {
        let node = visit.node;
        let src = self.src;
        if node.kind().contains("string") && !self.findings.defines_api_base {
            let literal = text(node, src);
            if literal.contains("a.klaviyo.com/api") && literal.len() < 512 {
                self.findings.defines_api_base = true;
            }
        }
        for name in self.syntax.sdk_imports(node, src) {
            self.imports.insert(name);
        }
        if let Some((name, type_name)) = self.syntax.typed_binding(node, src) {
            if let Some(kind) = sdk_of_type(&type_name) {
                self.sdk.insert(name, kind);
            }
        }
        let Some((name, value)) = self.syntax.assignment(node, src) else {
            return;
        };
        if let Some(kind) = self.sdk_of_value(value) {
            self.sdk.insert(name.clone(), kind);
            return;
        }
        let value_text = text(value, src);
        let related = mentions_related(value_text);
        let pieces = self.eval(value, visit.scope, node.start_byte(), 0);
        let readable =
            pieces.iter().any(|p| matches!(p, Piece::Lit(_))) && !pieces.contains(&Piece::Unknown);
        if readable || related {
            self.bindings.entry(name).or_default().push(Binding {
                scope: visit.scope,
                pos: node.start_byte(),
                pieces: if readable {
                    pieces
                } else {
                    vec![Piece::Unknown]
                },
                related,
            });
        }
    }

    /// `KlaviyoAPI(...)`, `new ProfilesApi(...)`, `klaviyo.Profiles`, `KlaviyoAPI::Profiles`.
    fn sdk_of_value(&self, value: Node<'_>) -> Option<Sdk> {
        if let Some(call) = self.syntax.call(value, self.src) {
            return sdk_of_type(&call.name);
        }
        let chain = self.syntax.chain(value, self.src)?;
        self.namespace_of(&chain).map(|(ns, _)| Sdk::Api(ns))
    }

    /// The SDK namespace a receiver chain is, and whether it was traced.
    fn namespace_of(&self, receiver: &[String]) -> Option<(String, bool)> {
        let last = receiver.last()?;
        let n = receiver.len();
        if n >= 2 && receiver[n - 2] == "KlaviyoAPI" && is_pascal(last) {
            return Some((last.clone(), true));
        }
        if let Some(Sdk::Api(ns)) = self.sdk.get(last) {
            return Some((ns.clone(), true));
        }
        if n >= 2 && self.sdk.get(&receiver[n - 2]) == Some(&Sdk::Root) && is_pascal(last) {
            return Some((last.clone(), true));
        }
        if n == 1 && self.imports.contains(last) && is_pascal(last) {
            return Some((last.clone(), true));
        }
        // `client.Profiles.get_profiles(...)` on a client passed in untyped:
        // the shape of the Python and PHP SDKs, checked against the catalog later.
        let two_level = matches!(self.syntax.language(), Language::Python | Language::Php);
        if two_level && n >= 2 && is_pascal(last) && self.mentions_klaviyo {
            return Some((last.clone(), false));
        }
        None
    }

    /// The latest value of a name visible at `pos` in `scope`.
    fn lookup(&self, name: &str, scope: usize, pos: usize) -> Option<&Binding> {
        let bindings = self.bindings.get(name)?;
        let before = |b: &&Binding| b.pos < pos;
        bindings
            .iter()
            .filter(|b| b.scope == scope)
            .filter(before)
            .max_by_key(|b| b.pos)
            .or_else(|| {
                bindings
                    .iter()
                    .filter(|b| b.scope == 0)
                    .max_by_key(|b| b.pos)
            })
            .or_else(|| bindings.iter().max_by_key(|b| b.pos))
    }

    /// Evaluates a string expression into literal text and holes.
    fn eval(&self, node: Node<'_>, scope: usize, pos: usize, depth: usize) -> Vec<Piece> {
        if depth > MAX_DEPTH {
            return vec![Piece::Unknown];
        }
        let syntax = self.syntax;
        let src = self.src;
        if let Some(parts) = syntax.string_parts(node, src) {
            let mut pieces = Vec::new();
            for part in parts {
                match part {
                    Part::Lit(literal) => pieces.push(Piece::Lit(literal)),
                    Part::Expr(expr) => pieces.extend(self.eval_hole(expr, scope, pos, depth + 1)),
                }
            }
            return pieces;
        }
        if let Some(concat) = syntax.concat(node, src) {
            return match concat {
                Concat::Join(left, right) => {
                    let mut pieces = self.eval(left, scope, pos, depth + 1);
                    pieces.extend(self.eval_hole(right, scope, pos, depth + 1));
                    pieces
                }
                Concat::Template(template) => self.eval(template, scope, pos, depth + 1),
            };
        }
        if let Some(chain) = syntax.chain(node, src) {
            let name = chain.last().cloned().unwrap_or_default();
            return match self.lookup(&name, scope, pos) {
                Some(binding) => binding.pieces.clone(),
                None => vec![Piece::Hole(name)],
            };
        }
        if let Some(call) = syntax.call(node, src) {
            let name = call.name.clone();
            let positional: Vec<&Arg<'_>> = call.args.iter().filter(|a| a.name.is_none()).collect();
            match (name.as_str(), positional.as_slice()) {
                ("URI" | "parse" | "urlparse" | "String" | "str", [first, ..]) => {
                    return self.eval(first.value, scope, pos, depth + 1)
                }
                ("URL", [path, base, ..]) if call.is_new => {
                    return join(
                        self.eval(base.value, scope, pos, depth + 1),
                        self.eval(path.value, scope, pos, depth + 1),
                    )
                }
                ("urljoin" | "join", [base, path]) => {
                    return join(
                        self.eval(base.value, scope, pos, depth + 1),
                        self.eval(path.value, scope, pos, depth + 1),
                    )
                }
                _ => {}
            }
        }
        vec![Piece::Unknown]
    }

    /// An interpolated or concatenated expression: its value, or a named hole.
    fn eval_hole(&self, node: Node<'_>, scope: usize, pos: usize, depth: usize) -> Vec<Piece> {
        let pieces = self.eval(node, scope, pos, depth);
        if pieces == [Piece::Unknown] {
            return vec![Piece::Hole(parameter_name(text(node, self.src)))];
        }
        pieces
    }

    /// Pass 2: one call.
    fn read_call(&mut self, visit: Visit<'_>, call: &Call<'_>) {
        let syntax = self.syntax;
        let chain = call.chain.clone();
        if let Some(receiver) = call.dynamic_receiver {
            if let Some(receiver_chain) = syntax.chain(receiver, self.src) {
                if self
                    .namespace_of(&receiver_chain)
                    .is_some_and(|(_, traced)| traced)
                {
                    self.unresolved(
                        visit.node,
                        UnresolvedReason::DynamicSdkMethod,
                        format!(
                            "the SDK method called on `{}` is chosen at run time; call it by name so its scopes can be known",
                            receiver_chain.join(".")
                        ),
                    );
                }
            }
            return;
        }
        if let Some(chain) = &chain {
            if chain.len() >= 2 && self.read_sdk_call(visit, call, chain) {
                return;
            }
        }
        self.read_http_call(visit, call, chain.as_deref().unwrap_or(&[]), &call.name);
    }

    fn read_sdk_call(&mut self, visit: Visit<'_>, call: &Call<'_>, chain: &[String]) -> bool {
        let (receiver, method) = chain.split_at(chain.len() - 1);
        let method = &method[0];
        if !is_method_name(method) {
            return false;
        }
        let Some((ns, traced)) = self.namespace_of(receiver) else {
            return false;
        };
        let mut input = self.syntax.sdk_input(&ns, method);
        let (includes, dynamic) = self.includes_in(
            call.args.iter().map(|a| (a.name.as_deref(), a.value)),
            visit,
        );
        self.dynamic_includes(visit.node, &format!("{ns}.{method}"), &dynamic);
        if !includes.is_empty() {
            input = format!("{input}?include={}", includes.join(","));
        }
        self.found(visit.node, CallForm::SdkMethod, input, !traced);
        true
    }

    fn read_http_call(&mut self, visit: Visit<'_>, call: &Call<'_>, chain: &[String], name: &str) {
        let word = name.trim_start_matches(['_', '$']).to_ascii_lowercase();
        let word = word.strip_suffix("async").unwrap_or(&word).to_owned();
        let positional: Vec<Node<'_>> = call
            .args
            .iter()
            .filter(|a| a.name.is_none())
            .map(|a| a.value)
            .collect();
        let named = |key: &str| {
            call.args
                .iter()
                .find(|a| a.name.as_deref() == Some(key))
                .map(|a| a.value)
        };
        // (method, or None when computed; the URL node)
        let (method, url): (Result<String, Node<'_>>, Option<Node<'_>>) = match word.as_str() {
            "get" | "post" | "put" | "patch" | "delete" => (
                Ok(word.to_ascii_uppercase()),
                positional.first().copied().or_else(|| named("url")),
            ),
            "new" if chain.len() >= 3 && chain[chain.len() - 3] == "HTTP" => (
                Ok(chain[chain.len() - 2].to_ascii_uppercase()),
                positional.first().copied(),
            ),
            "get_response" | "get_print" if chain.contains(&"HTTP".to_owned()) => {
                (Ok("GET".to_owned()), positional.first().copied())
            }
            "request" | "send_request" | "fetch" | "got" | "axios" | "ky" | "ofetch"
            | "urlopen" => match self.request_target(&word, call, &positional) {
                Some(target) => target,
                None => return,
            },
            _ => return,
        };
        let Some(url) = url else {
            return;
        };
        // Routes of a web framework (`router.get('/x', handler)`) are not requests.
        if call
            .args
            .iter()
            .any(|a| self.syntax.is_function(a.value.kind()))
        {
            return;
        }
        let params = self.params.get(&visit.scope).cloned().unwrap_or_default();
        let pieces = self.eval(url, visit.scope, visit.node.start_byte(), 0);
        let url_text = text(url, self.src);
        let related = mentions_related(url_text)
            || self.syntax.chain(url, self.src).is_some_and(|c| {
                c.last()
                    .and_then(|n| self.lookup(n, visit.scope, visit.node.start_byte()))
                    .is_some_and(|b| b.related)
            });
        let target = match classify(&pieces) {
            Some(target) => target,
            None => {
                if related && self.mentions_klaviyo {
                    self.unresolved(
                        visit.node,
                        UnresolvedReason::RelatedLink,
                        format!(
                            "the URL `{}` is taken from a response's links (links.related / links.next), so the operation it reaches is known only at run time",
                            shorten(url_text, 60)
                        ),
                    );
                }
                return;
            }
        };
        let (path, relative) = match target {
            Target::Absolute(path) => (path, false),
            Target::Relative(mut path) => {
                if let Some(Piece::Lit(first)) = path.first_mut() {
                    *first = first.trim_start_matches('/').to_owned();
                }
                (prefixed(&path, "/api/"), true)
            }
        };
        // Inside a wrapper (`def get(path): requests.get(BASE + path)`), the
        // callers are the calls: its own parameters make it no call of its own.
        if let Some(hole) = first_dynamic(&path) {
            if params.iter().any(|p| p == &hole) {
                return;
            }
            self.unresolved(
                visit.node,
                UnresolvedReason::DynamicPath,
                format!(
                    "the path `{}` is computed at run time (`{hole}`), so its operation is not known; write the resource path literally",
                    render(&path)
                ),
            );
            return;
        }
        let method = match method {
            Ok(method) => method,
            Err(expr) => {
                let expr_text = text(expr, self.src);
                if params.iter().any(|p| p == &parameter_name(expr_text)) {
                    return;
                }
                self.unresolved(
                    visit.node,
                    UnresolvedReason::DynamicMethod,
                    format!(
                        "the HTTP method `{}` of the request to `{}` is computed at run time",
                        shorten(expr_text, 40),
                        render(&path)
                    ),
                );
                return;
            }
        };
        let others = call
            .args
            .iter()
            .filter(|a| a.value.id() != url.id())
            .map(|a| (a.name.as_deref(), a.value));
        let (includes, dynamic) = self.includes_in(others, visit);
        let rendered = render(&path);
        let (path_part, query) = match rendered.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (rendered.clone(), None),
        };
        let mut query_parts: Vec<String> = Vec::new();
        for pair in query.iter().flat_map(|q| q.split('&')) {
            if pair.starts_with("include=") && (pair.contains('{') || pair.contains('\u{1}')) {
                self.unresolved(
                    visit.node,
                    UnresolvedReason::DynamicPath,
                    format!(
                        "the include= value of `{path_part}` is computed at run time; its extra scopes are not known"
                    ),
                );
                continue;
            }
            if pair.starts_with("include=") {
                query_parts.push(pair.to_owned());
            }
        }
        if !includes.is_empty() {
            query_parts.push(format!("include={}", includes.join(",")));
        }
        self.dynamic_includes(visit.node, &format!("`{path_part}`"), &dynamic);
        let mut input = format!("{method} {path_part}");
        if !query_parts.is_empty() {
            input = format!("{input}?{}", query_parts.join("&"));
        }
        if relative {
            let found = self.call_at(visit.node, CallForm::RawHttp, input);
            self.findings.relative.push(found);
        } else {
            self.found(visit.node, CallForm::RawHttp, input, false);
        }
    }

    /// `request('GET', url)`, `fetch(url, {method})`, `axios({url, method})`.
    #[allow(clippy::type_complexity)]
    fn request_target<'t>(
        &self,
        word: &str,
        call: &Call<'t>,
        positional: &[Node<'t>],
    ) -> Option<(Result<String, Node<'t>>, Option<Node<'t>>)> {
        let first = *positional.first()?;
        let option = |key: &str| -> Option<Node<'t>> {
            call.args
                .iter()
                .find(|a| a.name.as_deref() == Some(key))
                .map(|a| a.value)
                .or_else(|| call.args.iter().find_map(|a| self.pair_value(a.value, key)))
        };
        let method_of = |node: Option<Node<'t>>, default: &str| -> Result<String, Node<'t>> {
            match node {
                None => Ok(default.to_owned()),
                Some(node) => self
                    .literal_word(node)
                    .map(|w| w.to_ascii_uppercase())
                    .ok_or(node),
            }
        };
        if word == "request" || word == "send_request" {
            if let Some(method) = self.literal_word(first).filter(|w| is_http_method(w)) {
                return Some((Ok(method.to_ascii_uppercase()), positional.get(1).copied()));
            }
            if let Some(url) = self.pair_value(first, "url") {
                return Some((
                    method_of(self.pair_value(first, "method"), "GET"),
                    Some(url),
                ));
            }
            if positional.len() >= 2 {
                return Some((Err(first), Some(positional[1])));
            }
            // urllib's `Request(url, method="PATCH")`: like fetch below.
        }
        let url = self.pair_value(first, "url").unwrap_or(first);
        let default = if matches!(word, "urlopen" | "request") && option("data").is_some() {
            "POST"
        } else {
            "GET"
        };
        Some((method_of(option("method"), default), Some(url)))
    }

    /// The value under `key` in a dict/object/hash literal node.
    fn pair_value<'t>(&self, node: Node<'t>, key: &str) -> Option<Node<'t>> {
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        children
            .into_iter()
            .filter_map(|child| self.syntax.pair(child, self.src))
            .find(|(k, _)| k == key)
            .map(|(_, value)| value)
    }

    /// A literal word (`'PATCH'`, `:post`, `"GET"`).
    fn literal_word(&self, node: Node<'_>) -> Option<String> {
        if let Some(parts) = self.syntax.string_parts(node, self.src) {
            let mut word = String::new();
            for part in parts {
                match part {
                    Part::Lit(text) => word.push_str(&text),
                    _ => return None,
                }
            }
            return Some(word);
        }
        let raw = text(node, self.src).trim_start_matches(':');
        (node.kind().contains("symbol") && raw.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| raw.to_owned())
    }

    /// Every `include` value in the arguments: keyword `include=`, or an
    /// `include` key anywhere in a literal params/options object; and the
    /// include expressions that are computed at run time.
    fn includes_in<'t>(
        &self,
        args: impl Iterator<Item = (Option<&'t str>, Node<'t>)>,
        visit: Visit<'_>,
    ) -> (Vec<String>, Vec<String>) {
        let mut values = Vec::new();
        let mut dynamic = Vec::new();
        for (name, value) in args {
            if name == Some("include") {
                self.include_values(value, visit, &mut values, &mut dynamic);
            } else {
                self.find_include(value, visit, &mut values, &mut dynamic, 0);
            }
        }
        (values, dynamic)
    }

    fn find_include(
        &self,
        node: Node<'_>,
        visit: Visit<'_>,
        into: &mut Vec<String>,
        dynamic: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 4 {
            return;
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            match self.syntax.pair(child, self.src) {
                Some((key, value)) if key == "include" => {
                    self.include_values(value, visit, into, dynamic)
                }
                Some((_, value)) => self.find_include(value, visit, into, dynamic, depth + 1),
                None => self.find_include(child, visit, into, dynamic, depth + 1),
            }
        }
    }

    fn include_values(
        &self,
        node: Node<'_>,
        visit: Visit<'_>,
        into: &mut Vec<String>,
        dynamic: &mut Vec<String>,
    ) {
        let items = self.syntax.list_items(node).unwrap_or_else(|| vec![node]);
        for item in items {
            let pieces = self.eval(item, visit.scope, visit.node.start_byte(), 0);
            if pieces.iter().all(|p| matches!(p, Piece::Lit(_))) {
                for value in render(&pieces)
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                {
                    if !into.iter().any(|known| known == value) {
                        into.push(value.to_owned());
                    }
                }
            } else {
                dynamic.push(shorten(text(item, self.src), 40));
            }
        }
    }

    fn dynamic_includes(&mut self, node: Node<'_>, what: &str, dynamic: &[String]) {
        for expr in dynamic {
            self.unresolved(
                node,
                UnresolvedReason::DynamicPath,
                format!(
                    "the include value `{expr}` of {what} is computed at run time, so the extra scopes it needs are not known"
                ),
            );
        }
    }

    fn found(&mut self, node: Node<'_>, form: CallForm, input: String, untraced: bool) {
        let mut call = self.call_at(node, form, input);
        call.traced = !untraced;
        self.findings.calls.push(call);
    }

    fn call_at(&self, node: Node<'_>, form: CallForm, input: String) -> FoundCall {
        let (line, column, excerpt) = self.place(node);
        FoundCall {
            file: self.path.to_owned(),
            line,
            column,
            language: self.syntax.language(),
            form,
            input: crate::secret::redact(&input).into_owned(),
            excerpt,
            traced: true,
        }
    }

    fn unresolved(&mut self, node: Node<'_>, reason: UnresolvedReason, detail: String) {
        let (line, column, excerpt) = self.place(node);
        self.findings.unresolved.push(UnresolvedCall {
            file: self.path.to_owned(),
            line,
            column,
            language: self.syntax.language(),
            reason,
            detail: crate::secret::redact(&detail).into_owned(),
            excerpt,
        });
    }

    /// Line, column (from 1, in characters) and the shortened first line of a node.
    fn place(&self, node: Node<'_>) -> (usize, usize, String) {
        let start = node.start_byte();
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.src[start..]
            .find('\n')
            .map_or(self.src.len(), |i| start + i);
        let column = self.src[line_start..start].chars().count() + 1;
        let excerpt = shorten(self.src[start..line_end].trim(), EXCERPT_CHARS);
        (
            node.start_position().row + 1,
            column,
            crate::secret::redact(&excerpt).into_owned(),
        )
    }
}

enum Target {
    /// From `/api/` or `/client/` on: a Klaviyo path (with its query).
    Absolute(Vec<Piece>),
    /// A path relative to a wrapper's base URL (`profiles/{id}/`).
    Relative(Vec<Piece>),
}

/// Where the Klaviyo path starts in an evaluated URL, if it is one.
fn classify(pieces: &[Piece]) -> Option<Target> {
    let flat = render(pieces);
    if let Some(at) = flat.find(API_HOST) {
        let after = &flat[at + API_HOST.len()..];
        let offset = at + API_HOST.len();
        if !(after.starts_with("/api") || after.starts_with("/client")) {
            return None;
        }
        return Some(Target::Absolute(slice(pieces, offset)));
    }
    if flat.contains("://") {
        return None;
    }
    let first_lit = pieces.iter().position(|p| matches!(p, Piece::Lit(_)))?;
    let lead_dynamic = first_lit > 0;
    let at = flat.find("/api/").filter(|&at| {
        // `BASE + "/api/..."` or a literal `/api/...`; not `/foo/api/`.
        let before = &flat[..at];
        before.is_empty() || (lead_dynamic && !before.contains('/'))
    });
    if let Some(at) = at {
        return Some(Target::Absolute(slice(pieces, at)));
    }
    if let Some(rest) = flat.strip_prefix("api/") {
        let _ = rest;
        return Some(Target::Absolute(prefixed(pieces, "/")));
    }
    if !lead_dynamic && looks_relative(&flat) {
        return Some(Target::Relative(pieces.to_vec()));
    }
    None
}

/// `profiles/`, `lists/{id}/relationships/profiles`: a resource path with a slash.
fn looks_relative(flat: &str) -> bool {
    let path = flat.split('?').next().unwrap_or_default();
    let trimmed = path.trim_start_matches('/');
    let first = trimmed.split('/').next().unwrap_or_default();
    path.contains('/')
        && !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && path.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'{' | b'}' | b':' | b'$')
        })
}

/// The pieces from byte `offset` of their rendering on.
fn slice(pieces: &[Piece], offset: usize) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0;
    for piece in pieces {
        let len = render(std::slice::from_ref(piece)).len();
        if at + len <= offset {
            at += len;
            continue;
        }
        match piece {
            Piece::Lit(text) if at < offset => out.push(Piece::Lit(text[offset - at..].to_owned())),
            other => out.push(other.clone()),
        }
        at += len;
    }
    out
}

fn prefixed(pieces: &[Piece], prefix: &str) -> Vec<Piece> {
    let mut out = vec![Piece::Lit(prefix.to_owned())];
    out.extend(pieces.iter().cloned());
    out
}

/// The text of pieces: holes as `{name}`, unknowns as U+0001.
fn render(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Lit(text) => out.push_str(text),
            Piece::Hole(name) => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            Piece::Unknown => out.push('\u{1}'),
        }
    }
    out
}

/// The name of the first piece that makes the resource (not an ID) unknown:
/// an unknown anywhere before the query, or a hole as the first segment
/// after `/api/`.
fn first_dynamic(path: &[Piece]) -> Option<String> {
    let mut flat = String::new();
    for piece in path {
        if flat.contains('?') {
            break;
        }
        match piece {
            Piece::Lit(text) => flat.push_str(text),
            Piece::Unknown => return Some("…".to_owned()),
            Piece::Hole(name) => {
                let segments: Vec<&str> = flat.split('/').filter(|s| !s.is_empty()).collect();
                // `/api/{x}`: the resource itself; `/api/profiles/{x}`: an ID.
                if segments.len() <= 1 && !flat.ends_with(|c: char| c.is_ascii_alphanumeric()) {
                    return Some(name.clone());
                }
                flat.push_str("{x}");
            }
        }
    }
    None
}

/// Joins a base and a relative path with one `/`.
fn join(mut base: Vec<Piece>, path: Vec<Piece>) -> Vec<Piece> {
    let base_ends = matches!(base.last(), Some(Piece::Lit(t)) if t.ends_with('/'));
    let path_starts = matches!(path.first(), Some(Piece::Lit(t)) if t.starts_with('/'));
    if !base_ends && !path_starts {
        base.push(Piece::Lit("/".to_owned()));
    }
    if base_ends && path_starts {
        if let Some(Piece::Lit(t)) = base.last_mut() {
            t.pop();
        }
    }
    base.extend(path);
    base
}

fn sdk_of_type(type_name: &str) -> Option<Sdk> {
    let name = type_name
        .trim_start_matches('?')
        .rsplit(['\\', '.', ':'])
        .next()
        .unwrap_or(type_name);
    if name == "KlaviyoAPI" {
        return Some(Sdk::Root);
    }
    match name.strip_suffix("Api") {
        Some(stem) if is_pascal(stem) => Some(Sdk::Api(name.to_owned())),
        _ => None,
    }
}

fn is_pascal(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() > 1
}

fn is_method_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_http_method(word: &str) -> bool {
    ["get", "post", "put", "patch", "delete"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(word))
}

fn mentions_related(text: &str) -> bool {
    text.contains("links") && (text.contains("related") || text.contains("next"))
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

/// The parameter names of a function node.
fn parameter_names(node: Node<'_>, src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let params = node
        .child_by_field_name("parameters")
        .or_else(|| node.child_by_field_name("parameter"));
    let Some(params) = params else {
        return names;
    };
    let mut stack = vec![params];
    while let Some(current) = stack.pop() {
        if current.named_child_count() == 0 {
            let name = text(current, src).trim_start_matches(['$', '@', '&', '*']);
            if !name.is_empty() {
                names.push(name.to_owned());
            }
            continue;
        }
        let mut cursor = current.walk();
        stack.extend(current.named_children(&mut cursor));
    }
    names
}

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

use super::bindings::{Binding, Bindings, Scopes, Sdk};
use super::pieces::{render, Pieces};
use super::position::{At, Visit};
use super::{named_children, text, Call, Syntax};
use crate::excerpt::shorten;
use crate::scan::model::{CallForm, FoundCall, Site, UnresolvedCall, UnresolvedReason};
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
    pub(super) parents: HashMap<usize, Node<'t>>,
    /// Each function's parameters and name, by the function node's id.
    pub(super) params: HashMap<usize, Vec<String>>,
    /// The scope each function is in, by the function node's id.
    pub(super) scope_parents: HashMap<usize, usize>,
    pub(super) function_names: HashMap<usize, String>,
    pub(super) names_klaviyo: bool,
    /// The file sets curl options (`CURLOPT_…`), read once.
    pub(super) uses_curl: bool,
    /// The file imports an old, retired Klaviyo SDK, read once.
    pub(super) legacy_sdk: std::cell::OnceCell<bool>,
    /// String literals read by the evaluation under way.
    pub(super) touched: RefCell<Vec<usize>>,
    /// String literals a call took (or that were judged), by node id.
    pub(super) consumed: HashSet<usize>,
    /// The byte range of the last URL argument a call took: a call inside
    /// it (`quote(path)` in `requests.get(BASE + quote(path))`) takes nothing.
    pub(super) claimed: Option<std::ops::Range<usize>>,
    /// (line start, byte, characters before it on the line) of the last place asked.
    pub(super) column_cache: RefCell<(usize, usize, usize)>,
    pub(super) findings: FileFindings,
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
        if !self.src.contains(super::target::API_HOST) && !self.src.contains("/api/") {
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
        self.learn_path_constants();
    }

    /// Names whose value is a whole Klaviyo path, for other files' calls.
    fn learn_path_constants(&mut self) {
        let mut constants = Vec::new();
        for (name, bindings) in self.bindings.iter() {
            let Some(binding) = bindings.last() else {
                continue;
            };
            if !is_constant_name(name) {
                continue;
            }
            let at = At {
                scope: binding.scope,
                pos: binding.pos,
            };
            let alternatives = self.eval(binding.value, at, 0);
            let [pieces] = alternatives.as_slice() else {
                continue;
            };
            let super::target::Reading::Path(target) = super::target::classify(pieces, true) else {
                continue;
            };
            if target.relative || super::target::first_dynamic(&target).is_some() {
                continue;
            }
            let (path, query) = super::target::split_query(&target.pieces);
            let includes = query
                .iter()
                .flat_map(|q| q.split('&'))
                .filter_map(|pair| pair.strip_prefix("include="))
                .flat_map(|values| values.split(','))
                .filter(|v| !v.is_empty() && !v.contains('{'))
                .map(str::to_owned)
                .collect();
            constants.push(crate::scan::model::PathConstant {
                name: name.to_owned(),
                file: self.path.to_owned(),
                path,
                includes,
                on_host: target.on_host,
            });
        }
        self.findings.path_constants = constants;
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
    pub(super) fn place(&self, node: Node<'_>) -> (usize, usize, String) {
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

/// A constant's name: `KLAVIYO_AUTH_ENDPOINT`, `ProfilesUrl`, `BASE` (not `url`).
pub(super) fn is_constant_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

pub(super) fn mentions_related(text: &str) -> bool {
    text.contains("links") && (text.contains("related") || text.contains("next"))
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

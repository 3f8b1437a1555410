//! The HTTP method a call sends, as the code says it: a `method` option or
//! keyword, a method argument (`'POST'`, `self::HTTP_POST`,
//! `http.MethodPost`, `HttpMethod.Post`, `Method.POST`), the callee's name
//! (`post`, `patch_request`, `PostAsync`, `doGet`), a builder call in the
//! same chain (`.GET()`, `.post(body)`, `.method("PATCH", …)`), or curl
//! options set in the same function. What no code says is left to the
//! wrapper the call goes through, or to the catalog.

use tree_sitter::Node;

use super::engine::Engine;
use super::identifiers::words;
use super::pieces::Piece;
use super::position::At;
use super::{named_children, text, Call};
use crate::catalog::Method;
use crate::scan::model::MethodHint;

/// Keys whose value is the method (`{method: 'POST'}`, `method=`, `CURLOPT_CUSTOMREQUEST =>`).
const METHOD_KEYS: &[&str] = &[
    "method",
    "http_method",
    "httpMethod",
    "HttpMethod",
    "verb",
    "Method",
    "type",
    "CURLOPT_CUSTOMREQUEST",
];

/// Words of a constant's name that may stand beside the verb (`HTTP_GET`, `MethodPost`).
const METHOD_NAME_WORDS: &[&str] = &["http", "method", "methods", "verb", "request", "type"];

/// The one HTTP verb among a callee name's words (`patch_request`, `doGet`,
/// `GetFromJsonAsync`), if exactly one.
pub(super) fn verb_of_name(name: &str) -> Option<Method> {
    let verbs: Vec<Method> = words(name)
        .iter()
        .filter_map(|w| Method::parse(w))
        .collect();
    match verbs.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// A constant's name that is a method: `HTTP_POST`, `MethodPost`, `POST`, `Patch`.
pub(super) fn method_of_constant(name: &str) -> Option<Method> {
    let words = words(name);
    let verbs: Vec<Method> = words.iter().filter_map(|w| Method::parse(w)).collect();
    let others_fit = words
        .iter()
        .all(|w| Method::parse(w).is_some() || METHOD_NAME_WORDS.contains(&w.as_str()));
    match verbs.as_slice() {
        [one] if others_fit => Some(*one),
        _ => None,
    }
}

/// A callee that never sends a request: logging, assertions, regular
/// expressions, string tests, server routes and translations.
pub(super) fn is_not_request(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "print",
        "println",
        "printf",
        "Printf",
        "Println",
        "Print",
        "Sprint",
        "puts",
        "p",
        "echo",
        "log",
        "debug",
        "info",
        "warn",
        "warning",
        "error",
        "trace",
        "fatal",
        "exception",
        "critical",
        "Log",
        "LogInformation",
        "LogDebug",
        "LogWarning",
        "LogError",
        "WriteLine",
        "Write",
        "dump",
        "var_dump",
        "dd",
        "expect",
        "toBe",
        "toEqual",
        "toContain",
        "toMatch",
        "toHaveBeenCalledWith",
        "toHaveBeenCalled",
        "assertThat",
        "should",
        "eq",
        "equal",
        "Equal",
        "Equals",
        "equals",
        "Contains",
        "contains",
        "StartsWith",
        "startswith",
        "startsWith",
        "start_with?",
        "endswith",
        "endsWith",
        "EndsWith",
        "includes",
        "include?",
        "match",
        "matches",
        "test",
        "search",
        "compile",
        "MustCompile",
        "Compile",
        "Regex",
        "RegExp",
        "preg_match",
        "preg_replace",
        "replace",
        "Replace",
        "replaceAll",
        "split",
        "Split",
        "sub",
        "gsub",
        "IndexOf",
        "indexOf",
        "find",
        "index",
        "route",
        "Route",
        "HandleFunc",
        "Handle",
        "add_url_rule",
        "mount",
        "redirect",
        "Redirect",
        "url_for",
        "reverse",
        "__",
        "_e",
        "_",
        "t",
        "gettext",
        "translate",
        "Path",
        "Produces",
        "Consumes",
        "MapGet",
        "MapPost",
        "MapPut",
        "MapPatch",
        "MapDelete",
        "describe",
        "context",
        "it",
    ];
    NAMES.contains(&name)
        || name.starts_with("assert")
        || name.starts_with("Assert")
        || name.ends_with("Mapping")
}

/// A callee that sends a request though its name has no verb.
pub(super) fn is_request_word(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "request", "fetch", "send", "call", "execute", "invoke", "perform", "http", "api", "curl",
        "urlopen", "req", "exchange", "retrieve", "query", "ajax", "do", "got", "ky", "axios",
        "client",
    ];
    words(name).iter().any(|w| WORDS.contains(&w.as_str()))
}

impl<'t> Engine<'_, 't> {
    /// The method a request call sends, and each positional argument read
    /// as a method (for a wrapper that takes it as an argument).
    pub(super) fn method_hint(
        &self,
        call: &Call<'t>,
        node: Node<'t>,
        url: Node<'t>,
        at: At,
    ) -> (MethodHint, Vec<Option<Method>>) {
        let positional: Vec<Node<'t>> = call
            .args
            .iter()
            .filter(|a| a.name.is_none())
            .map(|a| a.value)
            .collect();
        let arg_methods: Vec<Option<Method>> = positional
            .iter()
            .map(|arg| match self.method_value(*arg, at) {
                Some(MethodHint::Known(method)) => Some(method),
                _ => None,
            })
            .collect();
        let hint = self
            .option_method(call, at)
            .or_else(|| {
                positional
                    .iter()
                    .filter(|arg| arg.id() != url.id())
                    .find_map(|arg| match self.method_value(*arg, at) {
                        Some(MethodHint::Known(m)) => Some(MethodHint::Known(m)),
                        Some(dynamic @ MethodHint::Dynamic { .. })
                            if is_method_name(text(*arg, self.src)) =>
                        {
                            Some(dynamic)
                        }
                        _ => None,
                    })
            })
            .or_else(|| verb_of_name(&call.name).map(MethodHint::Known))
            .or_else(|| self.class_method(call))
            .or_else(|| self.chain_method(call, node, at))
            .or_else(|| self.curl_method(node, at))
            .or_else(|| sends_get_by_default(call).then_some(MethodHint::Known(Method::Get)))
            .unwrap_or(MethodHint::Absent);
        (hint, arg_methods)
    }

    /// The call is given its method as an argument or option (`'POST'`,
    /// `http.MethodGet`, `{method: 'PATCH'}`), not only by its name.
    pub(super) fn has_method_argument(&self, call: &Call<'t>, url: Node<'t>, at: At) -> bool {
        self.option_method(call, at).is_some()
            || call
                .args
                .iter()
                .filter(|a| a.name.is_none() && a.value.id() != url.id())
                .any(|a| matches!(self.method_value(a.value, at), Some(MethodHint::Known(_))))
    }

    /// A value that is a method: a literal word, a constant named as one,
    /// or a name bound to one; `Dynamic` for a name that looks like the method.
    pub(super) fn method_value(&self, node: Node<'t>, at: At) -> Option<MethodHint> {
        let src = self.src;
        if let Some(parts) = self.syntax.string_parts(node, src) {
            let mut word = String::new();
            for part in parts {
                match part {
                    super::Part::Lit(text) => word.push_str(&text),
                    _ => return None,
                }
            }
            return Method::parse(word.trim()).map(MethodHint::Known);
        }
        if self.syntax.branches(node, src).is_some() {
            return self.branch_method(node, at);
        }
        let raw = text(node, src);
        if node.kind().contains("symbol") {
            return Method::parse(raw.trim_start_matches(':')).map(MethodHint::Known);
        }
        if matches!(
            raw,
            "true" | "True" | "false" | "False" | "null" | "nil" | "None"
        ) {
            return None;
        }
        let chain = self.syntax.chain(node, src)?;
        // `RequestMethod.PATCH.name()`, `HttpMethod.Post.ToString()`, `Method.POST.value`.
        let meaningful: Vec<&String> = chain
            .iter()
            .filter(|part| {
                !matches!(
                    part.trim_end_matches("()"),
                    "name"
                        | "toString"
                        | "ToString"
                        | "value"
                        | "to_s"
                        | "upper"
                        | "lower"
                        | "Method"
                ) || chain.len() == 1
            })
            .collect();
        let last = meaningful.last()?.trim_end_matches("()");
        if let Some(method) = method_of_constant(last) {
            return Some(MethodHint::Known(method));
        }
        if let Some(binding) = self.lookup(last, at) {
            let bound = At {
                scope: binding.scope,
                pos: binding.pos,
            };
            let value = self.eval(binding.value, bound, 1);
            if let [pieces] = value.as_slice() {
                if let [Piece::Lit(word)] = pieces.as_slice() {
                    return Method::parse(word.trim()).map(MethodHint::Known);
                }
            }
        }
        Some(MethodHint::Dynamic {
            expression: raw.chars().take(40).collect(),
            default: None,
        })
    }

    /// `method ?? 'GET'`, `verb || :get`: computed, with a literal fallback.
    fn branch_method(&self, node: Node<'t>, at: At) -> Option<MethodHint> {
        let branches = self.syntax.branches(node, self.src)?;
        let hints: Vec<MethodHint> = branches
            .into_iter()
            .filter_map(|branch| self.method_value(branch, at))
            .collect();
        let known: Vec<Method> = hints
            .iter()
            .filter_map(|h| match h {
                MethodHint::Known(m) => Some(*m),
                _ => None,
            })
            .collect();
        if !known.is_empty() && known.len() == hints.len() && known.iter().all(|m| *m == known[0]) {
            return Some(MethodHint::Known(known[0]));
        }
        Some(MethodHint::Dynamic {
            expression: text(node, self.src).chars().take(40).collect(),
            default: known.first().copied(),
        })
    }

    /// A `method` keyword, option or initializer anywhere in the arguments.
    fn option_method(&self, call: &Call<'t>, at: At) -> Option<MethodHint> {
        for arg in &call.args {
            if let Some(name) = &arg.name {
                if METHOD_KEYS.contains(&name.as_str()) {
                    return self.method_value(arg.value, at);
                }
            }
        }
        call.args.iter().find_map(|arg| {
            self.method_in_options(arg.value, at, 0).or_else(|| {
                // `fetch(url, options)` with `const options = {method: 'POST', …}`.
                let chain = self.syntax.chain(arg.value, self.src)?;
                let binding = self.lookup(chain.last()?, at)?;
                self.method_in_options(binding.value, at, 0)
            })
        })
    }

    fn method_in_options(&self, node: Node<'t>, at: At, depth: usize) -> Option<MethodHint> {
        if depth > 3 {
            return None;
        }
        for child in named_children(node) {
            match self.syntax.pair(child, self.src) {
                Some((key, value)) if METHOD_KEYS.contains(&key.as_str()) => {
                    if let Some(hint) = self.method_value(value, at) {
                        if key != "type" || matches!(hint, MethodHint::Known(_)) {
                            return Some(hint);
                        }
                    }
                }
                Some((key, value)) if key == "CURLOPT_POST" && text(value, self.src) != "false" => {
                    return Some(MethodHint::Known(Method::Post));
                }
                Some(_) => {}
                None => {
                    if let Some(hint) = self.method_in_options(child, at, depth + 1) {
                        return Some(hint);
                    }
                }
            }
        }
        None
    }

    /// `Net::HTTP::Post.new(uri)`: the class made names the method.
    fn class_method(&self, call: &Call<'t>) -> Option<MethodHint> {
        if call.name != "new" {
            return None;
        }
        let chain = self.syntax.chain(call.receiver?, self.src)?;
        method_of_constant(chain.last()?).map(MethodHint::Known)
    }

    /// A verb in the calls chained with this one: `webClient.post().uri(…)`,
    /// `HttpRequest.newBuilder(uri).GET()`, `.method("PATCH", body)`; and in
    /// the chain of the call this one's value is passed to
    /// (`.uri(buildURI(path)).method(…)`, `.uri(b -> b.path("/lists"))`).
    fn chain_method(&self, call: &Call<'t>, node: Node<'t>, at: At) -> Option<MethodHint> {
        self.chain_method_at(call, node, at, 0)
    }

    fn chain_method_at(
        &self,
        call: &Call<'t>,
        node: Node<'t>,
        at: At,
        depth: usize,
    ) -> Option<MethodHint> {
        let mut hints = Vec::new();
        // Calls this one is made on.
        let mut receiver = call.receiver;
        let mut steps = 0;
        while let (Some(inner), true) = (receiver, steps < 8) {
            steps += 1;
            match self.syntax.call(inner, self.src) {
                Some(inner_call) => {
                    hints.push(self.builder_verb(&inner_call, at));
                    receiver = inner_call.receiver;
                }
                None => break,
            }
        }
        // Calls made on this one's result.
        let mut current = node;
        for _ in 0..8 {
            let Some(parent) = self.parent_of(current) else {
                break;
            };
            match self.syntax.call(parent, self.src) {
                Some(outer) if outer.receiver.is_some_and(|r| contains(r, node)) => {
                    hints.push(self.builder_verb(&outer, at));
                }
                Some(_) => break,
                None if is_chain_link(parent.kind()) => {}
                None => break,
            }
            current = parent;
        }
        if let Some(found) = hints.into_iter().flatten().next() {
            return Some(found);
        }
        // The call this chain's value is an argument of (through a lambda).
        if depth > 0 {
            return None;
        }
        let mut up = self.parent_of(current);
        for _ in 0..5 {
            let node_up = up?;
            if let Some(outer) = self.syntax.call(node_up, self.src) {
                let is_argument = outer.args.iter().any(|a| contains(a.value, current));
                if !is_argument {
                    return None;
                }
                if let Some(hint) = self.option_method(&outer, at) {
                    return Some(hint);
                }
                return self.chain_method_at(&outer, node_up, at, depth + 1);
            }
            up = self.parent_of(node_up);
        }
        None
    }

    /// `.GET()`, `.post(body)`, `.Delete()`, `.method(X, …)`.
    fn builder_verb(&self, call: &Call<'t>, at: At) -> Option<MethodHint> {
        if call.name == "method" || call.name == "Method" {
            let first = call.args.first()?;
            return self.method_value(first.value, at);
        }
        Method::parse(&call.name).map(MethodHint::Known)
    }

    /// `curl_setopt($ch, CURLOPT_CUSTOMREQUEST, 'PATCH')` or `CURLOPT_POST`
    /// elsewhere in the same function.
    fn curl_method(&self, node: Node<'t>, at: At) -> Option<MethodHint> {
        if !self.uses_curl {
            return None;
        }
        for current in self.function_nodes(node) {
            if let Some(call) = self.syntax.call(current, self.src) {
                if call.name == "curl_setopt" && call.args.len() >= 3 {
                    let option = text(call.args[1].value, self.src);
                    if option.ends_with("CURLOPT_CUSTOMREQUEST") {
                        return self.method_value(call.args[2].value, at);
                    }
                    if option.ends_with("CURLOPT_POST") {
                        return Some(MethodHint::Known(Method::Post));
                    }
                }
            }
        }
        None
    }
}

/// Fetchers that send GET unless told otherwise: `fetch(url)`, `got(url)`,
/// `urlopen(url)` (POST with `data`), `file_get_contents($url)`, `curl_init($url)`.
fn sends_get_by_default(call: &Call<'_>) -> bool {
    let data = call.args.iter().any(|a| a.name.as_deref() == Some("data"))
        || (call.name == "urlopen" && call.args.len() > 1);
    !data
        && matches!(
            call.name.as_str(),
            "fetch"
                | "$fetch"
                | "ofetch"
                | "useFetch"
                | "ky"
                | "got"
                | "axios"
                | "urlopen"
                | "file_get_contents"
                | "curl_init"
                | "DownloadString"
                | "DownloadStringTaskAsync"
                | "openConnection"
        )
}

/// Whether `outer` spans `inner`.
fn contains(outer: Node<'_>, inner: Node<'_>) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// Nodes between a call and the call made on its result (`a.b` in `a.b()`, `await`).
fn is_chain_link(kind: &str) -> bool {
    kind.contains("member")
        || kind.contains("navigation")
        || kind.contains("selector")
        || kind.contains("field_access")
        || kind.contains("await")
        || kind.contains("parenthesized")
        || kind == "attribute"
}

/// A name that says it holds the method (`method`, `$verb`, `httpMethod`).
fn is_method_name(name: &str) -> bool {
    let words = words(name);
    words.last().is_some_and(|w| w == "method" || w == "verb")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_in_callee_names_and_constants() {
        for (name, method) in [
            ("post", Some(Method::Post)),
            ("patch_request", Some(Method::Patch)),
            ("GetFromJsonAsync", Some(Method::Get)),
            ("doGet", Some(Method::Get)),
            ("get_paginated", Some(Method::Get)),
            ("buildPostRequest", Some(Method::Post)),
            ("request", None),
            ("getOrPost", None),
            ("target", None),
        ] {
            assert_eq!(verb_of_name(name), method, "{name}");
        }
        for (name, method) in [
            ("HTTP_POST", Some(Method::Post)),
            ("MethodPost", Some(Method::Post)),
            ("METHOD_PATCH", Some(Method::Patch)),
            ("Post", Some(Method::Post)),
            ("DELETE", Some(Method::Delete)),
            ("getProfiles", None),
            ("POST_BODY", None),
        ] {
            assert_eq!(method_of_constant(name), method, "{name}");
        }
    }

    #[test]
    fn callees_that_send_nothing() {
        for name in ["print", "assertEqual", "GetMapping", "MustCompile", "log"] {
            assert!(is_not_request(name), "{name}");
        }
        for name in [
            "get", "post", "request", "GetAsync", "HttpPost", "fetch", "callApi",
        ] {
            assert!(!is_not_request(name), "{name}");
        }
    }
}

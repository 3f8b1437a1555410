//! Finds Klaviyo API calls in one file. Each language is parsed with its
//! tree-sitter grammar, so comments, docstrings and strings that are not a
//! URL never count. One [`Syntax`] per language tells the shared [`engine`]
//! how that language writes calls, strings, assignments and typed bindings;
//! the engine evaluates string expressions ([`eval`]), finds the Klaviyo
//! paths among them ([`target`]), the method each call sends ([`method`])
//! and the SDK clients it calls ([`sdk`]). Manifests have their own reader.

mod bindings;
mod csharp;
mod engine;
mod eval;
mod go;
mod identifiers;
mod includes;
mod java;
mod javascript;
mod kotlin;
mod manifest;
mod method;
mod php;
mod pieces;
mod position;
mod python;
mod request;
mod ruby;
mod sdk;
mod sweep;
mod target;

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

use super::language::Language;
use super::model::{Site, UnresolvedCall, UnresolvedReason};
use super::FileFindings;

/// How one language writes the things the engine looks for.
pub(crate) trait Syntax: Sync {
    fn language(&self) -> Language;
    fn grammar(&self) -> tree_sitter::Language;
    /// The call nodes: the callee, its arguments, and whether it is `new X(...)`.
    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>>;
    /// `a.b.c` as names (`self`, `$this`, `@x` included; a call without
    /// arguments' effect on the chain as `name()`), or `None` if any part is
    /// not a plain name (a subscript, an expression).
    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>>;
    /// A string literal, as literal text and interpolated expressions.
    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>>;
    /// `a + b`, `a . b`, format calls and pass-through wrappers.
    fn concat<'t>(&self, node: Node<'t>, src: &str) -> Option<Concat<'t>>;
    /// The branches of `c ? a : b`, `a if c else b`, `a || b`, `a ?? b`, `a or b`.
    fn branches<'t>(&self, _node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        None
    }
    /// `name = value` (also class fields and constants): the name's last part and the value.
    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)>;
    /// A name declared with a type (`client: KlaviyoAPI`, `ProfilesApi $api`).
    fn typed_binding(&self, node: Node<'_>, src: &str) -> Option<(String, String)>;
    /// A key and value of a dict, object, hash, array element, keyword
    /// argument or object initializer.
    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)>;
    /// The elements of a list/array literal.
    fn list_items<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>>;
    /// Functions, methods and lambdas (their parameters make a wrapper).
    fn is_function(&self, kind: &str) -> bool;
    /// A function's name, for its call sites.
    fn function_name(&self, node: Node<'_>, src: &str) -> Option<String> {
        node.child_by_field_name("name")
            .map(|name| text(name, src).trim_start_matches(['$', '&']).to_owned())
    }
    /// A function's declared return type.
    fn return_type(&self, node: Node<'_>, src: &str) -> Option<String> {
        ["return_type", "result", "returns", "type"]
            .iter()
            .find_map(|field| node.child_by_field_name(field))
            .map(|t| text(t, src).trim_start_matches([':', '?', ' ']).to_owned())
    }
    /// The value a `return` statement gives.
    fn returned<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        (node.kind() == "return_statement")
            .then(|| node.named_child(0))
            .flatten()
    }
    /// Names imported from the Klaviyo SDK package (`import { ProfilesApi } from 'klaviyo-api'`).
    fn sdk_imports(&self, _node: Node<'_>, _src: &str) -> Vec<String> {
        Vec::new()
    }
    /// The SDK call text the resolver reads for namespace `ns` and `method`.
    /// `None` for a language with no official Klaviyo SDK.
    fn sdk_input(&self, ns: &str, method: &str) -> Option<String>;
}

/// A call expression, taken apart.
pub(crate) struct Call<'t> {
    /// The callee as names (`["self", "klaviyo", "Profiles", "get_profiles"]`),
    /// or `None` when part of it is not a name (a subscript, an expression).
    pub chain: Option<Vec<String>>,
    /// The called function or method's own name.
    pub name: String,
    pub args: Vec<Arg<'t>>,
    pub is_new: bool,
    /// What the method is called on (`a.b` of `a.b.c()`), if anything.
    pub receiver: Option<Node<'t>>,
    /// The method is named by an expression (`api[name]()`, `$api->$name()`,
    /// `getattr(api, name)()`): the object it is called on.
    pub dynamic_receiver: Option<Node<'t>>,
}

/// One argument; `name` for keyword or named arguments.
pub(crate) struct Arg<'t> {
    pub name: Option<String>,
    pub value: Node<'t>,
}

pub(crate) enum Part<'t> {
    Lit(String),
    Expr(Node<'t>),
    /// An interpolated plain name with no node of its own (Kotlin `"$base"`).
    Name(String),
}

pub(crate) enum Concat<'t> {
    Join(Node<'t>, Node<'t>),
    /// A format string and its arguments: `"..." % x`, `"...".format(a, b)`,
    /// `sprintf`, `fmt.Sprintf`, `String.format`, `string.Format`.
    Format(Node<'t>, Vec<Node<'t>>),
    /// The value unchanged: parentheses, casts, `.freeze`.
    Same(Node<'t>),
}

/// What reading one file gave.
#[cfg(test)]
pub(crate) fn extract(language: Language, path: &str, text: &str) -> FileFindings {
    if !worth_parsing(text) {
        return FileFindings::default();
    }
    extract_parsed(language, path, text)
}

/// Reads a file even if it names neither Klaviyo nor an `api/` path: it
/// calls a wrapper defined elsewhere.
pub(crate) fn extract_parsed(language: Language, path: &str, text: &str) -> FileFindings {
    let syntax: &dyn Syntax = match language {
        Language::Python => &python::Python,
        Language::JavaScript => &javascript::JAVASCRIPT,
        Language::TypeScript if path.to_ascii_lowercase().ends_with(".tsx") => &javascript::TSX,
        Language::TypeScript => &javascript::TYPESCRIPT,
        Language::Php => &php::Php,
        Language::Ruby => &ruby::Ruby,
        Language::Go => &go::Go,
        Language::Java => &java::Java,
        Language::Kotlin => &kotlin::Kotlin,
        Language::CSharp => &csharp::CSharp,
        Language::Manifest => return manifest::extract(path, text),
    };
    parse_with(syntax, path, text)
}

/// A file is parsed when it names Klaviyo, or holds an `api/` path or the
/// shape of a retired one (`/v2/list/…`, `/track`) that a configured base
/// may put on Klaviyo's host.
pub(crate) fn worth_parsing(text: &str) -> bool {
    static FINDER: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(["klaviyo", "api/", "/v1/", "/v2/", "/track", "/identify"])
                .expect("literal patterns")
        });
    FINDER.is_match(text.as_bytes())
}

/// The text names Klaviyo (any letter case).
pub(crate) fn names_klaviyo(bytes: &[u8]) -> bool {
    static FINDER: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(["klaviyo"])
                .expect("one literal pattern")
        });
    FINDER.is_match(bytes)
}

thread_local! {
    /// One parser per worker thread, its language set per file.
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
    /// How deep the recursive readers (`Syntax::chain`) are now.
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The deepest a recursive reader goes: `a.b.c…` nested deeper reads as not a name.
const MAX_DEPTH: usize = 64;

/// A step down for a recursive reader, or `None` past [`MAX_DEPTH`], so
/// no file (a thousand `.`s deep) can exhaust the stack.
pub(crate) fn deeper() -> Option<Deeper> {
    DEPTH.with(|depth| {
        if depth.get() >= MAX_DEPTH {
            return None;
        }
        depth.set(depth.get() + 1);
        Some(Deeper)
    })
}

/// Held while a recursive reader is one step down.
pub(crate) struct Deeper;

impl Drop for Deeper {
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get() - 1));
    }
}

fn parse_with(syntax: &dyn Syntax, path: &str, text: &str) -> FileFindings {
    let tree = PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        parser.set_language(&syntax.grammar()).ok()?;
        parser.parse(text, None)
    });
    match tree {
        Some(tree) => engine::Engine::new(syntax, path, text).run(tree.root_node()),
        None => {
            let mut findings = FileFindings::default();
            let site = Site {
                file: path.to_owned(),
                line: 1,
                column: 1,
                language: syntax.language(),
                excerpt: String::new(),
            };
            findings.unresolved.push(UnresolvedCall::at(
                site,
                UnresolvedReason::DynamicPath,
                "the file could not be parsed, so its calls are not known".to_owned(),
            ));
            findings
        }
    }
}

/// The source text of a node.
pub(crate) fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    &src[node.byte_range()]
}

/// Text with its quotes (and Python/Ruby/PHP/C# string prefixes) removed.
pub(crate) fn unquote(text: &str) -> &str {
    let prefix = text
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || matches!(b, b'@' | b'$'))
        .count();
    let text = match text.as_bytes().get(prefix) {
        Some(b'"' | b'\'' | b'`') if prefix <= 2 => &text[prefix..],
        _ => text,
    };
    let quotes = ['"', '\'', '`'];
    let start = text.chars().take_while(|c| quotes.contains(c)).count();
    let end = text
        .chars()
        .rev()
        .take_while(|c| quotes.contains(c))
        .count();
    if start + end >= text.len() {
        // Empty (`""`): a slice of the text all the same, so callers may
        // measure where the body starts from it.
        let at = start.min(text.len());
        return &text[at..at];
    }
    &text[start..text.len() - end]
}

/// The literal parts of a string node: everything between its quotes except
/// the children of the given interpolation kinds, which become expressions.
pub(crate) fn split_string<'t>(
    node: Node<'t>,
    src: &str,
    interpolation: &[&str],
    inner: impl Fn(Node<'t>) -> Node<'t>,
) -> Vec<Part<'t>> {
    let whole = text(node, src);
    let body = unquote(whole);
    let body_start = node.start_byte() + (body.as_ptr() as usize - whole.as_ptr() as usize);
    let body_end = body_start + body.len();
    let mut parts = Vec::new();
    let mut at = body_start;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if !interpolation.contains(&child.kind()) {
            continue;
        }
        let (from, to) = (
            child.start_byte().max(body_start),
            child.end_byte().min(body_end),
        );
        if from > at {
            parts.push(Part::Lit(src[at..from].to_owned()));
        }
        parts.push(Part::Expr(inner(child)));
        at = to.max(at);
    }
    if body_end > at {
        parts.push(Part::Lit(src[at..body_end].to_owned()));
    }
    parts
}

/// Named children of a node, collected (tree-sitter's cursor borrows).
pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The first named child of one of these kinds.
pub(crate) fn child_of_kind<'t>(node: Node<'t>, kinds: &[&str]) -> Option<Node<'t>> {
    named_children(node)
        .into_iter()
        .find(|c| kinds.contains(&c.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_chosen_at_run_time_on_a_traced_client_is_unresolved() {
        let code = "from klaviyo_api import KlaviyoAPI\ndef call_by_name(client: KlaviyoAPI, name):\n    return getattr(client.Events, name)()\n";
        let found = extract(Language::Python, "a.py", code);
        assert_eq!(found.unresolved.len(), 1, "{:?}", found.unresolved);
        assert_eq!(
            found.unresolved[0].reason,
            UnresolvedReason::DynamicSdkMethod
        );
        assert_eq!(found.unresolved[0].line, 3);
    }

    #[test]
    fn quotes_and_prefixes_come_off() {
        assert_eq!(unquote("'a'"), "a");
        assert_eq!(unquote("f\"{x}/a\""), "{x}/a");
        assert_eq!(unquote("@\"a\""), "a");
        assert_eq!(unquote("$\"a{b}\""), "a{b}");
        assert_eq!(unquote("`x`"), "x");
        assert_eq!(unquote("\"\""), "");
    }
}

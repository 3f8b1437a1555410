//! Finds Klaviyo API calls in one file. Each language is parsed with its
//! tree-sitter grammar, so comments, docstrings and strings that are not the
//! URL of a call never count as calls. One [`Syntax`] per language tells the
//! shared [`engine`] how that language writes calls, strings, assignments and
//! typed bindings; the engine traces SDK clients to their constructors,
//! evaluates URL expressions (constants, concatenation, interpolation) and
//! decides the method. Manifests (YAML/JSON) have their own reader.

mod engine;
mod javascript;
mod manifest;
mod php;
mod python;
mod ruby;

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

use super::{FileFindings, Language, UnresolvedCall, UnresolvedReason};

/// How one language writes the things the engine looks for.
pub(crate) trait Syntax: Sync {
    fn language(&self) -> Language;
    fn grammar(&self) -> tree_sitter::Language;
    /// The call nodes: the callee, its arguments, and whether it is `new X(...)`.
    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>>;
    /// `a.b.c` as names (`self`, `$this`, `@x` included), or `None` if any
    /// part is not a plain name (a call, a subscript).
    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>>;
    /// A string literal, as literal text and interpolated expressions.
    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>>;
    /// `a + b` (or PHP `a . b`), and Python's `"..." % x` (only the left side counts).
    fn concat<'t>(&self, node: Node<'t>, src: &str) -> Option<Concat<'t>>;
    /// `name = value` (also class fields and constants): the name's last part and the value.
    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)>;
    /// A name declared with a type (`client: KlaviyoAPI`, `ProfilesApi $api`).
    fn typed_binding(&self, node: Node<'_>, src: &str) -> Option<(String, String)>;
    /// A key and value of a dict, object, hash, array element or keyword argument.
    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)>;
    /// The elements of a list/array literal.
    fn list_items<'t>(&self, node: Node<'t>) -> Option<Vec<Node<'t>>>;
    /// Functions, methods and lambdas (their parameters make a wrapper).
    fn is_function(&self, kind: &str) -> bool;
    /// Names imported from the Klaviyo SDK package (`import { ProfilesApi } from 'klaviyo-api'`).
    fn sdk_imports(&self, _node: Node<'_>, _src: &str) -> Vec<String> {
        Vec::new()
    }
    /// The SDK call text the resolver reads for namespace `ns` and `method`.
    fn sdk_input(&self, ns: &str, method: &str) -> String;
}

/// A call expression, taken apart.
pub(crate) struct Call<'t> {
    /// The callee as names (`["self", "klaviyo", "Profiles", "get_profiles"]`),
    /// or `None` when part of it is not a name (a call, a subscript).
    pub chain: Option<Vec<String>>,
    /// The called function or method's own name.
    pub name: String,
    pub args: Vec<Arg<'t>>,
    pub is_new: bool,
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
}

pub(crate) enum Concat<'t> {
    Join(Node<'t>, Node<'t>),
    /// `"..." % x` or `"...".format(x)`: the template alone.
    Template(Node<'t>),
}

/// Reads one file in its language. Files that mention neither Klaviyo nor an
/// `api/` path are not parsed: they cannot hold a call the engine would report.
pub(crate) fn extract(language: Language, path: &str, text: &str) -> FileFindings {
    if !worth_parsing(text) {
        return FileFindings::default();
    }
    match language {
        Language::Python => parse_with(&python::Python, path, text),
        Language::JavaScript => {
            let dialect = javascript::Dialect::JavaScript;
            parse_with(&javascript::JavaScript { dialect }, path, text)
        }
        Language::TypeScript => {
            let dialect = if path.to_ascii_lowercase().ends_with(".tsx") {
                javascript::Dialect::Tsx
            } else {
                javascript::Dialect::TypeScript
            };
            parse_with(&javascript::JavaScript { dialect }, path, text)
        }
        Language::Php => parse_with(&php::Php, path, text),
        Language::Ruby => parse_with(&ruby::Ruby, path, text),
        Language::Manifest => manifest::extract(path, text),
    }
}

fn worth_parsing(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(7).any(|w| w.eq_ignore_ascii_case(b"klaviyo")) || memmem(bytes, b"api/")
}

fn memmem(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

thread_local! {
    /// One parser per worker thread, its language set per file.
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
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
            findings.unresolved.push(UnresolvedCall {
                file: path.to_owned(),
                line: 1,
                column: 1,
                language: syntax.language(),
                reason: UnresolvedReason::DynamicPath,
                detail: "the file could not be parsed, so its calls are not known".to_owned(),
                excerpt: String::new(),
            });
            findings
        }
    }
}

/// The source text of a node.
pub(crate) fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    &src[node.byte_range()]
}

/// Text with its quotes (and Python/Ruby/PHP string prefixes) removed.
pub(crate) fn unquote(text: &str) -> &str {
    let prefix = text.bytes().take_while(u8::is_ascii_alphabetic).count();
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
        return "";
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sexp(syntax: &dyn Syntax, text: &str) -> String {
        let mut parser = Parser::new();
        parser.set_language(&syntax.grammar()).unwrap();
        parser.parse(text, None).unwrap().root_node().to_sexp()
    }

    #[test]
    fn a_method_chosen_at_run_time_on_a_traced_client_is_unresolved() {
        let code = "from klaviyo_api import KlaviyoAPI\ndef call_by_name(client: KlaviyoAPI, name):\n    return getattr(client.Events, name)()\n";
        let found = extract(Language::Python, "a.py", code);
        assert_eq!(
            found.unresolved.len(),
            1,
            "{:?}\n{}",
            found.unresolved,
            sexp(&python::Python, code)
        );
        assert_eq!(
            found.unresolved[0].reason,
            UnresolvedReason::DynamicSdkMethod
        );
        assert_eq!(found.unresolved[0].line, 3);
    }
}

//! JavaScript and TypeScript: `klaviyo-api` (`new ProfilesApi(session)`,
//! class fields and constructor-injected properties typed `ProfilesApi`, the
//! bare `Profiles` instances), and fetch/axios/got calls with template URLs.

use tree_sitter::Node;

use super::{named_children, split_string, text, unquote, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

/// The npm package of Klaviyo's Node SDK.
const SDK_PACKAGE: &str = "klaviyo-api";

pub(crate) struct JavaScript {
    dialect: Dialect,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    JavaScript,
    TypeScript,
    Tsx,
}

pub(crate) static JAVASCRIPT: JavaScript = JavaScript {
    dialect: Dialect::JavaScript,
};
pub(crate) static TYPESCRIPT: JavaScript = JavaScript {
    dialect: Dialect::TypeScript,
};
pub(crate) static TSX: JavaScript = JavaScript {
    dialect: Dialect::Tsx,
};

impl Syntax for JavaScript {
    fn language(&self) -> Language {
        match self.dialect {
            Dialect::JavaScript => Language::JavaScript,
            Dialect::TypeScript | Dialect::Tsx => Language::TypeScript,
        }
    }

    fn grammar(&self) -> tree_sitter::Language {
        match self.dialect {
            Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        let (mut function, is_new) = match node.kind() {
            "call_expression" => (node.child_by_field_name("function")?, false),
            "new_expression" => (node.child_by_field_name("constructor")?, true),
            _ => return None,
        };
        // `await axios.get<T>(url)` parses as a call of `await axios.get`.
        while matches!(function.kind(), "await_expression" | "non_null_expression") {
            function = function.named_child(0)?;
        }
        let mut args = Vec::new();
        if let Some(list) = node.child_by_field_name("arguments") {
            if list.kind() == "arguments" {
                for value in named_children(list) {
                    if value.kind() != "comment" {
                        args.push(Arg { name: None, value });
                    }
                }
            }
        }
        let dynamic_receiver = (function.kind() == "subscript_expression")
            .then(|| function.child_by_field_name("object"))
            .flatten();
        let (name, receiver) = match function.kind() {
            "member_expression" => (
                function
                    .child_by_field_name("property")
                    .map(|n| text(n, src).trim_start_matches('#').to_owned())
                    .unwrap_or_default(),
                function.child_by_field_name("object"),
            ),
            "identifier" => (text(function, src).to_owned(), None),
            _ => (String::new(), None),
        };
        Some(Call {
            chain: self.chain(function, src),
            name,
            args,
            is_new,
            receiver,
            dynamic_receiver,
        })
    }

    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>> {
        let _deeper = super::deeper()?;
        match node.kind() {
            "identifier" | "this" | "property_identifier" | "private_property_identifier" => {
                Some(vec![text(node, src).trim_start_matches('#').to_owned()])
            }
            "member_expression" => {
                let mut chain = self.chain(node.child_by_field_name("object")?, src)?;
                let property = node.child_by_field_name("property")?;
                chain.push(text(property, src).trim_start_matches('#').to_owned());
                Some(chain)
            }
            "call_expression" => {
                let mut chain = self.chain(node.child_by_field_name("function")?, src)?;
                let last = chain.pop()?;
                chain.push(format!("{last}()"));
                Some(chain)
            }
            "non_null_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "await_expression" => self.chain(node.named_child(0)?, src),
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "string" => Some(vec![Part::Lit(unquote(text(node, src)).to_owned())]),
            "template_string" => Some(split_string(node, src, &["template_substitution"], |n| {
                n.named_child(0).unwrap_or(n)
            })),
            _ => None,
        }
    }

    fn concat<'t>(&self, node: Node<'t>, src: &str) -> Option<Concat<'t>> {
        match node.kind() {
            "binary_expression" => {
                let operator = text(node.child_by_field_name("operator")?, src);
                (operator == "+").then_some(Concat::Join(
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ))
            }
            "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "await_expression" => Some(Concat::Same(node.named_child(0)?)),
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "ternary_expression" => Some(vec![
                node.child_by_field_name("consequence")?,
                node.child_by_field_name("alternative")?,
            ]),
            "binary_expression"
                if matches!(
                    text(node.child_by_field_name("operator")?, src),
                    "||" | "??"
                ) =>
            {
                Some(vec![
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ])
            }
            _ => None,
        }
    }

    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        let (target, value) = match node.kind() {
            "variable_declarator" => (
                node.child_by_field_name("name")?,
                node.child_by_field_name("value")?,
            ),
            "assignment_expression" => (
                node.child_by_field_name("left")?,
                node.child_by_field_name("right")?,
            ),
            "field_definition" => (
                node.child_by_field_name("property")?,
                node.child_by_field_name("value")?,
            ),
            "public_field_definition" => (
                node.child_by_field_name("name")?,
                node.child_by_field_name("value")?,
            ),
            _ => return None,
        };
        Some((self.chain(target, src)?.pop()?, value))
    }

    fn typed_binding(&self, node: Node<'_>, src: &str) -> Option<(String, String)> {
        let (name, type_node) = match node.kind() {
            "required_parameter" | "optional_parameter" => (
                node.child_by_field_name("pattern")?,
                node.child_by_field_name("type")?,
            ),
            "public_field_definition" | "variable_declarator" => (
                node.child_by_field_name("name")?,
                node.child_by_field_name("type")?,
            ),
            _ => return None,
        };
        let type_text = text(type_node, src).trim_start_matches(':').trim();
        Some((self.chain(name, src)?.pop()?, type_text.to_owned()))
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        if node.kind() != "pair" {
            return None;
        }
        let key = node.child_by_field_name("key")?;
        Some((
            unquote(text(key, src)).to_owned(),
            node.child_by_field_name("value")?,
        ))
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        (node.kind() == "array").then(|| named_children(node))
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "function_declaration"
                | "function_expression"
                | "function"
                | "arrow_function"
                | "method_definition"
                | "generator_function"
                | "generator_function_declaration"
        )
    }

    fn function_name(&self, node: Node<'_>, src: &str) -> Option<String> {
        if let Some(name) = node.child_by_field_name("name") {
            return Some(text(name, src).trim_start_matches('#').to_owned());
        }
        // `const apiRequest = async (…) => …`, `apiRequest: function (…) {…}`
        let parent = node.parent()?;
        let name = match parent.kind() {
            "variable_declarator" => parent.child_by_field_name("name")?,
            "pair" => parent.child_by_field_name("key")?,
            "assignment_expression" => parent.child_by_field_name("left")?,
            _ => return None,
        };
        self.chain(name, src)?.pop()
    }

    fn returned<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "return_statement" => node.named_child(0),
            "arrow_function" => node
                .child_by_field_name("body")
                .filter(|body| body.kind() != "statement_block"),
            _ => None,
        }
    }

    fn sdk_imports(&self, node: Node<'_>, src: &str) -> Vec<String> {
        let mut names = Vec::new();
        let from_sdk =
            |source: Option<Node<'_>>| source.is_some_and(|s| unquote(text(s, src)) == SDK_PACKAGE);
        match node.kind() {
            "import_statement" if from_sdk(node.child_by_field_name("source")) => {
                collect_kinds(node, src, &["import_specifier"], &mut names, |n| {
                    n.child_by_field_name("alias")
                        .or_else(|| n.child_by_field_name("name"))
                });
            }
            "variable_declarator" => {
                let required = node.child_by_field_name("value").is_some_and(|value| {
                    value.kind() == "call_expression"
                        && value
                            .child_by_field_name("function")
                            .is_some_and(|f| text(f, src) == "require")
                        && value
                            .child_by_field_name("arguments")
                            .and_then(|a| a.named_child(0))
                            .is_some_and(|s| unquote(text(s, src)) == SDK_PACKAGE)
                });
                if required {
                    if let Some(pattern) = node.child_by_field_name("name") {
                        collect_kinds(
                            pattern,
                            src,
                            &["shorthand_property_identifier_pattern", "pair_pattern"],
                            &mut names,
                            |n| {
                                if n.kind() == "pair_pattern" {
                                    n.child_by_field_name("value")
                                } else {
                                    Some(n)
                                }
                            },
                        );
                    }
                }
            }
            _ => {}
        }
        names
    }

    fn sdk_input(&self, ns: &str, method: &str) -> Option<String> {
        Some(format!("{ns}.{method}"))
    }
}

fn collect_kinds<'t>(
    node: Node<'t>,
    src: &str,
    kinds: &[&str],
    into: &mut Vec<String>,
    name_of: impl Fn(Node<'t>) -> Option<Node<'t>> + Copy,
) {
    for child in named_children(node) {
        if kinds.contains(&child.kind()) {
            if let Some(name) = name_of(child) {
                into.push(text(name, src).to_owned());
            }
        } else {
            collect_kinds(child, src, kinds, into, name_of);
        }
    }
}

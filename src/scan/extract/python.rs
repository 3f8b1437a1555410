//! Python: `klaviyo-api` (`KlaviyoAPI(...).Profiles.get_profiles`), and
//! requests/httpx/urllib calls with f-strings, `%` and `.format()` URLs.

use tree_sitter::Node;

use super::{named_children, split_string, text, unquote, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

pub(crate) struct Python;

impl Syntax for Python {
    fn language(&self) -> Language {
        Language::Python
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_python::LANGUAGE.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        if node.kind() != "call" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        let mut args = Vec::new();
        if let Some(list) = node.child_by_field_name("arguments") {
            for arg in named_children(list) {
                match arg.kind() {
                    "keyword_argument" => {
                        if let (Some(name), Some(value)) = (
                            arg.child_by_field_name("name"),
                            arg.child_by_field_name("value"),
                        ) {
                            args.push(Arg {
                                name: Some(text(name, src).to_owned()),
                                value,
                            });
                        }
                    }
                    "comment" => {}
                    _ => args.push(Arg {
                        name: None,
                        value: arg,
                    }),
                }
            }
        }
        // getattr(klaviyo.Profiles, name)(...)
        let dynamic_receiver = (function.kind() == "call")
            .then(|| {
                let inner = function.child_by_field_name("function")?;
                let arguments = function.child_by_field_name("arguments")?;
                let name_arg = arguments.named_child(1)?;
                (text(inner, src) == "getattr" && name_arg.kind() != "string")
                    .then(|| arguments.named_child(0))
                    .flatten()
            })
            .flatten();
        let (name, receiver) = match function.kind() {
            "attribute" => (
                function
                    .child_by_field_name("attribute")
                    .map(|n| text(n, src).to_owned())
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
            is_new: false,
            receiver,
            dynamic_receiver,
        })
    }

    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>> {
        let _deeper = super::deeper()?;
        match node.kind() {
            "identifier" => Some(vec![text(node, src).to_owned()]),
            "attribute" => {
                let mut chain = self.chain(node.child_by_field_name("object")?, src)?;
                chain.push(text(node.child_by_field_name("attribute")?, src).to_owned());
                Some(chain)
            }
            // `get_client().Profiles`: the call as `get_client()`.
            "call" => {
                let mut chain = self.chain(node.child_by_field_name("function")?, src)?;
                let last = chain.pop()?;
                chain.push(format!("{last}()"));
                Some(chain)
            }
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "string" => Some(split_string(node, src, &["interpolation"], |n| {
                n.child_by_field_name("expression").unwrap_or(n)
            })),
            "concatenated_string" => {
                let mut parts = Vec::new();
                for child in named_children(node) {
                    parts.extend(self.string_parts(child, src)?);
                }
                Some(parts)
            }
            _ => None,
        }
    }

    fn concat<'t>(&self, node: Node<'t>, src: &str) -> Option<Concat<'t>> {
        match node.kind() {
            "binary_operator" => {
                let left = node.child_by_field_name("left")?;
                let right = node.child_by_field_name("right")?;
                match text(node.child_by_field_name("operator")?, src) {
                    "+" => Some(Concat::Join(left, right)),
                    "%" => {
                        let args = match right.kind() {
                            "tuple" | "parenthesized_expression" => named_children(right),
                            _ => vec![right],
                        };
                        Some(Concat::Format(left, args))
                    }
                    _ => None,
                }
            }
            "call" => {
                let function = node.child_by_field_name("function")?;
                if function.kind() != "attribute" {
                    return None;
                }
                let object = function.child_by_field_name("object")?;
                let method = text(function.child_by_field_name("attribute")?, src);
                if method != "format" || self.string_parts(object, src).is_none() {
                    return None;
                }
                let args = named_children(node.child_by_field_name("arguments")?)
                    .into_iter()
                    .filter(|a| a.kind() != "comment")
                    .map(|a| {
                        if a.kind() == "keyword_argument" {
                            a.child_by_field_name("value").unwrap_or(a)
                        } else {
                            a
                        }
                    })
                    .collect();
                Some(Concat::Format(object, args))
            }
            "parenthesized_expression" => Some(Concat::Same(node.named_child(0)?)),
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "conditional_expression" => Some(vec![node.named_child(0)?, node.named_child(2)?]),
            "boolean_operator" if text(node.child_by_field_name("operator")?, src) == "or" => {
                Some(vec![
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ])
            }
            _ => None,
        }
    }

    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        if node.kind() != "assignment" {
            return None;
        }
        let left = node.child_by_field_name("left")?;
        let right = node.child_by_field_name("right")?;
        Some((self.chain(left, src)?.pop()?, right))
    }

    fn typed_binding(&self, node: Node<'_>, src: &str) -> Option<(String, String)> {
        let type_node = node.child_by_field_name("type")?;
        let name = match node.kind() {
            "typed_parameter" => node.named_child(0)?,
            "typed_default_parameter" => node.child_by_field_name("name")?,
            "assignment" => node.child_by_field_name("left")?,
            _ => return None,
        };
        let name = self.chain(name, src)?.pop()?;
        Some((name, unquote(text(type_node, src)).to_owned()))
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        let (key, value) = match node.kind() {
            "pair" => (
                node.child_by_field_name("key")?,
                node.child_by_field_name("value")?,
            ),
            "keyword_argument" => (
                node.child_by_field_name("name")?,
                node.child_by_field_name("value")?,
            ),
            _ => return None,
        };
        Some((unquote(text(key, src)).to_owned(), value))
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        matches!(node.kind(), "list" | "tuple" | "set").then(|| named_children(node))
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(kind, "function_definition" | "lambda")
    }

    fn return_type(&self, node: Node<'_>, src: &str) -> Option<String> {
        node.child_by_field_name("return_type")
            .map(|t| unquote(text(t, src)).to_owned())
    }

    fn sdk_input(&self, ns: &str, method: &str) -> Option<String> {
        Some(format!("klaviyo.{ns}.{method}"))
    }
}

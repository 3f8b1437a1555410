//! Java: `java.net.http` (`HttpRequest.newBuilder(URI.create(url)).GET()`),
//! Spring `WebClient`/`RestTemplate`, OkHttp, Apache HttpClient
//! (`new HttpPost(url)`), Retrofit and Feign annotations, and own wrappers;
//! URLs from `+`, `.concat`, `String.format` and constants.

use tree_sitter::Node;

use super::{named_children, text, unquote, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

pub(crate) struct Java;

/// Annotations that declare a client request: Retrofit's and Feign's.
const CLIENT_ANNOTATIONS: &[&str] = &[
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HTTP",
    "RequestLine",
];

impl Syntax for Java {
    fn language(&self) -> Language {
        Language::Java
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_java::LANGUAGE.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        let (name, receiver, arguments, is_new) = match node.kind() {
            "method_invocation" => (
                text(node.child_by_field_name("name")?, src).to_owned(),
                node.child_by_field_name("object"),
                node.child_by_field_name("arguments"),
                false,
            ),
            "object_creation_expression" => {
                let type_node = node.child_by_field_name("type")?;
                let name = text(type_node, src);
                let name = name.split('<').next().unwrap_or(name);
                let name = name.rsplit('.').next().unwrap_or(name).to_owned();
                (name, None, node.child_by_field_name("arguments"), true)
            }
            "annotation" => {
                let name = text(node.child_by_field_name("name")?, src).to_owned();
                if !CLIENT_ANNOTATIONS.contains(&name.as_str()) {
                    return None;
                }
                (name, None, node.child_by_field_name("arguments"), false)
            }
            _ => return None,
        };
        let mut args = Vec::new();
        for value in arguments.map(named_children).unwrap_or_default() {
            match value.kind() {
                "comment" | "line_comment" | "block_comment" => {}
                "element_value_pair" => {
                    if let (Some(key), Some(v)) = (
                        value.child_by_field_name("key"),
                        value.child_by_field_name("value"),
                    ) {
                        args.push(Arg {
                            name: Some(text(key, src).to_owned()),
                            value: v,
                        });
                    }
                }
                _ => args.push(Arg { name: None, value }),
            }
        }
        let chain = match receiver {
            Some(receiver) => self.chain(receiver, src).map(|mut chain| {
                chain.push(name.clone());
                chain
            }),
            None => Some(vec![name.clone()]),
        };
        Some(Call {
            chain,
            name,
            args,
            is_new,
            receiver,
            dynamic_receiver: None,
        })
    }

    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>> {
        let _deeper = super::deeper()?;
        match node.kind() {
            "identifier" | "this" | "type_identifier" => Some(vec![text(node, src).to_owned()]),
            "field_access" => {
                let mut chain = self.chain(node.child_by_field_name("object")?, src)?;
                chain.push(text(node.child_by_field_name("field")?, src).to_owned());
                Some(chain)
            }
            "scoped_identifier" => {
                let mut chain = self.chain(node.child_by_field_name("scope")?, src)?;
                chain.push(text(node.child_by_field_name("name")?, src).to_owned());
                Some(chain)
            }
            "method_invocation" => {
                let mut chain = match node.child_by_field_name("object") {
                    Some(object) => self.chain(object, src)?,
                    None => Vec::new(),
                };
                chain.push(format!(
                    "{}()",
                    text(node.child_by_field_name("name")?, src)
                ));
                Some(chain)
            }
            "parenthesized_expression" | "cast_expression" => self.chain(
                node.named_child(node.named_child_count().checked_sub(1)? as u32)?,
                src,
            ),
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "string_literal" => {
                let whole = text(node, src);
                let body = whole
                    .strip_prefix("\"\"\"")
                    .and_then(|b| b.strip_suffix("\"\"\""))
                    .map(str::trim)
                    .unwrap_or_else(|| unquote(whole));
                Some(vec![Part::Lit(body.to_owned())])
            }
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
            "parenthesized_expression" => Some(Concat::Same(node.named_child(0)?)),
            "cast_expression" => Some(Concat::Same(node.child_by_field_name("value")?)),
            "method_invocation" => {
                let name = text(node.child_by_field_name("name")?, src);
                let args = named_children(node.child_by_field_name("arguments")?);
                match name {
                    // String.format("%s/lists", base), MessageFormat.format("{0}/lists", base)
                    "format" => {
                        let (template, rest) = args.split_first()?;
                        Some(Concat::Format(*template, rest.to_vec()))
                    }
                    // "%s/lists".formatted(base)
                    "formatted" => Some(Concat::Format(node.child_by_field_name("object")?, args)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        (node.kind() == "ternary_expression").then_some(vec![
            node.child_by_field_name("consequence")?,
            node.child_by_field_name("alternative")?,
        ])
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
            _ => return None,
        };
        Some((self.chain(target, src)?.pop()?, value))
    }

    fn typed_binding(&self, _node: Node<'_>, _src: &str) -> Option<(String, String)> {
        None
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        (node.kind() == "element_value_pair").then_some((
            text(node.child_by_field_name("key")?, src).to_owned(),
            node.child_by_field_name("value")?,
        ))
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        (node.kind() == "array_initializer").then(|| named_children(node))
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "method_declaration" | "constructor_declaration" | "lambda_expression"
        )
    }

    fn return_type(&self, node: Node<'_>, src: &str) -> Option<String> {
        node.child_by_field_name("type")
            .map(|t| text(t, src).to_owned())
    }

    fn sdk_input(&self, _ns: &str, _method: &str) -> Option<String> {
        None
    }
}

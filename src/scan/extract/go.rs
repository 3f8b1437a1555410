//! Go: net/http (`http.NewRequest(http.MethodGet, url, nil)`,
//! `http.Get`), resty and own wrappers (`c.doReq(ctx, http.MethodPatch,
//! path)`), with URLs from `fmt.Sprintf`, `+`, `path.Join`, package
//! constants and struct fields set in a composite literal.

use tree_sitter::Node;

use super::{named_children, text, unquote, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

pub(crate) struct Go;

/// The first expression of an `expression_list` (Go's `a, b := f()`), or the node.
fn first_of_list(node: Node<'_>) -> Node<'_> {
    if node.kind() == "expression_list" || node.kind() == "literal_element" {
        node.named_child(0).unwrap_or(node)
    } else {
        node
    }
}

impl Syntax for Go {
    fn language(&self) -> Language {
        Language::Go
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_go::LANGUAGE.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        let args = node
            .child_by_field_name("arguments")
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a.kind() != "comment")
            .map(|value| Arg { name: None, value })
            .collect();
        let (name, receiver) = match function.kind() {
            "selector_expression" => (
                text(function.child_by_field_name("field")?, src).to_owned(),
                function.child_by_field_name("operand"),
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
            dynamic_receiver: None,
        })
    }

    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>> {
        let _deeper = super::deeper()?;
        match node.kind() {
            "identifier" | "field_identifier" | "package_identifier" => {
                Some(vec![text(node, src).to_owned()])
            }
            "selector_expression" => {
                let mut chain = self.chain(node.child_by_field_name("operand")?, src)?;
                chain.push(text(node.child_by_field_name("field")?, src).to_owned());
                Some(chain)
            }
            "call_expression" => {
                let mut chain = self.chain(node.child_by_field_name("function")?, src)?;
                let last = chain.pop()?;
                chain.push(format!("{last}()"));
                Some(chain)
            }
            "parenthesized_expression" | "unary_expression" => {
                self.chain(node.named_child(0)?, src)
            }
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "interpreted_string_literal" | "raw_string_literal" => {
                Some(vec![Part::Lit(unquote(text(node, src)).to_owned())])
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
            "call_expression" => {
                let function = node.child_by_field_name("function")?;
                let name = match function.kind() {
                    "selector_expression" => text(function.child_by_field_name("field")?, src),
                    _ => text(function, src),
                };
                if !matches!(name, "Sprintf" | "Sprint" | "Errorf") {
                    return None;
                }
                let args = named_children(node.child_by_field_name("arguments")?);
                let (template, rest) = args.split_first()?;
                Some(Concat::Format(*template, rest.to_vec()))
            }
            _ => None,
        }
    }

    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        let (left, right) = match node.kind() {
            "short_var_declaration" | "assignment_statement" => (
                node.child_by_field_name("left")?,
                node.child_by_field_name("right")?,
            ),
            "var_spec" | "const_spec" => (
                node.child_by_field_name("name")?,
                node.child_by_field_name("value")?,
            ),
            _ => return None,
        };
        Some((
            self.chain(first_of_list(left), src)?.pop()?,
            first_of_list(right),
        ))
    }

    fn typed_binding(&self, _node: Node<'_>, _src: &str) -> Option<(String, String)> {
        None
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        if node.kind() != "keyed_element" {
            return None;
        }
        let key = first_of_list(node.child_by_field_name("key")?);
        let value = first_of_list(node.child_by_field_name("value")?);
        Some((unquote(text(key, src)).to_owned(), value))
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        (node.kind() == "composite_literal").then(|| {
            node.child_by_field_name("body")
                .map(named_children)
                .unwrap_or_default()
                .into_iter()
                .map(first_of_list)
                .collect()
        })
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "function_declaration" | "method_declaration" | "func_literal"
        )
    }

    fn returned<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        (node.kind() == "return_statement")
            .then(|| node.named_child(0).map(first_of_list))
            .flatten()
    }

    fn sdk_input(&self, _ns: &str, _method: &str) -> Option<String> {
        None
    }
}

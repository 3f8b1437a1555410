//! Kotlin: ktor (`client.get("$base/lists") { parameter("include", …) }`,
//! `client.request(url) { method = HttpMethod.Post }`), OkHttp, Retrofit
//! annotations and own wrappers; `$name` and `${…}` templates, `+`,
//! `String.format` and `"…".format(…)`.

use tree_sitter::Node;

use super::{child_of_kind, named_children, text, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

pub(crate) struct Kotlin;

/// Retrofit's request annotations.
const CLIENT_ANNOTATIONS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HTTP"];

/// The name a trailing lambda argument is given, so it is not read as a route handler.
pub(crate) const TRAILING_LAMBDA: &str = "{lambda}";

impl Kotlin {
    /// `a.b` of a navigation expression: the receiver and the member's name.
    fn navigation<'t>(node: Node<'t>, src: &str) -> Option<(Node<'t>, String)> {
        let children = named_children(node);
        let member = children.last()?;
        let receiver = children.first()?;
        (children.len() >= 2).then(|| (*receiver, text(*member, src).to_owned()))
    }

    fn value_args<'t>(list: Node<'t>, src: &str) -> Vec<Arg<'t>> {
        let mut args = Vec::new();
        for argument in named_children(list) {
            if argument.kind() != "value_argument" {
                continue;
            }
            let children = named_children(argument);
            let named = argument.child(1).is_some_and(|c| text(c, src) == "=");
            match (named, children.as_slice()) {
                (true, [name, value, ..]) => args.push(Arg {
                    name: Some(text(*name, src).to_owned()),
                    value: *value,
                }),
                (_, [.., value]) => args.push(Arg {
                    name: None,
                    value: *value,
                }),
                _ => {}
            }
        }
        args
    }
}

impl Syntax for Kotlin {
    fn language(&self) -> Language {
        Language::Kotlin
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_kotlin_ng::LANGUAGE.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        if node.kind() == "annotation" {
            let invocation = child_of_kind(node, &["constructor_invocation"])?;
            let name = text(child_of_kind(invocation, &["user_type"])?, src).to_owned();
            if !CLIENT_ANNOTATIONS.contains(&name.as_str()) {
                return None;
            }
            let args = child_of_kind(invocation, &["value_arguments"])
                .map(|list| Kotlin::value_args(list, src))
                .unwrap_or_default();
            return Some(Call {
                chain: Some(vec![name.clone()]),
                name,
                args,
                is_new: false,
                receiver: None,
                dynamic_receiver: None,
            });
        }
        if node.kind() != "call_expression" {
            return None;
        }
        // `f(x) { … }` is one call: the inner call with the trailing lambda.
        if let Some(parent) = node.parent() {
            if parent.kind() == "call_expression"
                && parent.named_child(0).is_some_and(|c| c.id() == node.id())
                && child_of_kind(parent, &["annotated_lambda"]).is_some()
            {
                return None;
            }
        }
        let children = named_children(node);
        let (mut callee, mut list) = (
            *children.first()?,
            child_of_kind(node, &["value_arguments"]),
        );
        if callee.kind() == "call_expression" && list.is_none() {
            list = child_of_kind(callee, &["value_arguments"]);
            callee = callee.named_child(0)?;
        }
        let mut args = list.map(|l| Kotlin::value_args(l, src)).unwrap_or_default();
        if let Some(lambda) = child_of_kind(node, &["annotated_lambda"]) {
            args.push(Arg {
                name: Some(TRAILING_LAMBDA.to_owned()),
                value: child_of_kind(lambda, &["lambda_literal"]).unwrap_or(lambda),
            });
        }
        let (name, receiver) = match callee.kind() {
            "navigation_expression" => {
                let (receiver, name) = Kotlin::navigation(callee, src)?;
                (name, Some(receiver))
            }
            "identifier" => (text(callee, src).to_owned(), None),
            _ => (String::new(), None),
        };
        Some(Call {
            chain: self.chain(callee, src),
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
            "identifier" | "this_expression" => Some(vec![text(node, src).to_owned()]),
            "navigation_expression" => {
                let (receiver, name) = Kotlin::navigation(node, src)?;
                let mut chain = self.chain(receiver, src)?;
                chain.push(name);
                Some(chain)
            }
            "call_expression" => {
                let mut chain = self.chain(node.named_child(0)?, src)?;
                let last = chain.pop()?;
                chain.push(format!("{last}()"));
                Some(chain)
            }
            "parenthesized_expression" => self.chain(node.named_child(0)?, src),
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        if node.kind() != "string_literal" && node.kind() != "multiline_string_literal" {
            return None;
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        for child in named_children(node) {
            match child.kind() {
                "interpolation" => {
                    split_names(&std::mem::take(&mut literal), &mut parts);
                    parts.push(Part::Expr(child.named_child(0).unwrap_or(child)));
                }
                _ => literal.push_str(text(child, src)),
            }
        }
        split_names(&literal, &mut parts);
        Some(parts)
    }

    fn concat<'t>(&self, node: Node<'t>, src: &str) -> Option<Concat<'t>> {
        match node.kind() {
            "binary_expression" | "additive_expression" => {
                let operator = node.child_by_field_name("operator").map(|o| text(o, src));
                let operator = operator.or_else(|| node.child(1).map(|c| text(c, src)))?;
                (operator == "+").then_some(Concat::Join(
                    node.child_by_field_name("left")
                        .or_else(|| node.named_child(0))?,
                    node.child_by_field_name("right")
                        .or_else(|| node.named_child(1))?,
                ))
            }
            "parenthesized_expression" => Some(Concat::Same(node.named_child(0)?)),
            "call_expression" => {
                let callee = node.named_child(0)?;
                if callee.kind() != "navigation_expression" {
                    return None;
                }
                let (receiver, name) = Kotlin::navigation(callee, src)?;
                if name != "format" {
                    return None;
                }
                let args: Vec<Node<'t>> = child_of_kind(node, &["value_arguments"])
                    .map(|l| Kotlin::value_args(l, src))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| a.value)
                    .collect();
                if text(receiver, src) == "String" {
                    let (template, rest) = args.split_first()?;
                    return Some(Concat::Format(*template, rest.to_vec()));
                }
                Some(Concat::Format(receiver, args))
            }
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "if_expression" => {
                let branches: Vec<Node<'t>> = named_children(node)
                    .into_iter()
                    .filter(|c| {
                        Some(c.id()) != node.child_by_field_name("condition").map(|n| n.id())
                    })
                    .collect();
                (branches.len() == 2).then_some(branches)
            }
            "binary_expression" | "elvis_expression"
                if node.child(1).is_some_and(|c| text(c, src) == "?:") =>
            {
                Some(vec![node.named_child(0)?, node.named_child(1)?])
            }
            _ => None,
        }
    }

    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        match node.kind() {
            "property_declaration" => {
                let declaration = child_of_kind(node, &["variable_declaration"])?;
                let name = child_of_kind(declaration, &["identifier"])?;
                let value = named_children(node).into_iter().rfind(|c| {
                    !matches!(
                        c.kind(),
                        "variable_declaration"
                            | "modifiers"
                            | "user_type"
                            | "nullable_type"
                            | "property_delegate"
                    )
                })?;
                Some((text(name, src).to_owned(), value))
            }
            "assignment" => {
                let left = node.child_by_field_name("left")?;
                Some((
                    self.chain(left, src)?.pop()?,
                    node.child_by_field_name("right")?,
                ))
            }
            _ => None,
        }
    }

    fn typed_binding(&self, _node: Node<'_>, _src: &str) -> Option<(String, String)> {
        None
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        // `method = HttpMethod.Post` in a ktor request lambda.
        if node.kind() != "assignment" {
            return None;
        }
        let left = node.child_by_field_name("left")?;
        Some((
            text(left, src).to_owned(),
            node.child_by_field_name("right")?,
        ))
    }

    fn list_items<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        // listOf("a", "b"), arrayOf(…), setOf(…)
        let callee = node.named_child(0)?;
        let builder = node.kind() == "call_expression"
            && matches!(
                text(callee, src),
                "listOf" | "arrayOf" | "setOf" | "mutableListOf"
            );
        builder.then(|| {
            child_of_kind(node, &["value_arguments"])
                .map(|l| Kotlin::value_args(l, src))
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.value)
                .collect()
        })
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "function_declaration"
                | "lambda_literal"
                | "anonymous_function"
                | "secondary_constructor"
        )
    }

    fn return_type(&self, node: Node<'_>, src: &str) -> Option<String> {
        child_of_kind(node, &["user_type", "nullable_type"]).map(|t| text(t, src).to_owned())
    }

    fn returned<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "return_expression" | "jump_expression" => node.named_child(0),
            // `fun url() = "$BASE/lists"`
            "function_body" => {
                let first = node.named_child(0)?;
                (first.kind() != "block").then_some(first)
            }
            _ => None,
        }
    }

    fn sdk_input(&self, _ns: &str, _method: &str) -> Option<String> {
        None
    }
}

/// Literal text with Kotlin's `$name` templates as names.
fn split_names<'t>(literal: &str, parts: &mut Vec<Part<'t>>) {
    let bytes = literal.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_name = bytes[i] == b'$'
            && bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if !starts_name {
            i += 1;
            continue;
        }
        let end = i
            + 1
            + bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
        if i > start {
            parts.push(Part::Lit(literal[start..i].to_owned()));
        }
        parts.push(Part::Name(literal[i + 1..end].to_owned()));
        start = end;
        i = end;
    }
    if start < literal.len() {
        parts.push(Part::Lit(literal[start..].to_owned()));
    }
}

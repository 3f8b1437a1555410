//! PHP: `klaviyo/api` (`$klaviyo->Profiles->getProfiles(...)`, typed and
//! promoted constructor properties, clients from a method typed
//! `?KlaviyoAPI`), and Guzzle, curl and own wrappers with interpolated,
//! `sprintf` or `.`-joined URLs and methods from class constants.

use tree_sitter::Node;

use super::{
    child_of_kind, named_children, split_string, text, unquote, Arg, Call, Concat, Part, Syntax,
};
use crate::scan::Language;

pub(crate) struct Php;

/// Kinds interpolated inside a double-quoted PHP string.
const INTERPOLATED: &[&str] = &[
    "variable_name",
    "member_access_expression",
    "subscript_expression",
    "dynamic_variable_name",
    "expression",
];

impl Syntax for Php {
    fn language(&self) -> Language {
        Language::Php
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_php::LANGUAGE_PHP.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        let kind = node.kind();
        let arguments = match kind {
            "function_call_expression"
            | "member_call_expression"
            | "nullsafe_member_call_expression"
            | "scoped_call_expression" => node.child_by_field_name("arguments"),
            "object_creation_expression" => child_of_kind(node, &["arguments"]),
            _ => return None,
        };
        let mut args = Vec::new();
        if let Some(list) = arguments {
            for arg in named_children(list) {
                if arg.kind() != "argument" {
                    continue;
                }
                let name = arg
                    .child_by_field_name("name")
                    .map(|n| text(n, src).to_owned());
                let count = arg.named_child_count();
                let Some(value) = arg.named_child(count.saturating_sub(1) as u32) else {
                    continue;
                };
                // `include:` is a keyword to the grammar: `include: [...]`
                // parses as an include expression around an error.
                if value.kind() == "include_expression"
                    && text(value, src)
                        .trim_start_matches("include")
                        .trim_start()
                        .starts_with(':')
                {
                    let last = value.named_child_count().saturating_sub(1) as u32;
                    if let Some(inner) = value.named_child(last) {
                        args.push(Arg {
                            name: Some("include".to_owned()),
                            value: inner,
                        });
                    }
                    continue;
                }
                args.push(Arg { name, value });
            }
        }
        let mut dynamic_receiver = None;
        let (chain, name, is_new, receiver) = match kind {
            "function_call_expression" => {
                let function = node.child_by_field_name("function")?;
                (
                    self.chain(function, src),
                    last_part(text(function, src)),
                    false,
                    None,
                )
            }
            "object_creation_expression" => {
                let class = child_of_kind(node, &["name", "qualified_name"])?;
                let name = last_part(text(class, src));
                (Some(vec![name.clone()]), name, true, None)
            }
            "scoped_call_expression" => {
                let scope = node.child_by_field_name("scope")?;
                let method = node.child_by_field_name("name")?;
                let name = text(method, src).to_owned();
                let chain = self.chain(scope, src).map(|mut chain| {
                    chain.push(name.clone());
                    chain
                });
                (chain, name, false, Some(scope))
            }
            _ => {
                let object = node.child_by_field_name("object")?;
                let method = node.child_by_field_name("name")?;
                if method.kind() != "name" {
                    dynamic_receiver = Some(object);
                }
                let name = text(method, src).to_owned();
                let chain = self.chain(object, src).map(|mut chain| {
                    chain.push(name.clone());
                    chain
                });
                (chain, name, false, Some(object))
            }
        };
        Some(Call {
            chain,
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
            "variable_name" => Some(vec![text(node, src).trim_start_matches('$').to_owned()]),
            "name" | "relative_scope" => Some(vec![text(node, src).to_owned()]),
            "qualified_name" => Some(vec![last_part(text(node, src))]),
            "member_access_expression" | "nullsafe_member_access_expression" => {
                let mut chain = self.chain(node.child_by_field_name("object")?, src)?;
                let name = node.child_by_field_name("name")?;
                if name.kind() != "name" {
                    return None;
                }
                chain.push(text(name, src).to_owned());
                Some(chain)
            }
            "class_constant_access_expression" | "scoped_property_access_expression" => {
                let count = node.named_child_count() as u32;
                let last = node.named_child(count.checked_sub(1)?)?;
                Some(vec![text(last, src).trim_start_matches('$').to_owned()])
            }
            // `self::get_client()->Profiles`, `$this->client()->Lists`.
            "member_call_expression"
            | "scoped_call_expression"
            | "nullsafe_member_call_expression" => {
                let base = node
                    .child_by_field_name("object")
                    .or_else(|| node.child_by_field_name("scope"))?;
                let mut chain = self.chain(base, src)?;
                let name = node.child_by_field_name("name")?;
                chain.push(format!("{}()", text(name, src)));
                Some(chain)
            }
            "function_call_expression" => {
                let function = node.child_by_field_name("function")?;
                Some(vec![format!("{}()", last_part(text(function, src)))])
            }
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "string" => Some(vec![Part::Lit(unquote(text(node, src)).to_owned())]),
            "encapsed_string" => {
                let mut parts = split_string(node, src, INTERPOLATED, |n| n);
                // `"{$id}"`: the braces belong to the interpolation.
                for i in 0..parts.len() {
                    if !matches!(parts.get(i + 1), Some(Part::Expr(_))) {
                        continue;
                    }
                    if let Some(Part::Lit(before)) = parts.get_mut(i) {
                        if before.ends_with('{') {
                            before.pop();
                            if let Some(Part::Lit(after)) = parts.get_mut(i + 2) {
                                if after.starts_with('}') {
                                    after.remove(0);
                                }
                            }
                        }
                    }
                }
                Some(parts)
            }
            _ => None,
        }
    }

    fn concat<'t>(&self, node: Node<'t>, src: &str) -> Option<Concat<'t>> {
        match node.kind() {
            "binary_expression" => {
                let operator = text(node.child_by_field_name("operator")?, src);
                (operator == ".").then_some(Concat::Join(
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ))
            }
            "parenthesized_expression" => Some(Concat::Same(node.named_child(0)?)),
            "function_call_expression" => {
                // sprintf('%s/profiles/%s', $base, $id)
                let function = node.child_by_field_name("function")?;
                if !matches!(text(function, src), "sprintf" | "vsprintf") {
                    return None;
                }
                let args: Vec<Node<'_>> = named_children(node.child_by_field_name("arguments")?)
                    .into_iter()
                    .filter_map(|a| a.named_child(a.named_child_count().saturating_sub(1) as u32))
                    .collect();
                let (template, rest) = args.split_first()?;
                Some(Concat::Format(*template, rest.to_vec()))
            }
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "conditional_expression" => {
                let alternative = node.child_by_field_name("alternative")?;
                let first = node
                    .child_by_field_name("body")
                    .or_else(|| node.child_by_field_name("condition"))?;
                Some(vec![first, alternative])
            }
            "binary_expression" if text(node.child_by_field_name("operator")?, src) == "??" => {
                Some(vec![
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ])
            }
            _ => None,
        }
    }

    fn assignment<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        match node.kind() {
            "assignment_expression" => {
                let left = node.child_by_field_name("left")?;
                Some((
                    self.chain(left, src)?.pop()?,
                    node.child_by_field_name("right")?,
                ))
            }
            "property_element" => {
                let name = node.child_by_field_name("name")?;
                let value = node.child_by_field_name("default_value")?;
                Some((text(name, src).trim_start_matches('$').to_owned(), value))
            }
            "const_element" => {
                let children = named_children(node);
                let name = children.iter().find(|c| c.kind() == "name")?;
                let value = children.last()?;
                Some((text(*name, src).to_owned(), *value))
            }
            _ => None,
        }
    }

    fn typed_binding(&self, node: Node<'_>, src: &str) -> Option<(String, String)> {
        match node.kind() {
            "simple_parameter" | "property_promotion_parameter" => {
                let name = node.child_by_field_name("name")?;
                let type_node = node.child_by_field_name("type")?;
                Some((
                    text(name, src).trim_start_matches('$').to_owned(),
                    last_part(text(type_node, src)),
                ))
            }
            "property_declaration" => {
                let type_node = node.child_by_field_name("type")?;
                let element = child_of_kind(node, &["property_element"])?;
                let name = element.child_by_field_name("name")?;
                Some((
                    text(name, src).trim_start_matches('$').to_owned(),
                    last_part(text(type_node, src)),
                ))
            }
            _ => None,
        }
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        match node.kind() {
            "array_element_initializer" if node.named_child_count() == 2 => {
                let key = node.named_child(0)?;
                Some((unquote(text(key, src)).to_owned(), node.named_child(1)?))
            }
            "argument" => {
                let name = node.child_by_field_name("name")?;
                let count = node.named_child_count() as u32;
                Some((text(name, src).to_owned(), node.named_child(count - 1)?))
            }
            _ => None,
        }
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        (node.kind() == "array_creation_expression").then(|| {
            named_children(node)
                .into_iter()
                .filter(|c| c.kind() == "array_element_initializer" && c.named_child_count() == 1)
                .filter_map(|c| c.named_child(0))
                .collect()
        })
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "function_definition" | "method_declaration" | "anonymous_function" | "arrow_function"
        )
    }

    fn sdk_input(&self, ns: &str, method: &str) -> Option<String> {
        Some(format!("$klaviyo->{ns}->{method}"))
    }
}

/// `\KlaviyoAPI\KlaviyoAPI` → `KlaviyoAPI`; `?ProfilesApi` → `ProfilesApi`.
fn last_part(name: &str) -> String {
    name.trim_start_matches('?')
        .rsplit('\\')
        .next()
        .unwrap_or(name)
        .to_owned()
}

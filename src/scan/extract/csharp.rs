//! C#: `HttpClient` (`GetAsync`, `PostAsJsonAsync`, `SendAsync` with
//! `new HttpRequestMessage(HttpMethod.Post, url)` or an initializer),
//! RestSharp (`new RestRequest("lists", Method.Post)`), Flurl, Refit
//! attributes and own wrappers; `$"…{x}…"`, `+`, `string.Format`, constants.

use tree_sitter::Node;

use super::{child_of_kind, named_children, text, unquote, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

pub(crate) struct CSharp;

/// Refit's request attributes (ASP.NET's `HttpGet` and kin declare server routes).
const CLIENT_ATTRIBUTES: &[&str] = &["Get", "Post", "Put", "Patch", "Delete"];

impl CSharp {
    fn arguments<'t>(list: Option<Node<'t>>, src: &str) -> Vec<Arg<'t>> {
        let mut args = Vec::new();
        for argument in list.map(named_children).unwrap_or_default() {
            if !matches!(argument.kind(), "argument" | "attribute_argument") {
                continue;
            }
            let name = argument
                .child_by_field_name("name")
                .map(|n| text(n, src).to_owned());
            let children = named_children(argument);
            let Some(value) = children.last() else {
                continue;
            };
            args.push(Arg {
                name,
                value: *value,
            });
        }
        args
    }
}

impl Syntax for CSharp {
    fn language(&self) -> Language {
        Language::CSharp
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_c_sharp::LANGUAGE.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        let (name, receiver, args, is_new, chain) = match node.kind() {
            "invocation_expression" => {
                let function = node.child_by_field_name("function")?;
                let (name, receiver) = match function.kind() {
                    "member_access_expression" => (
                        text(function.child_by_field_name("name")?, src),
                        function.child_by_field_name("expression"),
                    ),
                    "generic_name" => (text(child_of_kind(function, &["identifier"])?, src), None),
                    _ => (text(function, src), None),
                };
                let name = name.split('<').next().unwrap_or(name).to_owned();
                let args = CSharp::arguments(node.child_by_field_name("arguments"), src);
                (name, receiver, args, false, self.chain(function, src))
            }
            "object_creation_expression" => {
                let type_node = node.child_by_field_name("type")?;
                let name = text(type_node, src);
                let name = name.split('<').next().unwrap_or(name);
                let name = name.rsplit('.').next().unwrap_or(name).to_owned();
                let mut args = CSharp::arguments(node.child_by_field_name("arguments"), src);
                // `new HttpRequestMessage { Method = …, RequestUri = … }`
                if let Some(initializer) = node.child_by_field_name("initializer") {
                    args.push(Arg {
                        name: None,
                        value: initializer,
                    });
                }
                (name.clone(), None, args, true, Some(vec![name]))
            }
            "attribute" => {
                let name = text(node.child_by_field_name("name")?, src).to_owned();
                if !CLIENT_ATTRIBUTES.contains(&name.as_str()) {
                    return None;
                }
                let list = child_of_kind(node, &["attribute_argument_list"]);
                (
                    name.clone(),
                    None,
                    CSharp::arguments(list, src),
                    false,
                    Some(vec![name]),
                )
            }
            _ => return None,
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
            "identifier" | "this_expression" | "this" | "predefined_type" => {
                Some(vec![text(node, src).to_owned()])
            }
            "generic_name" => Some(vec![
                text(child_of_kind(node, &["identifier"])?, src).to_owned()
            ]),
            "member_access_expression" => {
                let mut chain = self.chain(node.child_by_field_name("expression")?, src)?;
                let name = text(node.child_by_field_name("name")?, src);
                chain.push(name.split('<').next().unwrap_or(name).to_owned());
                Some(chain)
            }
            "invocation_expression" => {
                let mut chain = self.chain(node.child_by_field_name("function")?, src)?;
                let last = chain.pop()?;
                chain.push(format!("{last}()"));
                Some(chain)
            }
            "parenthesized_expression" | "await_expression" => {
                self.chain(node.named_child(0)?, src)
            }
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "string_literal" | "verbatim_string_literal" | "raw_string_literal" => {
                Some(vec![Part::Lit(unquote(text(node, src)).to_owned())])
            }
            "interpolated_string_expression" => {
                let mut parts = Vec::new();
                for child in named_children(node) {
                    match child.kind() {
                        "interpolation" => {
                            let expr = named_children(child)
                                .into_iter()
                                .find(|c| c.kind() != "interpolation_brace")
                                .unwrap_or(child);
                            parts.push(Part::Expr(expr));
                        }
                        "string_content" | "escape_sequence" => {
                            parts.push(Part::Lit(text(child, src).to_owned()))
                        }
                        _ => {}
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
                (operator == "+").then_some(Concat::Join(
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ))
            }
            "parenthesized_expression" | "await_expression" => {
                Some(Concat::Same(node.named_child(0)?))
            }
            "cast_expression" => Some(Concat::Same(node.child_by_field_name("value")?)),
            "invocation_expression" => {
                let function = node.child_by_field_name("function")?;
                if function.kind() != "member_access_expression"
                    || text(function.child_by_field_name("name")?, src) != "Format"
                {
                    return None;
                }
                let args: Vec<Node<'t>> =
                    CSharp::arguments(node.child_by_field_name("arguments"), src)
                        .into_iter()
                        .map(|a| a.value)
                        .collect();
                let (template, rest) = args.split_first()?;
                Some(Concat::Format(*template, rest.to_vec()))
            }
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "conditional_expression" => Some(vec![
                node.child_by_field_name("consequence")?,
                node.child_by_field_name("alternative")?,
            ]),
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
            "variable_declarator" => {
                let name = node.child_by_field_name("name")?;
                let value = named_children(node)
                    .into_iter()
                    .rfind(|c| c.id() != name.id() && c.kind() != "bracketed_argument_list")?;
                Some((text(name, src).to_owned(), value))
            }
            "assignment_expression" => {
                let left = node.child_by_field_name("left")?;
                Some((
                    self.chain(left, src)?.pop()?,
                    node.child_by_field_name("right")?,
                ))
            }
            // `public string BaseUrl { get; set; } = "https://a.klaviyo.com";`
            "property_declaration" => {
                let name = node.child_by_field_name("name")?;
                let value = node.child_by_field_name("value")?;
                Some((text(name, src).to_owned(), value))
            }
            _ => None,
        }
    }

    fn typed_binding(&self, _node: Node<'_>, _src: &str) -> Option<(String, String)> {
        None
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        // `{ Method = HttpMethod.Post, RequestUri = new Uri(url) }`
        if node.kind() != "assignment_expression"
            || node
                .parent()
                .is_none_or(|p| p.kind() != "initializer_expression")
        {
            return None;
        }
        let left = node.child_by_field_name("left")?;
        Some((
            text(left, src).to_owned(),
            node.child_by_field_name("right")?,
        ))
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        matches!(
            node.kind(),
            "initializer_expression"
                | "array_creation_expression"
                | "implicit_array_creation_expression"
                | "collection_expression"
        )
        .then(|| named_children(node))
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "method_declaration"
                | "constructor_declaration"
                | "local_function_statement"
                | "lambda_expression"
                | "anonymous_method_expression"
        )
    }

    fn return_type(&self, node: Node<'_>, src: &str) -> Option<String> {
        node.child_by_field_name("returns")
            .or_else(|| node.child_by_field_name("type"))
            .map(|t| text(t, src).to_owned())
    }

    fn sdk_input(&self, _ns: &str, _method: &str) -> Option<String> {
        None
    }
}

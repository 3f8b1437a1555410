//! Ruby: `klaviyo-api-sdk` (`KlaviyoAPI::Profiles.get_profiles`), the old
//! gems (`Klaviyo::Lists.get_lists`), and Net::HTTP, Faraday, HTTParty and
//! own wrappers (`get_request`, `patch_request`) with `#{}` URLs.

use tree_sitter::Node;

use super::{named_children, split_string, text, unquote, Arg, Call, Concat, Part, Syntax};
use crate::scan::Language;

pub(crate) struct Ruby;

impl Syntax for Ruby {
    fn language(&self) -> Language {
        Language::Ruby
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_ruby::LANGUAGE.into()
    }

    fn call<'t>(&self, node: Node<'t>, src: &str) -> Option<Call<'t>> {
        if node.kind() != "call" {
            return None;
        }
        let method = node.child_by_field_name("method")?;
        let name = text(method, src).to_owned();
        let mut args = Vec::new();
        if let Some(list) = node.child_by_field_name("arguments") {
            for value in named_children(list) {
                if value.kind() != "comment" {
                    args.push(Arg { name: None, value });
                }
            }
        }
        let receiver = node.child_by_field_name("receiver");
        // `api.public_send(name, ...)` / `api.send(name, ...)`
        let dynamic_receiver = (matches!(name.as_str(), "public_send" | "send" | "__send__")
            && args
                .first()
                .is_some_and(|a| a.value.kind() != "simple_symbol"))
        .then_some(receiver)
        .flatten();
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
            is_new: false,
            receiver,
            dynamic_receiver,
        })
    }

    fn chain(&self, node: Node<'_>, src: &str) -> Option<Vec<String>> {
        let _deeper = super::deeper()?;
        match node.kind() {
            "identifier" | "constant" | "self" => Some(vec![text(node, src).to_owned()]),
            // `@base` keeps its `@`: an instance variable is read in every method.
            "instance_variable" | "class_variable" => Some(vec![text(node, src)
                .trim_start_matches('@')
                .to_owned()
                .replacen("", "@", 1)]),
            "global_variable" => Some(vec![text(node, src).trim_start_matches('$').to_owned()]),
            "scope_resolution" => {
                let mut chain = match node.child_by_field_name("scope") {
                    Some(scope) => self.chain(scope, src)?,
                    None => Vec::new(),
                };
                chain.push(text(node.child_by_field_name("name")?, src).to_owned());
                Some(chain)
            }
            // `client.profiles` without arguments reads like an attribute.
            "call"
                if node.child_by_field_name("arguments").is_none()
                    && node.child_by_field_name("block").is_none() =>
            {
                let method = text(node.child_by_field_name("method")?, src).to_owned();
                let mut chain = match node.child_by_field_name("receiver") {
                    Some(receiver) => self.chain(receiver, src)?,
                    None => Vec::new(),
                };
                chain.push(method);
                Some(chain)
            }
            _ => None,
        }
    }

    fn string_parts<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Part<'t>>> {
        match node.kind() {
            "string" => Some(split_string(node, src, &["interpolation"], |n| {
                n.named_child(0).unwrap_or(n)
            })),
            "bare_string" | "bare_symbol" => Some(vec![Part::Lit(text(node, src).to_owned())]),
            "chained_string" => {
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
            "binary" => {
                let left = node.child_by_field_name("left")?;
                let right = node.child_by_field_name("right")?;
                match text(node.child_by_field_name("operator")?, src) {
                    "+" => Some(Concat::Join(left, right)),
                    "%" => {
                        let args = match right.kind() {
                            "array" => named_children(right),
                            _ => vec![right],
                        };
                        Some(Concat::Format(left, args))
                    }
                    _ => None,
                }
            }
            "parenthesized_statements" => Some(Concat::Same(node.named_child(0)?)),
            // 'https://a.klaviyo.com/api/'.freeze
            "call" => {
                let method = text(node.child_by_field_name("method")?, src);
                let receiver = node.child_by_field_name("receiver")?;
                (node.child_by_field_name("arguments").is_none()
                    && matches!(method, "freeze" | "to_s" | "dup" | "strip"))
                .then_some(Concat::Same(receiver))
            }
            _ => None,
        }
    }

    fn branches<'t>(&self, node: Node<'t>, src: &str) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "conditional" => Some(vec![
                node.child_by_field_name("consequence")?,
                node.child_by_field_name("alternative")?,
            ]),
            "binary"
                if matches!(
                    text(node.child_by_field_name("operator")?, src),
                    "||" | "or"
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
        if !matches!(node.kind(), "assignment" | "operator_assignment") {
            return None;
        }
        let left = node.child_by_field_name("left")?;
        Some((
            self.chain(left, src)?.pop()?,
            node.child_by_field_name("right")?,
        ))
    }

    fn typed_binding(&self, _node: Node<'_>, _src: &str) -> Option<(String, String)> {
        None
    }

    fn pair<'t>(&self, node: Node<'t>, src: &str) -> Option<(String, Node<'t>)> {
        if node.kind() != "pair" {
            return None;
        }
        let key = text(node.child_by_field_name("key")?, src);
        let key = unquote(key.trim_start_matches(':').trim_end_matches(':'));
        Some((key.to_owned(), node.child_by_field_name("value")?))
    }

    fn list_items<'t>(&self, node: Node<'t>, _src: &str) -> Option<Vec<Node<'t>>> {
        matches!(node.kind(), "array" | "string_array").then(|| named_children(node))
    }

    fn is_function(&self, kind: &str) -> bool {
        matches!(
            kind,
            "method" | "singleton_method" | "lambda" | "block" | "do_block"
        )
    }

    fn returned<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        // `return x`, and a method whose body is one expression.
        match node.kind() {
            "return" => node.named_child(0).and_then(|list| list.named_child(0)),
            "body_statement" if node.named_child_count() == 1 => node
                .parent()
                .filter(|p| p.kind() == "method")
                .and(node.named_child(0)),
            _ => None,
        }
    }

    fn sdk_input(&self, ns: &str, method: &str) -> Option<String> {
        Some(format!("KlaviyoAPI::{ns}.{method}"))
    }
}

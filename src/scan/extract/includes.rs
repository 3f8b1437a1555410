//! The `include=` values a call sends besides its URL's query: a keyword
//! (`include=[…]`), an `include` key in an options or params object (also
//! one bound to a name, or set by `params["include"] = …` in the same
//! function), or a query builder (`.queryParam("include", …)`,
//! `parameter("include", …)`, `q.Set("include", …)`). A value computed at
//! run time is reported, since its extra scopes cannot be known.

use tree_sitter::Node;

use super::engine::Engine;
use super::pieces::{render, Piece};
use super::position::{At, Visit};
use super::{named_children, text, Call};
use crate::excerpt::shorten;
use crate::scan::model::UnresolvedReason;

/// Query builders that take a name and a value.
const QUERY_SETTERS: &[&str] = &[
    "queryParam",
    "parameter",
    "addQueryParameter",
    "addParameter",
    "Add",
    "Set",
    "set",
    "append",
    "add",
    "AddQueryParameter",
    "AddParameter",
    "SetQueryParam",
    "param",
    "query",
];

/// Include values found, and the expressions computed at run time.
#[derive(Default)]
pub(super) struct Includes {
    pub values: Vec<String>,
    pub dynamic: Vec<String>,
}

impl<'t> Engine<'_, 't> {
    /// Every `include` value a call gives outside its URL.
    pub(super) fn includes_of(
        &self,
        visit: Visit<'t>,
        call: &Call<'t>,
        url: Option<Node<'t>>,
    ) -> Includes {
        let mut found = Includes::default();
        let at = visit.at();
        for arg in &call.args {
            if url.is_some_and(|u| u.id() == arg.value.id()) {
                continue;
            }
            if arg.name.as_deref() == Some("include") {
                self.include_values(arg.value, at, &mut found);
                continue;
            }
            self.find_include(arg.value, at, &mut found, 0);
            if let Some(chain) = self.syntax.chain(arg.value, self.src) {
                if let Some(name) = chain.last() {
                    if let Some(binding) = self.lookup(name, at) {
                        self.find_include(binding.value, at, &mut found, 1);
                    }
                    self.subscript_includes(visit.node, name, at, &mut found);
                }
            }
        }
        self.query_builder_includes(visit.node, call, at, &mut found);
        found
    }

    fn find_include(&self, node: Node<'t>, at: At, into: &mut Includes, depth: usize) {
        if depth > 4 {
            return;
        }
        for child in named_children(node) {
            match self.syntax.pair(child, self.src) {
                Some((key, value)) if key == "include" => self.include_values(value, at, into),
                Some((_, value)) => self.find_include(value, at, into, depth + 1),
                None => {
                    if let Some((name, value)) = self.setter_include(child) {
                        if name == "include" {
                            self.include_values(value, at, into);
                            continue;
                        }
                    }
                    self.find_include(child, at, into, depth + 1)
                }
            }
        }
    }

    /// `params["include"] = …` in the function of `node`, for the name `params`.
    fn subscript_includes(&self, node: Node<'t>, name: &str, at: At, into: &mut Includes) {
        for current in self.function_nodes(node) {
            let left = current.child_by_field_name("left");
            let right = current.child_by_field_name("right");
            if let (Some(left), Some(right)) = (left, right) {
                if is_include_subscript(text(left, self.src), name) {
                    self.include_values(right, at, into);
                }
            }
        }
    }

    /// `.queryParam("include", "tags")` chained with the call, or
    /// `parameter("include", "tags")` in a lambda it takes.
    fn query_builder_includes(&self, node: Node<'t>, call: &Call<'t>, at: At, into: &mut Includes) {
        let mut nodes: Vec<Node<'t>> = call.args.iter().map(|a| a.value).collect();
        if let Some(receiver) = call.receiver {
            nodes.push(receiver);
        }
        let mut current = node;
        for _ in 0..8 {
            let Some(parent) = self.parent_of(current) else {
                break;
            };
            if self.syntax.call(parent, self.src).is_none()
                && !parent.kind().contains("navigation")
                && !parent.kind().contains("member")
            {
                break;
            }
            if let Some(outer) = self.syntax.call(parent, self.src) {
                if let Some((name, value)) = self.setter_include(parent) {
                    if name == "include" {
                        self.include_values(value, at, into);
                    }
                }
                nodes.extend(outer.args.iter().map(|a| a.value));
            }
            current = parent;
        }
        let mut stack = nodes;
        let mut steps = 0;
        while let Some(current) = stack.pop() {
            steps += 1;
            if steps > 200 {
                break;
            }
            if let Some((name, value)) = self.setter_include(current) {
                if name == "include" {
                    self.include_values(value, at, into);
                }
            }
            stack.extend(named_children(current));
        }
    }

    /// `X.queryParam("include", value)`: the name and the value.
    fn setter_include(&self, node: Node<'t>) -> Option<(String, Node<'t>)> {
        let call = self.syntax.call(node, self.src)?;
        if !QUERY_SETTERS.contains(&call.name.as_str()) || call.args.len() < 2 {
            return None;
        }
        let key = self.eval(
            call.args[0].value,
            At {
                scope: 0,
                pos: node.start_byte(),
            },
            3,
        );
        match key.as_slice() {
            [pieces] if matches!(pieces.as_slice(), [Piece::Lit(k)] if k == "include") => {
                Some(("include".to_owned(), call.args[1].value))
            }
            _ => None,
        }
    }

    fn include_values(&self, node: Node<'t>, at: At, into: &mut Includes) {
        let items = self
            .syntax
            .list_items(node, self.src)
            .unwrap_or_else(|| vec![node]);
        for item in items {
            let alternatives = self.eval(item, at, 0);
            let literal = alternatives.len() == 1
                && alternatives[0].iter().all(|p| matches!(p, Piece::Lit(_)));
            if !literal {
                into.dynamic.push(shorten(text(item, self.src), 40));
                continue;
            }
            for value in render(&alternatives[0])
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                if !into.values.iter().any(|known| known == value) {
                    into.values.push(value.to_owned());
                }
            }
        }
    }

    /// Reports include values computed at run time.
    pub(super) fn dynamic_includes(&mut self, node: Node<'t>, what: &str, dynamic: &[String]) {
        for expr in dynamic {
            self.unresolved(
                node,
                UnresolvedReason::DynamicInclude,
                format!(
                    "the include value `{expr}` of {what} is computed at run time, so the extra scopes it needs are not known"
                ),
            );
        }
    }
}

/// `params["include"]`, `$params['include']`, `query[:include]` for the name `params`.
fn is_include_subscript(left: &str, name: &str) -> bool {
    let left = left.trim_start_matches(['$', '@']);
    let Some(rest) = left.strip_prefix(name) else {
        return false;
    };
    let key = rest.trim_matches(|c| matches!(c, '[' | ']' | '"' | '\'' | ':' | ' '));
    key == "include"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_subscripts() {
        assert!(is_include_subscript("params['include']", "params"));
        assert!(is_include_subscript("$query[\"include\"]", "query"));
        assert!(is_include_subscript("q[:include]", "q"));
        assert!(!is_include_subscript("params['fields']", "params"));
        assert!(!is_include_subscript("other['include']", "params"));
    }
}

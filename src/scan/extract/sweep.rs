//! The last pass over a file: a string no call took that is a Klaviyo
//! path on its own (a constant, a table entry, a URL passed where the
//! scanner cannot follow) is reported too, unless it is a docstring, a
//! comparison, a key, a JSON:API link or an argument of a call that sends
//! nothing.

use tree_sitter::Node;

use super::engine::Engine;
use super::method::is_not_request;
use super::pieces::render;
use super::position::Visit;
use super::request::is_trailing_lambda;
use super::target::{classify, first_dynamic, Reading};
use super::text;
use crate::scan::model::{MethodHint, UnresolvedReason};

impl<'t> Engine<'_, 't> {
    /// Pass 3: a string no call took that is a Klaviyo path on its own.
    pub(super) fn sweep(&mut self, visit: Visit<'t>) {
        let node = visit.node;
        if self.syntax.string_parts(node, self.src).is_none() || self.consumed.contains(&node.id())
        {
            return;
        }
        let root = self.expression_root(node);
        if self.is_not_a_path_site(root) {
            return;
        }
        self.touched.borrow_mut().clear();
        let alternatives = self.eval(root, visit.at(), 0);
        let touched = std::mem::take(&mut *self.touched.borrow_mut());
        if touched.iter().any(|id| self.consumed.contains(id)) {
            return;
        }
        self.consumed.extend(touched);
        self.consumed.insert(node.id());
        let params = self.params.get(&visit.scope).cloned().unwrap_or_default();
        let mut seen = Vec::new();
        for pieces in alternatives {
            let Reading::Path(target) = classify(&pieces, true) else {
                continue;
            };
            let klaviyo_shaped = target.on_host || self.names_klaviyo;
            if !klaviyo_shaped || seen.contains(&target.pieces) {
                continue;
            }
            if let Some(hole) = first_dynamic(&target) {
                if !params.contains(&hole) && target.on_host {
                    self.unresolved(
                        root,
                        UnresolvedReason::DynamicPath,
                        format!(
                            "the path `{}` is computed at run time (`{hole}`), so its operation is not known; write the resource path literally",
                            render(&target.pieces)
                        ),
                    );
                }
                continue;
            }
            seen.push(target.pieces.clone());
            let method = target.method.map_or(MethodHint::Absent, MethodHint::Known);
            let constant = self.assigned_name(root);
            let taken = super::request::Taken {
                constant,
                ..super::request::Taken::default()
            };
            self.push_path_call(root, target, method, Some(taken));
            if let Some(last) = self.findings.path_calls.last_mut() {
                last.standalone = true;
            }
        }
    }

    /// The constant a value is assigned to (`LISTS = "…/api/lists"`).
    fn assigned_name(&self, root: Node<'t>) -> Option<String> {
        let mut node = root;
        for _ in 0..2 {
            node = self.parent_of(node)?;
            if let Some((name, value)) = self.syntax.assignment(node, self.src) {
                let holds =
                    value.start_byte() <= root.start_byte() && root.end_byte() <= value.end_byte();
                return holds.then_some(name);
            }
        }
        None
    }

    /// The whole string expression a literal is part of (`BASE + "/lists"`,
    /// `fmt.Sprintf("%s/lists", base)`).
    fn expression_root(&self, node: Node<'t>) -> Node<'t> {
        let mut root = node;
        'up: for _ in 0..6 {
            // The parent, or an argument list's call (a format call).
            let mut candidate = self.parent_of(root);
            for _ in 0..3 {
                let Some(up) = candidate else { break 'up };
                let part_of = self.syntax.concat(up, self.src).is_some()
                    || self.syntax.branches(up, self.src).is_some()
                    || self.syntax.string_parts(up, self.src).is_some();
                if part_of {
                    root = up;
                    continue 'up;
                }
                if !up.kind().contains("argument") {
                    break 'up;
                }
                candidate = self.parent_of(up);
            }
            break;
        }
        root
    }

    /// An operand of `==`, `!=`, `in` (a test's expectation, not a request).
    pub(super) fn is_compared(&self, node: Node<'t>) -> bool {
        let Some(parent) = self.parent_of(node) else {
            return false;
        };
        (0..parent.child_count()).any(|i| {
            parent.child(i as u32).is_some_and(|c| {
                !c.is_named()
                    && matches!(
                        text(c, self.src),
                        "==" | "!=" | "===" | "!==" | "in" | "not in" | "=~" | "<" | ">"
                    )
            })
        })
    }

    /// A docstring, a comparison, a dictionary key, a JSON:API link, or an
    /// argument of a call that sends nothing (a log line, an assertion).
    fn is_not_a_path_site(&self, root: Node<'t>) -> bool {
        let Some(parent) = self.parent_of(root) else {
            return false;
        };
        if parent.kind() == "expression_statement" && parent.named_child_count() == 1 {
            return true;
        }
        // A key or a name (`"/api/x": {…}` in a type), not a value.
        let named_here = ["key", "name", "property"].iter().any(|field| {
            parent
                .child_by_field_name(field)
                .is_some_and(|n| n.id() == root.id())
        });
        if named_here {
            return true;
        }
        // Server routes and other declarations in annotations and decorators.
        let mut up = Some(parent);
        for _ in 0..4 {
            let Some(node) = up else { break };
            if matches!(
                node.kind(),
                "attribute" | "annotation" | "marker_annotation" | "decorator" | "attribute_list"
            ) {
                return true;
            }
            up = self.parent_of(node);
        }
        if self.is_compared(root) {
            return true;
        }
        if let Some((key, value)) = self.syntax.pair(parent, self.src) {
            if value.id() != root.id() {
                return true;
            }
            if matches!(
                key.as_str(),
                "next" | "prev" | "self" | "first" | "last" | "related"
            ) {
                return true;
            }
        }
        let mut current = parent;
        for _ in 0..3 {
            if let Some(call) = self.syntax.call(current, self.src) {
                if self.is_compared(current) {
                    return true;
                }
                let route = call.args.iter().any(|a| {
                    self.syntax.is_function(a.value.kind()) && !is_trailing_lambda(a, &call)
                });
                return route || is_not_request(&call.name);
            }
            match self.parent_of(current) {
                Some(up) => current = up,
                None => break,
            }
        }
        false
    }
}

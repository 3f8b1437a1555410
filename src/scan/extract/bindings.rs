//! What names hold in one file: each assignment, by name and function
//! scope, found again in logarithmic time so that a file with many
//! assignments to one name costs no more per read. A name is read in its
//! function, then in the functions around it, then at module level; a
//! member (`self.base`, `@base`) also in any method; a parameter of the
//! function hides the rest.

use std::collections::HashMap;

use tree_sitter::Node;

use super::position::At;

/// A name's value where it was assigned.
#[derive(Debug, Clone)]
pub(super) struct Binding<'t> {
    pub scope: usize,
    pub pos: usize,
    pub value: Node<'t>,
    /// The value comes from a response's `links.related` / `links.next`.
    pub related: bool,
    /// Assigned to a member (`self.base = …`, `@base = …`), so it is read
    /// in other methods too.
    pub member: bool,
}

/// Every assignment to one name, in source order.
#[derive(Debug, Default)]
struct Named<'t> {
    all: Vec<Binding<'t>>,
    /// Positions in `all` by scope, in source order.
    by_scope: HashMap<usize, Vec<usize>>,
    last_member: Option<usize>,
}

/// The assignments of a file.
#[derive(Debug, Default)]
pub(super) struct Bindings<'t> {
    names: HashMap<String, Named<'t>>,
}

/// The scopes a name is read through.
pub(super) struct Scopes<'a> {
    /// Each function's parameters, by the function node's id.
    pub params: &'a HashMap<usize, Vec<String>>,
    /// The scope each function is in.
    pub parents: &'a HashMap<usize, usize>,
}

impl<'t> Bindings<'t> {
    /// Records an assignment; assignments come in source order.
    pub(super) fn insert(&mut self, name: String, binding: Binding<'t>) {
        let named = self.names.entry(name).or_default();
        let position = named.all.len();
        named
            .by_scope
            .entry(binding.scope)
            .or_default()
            .push(position);
        if binding.member {
            named.last_member = Some(position);
        }
        named.all.push(binding);
    }

    /// The value of a name visible at `at`.
    pub(super) fn lookup(
        &self,
        name: &str,
        at: At,
        member: bool,
        scopes: &Scopes<'_>,
    ) -> Option<&Binding<'t>> {
        let named = self.names.get(name)?;
        let mut scope = at.scope;
        loop {
            if let Some(positions) = named.by_scope.get(&scope) {
                // Module level is read whole (a constant defined below its
                // use); in a function, the latest assignment before `at`.
                let before = if scope == 0 {
                    positions.len()
                } else {
                    positions.partition_point(|&i| named.all[i].pos < at.pos)
                };
                if let Some(&i) = before.checked_sub(1).and_then(|b| positions.get(b)) {
                    return Some(&named.all[i]);
                }
            }
            let is_parameter = scopes
                .params
                .get(&scope)
                .is_some_and(|p| p.iter().any(|p| p == name));
            if !member && is_parameter {
                return None;
            }
            match scopes.parents.get(&scope) {
                Some(parent) if scope != 0 => scope = *parent,
                _ => break,
            }
        }
        if member {
            named.all.last()
        } else {
            named.last_member.map(|i| &named.all[i])
        }
    }

    /// Every name with its assignments.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &[Binding<'t>])> {
        self.names
            .iter()
            .map(|(name, named)| (name.as_str(), named.all.as_slice()))
    }
}

/// An SDK client a name holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Sdk {
    /// `KlaviyoAPI(...)`: its namespaces (`.Profiles`) are API objects.
    Root,
    /// An API object of one namespace (`new ProfilesApi(...)`, `klaviyo.Profiles`).
    Api(String),
    /// A client of an old SDK (`klaviyo.Klaviyo(...)`, `new Klaviyo(...)`).
    LegacyRoot,
}

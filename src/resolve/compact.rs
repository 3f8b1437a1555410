//! A resolution by catalog position: which operation each input resolved to,
//! and what needs each scope, before any text is copied out of the catalog.
//! The server writes its JSON answer straight from it (`link::json`), so a
//! cold request builds no owned item, explanation or reason only to drop
//! them; [`CompactResolution::into_resolution`] makes the owned
//! [`Resolution`] every other front end reads, from the same needs.

use super::{
    InputItem, ItemError, MatchedBy, NeededBy, Reason, Resolution, ResolvedItem, ScopeExplanation,
    Warning, WarningCode,
};
use crate::catalog::{Catalog, CatalogInput, Operation, ScopeId, SharedList};
use crate::scope::Scope;

/// An input that resolved: where it is, its operation's place in the
/// catalog, the form it was recognised as and the includes it asked for
/// (each one the operation takes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub index: usize,
    pub operation: usize,
    pub matched_by: MatchedBy,
    pub includes: Vec<String>,
    /// The input is a text the plain reader took (`plain::read`), so no
    /// byte of it needs escaping in JSON.
    pub plain_text: bool,
}

/// What the explanation reads of a resolved item, compact or owned.
pub(crate) trait Explainable {
    /// The input's place in the request.
    fn index(&self) -> usize;
    /// The operation's place in the catalog.
    fn operation(&self) -> usize;
    fn includes(&self) -> &[String];
}

impl Explainable for Found {
    fn index(&self) -> usize {
        self.index
    }
    fn operation(&self) -> usize {
        self.operation
    }
    fn includes(&self) -> &[String] {
        &self.includes
    }
}

impl Explainable for ResolvedItem {
    fn index(&self) -> usize {
        self.index
    }
    fn operation(&self) -> usize {
        self.catalog_position
    }
    fn includes(&self) -> &[String] {
        &self.includes
    }
}

/// Where an include value the operation takes is in its rules (and in its
/// [`crate::catalog::SharedText::includes`]).
pub(crate) fn include_slot(operation: &Operation, value: &str) -> usize {
    operation
        .includes
        .iter()
        .position(|rule| rule.value == value)
        .expect("the resolver checked the operation takes the include")
}

/// The owned item for `found`, with its input.
pub(crate) fn resolved_item(catalog: &Catalog, found: Found, input: InputItem) -> ResolvedItem {
    let op = catalog.operation(found.operation);
    let text = catalog.shared_text(found.operation);
    // The catalog holds the scopes for no include and for each include alone.
    let scopes = match &found.includes[..] {
        [] => text.scopes_without_includes.clone(),
        [value] => text.includes[include_slot(op, value)]
            .scopes_with_operation
            .clone(),
        _ => SharedList::from(op.scopes_with_includes(&found.includes)),
    };
    ResolvedItem {
        index: found.index,
        input,
        operation_id: text.operation_id.clone(),
        method: op.method,
        path: text.path.clone(),
        tag: text.tag.clone(),
        summary: text.summary.clone(),
        matched_by: found.matched_by,
        includes: found.includes,
        scopes,
        beta_revision: op.beta_revision.clone(),
        client: op.client,
        catalog_position: found.operation,
    }
}

/// The text the catalog rendered for an input that is its operation's
/// endpoint or operationId exactly, for the answer's JSON and URLs.
pub(crate) fn catalog_input<'c>(
    catalog: &'c Catalog,
    found: &Found,
    input: &InputItem,
) -> Option<&'c CatalogInput> {
    let text = catalog.shared_text(found.operation);
    match (input.sole_text()?, found.matched_by) {
        (input, MatchedBy::Path) if input == &*text.endpoint => Some(&text.endpoint_input),
        (input, MatchedBy::OperationId) if input == &*text.operation_id => {
            Some(&text.operation_id_input)
        }
        _ => None,
    }
}

/// Why an item needs a scope: the compact [`Reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    Operation,
    /// The include value at this place in the operation's rules.
    Include(usize),
    /// The write scope the read one is paired with.
    WriteImpliesRead(ScopeId),
}

/// One item that needs a scope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Need {
    /// The item's place in the list of resolved items.
    pub item: usize,
    pub why: Why,
    /// The next need of the same scope (`NONE` for the last).
    next: u32,
}

/// A scope needed, and where its first and last needs are.
#[derive(Debug, Clone, Copy)]
struct ScopeNeeds {
    scope: ScopeId,
    first: u32,
    last: u32,
}

/// What needs each scope: one list of needs, chained scope by scope, so
/// that gathering them makes no list per scope.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    needs: Vec<Need>,
    /// Sorted by scope id (the scopes' order) once gathered.
    scopes: Vec<ScopeNeeds>,
}

const NONE: u32 = u32::MAX;

impl Needs {
    /// The needs of `items`, in their order, each scope's listed in the order
    /// the items need it; unless `minimal`, each `x:write` with `x:read`, as
    /// Klaviyo's own example link does: where nothing needs the read scope,
    /// what needs the write does. `/client` operations need nothing.
    pub(crate) fn of<T: Explainable>(catalog: &Catalog, items: &[T], minimal: bool) -> Needs {
        let ids = catalog.scope_ids();
        let mut needs = Needs {
            needs: Vec::with_capacity(2 * items.len()),
            // Room for the scopes of a few operations: growing from empty costs more.
            scopes: Vec::with_capacity(8),
        };
        // For each scope id, its place in `needs.scopes` (`NONE` until
        // needed): on the stack for a catalog's few dozen scopes.
        let mut on_stack = [NONE; 96];
        let mut on_heap = Vec::new();
        let place: &mut [u32] = match on_stack.get_mut(..ids.len()) {
            Some(place) => place,
            None => {
                on_heap.resize(ids.len(), NONE);
                &mut on_heap
            }
        };
        for (at, item) in items.iter().enumerate() {
            let op = catalog.operation(item.operation());
            if op.client {
                continue;
            }
            let text = catalog.shared_text(item.operation());
            for &scope in &text.scope_ids {
                needs.push(place, scope, at, Why::Operation);
            }
            for value in item.includes() {
                let slot = include_slot(op, value);
                for &scope in &text.includes[slot].scope_ids {
                    needs.push(place, scope, at, Why::Include(slot));
                }
            }
        }
        if !minimal {
            // (The read scopes added are never writes: the loop sees them and moves on.)
            for at in 0..needs.scopes.len() {
                let write = needs.scopes[at].scope;
                let Some(read) = ids.read_of(write) else {
                    continue;
                };
                if place[read.index()] != NONE {
                    continue;
                }
                let mut next = needs.scopes[at].first;
                while next != NONE {
                    let need = needs.needs[next as usize];
                    needs.push(place, read, need.item, Why::WriteImpliesRead(write));
                    next = need.next;
                }
            }
        }
        needs.scopes.sort_unstable_by_key(|entry| entry.scope);
        needs
    }

    fn push(&mut self, place: &mut [u32], scope: ScopeId, item: usize, why: Why) {
        let at = u32::try_from(self.needs.len()).expect("fewer than 2^32 needs");
        self.needs.push(Need {
            item,
            why,
            next: NONE,
        });
        let entry = &mut place[scope.index()];
        if *entry == NONE {
            *entry = u32::try_from(self.scopes.len()).expect("fewer than 2^32 scopes");
            self.scopes.push(ScopeNeeds {
                scope,
                first: at,
                last: at,
            });
        } else {
            let scope_needs = &mut self.scopes[*entry as usize];
            self.needs[scope_needs.last as usize].next = at;
            scope_needs.last = at;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// How many scopes are needed.
    pub(crate) fn scope_count(&self) -> usize {
        self.scopes.len()
    }

    /// How many needs there are, over all scopes.
    pub(crate) fn need_count(&self) -> usize {
        self.needs.len()
    }

    /// The scopes needed, in order.
    pub(crate) fn scopes<'s, 'c: 's>(
        &'s self,
        catalog: &'c Catalog,
    ) -> impl Iterator<Item = &'c Scope> + Clone + 's {
        let ids = catalog.scope_ids();
        self.scopes.iter().map(move |entry| ids.scope(entry.scope))
    }

    /// Each scope needed, in order, with what needs it.
    pub(crate) fn by_scope(&self) -> impl Iterator<Item = (ScopeId, NeedsOfScope<'_>)> {
        self.scopes.iter().map(|entry| {
            (
                entry.scope,
                NeedsOfScope {
                    needs: &self.needs,
                    next: entry.first,
                },
            )
        })
    }

    /// The owned explanations, for the items the needs were gathered from.
    pub(crate) fn explanations<T: Explainable>(
        &self,
        catalog: &Catalog,
        items: &[T],
    ) -> Vec<ScopeExplanation> {
        let ids = catalog.scope_ids();
        self.by_scope()
            .map(|(scope, needs)| ScopeExplanation {
                scope: ids.scope(scope).clone(),
                needed_by: needs
                    .map(|need| {
                        let item = &items[need.item];
                        let text = catalog.shared_text(item.operation());
                        let reason = match need.why {
                            Why::Operation => Reason::Operation,
                            Why::Include(slot) => Reason::Include {
                                value: text.includes[slot].value.clone(),
                                evidence: text.includes[slot].evidence.clone(),
                            },
                            Why::WriteImpliesRead(write) => Reason::WriteImpliesRead {
                                write_scope: ids.scope(write).clone(),
                            },
                        };
                        NeededBy {
                            index: item.index(),
                            operation_id: text.operation_id.clone(),
                            reason,
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The needs of one scope, in order.
#[derive(Debug, Clone)]
pub(crate) struct NeedsOfScope<'n> {
    needs: &'n [Need],
    next: u32,
}

impl<'n> Iterator for NeedsOfScope<'n> {
    type Item = &'n Need;

    fn next(&mut self) -> Option<&'n Need> {
        let need = self.needs.get(self.next as usize)?;
        self.next = need.next;
        Some(need)
    }
}

/// The warnings for `items`: each `/client` and beta operation, and a link
/// that needs no scope.
pub(crate) fn warnings_of<T: Explainable>(
    catalog: &Catalog,
    items: &[T],
    needs: &Needs,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for item in items {
        let op = catalog.operation(item.operation());
        if op.client {
            warnings.push(Warning {
                code: WarningCode::ClientEndpoint,
                index: Some(item.index()),
                message: format!(
                    "{} ({} {}) is a /client endpoint: it takes the 6-character public key as `company_id`, never a private key, so it adds no scopes",
                    op.operation_id, op.method, op.path
                ),
            });
        } else if let Some(revision) = &op.beta_revision {
            warnings.push(Warning {
                code: WarningCode::BetaOperation,
                index: Some(item.index()),
                message: format!(
                    "{} is a beta operation: call it with the header `revision: {revision}`; beta revisions are not for production",
                    op.operation_id
                ),
            });
        }
    }
    if needs.is_empty() && !items.is_empty() {
        warnings.push(Warning {
            code: WarningCode::NoScopes,
            index: None,
            message: "none of the operations needs a private-key scope".to_owned(),
        });
    }
    warnings
}

/// Everything resolved from a list of inputs, by catalog position (see the
/// module docs); the inputs stay with the caller.
#[derive(Debug)]
pub struct CompactResolution<'c> {
    pub(crate) catalog: &'c Catalog,
    /// The inputs that resolved, in input order.
    pub(crate) found: Vec<Found>,
    pub(crate) needs: Needs,
    pub(crate) warnings: Vec<Warning>,
    pub errors: Vec<ItemError>,
}

impl<'c> CompactResolution<'c> {
    pub(crate) fn new(
        catalog: &'c Catalog,
        found: Vec<Found>,
        errors: Vec<ItemError>,
        minimal: bool,
    ) -> CompactResolution<'c> {
        let needs = Needs::of(catalog, &found, minimal);
        let warnings = warnings_of(catalog, &found, &needs);
        CompactResolution {
            catalog,
            found,
            needs,
            warnings,
            errors,
        }
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// The scopes needed, sorted.
    pub fn scopes(&self) -> impl Iterator<Item = &'c Scope> + Clone + '_ {
        self.needs.scopes(self.catalog)
    }

    /// The owned resolution, each resolved item with `input_of(its index)`.
    pub fn into_resolution(self, mut input_of: impl FnMut(usize) -> InputItem) -> Resolution {
        let explanations = self.needs.explanations(self.catalog, &self.found);
        let operations = self
            .found
            .into_iter()
            .map(|found| {
                let input = input_of(found.index);
                resolved_item(self.catalog, found, input)
            })
            .collect();
        Resolution {
            scopes: explanations.iter().map(|e| e.scope.clone()).collect(),
            explanations,
            operations,
            warnings: self.warnings,
            errors: self.errors,
        }
    }
}

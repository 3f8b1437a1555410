//! Numbers for the scopes a catalog's answers can name, in the scopes' sorted
//! order, so that the resolver groups and sorts scopes by comparing numbers
//! instead of texts.

use super::ScopeUsage;
use crate::scope::{Level, Scope};

/// A scope's position in its catalog's [`ScopeIds`]: ids order as the
/// scopes' texts do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeId(u32);

impl ScopeId {
    /// The id as a position, for tables indexed by scope.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Every scope an operation or include value needs, with the read scope of
/// each write (which a non-minimal answer adds), sorted.
#[derive(Debug, Default)]
pub struct ScopeIds {
    scopes: Box<[Scope]>,
    /// For each scope, the id of `family:read` when the scope is a write.
    read_of: Box<[Option<ScopeId>]>,
}

impl ScopeIds {
    pub(super) fn of(usage: &ScopeUsage) -> ScopeIds {
        let mut scopes: Vec<Scope> = usage.scopes().cloned().collect();
        for scope in usage.scopes().filter(|scope| scope.is_write()) {
            let read = scope.at(Level::Read);
            if !usage.contains(&read) {
                scopes.push(read);
            }
        }
        scopes.sort();
        scopes.dedup();
        let mut ids = ScopeIds {
            scopes: scopes.into_boxed_slice(),
            read_of: Box::default(),
        };
        ids.read_of = ids
            .scopes
            .iter()
            .map(|scope| {
                scope
                    .is_write()
                    .then(|| ids.id(&scope.at(Level::Read)).expect("added above"))
            })
            .collect();
        ids
    }

    /// How many scopes have ids.
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// Whether no scope has an id (an empty catalog).
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// The id of a scope, if the catalog needs it anywhere.
    pub fn id(&self, scope: &str) -> Option<ScopeId> {
        self.scopes
            .binary_search_by(|known| known.as_str().cmp(scope))
            .ok()
            .map(|at| ScopeId(u32::try_from(at).expect("fewer than 2^32 scopes")))
    }

    /// The catalog's own copy of the scope (cloning it allocates nothing).
    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.0 as usize]
    }

    /// For a write scope, the id of its family's read scope.
    pub fn read_of(&self, id: ScopeId) -> Option<ScopeId> {
        self.read_of[id.0 as usize]
    }

    /// The ids of scopes the catalog holds (each must be one of them).
    pub(super) fn ids_of<'s>(&self, scopes: impl IntoIterator<Item = &'s Scope>) -> Box<[ScopeId]> {
        scopes
            .into_iter()
            .map(|scope| self.id(scope).expect("the usage holds every scope"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn ids_order_as_the_scopes_do_and_pair_each_write_with_its_read() {
        let catalog = Catalog::embedded();
        let ids = catalog.scope_ids();
        let all: Vec<&Scope> = ids.scopes.iter().collect();
        assert!(all.windows(2).all(|pair| pair[0] < pair[1]));
        for scope in catalog.scopes() {
            let id = ids.id(scope).expect("every catalog scope has an id");
            assert_eq!(ids.scope(id), scope);
            match ids.read_of(id) {
                Some(read) => {
                    assert!(scope.is_write());
                    assert_eq!(*ids.scope(read), scope.at(Level::Read));
                }
                None => assert!(!scope.is_write()),
            }
        }
        assert_eq!(ids.id("nothing:read"), None);
    }
}

//! The scope → operations index: which operations need each scope, by
//! themselves or through an include value. Built once per catalog, it answers
//! `GET /v1/scopes` and the audit's "is this scope used, and by how many".

use std::collections::BTreeMap;

use super::Operation;
use crate::scope::Scope;

/// What needs one scope. Indices are positions in the catalog's operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeUse {
    /// Operations that list the scope in `x-klaviyo-scopes`.
    pub operations: Vec<usize>,
    /// `(operation, include value)` pairs whose include needs the scope.
    pub includes: Vec<(usize, String)>,
    /// Private-key stable operations that need it either way.
    pub stable_operations: usize,
    /// Private-key beta operations that need it either way.
    pub beta_operations: usize,
}

impl ScopeUse {
    /// Private-key operations (stable and beta) that need the scope.
    pub fn private_key_operations(&self) -> usize {
        self.stable_operations + self.beta_operations
    }
}

/// Every scope of a catalog with what needs it, sorted by scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeUsage {
    by_scope: BTreeMap<Scope, ScopeUse>,
}

impl ScopeUsage {
    pub(super) fn of(operations: &[Operation]) -> ScopeUsage {
        let mut by_scope: BTreeMap<Scope, ScopeUse> = BTreeMap::new();
        for (index, op) in operations.iter().enumerate() {
            for scope in &op.scopes {
                let entry = by_scope.entry(scope.clone()).or_default();
                entry.operations.push(index);
            }
            for rule in &op.includes {
                for scope in &rule.extra_scopes {
                    let entry = by_scope.entry(scope.clone()).or_default();
                    entry.includes.push((index, rule.value.clone()));
                }
            }
            if op.client {
                continue;
            }
            let mut needed: Vec<&Scope> = op.all_scopes().collect();
            needed.sort();
            needed.dedup();
            for scope in needed {
                let entry = by_scope.get_mut(scope).expect("inserted above");
                if op.is_beta() {
                    entry.beta_operations += 1;
                } else {
                    entry.stable_operations += 1;
                }
            }
        }
        ScopeUsage { by_scope }
    }

    /// Every scope some operation or include value needs, sorted.
    pub fn scopes(&self) -> impl Iterator<Item = &Scope> {
        self.by_scope.keys()
    }

    /// Each scope with what needs it, sorted by scope.
    pub fn iter(&self) -> impl Iterator<Item = (&Scope, &ScopeUse)> {
        self.by_scope.iter()
    }

    /// What needs a scope, if anything does.
    pub fn get(&self, scope: &str) -> Option<&ScopeUse> {
        self.by_scope.get(scope)
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.by_scope.contains_key(scope)
    }
}

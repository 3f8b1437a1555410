//! Lookup structures built once per catalog: names to operations, and a
//! segment trie over path templates.
//!
//! Klaviyo's templates never overlap when a parameter matches exactly one
//! segment (KLAVIYO_FACTS §6), so the trie prefers a literal child over the
//! parameter child and needs no backtracking beyond that.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{CatalogError, Operation};

/// FNV-1a: a few instructions a byte where the standard SipHash costs a few
/// hundred a lookup. The keys are the catalog's own (names, path segments),
/// fixed when it loads; inputs only look up, so they cannot flood a bucket.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by catalog text, hashed with [`Fnv`].
type TextMap<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

/// operationId and alias → operation. Stable operations win over beta ones
/// that share a name (they point at the same endpoint, KLAVIYO_FACTS §4.1).
#[derive(Debug, Default)]
pub(super) struct NameIndex {
    by_name: TextMap<usize>,
}

impl NameIndex {
    pub(super) fn build(operations: &[Operation]) -> Result<NameIndex, CatalogError> {
        let mut by_name: TextMap<usize> = TextMap::default();
        for (index, operation) in operations.iter().enumerate() {
            for name in operation.names() {
                match by_name.get(name).copied() {
                    None => {
                        by_name.insert(name.to_owned(), index);
                    }
                    Some(other) => {
                        let existing = &operations[other];
                        let same_endpoint =
                            existing.method == operation.method && existing.path == operation.path;
                        if existing.is_beta() == operation.is_beta() || !same_endpoint {
                            return Err(CatalogError::NameClash {
                                name: name.to_owned(),
                                first: existing.operation_id.clone(),
                                second: operation.operation_id.clone(),
                            });
                        }
                        if existing.is_beta() {
                            by_name.insert(name.to_owned(), index);
                        }
                    }
                }
            }
        }
        Ok(NameIndex { by_name })
    }

    pub(super) fn get(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_name
            .iter()
            .map(|(name, index)| (name.as_str(), *index))
    }
}

#[derive(Debug, Default)]
struct Node {
    literal: TextMap<Node>,
    parameter: Option<Box<Node>>,
    /// Set when a template ends here.
    endpoint: Option<Endpoint>,
}

#[derive(Debug)]
struct Endpoint {
    template: String,
    /// Operations on this template, stable before beta.
    operations: Vec<usize>,
}

/// A matched path template and the operations on it (stable first).
#[derive(Debug, Clone, Copy)]
pub struct PathMatch<'a> {
    pub template: &'a str,
    pub operations: &'a [usize],
}

/// A trie over the `/`-separated segments of every path template.
#[derive(Debug, Default)]
pub(super) struct PathIndex {
    root: Node,
}

impl PathIndex {
    pub(super) fn build(operations: &[Operation]) -> PathIndex {
        let mut index = PathIndex::default();
        for (position, operation) in operations.iter().enumerate() {
            let mut node = &mut index.root;
            for segment in template_segments(&operation.path) {
                node = if segment.starts_with('{') && segment.ends_with('}') {
                    node.parameter.get_or_insert_with(Box::default)
                } else {
                    node.literal.entry(segment.to_owned()).or_default()
                };
            }
            let endpoint = node.endpoint.get_or_insert_with(|| Endpoint {
                template: operation.path.clone(),
                operations: Vec::new(),
            });
            endpoint.operations.push(position);
        }
        index.sort_stable_first(operations);
        index
    }

    fn sort_stable_first(&mut self, operations: &[Operation]) {
        fn visit(node: &mut Node, operations: &[Operation]) {
            if let Some(endpoint) = &mut node.endpoint {
                endpoint
                    .operations
                    .sort_by_key(|&i| (operations[i].is_beta(), operations[i].method));
            }
            for child in node.literal.values_mut() {
                visit(child, operations);
            }
            if let Some(child) = &mut node.parameter {
                visit(child, operations);
            }
        }
        visit(&mut self.root, operations);
    }

    /// Matches decoded path segments (without the leading empty one).
    pub(super) fn matches<'s>(
        &self,
        segments: impl Iterator<Item = &'s str> + Clone,
    ) -> Option<PathMatch<'_>> {
        fn walk<'a, 's>(
            node: &'a Node,
            mut segments: impl Iterator<Item = &'s str> + Clone,
        ) -> Option<&'a Endpoint> {
            let Some(first) = segments.next() else {
                return node.endpoint.as_ref();
            };
            if let Some(child) = node.literal.get(first) {
                if let Some(found) = walk(child, segments.clone()) {
                    return Some(found);
                }
            }
            match &node.parameter {
                Some(child) if !first.is_empty() => walk(child, segments),
                _ => None,
            }
        }
        walk(&self.root, segments).map(|endpoint| PathMatch {
            template: &endpoint.template,
            operations: &endpoint.operations,
        })
    }

    pub(super) fn templates(&self) -> impl Iterator<Item = (&str, &[usize])> {
        let mut found = Vec::new();
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            if let Some(endpoint) = &node.endpoint {
                found.push((endpoint.template.as_str(), endpoint.operations.as_slice()));
            }
            stack.extend(node.literal.values());
            stack.extend(node.parameter.as_deref());
        }
        found.sort_by_key(|(template, _)| *template);
        found.into_iter()
    }
}

/// The segments of a template or path after the leading `/`.
pub(crate) fn template_segments(path: &str) -> impl Iterator<Item = &str> {
    path.trim_start_matches('/').split('/')
}

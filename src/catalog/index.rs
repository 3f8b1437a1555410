//! Lookup structures built once per catalog: names to operations, and a
//! segment trie over path templates.
//!
//! Klaviyo's templates never overlap when a parameter matches exactly one
//! segment (KLAVIYO_FACTS §6), so the trie prefers a literal child over the
//! parameter child and needs no backtracking beyond that.

use std::collections::HashMap;

use fnv::FnvBuildHasher;

use super::{CatalogError, Operation};

/// A map keyed by catalog text, hashed with FNV-1a: a few instructions a
/// byte where the standard SipHash costs a few hundred a lookup. The keys are
/// fixed when the catalog loads and inputs only look up, so they cannot
/// flood a bucket.
type TextMap<V> = HashMap<String, V, FnvBuildHasher>;

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
    literal: Children,
    parameter: Option<Box<Node>>,
    /// Set when a template ends here.
    endpoint: Option<Endpoint>,
}

/// Whether `literal` is `segment` with its ASCII letters lowercased.
fn is_lowercase_of(literal: &str, segment: &str) -> bool {
    literal.len() == segment.len()
        && literal
            .bytes()
            .zip(segment.bytes())
            .all(|(l, s)| l == s.to_ascii_lowercase())
}

/// A node's literal children: a map while the trie is built, then a short
/// list compared in order where a node has few (nearly all do), since
/// hashing a segment costs more than comparing it with a handful.
#[derive(Debug)]
enum Children {
    Few(Vec<(Box<str>, Node)>),
    Many(TextMap<Node>),
}

impl Default for Children {
    fn default() -> Children {
        Children::Many(TextMap::default())
    }
}

impl Children {
    /// Up to this many children are compared one by one.
    const FEW: usize = 8;

    /// The child whose literal is `segment` with its ASCII letters
    /// lowercased: inputs are matched ignoring their letter case, without
    /// being lowercased first.
    fn get(&self, segment: &str) -> Option<&Node> {
        match self {
            Children::Few(children) => children
                .iter()
                .find(|(literal, _)| is_lowercase_of(literal, segment))
                .map(|(_, node)| node),
            Children::Many(children) if !segment.bytes().any(|b| b.is_ascii_uppercase()) => {
                children.get(segment)
            }
            Children::Many(children) => children.get(segment.to_ascii_lowercase().as_str()),
        }
    }

    fn entry(&mut self, segment: &str) -> &mut Node {
        match self {
            Children::Many(children) => children.entry(segment.to_owned()).or_default(),
            // Only the build adds children, before they are listed; a listed
            // node still takes one (the list is read by comparing each).
            Children::Few(children) => {
                let at = match children
                    .iter()
                    .position(|(literal, _)| **literal == *segment)
                {
                    Some(at) => at,
                    None => {
                        children.push((Box::from(segment), Node::default()));
                        children.len() - 1
                    }
                };
                &mut children[at].1
            }
        }
    }

    fn values(&self) -> Box<dyn Iterator<Item = &Node> + '_> {
        match self {
            Children::Few(children) => Box::new(children.iter().map(|(_, node)| node)),
            Children::Many(children) => Box::new(children.values()),
        }
    }

    fn values_mut(&mut self) -> Box<dyn Iterator<Item = &mut Node> + '_> {
        match self {
            Children::Few(children) => Box::new(children.iter_mut().map(|(_, node)| node)),
            Children::Many(children) => Box::new(children.values_mut()),
        }
    }

    /// Lists the children of every node that has few (sorted, so the trie is
    /// the same on every load).
    fn settle(&mut self) {
        if let Children::Many(map) = self {
            if map.len() <= Children::FEW {
                let mut children: Vec<(Box<str>, Node)> = std::mem::take(map)
                    .into_iter()
                    .map(|(literal, node)| (literal.into_boxed_str(), node))
                    .collect();
                children.sort_by(|a, b| a.0.cmp(&b.0));
                *self = Children::Few(children);
            }
        }
        self.values_mut().for_each(Node::settle);
    }
}

impl Node {
    fn settle(&mut self) {
        self.literal.settle();
        if let Some(child) = &mut self.parameter {
            child.settle();
        }
    }
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

/// No template has more segments than this (checked when the trie is built),
/// so a longer path matches none and a walk recurses at most this deep.
const MAX_SEGMENTS: usize = 16;

impl PathIndex {
    pub(super) fn build(operations: &[Operation]) -> Result<PathIndex, CatalogError> {
        let mut index = PathIndex::default();
        for (position, operation) in operations.iter().enumerate() {
            let mut node = &mut index.root;
            let mut depth = 0;
            for segment in template_segments(&operation.path) {
                depth += 1;
                node = if segment.starts_with('{') && segment.ends_with('}') {
                    node.parameter.get_or_insert_with(Box::default)
                } else {
                    node.literal.entry(segment)
                };
            }
            if depth > MAX_SEGMENTS {
                return Err(CatalogError::PathTooDeep {
                    path: operation.path.clone(),
                    limit: MAX_SEGMENTS,
                });
            }
            let endpoint = node.endpoint.get_or_insert_with(|| Endpoint {
                template: operation.path.clone(),
                operations: Vec::new(),
            });
            endpoint.operations.push(position);
        }
        index.sort_stable_first(operations);
        index.root.settle();
        Ok(index)
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

    /// Matches decoded path segments (without the leading empty one), each
    /// as it is lowercased (ASCII letters only).
    pub(super) fn matches<'s>(
        &self,
        segments: impl Iterator<Item = &'s str> + Clone,
    ) -> Option<PathMatch<'_>> {
        // The segments are read as the walk goes down, and re-read from a
        // copy of the iterator only where a literal child leads nowhere.
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

#[cfg(test)]
mod tests {
    use super::is_lowercase_of;
    use crate::catalog::Catalog;

    #[test]
    fn a_literal_is_matched_by_what_lowercases_to_it() {
        let texts = [
            "",
            "a",
            "A",
            "ab",
            "aB",
            "Ab",
            "profiles",
            "PROFILES",
            "pröfiles",
            "PRöFILES",
            "Foo",
            "foo",
            "a-b_1",
            "A-B_1",
        ];
        for literal in texts {
            for segment in texts {
                assert_eq!(
                    is_lowercase_of(literal, segment),
                    literal == segment.to_ascii_lowercase(),
                    "{literal:?} {segment:?}"
                );
            }
        }
    }

    /// Every template, with concrete ids and its letters in other cases,
    /// matches exactly as the same path lowercased does.
    #[test]
    fn paths_match_as_their_lowercase_does() {
        let catalog = Catalog::embedded();
        for (template, _) in catalog.templates() {
            let filled: Vec<&str> = template
                .split('/')
                .skip(1)
                .map(|segment| {
                    if segment.starts_with('{') {
                        "01Hx"
                    } else {
                        segment
                    }
                })
                .collect();
            let upper: Vec<String> = filled.iter().map(|s| s.to_ascii_uppercase()).collect();
            let mixed: Vec<String> = filled
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i % 2 == 0 {
                        s.to_ascii_uppercase()
                    } else {
                        s.to_string()
                    }
                })
                .collect();
            let lower: Vec<String> = filled.iter().map(|s| s.to_ascii_lowercase()).collect();
            let matched = |segments: &[String]| {
                catalog
                    .match_path(segments.iter().map(String::as_str))
                    .map(|found| (found.template.to_owned(), found.operations.to_vec()))
            };
            let expected = matched(&lower);
            assert!(expected.is_some(), "{template}");
            assert_eq!(matched(&upper), expected, "{template}");
            assert_eq!(matched(&mixed), expected, "{template}");
        }
    }
}

//! A memo of the resolver for inputs written exactly as the catalog writes
//! them: each operation's `METHOD /path` and its operationId. Docs, scans and
//! coding assistants send these forms most, and for them the answer is known
//! before any request: the memo skips normalising, parsing and the path
//! trie, and finds the operation with one hash lookup.
//!
//! The memo is made by running the resolver itself on every such text, so it
//! holds exactly what the resolver answers, and only texts it resolves with
//! no include; any other text (other spacing or case, a concrete id, a
//! query) misses and is resolved as before.

use std::collections::HashMap;

use super::{resolve_uncached, MatchedBy};
use crate::catalog::Catalog;
use crate::resolve::InputItem;

/// The operation and form an exact text resolves to, as a `.pre` revision
/// would not (`[0]`) and would (`[1]`) answer it.
type Answers = [Option<(u32, MatchedBy)>; 2];

/// Hashes a text eight bytes at a time: every input is looked up, so the
/// lookup must cost less than reading the text a byte at a time (FNV) would.
type TextHasher = foldhash::fast::RandomState;

/// See the module docs.
#[derive(Debug)]
pub struct ExactInputs {
    by_text: HashMap<Box<str>, Answers, TextHasher>,
}

impl ExactInputs {
    /// Runs the resolver on every operation's endpoint and operationId.
    /// About as much work as resolving 2,000 inputs: worth it for a
    /// server, not for one command.
    pub fn of(catalog: &Catalog) -> ExactInputs {
        let mut by_text: HashMap<Box<str>, Answers, TextHasher> = HashMap::default();
        let texts = catalog
            .operations()
            .iter()
            .flat_map(|op| [op.endpoint(), op.operation_id.clone()]);
        for text in texts {
            if by_text.contains_key(text.as_str()) {
                continue;
            }
            let item = InputItem::Text(text);
            let answers = [false, true].map(|prefer_beta| {
                resolve_uncached(catalog, 0, &item, prefer_beta)
                    .ok()
                    .filter(|resolved| resolved.includes.is_empty())
                    .map(|resolved| {
                        let operation =
                            u32::try_from(resolved.operation).expect("fewer than 2^32 operations");
                        (operation, resolved.matched_by)
                    })
            });
            if answers.iter().any(Option::is_some) {
                by_text.insert(Box::from(item.operation_text()), answers);
            }
        }
        by_text.shrink_to_fit();
        ExactInputs { by_text }
    }

    /// What the resolver answers for `text`, if the memo holds it.
    pub(crate) fn get(&self, text: &str, prefer_beta: bool) -> Option<(usize, MatchedBy)> {
        let (operation, matched_by) = self.by_text.get(text)?[usize::from(prefer_beta)]?;
        Some((operation as usize, matched_by))
    }

    /// Whether the memo answers for `text`, with or without a `.pre` preference.
    pub fn holds(&self, text: &str) -> bool {
        self.by_text.contains_key(text)
    }

    /// How many texts the memo holds.
    pub fn len(&self) -> usize {
        self.by_text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_text.is_empty()
    }
}

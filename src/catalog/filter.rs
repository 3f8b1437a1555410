//! Which operations a search lists (the catalog endpoint, `klaviyo_search_operations`).

use super::{Catalog, Operation};

/// Which operations to list; every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationFilter {
    /// Case-insensitive text in the operationId, an alias, the path, tag or summary.
    pub text: Option<String>,
    /// Operations that need this scope, by themselves or through an include.
    pub scope: Option<String>,
    /// The operation's tag, in any letter case.
    pub tag: Option<String>,
    /// Only beta (`true`) or only stable (`false`) operations.
    pub beta: Option<bool>,
}

impl OperationFilter {
    pub fn matches(&self, operation: &Operation) -> bool {
        let text_matches = self.text.as_deref().is_none_or(|text| {
            let text = text.to_lowercase();
            let haystacks = [&operation.path, &operation.tag, &operation.summary];
            operation.names().any(|name| name.contains(&text))
                || haystacks.iter().any(|h| h.to_lowercase().contains(&text))
        });
        let scope_matches = self
            .scope
            .as_deref()
            .is_none_or(|scope| operation.all_scopes().any(|s| s == scope));
        let tag_matches = self
            .tag
            .as_deref()
            .is_none_or(|tag| operation.tag.eq_ignore_ascii_case(tag));
        let beta_matches = self.beta.is_none_or(|beta| operation.is_beta() == beta);
        text_matches && scope_matches && tag_matches && beta_matches
    }
}

impl Catalog {
    /// The operations a filter keeps, in catalog order.
    pub fn filter<'c>(
        &'c self,
        filter: &'c OperationFilter,
    ) -> impl Iterator<Item = &'c Operation> {
        self.operations()
            .iter()
            .filter(move |op| filter.matches(op))
    }
}

//! The resolver's public vocabulary: what goes in (inputs and options) and
//! what comes out (resolved items, the reason for each scope, warnings).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ItemError;
use crate::catalog::{Method, SharedList, SharedStr};
use crate::scope::Scope;
use crate::secret;

/// One input item: a string in any accepted form, or an operation with includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum InputItem {
    /// `GET /api/profiles/{id}?include=lists`, a URL on a.klaviyo.com, an
    /// operationId, alias or SDK method name.
    #[schema(example = "GET /api/profiles/{id}?include=lists")]
    Text(String),
    Structured(StructuredInput),
}

/// An operation in any accepted form, with `include` values given apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StructuredInput {
    #[schema(example = "get_profile")]
    pub operation: String,
    #[serde(default)]
    #[schema(example = json!(["lists"]))]
    pub include: Vec<String>,
}

impl InputItem {
    /// The operation text of the item.
    pub fn operation_text(&self) -> &str {
        match self {
            InputItem::Text(text) => text,
            InputItem::Structured(item) => &item.operation,
        }
    }

    /// Every string the item holds, for secret checks and size limits.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let includes = match self {
            InputItem::Text(_) => &[][..],
            InputItem::Structured(item) => &item.include[..],
        };
        std::iter::once(self.operation_text()).chain(includes.iter().map(String::as_str))
    }

    /// The one text of an item that is only an operation: a string, or an
    /// operation with no include.
    pub fn sole_text(&self) -> Option<&str> {
        match self {
            InputItem::Text(text) => Some(text),
            InputItem::Structured(item) if item.include.is_empty() => Some(&item.operation),
            InputItem::Structured(_) => None,
        }
    }

    /// Whether any of [`InputItem::texts`] satisfies `test`: the same, without
    /// the iterator (this runs several times for every input).
    pub fn any_text(&self, mut test: impl FnMut(&str) -> bool) -> bool {
        match self {
            InputItem::Text(text) => test(text),
            InputItem::Structured(item) => {
                test(&item.operation) || item.include.iter().any(|value| test(value))
            }
        }
    }

    /// The item with anything key-like blanked out, safe to echo and log.
    pub fn redacted(&self) -> InputItem {
        match self {
            InputItem::Text(text) => InputItem::Text(secret::redact(text).into_owned()),
            InputItem::Structured(item) => InputItem::Structured(StructuredInput {
                operation: secret::redact(&item.operation).into_owned(),
                include: item
                    .include
                    .iter()
                    .map(|value| secret::redact(value).into_owned())
                    .collect(),
            }),
        }
    }

    /// The item with its operation text replaced, includes kept.
    pub(super) fn with_operation(&self, operation: String) -> InputItem {
        match self {
            InputItem::Text(_) => InputItem::Text(operation),
            InputItem::Structured(item) => InputItem::Structured(StructuredInput {
                operation,
                include: item.include.clone(),
            }),
        }
    }
}

impl From<&str> for InputItem {
    fn from(text: &str) -> InputItem {
        InputItem::Text(text.to_owned())
    }
}

/// How the scopes are chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResolveOptions {
    /// Exactly the scopes the spec lists, without adding `x:read` for each `x:write`.
    pub minimal: bool,
    /// Items with a string longer than this many bytes fail with `too_long`, unread.
    pub max_item_bytes: Option<usize>,
    /// A `.pre` revision answers: an endpoint in both specs resolves to its beta operation.
    pub prefer_beta: bool,
}

/// What one input matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResolvedItem {
    pub index: usize,
    pub input: InputItem,
    #[schema(value_type = String, example = "get_profile")]
    pub operation_id: SharedStr,
    pub method: Method,
    #[schema(value_type = String, example = "/api/profiles/{id}")]
    pub path: SharedStr,
    #[schema(value_type = String)]
    pub tag: SharedStr,
    #[schema(value_type = String)]
    pub summary: SharedStr,
    pub matched_by: MatchedBy,
    pub includes: Vec<String>,
    /// The scopes this item needs (the spec's, plus include extras).
    #[schema(value_type = Vec<String>)]
    pub scopes: SharedList<Scope>,
    /// For beta operations, the `.pre` revision header they need.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta_revision: Option<String>,
    /// A `/client` endpoint: it uses the public key and adds no scopes.
    pub client: bool,
    /// Where its operation is in the catalog.
    #[serde(skip)]
    pub(crate) catalog_position: usize,
}

/// Which form of input an item was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    OperationId,
    Alias,
    SdkMethod,
    Path,
    Url,
}

impl MatchedBy {
    /// The name it serialises as.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::OperationId => "operation_id",
            MatchedBy::Alias => "alias",
            MatchedBy::SdkMethod => "sdk_method",
            MatchedBy::Path => "path",
            MatchedBy::Url => "url",
        }
    }
}

/// Why a scope is in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The operation lists the scope in `x-klaviyo-scopes`.
    Operation,
    /// An `include` value needs read access to the related resource.
    Include {
        #[schema(value_type = String)]
        value: SharedStr,
        /// The endpoints the extra scope was read from.
        #[schema(value_type = Vec<String>)]
        evidence: SharedList,
    },
    /// A write scope is paired with its read scope (not in minimal mode).
    WriteImpliesRead {
        #[schema(value_type = String)]
        write_scope: Scope,
    },
}

/// One input that needs a scope, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NeededBy {
    pub index: usize,
    #[schema(value_type = String)]
    pub operation_id: SharedStr,
    #[serde(flatten)]
    pub reason: Reason,
}

/// A scope and everything that needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScopeExplanation {
    #[schema(value_type = String, example = "profiles:read")]
    pub scope: Scope,
    pub needed_by: Vec<NeededBy>,
}

/// Things worth knowing that do not stop a link from being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    ClientEndpoint,
    BetaOperation,
    NoScopes,
}

impl WarningCode {
    /// The name it serialises as.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::ClientEndpoint => "client_endpoint",
            WarningCode::BetaOperation => "beta_operation",
            WarningCode::NoScopes => "no_scopes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Warning {
    pub code: WarningCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub message: String,
}

/// Everything resolved from a list of inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Sorted and deduplicated.
    pub scopes: Vec<Scope>,
    pub explanations: Vec<ScopeExplanation>,
    pub operations: Vec<ResolvedItem>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ItemError>,
}

impl Resolution {
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_tests_what_texts_yields() {
        let items = [
            InputItem::from("get_profiles"),
            InputItem::Structured(StructuredInput {
                operation: "get_events".to_owned(),
                include: vec!["metric".to_owned(), "pk_x".to_owned()],
            }),
            InputItem::Structured(StructuredInput {
                operation: "pk_y".to_owned(),
                include: Vec::new(),
            }),
        ];
        let tests: [fn(&str) -> bool; 3] = [
            |text| text.starts_with("pk_"),
            |text| text.len() > 10,
            |text| text == "metric",
        ];
        for item in &items {
            for test in tests {
                assert_eq!(item.any_text(test), item.texts().any(test), "{item:?}");
            }
        }
    }
}

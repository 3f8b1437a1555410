//! The resolver's public vocabulary: what goes in (inputs and options) and
//! what comes out (resolved items, the reason for each scope, warnings).

use serde::Serialize;
use utoipa::ToSchema;

use super::error::ItemError;
use super::exact::ExactInputs;
use super::item::InputItem;
use crate::catalog::{Method, SharedList, SharedStr};
use crate::scope::Scope;

/// How the scopes are chosen, and with what help.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions<'m> {
    /// Exactly the scopes the spec lists, without adding `x:read` for each `x:write`.
    pub minimal: bool,
    /// Items with a string longer than this many bytes fail with `too_long`, unread.
    pub max_item_bytes: Option<usize>,
    /// A `.pre` revision answers: an endpoint in both specs resolves to its beta operation.
    pub prefer_beta: bool,
    /// The memo of exact texts for this catalog, made once by a front end that
    /// serves many requests (the server); it changes no answer, only its cost.
    pub exact_inputs: Option<&'m ExactInputs>,
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
    /// The name it serialises as: serde's derive states the names once.
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("a unit variant has a name")
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
    /// The name it serialises as: serde's derive states the names once.
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("a unit variant has a name")
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

//! Why an input could not be resolved: a stable code, a readable detail,
//! what would be accepted, and fixes that resolve as they stand.

use serde::Serialize;
use utoipa::ToSchema;

use super::item::InputItem;
use super::suggest;

/// Why an input could not be resolved. The names are stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Empty,
    LooksLikeSecret,
    Malformed,
    WrongHost,
    UnknownOperation,
    MethodNotAllowed,
    MethodRequired,
    NamespaceMismatch,
    InvalidInclude,
    TooLong,
}

impl ErrorCode {
    /// The name it serialises as: serde's derive states the names once.
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("a unit variant has a name")
    }
}

/// A replacement for a failed input that would resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Suggestion {
    pub replacement: InputItem,
    pub reason: String,
}

/// One input that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ItemError {
    pub index: usize,
    /// The input as given, with anything key-like blanked out.
    pub input: InputItem,
    pub code: ErrorCode,
    pub detail: String,
    /// What would be accepted in its place (methods, include values), if a short list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    /// Up to three fixes, closest first.
    pub suggestions: Vec<Suggestion>,
}

impl ItemError {
    pub(crate) fn new(
        index: usize,
        input: &InputItem,
        code: ErrorCode,
        detail: String,
    ) -> ItemError {
        ItemError {
            index,
            input: input.redacted(),
            code,
            detail,
            accepted: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    pub(super) fn accepting(mut self, accepted: Vec<String>) -> ItemError {
        self.accepted = accepted;
        self
    }

    pub(super) fn suggesting(mut self, suggestions: Vec<Suggestion>) -> ItemError {
        self.suggestions = suggestions;
        self.suggestions.truncate(suggest::MAX_SUGGESTIONS);
        self
    }
}

//! Klaviyo's retired v1/v2 API (`/api/v1/…`, `/api/v2/…`, `/api/track`,
//! `/api/identify`, retired 2024-06-30) and the old SDKs that called it: which
//! current operations do each retired endpoint's job, and whether Klaviyo
//! states that or it was matched by resource ("suggested"). The table is
//! derived from `../shared/klaviyo-legacy-endpoints.json` by [`import`] and
//! embedded, so a scan can name a retired call and the key its replacement needs.

mod import;

use serde::{Deserialize, Serialize};

use crate::catalog::Method;

pub use import::{import_legacy, RetiredImportError};

const EMBEDDED_TABLE: &str = include_str!("../../openapi/klaviyo-retired.json");

/// Why a replacement is named: Klaviyo's own migration pages, or a match by
/// resource and action that Klaviyo does not state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementBasis {
    /// Klaviyo's comparison chart or migration guides name the replacement.
    Stated,
    /// Matched by resource and action in the current spec; confirm before relying on it.
    Suggested,
    /// No current operation does this job.
    None,
}

/// One retired endpoint and what replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredEndpoint {
    pub method: Method,
    /// The legacy path template, e.g. `/api/v2/list/{list_id}/members`.
    pub path: String,
    /// operationIds of the current operations that do the job.
    pub replaced_by: Vec<String>,
    pub basis: ReplacementBasis,
    /// The source's own wording of the basis (`chart`, `spec-match`, …).
    pub source_basis: String,
    pub note: String,
}

/// A method of an old SDK and the retired endpoint it called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredSdkMethod {
    /// As the source writes it: `Lists.get_lists`, `lists->getLists`, `Klaviyo::Lists.get_lists`.
    pub name: String,
    /// `GET /api/v2/lists`.
    pub endpoint: String,
    /// A second form some methods send (`POST /api/track` beside `GET /api/track`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_alt: Option<String>,
}

/// An old, retired SDK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredSdk {
    /// The package and version, as the source names it.
    pub package: String,
    /// `python`, `php`, `ruby` or `javascript`.
    pub language: String,
    pub repository: String,
    pub methods: Vec<RetiredSdkMethod>,
}

/// The derived table: retired endpoints and old SDK methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiredTable {
    /// When Klaviyo retired the v1/v2 API.
    pub retired_on: String,
    /// Where the mapping comes from (the shared file and its sources).
    pub sources: Vec<String>,
    pub endpoints: Vec<RetiredEndpoint>,
    pub sdks: Vec<RetiredSdk>,
}

impl RetiredTable {
    /// The table built into the binary.
    pub fn embedded() -> &'static RetiredTable {
        static TABLE: std::sync::LazyLock<RetiredTable> = std::sync::LazyLock::new(|| {
            serde_json::from_str(EMBEDDED_TABLE).expect("the embedded retired-endpoint table")
        });
        &TABLE
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("the table serializes");
        text.push('\n');
        text
    }

    /// The retired endpoints whose template matches the path (query and one
    /// trailing `/` ignored; `{x}` in the path matches a parameter only),
    /// with `method` first when given.
    pub fn endpoints_for(&self, method: Option<Method>, path: &str) -> Vec<&RetiredEndpoint> {
        let mut found: Vec<&RetiredEndpoint> = self
            .endpoints
            .iter()
            .filter(|endpoint| template_matches(&endpoint.path, path))
            .filter(|endpoint| method.is_none_or(|m| m == endpoint.method))
            .collect();
        found.sort_by_key(|endpoint| endpoint.method);
        found
    }

    /// The old SDK methods of a language whose name is `namespace` and
    /// `method` (compared ignoring case, `_`, `->`, `.` and a `Klaviyo::` prefix).
    pub fn sdk_method(
        &self,
        language: &str,
        namespace: &str,
        method: &str,
    ) -> Option<(&RetiredSdk, &RetiredSdkMethod)> {
        let wanted = (name_key(namespace), name_key(method));
        self.sdks
            .iter()
            .filter(|sdk| sdk.language == language)
            .flat_map(|sdk| sdk.methods.iter().map(move |m| (sdk, m)))
            .find(|(_, m)| split_sdk_name(&m.name) == wanted)
    }
}

/// Whether a path is on the retired API: `/api/v1/…`, `/api/v2/…`,
/// `/api/track` or `/api/identify` (Klaviyo's own definition of a legacy call).
pub fn is_retired_path(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut segments = path.trim_start_matches('/').split('/');
    if segments.next() != Some("api") {
        return false;
    }
    matches!(
        segments.next().map(str::to_ascii_lowercase).as_deref(),
        Some("v1" | "v2" | "track" | "identify")
    )
}

/// `Lists.get_lists`, `lists->getLists`, `Klaviyo::Lists.get_lists` → (`lists`, `getlists`).
fn split_sdk_name(name: &str) -> (String, String) {
    let name = name.strip_prefix("Klaviyo::").unwrap_or(name);
    let (namespace, method) = name
        .rsplit_once("->")
        .or_else(|| name.rsplit_once('.'))
        .unwrap_or(("", name));
    (name_key(namespace), name_key(method))
}

/// Lowercase letters and digits only, so `getLists`, `get_lists` and `GetLists` compare equal.
fn name_key(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn template_matches(template: &str, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let trim =
        |p: &str| crate::resolve::without_trailing_slash(p.trim_start_matches('/')).to_owned();
    let (template, path) = (trim(template), trim(path));
    let (mut wanted, mut given) = (template.split('/'), path.split('/'));
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) => {
                let parameter = w.starts_with('{') && w.ends_with('}');
                let ok = if parameter {
                    !g.is_empty()
                } else {
                    w.eq_ignore_ascii_case(g)
                };
                if !ok {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retired_paths_are_the_v1_v2_track_and_identify_families() {
        for path in [
            "/api/v2/lists",
            "/api/v1/person/01H/",
            "/api/track?data=x",
            "/api/identify",
            "api/V2/list/x/members",
        ] {
            assert!(is_retired_path(path), "{path}");
        }
        for path in [
            "/api/lists",
            "/api/tracking-settings",
            "/client/events",
            "/v2/lists",
            "/api/identity",
        ] {
            assert!(!is_retired_path(path), "{path}");
        }
    }

    #[test]
    fn endpoints_match_by_template_and_method() {
        let table = RetiredTable::embedded();
        let found = table.endpoints_for(Some(Method::Post), "/api/v2/list/XyZ/members/");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].replaced_by, ["add_profiles_to_list"]);
        let any = table.endpoints_for(None, "/api/v2/list/{list_id}/members");
        let methods: Vec<Method> = any.iter().map(|e| e.method).collect();
        assert_eq!(methods, [Method::Get, Method::Post, Method::Delete]);
        assert!(table.endpoints_for(None, "/api/v2/nothing").is_empty());
    }

    #[test]
    fn sdk_methods_match_ignoring_case_and_separators() {
        let table = RetiredTable::embedded();
        let (sdk, method) = table.sdk_method("php", "lists", "getLists").unwrap();
        assert_eq!(sdk.repository, "klaviyo/php-klaviyo");
        assert_eq!(method.endpoint, "GET /api/v2/lists");
        assert!(table.sdk_method("ruby", "Lists", "get_lists").is_some());
        assert!(table.sdk_method("python", "Public", "track").is_some());
        assert!(table
            .sdk_method("python", "Profiles", "get_profiles")
            .is_none());
    }
}

//! Derives the retired-endpoint table from the shared mapping
//! (`klaviyo-legacy-endpoints.json`): each legacy endpoint split into method
//! and path, its replacements as operationIds, and its basis read as stated
//! by Klaviyo or suggested; the old SDKs' methods as they are.

use serde::Deserialize;

use super::{ReplacementBasis, RetiredEndpoint, RetiredSdk, RetiredSdkMethod, RetiredTable};
use crate::catalog::Method;

/// Why the shared mapping could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RetiredImportError {
    #[error("the legacy mapping is not the expected JSON ({0})")]
    Json(#[from] serde_json::Error),
    #[error("legacy endpoint `{0}` is not `METHOD /path`")]
    Endpoint(String),
    #[error("legacy endpoint `{endpoint}` has the unknown basis `{basis}`; known: chart, chart-partial, chart+guide, guide, spec-match, none")]
    Basis { endpoint: String, basis: String },
}

#[derive(Deserialize)]
struct Source {
    retired: String,
    source: Vec<String>,
    endpoints: Vec<SourceEndpoint>,
    legacy_sdks: Vec<SourceSdk>,
}

#[derive(Deserialize)]
struct SourceEndpoint {
    legacy: String,
    replaced_by: Vec<SourceReplacement>,
    basis: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
struct SourceReplacement {
    operation_id: String,
}

#[derive(Deserialize)]
struct SourceSdk {
    package: String,
    language: String,
    repository: String,
    methods: Vec<SourceMethod>,
}

#[derive(Deserialize)]
struct SourceMethod {
    name: String,
    legacy: String,
    #[serde(default)]
    legacy_alt: Option<String>,
}

/// Reads the shared legacy mapping into the table Scopelink embeds.
pub fn import_legacy(text: &str) -> Result<RetiredTable, RetiredImportError> {
    let source: Source = serde_json::from_str(text)?;
    let mut endpoints = Vec::with_capacity(source.endpoints.len());
    for endpoint in source.endpoints {
        let (method, path) = endpoint
            .legacy
            .split_once(' ')
            .and_then(|(method, path)| Some((Method::parse(method)?, path)))
            .filter(|(_, path)| path.starts_with('/'))
            .ok_or_else(|| RetiredImportError::Endpoint(endpoint.legacy.clone()))?;
        let basis = match endpoint.basis.as_str() {
            "chart" | "chart-partial" | "chart+guide" | "guide" => ReplacementBasis::Stated,
            "spec-match" => ReplacementBasis::Suggested,
            "none" => ReplacementBasis::None,
            other => {
                return Err(RetiredImportError::Basis {
                    endpoint: endpoint.legacy,
                    basis: other.to_owned(),
                })
            }
        };
        endpoints.push(RetiredEndpoint {
            method,
            path: path.to_owned(),
            replaced_by: endpoint
                .replaced_by
                .into_iter()
                .map(|r| r.operation_id)
                .collect(),
            basis,
            source_basis: endpoint.basis,
            note: endpoint.note,
        });
    }
    let sdks = source
        .legacy_sdks
        .into_iter()
        .map(|sdk| RetiredSdk {
            package: sdk.package,
            language: sdk.language.to_ascii_lowercase(),
            repository: sdk.repository,
            methods: sdk
                .methods
                .into_iter()
                .map(|m| RetiredSdkMethod {
                    name: m.name,
                    endpoint: m.legacy,
                    endpoint_alt: m.legacy_alt,
                })
                .collect(),
        })
        .collect();
    let retired_on = source
        .retired
        .split(':')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    Ok(RetiredTable {
        retired_on,
        sources: source.source,
        endpoints,
        sdks,
    })
}

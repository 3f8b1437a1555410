//! `klaviyo_scan`: the Klaviyo calls in local source files, over stdio only,
//! confined to the working directory or to the roots the client declares.
//!
//! Every path is resolved (symlinks and `..` included) before anything is
//! read; a path outside every root is refused with a message naming the path
//! and the roots, and nothing is scanned.

use std::path::{Path, PathBuf};

use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::schema::utoipa_schema;
use super::tools::{structured, ToolError};
use super::Backend;
use crate::scan::{build_answer, scan_paths, AnswerOptions, ScanAnswer, ScanError, ScanOptions};

/// The roots a scan may read: the client's `file://` roots when it declares
/// any, otherwise none (the working directory is used).
///
/// Roots are deprecated from protocol 2026-07-28 on (SEP-2577), but they are
/// how today's clients say which directories are the user's project.
#[allow(deprecated)]
pub async fn client_roots(context: &RequestContext<RoleServer>) -> Option<Vec<PathBuf>> {
    let declares = context
        .peer
        .peer_info()
        .is_some_and(|info| info.capabilities.roots.is_some());
    if !declares {
        return None;
    }
    let roots = context.peer.list_roots().await.ok()?;
    Some(
        roots
            .roots
            .iter()
            .filter_map(|root| url::Url::parse(&root.uri).ok())
            .filter(|url| url.scheme() == "file")
            .filter_map(|url| url.to_file_path().ok())
            .collect(),
    )
}

/// The canonical roots: the client's, or the working directory.
pub fn effective_roots(
    working_dir: &Path,
    client: Option<Vec<PathBuf>>,
) -> Result<Vec<PathBuf>, ToolError> {
    let declared = client.is_some();
    let candidates = client.unwrap_or_else(|| vec![working_dir.to_owned()]);
    let roots: Vec<PathBuf> = candidates
        .iter()
        .filter_map(|root| root.canonicalize().ok())
        .collect();
    if roots.is_empty() {
        return Err(ToolError::new(
            "no_roots",
            if declared {
                "the client declared no readable file:// roots, so there is nothing klaviyo_scan may read; declare the project directory as a root"
            } else {
                "the working directory cannot be read, so there is nothing klaviyo_scan may read"
            },
        ));
    }
    Ok(roots)
}

/// Each path, resolved against the first root, canonical and inside a root.
pub fn confine(paths: &[String], roots: &[PathBuf]) -> Result<Vec<PathBuf>, ToolError> {
    let base = &roots[0];
    let shown_roots = || {
        roots
            .iter()
            .map(|r| format!("`{}`", r.display()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    paths
        .iter()
        .enumerate()
        .map(|(i, given)| {
            let path = Path::new(given);
            let joined = if path.is_absolute() {
                path.to_owned()
            } else {
                base.join(path)
            };
            let resolved = joined.canonicalize().map_err(|error| {
                ToolError::new(
                    "path_not_found",
                    format!(
                        "`paths[{i}]` `{given}` cannot be read ({error}); give a file or \
                         directory under {}",
                        shown_roots()
                    ),
                )
            })?;
            if roots.iter().any(|root| resolved.starts_with(root)) {
                Ok(resolved)
            } else {
                Err(ToolError::new(
                    "path_outside_roots",
                    format!(
                        "`paths[{i}]` `{given}` is outside the directories this server may \
                         read ({}); give a path under them, or declare its directory as a root",
                        shown_roots()
                    ),
                ))
            }
        })
        .collect()
}

/// Arguments of `klaviyo_scan`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanParams {
    /// Files and directories to scan, relative to the first root (or absolute,
    /// inside a root). `.gitignore` is honoured; node_modules, vendor, dist,
    /// build, .venv and target are skipped unless `include` names them.
    pub paths: Vec<String>,
    /// A create-key link or scope list to check the code's needs against:
    /// the answer says what is missing or excess and gives the corrected link.
    #[serde(default)]
    pub check: Option<String>,
    /// Exactly the scopes the spec lists, without `x:read` added for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// Only files matching these globs (`src/**/*.py`).
    #[serde(default)]
    pub include: Vec<String>,
    /// Skip files and directories matching these globs (`**/tests/**`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The Klaviyo revision to resolve against; default: the newest stable one loaded.
    #[serde(default)]
    pub revision: Option<String>,
}

/// What `klaviyo_scan` returns: the `scopelink scan --json` answer (the link
/// report, every call found, the calls that could not be read, the check),
/// built by the same [`build_answer`] and described by the same schema.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScanOutput(#[schemars(schema_with = "utoipa_schema::<ScanAnswer>")] pub ScanAnswer);

pub fn definitions() -> Vec<rmcp::model::Tool> {
    vec![super::tools::tool::<ScanParams, ScanOutput>(
        super::tools::SCAN,
        "Scan local source for Klaviyo calls",
        "Find the Klaviyo API calls in local source files (Python, JavaScript/TypeScript, \
         PHP, Ruby, connector manifests: SDK methods and raw requests) and return the \
         least-privilege create-key link for them, with the file and line behind each \
         scope and the calls whose operation is computed at run time. Give `check` to \
         compare with an existing link. Reads only the working directory or the roots \
         the client declares.",
    )]
}

/// `klaviyo_scan`: [`scan_paths`] and [`ScanReport::build`], as `scopelink scan --json`.
pub fn run(
    backend: &dyn Backend,
    working_dir: &Path,
    client: Option<Vec<PathBuf>>,
    params: ScanParams,
) -> Result<CallToolResult, ToolError> {
    let selected = backend
        .catalogs()
        .select(params.revision.as_deref())
        .map_err(|error| ToolError::new("unknown_revision", error.to_string()))?;
    let limits = backend.limits();
    if params.paths.is_empty() {
        return Err(ToolError::new(
            "no_paths",
            "no paths were given: pass at least one file or directory in `paths`, e.g. [\"src\"]",
        ));
    }
    if params.paths.len() > limits.max_operations {
        return Err(ToolError::new(
            "too_many_paths",
            format!(
                "{} paths were given; the limit is {} per call",
                params.paths.len(),
                limits.max_operations
            ),
        ));
    }
    let texts = params
        .paths
        .iter()
        .chain(&params.include)
        .chain(&params.exclude)
        .chain(params.check.iter());
    if texts
        .into_iter()
        .any(|text| text.len() > limits.max_item_bytes)
    {
        return Err(ToolError::new(
            "too_long",
            format!(
                "a path, glob or check is longer than the limit of {} bytes",
                limits.max_item_bytes
            ),
        ));
    }
    let roots = effective_roots(working_dir, client)?;
    let paths = confine(&params.paths, &roots)?;
    let relative_to = roots
        .iter()
        .find(|root| paths[0].starts_with(root))
        .cloned();
    let options = ScanOptions {
        include: params.include,
        exclude: params.exclude,
        relative_to,
        max_calls: Some(limits.max_source_calls),
        ..ScanOptions::default()
    };
    let findings = scan_paths(&paths, &options).map_err(|error| {
        let code = match error {
            ScanError::NoPaths => "no_paths",
            ScanError::NotFound { .. } => "path_not_found",
            ScanError::BadGlob { .. } => "bad_glob",
            ScanError::TooManyCalls { .. } => "too_many_source_calls",
        };
        ToolError::new(code, error.to_string())
    })?;
    let options = AnswerOptions {
        minimal: params.minimal,
        prefer_beta: selected.prefer_beta,
        check: params.check.as_deref(),
        strict: false,
    };
    let answer = build_answer(selected.catalog, backend.link_base(), findings, options)
        .map_err(|error| ToolError::new(error.code(), format!("`check`: {error}")))?;
    let output = ScanOutput(answer);
    let summary = summary(&output);
    Ok(structured(&output, summary, false))
}

fn summary(ScanOutput(answer): &ScanOutput) -> String {
    let report = &answer.report;
    let mut lines = vec![
        format!(
            "{} Klaviyo call{} in {} file{} scanned; the link for them:",
            report.calls.len(),
            if report.calls.len() == 1 { "" } else { "s" },
            report.files_scanned,
            if report.files_scanned == 1 { "" } else { "s" },
        ),
        report.url.clone().unwrap_or_else(|| {
            "(no link: no call that needs a scope was found; a key made from an empty scopes= link has full access)".to_owned()
        }),
    ];
    for explanation in &report.explanations {
        let at: Vec<&str> = explanation
            .calls
            .iter()
            .map(|c| c.at.as_str())
            .take(3)
            .collect();
        lines.push(format!("{}: {}", explanation.scope, at.join(", ")));
    }
    for error in &report.errors {
        lines.push(super::tools::describe_error(error));
    }
    for call in &report.unresolved {
        lines.push(format!(
            "not readable: {}:{} ({}): {}",
            call.file,
            call.line,
            call.reason.as_str(),
            call.detail
        ));
    }
    for call in &report.retired {
        let replaced: Vec<&str> = call
            .replaced_by
            .iter()
            .map(|r| r.operation_id.as_str())
            .collect();
        lines.push(format!(
            "retired: {}:{}: {} (replace with {})",
            call.file,
            call.line,
            if call.endpoint.is_empty() {
                call.sdk_method.as_deref().unwrap_or_default()
            } else {
                &call.endpoint
            },
            if replaced.is_empty() {
                "nothing recorded".to_owned()
            } else {
                replaced.join(", ")
            }
        ));
    }
    for file in &report.unscanned {
        lines.push(format!(
            "not read ({}): {}:{}",
            file.language, file.file, file.line
        ));
    }
    for reason in &answer.incomplete {
        lines.push(format!("incomplete: {reason}"));
    }
    if let Some(checked) = &answer.check {
        if checked.passed {
            lines.push("check: the given link has every scope the code needs".to_owned());
        } else {
            let missing: Vec<&str> = checked.missing.iter().map(|m| m.scope.as_str()).collect();
            lines.push(format!("check failed: missing {}", missing.join(", ")));
        }
        if !checked.excess.is_empty() {
            lines.push(format!("excess: {}", checked.excess.join(", ")));
        }
        if let Some(url) = &checked.corrected_url {
            lines.push(format!("corrected link: {url}"));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_roots_are_refused() {
        let dir = std::env::temp_dir().join(format!("scopelink-confine-{}", std::process::id()));
        let inside = dir.join("project");
        std::fs::create_dir_all(inside.join("src")).unwrap();
        let roots = effective_roots(&inside, None).unwrap();
        let ok = confine(&["src".into(), ".".into()], &roots).unwrap();
        assert!(ok.iter().all(|p| p.starts_with(&roots[0])));
        for outside in ["..", "../project/../..", "/etc"] {
            let error = confine(&[outside.to_owned()], &roots).unwrap_err();
            assert_eq!(error.code, "path_outside_roots", "{outside}: {error:?}");
            assert!(error.detail.contains(outside), "{}", error.detail);
        }
        let error = confine(&["missing".into()], &roots).unwrap_err();
        assert_eq!(error.code, "path_not_found");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

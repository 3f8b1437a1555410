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

use super::tools::ToolError;
use super::Backend;

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

pub fn definitions() -> Vec<rmcp::model::Tool> {
    Vec::new()
}

pub fn run(
    _backend: &dyn Backend,
    _working_dir: &Path,
    _roots: Option<Vec<PathBuf>>,
    _params: serde_json::Value,
) -> Result<CallToolResult, ToolError> {
    Err(ToolError::new(
        "not_available",
        "the source scanner is not part of this build yet",
    ))
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

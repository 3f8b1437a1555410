//! Walks the files and directories given to `scopelink scan`: in parallel,
//! honouring `.gitignore` (the `ignore` crate), skipping dependency and build
//! directories by default, and reading one file at a time per worker so
//! memory does not grow with the tree.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use super::{extract, Findings, Language, ProjectPass, SkippedFile};

/// Directories skipped unless an `--include` glob names them.
pub const DEFAULT_SKIPPED_DIRS: &[&str] =
    &["node_modules", "vendor", "dist", "build", ".venv", "target"];

/// Files larger than this are skipped (generated or minified code).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What to walk and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Only files whose path (relative to the scanned directory) matches one of
    /// these globs; a glob naming a default-skipped directory scans it again.
    pub include: Vec<String>,
    /// Skip files and directories matching any of these globs.
    pub exclude: Vec<String>,
    /// Worker threads; 0 means one per CPU.
    pub threads: usize,
    pub max_file_bytes: u64,
    /// Paths are shown relative to this directory when under it (the
    /// repository root for SARIF); by default the current directory.
    pub relative_to: Option<PathBuf>,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            include: Vec::new(),
            exclude: Vec::new(),
            threads: 0,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            relative_to: None,
        }
    }
}

/// Why a scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("no paths to scan: give at least one file or directory")]
    NoPaths,
    #[error("`{}` does not exist (give a file or directory to scan)", path.display())]
    NotFound { path: PathBuf },
    #[error("`{glob}` is not a valid glob ({reason}); e.g. `src/**/*.py` or `**/tests/**`")]
    BadGlob { glob: String, reason: String },
}

/// Scans files and directories in parallel.
pub fn scan_paths(paths: &[PathBuf], options: &ScanOptions) -> Result<Findings, ScanError> {
    if paths.is_empty() {
        return Err(ScanError::NoPaths);
    }
    for path in paths {
        if !path.exists() {
            return Err(ScanError::NotFound { path: path.clone() });
        }
    }
    let include = glob_set(&options.include)?;
    let exclude = glob_set(&options.exclude)?;
    let base = match &options.relative_to {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().unwrap_or_default(),
    };
    let base = base.canonicalize().unwrap_or(base);
    let reopened: Vec<&str> = DEFAULT_SKIPPED_DIRS
        .iter()
        .copied()
        .filter(|dir| options.include.iter().any(|glob| glob.contains(dir)))
        .collect();

    let pass = Mutex::new(ProjectPass::default());
    let skipped = Mutex::new(Vec::new());
    for root in paths {
        let root_dir = if root.is_dir() {
            root.clone()
        } else {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .require_git(false)
            .threads(options.threads)
            .filter_entry({
                let root_dir = root_dir.clone();
                let exclude = exclude.clone();
                let reopened = reopened.clone();
                move |entry| {
                    let name = entry.file_name().to_string_lossy();
                    if entry.depth() > 0 && name == ".git" {
                        return false;
                    }
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    if entry.depth() > 0
                        && is_dir
                        && DEFAULT_SKIPPED_DIRS.contains(&name.as_ref())
                        && !reopened.contains(&name.as_ref())
                    {
                        return false;
                    }
                    let relative = entry.path().strip_prefix(&root_dir).unwrap_or(entry.path());
                    exclude.as_ref().is_none_or(|set| !set.is_match(relative))
                }
            });
        builder.build_parallel().run(|| {
            let root_dir = root_dir.clone();
            let include = include.clone();
            let base = base.clone();
            let (pass, skipped) = (&pass, &skipped);
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let path = entry.path();
                let relative = path.strip_prefix(&root_dir).unwrap_or(path);
                if include
                    .as_ref()
                    .is_some_and(|set| entry.depth() > 0 && !set.is_match(relative))
                {
                    return WalkState::Continue;
                }
                let shown = shown_path(path, &base);
                let Some(language) = Language::of_path(&shown) else {
                    return WalkState::Continue;
                };
                match read_text(path, options.max_file_bytes) {
                    Ok(text) => {
                        let found = extract::extract(language, &shown, &text);
                        pass.lock().expect("scan results").add(found);
                    }
                    Err(reason) => skipped.lock().expect("skipped files").push(SkippedFile {
                        file: shown,
                        reason,
                    }),
                }
                WalkState::Continue
            })
        });
    }
    let skipped = skipped.into_inner().expect("skipped files");
    Ok(pass.into_inner().expect("scan results").finish(skipped))
}

fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, ScanError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let parsed = Glob::new(glob).map_err(|error| ScanError::BadGlob {
            glob: glob.clone(),
            reason: error.kind().to_string(),
        })?;
        builder.add(parsed);
        // `dir/**` also names the directory itself, so it can be pruned or kept.
        if let Some(dir) = glob.strip_suffix("/**") {
            if let Ok(parsed) = Glob::new(dir) {
                builder.add(parsed);
            }
        }
    }
    builder
        .build()
        .map(Some)
        .map_err(|error| ScanError::BadGlob {
            glob: globs.join(", "),
            reason: error.to_string(),
        })
}

/// The path relative to `base` when under it, `/`-separated.
fn shown_path(path: &Path, base: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    let shown = absolute.strip_prefix(base).unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_owned()
}

fn read_text(path: &Path, max_bytes: u64) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| format!("cannot read it: {error}"))?
        .len();
    if size > max_bytes {
        return Err(format!(
            "it has {size} bytes, more than the limit of {max_bytes} per file"
        ));
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read it: {error}"))?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_owned())
}

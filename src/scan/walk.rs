//! Walks the files and directories given to `scopelink scan`: in parallel,
//! honouring `.gitignore` (the `ignore` crate) but also reading every file
//! git tracks (`git ls-files`), even under an ignored folder; skipping
//! dependency and build directories by default; reading one file at a time
//! per worker so memory does not grow with the tree. Files in languages not
//! scanned are searched for Klaviyo URLs, and files that name nothing
//! Klaviyo are read again only if they call one of the project's wrappers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use super::{extract, Findings, Language, ProjectPass};

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
    /// Stop, with [`ScanError::TooManyCalls`], past this many calls.
    pub max_calls: Option<usize>,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            include: Vec::new(),
            exclude: Vec::new(),
            threads: 0,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            relative_to: None,
            max_calls: None,
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
    #[error("the files hold more than {limit} Klaviyo calls, the most one scan lists (`max_source_calls`, SCOPELINK_MAX_SOURCE_CALLS): scan fewer files at a time, or leave out generated code")]
    TooManyCalls { limit: usize },
}

/// Which files of a root are scanned.
struct Filter {
    root_dir: PathBuf,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    /// Default-skipped directories an `--include` glob names.
    reopened: Vec<&'static str>,
}

impl Filter {
    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root_dir).unwrap_or(path)
    }

    /// A directory or file the walk descends into (not `.git`, not a
    /// default-skipped directory, not excluded).
    fn enters(&self, path: &Path, is_dir: bool, depth: usize) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if depth > 0 && name == ".git" {
            return false;
        }
        if depth > 0
            && is_dir
            && DEFAULT_SKIPPED_DIRS.contains(&name.as_ref())
            && !self.reopened.contains(&name.as_ref())
        {
            return false;
        }
        let relative = self.relative(path);
        self.exclude
            .as_ref()
            .is_none_or(|set| !set.is_match(relative))
    }

    /// A file `--include` lets in.
    fn includes(&self, path: &Path, depth: usize) -> bool {
        self.include
            .as_ref()
            .is_none_or(|set| depth == 0 || set.is_match(self.relative(path)))
    }

    /// A tracked file (relative to the root) the walk would take, had
    /// `.gitignore` not hidden it.
    fn admits_tracked(&self, relative: &Path) -> bool {
        let mut current = self.root_dir.clone();
        let components: Vec<_> = relative.components().collect();
        for (index, component) in components.iter().enumerate() {
            current.push(component);
            let is_dir = index + 1 < components.len();
            if !self.enters(&current, is_dir, index + 1) {
                return false;
            }
        }
        self.includes(&current, components.len())
    }
}

/// Shared state of a walk.
struct Walk<'o> {
    options: &'o ScanOptions,
    base: PathBuf,
    pass: Mutex<ProjectPass>,
    /// Files of a scanned language that named nothing Klaviyo: (path, shown, language).
    deferred: Mutex<Vec<(PathBuf, String, Language)>>,
    seen: Mutex<HashSet<PathBuf>>,
}

impl Walk<'_> {
    /// Reads one file: parses it, defers it, or notes a Klaviyo URL in a
    /// language not scanned.
    fn visit(&self, path: &Path) {
        if self.pass.lock().expect("scan results").over_limit() {
            return;
        }
        let shown = shown_path(path, &self.base);
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.lock().expect("seen files").insert(canonical) {
            return;
        }
        let Some(language) = Language::of_path(&shown) else {
            if super::unscanned_language(&shown).is_some() {
                if let Ok(text) = read_text(path, self.options.max_file_bytes) {
                    self.pass
                        .lock()
                        .expect("scan results")
                        .note_unscanned(&shown, &text);
                }
            }
            return;
        };
        match read_text(path, self.options.max_file_bytes) {
            Ok(text) if extract::worth_parsing(&text) => {
                let found = extract::extract_parsed(language, &shown, &text);
                self.pass
                    .lock()
                    .expect("scan results")
                    .add(&shown, language, found);
            }
            Ok(_) => {
                self.pass.lock().expect("scan results").count(language);
                self.deferred.lock().expect("deferred files").push((
                    path.to_path_buf(),
                    shown,
                    language,
                ));
            }
            Err(reason) => {
                let names_klaviyo = file_names_klaviyo(path);
                self.pass
                    .lock()
                    .expect("scan results")
                    .skip(&shown, reason, names_klaviyo);
            }
        }
    }
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
    let walk = Walk {
        options,
        base: base.canonicalize().unwrap_or(base),
        pass: Mutex::new(ProjectPass::limited(options.max_calls)),
        deferred: Mutex::new(Vec::new()),
        seen: Mutex::new(HashSet::new()),
    };
    let reopened: Vec<&'static str> = DEFAULT_SKIPPED_DIRS
        .iter()
        .copied()
        .filter(|dir| options.include.iter().any(|glob| glob.contains(dir)))
        .collect();
    for root in paths {
        let root_dir = if root.is_dir() {
            root.clone()
        } else {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let filter = std::sync::Arc::new(Filter {
            root_dir,
            include: include.clone(),
            exclude: exclude.clone(),
            reopened: reopened.clone(),
        });
        walk_root(root, &filter, &walk);
        if root.is_dir() {
            for tracked in git_tracked(root) {
                if filter.admits_tracked(&tracked) {
                    let path = root.join(&tracked);
                    if path.is_file() {
                        walk.visit(&path);
                    }
                }
            }
        }
    }
    let mut pass = walk.pass.into_inner().expect("scan results");
    if let Some(limit) = pass.over_limit().then_some(options.max_calls).flatten() {
        return Err(ScanError::TooManyCalls { limit });
    }
    // Files that name neither Klaviyo nor an `api/` path matter only where
    // they call a wrapper of the project's: read those again now.
    if let Some(names) = pass.wrapper_names() {
        for (path, shown, language) in walk.deferred.into_inner().expect("deferred files") {
            if let Ok(text) = read_text(&path, options.max_file_bytes) {
                if names.is_match(text.as_str()) {
                    pass.add_late(&shown, extract::extract_parsed(language, &shown, &text));
                }
            }
        }
    }
    Ok(pass.finish())
}

fn walk_root(root: &Path, filter: &std::sync::Arc<Filter>, walk: &Walk<'_>) {
    let mut builder = WalkBuilder::new(root);
    let entering = std::sync::Arc::clone(filter);
    builder
        .hidden(false)
        .require_git(false)
        .threads(walk.options.threads)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            entering.enters(entry.path(), is_dir, entry.depth())
        });
    builder.build_parallel().run(|| {
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            if entry.file_type().is_some_and(|t| t.is_file())
                && filter.includes(entry.path(), entry.depth())
            {
                walk.visit(entry.path());
            }
            WalkState::Continue
        })
    });
}

/// The files git tracks under a directory, relative to it; none when it is
/// not in a git work tree or git is not installed.
fn git_tracked(dir: &Path) -> Vec<PathBuf> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "-z", "--cached"])
        .stderr(std::process::Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => output
            .stdout
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .filter_map(|name| std::str::from_utf8(name).ok())
            .map(PathBuf::from)
            .collect(),
        _ => Vec::new(),
    }
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

/// Whether a file (of any size) names Klaviyo, read in blocks.
fn file_names_klaviyo(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut block = vec![0u8; 1 << 20];
    let mut kept = 0;
    loop {
        let Ok(read) = file.read(&mut block[kept..]) else {
            return false;
        };
        if read == 0 {
            return false;
        }
        let filled = kept + read;
        if extract::names_klaviyo(&block[..filled]) {
            return true;
        }
        // Keep the tail, in case the word is split across blocks.
        let tail = filled.min(6);
        block.copy_within(filled - tail..filled, 0);
        kept = tail;
    }
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

//! Reads an integration's source code (Python, JavaScript/TypeScript, PHP,
//! Ruby, and YAML/JSON connector manifests) for the Klaviyo API calls it
//! makes, so its link comes from the code rather than a hand-kept list, and a
//! CI gate can keep the scope lists in its docs true as the code grows.
//!
//! [`scan_paths`] walks files (honouring `.gitignore`) and [`scan_sources`]
//! takes files in memory; both give [`Findings`]: every call found, with the
//! text the resolver reads, and every call whose path or method is computed at
//! run time (`unresolved`), so nothing is dropped silently.
//! [`ScanReport::build`] resolves the calls into the link, [`check()`] compares
//! them with an existing link or scope list, [`sarif()`] writes SARIF 2.1.0 and
//! [`doc_links`] finds the create-key and `/go` links in docs.

mod answer;
mod check;
mod docs;
mod extract;
mod report;
mod sarif;
mod walk;

use serde::Serialize;
use utoipa::ToSchema;

pub use answer::{build_answer, AnswerOptions, ScanAnswer};
pub use check::{
    check, check_doc_link, CheckOptions, CheckReport, DocCheck, DocOutcome, MissingScope,
};
pub use docs::{doc_links, DocLink, DocLinkKind};
pub use report::{CallSite, ScanExplanation, ScanReport, ScannedCall};
pub use sarif::{sarif, sarif_with_docs, SARIF_SCHEMA};
pub use walk::{scan_paths, ScanError, ScanOptions, DEFAULT_SKIPPED_DIRS};

/// One file to scan, already in memory (the HTTP API receives files so).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Repo-relative, `/`-separated; its extension picks the language.
    pub path: String,
    pub content: String,
}

/// The language a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Python,
    // As `as_str` writes them, not `java_script`.
    #[serde(rename = "javascript")]
    JavaScript,
    #[serde(rename = "typescript")]
    TypeScript,
    Php,
    Ruby,
    /// A YAML or JSON manifest of a declarative (low-code) client.
    Manifest,
}

impl Language {
    /// The extensions of the files scanned, as `.py`.
    pub const EXTENSIONS: &'static [&'static str] = &[
        ".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".php", ".rb",
        ".rake", ".yaml", ".yml", ".json",
    ];

    /// The language of a file, by its extension; `None` for files not scanned.
    pub fn of_path(path: &str) -> Option<Language> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match extension.as_str() {
            "py" | "pyi" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" | "tsx" => Language::TypeScript,
            "php" => Language::Php,
            "rb" | "rake" => Language::Ruby,
            "yaml" | "yml" | "json" => Language::Manifest,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Php => "php",
            Language::Ruby => "ruby",
            Language::Manifest => "manifest",
        }
    }
}

/// How a call was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallForm {
    /// A method of an official Klaviyo SDK client (`klaviyo.Profiles.get_profiles`).
    SdkMethod,
    /// An HTTP request to `https://a.klaviyo.com/api/...` (requests, fetch, Guzzle, own wrapper…).
    RawHttp,
    /// A path and method declared in a connector manifest.
    Manifest,
}

impl CallForm {
    pub fn as_str(self) -> &'static str {
        match self {
            CallForm::SdkMethod => "SDK method",
            CallForm::RawHttp => "raw request",
            CallForm::Manifest => "manifest",
        }
    }
}

/// A Klaviyo API call found in the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundCall {
    pub file: String,
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
    pub language: Language,
    pub form: CallForm,
    /// What the resolver reads: `PATCH /api/profiles/{id}`, `klaviyo.Profiles.get_profiles`.
    pub input: String,
    /// The code, one line, shortened, with anything key-like blanked out.
    pub excerpt: String,
    /// False for an SDK-shaped call on a client not traced to its constructor
    /// or type (`client.Profiles.get_profiles` with `client` passed in
    /// untyped): [`ScanReport::build`] keeps it only if it resolves.
    pub traced: bool,
}

/// Why a call could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnresolvedReason {
    /// The path is computed at run time.
    DynamicPath,
    /// The URL is a Klaviyo path but the HTTP method is computed at run time.
    DynamicMethod,
    /// The URL comes from a response's `links.related` (or `links.next`).
    RelatedLink,
    /// An SDK client's method is chosen at run time.
    DynamicSdkMethod,
}

impl UnresolvedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnresolvedReason::DynamicPath => "dynamic_path",
            UnresolvedReason::DynamicMethod => "dynamic_method",
            UnresolvedReason::RelatedLink => "related_link",
            UnresolvedReason::DynamicSdkMethod => "dynamic_sdk_method",
        }
    }
}

/// A call that reaches Klaviyo's API but whose operation cannot be read from the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnresolvedCall {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub language: Language,
    pub reason: UnresolvedReason,
    /// What was seen and what would make it readable.
    pub detail: String,
    pub excerpt: String,
}

/// A file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkippedFile {
    pub file: String,
    pub reason: String,
}

/// Everything found in a set of files, before resolving.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Findings {
    /// Files read in a scanned language.
    pub files_scanned: usize,
    /// Sorted by file, line and column.
    pub calls: Vec<FoundCall>,
    pub unresolved: Vec<UnresolvedCall>,
    /// Files that could not be read (too large, not UTF-8, unreadable) and,
    /// for files given in memory, those with no path or of a language not scanned.
    pub skipped: Vec<SkippedFile>,
}

impl Findings {
    fn sort(&mut self) {
        let key = |file: &str, line: usize, column: usize| (file.to_owned(), line, column);
        self.calls.sort_by_key(|c| key(&c.file, c.line, c.column));
        self.calls
            .dedup_by(|a, b| a.file == b.file && a.line == b.line && a.column == b.column);
        self.unresolved
            .sort_by_key(|c| key(&c.file, c.line, c.column));
        self.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    }

    fn merge(&mut self, other: FileFindings) {
        self.files_scanned += 1;
        self.calls.extend(other.calls);
        self.unresolved.extend(other.unresolved);
    }
}

/// What one file gave, before the project-wide pass (relative paths joined
/// with a Klaviyo base URL defined in another file).
#[derive(Debug, Default)]
pub(crate) struct FileFindings {
    pub calls: Vec<FoundCall>,
    pub unresolved: Vec<UnresolvedCall>,
    /// Calls of a wrapper with a relative path (`client.get("profiles/")`).
    pub relative: Vec<FoundCall>,
    /// The file defines a Klaviyo API base URL (`https://a.klaviyo.com/api/`).
    pub defines_api_base: bool,
}

/// Scans files already in memory, in parallel: every call in them, in path order. A file
/// with an empty path, of a language not scanned, or with the path of an
/// earlier one is listed in `skipped`.
pub fn scan_sources(files: &[SourceFile]) -> Findings {
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut scanned: Vec<(Language, &SourceFile)> = Vec::new();
    for file in files {
        if !seen.insert(file.path.as_str()) {
            skipped.push(SkippedFile {
                file: file.path.clone(),
                reason: "an earlier file has the same path; only that one was scanned".to_owned(),
            });
            continue;
        }
        if file.path.trim().is_empty() {
            skipped.push(SkippedFile {
                file: file.path.clone(),
                reason: "its path is empty: give the repo-relative path (`src/sync.py`), whose extension names the language".to_owned(),
            });
            continue;
        }
        match Language::of_path(&file.path) {
            Some(language) => scanned.push((language, file)),
            None => skipped.push(SkippedFile {
                file: file.path.clone(),
                reason: format!(
                    "its language is not scanned; scanned extensions: {}",
                    Language::EXTENSIONS.join(", ")
                ),
            }),
        }
    }
    // One worker per CPU, each taking the next file; the findings are sorted at the end.
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(scanned.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let pass = std::sync::Mutex::new(ProjectPass::default());
    let work = || loop {
        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some((language, file)) = scanned.get(index) else {
            return;
        };
        let found = extract::extract(*language, &file.path, &file.content);
        pass.lock().expect("scan results").add(found);
    };
    if workers == 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    }
    pass.into_inner().expect("scan results").finish(skipped)
}

/// Collects per-file findings and joins relative wrapper paths at the end.
#[derive(Debug, Default)]
pub(crate) struct ProjectPass {
    findings: Findings,
    relative: Vec<FoundCall>,
    has_api_base: bool,
}

impl ProjectPass {
    pub(crate) fn add(&mut self, mut file: FileFindings) {
        self.has_api_base |= file.defines_api_base;
        self.relative.append(&mut file.relative);
        self.findings.merge(file);
    }

    pub(crate) fn finish(mut self, skipped: Vec<SkippedFile>) -> Findings {
        // A relative path counts only where the project defines a Klaviyo base
        // URL for its wrapper to join it with; the extractor already put that
        // base (`/api/`) in front of it.
        if self.has_api_base {
            self.findings.calls.append(&mut self.relative);
        }
        self.findings.skipped = skipped;
        self.findings.sort();
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_extension() {
        assert_eq!(Language::of_path("a/b/c.py"), Some(Language::Python));
        assert_eq!(Language::of_path("x.TSX"), Some(Language::TypeScript));
        assert_eq!(
            Language::of_path("conn/manifest.yaml"),
            Some(Language::Manifest)
        );
        assert_eq!(Language::of_path("Makefile"), None);
        assert_eq!(Language::of_path("README.md"), None);
        for language in [
            Language::JavaScript,
            Language::TypeScript,
            Language::Manifest,
        ] {
            assert_eq!(
                serde_json::to_value(language).unwrap(),
                language.as_str(),
                "JSON writes a language as `as_str` does"
            );
        }
        for extension in Language::EXTENSIONS {
            assert!(
                Language::of_path(&format!("a{extension}")).is_some(),
                "{extension}"
            );
        }
    }
}

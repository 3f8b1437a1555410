//! Reads an integration's source code (Python, JavaScript/TypeScript, PHP,
//! Ruby, Go, Java, Kotlin, C#, and YAML/JSON connector manifests) for the
//! Klaviyo API calls it makes, so its link comes from the code rather than a
//! hand-kept list, and a CI gate can keep the scope lists in its docs true.
//!
//! Paths come first: any string, template, format string or concatenation
//! whose text is a Klaviyo path is a call site; the method is read from the
//! call it flows into, the wrapper it goes through, or the catalog when the
//! path has one method. What cannot be read is reported, never dropped.
//!
//! [`scan_paths`] walks files (honouring `.gitignore`, and the files git
//! tracks) and [`scan_sources`] takes files in memory; both give
//! [`Findings`]. [`ScanReport::build`] settles them with the catalog
//! ([`decide`]) and resolves them into the link; [`check()`] compares them
//! with a link or scope list, [`sarif()`] writes SARIF 2.1.0 and
//! [`doc_links`] finds the create-key and `/go` links in docs.

mod answer;
mod check;
mod decide;
mod docs_block;
mod extract;
mod language;
mod model;
mod report;
mod sarif;
mod walk;

use serde::Serialize;
use utoipa::ToSchema;

pub use crate::docs::{doc_findings, doc_links, DocLink, DocLinkKind, Families};
pub use answer::{build_answer, AnswerOptions, ScanAnswer};
pub use check::{
    check, check_doc_link, CheckOptions, CheckReport, DocCheck, DocOutcome, MissingScope,
};
pub use docs_block::{
    current_block, render_block, replace_block, scope_groups, BlockError, BlockOptions, GroupBy,
    ScopeGroup, BEGIN, END,
};
pub use language::{unscanned_language, Language};
pub use model::{
    CallForm, Candidate, Findings, FoundCall, MethodHint, MethodSource, PathCall, PathConstant,
    Replacement, RetiredCall, RetiredSdkCall, Site, SkippedFile, UnresolvedCall, UnresolvedReason,
    UnscannedFile, Wrapper,
};
pub use report::{CallSite, FilesRead, MigrationLink, ScanExplanation, ScanReport, ScannedCall};
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

/// What one file gave, before the project-wide pass.
#[derive(Debug, Default)]
pub(crate) struct FileFindings {
    pub calls: Vec<FoundCall>,
    pub path_calls: Vec<PathCall>,
    pub unresolved: Vec<UnresolvedCall>,
    pub retired_sdk_calls: Vec<RetiredSdkCall>,
    pub wrappers: Vec<Wrapper>,
    /// The file names Klaviyo.
    pub names_klaviyo: bool,
    /// Names that hold or return a Klaviyo API base URL.
    pub klaviyo_bases: Vec<String>,
    /// Names whose value is a whole Klaviyo path.
    pub path_constants: Vec<PathConstant>,
    /// Why the file could not be read, though its language is scanned.
    pub unreadable: Option<String>,
}

/// Scans files already in memory, in parallel: every call in them, in path
/// order. A file with an empty path or the path of an earlier one is listed
/// in `skipped`; one in a language not scanned is listed in `unscanned` when
/// it holds a Klaviyo API URL, and in `skipped` otherwise.
pub fn scan_sources(files: &[SourceFile], max_calls: Option<usize>) -> Result<Findings, ScanError> {
    let mut pass = ProjectPass::limited(max_calls);
    let mut seen = std::collections::HashSet::new();
    let mut scanned: Vec<(Language, &SourceFile)> = Vec::new();
    for file in files {
        if !seen.insert(file.path.as_str()) {
            pass.skip(
                &file.path,
                "an earlier file has the same path; only that one was scanned".to_owned(),
                extract::names_klaviyo(file.content.as_bytes()),
            );
            continue;
        }
        if file.path.trim().is_empty() {
            pass.skip(
                &file.path,
                "its path is empty: give the repo-relative path (`src/sync.py`), whose extension names the language".to_owned(),
                extract::names_klaviyo(file.content.as_bytes()),
            );
            continue;
        }
        match Language::of_path(&file.path) {
            Some(language) => scanned.push((language, file)),
            None => {
                if !pass.note_unscanned(&file.path, &file.content) {
                    pass.skip(
                        &file.path,
                        format!(
                            "its language is not scanned; scanned extensions: {}",
                            Language::extensions().collect::<Vec<_>>().join(", ")
                        ),
                        extract::names_klaviyo(file.content.as_bytes()),
                    );
                }
            }
        }
    }
    let pass = std::sync::Mutex::new(pass);
    let deferred = std::sync::Mutex::new(Vec::new());
    for_each_parallel(&scanned, |(language, file)| {
        if pass.lock().expect("scan results").over_limit() {
            return;
        }
        if extract::worth_parsing(&file.content) {
            let found = extract::extract_parsed(*language, &file.path, &file.content);
            pass.lock()
                .expect("scan results")
                .add(&file.path, *language, found);
        } else {
            pass.lock().expect("scan results").count(*language);
            deferred
                .lock()
                .expect("deferred files")
                .push((*language, *file));
        }
    });
    let mut pass = pass.into_inner().expect("scan results");
    if let Some(limit) = pass.over_limit().then_some(max_calls).flatten() {
        return Err(ScanError::TooManyCalls { limit });
    }
    // Files that name neither Klaviyo nor an `api/` path matter only where
    // they call a wrapper of the project's: read those now.
    let deferred = deferred.into_inner().expect("deferred files");
    if let Some(names) = pass.wrapper_names() {
        for (language, file) in deferred {
            if names.is_match(file.content.as_str()) {
                let found = extract::extract_parsed(language, &file.path, &file.content);
                pass.add_late(&file.path, found);
            }
        }
    }
    Ok(pass.finish())
}

/// Runs `work` on each item with one worker per CPU.
pub(crate) fn for_each_parallel<T: Sync>(items: &[T], work: impl Fn(&T) + Sync) {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let run = || loop {
        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(item) = items.get(index) else {
            return;
        };
        work(item);
    };
    if workers == 1 {
        run();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(run);
            }
        });
    }
}

/// Collects per-file findings into the project's.
#[derive(Debug, Default)]
pub(crate) struct ProjectPass {
    findings: Findings,
    /// The most calls it collects (see [`ScanError::TooManyCalls`]).
    max_calls: Option<usize>,
}

impl ProjectPass {
    pub(crate) fn limited(max_calls: Option<usize>) -> ProjectPass {
        ProjectPass {
            max_calls,
            ..ProjectPass::default()
        }
    }

    /// More calls than the limit were collected: the scan stops.
    pub(crate) fn over_limit(&self) -> bool {
        let findings = &self.findings;
        let calls = findings.calls.len()
            + findings.path_calls.len()
            + findings.unresolved.len()
            + findings.retired_sdk_calls.len();
        self.max_calls.is_some_and(|limit| calls > limit)
    }

    /// A file of a scanned language was read (or found unreadable).
    pub(crate) fn add(&mut self, path: &str, language: Language, file: FileFindings) {
        match file.unreadable.clone() {
            Some(reason) => self.skip(path, reason, file.names_klaviyo),
            None => self.count(language),
        }
        self.merge(file);
    }

    /// A file of a scanned language was read but held nothing to parse (yet).
    pub(crate) fn count(&mut self, language: Language) {
        self.findings.files_scanned += 1;
        *self.findings.files_by_language.entry(language).or_default() += 1;
    }

    /// What a file read late (it calls a project wrapper) gave; it was
    /// counted when first read.
    pub(crate) fn add_late(&mut self, path: &str, file: FileFindings) {
        if let Some(reason) = file.unreadable.clone() {
            self.skip(path, reason, file.names_klaviyo);
        }
        self.merge(file);
    }

    fn merge(&mut self, mut file: FileFindings) {
        let findings = &mut self.findings;
        findings.calls.append(&mut file.calls);
        findings.path_calls.append(&mut file.path_calls);
        findings.unresolved.append(&mut file.unresolved);
        findings
            .retired_sdk_calls
            .append(&mut file.retired_sdk_calls);
        findings.wrappers.append(&mut file.wrappers);
        findings.names_klaviyo |= file.names_klaviyo;
        findings.klaviyo_bases.append(&mut file.klaviyo_bases);
        findings.path_constants.append(&mut file.path_constants);
    }

    pub(crate) fn skip(&mut self, file: &str, reason: String, names_klaviyo: bool) {
        self.findings.skipped.push(SkippedFile {
            file: file.to_owned(),
            reason,
            names_klaviyo,
        });
    }

    /// A file in a language not scanned: listed when it holds a Klaviyo API URL.
    pub(crate) fn note_unscanned(&mut self, file: &str, content: &str) -> bool {
        let Some(language) = unscanned_language(file) else {
            return false;
        };
        let Some(at) = memchr::memmem::find(content.as_bytes(), b"a.klaviyo.com/api") else {
            return false;
        };
        let line_start = content[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = content[at..].find('\n').map_or(content.len(), |i| at + i);
        let excerpt: String = content[line_start..line_end]
            .trim()
            .chars()
            .take(120)
            .collect();
        self.findings.unscanned.push(UnscannedFile {
            file: file.to_owned(),
            language: language.to_owned(),
            line: content[..at].matches('\n').count() + 1,
            excerpt: crate::secret::redact(&excerpt).into_owned(),
        });
        true
    }

    /// A matcher for the project's Klaviyo wrappers (`callApi(`) and the
    /// names of its Klaviyo base URLs (`getApiUrl`), if it has any: a file
    /// that names one may call Klaviyo without naming it.
    pub(crate) fn wrapper_names(&self) -> Option<aho_corasick::AhoCorasick> {
        let mut names: Vec<String> = self
            .findings
            .wrappers
            .iter()
            .filter(|w| w.klaviyo && w.name.len() >= 3)
            .map(|w| format!("{}(", w.name))
            .chain(
                self.findings
                    .klaviyo_bases
                    .iter()
                    .filter(|name| name.len() >= 4)
                    .cloned(),
            )
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            return None;
        }
        aho_corasick::AhoCorasick::new(names).ok()
    }

    pub(crate) fn finish(mut self) -> Findings {
        self.findings.sort();
        self.findings
    }
}

impl Findings {
    fn sort(&mut self) {
        let key = |file: &str, line: usize, column: usize| (file.to_owned(), line, column);
        self.calls.sort_by_key(|c| key(&c.file, c.line, c.column));
        self.calls.dedup_by(|a, b| {
            a.file == b.file && a.line == b.line && a.column == b.column && a.input == b.input
        });
        self.path_calls
            .sort_by_key(|c| key(&c.site.file, c.site.line, c.site.column));
        self.unresolved
            .sort_by_key(|c| key(&c.file, c.line, c.column));
        self.retired_sdk_calls
            .sort_by_key(|c| key(&c.site.file, c.site.line, c.site.column));
        self.wrappers.sort_by_key(|w| key(&w.file, w.line, 0));
        self.path_constants
            .sort_by(|a, b| (&a.name, &a.file).cmp(&(&b.name, &b.file)));
        self.klaviyo_bases.sort();
        self.klaviyo_bases.dedup();
        self.skipped.sort_by(|a, b| a.file.cmp(&b.file));
        self.unscanned.sort_by(|a, b| a.file.cmp(&b.file));
    }
}

//! `scopelink scan PATH...`: the link an integration's code needs, and the CI
//! gate (`--check`, `--check-docs`) that fails when a link or scope list in
//! the docs lacks a scope the code needs. Prints what [`crate::scan`] finds.
//!
//! Exit codes: 0 when the gate passes (or no gate is asked for), 1 when a
//! checked link lacks a scope the code needs (with `--strict`, also excess
//! scopes and calls that could not be read), 2 on bad usage or input.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::catalog_args::CatalogArgs;
use super::scan_docs;
use super::{GATE_FAILED, USAGE};
use crate::excerpt::shorten;
use crate::scan::{
    build_answer, sarif_with_docs, scan_paths, scope_groups, AnswerOptions, BlockOptions,
    CheckReport, DocCheck, DocOutcome, GroupBy, ScanOptions, ScanReport,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (`.gitignore` is honoured; node_modules,
    /// vendor, dist, build, .venv and target are skipped unless --include names them).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Print the whole report as JSON (the `link --json` report plus `calls` and `unresolved`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Exactly the scopes the spec lists: no `x:read` added for each `x:write`.
    #[arg(long)]
    pub minimal: bool,
    /// Only scan files matching this glob (relative to each PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Fail (exit 1) when this create-key link or scope list lacks a scope the code needs.
    #[arg(long, value_name = "LINK_OR_SCOPES")]
    pub check: Option<String>,
    /// Check every create-key link and /go link in these Markdown, HTML or text files.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub check_docs: Vec<PathBuf>,
    /// Also fail on excess scopes and on calls whose operation could not be read.
    #[arg(long)]
    pub strict: bool,
    /// Rewrite the block between `<!-- scopelink:begin -->` and
    /// `<!-- scopelink:end -->` in these docs from the code: the create-key
    /// link, each scope with its access and what needs it, and the revision.
    /// `--check-docs` on the same file fails when the block is stale.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub update_docs: Vec<PathBuf>,
    /// Also give the scopes each folder or file needs (in the report and the docs block).
    #[arg(long, value_enum, value_name = "PART")]
    pub group_by: Option<GroupByArg>,
    /// This Scopelink service's URL, for the `/go` form of the link in the docs block.
    #[arg(long, value_name = "URL", env = "SCOPELINK_SERVICE_URL")]
    pub service_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    Dir,
    File,
}

impl From<GroupByArg> for GroupBy {
    fn from(by: GroupByArg) -> GroupBy {
        match by {
            GroupByArg::Dir => GroupBy::Dir,
            GroupByArg::File => GroupBy::File,
        }
    }
}

/// Runs `scopelink scan`.
pub fn run(catalog_args: &CatalogArgs, args: &ScanArgs) -> ExitCode {
    if args.strict && args.check.is_none() && args.check_docs.is_empty() {
        eprintln!("scopelink: --strict needs --check LINK_OR_SCOPES or --check-docs FILE");
        return ExitCode::from(USAGE);
    }
    let catalogs = match catalog_args.load() {
        Ok(catalogs) => catalogs,
        Err(error) => {
            eprintln!("scopelink: {error}");
            return ExitCode::from(USAGE);
        }
    };
    let selected = match catalogs.select(catalog_args.revision.as_deref()) {
        Ok(selected) => selected,
        Err(error) => {
            eprintln!("scopelink: {error}");
            return ExitCode::from(USAGE);
        }
    };
    let base = &catalog_args.link_base;
    let options = ScanOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        ..ScanOptions::default()
    };
    let findings = match scan_paths(&args.paths, &options) {
        Ok(findings) => findings,
        Err(error) => {
            eprintln!("scopelink: {error}");
            return ExitCode::from(USAGE);
        }
    };
    let answer_options = AnswerOptions {
        minimal: args.minimal,
        prefer_beta: selected.prefer_beta,
        check: args.check.as_deref(),
        strict: args.strict,
    };
    let mut answer = match build_answer(selected.catalog, base, findings, answer_options) {
        Ok(answer) => answer,
        Err(error) => {
            eprintln!("scopelink: --check: {error} ({})", error.code());
            return ExitCode::from(USAGE);
        }
    };
    if let Some(by) = args.group_by {
        answer.groups = scope_groups(&answer.report, by.into());
    }
    let block = BlockOptions {
        service_url: args.service_url.as_deref(),
        groups: args.group_by.map(|_| answer.groups.as_slice()),
    };
    if let Err(code) = scan_docs::update_docs(&args.update_docs, &answer.report, block) {
        return code;
    }
    let docs = match scan_docs::read_docs(
        &args.check_docs,
        selected.catalog,
        base,
        &answer.report,
        answer_options.check_options(),
        block,
    ) {
        Ok(docs) => docs,
        Err(code) => return code,
    };
    answer.add_docs(docs, args.strict);
    let passed = answer.passed;
    let (report, checked, docs) = (&answer.report, answer.check.as_ref(), &answer.docs);

    let format = if args.json {
        ScanFormat::Json
    } else {
        args.format
    };
    let printed = match format {
        ScanFormat::Json => print_json(&answer),
        ScanFormat::Sarif => print_json(&sarif_with_docs(report, checked, docs)),
        ScanFormat::Text => {
            print_text(report, checked, docs, args.strict);
            print_groups(&answer.groups);
            true
        }
    };
    if format != ScanFormat::Text {
        print_problems(report);
    }
    if !printed {
        return ExitCode::from(USAGE);
    }
    if answer.checks_asked() && !answer.incomplete.is_empty() {
        for reason in &answer.incomplete {
            eprintln!("scopelink: cannot check: {reason}");
        }
        return ExitCode::from(USAGE);
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(GATE_FAILED)
    }
}

fn print_json(value: &impl Serialize) -> bool {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            true
        }
        Err(error) => {
            eprintln!("scopelink: {error}");
            false
        }
    }
}

/// Unresolved, failing and retired calls, and files not read, on stderr.
fn print_problems(report: &ScanReport) {
    let mut stderr = std::io::stderr().lock();
    for call in &report.unresolved {
        let _ = writeln!(
            stderr,
            "unresolved: {}:{}: {} ({}): {}",
            call.file,
            call.line,
            call.detail,
            call.reason.as_str(),
            call.excerpt
        );
        if !call.candidates.is_empty() {
            let could_be: Vec<String> = call
                .candidates
                .iter()
                .map(|c| {
                    let adds = if c.adds.is_empty() {
                        "adds no scope".to_owned()
                    } else {
                        format!("adds {}", c.adds.join(", "))
                    };
                    format!(
                        "{} ({} {}) {adds}",
                        c.operation_id,
                        c.method.as_str(),
                        c.path
                    )
                })
                .collect();
            let _ = writeln!(stderr, "  could be: {}", could_be.join("; "));
        }
    }
    for error in &report.errors {
        let call = &report.calls[error.index];
        let _ = writeln!(
            stderr,
            "error: {}:{} `{}`: {} ({})",
            call.file,
            call.line,
            call.input,
            error.detail,
            error.code.as_str()
        );
    }
    for call in &report.retired {
        let replaced: Vec<String> = call.replaced_by.iter().map(ToString::to_string).collect();
        let via = call
            .sdk_method
            .as_ref()
            .map(|m| format!(" through the old SDK method {m}"))
            .unwrap_or_default();
        let endpoint = if call.endpoint.is_empty() {
            "an old SDK method"
        } else {
            call.endpoint.as_str()
        };
        let _ = writeln!(
            stderr,
            "retired: {}:{}: {endpoint}{via} was retired on 2024-06-30 (410 Gone); {}{}",
            call.file,
            call.line,
            if replaced.is_empty() {
                "no current operation is recorded for it".to_owned()
            } else {
                format!(
                    "{} by {}",
                    match call.basis {
                        crate::retired::ReplacementBasis::Suggested => "suggested: replace it",
                        _ => "replaced",
                    },
                    replaced.join(" and ")
                )
            },
            if call.scopes.is_empty() {
                String::new()
            } else {
                format!(", which need {}", call.scopes.join(", "))
            }
        );
    }
    if let Some(migration) = &report.migration {
        if let Some(url) = &migration.url {
            let _ = writeln!(stderr, "retired: a key for the replacements: {url}");
        }
    }
    for file in &report.unscanned {
        let _ = writeln!(
            stderr,
            "unscanned: {}:{}: {} is not a language Scopelink reads, and this file calls Klaviyo's API; its calls are not in the link: {}",
            file.file, file.line, file.language, file.excerpt
        );
    }
    for skipped in &report.skipped {
        let names = if skipped.names_klaviyo {
            " (it names Klaviyo, so calls in it may be missing from the link)"
        } else {
            ""
        };
        let _ = writeln!(
            stderr,
            "skipped: {}: {}{names}",
            skipped.file, skipped.reason
        );
    }
}

/// `--group-by`: each part of the code with the scopes it needs.
fn print_groups(groups: &[crate::scan::ScopeGroup]) {
    if groups.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "scopes by part of the code:");
    let width = groups
        .iter()
        .map(|group| group.part.len())
        .max()
        .unwrap_or(0);
    for group in groups {
        let _ = writeln!(out, "  {:width$}  {}", group.part, group.scopes.join(", "));
    }
}

fn print_text(report: &ScanReport, checked: Option<&CheckReport>, docs: &[DocCheck], strict: bool) {
    let mut out = std::io::stdout().lock();
    let resolved = report.calls.len() - report.errors.len();
    let languages: Vec<String> = report
        .files_by_language
        .iter()
        .map(|read| format!("{} {}", read.language.as_str(), read.files))
        .collect();
    let _ = writeln!(
        out,
        "scanned {} files{}: {} Klaviyo calls ({} resolved), {} unresolved, {} retired",
        report.files_scanned,
        if languages.is_empty() {
            String::new()
        } else {
            format!(" ({})", languages.join(", "))
        },
        report.calls.len(),
        resolved,
        report.unresolved.len(),
        report.retired.len()
    );
    match &report.url {
        Some(url) => {
            let _ = writeln!(out, "{url}");
        }
        None => {
            let _ = writeln!(
                out,
                "no link: no call that needs a scope was found (a key made from an empty scopes= link has full access, so none is given)"
            );
        }
    }
    let width = report
        .scopes
        .iter()
        .map(|scope| scope.len())
        .max()
        .unwrap_or(0);
    for explanation in &report.explanations {
        let sites: Vec<String> = explanation
            .calls
            .iter()
            .map(|site| format!("{} ({} `{}`)", site.at, site.form.as_str(), site.input))
            .collect();
        let _ = writeln!(out, "{:width$}  {}", explanation.scope, sites.join("; "));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {}", warning.message);
    }
    drop(out);
    print_problems(report);
    let mut out = std::io::stdout().lock();
    if let Some(checked) = checked {
        let _ = writeln!(out, "check against the given scopes:");
        print_check(&mut out, checked, strict);
    }
    for doc in docs {
        let _ = writeln!(
            out,
            "{}:{}: {}",
            doc.file,
            doc.link.line,
            if doc.link.url.is_empty() {
                doc.link.describe()
            } else {
                shorten(&doc.link.url, 100)
            }
        );
        match &doc.outcome {
            DocOutcome::Checked(checked) => print_check(&mut out, checked, strict),
            DocOutcome::Unreadable { code, detail } => {
                let _ = writeln!(out, "  FAILED: {detail} ({code})");
            }
        }
    }
}

fn print_check(out: &mut impl Write, checked: &CheckReport, strict: bool) {
    for missing in &checked.missing {
        let sites: Vec<String> = missing
            .calls
            .iter()
            .map(|site| format!("{} ({} `{}`)", site.at, site.form.as_str(), site.input))
            .collect();
        let _ = writeln!(
            out,
            "  missing: {} (needed by {})",
            missing.scope,
            sites.join("; ")
        );
    }
    if !checked.excess.is_empty() {
        let _ = writeln!(
            out,
            "  excess: {}{}",
            checked.excess.join(", "),
            if strict {
                ""
            } else {
                " (fails only with --strict)"
            }
        );
    }
    for finding in checked.audit.findings.iter().filter(|f| f.needs_fix) {
        let _ = writeln!(out, "  {}: {}", finding.status.as_str(), finding.message);
    }
    let passed = if strict {
        checked.strict_passed
    } else {
        checked.passed
    };
    if !passed {
        match &checked.corrected_url {
            Some(url) => {
                let _ = writeln!(out, "  corrected link: {url}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "  the code needs no scope, so there is no corrected link"
                );
            }
        }
    }
    let _ = writeln!(out, "  {}", if passed { "passed" } else { "FAILED" });
}

//! The docs side of `scopelink scan`: `--check-docs` reads each doc's links,
//! scope lists and key types and checks them (a stale `scopelink` block
//! fails too), and `--update-docs` writes the block from the code.

use std::path::PathBuf;
use std::process::ExitCode;

use super::USAGE;
use crate::catalog::Catalog;
use crate::link::LinkBase;
use crate::scan::{
    check_doc_link, current_block, doc_findings, render_block, replace_block, BlockOptions,
    CheckOptions, DocCheck, DocLink, DocLinkKind, DocOutcome, Families, ScanReport, BEGIN, END,
};

/// Every link in the docs, checked; a doc with no link is an error, so a
/// misspelt path cannot make the gate pass.
pub(super) fn read_docs(
    files: &[PathBuf],
    catalog: &Catalog,
    base: &LinkBase,
    report: &ScanReport,
    options: CheckOptions,
    block: BlockOptions<'_>,
) -> Result<Vec<DocCheck>, ExitCode> {
    let mut checks = Vec::new();
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!(
                    "scopelink: --check-docs: cannot read {}: {error}",
                    file.display()
                );
                return Err(ExitCode::from(USAGE));
            }
        };
        let links = doc_findings(&text, &Families::of(catalog));
        if links.is_empty() && current_block(&text).is_none() {
            eprintln!(
                "scopelink: --check-docs: {} has no create-key link (https://www.klaviyo.com/create-private-api-key?scopes=…), no /go?op=… link, no scope list (scope ids, or names with levels, in a list or table under a heading about scopes) and no Read-Only or Full Access key",
                file.display()
            );
            return Err(ExitCode::from(USAGE));
        }
        let shown = file.to_string_lossy().replace('\\', "/");
        if let Some(stale) = stale_block(&text, &shown, report, block) {
            checks.push(stale);
        }
        for link in &links {
            checks.push(check_doc_link(catalog, base, report, &shown, link, options));
        }
    }
    Ok(checks)
}

/// A doc's `scopelink` block that is not what `--update-docs` would write
/// now (or cannot be read), as a failed check naming how to refresh it.
fn stale_block(
    text: &str,
    file: &str,
    report: &ScanReport,
    block: BlockOptions<'_>,
) -> Option<DocCheck> {
    let (code, detail, line) = match current_block(text)? {
        Err(error) => ("unreadable_block", format!("{file}: {error}"), 1),
        Ok((current, line)) if current != render_block(report, block) => (
            "stale_block",
            format!(
                "the scopelink block is stale: the code now needs other scopes or operations; refresh it with `scopelink scan PATH --update-docs {file}` (with the same --group-by and --service-url)"
            ),
            line,
        ),
        Ok(_) => return None,
    };
    Some(DocCheck {
        file: file.to_owned(),
        link: DocLink {
            line,
            column: 1,
            kind: DocLinkKind::ScopelinkBlock,
            url: String::new(),
            scopes: Vec::new(),
            end_line: None,
        },
        outcome: DocOutcome::Unreadable {
            code: code.to_owned(),
            detail,
        },
    })
}

/// Writes the block into each doc; a doc without the markers is an error
/// that says where they go. Says on stderr what changed.
pub(super) fn update_docs(
    files: &[PathBuf],
    report: &ScanReport,
    block: BlockOptions<'_>,
) -> Result<(), ExitCode> {
    let content = render_block(report, block);
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|error| {
            eprintln!(
                "scopelink: --update-docs: cannot read {}: {error}",
                file.display()
            );
            ExitCode::from(USAGE)
        })?;
        let updated = replace_block(&text, &content).map_err(|error| {
            eprintln!("scopelink: --update-docs: {}: {error}", file.display());
            if current_block(&text).is_none() {
                eprintln!("  add these two lines where the block goes:\n  {BEGIN}\n  {END}");
            }
            ExitCode::from(USAGE)
        })?;
        if updated == text {
            eprintln!("scopelink: {} is up to date", file.display());
            continue;
        }
        std::fs::write(file, updated).map_err(|error| {
            eprintln!(
                "scopelink: --update-docs: cannot write {}: {error}",
                file.display()
            );
            ExitCode::from(USAGE)
        })?;
        eprintln!(
            "scopelink: updated the scopelink block in {}",
            file.display()
        );
    }
    Ok(())
}

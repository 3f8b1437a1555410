//! The block `scopelink scan --update-docs` writes into a doc, between
//! `<!-- scopelink:begin -->` and `<!-- scopelink:end -->`: the create-key
//! link (and the `/go` form, given the service's URL), a table of each scope
//! with its access as Klaviyo's key page names it and the operations that
//! need it, the scopes of each part (`--group-by`), and the revision. The
//! same rendering tells `--check-docs` whether a block is stale.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::report::ScanReport;
use crate::link::{input_text, links_url};
use crate::resolve::{InputItem, Reason, StructuredInput};
use crate::scope::{family_display_name, Scope};

pub const BEGIN: &str = "<!-- scopelink:begin -->";
pub const END: &str = "<!-- scopelink:end -->";

/// How the calls are grouped into parts (`--group-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// By the folder of the file.
    Dir,
    File,
}

/// The scopes one part of the code needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeGroup {
    /// The folder (ending in `/`) or file.
    pub part: String,
    pub scopes: Vec<String>,
}

/// The scopes of the calls in each folder or file, in path order: a call's
/// own scopes, with `x:read` beside each `x:write` unless `minimal`.
pub fn scope_groups(report: &ScanReport, by: GroupBy) -> Vec<ScopeGroup> {
    let mut parts: BTreeMap<String, BTreeSet<Scope>> = BTreeMap::new();
    for call in &report.calls {
        let part = match by {
            GroupBy::File => call.file.clone(),
            GroupBy::Dir => match call.file.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => "./".to_owned(),
            },
        };
        let scopes = parts.entry(part).or_default();
        for scope in &call.scopes {
            if !report.minimal {
                scopes.extend(scope.read_of_write());
            }
            scopes.insert(scope.clone());
        }
    }
    parts
        .into_iter()
        .filter(|(_, scopes)| !scopes.is_empty())
        .map(|(part, scopes)| ScopeGroup {
            part,
            scopes: scopes.iter().map(ToString::to_string).collect(),
        })
        .collect()
}

/// What the block holds beside the link and the table.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockOptions<'a> {
    /// The Scopelink service's URL, for the `/go` form of the link.
    pub service_url: Option<&'a str>,
    /// The scopes of each part (`--group-by`).
    pub groups: Option<&'a [ScopeGroup]>,
}

/// The block's lines between the markers, for a report.
pub fn render_block(report: &ScanReport, options: BlockOptions<'_>) -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Written by `scopelink scan --update-docs` from the code; run it again, do not edit. -->\n",
    );
    let Some(url) = &report.url else {
        out.push_str("No Klaviyo API call found in the code needs a scope.\n");
        return out;
    };
    out.push_str(&format!(
        "Create the Klaviyo private API key with exactly the scopes the code needs: [create the key]({url})"
    ));
    if let Some(service) = options.service_url {
        out.push_str(&format!(
            " ([through Scopelink]({}))",
            go_url(service, report)
        ));
    }
    out.push_str(".\n\n");
    out.push_str("| Scope | Access on Klaviyo's key page | Needed by |\n|---|---|---|\n");
    let full: BTreeSet<&str> = report
        .scopes
        .iter()
        .filter(|scope| scope.is_write())
        .map(|scope| scope.family())
        .collect();
    for explanation in &report.explanations {
        let scope = &explanation.scope;
        let level = if full.contains(scope.family()) {
            "Full"
        } else {
            "Read"
        };
        let needed: BTreeSet<String> = explanation
            .needed_by
            .iter()
            .map(|need| match &need.reason {
                Reason::Include { value, .. } => {
                    format!("`{}` (include={value})", need.operation_id)
                }
                _ => format!("`{}`", need.operation_id),
            })
            .collect();
        out.push_str(&format!(
            "| `{scope}` | {}: {level} | {} |\n",
            family_display_name(scope.family()),
            needed.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(groups) = options.groups {
        out.push_str("\n| Part of the code | Scopes it needs |\n|---|---|\n");
        for group in groups {
            let scopes: Vec<String> = group.scopes.iter().map(|s| format!("`{s}`")).collect();
            out.push_str(&format!("| `{}` | {} |\n", group.part, scopes.join(", ")));
        }
    }
    out.push_str(&format!(
        "\nKlaviyo API revision {}.\n",
        report.catalog.revision()
    ));
    out
}

/// `SERVICE/go?op=…` for the operations the code calls, each once, with
/// the include values it asks for (`get_events?include=metric`).
fn go_url(service: &str, report: &ScanReport) -> String {
    let operations: BTreeSet<String> = report
        .operations
        .iter()
        .map(|operation| {
            input_text(&InputItem::Structured(StructuredInput {
                operation: operation.operation_id.to_string(),
                include: operation.includes.clone(),
            }))
        })
        .collect();
    let operations: Vec<String> = operations.into_iter().collect();
    let go = links_url("/go", &operations, report.minimal, None);
    format!("{}{go}", service.trim_end_matches('/'))
}

/// Why a doc's block cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error("it has no `{BEGIN}` line; add `{BEGIN}` and `{END}` where the block goes")]
    NoMarkers,
    #[error("`{BEGIN}` on line {begin} has no `{END}` after it")]
    Unclosed { begin: usize },
    #[error("it has more than one `{BEGIN}` (lines {first} and {second}); keep one block")]
    Twice { first: usize, second: usize },
}

/// Where a doc's block is: the byte range between the marker lines, and the line of `BEGIN`.
fn block_range(doc: &str) -> Result<(std::ops::Range<usize>, usize), BlockError> {
    let mut begin: Option<(usize, usize)> = None;
    let mut offset = 0;
    for (number, line) in doc.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if trimmed == BEGIN {
            if let Some((first, _)) = begin {
                return Err(BlockError::Twice {
                    first,
                    second: number + 1,
                });
            }
            begin = Some((number + 1, offset + line.len()));
        } else if trimmed == END {
            if let Some((line_number, start)) = begin {
                return Ok((start..offset, line_number));
            }
        }
        offset += line.len();
    }
    match begin {
        Some((begin, _)) => Err(BlockError::Unclosed { begin }),
        None => Err(BlockError::NoMarkers),
    }
}

/// The block's current text and the line of its `BEGIN` marker; `None` when
/// the doc has no block.
pub fn current_block(doc: &str) -> Option<Result<(&str, usize), BlockError>> {
    match block_range(doc) {
        Err(BlockError::NoMarkers) => None,
        Err(error) => Some(Err(error)),
        Ok((range, line)) => Some(Ok((&doc[range], line))),
    }
}

/// The doc with its block's text replaced by `content`.
pub fn replace_block(doc: &str, content: &str) -> Result<String, BlockError> {
    let (range, _) = block_range(doc)?;
    let mut out = String::with_capacity(doc.len() + content.len());
    out.push_str(&doc[..range.start]);
    out.push_str(content);
    out.push_str(&doc[range.end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_between_the_markers_is_replaced_and_nothing_else() {
        let doc = format!("# A\n\n{BEGIN}\nold\n{END}\ntail\n");
        let new = replace_block(&doc, "new\n").unwrap();
        assert_eq!(new, format!("# A\n\n{BEGIN}\nnew\n{END}\ntail\n"));
        assert_eq!(current_block(&new), Some(Ok(("new\n", 3))));
        assert_eq!(replace_block(&new, "new\n").unwrap(), new);
        assert_eq!(current_block("no block"), None);
        assert_eq!(
            replace_block(&format!("{BEGIN}\nx\n"), ""),
            Err(BlockError::Unclosed { begin: 1 })
        );
        assert_eq!(
            replace_block(&format!("{BEGIN}\n{BEGIN}\n{END}\n"), ""),
            Err(BlockError::Twice {
                first: 1,
                second: 2
            })
        );
        // CRLF docs keep their line ends outside the block.
        let crlf = format!("a\r\n{BEGIN}\r\nold\r\n{END}\r\n");
        assert_eq!(
            replace_block(&crlf, "new\n").unwrap(),
            format!("a\r\n{BEGIN}\r\nnew\n{END}\r\n")
        );
    }
}

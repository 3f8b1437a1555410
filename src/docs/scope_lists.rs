//! Finds the scope lists real docs hold instead of links, so that
//! `--check-docs` and the audit can hold them to the code:
//! - scope ids in a bullet list, a table or inline code (`profiles:read`);
//! - display names with levels, in a table or a list, as Klaviyo's key page
//!   names them (`| List | Read |`, `* Profiles: __full access__;`);
//! - "create a Read-Only key" or "a Full Access key" instead of a custom one.
//!
//! A block counts only where it is a scope list: under a heading about
//! scopes, permissions or keys, or with most of its items scope names, so
//! prose that merely mentions profiles is not read as scopes. Markdown,
//! HTML, reStructuredText and plain text are read line by line.

use std::collections::BTreeSet;

use serde::Serialize;

use super::levels::{display_scopes, parenthesized_levels, Families, NO_ACCESS};
use super::lines::{doc_lines, JOINED};

/// How a doc states the scopes a key needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocScopeForm {
    /// Scope ids (`lists:read`) in a list, a table or inline code.
    ScopeIds,
    /// Display names with access levels (`List | Read`, `Profiles: full access`).
    DisplayNames,
    /// "Create a Read-Only key": every read scope, no write.
    ReadOnlyKey,
    /// "Create a Full Access key": every scope.
    FullAccessKey,
}

/// One scope list found in a doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocScopeList {
    /// The first line of the list, from 1.
    pub line: usize,
    /// Its last line.
    pub end_line: usize,
    pub form: DocScopeForm,
    /// The scopes as the audit reads them (`lists:read`, `list:read`,
    /// `profiles:full`), in the doc's order; empty for a key type.
    pub scopes: Vec<String>,
}

/// Every scope list in a doc, in order.
pub fn doc_scope_lists(text: &str, families: &Families) -> Vec<DocScopeList> {
    let lines = doc_lines(text);
    let mut found = Vec::new();
    let mut heading_about_scopes = false;
    let mut in_block: Vec<bool> = vec![false; lines.len()];
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at].as_str();
        if let Some(heading) = heading_at(&lines, at) {
            heading_about_scopes = is_about_scopes(heading);
            at += 1;
            continue;
        }
        if item_text(line).is_none() {
            if let Some(list) = inline_scope_ids(line, at + 1, heading_about_scopes, families) {
                in_block[at] = true;
                found.push(list);
            }
            // A line that introduces what follows ("Create a key with these
            // scopes:") puts the list under it in scope.
            heading_about_scopes |= is_about_scopes(line);
            at += 1;
            continue;
        }
        // A run of items (list items or table rows; one blank line may part list items).
        let start = at;
        let mut items = Vec::new();
        while at < lines.len() {
            if let Some(item) = item_text(&lines[at]) {
                items.push((at, item));
                at += 1;
            } else if let Some(continued) = continuation(&lines[at], &items) {
                // A list item's text wrapped onto an indented line is the item's.
                if let Some((_, item)) = items.last_mut() {
                    item.push(' ');
                    item.push_str(continued);
                }
                at += 1;
            } else if lines[at] == JOINED
                || (lines[at].trim().is_empty()
                    && at + 1 < lines.len()
                    && item_text(&lines[at + 1]).is_some()
                    && heading_at(&lines, at + 1).is_none())
            {
                at += 1;
            } else {
                break;
            }
        }
        if let Some(list) = read_block(&items, heading_about_scopes, families) {
            for flag in &mut in_block[start..at] {
                *flag = true;
            }
            found.push(list);
        }
    }
    for (index, line) in lines.iter().enumerate() {
        if in_block[index] {
            continue;
        }
        if let Some(form) = key_type(line) {
            found.push(DocScopeList {
                line: index + 1,
                end_line: index + 1,
                form,
                scopes: Vec::new(),
            });
        }
    }
    found.sort_by_key(|list| list.line);
    found
}

/// The heading at a line: Markdown `#`, a line underlined with `=`, `-`,
/// `~` or `^` (reStructuredText, Markdown's setext), or a line in bold alone.
fn heading_at(lines: &[String], at: usize) -> Option<&str> {
    let line = lines[at].trim();
    if line.starts_with('#') {
        return Some(line.trim_start_matches('#').trim());
    }
    let underline = |text: &str| {
        text.len() >= 3
            && text
                .chars()
                .all(|c| matches!(c, '=' | '-' | '~' | '^' | '*'))
            && text.chars().collect::<BTreeSet<_>>().len() == 1
    };
    if !line.is_empty() && !line.starts_with(['|', '-', '*', '+']) {
        if let Some(next) = lines.get(at + 1) {
            if underline(next.trim()) {
                return Some(line);
            }
        }
    }
    let bold = line
        .strip_prefix("**")
        .and_then(|rest| rest.strip_suffix("**").or(rest.strip_suffix("**:")));
    bold.filter(|inner| !inner.contains("**"))
}

/// Whether a sentence holding `known` scope ids states what a key gets:
/// two or more where it speaks of a key or its scopes ("a private API key
/// with the `a` and `b` scopes", "Select scopes: `a`, `b`"), or one where
/// it tells to create the key ("Create a key with the `events:write`
/// scope"), not where it only mentions one ("the checks need `flows:read`").
fn states_key_scopes(text: &str, known: usize) -> bool {
    let lower = text.to_ascii_lowercase();
    let lower = lower.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    // Advice on a failure names scopes without stating the key's list.
    let advice = ["verify", "check", "ensure", "make sure", "if ", "when "];
    if advice.iter().any(|word| lower.starts_with(word)) {
        return false;
    }
    let about_key = is_about_scopes(text) || lower.contains(" key");
    let creates = lower.contains("key")
        && ["create", "generate", "select scope", "scopes:"]
            .iter()
            .any(|word| lower.contains(word));
    (known >= 2 && about_key) || (known >= 1 && creates)
}

/// Whether a heading or an introducing line is about a key's scopes.
fn is_about_scopes(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "scope",
        "permission",
        "api key",
        "private key",
        "access level",
    ]
    .iter()
    .any(|word| text.contains(word))
}

/// The text of a list item or table row, without its marker; `None` for
/// other lines (table separators are rows of nothing).
fn item_text(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if trimmed.starts_with('|') {
        let cells: Vec<&str> = trimmed.trim_matches('|').split('|').collect();
        if cells.iter().all(|cell| {
            cell.trim()
                .chars()
                .all(|c| matches!(c, '-' | ':' | '=' | '+' | ' '))
        }) {
            return Some(String::new());
        }
        return Some(cells.join("|"));
    }
    if trimmed.starts_with('+') && trimmed.chars().all(|c| matches!(c, '+' | '-' | '=')) {
        return Some(String::new());
    }
    for marker in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return Some(rest.to_owned());
        }
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let rest = &trimmed[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or(rest.strip_prefix(") ")) {
            return Some(rest.to_owned());
        }
    }
    None
}

/// An indented line that continues the last list item (not a table row).
fn continuation<'l>(line: &'l str, items: &[(usize, String)]) -> Option<&'l str> {
    let (_, last) = items.last()?;
    let indented = line.starts_with([' ', '\t']) && !line.trim().is_empty();
    let in_table = last.contains('|');
    (indented && !in_table && item_text(line).is_none()).then(|| line.trim())
}

/// Reads a run of items as a scope list, if it is one.
fn read_block(
    items: &[(usize, String)],
    heading_about_scopes: bool,
    families: &Families,
) -> Option<DocScopeList> {
    let mut scopes = Vec::new();
    let mut scope_items = 0;
    let mut other_items = 0;
    let mut display = false;
    // An item that itself speaks of the key ("4. Select scopes: `a`, `b`")
    // is a scope list whatever stands beside it.
    let mut speaks_of_key = false;
    let mut first = None;
    let mut last = 0;
    for (at, item) in items {
        if item.trim().is_empty() {
            continue;
        }
        let ids = scope_ids(item, families);
        let read = if ids.known > 0 {
            speaks_of_key |= states_key_scopes(item, ids.known);
            ids.scopes
        } else {
            let mut named = display_scopes(item, families);
            if named.is_empty() {
                let (levels, families_named) = parenthesized_levels(item, families);
                if families_named > 0 {
                    named = levels;
                }
            }
            display |= !named.is_empty();
            named
        };
        if read.is_empty() {
            other_items += 1;
            continue;
        }
        scope_items += 1;
        first.get_or_insert(*at);
        last = *at;
        scopes.extend(read.into_iter().filter(|scope| scope != NO_ACCESS));
    }
    let counts =
        scope_items > 0 && (heading_about_scopes || speaks_of_key || scope_items > other_items);
    if !counts {
        return None;
    }
    let first = first?;
    Some(DocScopeList {
        line: first + 1,
        end_line: last + 1,
        form: if display {
            DocScopeForm::DisplayNames
        } else {
            DocScopeForm::ScopeIds
        },
        scopes: without_repeats(scopes),
    })
}

/// Scope ids in a paragraph line, in inline code: a list when the line (or
/// its heading) is about scopes, or it names two or more.
fn inline_scope_ids(
    line: &str,
    number: usize,
    heading_about_scopes: bool,
    families: &Families,
) -> Option<DocScopeList> {
    // Inline code: `x` in Markdown, ``x`` in reStructuredText.
    let single = line.replace("``", "`");
    let code: Vec<&str> = single.split('`').skip(1).step_by(2).collect();
    let mut scopes = Vec::new();
    let mut known = 0;
    for span in code {
        let ids = scope_ids(span, families);
        known += ids.known;
        scopes.extend(ids.scopes);
    }
    // One id in a sentence is a mention ("the flow checks need `flows:read`"),
    // not the key's whole list; two or more are a list where the sentence or
    // its heading is about a key or its scopes.
    let counts = (known >= 2 && heading_about_scopes) || states_key_scopes(line, known);
    if counts {
        return Some(DocScopeList {
            line: number,
            end_line: number,
            form: DocScopeForm::ScopeIds,
            scopes: without_repeats(scopes),
        });
    }
    // "a key with scopes: Campaigns (Full), Templates (Full), Lists (Read)".
    let (named, families_named) = parenthesized_levels(line, families);
    let counts = families_named >= 2
        && (heading_about_scopes
            || is_about_scopes(line)
            || line.to_ascii_lowercase().contains(" key"));
    counts.then(|| DocScopeList {
        line: number,
        end_line: number,
        form: DocScopeForm::DisplayNames,
        scopes: without_repeats(named),
    })
}

struct ScopeIds {
    scopes: Vec<String>,
    /// How many name a known family.
    known: usize,
}

/// `family:level` tokens in a text (level `read`, `write` or `full`).
fn scope_ids(text: &str, families: &Families) -> ScopeIds {
    let mut scopes = Vec::new();
    let mut known = 0;
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    for (colon, _) in text.match_indices(':') {
        let family_start = text[..colon]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_name(c))
            .last()
            .map_or(colon, |(at, _)| at);
        let family = &text[family_start..colon];
        let level_end = text[colon + 1..]
            .char_indices()
            .find(|&(_, c)| !c.is_ascii_alphabetic())
            .map_or(text.len(), |(at, _)| colon + 1 + at);
        let level = text[colon + 1..level_end].to_ascii_lowercase();
        if family.is_empty() || !matches!(level.as_str(), "read" | "write" | "full") {
            continue;
        }
        let family = family.to_ascii_lowercase();
        if families.knows(&family) {
            known += 1;
        }
        scopes.push(format!("{family}:{level}"));
    }
    ScopeIds { scopes, known }
}

/// A line telling users to create a Read-Only or a Full Access key.
fn key_type(line: &str) -> Option<DocScopeForm> {
    let lower = line.to_ascii_lowercase();
    if !lower.contains("key") {
        return None;
    }
    if lower.contains("read-only") || lower.contains("read only") || lower.contains("readonly") {
        Some(DocScopeForm::ReadOnlyKey)
    } else if lower.contains("full access") || lower.contains("full-access") {
        Some(DocScopeForm::FullAccessKey)
    } else {
        None
    }
}

fn without_repeats(scopes: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    scopes
        .into_iter()
        .filter(|scope| seen.insert(scope.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn families() -> Families {
        Families::of(&Catalog::embedded())
    }

    fn read(text: &str) -> Vec<(usize, DocScopeForm, Vec<String>)> {
        doc_scope_lists(text, &families())
            .into_iter()
            .map(|list| (list.line, list.form, list.scopes))
            .collect()
    }

    fn owned(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn prose_and_feature_lists_are_not_scope_lists() {
        for text in [
            "We sync profiles, lists and events with Klaviyo.\n",
            "## Features\n\n- Profiles: keep contacts in sync\n- Lists: subscribe people\n",
            "## Troubleshooting\n\nA 403 on `profiles:read` means the key lacks it.\n",
            "## Scopes\n\nThe flow checks require the `flows:read` scope; if the key lacks it, they fail.\n",
            "Requires the `flows:read` scope on the account's private key.\n",
            "- Lists tool: needs `lists:read` on the key\n- Flows tool: reads flows\n- Events tool: sends events\n",
            "**Cannot export**\n- Check the segment exists\n- Verify API key has segments:read and profiles:read permissions\n- Retry\n",
            "See https://example.com/profiles:read for more.\n",
            "| Name | Description |\n|---|---|\n| Profiles | The people |\n",
            "Our sync (beta) reads Profiles (the people) and Lists (all of them).\n",
        ] {
            assert_eq!(read(text), [], "{text}");
        }
    }

    #[test]
    fn each_form_reads_its_scopes() {
        assert_eq!(
            read("## Required scopes\n\n- **Campaigns**: `campaigns:read`, `campaigns:write`\n"),
            [(
                3,
                DocScopeForm::ScopeIds,
                owned(&["campaigns:read", "campaigns:write"])
            )]
        );
        // Most items scope ids, without a heading about scopes.
        assert_eq!(
            read("- `lists:read`\n- `lists:write`\n- and a note\n"),
            [(
                1,
                DocScopeForm::ScopeIds,
                owned(&["lists:read", "lists:write"])
            )]
        );
        // Display names: Lists and List, Data Privacy and data-privacy; No access grants nothing.
        assert_eq!(
            read("### Permissions\n\n| Scope | Access |\n|---|---|\n| Lists | Read-only |\n| data-privacy | Full access |\n| Segments | No Access |\n| Push Tokens | Write |\n"),
            [(
                5,
                DocScopeForm::DisplayNames,
                owned(&[
                    "lists:read",
                    "data-privacy:read",
                    "data-privacy:write",
                    "push-tokens:read",
                    "push-tokens:write"
                ])
            )]
        );
        assert_eq!(
            read("Create a private key with `profiles:read` and `lists:write`.\n"),
            [(
                1,
                DocScopeForm::ScopeIds,
                owned(&["profiles:read", "lists:write"])
            )]
        );
        // Scope ids in one step of a numbered list, and an item wrapped onto a second line.
        assert_eq!(
            read("1. Install it.\n2. Go to Settings.\n3. Select scopes: `lists:read, profiles:write`\n4. Save.\n"),
            [(3, DocScopeForm::ScopeIds, owned(&["lists:read", "profiles:write"]))]
        );
        assert_eq!(
            read("- PHP 8.2+\n- A private API key with the `translations:read` and\n  `translations:write` scopes.\n"),
            [(2, DocScopeForm::ScopeIds, owned(&["translations:read", "translations:write"]))]
        );
        assert_eq!(
            read("Create a Private API key with scopes: Campaigns (Full), Templates (Full) and Lists (Read-only).\n"),
            [(
                1,
                DocScopeForm::DisplayNames,
                owned(&["campaigns:read", "campaigns:write", "templates:read", "templates:write", "lists:read"])
            )]
        );
        assert_eq!(
            read("## Permissions\n\n- Profiles (Full)\n- Metrics (Read)\n"),
            [(
                3,
                DocScopeForm::DisplayNames,
                owned(&["profiles:read", "profiles:write", "metrics:read"])
            )]
        );
        assert_eq!(
            read("Create a private API key with only the `events:write` scope.\n"),
            [(1, DocScopeForm::ScopeIds, owned(&["events:write"]))]
        );
        assert_eq!(
            read("Setup:\n\n1. Create a Read-only API key.\n"),
            [(3, DocScopeForm::ReadOnlyKey, vec![])]
        );
    }
}

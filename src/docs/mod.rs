//! Finds what a partner's docs tell merchants to create: Klaviyo create-key
//! links (`https://www.klaviyo.com/create-private-api-key?scopes=…`),
//! Scopelink `/go?op=…` links, and the scope lists and key types
//! [`scope_lists`] reads, in Markdown, HTML, reStructuredText or plain
//! text, with their line numbers, so `scopelink scan --check-docs` and the
//! audit can hold each one to what the code needs.

use serde::Serialize;

mod levels;
mod lines;
mod scope_lists;

pub use levels::Families;
pub use scope_lists::{doc_scope_lists, DocScopeForm, DocScopeList};

/// What a doc holds that says which key to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocLinkKind {
    /// Klaviyo's create-private-key page with `scopes=`.
    CreateKey,
    /// A Scopelink `/go?op=…` redirect.
    Go,
    /// Scope ids in a list, a table or inline code.
    ScopeIds,
    /// Display names with access levels (`List | Read`).
    DisplayNames,
    /// "Create a Read-Only key".
    ReadOnlyKey,
    /// "Create a Full Access key".
    FullAccessKey,
    /// The block `--update-docs` writes, when it is stale or unreadable.
    ScopelinkBlock,
}

/// A link or scope list found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocLink {
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
    pub kind: DocLinkKind,
    /// The link, with HTML `&amp;` decoded and anything key-like blanked
    /// out; empty for a scope list or a key type.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// A scope list's scopes as written (`list:read`, `profiles:full`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// A scope list's last line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
}

impl DocLinkKind {
    /// What it is, in a report line's words.
    pub fn describe(self) -> &'static str {
        match self {
            DocLinkKind::CreateKey => "create-key link",
            DocLinkKind::Go => "/go link",
            DocLinkKind::ScopeIds => "scope list",
            DocLinkKind::DisplayNames => "scope list (names and levels)",
            DocLinkKind::ReadOnlyKey => "a Read-Only key (every read scope, no write)",
            DocLinkKind::FullAccessKey => "a Full Access key (every scope)",
            DocLinkKind::ScopelinkBlock => "the scopelink block",
        }
    }
}

impl DocLink {
    /// What it is, as a report line names it: the link, or the list and its scopes.
    pub fn describe(&self) -> String {
        match self.kind {
            DocLinkKind::CreateKey | DocLinkKind::Go => self.url.clone(),
            DocLinkKind::ScopeIds | DocLinkKind::DisplayNames => {
                format!("{}: {}", self.kind.describe(), self.scopes.join(", "))
            }
            kind => kind.describe().to_owned(),
        }
    }

    /// What it is, in a sentence's words: "this link", "this scope list", "this key type".
    pub fn noun(&self) -> &'static str {
        match self.kind {
            DocLinkKind::CreateKey | DocLinkKind::Go => "link",
            DocLinkKind::ScopeIds | DocLinkKind::DisplayNames => "scope list",
            DocLinkKind::ReadOnlyKey => "Read-Only key",
            DocLinkKind::FullAccessKey => "Full Access key",
            DocLinkKind::ScopelinkBlock => "scopelink block",
        }
    }
}

/// Every link, scope list and key type in a text, in order of line.
pub fn doc_findings(text: &str, families: &Families) -> Vec<DocLink> {
    let mut found = doc_links(text);
    found.extend(
        doc_scope_lists(text, families)
            .into_iter()
            .map(|list| DocLink {
                line: list.line,
                column: 1,
                kind: match list.form {
                    DocScopeForm::ScopeIds => DocLinkKind::ScopeIds,
                    DocScopeForm::DisplayNames => DocLinkKind::DisplayNames,
                    DocScopeForm::ReadOnlyKey => DocLinkKind::ReadOnlyKey,
                    DocScopeForm::FullAccessKey => DocLinkKind::FullAccessKey,
                },
                url: String::new(),
                scopes: list.scopes,
                end_line: (list.end_line > list.line).then_some(list.end_line),
            }),
    );
    // A line with a link is the link's: its scopes are the link's own.
    let link_lines: Vec<usize> = found
        .iter()
        .filter(|found| matches!(found.kind, DocLinkKind::CreateKey | DocLinkKind::Go))
        .map(|found| found.line)
        .collect();
    found.retain(|found| {
        matches!(found.kind, DocLinkKind::CreateKey | DocLinkKind::Go)
            || !link_lines.contains(&found.line)
    });
    found.sort_by_key(|found| (found.line, found.column));
    found
}

const CREATE_KEY: &str = "create-private-api-key";
const GO: &str = "/go?";

/// Every create-key and `/go` link in a text, in order.
pub fn doc_links(text: &str) -> Vec<DocLink> {
    let mut links = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut taken_until = 0;
        for (start, end) in link_tokens(line) {
            if start < taken_until {
                continue;
            }
            let token = &line[start..end];
            let kind = if token.contains(CREATE_KEY) && token.starts_with("http") {
                DocLinkKind::CreateKey
            } else if is_go_link(token) {
                DocLinkKind::Go
            } else {
                continue;
            };
            taken_until = end;
            let url = token.replace("&amp;", "&");
            links.push(DocLink {
                line: number + 1,
                column: line[..start].chars().count() + 1,
                kind,
                url: crate::secret::redact(&url).into_owned(),
                scopes: Vec::new(),
                end_line: None,
            });
        }
    }
    links
}

/// Spans of URL-like runs that hold a create-key or `/go?` marker.
fn link_tokens(line: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let is_stop = |c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '(' | ')' | '[' | ']')
    };
    let mut start = None;
    for (index, c) in line.char_indices() {
        match (start, is_stop(c)) {
            (None, false) => start = Some(index),
            (Some(from), true) => {
                spans.push((from, index));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, line.len()));
    }
    spans
        .into_iter()
        .map(|(from, to)| {
            // Trailing punctuation of the sentence is not part of the link.
            let trimmed = line[from..to].trim_end_matches(['.', ',', ';', ':', '!', '*']);
            (from, from + trimmed.len())
        })
        .filter(|&(from, to)| {
            let token = &line[from..to];
            token.contains(CREATE_KEY) || token.contains(GO)
        })
        .collect()
}

fn is_go_link(token: &str) -> bool {
    let Some(at) = token.find(GO) else {
        return false;
    };
    let before = &token[..at];
    let host_ok =
        before.is_empty() || before.starts_with("http://") || before.starts_with("https://");
    host_ok && token[at + GO.len()..].contains("op=")
}

/// The `op` values and `minimal` flag of a `/go` link.
pub(crate) fn go_link_operations(url: &str) -> (Vec<String>, Option<bool>) {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let query = query.split('#').next().unwrap_or_default();
    let mut operations = Vec::new();
    let mut minimal = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "op" => operations.push(value.into_owned()),
            "minimal" => minimal = Some(value == "true" || value == "1"),
            _ => {}
        }
    }
    (operations, minimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_markdown_html_and_text_with_lines() {
        let text = "# Setup\n\
            Create a key [here](https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read).\n\
            <a href=\"https://scopelink.example/go?op=get_profiles&amp;op=create_list\">key</a>\n\
            plain: https://www.klaviyo.com/create-private-api-key?scopes=events:read, then go\n\
            not a link: create-private-api-key alone, /golf?op=x\n";
        let links = doc_links(text);
        assert_eq!(links.len(), 3, "{links:?}");
        assert_eq!(
            (links[0].line, links[0].kind, links[0].url.as_str()),
            (
                2,
                DocLinkKind::CreateKey,
                "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read"
            )
        );
        assert_eq!(links[1].line, 3);
        assert_eq!(links[1].kind, DocLinkKind::Go);
        assert_eq!(
            go_link_operations(&links[1].url),
            (
                vec!["get_profiles".to_owned(), "create_list".to_owned()],
                None
            )
        );
        assert_eq!(links[2].line, 4);
        assert_eq!(
            links[2].url,
            "https://www.klaviyo.com/create-private-api-key?scopes=events:read"
        );
        assert_eq!(links[2].column, 8);
    }
}

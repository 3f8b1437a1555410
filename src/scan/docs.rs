//! Finds the links a partner's docs give merchants: Klaviyo create-key links
//! (`https://www.klaviyo.com/create-private-api-key?scopes=…`) and Scopelink
//! `/go?op=…` links, in Markdown, HTML or plain text, with their line numbers,
//! so `scopelink scan --check-docs` can hold each one to what the code needs.

use serde::Serialize;

/// What kind of link a doc holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocLinkKind {
    /// Klaviyo's create-private-key page with `scopes=`.
    CreateKey,
    /// A Scopelink `/go?op=…` redirect.
    Go,
}

/// A link found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocLink {
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
    pub kind: DocLinkKind,
    /// The link, with HTML `&amp;` decoded and anything key-like blanked out.
    pub url: String,
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

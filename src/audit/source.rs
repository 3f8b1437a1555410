//! What an audit reads: a create-key link or scope texts, split into the
//! scopes as they were written (old display strings kept whole).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AuditError, SourceKind};
use crate::link::{scopes_of_link, LinkBase};
use crate::secret;

/// Scopes given as a list, or as one comma- or whitespace-separated string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScopeList {
    #[schema(example = json!(["list:read", "profiles:read"]))]
    List(Vec<String>),
    /// `list:read,profiles:read`, `lists:read profiles:read`, or `Catalogs Read, List Write`.
    #[schema(example = "list:read,profiles:read")]
    Text(String),
}

impl ScopeList {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            ScopeList::List(list) => list,
            ScopeList::Text(text) => vec![text],
        }
    }
}

/// What is audited: a create-key link, or scope texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSource {
    Link(String),
    /// Each string may hold several scopes, comma- or whitespace-separated.
    Scopes(Vec<String>),
}

impl AuditSource {
    /// Exactly one of a link and a scope list.
    pub fn from_parts(
        link: Option<String>,
        scopes: Option<Vec<String>>,
    ) -> Result<AuditSource, AuditError> {
        match (link, scopes) {
            (Some(_), Some(_)) => Err(AuditError::LinkAndScopes),
            (Some(link), None) => Ok(AuditSource::Link(link)),
            (None, Some(scopes)) => Ok(AuditSource::Scopes(scopes)),
            (None, None) => Err(AuditError::NothingGiven),
        }
    }

    /// Command-line words: one link, or any number of scope texts.
    pub fn from_args(args: &[String]) -> Result<AuditSource, AuditError> {
        let links = args.iter().filter(|arg| looks_like_link(arg)).count();
        match (links, args.len()) {
            (_, 0) => Err(AuditError::NothingGiven),
            (0, _) => Ok(AuditSource::Scopes(args.to_vec())),
            (1, 1) => Ok(AuditSource::Link(args[0].clone())),
            _ => Err(AuditError::LinkAndScopes),
        }
    }

    pub(super) fn texts(&self) -> Vec<&str> {
        match self {
            AuditSource::Link(link) => vec![link.as_str()],
            AuditSource::Scopes(scopes) => scopes.iter().map(String::as_str).collect(),
        }
    }

    pub(super) fn kind(&self) -> SourceKind {
        match self {
            AuditSource::Link(_) => SourceKind::Link,
            AuditSource::Scopes(_) => SourceKind::Scopes,
        }
    }
}

/// Text that is meant as a link rather than a scope name.
fn looks_like_link(text: &str) -> bool {
    let text = text.trim().to_ascii_lowercase();
    text.contains("://")
        || text.contains("create-private-api-key")
        || text.contains("klaviyo.com")
        || text.contains("?scopes=")
}

/// The raw `scopes=` values of a link on Klaviyo's create-key page.
pub(super) fn link_scopes(link: &str, base: &LinkBase) -> Result<Vec<String>, AuditError> {
    let text = link.trim();
    let shown = || secret::redact(text).into_owned();
    let url = match url::Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) if !text.is_empty() => {
            url::Url::parse(&format!("https://{text}"))
                .map_err(|_| AuditError::NotALink(shown()))?
        }
        Err(_) => return Err(AuditError::NotALink(shown())),
    };
    if !matches!(url.scheme(), "https" | "http") {
        return Err(AuditError::NotALink(shown()));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if host != "klaviyo.com" && !host.ends_with(".klaviyo.com") {
        return Err(AuditError::WrongHost {
            host: secret::redact(&host).into_owned(),
        });
    }
    let page = |path: &str| path.trim_end_matches('/').to_owned();
    let configured = url::Url::parse(base.as_str())
        .map(|base| page(base.path()))
        .unwrap_or_default();
    let path = page(url.path());
    if path != "/create-private-api-key" && (configured.is_empty() || path != configured) {
        return Err(AuditError::NotCreateKeyPage {
            path: secret::redact(url.path()).into_owned(),
        });
    }
    scopes_of_link(url.as_str()).ok_or(AuditError::NoScopesParameter)
}

/// Splits scope text on commas and whitespace, keeping the pre-2023 display
/// strings (`Catalogs Read`, `Coupon Codes Write`) whole.
pub(super) fn tokens(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for piece in text.split(',') {
        let mut run: Vec<&str> = Vec::new();
        let words = piece
            .split_whitespace()
            .map(|word| word.trim_matches(|c| matches!(c, '"' | '\'' | '`')))
            .filter(|word| !word.is_empty());
        for word in words {
            if word.contains(':') {
                if !run.is_empty() {
                    found.push(run.join(" "));
                    run.clear();
                }
                found.push(word.to_owned());
            } else {
                run.push(word);
                if is_level_word(word) {
                    found.push(run.join(" "));
                    run.clear();
                }
            }
        }
        if !run.is_empty() {
            found.push(run.join(" "));
        }
    }
    found
}

pub(super) fn is_level_word(word: &str) -> bool {
    ["read", "write", "full"]
        .iter()
        .any(|level| word.eq_ignore_ascii_case(level))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_commas_and_spaces_but_keep_display_strings() {
        assert_eq!(
            tokens("lists:read, profiles:read  events:write"),
            ["lists:read", "profiles:read", "events:write"]
        );
        assert_eq!(
            tokens("Catalogs Read List Write,Coupon Codes Read"),
            ["Catalogs Read", "List Write", "Coupon Codes Read"]
        );
        assert_eq!(tokens("bogus lists:read"), ["bogus", "lists:read"]);
        assert!(tokens(" , ").is_empty());
    }

    #[test]
    fn links_elsewhere_are_refused_with_their_host() {
        let base = LinkBase::default();
        assert_eq!(
            link_scopes(
                "https://evil.com/create-private-api-key?scopes=a:read",
                &base
            ),
            Err(AuditError::WrongHost {
                host: "evil.com".into()
            })
        );
        assert!(matches!(
            link_scopes("https://www.klaviyo.com/account?scopes=a:read", &base),
            Err(AuditError::NotCreateKeyPage { .. })
        ));
        assert!(matches!(
            link_scopes("https://www.klaviyo.com?scopes=a:read", &base),
            Err(AuditError::NotCreateKeyPage { .. })
        ));
        assert_eq!(
            link_scopes("https://www.klaviyo.com/create-private-api-key", &base),
            Err(AuditError::NoScopesParameter)
        );
        assert_eq!(
            link_scopes(
                "www.klaviyo.com/create-private-api-key/?scopes=a:read,b:write",
                &base
            ),
            Ok(vec!["a:read".to_owned(), "b:write".to_owned()])
        );
    }
}

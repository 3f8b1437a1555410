//! Turns resolved scopes into Klaviyo's create-private-key link and the
//! report every front end (CLI, JSON API, page) returns.
//!
//! The link is `<base>?scopes=a:read,b:write`, with commas and colons left
//! unescaped as in Klaviyo's own example (KLAVIYO_FACTS §1). Scopes are
//! checked to be `family:level` when the catalog loads, so they never need
//! escaping here.

mod json;

pub use json::write_plain;

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::Catalog;
pub use crate::catalog::CatalogInfo;
use crate::resolve::{
    resolve_compact, CompactResolution, InputItem, ItemError, Resolution, ResolveOptions,
    ResolvedItem, ScopeExplanation, Warning,
};
use crate::scope::Scope;

/// What follows the page in a create-key link, before the scopes.
const SCOPES_QUERY: &str = "?scopes=";

/// Klaviyo's page for creating a private API key.
pub const KLAVIYO_CREATE_KEY_PAGE: &str = "https://www.klaviyo.com/create-private-api-key";

/// Why a link base was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkBaseError {
    #[error("`{0}` is not a URL")]
    NotUrl(String),
    #[error("`{0}` must use https")]
    NotHttps(String),
    #[error("`{0}` must be on klaviyo.com (or a subdomain of it)")]
    NotKlaviyo(String),
    #[error("`{0}` must be a bare page URL: no user, port, query or fragment")]
    NotBare(String),
}

/// The page links point at; always https on klaviyo.com.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkBase(String);

impl LinkBase {
    /// Checks a configured page URL.
    pub fn parse(text: &str) -> Result<LinkBase, LinkBaseError> {
        let url = url::Url::parse(text).map_err(|_| LinkBaseError::NotUrl(text.to_owned()))?;
        if url.scheme() != "https" {
            return Err(LinkBaseError::NotHttps(text.to_owned()));
        }
        let host = url.host_str().unwrap_or_default();
        if host != "klaviyo.com" && !host.ends_with(".klaviyo.com") {
            return Err(LinkBaseError::NotKlaviyo(text.to_owned()));
        }
        if !url.username().is_empty()
            || url.password().is_some()
            || url.port().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(LinkBaseError::NotBare(text.to_owned()));
        }
        Ok(LinkBase(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The create-key link that preselects exactly these scopes.
    pub fn url_for<'s, S>(&self, scopes: S) -> String
    where
        S: IntoIterator<Item = &'s Scope>,
        S::IntoIter: Clone,
    {
        let scopes = scopes.into_iter();
        let mut url = String::with_capacity(
            self.0.len() + SCOPES_QUERY.len() + joined_len(scopes.clone(), 1),
        );
        url.push_str(&self.0);
        url.push_str(SCOPES_QUERY);
        join_into(&mut url, scopes, ",");
        url
    }
}

impl Default for LinkBase {
    fn default() -> LinkBase {
        LinkBase(KLAVIYO_CREATE_KEY_PAGE.to_owned())
    }
}

/// The scopes preselected by a create-key link (the inverse of [`LinkBase::url_for`]).
pub fn scopes_of_link(link: &str) -> Option<Vec<String>> {
    let url = url::Url::parse(link).ok()?;
    let (_, value) = url.query_pairs().find(|(key, _)| key == "scopes")?;
    Some(
        value
            .split(',')
            .filter(|scope| !scope.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// OAuth apps take the same scopes, space-separated (KLAVIYO_FACTS §2.4).
pub fn oauth_scope(scopes: &[Scope]) -> String {
    let mut text = String::with_capacity(joined_len(scopes, 1));
    join_into(&mut text, scopes, " ");
    text
}

/// Room for the scopes with a separator of `separator_len` after each.
fn joined_len<'s>(scopes: impl IntoIterator<Item = &'s Scope>, separator_len: usize) -> usize {
    scopes
        .into_iter()
        .map(|scope| scope.len() + separator_len)
        .sum()
}

fn join_into<'s>(text: &mut String, scopes: impl IntoIterator<Item = &'s Scope>, separator: &str) {
    for (i, scope) in scopes.into_iter().enumerate() {
        if i > 0 {
            text.push_str(separator);
        }
        text.push_str(scope);
    }
}

/// The whole answer for a list of inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LinkReport {
    /// The create-key link for every input that resolved.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read"
    )]
    pub url: String,
    #[schema(value_type = Vec<String>, example = json!(["lists:read", "profiles:read"]))]
    pub scopes: Vec<Scope>,
    /// The same scopes space-separated, for Klaviyo OAuth apps.
    #[schema(example = "lists:read profiles:read")]
    pub oauth_scope: String,
    pub minimal: bool,
    pub explanations: Vec<ScopeExplanation>,
    pub operations: Vec<ResolvedItem>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ItemError>,
    pub catalog: CatalogInfo,
}

impl LinkReport {
    /// Resolves the inputs and builds the link for those that resolved.
    pub fn build(
        catalog: &Catalog,
        base: &LinkBase,
        items: &[InputItem],
        options: ResolveOptions<'_>,
    ) -> LinkReport {
        CompactReport::build(catalog, base, items, options).into_report(items)
    }

    /// The report for inputs already resolved.
    pub fn from_resolution(
        catalog: &Catalog,
        base: &LinkBase,
        resolution: Resolution,
        options: ResolveOptions<'_>,
    ) -> LinkReport {
        LinkReport {
            url: base.url_for(&resolution.scopes),
            oauth_scope: oauth_scope(&resolution.scopes),
            scopes: resolution.scopes,
            minimal: options.minimal,
            explanations: resolution.explanations,
            operations: resolution.operations,
            warnings: resolution.warnings,
            errors: resolution.errors,
            catalog: CatalogInfo::of(catalog, options.prefer_beta),
        }
    }

    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A report by catalog position ([`CompactResolution`]): what the server
/// writes its JSON answer from (`write_json_fields`), and makes owned
/// ([`CompactReport::into_report`]) where a front end needs the values.
#[derive(Debug)]
pub struct CompactReport<'c> {
    pub resolution: CompactResolution<'c>,
    base: &'c LinkBase,
    options: ResolveOptions<'c>,
}

impl<'c> CompactReport<'c> {
    /// Resolves the inputs ([`resolve_compact`]).
    pub fn build(
        catalog: &'c Catalog,
        base: &'c LinkBase,
        items: &[InputItem],
        options: ResolveOptions<'c>,
    ) -> CompactReport<'c> {
        CompactReport {
            resolution: resolve_compact(catalog, items, options),
            base,
            options,
        }
    }

    /// The create-key link for every input that resolved.
    pub fn url(&self) -> String {
        self.base.url_for(self.resolution.scopes())
    }

    pub fn minimal(&self) -> bool {
        self.options.minimal
    }

    pub fn is_complete(&self) -> bool {
        self.resolution.is_complete()
    }

    /// The report [`LinkReport::build`] gives for the same `items`.
    pub fn into_report(self, items: &[InputItem]) -> LinkReport {
        let catalog = self.resolution.catalog();
        let resolution = self
            .resolution
            .into_resolution(|index| items[index].clone());
        LinkReport::from_resolution(catalog, self.base, resolution, self.options)
    }
}

/// `path?op=…&op=…[&minimal=true][&revision=…]`, written with
/// `serde_urlencoded`: `minimal` only when set, `revision` only when one was
/// named. `/go` and the page (`/`) read it back the same way; the server's answer
/// writes the same text by hand (`http::link_answer`), the docs block and
/// the page's fix links call this.
pub fn links_url(path: &str, ops: &[String], minimal: bool, revision: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = ops.iter().map(|op| ("op", op.as_str())).collect();
    if minimal {
        pairs.push(("minimal", "true"));
    }
    if let Some(revision) = revision.filter(|r| !r.trim().is_empty()) {
        pairs.push(("revision", revision));
    }
    let query = serde_urlencoded::to_string(&pairs).expect("string pairs always encode");
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// An input as the one text `op=` takes (`operation?include=a,b` for a structured one).
pub fn input_text(item: &InputItem) -> String {
    match item {
        InputItem::Text(text) => text.clone(),
        InputItem::Structured(input) if input.include.is_empty() => input.operation.clone(),
        InputItem::Structured(input) => {
            let separator = if input.operation.contains('?') {
                '&'
            } else {
                '?'
            };
            format!(
                "{}{separator}include={}",
                input.operation,
                input.include.join(",")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_keeps_commas_and_colons_and_round_trips() {
        let scopes = vec![
            Scope::parse("campaigns:read").unwrap(),
            Scope::parse("campaigns:write").unwrap(),
        ];
        let url = LinkBase::default().url_for(&scopes);
        assert_eq!(
            url,
            "https://www.klaviyo.com/create-private-api-key?scopes=campaigns:read,campaigns:write"
        );
        let texts: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        assert_eq!(scopes_of_link(&url), Some(texts));
    }

    #[test]
    fn link_base_must_be_https_on_klaviyo() {
        assert!(LinkBase::parse("https://www.klaviyo.com/create-private-api-key").is_ok());
        assert_eq!(
            LinkBase::parse("http://www.klaviyo.com/x"),
            Err(LinkBaseError::NotHttps("http://www.klaviyo.com/x".into()))
        );
        for bad in [
            "https://evil.com/create-private-api-key",
            "https://klaviyo.com.evil.com/",
            "https://notklaviyo.com/",
        ] {
            assert!(
                matches!(LinkBase::parse(bad), Err(LinkBaseError::NotKlaviyo(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            LinkBase::parse("https://www.klaviyo.com/x?next=https://evil.com"),
            Err(LinkBaseError::NotBare(_))
        ));
        assert!(matches!(
            LinkBase::parse("https://user@www.klaviyo.com/x"),
            Err(LinkBaseError::NotBare(_))
        ));
    }
}

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
    resolve, resolve_taking_inputs, InputItem, ItemError, Resolution, ResolveOptions, ResolvedItem,
    ScopeExplanation, Warning,
};
use crate::scope::Scope;

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
    pub fn url_for(&self, scopes: &[Scope]) -> String {
        const QUERY: &str = "?scopes=";
        let mut url = String::with_capacity(self.0.len() + QUERY.len() + joined_len(scopes, 1));
        url.push_str(&self.0);
        url.push_str(QUERY);
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
    join(scopes, " ")
}

fn join(scopes: &[Scope], separator: &str) -> String {
    let mut text = String::with_capacity(joined_len(scopes, separator.len()));
    join_into(&mut text, scopes, separator);
    text
}

/// Room for the scopes with a separator of `separator_len` after each.
fn joined_len(scopes: &[Scope], separator_len: usize) -> usize {
    scopes.iter().map(|scope| scope.len() + separator_len).sum()
}

fn join_into(text: &mut String, scopes: &[Scope], separator: &str) {
    for (i, scope) in scopes.iter().enumerate() {
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
        options: ResolveOptions,
    ) -> LinkReport {
        LinkReport::from_resolution(catalog, base, resolve(catalog, items, options), options)
    }

    /// [`LinkReport::build`], moving each input that resolved into the
    /// report ([`resolve_taking_inputs`]) instead of copying it.
    pub fn build_taking_inputs(
        catalog: &Catalog,
        base: &LinkBase,
        items: &mut [InputItem],
        options: ResolveOptions,
    ) -> LinkReport {
        let resolution = resolve_taking_inputs(catalog, items, options);
        LinkReport::from_resolution(catalog, base, resolution, options)
    }

    /// The report for inputs already resolved.
    pub fn from_resolution(
        catalog: &Catalog,
        base: &LinkBase,
        resolution: Resolution,
        options: ResolveOptions,
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

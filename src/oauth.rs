//! Klaviyo OAuth authorize URLs for the operations an app calls: the same
//! scopes as a private key, space-separated, with a PKCE S256 challenge the
//! caller made (KLAVIYO_FACTS §2.4). Scopelink never sees a client secret or
//! a code verifier.

use crate::link::LinkBase;
use crate::secret;

/// Klaviyo's authorize page.
pub const KLAVIYO_AUTHORIZE_URL: &str = "https://www.klaviyo.com/oauth/authorize";

/// Fields a caller must never send: they would let whoever holds them
/// complete the OAuth flow.
pub const REFUSED_FIELDS: [&str; 2] = ["client_secret", "code_verifier"];

/// What the authorize URL carries besides the scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeParams {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    /// base64url(SHA-256(verifier)) without padding: 43 characters.
    pub code_challenge: String,
}

/// Why an authorize URL cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("`{field}` must not be sent: Scopelink never needs an OAuth client secret or code verifier; keep them on your server")]
    SecretSent { field: &'static str },
    #[error(
        "`{field}` looks like it holds a Klaviyo private API key (pk_…); never send keys here"
    )]
    KeySent { field: &'static str },
    #[error("`{field}` is required")]
    Missing { field: &'static str },
    #[error("`{field}` is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(
        "the operations need no scope (only /client endpoints?), so there is nothing to authorize"
    )]
    NoScopes,
}

/// Builds `https://www.klaviyo.com/oauth/authorize?response_type=code&…`.
pub fn authorize_url(
    base: &LinkBase,
    params: &AuthorizeParams,
    scopes: &[crate::scope::Scope],
) -> Result<String, OAuthError> {
    check(params)?;
    if scopes.is_empty() {
        return Err(OAuthError::NoScopes);
    }
    let scope = crate::link::oauth_scope(scopes);
    let url = url::Url::parse_with_params(
        base.as_str(),
        [
            ("response_type", "code"),
            ("client_id", params.client_id.as_str()),
            ("redirect_uri", params.redirect_uri.as_str()),
            ("scope", scope.as_str()),
            ("state", params.state.as_str()),
            ("code_challenge_method", "S256"),
            ("code_challenge", params.code_challenge.as_str()),
        ],
    )
    .expect("a checked base URL takes query parameters");
    Ok(url.into())
}

fn check(params: &AuthorizeParams) -> Result<(), OAuthError> {
    let fields = [
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("state", &params.state),
        ("code_challenge", &params.code_challenge),
    ];
    for (field, value) in fields {
        if value.trim().is_empty() {
            return Err(OAuthError::Missing { field });
        }
        if secret::contains_private_key(value) {
            return Err(OAuthError::KeySent { field });
        }
    }
    let invalid = |field, reason: &str| OAuthError::Invalid {
        field,
        reason: reason.to_owned(),
    };
    let printable = |text: &str| text.bytes().all(|b| b.is_ascii_graphic());
    if params.client_id.len() > 256 || !printable(&params.client_id) {
        return Err(invalid(
            "client_id",
            "expected up to 256 printable characters without spaces",
        ));
    }
    if params.state.len() > 512 || !printable(&params.state) {
        return Err(invalid(
            "state",
            "expected up to 512 printable characters without spaces",
        ));
    }
    let challenge = &params.code_challenge;
    if challenge.len() != 43
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            "code_challenge",
            "expected an S256 challenge: base64url(SHA-256(code_verifier)) without padding, 43 characters of A-Z a-z 0-9 - _",
        ));
    }
    check_redirect_uri(&params.redirect_uri)
}

/// An absolute https URL without a fragment; plain http only for loopback (local development).
fn check_redirect_uri(text: &str) -> Result<(), OAuthError> {
    let invalid = |reason: &str| OAuthError::Invalid {
        field: "redirect_uri",
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(text).map_err(|_| invalid("expected an absolute URL"))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(invalid("expected https (http only for localhost)")),
    }
    if url.fragment().is_some() {
        return Err(invalid("a redirect URI must not have a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a redirect URI must not carry credentials"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;

    fn params() -> AuthorizeParams {
        AuthorizeParams {
            client_id: "abc-123".into(),
            redirect_uri: "https://app.example/callback?x=1".into(),
            state: "s7Xk2".into(),
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        }
    }

    fn base() -> LinkBase {
        LinkBase::parse(KLAVIYO_AUTHORIZE_URL).unwrap()
    }

    #[test]
    fn builds_the_authorize_url_with_every_parameter() {
        let scopes = vec![
            Scope::parse("lists:read").unwrap(),
            Scope::parse("profiles:read").unwrap(),
        ];
        let url = authorize_url(&base(), &params(), &scopes).unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.host_str(), Some("www.klaviyo.com"));
        assert_eq!(parsed.path(), "/oauth/authorize");
        let query: std::collections::HashMap<String, String> =
            parsed.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "abc-123");
        assert_eq!(query["redirect_uri"], "https://app.example/callback?x=1");
        assert_eq!(query["scope"], "lists:read profiles:read");
        assert_eq!(query["state"], "s7Xk2");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["code_challenge"], params().code_challenge);
        assert_eq!(query.len(), 7);
    }

    #[test]
    fn refuses_bad_parameters_with_the_field_named() {
        let scopes = vec![Scope::parse("lists:read").unwrap()];
        type Spoil = fn(&mut AuthorizeParams);
        let cases: [(Spoil, &str); 6] = [
            (|p| p.code_challenge = "short".into(), "code_challenge"),
            (
                |p| p.redirect_uri = "http://app.example/cb".into(),
                "redirect_uri",
            ),
            (
                |p| p.redirect_uri = "https://app.example/cb#frag".into(),
                "redirect_uri",
            ),
            (|p| p.state = " ".into(), "state"),
            (|p| p.client_id = "has space".into(), "client_id"),
            (|p| p.state = "pk_abcdef0123456789".into(), "state"),
        ];
        for (spoil, field) in cases {
            let mut bad = params();
            spoil(&mut bad);
            let error = authorize_url(&base(), &bad, &scopes).unwrap_err();
            assert!(error.to_string().contains(field), "{error}");
        }
        let mut local = params();
        local.redirect_uri = "http://localhost:3000/cb".into();
        assert!(authorize_url(&base(), &local, &scopes).is_ok());
        assert_eq!(
            authorize_url(&base(), &params(), &[]),
            Err(OAuthError::NoScopes)
        );
    }
}

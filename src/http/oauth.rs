//! `POST /v1/oauth/authorize-url`: Klaviyo's OAuth authorize URL for the
//! operations an app calls. Requests carrying a client secret or a code
//! verifier are refused before anything else is read.

use actix_web::web::Bytes;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::extract::{body_error, is_json, non_empty};
use super::links::build_report;
use super::respond;
use super::AppState;
use crate::link::CatalogInfo;
use crate::oauth::{authorize_url, AuthorizeParams, OAuthError, REFUSED_FIELDS};
use crate::resolve::{InputItem, ResolvedItem, ScopeExplanation, Warning};

/// What the authorize URL is for. Never send `client_secret` or `code_verifier`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "client_id": "your-app-client-id",
    "redirect_uri": "https://app.example/klaviyo/callback",
    "state": "4e1c2f9a7b",
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "operations": ["get_profiles", "POST /api/lists"]
}))]
pub struct AuthorizeUrlRequest {
    #[schema(min_length = 1, max_length = 256, pattern = "^[!-~]+$")]
    pub client_id: String,
    /// Where Klaviyo sends the user back: https (http only for localhost), no fragment.
    #[schema(format = "uri")]
    pub redirect_uri: String,
    /// An unguessable value your app checks on the way back.
    #[schema(min_length = 1, max_length = 512, pattern = "^[!-~]+$")]
    pub state: String,
    /// base64url(SHA-256(code_verifier)) without padding; the verifier stays with you.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub code_challenge: String,
    /// Only `S256` is accepted.
    #[serde(default)]
    #[schema(pattern = "^S256$")]
    pub code_challenge_method: Option<String>,
    /// Operations in any accepted form, as for `POST /v1/links`.
    #[schema(min_items = 1)]
    #[serde(deserialize_with = "non_empty::items")]
    pub operations: Vec<InputItem>,
    #[serde(default)]
    pub minimal: bool,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    pub revision: Option<String>,
}

/// The authorize URL and why each scope is in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorizeUrlResponse {
    /// `https://www.klaviyo.com/oauth/authorize?response_type=code&…`
    pub url: String,
    /// The scopes, space-separated, as the URL's `scope` carries them.
    #[schema(example = "lists:read lists:write profiles:read")]
    pub scope: String,
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<crate::scope::Scope>,
    pub explanations: Vec<ScopeExplanation>,
    pub operations: Vec<ResolvedItem>,
    pub warnings: Vec<Warning>,
    pub catalog: CatalogInfo,
}

/// Build a Klaviyo OAuth authorize URL.
///
/// Takes the app's `client_id` and `redirect_uri`, a `state`, a PKCE
/// `code_challenge` the caller made (S256), and the operations; answers the
/// authorize URL with the least scopes. A request that carries a
/// `client_secret` or `code_verifier` (in the body or the query) is refused:
/// Scopelink never needs them.
#[utoipa::path(
    tag = "links",
    operation_id = "create_oauth_authorize_url",
    request_body = AuthorizeUrlRequest,
    responses(
        (status = 200, description = "The authorize URL", body = AuthorizeUrlResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A secret was sent, a parameter is invalid, or an input could not be resolved", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/oauth/authorize-url")]
pub async fn create_authorize_url(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    respond::json(&authorize(&request, &state, &body)?)
}

fn authorize(
    request: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<AuthorizeUrlResponse, ApiError> {
    for (key, _) in url::form_urlencoded::parse(request.query_string().as_bytes()) {
        if let Some(field) = REFUSED_FIELDS.iter().find(|f| **f == key) {
            return Err(OAuthError::SecretSent { field }.into());
        }
    }
    if !is_json(request) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let document: Value = serde_json::from_slice(body).map_err(|e| body_error(&e))?;
    if let Some(field) = REFUSED_FIELDS.iter().find(|f| document.get(**f).is_some()) {
        return Err(OAuthError::SecretSent { field }.into());
    }
    let parsed: AuthorizeUrlRequest =
        serde_json::from_value(document).map_err(|e| body_error(&e))?;
    if let Some(method) = parsed
        .code_challenge_method
        .as_deref()
        .filter(|m| *m != "S256")
    {
        return Err(OAuthError::Invalid {
            field: "code_challenge_method",
            reason: format!(
                "only S256 is accepted, not `{}`",
                crate::secret::redact(method)
            ),
        }
        .into());
    }
    let params = AuthorizeParams {
        client_id: parsed.client_id,
        redirect_uri: parsed.redirect_uri,
        state: parsed.state,
        code_challenge: parsed.code_challenge,
    };
    let report = build_report(
        state,
        &parsed.operations,
        parsed.minimal,
        parsed.revision.as_deref(),
    )?
    .into_report(&parsed.operations);
    state
        .metrics
        .record_errors(&report.errors.iter().map(|e| e.code).collect::<Vec<_>>());
    if !report.is_complete() {
        return Err(ApiError::Unresolved {
            count: report.errors.len(),
            errors: report.errors,
        });
    }
    let url = authorize_url(&state.oauth_authorize_url, &params, &report.scopes)?;
    Ok(AuthorizeUrlResponse {
        url,
        scope: report.oauth_scope,
        scopes: report.scopes,
        explanations: report.explanations,
        operations: report.operations,
        warnings: report.warnings,
        catalog: report.catalog,
    })
}

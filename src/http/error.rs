//! Every error the HTTP API returns, and the one place they become RFC 9457
//! `application/problem+json` bodies with a stable `type` and `code`.
//!
//! Handlers return `Result<_, ApiError>`; [`ApiError::with_detail`] and
//! [`ApiError::with_extension`] reword a problem and add extension members
//! (RFC 9457 §3.2) without a writer of their own.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::resolve::{ItemError, Suggestion};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `type` of a problem is this URN followed by its code.
const TYPE_BASE: &str = "urn:scopelink:problem:";

/// Something the API refuses, with the status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the request body does not have the expected shape: {0}")]
    InvalidBody(String),
    #[error("the request body must be `application/json`")]
    UnsupportedMediaType,
    #[error("the request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("the request URL is longer than the limit of {limit} bytes")]
    UrlTooLong { limit: usize },
    #[error("{given} operations were sent; the limit is {limit} per request")]
    TooManyOperations { given: usize, limit: usize },
    #[error("{given} files were sent; the limit `max_source_files` (SCOPELINK_MAX_SOURCE_FILES) is {limit} files per request: send fewer, e.g. only the integration's source directory")]
    TooManySourceFiles { given: usize, limit: usize },
    #[error("`{file}` has {bytes} bytes; the limit `max_source_file_bytes` (SCOPELINK_MAX_SOURCE_FILE_BYTES) is {limit} bytes per file: leave out generated or minified files")]
    SourceFileTooLarge {
        file: String,
        bytes: usize,
        limit: usize,
    },
    #[error("the files hold more than the limit `max_source_total_bytes` (SCOPELINK_MAX_SOURCE_TOTAL_BYTES) of {limit} bytes in all{}: send fewer files, or scan them in parts", file.as_deref().map(|f| format!(" (passed at `{f}`)")).unwrap_or_default())]
    SourcesTooLarge { limit: usize, file: Option<String> },
    #[error("the files hold more than {limit} Klaviyo calls; the limit `max_source_calls` (SCOPELINK_MAX_SOURCE_CALLS) is {limit} calls per request: send fewer files, or leave out generated code")]
    TooManySourceCalls { limit: usize },
    #[error("no operations were given: send at least one in `operations` (or `op=` in the query)")]
    NoOperations,
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{count} of the inputs could not be resolved; see `errors`")]
    Unresolved {
        count: usize,
        errors: Vec<ItemError>,
    },
    #[error("no operation is named `{name}`")]
    UnknownOperation {
        name: String,
        suggestions: Vec<Suggestion>,
    },
    #[error(transparent)]
    UnknownRevision(#[from] crate::catalog::UnknownRevision),
    /// An audit that cannot be made; the code comes from [`crate::audit::AuditError::code`].
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    OAuth(#[from] crate::oauth::OAuthError),
    #[error("no route matches {0}")]
    NotFound(String),
    #[error("{method} is not allowed here; allowed: {allowed}")]
    MethodNotAllowed { method: String, allowed: String },
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the request took longer than {secs} s")]
    Timeout { secs: u64 },
    /// `/mcp` refused a request's `Host` or `Origin` (DNS rebinding protection).
    #[error(transparent)]
    McpRefused(#[from] crate::mcp::guard::GuardError),
    #[error("{limit} MCP sessions are open, the most this server keeps; retry later or end a session (DELETE /mcp)")]
    McpSessionsFull { limit: usize },
    #[error("an internal error occurred")]
    Internal,
    /// Another error, its detail reworded and extension members added.
    #[error("{}", detail.as_deref().map_or_else(|| error.to_string(), str::to_owned))]
    Extended {
        error: Box<ApiError>,
        detail: Option<String>,
        extensions: Map<String, Value>,
    },
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; stable.
    #[serde(rename = "type")]
    #[schema(example = "urn:scopelink:problem:unresolved_operations")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The same kind as `type`, as a short code; stable.
    #[schema(example = "unresolved_operations")]
    pub code: String,
    /// The limit that was exceeded, if any (its name, for the source limits,
    /// in the `limit_name` member; the offending file in `file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Per-input failures, for `unresolved_operations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<Vec<ItemError>>,
    /// Fixes to try, for `unknown_operation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub suggestions: Option<Vec<Suggestion>>,
    /// Members particular to one problem (e.g. `unrecognized` calls of a HAR).
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: Map<String, Value>,
}

impl ApiError {
    /// The same problem with another `detail`.
    pub fn with_detail(self, detail: impl Into<String>) -> ApiError {
        let (error, _, extensions) = self.into_parts();
        ApiError::Extended {
            error,
            detail: Some(detail.into()),
            extensions,
        }
    }

    /// The same problem with one more extension member.
    pub fn with_extension(self, name: &str, value: impl Serialize) -> ApiError {
        let (error, detail, mut extensions) = self.into_parts();
        extensions.insert(
            name.to_owned(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        ApiError::Extended {
            error,
            detail,
            extensions,
        }
    }

    fn into_parts(self) -> (Box<ApiError>, Option<String>, Map<String, Value>) {
        match self {
            ApiError::Extended {
                error,
                detail,
                extensions,
            } => (error, detail, extensions),
            other => (Box::new(other), None, Map::new()),
        }
    }

    /// The stable short code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::UrlTooLong { .. } => "url_too_long",
            ApiError::TooManyOperations { .. } => "too_many_operations",
            ApiError::TooManySourceFiles { .. } => "too_many_source_files",
            ApiError::SourceFileTooLarge { .. } => "source_file_too_large",
            ApiError::SourcesTooLarge { .. } => "sources_too_large",
            ApiError::TooManySourceCalls { .. } => "too_many_source_calls",
            ApiError::NoOperations => "no_operations",
            ApiError::InvalidParameter(_) => "invalid_parameter",
            ApiError::Unresolved { .. } => "unresolved_operations",
            ApiError::UnknownOperation { .. } => "unknown_operation",
            ApiError::UnknownRevision(_) => "unknown_revision",
            ApiError::Audit(error) => error.code(),
            ApiError::OAuth(error) => match error {
                crate::oauth::OAuthError::SecretSent { .. } => "secret_refused",
                crate::oauth::OAuthError::KeySent { .. } => "looks_like_secret",
                crate::oauth::OAuthError::Missing { .. }
                | crate::oauth::OAuthError::Invalid { .. } => "invalid_oauth_parameter",
                crate::oauth::OAuthError::NoScopes => "no_scopes",
            },
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Timeout { .. } => "timeout",
            ApiError::McpRefused(error) => error.code(),
            ApiError::McpSessionsFull { .. } => "too_many_sessions",
            ApiError::Internal => "internal",
            ApiError::Extended { error, .. } => error.code(),
        }
    }

    pub fn problem(&self) -> Problem {
        if let ApiError::Extended {
            error,
            detail,
            extensions,
        } = self
        {
            let mut problem = error.problem();
            if let Some(detail) = detail {
                problem.detail.clone_from(detail);
            }
            problem.extensions.extend(extensions.clone());
            return problem;
        }
        let status = self.status_code();
        let (limit, errors, suggestions) = match self {
            ApiError::BodyTooLarge { limit } | ApiError::UrlTooLong { limit } => {
                (Some(*limit), None, None)
            }
            ApiError::TooManyOperations { limit, .. } | ApiError::McpSessionsFull { limit } => {
                (Some(*limit), None, None)
            }
            ApiError::TooManySourceFiles { limit, .. }
            | ApiError::SourceFileTooLarge { limit, .. }
            | ApiError::SourcesTooLarge { limit, .. }
            | ApiError::TooManySourceCalls { limit } => (Some(*limit), None, None),
            ApiError::Audit(error) => (error.limit(), None, None),
            ApiError::Unresolved { errors, .. } => (None, Some(errors.clone()), None),
            ApiError::UnknownOperation { suggestions, .. } => {
                (None, None, Some(suggestions.clone()))
            }
            _ => (None, None, None),
        };
        let mut extensions = Map::new();
        let (limit_name, file) = match self {
            ApiError::TooManySourceFiles { .. } => (Some("max_source_files"), None),
            ApiError::TooManySourceCalls { .. } => (Some("max_source_calls"), None),
            ApiError::SourceFileTooLarge { file, .. } => {
                (Some("max_source_file_bytes"), Some(file.as_str()))
            }
            ApiError::SourcesTooLarge { file, .. } => {
                (Some("max_source_total_bytes"), file.as_deref())
            }
            _ => (None, None),
        };
        if let Some(name) = limit_name {
            extensions.insert("limit_name".to_owned(), Value::from(name));
        }
        if let Some(file) = file {
            extensions.insert("file".to_owned(), Value::from(file));
        }
        Problem {
            problem_type: format!("{TYPE_BASE}{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().to_owned(),
            limit,
            errors,
            suggestions,
            extensions,
        }
    }

    /// The problem document as sent, for answers that are stored before they are sent.
    pub fn problem_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.problem()).unwrap_or_else(|_| b"{}".to_vec())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::InvalidParameter(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BodyTooLarge { .. }
            | ApiError::SourceFileTooLarge { .. }
            | ApiError::SourcesTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UrlTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::InvalidBody(_)
            | ApiError::TooManyOperations { .. }
            | ApiError::TooManySourceFiles { .. }
            | ApiError::TooManySourceCalls { .. }
            | ApiError::NoOperations
            | ApiError::UnknownRevision(_)
            | ApiError::Audit(_)
            | ApiError::OAuth(_)
            | ApiError::Unresolved { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnknownOperation { .. } | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Timeout { .. } | ApiError::McpSessionsFull { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::McpRefused(_) => StatusCode::FORBIDDEN,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Extended { error, .. } => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        let inner = match self {
            ApiError::Extended { error, .. } => error,
            other => other,
        };
        match inner {
            ApiError::MethodNotAllowed { allowed, .. } => {
                response.insert_header((header::ALLOW, allowed.as_str()));
            }
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.body(self.problem_json())
    }
}

/// Maps a JSON body extractor failure to the API's problems.
pub fn json_error(error: actix_web::error::JsonPayloadError, limit: usize) -> ApiError {
    use actix_web::error::JsonPayloadError;
    match error {
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::BodyTooLarge { limit }
        }
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            ApiError::InvalidBody(crate::secret::redact(&error.to_string()).into_owned())
        }
        JsonPayloadError::Deserialize(error) => {
            ApiError::MalformedJson(crate::secret::redact(&error.to_string()).into_owned())
        }
        other => ApiError::MalformedJson(crate::secret::redact(&other.to_string()).into_owned()),
    }
}

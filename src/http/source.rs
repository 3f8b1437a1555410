//! `POST /v1/links/from-source`: the link an integration's code needs, from
//! its files sent as JSON; the same answer as `scopelink scan --json`, built
//! by the same [`crate::scan::build_answer`].
//!
//! The body may be far over the JSON limit of the other routes (up to
//! [`Limits::source_body_bytes`]), so this route reads its body itself,
//! against its own limit, and parses and scans it on a blocking thread so a
//! big upload does not stall the runtime. File contents are never logged nor
//! echoed: a serde message quoting a string is cut, and paths and excerpts
//! have anything key-like blanked out.
//!
//! [`Limits::source_body_bytes`]: crate::config::Limits::source_body_bytes

use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::extract::{body_error, is_json};
use super::AppState;
use crate::config::Limits;
use crate::scan::{build_answer, scan_sources, AnswerOptions, ScanAnswer, SourceFile};
use crate::secret::redact;

/// The files to scan, and how to answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "files": [
        {"path": "sync.py", "content": "from klaviyo_api import KlaviyoAPI\nklaviyo = KlaviyoAPI(api_key)\nklaviyo.Profiles.get_profiles()\n"},
        {"path": "src/client.js", "content": "await fetch(`https://a.klaviyo.com/api/lists/${id}/`, { method: 'PATCH' });\n"}
    ],
    "check": "https://www.klaviyo.com/create-private-api-key?scopes=profiles:read"
}))]
pub struct SourceRequest {
    /// The files, each with its repo-relative path (its extension picks the
    /// language: .py, .js, .ts, .php, .rb, .yaml/.json manifests) and its
    /// text. A file with an empty path or of another language is listed in
    /// `skipped`. At most `SCOPELINK_MAX_SOURCE_FILES` files (default 2000),
    /// `SCOPELINK_MAX_SOURCE_FILE_BYTES` each (default 1 MiB) and
    /// `SCOPELINK_MAX_SOURCE_TOTAL_BYTES` in all (default 16 MiB).
    pub files: Vec<SourceFile>,
    /// Exactly the scopes the spec lists: no `x:read` added for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// The Klaviyo revision to answer from (`2026-07-15`, `2026-07-15.pre`);
    /// default: the newest stable one loaded.
    #[schema(example = "2026-07-15")]
    pub revision: Option<String>,
    /// A create-key link, `/go` link or scope list (comma- or space-separated)
    /// to check the code against, as `scopelink scan --check` takes it; the
    /// answer's `check` names each missing scope with the calls that need it.
    #[schema(example = "profiles:read,lists:read")]
    pub check: Option<String>,
}

/// Build the create-key link from an integration's source code.
///
/// Finds every Klaviyo API call in the files (official SDK methods, raw HTTP
/// requests, connector manifests) and answers exactly what
/// `scopelink scan --json` prints for the same files: the link and its
/// scopes, each scope's explanation with the calls (`file:line`) that need
/// it, every call found, the calls whose path or method is computed at run
/// time (`unresolved`), the files skipped, and, with `check`, what the given
/// link or scopes lack. A file that holds an API key is scanned; the key is
/// never echoed.
#[utoipa::path(
    tag = "links",
    operation_id = "create_link_from_source",
    request_body = SourceRequest,
    responses(
        (status = 200, description = "The scan: the link, each scope with its calls, every call, the unresolved calls and, with `check`, what is missing", body = ScanAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "A file over `max_source_file_bytes`, or the files over `max_source_total_bytes` (`limit_name`, `limit`, `file`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not the expected shape, more files than `max_source_files`, more Klaviyo calls than `max_source_calls`, an unknown revision, or a `check` that cannot be read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/links/from-source")]
pub async fn create_link_from_source(
    request: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !is_json(&request) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body_limit = state.limits.source_body_bytes();
    let too_large = ApiError::SourcesTooLarge {
        limit: state.limits.max_source_total_bytes,
        file: None,
    };
    if content_length(&request).is_some_and(|length| length > body_limit as u64) {
        return Err(too_large);
    }
    let body = read_body(payload, body_limit).await.map_err(|overflow| {
        if overflow {
            too_large
        } else {
            ApiError::MalformedJson("the request body broke off".to_owned())
        }
    })?;
    let worker = state.clone();
    let answered = web::block(move || scan(&worker, &body))
        .await
        .map_err(|_| ApiError::Internal)??;
    state.metrics.record_link();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/json")
        .body(answered))
}

/// The body, up to `limit` bytes; `Err(true)` when it is longer, `Err(false)` when it broke off.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<BytesMut, bool> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| false)?;
        if body.len() + chunk.len() > limit {
            return Err(true);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn content_length(request: &HttpRequest) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Parses, checks the limits, scans and serialises: the blocking part.
fn scan(state: &AppState, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let request: SourceRequest =
        serde_json::from_slice(body).map_err(|error| match body_error(&error) {
            ApiError::InvalidBody(detail) => ApiError::InvalidBody(without_strings(&detail)),
            ApiError::MalformedJson(detail) => ApiError::MalformedJson(without_strings(&detail)),
            other => other,
        })?;
    let selected = state.catalog_for(request.revision.as_deref())?;
    let mut files = request.files;
    check_limits(&state.limits, &mut files)?;
    let findings =
        scan_sources(&files, Some(state.limits.max_source_calls)).map_err(|error| match error {
            crate::scan::ScanError::TooManyCalls { limit } => {
                ApiError::TooManySourceCalls { limit }
            }
            _ => ApiError::Internal,
        })?;
    drop(files);
    let options = AnswerOptions {
        minimal: request.minimal,
        prefer_beta: selected.prefer_beta,
        check: request.check.as_deref(),
        strict: false,
    };
    let answer =
        build_answer(selected.catalog, &state.link_base, findings, options).map_err(|error| {
            let detail = format!("`check`: {error}");
            ApiError::Audit(error).with_detail(detail)
        })?;
    serde_json::to_vec(&answer).map_err(|_| ApiError::Internal)
}

/// The file count, each file's size and the total, in that order; blanks out
/// anything key-like in the paths, since paths are echoed.
fn check_limits(limits: &Limits, files: &mut [SourceFile]) -> Result<(), ApiError> {
    if files.len() > limits.max_source_files {
        return Err(ApiError::TooManySourceFiles {
            given: files.len(),
            limit: limits.max_source_files,
        });
    }
    for file in files.iter_mut() {
        if crate::secret::contains_private_key(&file.path) {
            file.path = redact(&file.path).into_owned();
        }
    }
    let mut total = 0usize;
    for file in files.iter() {
        let bytes = file.content.len();
        if bytes > limits.max_source_file_bytes {
            return Err(ApiError::SourceFileTooLarge {
                file: file.path.clone(),
                bytes,
                limit: limits.max_source_file_bytes,
            });
        }
        total = total.saturating_add(bytes);
        if total > limits.max_source_total_bytes {
            return Err(ApiError::SourcesTooLarge {
                limit: limits.max_source_total_bytes,
                file: Some(file.path.clone()),
            });
        }
    }
    Ok(())
}

/// serde's message without the strings it quotes (`invalid type: string
/// "def sync()…", expected a boolean`), so a misplaced file content is
/// neither echoed nor logged.
fn without_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find("string \"") {
        let open = start + "string \"".len();
        out.push_str(&rest[..start]);
        out.push_str("a string");
        // serde escapes quotes in what it quotes, so the next `"` not after `\` closes it.
        let tail = &rest[open..];
        let mut close = None;
        let mut escaped = false;
        for (index, c) in tail.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    close = Some(index);
                    break;
                }
                _ => escaped = false,
            }
        }
        match close {
            Some(index) => rest = &tail[index + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_are_cut_from_serde_messages() {
        assert_eq!(
            without_strings(
                "invalid type: string \"import requests\\n\\\"x\\\"\", expected a boolean at line 1"
            ),
            "invalid type: a string, expected a boolean at line 1"
        );
        assert_eq!(
            without_strings("missing field `path` at line 1 column 20"),
            "missing field `path` at line 1 column 20"
        );
    }

    #[test]
    fn limits_name_the_file_in_order_count_then_size_then_total() {
        let limits = Limits {
            max_source_files: 2,
            max_source_file_bytes: 10,
            max_source_total_bytes: 15,
            ..Limits::default()
        };
        let file = |path: &str, size: usize| SourceFile {
            path: path.to_owned(),
            content: "x".repeat(size),
        };
        let mut three = vec![file("a.py", 1), file("b.py", 1), file("c.py", 1)];
        assert_eq!(
            check_limits(&limits, &mut three).unwrap_err().code(),
            "too_many_source_files"
        );
        let mut big = vec![file("a.py", 11)];
        let error = check_limits(&limits, &mut big).unwrap_err();
        assert_eq!(error.code(), "source_file_too_large");
        assert_eq!(error.problem().extensions["file"], "a.py");
        let mut total = vec![file("a.py", 8), file("b.py", 8)];
        let error = check_limits(&limits, &mut total).unwrap_err();
        assert_eq!(error.code(), "sources_too_large");
        assert_eq!(error.problem().extensions["file"], "b.py");
        assert!(check_limits(&limits, &mut [file("a.py", 10)]).is_ok());
    }
}

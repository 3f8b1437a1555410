//! What every handler reads from a request, read one way: the query string
//! into a typed struct per route, the body's media type, and serde's body
//! errors as problems.
//!
//! A route's query struct derives `Deserialize` with
//! `#[serde(deny_unknown_fields)]` (only `/go` ignores unknown parameters,
//! so that `utm_*` on a docs link does no harm) and is read with
//! `serde_html_form`, which collects a repeated `op=` into a `Vec`. Any
//! parameter it cannot read is one problem, `invalid_parameter`, naming the
//! parameter and what would be accepted.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;

use super::error::ApiError;
use crate::secret::redact;
use memchr::memchr;

/// A route's query parameters, read with `serde_html_form`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> Query<T> {
    /// Reads a query string (without the `?`).
    pub fn parse(query: &str) -> Result<Query<T>, ApiError> {
        serde_html_form::from_str(query)
            .map(Query)
            .map_err(|error| query_error(&error.to_string()))
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Query<T>, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Query::parse(request.query_string()))
    }
}

/// serde's message about a query, as the API says it: `unknown field `x`,
/// expected one of `a`, `b`` becomes `unknown query parameter `x`; accepted:
/// a, b`. Anything key-like in it is blanked out.
fn query_error(message: &str) -> ApiError {
    let message = redact(message);
    let detail = match message.strip_prefix("unknown field ") {
        Some(rest) => {
            let (name, accepted) = match rest.split_once(", expected ") {
                Some((name, expected)) => (name, expected),
                None => (rest.trim_end_matches(", there are no fields"), "none"),
            };
            let accepted = accepted
                .trim_start_matches("one of ")
                .replace("` or `", ", ")
                .replace('`', "")
                .replace("there are no fields", "none");
            format!("unknown query parameter {name}; accepted: {accepted}")
        }
        None if message.starts_with('`') => message.into_owned(),
        None => format!("the query could not be read: {message}"),
    };
    ApiError::InvalidParameter(detail)
}

/// `true`/`false` query flags (`1` and `0` too), one reader per name so that
/// an error names the parameter: `#[serde(deserialize_with = "flag::minimal")]`.
pub mod flag {
    use super::*;

    fn read<'de, D: Deserializer<'de>>(
        deserializer: D,
        name: &str,
    ) -> Result<Option<bool>, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            other => Err(de::Error::custom(format!(
                "`{name}` must be true or false, not `{}`",
                redact(other)
            ))),
        }
    }

    macro_rules! flags {
        ($($name:ident),*) => {$(
            pub fn $name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
                read(deserializer, stringify!($name))
            }
        )*};
    }

    flags!(minimal, partial, beta);
}

/// The media type of a request body, lowercased, without parameters (`application/json`).
pub fn media_type(request: &HttpRequest) -> Option<String> {
    essence(request).map(str::to_ascii_lowercase)
}

/// The media type of a request body as sent, without parameters.
fn essence(request: &HttpRequest) -> Option<&str> {
    let value = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(essence_of(value))
}

/// `value.split(';').next().trim()` for a header value (visible ASCII, tabs
/// and spaces: the only white space in it), by bytes.
fn essence_of(value: &str) -> &str {
    let end = memchr(b';', value.as_bytes()).unwrap_or(value.len());
    let bytes = &value.as_bytes()[..end];
    let is_space = |b: &u8| matches!(b, b' ' | b'\t');
    let start = bytes.iter().position(|b| !is_space(b)).unwrap_or(end);
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |at| at + 1);
    // ASCII bytes, so both ends are character boundaries.
    &value[start..end]
}

/// Whether a request body is JSON (`application/json` or `application/*+json`):
/// what [`media_type`] names, compared without lowercasing a copy.
pub fn is_json(request: &HttpRequest) -> bool {
    essence(request).is_some_and(is_json_essence)
}

fn is_json_essence(essence: &str) -> bool {
    const PREFIX: &str = "application/";
    const SUFFIX: &str = "+json";
    let bytes = essence.as_bytes();
    essence.eq_ignore_ascii_case("application/json")
        || (bytes.len() >= PREFIX.len()
            && bytes.len() >= SUFFIX.len()
            && bytes[..PREFIX.len()].eq_ignore_ascii_case(PREFIX.as_bytes())
            && bytes[bytes.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX.as_bytes()))
}

/// The problem for a body serde could not read: bad JSON, or the wrong shape.
pub fn body_error(error: &serde_json::Error) -> ApiError {
    let detail = redact(&error.to_string()).into_owned();
    if error.is_data() {
        ApiError::InvalidBody(detail)
    } else {
        ApiError::MalformedJson(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn a_json_essence_is_what_the_lowercased_media_type_names() {
        let lowercased = |essence: &str| {
            let essence = essence.to_ascii_lowercase();
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        };
        for essence in [
            "",
            "application/json",
            "Application/JSON",
            "application/vnd.api+json",
            "APPLICATION/LD+JSON",
            "application/+json",
            "application+json",
            "application/",
            "+json",
            "text/json",
            "application/jsonx",
            "application/json5",
            "applicatio/x+json",
            "appl\u{e9}cation/json",
            "application/\u{e9}+json",
            "\u{130}pplication/json",
        ] {
            assert_eq!(is_json_essence(essence), lowercased(essence), "{essence:?}");
        }
    }

    #[test]
    fn the_essence_is_what_splitting_and_trimming_give() {
        for value in [
            "",
            ";",
            " ",
            "\t",
            "application/json",
            " application/json ",
            "\tapplication/json;charset=utf-8",
            "application/json ; charset=utf-8",
            "application/json;",
            ";application/json",
            "  ;  ",
            "a b ; c",
            "\t \t",
        ] {
            assert!(
                HeaderValue::from_str(value).unwrap().to_str().is_ok(),
                "{value:?}"
            );
            assert_eq!(
                essence_of(value),
                value.split(';').next().unwrap().trim(),
                "{value:?}"
            );
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[serde(default)]
        op: Vec<String>,
        #[serde(default, deserialize_with = "flag::minimal")]
        minimal: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Nothing {}

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Trio {
        op: Option<String>,
        minimal: Option<String>,
        revision: Option<String>,
    }

    fn detail<T: DeserializeOwned + std::fmt::Debug>(query: &str) -> String {
        Query::<T>::parse(query).unwrap_err().to_string()
    }

    #[test]
    fn repeated_parameters_and_flags_are_read() {
        let Query(sample) = Query::<Sample>::parse("op=a+b&op=c%2Cd&minimal=1").unwrap();
        assert_eq!(sample.op, ["a b", "c,d"]);
        assert_eq!(sample.minimal, Some(true));
        let Query(empty) = Query::<Sample>::parse("").unwrap();
        assert!(empty.op.is_empty() && empty.minimal.is_none());
    }

    #[test]
    fn unknown_and_bad_parameters_name_the_parameter_and_what_is_accepted() {
        assert_eq!(
            detail::<Sample>("ops=get_profiles"),
            "unknown query parameter `ops`; accepted: op, minimal"
        );
        assert_eq!(
            detail::<Trio>("ops=x"),
            "unknown query parameter `ops`; accepted: op, minimal, revision"
        );
        assert_eq!(
            detail::<Nothing>("revision=2026-07-15"),
            "unknown query parameter `revision`; accepted: none"
        );
        assert_eq!(
            detail::<Sample>("minimal=perhaps"),
            "`minimal` must be true or false, not `perhaps`"
        );
        let key = "pk_4f1c2a9b8e7d6c5b4a39281706f5e4d3c2";
        assert!(!detail::<Sample>(&format!("{key}=1")).contains(&key[3..]));
    }
}

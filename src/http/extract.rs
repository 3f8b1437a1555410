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

/// Operation texts are never empty (the schema's `minLength: 1`): a request
/// holding an empty one breaks the schema and is refused whole, as a wrong
/// shape is, naming where it is. A blank one (`" "`) is well-formed and is
/// reported as that input's `empty` error, beside the answers for the rest.
/// `#[serde(deserialize_with = "non_empty::items")]` (or `::texts` for `op=`).
pub mod non_empty {
    use super::*;
    use crate::resolve::InputItem;

    /// Where the first empty text is, as an error.
    fn refuse<E: de::Error>(field: &str, texts: impl Iterator<Item = usize>) -> Result<(), E> {
        match texts.into_iter().next() {
            None => Ok(()),
            Some(at) => Err(E::custom(format!(
                "`{field}[{at}]` is empty: give an operation such as `GET /api/profiles` or `get_profiles`"
            ))),
        }
    }

    /// `operations` of a body.
    pub fn items<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<InputItem>, D::Error> {
        let items = Vec::<InputItem>::deserialize(deserializer)?;
        let empty = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.operation_text().is_empty());
        refuse("operations", empty.map(|(at, _)| at))?;
        Ok(items)
    }

    /// `op=` of a query.
    pub fn texts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        let texts = Vec::<String>::deserialize(deserializer)?;
        let empty = texts.iter().enumerate().filter(|(_, text)| text.is_empty());
        refuse("op", empty.map(|(at, _)| at))?;
        Ok(texts)
    }
}

/// The media type of a request body, lowercased, without parameters (`application/json`).
pub fn media_type(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// Whether a request body is JSON (`application/json` or `application/*+json`).
pub fn is_json(request: &HttpRequest) -> bool {
    media_type(request).is_some_and(|media_type| {
        media_type == "application/json"
            || (media_type.starts_with("application/") && media_type.ends_with("+json"))
    })
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
    use actix_web::test::TestRequest;

    #[test]
    fn json_bodies_are_application_json_or_a_json_suffix_in_any_case() {
        let json = [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/vnd.api+json ;x=y",
            "APPLICATION/LD+JSON",
            "\tapplication/json\t",
        ];
        let not_json = [
            "",
            ";application/json",
            "text/json",
            "application/jsonx",
            "application/json5",
            "application+json",
            "applicatio/x+json",
            "text/plain; a=application/json",
        ];
        for (value, expected) in json
            .iter()
            .map(|v| (v, true))
            .chain(not_json.iter().map(|v| (v, false)))
        {
            let request = TestRequest::default()
                .insert_header((header::CONTENT_TYPE, *value))
                .to_http_request();
            assert_eq!(is_json(&request), expected, "{value:?}");
        }
        assert!(!is_json(&TestRequest::default().to_http_request()));
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

//! Splits one input string into what it names: an operation name (operationId,
//! alias or SDK method) or an HTTP request (method, path or URL, query).
//!
//! Paths are split into segments before percent-decoding, and segments are
//! never split on `:`, because Klaviyo IDs hold `:`, `$` and `:::`
//! (KLAVIYO_FACTS §6).

use percent_encoding::percent_decode_str;

use crate::catalog::Method;

/// The only host Klaviyo's private-key API is served from.
pub const API_HOST: &str = "a.klaviyo.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An operationId, alias or SDK method name, as typed.
    Name(String),
    Http(HttpTarget),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpTarget {
    pub method: Option<Method>,
    /// A leading word that is not a method Klaviyo uses (`FETCH`, `HEAD`).
    pub unknown_method: Option<String>,
    pub from_url: bool,
    /// The path as typed (still percent-encoded), one trailing `/` removed.
    pub raw_path: String,
    /// Decoded, lowercased segments after the leading `/`.
    pub segments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedText {
    pub target: Target,
    /// The raw query string, if any.
    pub query: Option<String>,
    pub includes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseError {
    Empty,
    WrongHost { host: String, path: String },
    Malformed { reason: String },
}

/// Parses one input string.
pub(crate) fn parse(text: &str) -> Result<ParsedText, ParseError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    let (method_word, rest) = match text.split_once(char::is_whitespace) {
        Some((word, rest)) => {
            if !word.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(malformed(
                    "it has spaces but does not start with an HTTP method",
                ));
            }
            (Some(word), rest.trim())
        }
        None => (None, text),
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let looks_like_url = starts_with_ignore_case(rest, "http://")
        || starts_with_ignore_case(rest, "https://")
        || (!rest.starts_with('/') && split_query(rest).0.contains(".klaviyo.com"));
    let (raw_path, query, from_url) = if looks_like_url {
        let (path, query) = split_url(rest)?;
        (path, query, true)
    } else if rest.starts_with('/') || rest.starts_with("api/") || rest.starts_with("client/") {
        let (path, query) = split_query(rest);
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        (path, query.map(str::to_owned), false)
    } else if method_word.is_some() {
        return Err(malformed(
            "after the method it expects a path starting with /api/ or a URL on https://a.klaviyo.com",
        ));
    } else {
        let (name, query) = split_query(rest);
        return Ok(ParsedText {
            includes: query.map(includes_of_query).unwrap_or_default(),
            target: Target::Name(name.to_owned()),
            query: query.map(str::to_owned),
        });
    };
    let raw_path = match raw_path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
        _ => raw_path,
    };
    let segments = raw_path[1..]
        .split('/')
        .map(|segment| {
            percent_decode_str(segment)
                .decode_utf8_lossy()
                .to_ascii_lowercase()
        })
        .collect();
    let method = method_word.and_then(Method::parse);
    Ok(ParsedText {
        includes: query.as_deref().map(includes_of_query).unwrap_or_default(),
        target: Target::Http(HttpTarget {
            method,
            unknown_method: match (method_word, method) {
                (Some(word), None) => Some(word.to_ascii_uppercase()),
                _ => None,
            },
            from_url,
            raw_path,
            segments,
        }),
        query,
    })
}

fn malformed(reason: &str) -> ParseError {
    ParseError::Malformed {
        reason: reason.to_owned(),
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn split_query(text: &str) -> (&str, Option<&str>) {
    match text.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (text, None),
    }
}

/// Checks the host of a URL and returns its path and query.
fn split_url(text: &str) -> Result<(String, Option<String>), ParseError> {
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|error| ParseError::Malformed {
        reason: format!("it is not a valid URL ({error})"),
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(malformed("only https URLs on a.klaviyo.com are accepted"));
    }
    let host = url.host_str().unwrap_or_default();
    if host != API_HOST || url.port().is_some() {
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        return Err(ParseError::WrongHost {
            host,
            path: url.path().to_owned(),
        });
    }
    Ok((url.path().to_owned(), url.query().map(str::to_owned)))
}

/// Every `include=` value in a query string (comma-separated or repeated).
fn includes_of_query(query: &str) -> Vec<String> {
    let mut includes = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "include" {
            split_include_list(&value, &mut includes);
        }
    }
    includes
}

/// Adds the comma-separated values of one include list, skipping empties and repeats.
pub(crate) fn split_include_list(list: &str, into: &mut Vec<String>) {
    for value in list.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        if !into.iter().any(|known| known == value) {
            into.push(value.to_owned());
        }
    }
}

/// Replaces one include value in the query of a text input, keeping the rest as typed.
pub(crate) fn replace_include_in_query(query: &str, old: &str, new: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("include", list)) => {
                let values: Vec<String> = list
                    .split(',')
                    .map(|value| {
                        let decoded = percent_decode_str(value).decode_utf8_lossy();
                        if decoded.trim() == old {
                            new.to_owned()
                        } else {
                            value.to_owned()
                        }
                    })
                    .collect();
                format!("include={}", values.join(","))
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(text: &str) -> (HttpTarget, Vec<String>) {
        let parsed = parse(text).unwrap();
        match parsed.target {
            Target::Http(target) => (target, parsed.includes),
            other => panic!("{text} parsed as {other:?}"),
        }
    }

    #[test]
    fn method_and_path_with_encoded_ids_keep_colons_in_one_segment() {
        let (target, _) = http("get /api/catalog-items/%24custom%3A%3A%3Asku-1/");
        assert_eq!(target.method, Some(Method::Get));
        assert_eq!(target.segments, ["api", "catalog-items", "$custom:::sku-1"]);
        let (target, _) = http("GET /api/catalog-items/$custom:::$default:::A/B");
        assert_eq!(target.segments.len(), 4, "a raw / still separates segments");
    }

    #[test]
    fn url_on_the_api_host_and_includes() {
        let (target, includes) =
            http("GET https://a.klaviyo.com/api/profiles/ABC?include=lists,segments&include=lists&fields[profile]=email");
        assert!(target.from_url);
        assert_eq!(target.raw_path, "/api/profiles/ABC");
        assert_eq!(includes, ["lists", "segments"]);
    }

    #[test]
    fn other_hosts_are_refused() {
        assert_eq!(
            parse("GET https://www.klaviyo.com/api/profiles"),
            Err(ParseError::WrongHost {
                host: "www.klaviyo.com".into(),
                path: "/api/profiles".into()
            })
        );
        assert!(matches!(
            parse("https://a.klaviyo.com.evil.example/api/profiles"),
            Err(ParseError::WrongHost { .. })
        ));
    }

    #[test]
    fn names_and_bad_shapes() {
        assert_eq!(
            parse("  get_profiles?include=lists ").unwrap().target,
            Target::Name("get_profiles".into())
        );
        assert_eq!(parse("   "), Err(ParseError::Empty));
        assert!(matches!(
            parse("GET profiles"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(parse("1 2"), Err(ParseError::Malformed { .. })));
        let (target, _) = http("FETCH /api/profiles");
        assert_eq!(target.unknown_method.as_deref(), Some("FETCH"));
    }

    #[test]
    fn include_replacement_keeps_other_parameters() {
        assert_eq!(
            replace_include_in_query(
                "fields[profile]=email&include=lsts,segments",
                "lsts",
                "lists"
            ),
            "fields[profile]=email&include=lists,segments"
        );
    }
}

//! Splits one input string into what it names: an operation name (operationId,
//! alias or SDK method) or an HTTP request (method, path or URL, query).
//!
//! Paths are split into segments before percent-decoding, and segments are
//! never split on `:`, because Klaviyo IDs hold `:`, `$` and `:::`
//! (KLAVIYO_FACTS §6).
//!
//! Paths copied from code keep their template pieces: `${id}`, `{id}`,
//! `#{id}`, `%s`, `.format()`'s `{}`, `" + id + "`, `:id`, `<id>` and
//! `{{ id }}` all become one path parameter ([`normalize_placeholders`]), and
//! `#` starts a fragment only in a full URL.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use super::placeholders::normalize_placeholders;
use super::query::includes_of_query;
use crate::catalog::Method;
use memchr::memchr;

/// The only host Klaviyo's private-key API is served from.
pub const API_HOST: &str = "a.klaviyo.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    /// An operationId, alias or SDK method name, as typed.
    Name(&'a str),
    Http(HttpTarget<'a>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpTarget<'a> {
    pub method: Option<Method>,
    /// A leading word that is not a method Klaviyo uses (`FETCH`, `HEAD`).
    pub unknown_method: Option<String>,
    pub from_url: bool,
    /// The path as typed (still percent-encoded), one trailing `/` removed.
    pub raw_path: Cow<'a, str>,
    /// Decoded, lowercased segments after the leading `/`, one byte (`/`)
    /// between each two: read them with [`HttpTarget::segments`]. Borrowed
    /// from the input when there is nothing to decode or lowercase.
    segment_text: Cow<'a, str>,
    /// Where each segment ends in `segment_text`, only when a decoded
    /// segment holds a `/` (so they must never be re-split); empty, and
    /// unallocated, when the segments are `segment_text.split('/')`.
    segment_ends: Vec<usize>,
}

impl HttpTarget<'_> {
    /// The decoded, lowercased segments after the leading `/`.
    pub fn segments(&self) -> Segments<'_> {
        Segments {
            text: &self.segment_text,
            ends: &self.segment_ends,
            start: 0,
            done: false,
        }
    }
}

/// The segments of an [`HttpTarget`], in order.
#[derive(Debug, Clone)]
pub(crate) struct Segments<'t> {
    text: &'t str,
    /// Explicit ends still to read (see [`HttpTarget::segment_ends`]).
    ends: &'t [usize],
    start: usize,
    done: bool,
}

impl<'t> Segments<'t> {
    /// The segments of a text with nothing decoded: `text.split('/')`.
    pub(crate) fn split(text: &'t str) -> Segments<'t> {
        Segments {
            text,
            ends: &[],
            start: 0,
            done: false,
        }
    }
}

impl<'t> Iterator for Segments<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        if self.done {
            return None;
        }
        let end = match self.ends.split_first() {
            Some((&end, rest)) => {
                self.ends = rest;
                self.done = rest.is_empty();
                end
            }
            None => match memchr(b'/', &self.text.as_bytes()[self.start..]) {
                Some(at) => self.start + at,
                None => {
                    self.done = true;
                    self.text.len()
                }
            },
        };
        let segment = &self.text[self.start..end];
        self.start = end + 1;
        Some(segment)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedText<'a> {
    pub target: Target<'a>,
    /// The raw query string, if any.
    pub query: Option<Cow<'a, str>>,
    pub includes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseError {
    Empty,
    WrongHost { host: String, path: String },
    Malformed { reason: String },
}

/// An input trimmed and with its template pieces rewritten
/// ([`normalize_placeholders`]): what [`parse`] reads, and what the parsed
/// text borrows from.
#[derive(Debug)]
pub(crate) struct Normalized<'a>(Cow<'a, str>);

impl<'a> Normalized<'a> {
    pub(crate) fn of(text: &'a str) -> Normalized<'a> {
        Normalized(normalize_placeholders(text.trim()))
    }
}

/// What a method must be followed by.
const AFTER_METHOD: &str =
    "after the method it expects a path starting with /api/ or a URL on https://a.klaviyo.com";

/// Parses one normalized input string.
pub(crate) fn parse<'a>(normalized: &'a Normalized<'_>) -> Result<ParsedText<'a>, ParseError> {
    let text: &'a str = &normalized.0;
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
    let looks_like_url = starts_with_ignore_case(rest, "http://")
        || starts_with_ignore_case(rest, "https://")
        || (!rest.starts_with('/') && split_query(rest).0.contains(".klaviyo.com"));
    let (raw_path, query, from_url): (Cow<'a, str>, Option<Cow<'a, str>>, bool) = if looks_like_url
    {
        // `#` starts a fragment only in a full URL; in a path it is template text.
        let rest = rest.split('#').next().unwrap_or_default();
        let (path, query) = split_url(rest)?;
        (path.into(), query.map(Cow::Owned), true)
    } else if rest.starts_with('/') || rest.starts_with("api/") || rest.starts_with("client/") {
        let (path, query) = split_query(rest);
        let path = if path.starts_with('/') {
            Cow::Borrowed(path)
        } else {
            Cow::Owned(format!("/{path}"))
        };
        (path, query.map(Cow::Borrowed), false)
    } else if method_word.is_some() {
        return Err(malformed(AFTER_METHOD));
    } else {
        let (name, query) = split_query(rest);
        return Ok(ParsedText {
            includes: query.map(includes_of_query).unwrap_or_default(),
            target: Target::Name(name),
            query: query.map(Cow::Borrowed),
        });
    };
    let raw_path = match raw_path {
        Cow::Borrowed(path) => Cow::Borrowed(without_trailing_slash(path)),
        Cow::Owned(mut path) => {
            path.truncate(without_trailing_slash(&path).len());
            Cow::Owned(path)
        }
    };
    let (segment_text, segment_ends) = decoded_segments(&raw_path);
    let segment_text = match (segment_text, &raw_path) {
        // Nothing decoded or lowercased: the segments are the input's own text.
        (None, Cow::Borrowed(path)) => Cow::Borrowed(&path[1..]),
        (None, Cow::Owned(path)) => Cow::Owned(path[1..].to_owned()),
        (Some(text), _) => Cow::Owned(text),
    };
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
            segment_text,
            segment_ends,
        }),
        query,
    })
}

/// The text after a path's leading `/`, each segment percent-decoded on its
/// own and lowercased, with the ends of the segments when a decoded one
/// holds a `/`; `None` when that text is the path's own (nothing to decode
/// or lowercase), which is nearly every path.
fn decoded_segments(raw_path: &str) -> (Option<String>, Vec<usize>) {
    let path = &raw_path[1..];
    // Which of `%` and the uppercase letters occur, in one branch-free pass
    // (`Iterator::any` stops early but costs several times as much a byte).
    const PERCENT: u8 = 1;
    const UPPER: u8 = 2;
    const CLASS: [u8; 256] = {
        let mut class = [0; 256];
        class[b'%' as usize] = PERCENT;
        let mut b = b'A';
        while b <= b'Z' {
            class[b as usize] = UPPER;
            b += 1;
        }
        class
    };
    let present = path
        .bytes()
        .fold(0u8, |present, b| present | CLASS[usize::from(b)]);
    if present == 0 {
        return (None, Vec::new());
    }
    if present & PERCENT == 0 {
        return (Some(path.to_ascii_lowercase()), Vec::new());
    }
    let mut text = String::with_capacity(path.len());
    let mut ends = Vec::new();
    let mut slash_inside = false;
    for (at, segment) in path.split('/').enumerate() {
        if at > 0 {
            text.push('/');
        }
        let decoded = percent_decode_str(segment).decode_utf8_lossy();
        slash_inside |= decoded.contains('/');
        text.push_str(&decoded);
        ends.push(text.len());
    }
    text.make_ascii_lowercase();
    if !slash_inside {
        ends = Vec::new();
    }
    (Some(text), ends)
}

/// The path without one trailing `/` (`/api/profiles/` is `/api/profiles`),
/// unless the `/` is all there is.
pub(crate) fn without_trailing_slash(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => path,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a test reads of an HTTP target, owned.
    struct Http {
        method: Option<Method>,
        unknown_method: Option<String>,
        from_url: bool,
        raw_path: String,
        segments: Vec<String>,
    }

    fn http(text: &str) -> (Http, Vec<String>) {
        let normalized = Normalized::of(text);
        let parsed = parse(&normalized).unwrap();
        match parsed.target {
            Target::Http(target) => (
                Http {
                    method: target.method,
                    unknown_method: target.unknown_method.clone(),
                    from_url: target.from_url,
                    raw_path: target.raw_path.to_string(),
                    segments: target.segments().map(str::to_owned).collect(),
                },
                parsed.includes,
            ),
            other => panic!("{text} parsed as {other:?}"),
        }
    }

    fn parse_error(text: &str) -> Option<ParseError> {
        parse(&Normalized::of(text)).err()
    }

    /// The segments as they were split before they could be borrowed: each
    /// segment of the path split on `/`, percent-decoded, then lowercased.
    #[test]
    fn segments_are_split_decoded_and_lowercased_as_one_by_one() {
        let pieces = [
            "a", "B", "/", "%2F", "%2f", "%41", "%", "%zz", "é", "{id}", ":", "",
        ];
        let mut paths = vec![String::new()];
        // Then paths with many segments.
        let long = [
            vec!["a"; 20].join("/"),
            vec!["A%2Fb"; 17].join("/"),
            vec!["x"; 16].join("/"),
        ];
        for round in 0..5 {
            paths = if round < 4 {
                paths
                    .iter()
                    .flat_map(|path| pieces.iter().map(move |piece| format!("{path}{piece}")))
                    .collect()
            } else {
                long.to_vec()
            };
            for path in &paths {
                let raw_path = format!("/{path}");
                let expected: Vec<String> = raw_path[1..]
                    .split('/')
                    .map(|segment| {
                        percent_decode_str(segment)
                            .decode_utf8_lossy()
                            .to_ascii_lowercase()
                    })
                    .collect();
                let (text, ends) = decoded_segments(&raw_path);
                let target = HttpTarget {
                    method: None,
                    unknown_method: None,
                    from_url: false,
                    raw_path: Cow::Borrowed(&raw_path),
                    segment_text: text.map_or(Cow::Borrowed(&raw_path[1..]), Cow::Owned),
                    segment_ends: ends,
                };
                let segments: Vec<String> = target.segments().map(str::to_owned).collect();
                assert_eq!(segments, expected, "{raw_path:?}");
            }
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
            parse_error("GET https://www.klaviyo.com/api/profiles"),
            Some(ParseError::WrongHost {
                host: "www.klaviyo.com".into(),
                path: "/api/profiles".into()
            })
        );
        assert!(matches!(
            parse_error("https://a.klaviyo.com.evil.example/api/profiles"),
            Some(ParseError::WrongHost { .. })
        ));
    }

    #[test]
    fn names_and_bad_shapes() {
        assert_eq!(
            parse(&Normalized::of("  get_profiles?include=lists "))
                .unwrap()
                .target,
            Target::Name("get_profiles")
        );
        assert_eq!(parse_error("   "), Some(ParseError::Empty));
        assert!(matches!(
            parse_error("GET profiles"),
            Some(ParseError::Malformed { .. })
        ));
        assert!(matches!(
            parse_error("1 2"),
            Some(ParseError::Malformed { .. })
        ));
        let (target, _) = http("FETCH /api/profiles");
        assert_eq!(target.unknown_method.as_deref(), Some("FETCH"));
    }

    #[test]
    fn hash_starts_a_fragment_only_in_a_full_url() {
        let (target, includes) = http("GET /api/profiles/#{id}?include=lists,segments");
        assert_eq!(target.segments, ["api", "profiles", "{id}"]);
        assert_eq!(includes, ["lists", "segments"]);
        let (target, includes) =
            http("GET https://a.klaviyo.com/api/profiles/ABC?include=lists#top");
        assert_eq!(target.segments, ["api", "profiles", "abc"]);
        assert_eq!(includes, ["lists"]);
    }

    #[test]
    fn code_copied_paths_resolve_with_their_includes() {
        use crate::catalog::Catalog;
        use crate::resolve::{resolve, InputItem, ResolveOptions};
        let catalog = Catalog::embedded();
        let resolved = resolve(
            &catalog,
            &[
                InputItem::from("PATCH /api/profiles/#{id}"),
                InputItem::from("GET /api/profiles/#{id}?include=lists,segments"),
                InputItem::from("GET /api/lists/{{ stream_partition.id }}/profiles"),
                InputItem::from("DELETE /api/lists/:id"),
            ],
            ResolveOptions::default(),
        );
        assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
        let ops: Vec<(&str, &[String])> = resolved
            .operations
            .iter()
            .map(|op| (op.operation_id.as_str(), &op.includes[..]))
            .collect();
        assert_eq!(ops[0].0, "update_profile");
        assert_eq!(
            ops[1],
            (
                "get_profile",
                &["lists".to_owned(), "segments".to_owned()][..]
            )
        );
        assert_eq!(ops[2].0, "get_profiles_for_list");
        assert_eq!(ops[3].0, "delete_list");
        assert!(resolved.scopes.iter().any(|scope| scope == "segments:read"));
    }
}

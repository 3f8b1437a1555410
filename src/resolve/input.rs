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
        Cow::Borrowed(path) => match path.strip_suffix('/') {
            Some(stripped) if !stripped.is_empty() => Cow::Borrowed(stripped),
            _ => Cow::Borrowed(path),
        },
        Cow::Owned(mut path) => {
            if path.len() > 1 && path.ends_with('/') {
                path.pop();
            }
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

/// Rewrites the template pieces of code-copied paths as `{name}` path
/// parameters: `{{ id }}`, `${id}`, `#{id}`, `%s`/`%d`/`%(id)s`, `{}`,
/// quoted concatenation (`"/api/profiles/" + id + "/lists"`, PHP's `.`),
/// `+ id +`, and whole segments `:id` and `<id>` / `<int:id>`.
///
/// Each rewrite runs only when the text holds what it rewrites, so a plain
/// path (nearly every input) is borrowed as it is, unchanged and uncopied.
pub(crate) fn normalize_placeholders(text: &str) -> Cow<'_, str> {
    if !has_template_pieces(text) {
        return Cow::Borrowed(text);
    }
    let mut text = Cow::Borrowed(text);
    if text.contains('{') {
        for (open, close) in [("{{", "}}"), ("${", "}"), ("#{", "}")] {
            if text.contains(open) {
                text = Cow::Owned(replace_braced(&text, open, close));
            }
        }
    }
    if is_concatenation(&text) {
        text = Cow::Owned(join_concatenation(&text));
    }
    if text.contains('%') || text.contains("{}") {
        text = Cow::Owned(replace_printf(&text));
    }
    if text.starts_with([':', '<']) || text.contains("/:") || text.contains("/<") {
        text = Cow::Owned(replace_segments(&text));
    }
    text
}

/// Whether any rewrite of [`normalize_placeholders`] applies to the text as
/// it is: exactly its conditions, found in one pass over the bytes (the
/// conditions' own searches cost a plain path more than the rest of parsing).
fn has_template_pieces(text: &str) -> bool {
    let bytes = text.as_bytes();
    if matches!(bytes.first(), Some(b':' | b'<')) {
        return true;
    }
    // Which of the bytes the conditions start from occur at all, in one
    // branch-free pass; only those are then looked at.
    const PERCENT: u8 = 1;
    const BRACE: u8 = 2;
    const SEGMENT: u8 = 4;
    const OPERATOR: u8 = 8;
    const CLASS: [u8; 256] = {
        let mut class = [0; 256];
        class[b'%' as usize] = PERCENT;
        class[b'{' as usize] = BRACE;
        class[b':' as usize] = SEGMENT;
        class[b'<' as usize] = SEGMENT;
        class[b'+' as usize] = OPERATOR;
        class[b'.' as usize] = OPERATOR;
        class
    };
    let present = bytes
        .iter()
        .fold(0u8, |present, &b| present | CLASS[usize::from(b)]);
    if present & PERCENT != 0 {
        return true;
    }
    // The byte before position `at` (0 before the start).
    let before = |at: usize| if at > 0 { bytes[at - 1] } else { 0 };
    let each = |wanted: fn(u8) -> bool| {
        bytes
            .iter()
            .enumerate()
            .filter(move |&(_, &b)| wanted(b))
            .map(|(at, _)| at)
    };
    if present & BRACE != 0
        && each(|b| b == b'{')
            .any(|at| matches!(before(at), b'{' | b'$' | b'#') || bytes.get(at + 1) == Some(&b'}'))
    {
        return true;
    }
    if present & SEGMENT != 0 && each(|b| b == b':' || b == b'<').any(|at| before(at) == b'/') {
        return true;
    }
    if present & OPERATOR == 0 {
        return false;
    }
    let plus = bytes.contains(&b'+');
    let quote = bytes.iter().any(|&b| b == b'"' || b == b'\'');
    let space_dot = each(|b| b == b'.').any(|at| before(at) == b' ');
    let spaced_operator = each(|b| b == b' ')
        .any(|at| at > 1 && bytes[at - 2] == b' ' && matches!(bytes[at - 1], b'+' | b'.'));
    spaced_operator || (quote && (plus || space_dot))
}

/// The trailing identifier of an expression, as a parameter name:
/// `self.profile_id` → `profile_id` (`id` when there is none).
pub(crate) fn parameter_name(expr: &str) -> String {
    let name: String = expr
        .trim()
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if name.is_empty() {
        "id".to_owned()
    } else {
        name
    }
}

/// `open expr close` → `{name}` (`close` is found after balanced braces).
fn replace_braced(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let Some(end) = find_close(after, close) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('{');
        out.push_str(&parameter_name(&after[..end]));
        out.push('}');
        rest = &after[end + close.len()..];
    }
    out.push_str(rest);
    out
}

fn find_close(text: &str, close: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        if depth == 0 && text[index..].starts_with(close) {
            return Some(index);
        }
        match c {
            '{' => depth += 1,
            '}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// Whether [`join_concatenation`] has anything to join.
fn is_concatenation(text: &str) -> bool {
    if !text.bytes().any(|b| b == b'+' || b == b'.') {
        return false;
    }
    let has_operator = text.contains(" + ") || text.contains(" . ");
    let quoted = text.contains('"') || text.contains('\'');
    has_operator || (quoted && (text.contains('+') || text.contains(" .")))
}

/// `"/api/profiles/" + id + "/lists"` (or PHP `'…' . $id . '…'`, or
/// unquoted `/api/profiles/ + id + /lists`) → `/api/profiles/{id}/lists`.
fn join_concatenation(text: &str) -> String {
    if !is_concatenation(text) {
        return text.to_owned();
    }
    // Keep the method word (`GET "/api/…" + id`) apart.
    let (head, body) = match text.split_once(char::is_whitespace) {
        Some((word, rest)) if word.bytes().all(|b| b.is_ascii_alphabetic()) => (Some(word), rest),
        _ => (None, text),
    };
    let mut out = String::new();
    let mut chars = body.trim().chars().peekable();
    let mut expr = String::new();
    let flush = |expr: &mut String, out: &mut String| {
        let trimmed = expr.trim();
        if !trimmed.is_empty() {
            if trimmed.starts_with('/') || trimmed.contains('/') && !trimmed.contains(' ') {
                out.push_str(trimmed);
            } else {
                out.push('{');
                out.push_str(&parameter_name(trimmed));
                out.push('}');
            }
        }
        expr.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                flush(&mut expr, &mut out);
                for inner in chars.by_ref() {
                    if inner == c {
                        break;
                    }
                    out.push(inner);
                }
            }
            '+' => flush(&mut expr, &mut out),
            '.' if expr.trim().is_empty() && chars.peek() == Some(&' ') => {
                flush(&mut expr, &mut out)
            }
            _ => expr.push(c),
        }
    }
    flush(&mut expr, &mut out);
    match head {
        Some(word) => format!("{word} {out}"),
        None => out,
    }
}

/// `%s`, `%d`, `%i`, `%(name)s` → `{id}` / `{name}`; percent-encoding is kept.
fn replace_printf(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let next = bytes.get(index + 1).copied();
            let after = bytes.get(index + 2).copied();
            match next {
                Some(b's' | b'd' | b'i' | b'r')
                    if !after.is_some_and(|b| b.is_ascii_hexdigit()) =>
                {
                    out.push_str("{id}");
                    index += 2;
                    continue;
                }
                Some(b'(') => {
                    if let Some(close) = text[index..].find(')') {
                        let name = &text[index + 2..index + close];
                        let conversion = bytes.get(index + close + 1).copied();
                        if conversion.is_some_and(|b| b.is_ascii_alphabetic()) {
                            out.push('{');
                            out.push_str(&parameter_name(name));
                            out.push('}');
                            index += close + 2;
                            continue;
                        }
                    }
                }
                _ => {}
            }
        }
        let c = text[index..].chars().next().unwrap_or_default();
        out.push(c);
        index += c.len_utf8();
    }
    out.replace("{}", "{id}")
}

/// Whole path segments `:id`, `<id>` and `<int:id>` → `{id}`, before any query.
fn replace_segments(text: &str) -> String {
    let (path, query) = match text.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (text, None),
    };
    let is_name = |name: &str| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit()
    };
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            if let Some(name) = segment.strip_prefix(':').filter(|n| is_name(n)) {
                return format!("{{{name}}}");
            }
            if let Some(inner) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                let name = inner.rsplit(':').next().unwrap_or(inner);
                if is_name(name) {
                    return format!("{{{name}}}");
                }
            }
            segment.to_owned()
        })
        .collect();
    let path = segments.join("/");
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
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

/// Every `include=` value in a query string (comma-separated or repeated).
pub(super) fn includes_of_query(query: &str) -> Vec<String> {
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
    fn template_pieces_become_path_parameters_in_every_syntax() {
        for (code, expected) in [
            ("PATCH /api/profiles/#{id}", "PATCH /api/profiles/{id}"),
            (
                "GET /api/profiles/${profileId}/lists",
                "GET /api/profiles/{profileId}/lists",
            ),
            (
                "GET /api/profiles/{profile_id}/",
                "GET /api/profiles/{profile_id}/",
            ),
            ("GET /api/profiles/%s/", "GET /api/profiles/{id}/"),
            ("GET /api/profiles/%(pid)s", "GET /api/profiles/{pid}"),
            ("GET /api/profiles/{}/lists", "GET /api/profiles/{id}/lists"),
            (
                "GET \"/api/profiles/\" + id + \"/lists\"",
                "GET /api/profiles/{id}/lists",
            ),
            ("GET '/api/lists/' . $listId", "GET /api/lists/{listId}"),
            (
                "GET /api/profiles/ + id + /lists",
                "GET /api/profiles/{id}/lists",
            ),
            ("DELETE /api/lists/:list_id", "DELETE /api/lists/{list_id}"),
            ("GET /api/lists/<int:list_id>", "GET /api/lists/{list_id}"),
            (
                "GET /api/lists/{{ stream_partition.id }}/profiles",
                "GET /api/lists/{id}/profiles",
            ),
            ("GET /api/lists/{{ id }}", "GET /api/lists/{id}"),
        ] {
            assert_eq!(normalize_placeholders(code), expected, "{code}");
        }
        // Klaviyo IDs and percent-encoding are not templates.
        for kept in [
            "GET /api/catalog-items/$custom:::$default:::SKU-1",
            "GET /api/catalog-items/%24custom%3A%3A%3Asku-1",
            "GET /api/webhook-topics/event:klaviyo.sent_sms",
            "GET /api/profiles?include=lists&fields[profile]=email",
        ] {
            assert_eq!(normalize_placeholders(kept), kept);
        }
    }

    /// [`has_template_pieces`] is the rewrites' conditions, as they were written.
    #[test]
    fn template_pieces_are_found_in_one_pass_as_the_conditions_find_them() {
        fn conditions(text: &str) -> bool {
            ["{{", "${", "#{"].iter().any(|open| text.contains(open))
                || is_concatenation(text)
                || text.contains('%')
                || text.contains("{}")
                || text.starts_with([':', '<'])
                || text.contains("/:")
                || text.contains("/<")
        }
        let pieces = [
            "", "a", "/", "{", "}", "$", "#", "%", ":", "<", "+", ".", " ", "\"", "'", "é", "api",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|text| pieces.iter().map(move |piece| format!("{text}{piece}")))
                .collect();
            for text in &texts {
                assert_eq!(has_template_pieces(text), conditions(text), "{text:?}");
            }
        }
        for text in [
            "GET /api/profiles/{id}",
            "PATCH /api/profiles/#{id}",
            "GET \"/api/profiles/\" + id",
            "GET '/api/lists/' . $id . '/profiles'",
            "GET /api/profiles/:id",
            "GET /api/events?include=metric",
        ] {
            assert_eq!(has_template_pieces(text), conditions(text), "{text:?}");
        }
    }

    #[test]
    fn includes_are_read_from_plain_queries_as_from_encoded_ones() {
        for query in [
            "include=lists",
            "include=lists,segments&include=lists",
            "a=1&&include=&include=metric&include",
            "include==x&include,=y&=include",
            "fields[profile]=email&include=lists",
            "include=lists%2Csegments&include=a+b",
        ] {
            let mut decoded = Vec::new();
            for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                if key == "include" {
                    split_include_list(&value, &mut decoded);
                }
            }
            assert_eq!(includes_of_query(query), decoded, "{query}");
        }
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

//! Which evaluated strings are Klaviyo paths: a URL on `a.klaviyo.com`
//! (`//` after the host is one `/`), an `/api/…` or `/client/…` path, or a
//! relative tail (`profiles/{id}/`, `{base}/lists`) that the catalog and the
//! file's ties to Klaviyo judge later. Also where a wrapper's own parameter
//! is the path, and where the resource itself is computed at run time.

use super::pieces::{render, Piece, Pieces};
use crate::catalog::Method;
pub(super) use crate::resolve::API_HOST;

/// A Klaviyo path read from an evaluated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    /// From `/api/` or `/client/` on; for a relative tail, without a leading `/`.
    pub pieces: Pieces,
    pub relative: bool,
    pub on_host: bool,
    /// Something computed (a base URL) comes before the path.
    pub after_base: bool,
    /// A relative tail written with a leading `/` (`"/events"`): a path, not a word.
    pub rooted: bool,
    /// The name of the base computed at run time (`getApiUrl` of `${getApiUrl()}/lists`).
    pub base: Option<String>,
    /// `"POST /api/lists"`: the method written in the string itself.
    pub method: Option<Method>,
}

/// What an evaluated string is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reading {
    Path(Target),
    /// Klaviyo's API root and nothing after it.
    Base,
    NotKlaviyo,
}

/// Reads an evaluated string. `standalone` is true for a string no call
/// takes: a relative tail then needs a `/` to count.
pub(super) fn classify(pieces: &[Piece], standalone: bool) -> Reading {
    let (method, pieces) = method_prefix(pieces);
    let flat = render(&pieces);
    if let Some(at) = flat.find(API_HOST) {
        let before = &flat[..at];
        if !(before.is_empty() || before.ends_with("://") || before.ends_with("//")) {
            return Reading::NotKlaviyo;
        }
        let offset = at + API_HOST.len();
        let after = flat[offset..].trim_start_matches('/');
        let path = format!("/{after}");
        let path_only = path.split(['?', '#']).next().unwrap_or_default();
        if matches!(
            path_only.trim_end_matches('/'),
            "" | "/api" | "/client" | "/api/v1" | "/api/v2"
        ) {
            return Reading::Base;
        }
        if !(path_only.starts_with("/api/") || path_only.starts_with("/client/")) {
            return Reading::NotKlaviyo;
        }
        let rest = slice(&pieces, offset + (flat[offset..].len() - after.len()));
        return Reading::Path(Target {
            pieces: prefixed(&rest, "/"),
            relative: false,
            on_host: true,
            after_base: false,
            rooted: true,
            base: None,
            method,
        });
    }
    if flat.contains("://") || flat.contains("klaviyo.com") {
        return Reading::NotKlaviyo;
    }
    // What comes before the first literal is a base computed at run time.
    let Some(first_lit) = pieces.iter().position(|p| matches!(p, Piece::Lit(_))) else {
        return Reading::NotKlaviyo;
    };
    let lead = render(&pieces[..first_lit]).len();
    let after_base = first_lit > 0;
    let base = pieces[..first_lit].iter().find_map(|p| match p {
        Piece::Hole(name) => Some(name.clone()),
        _ => None,
    });
    let literal = &flat[lead..];
    let trimmed = literal.trim_start_matches('/');
    let skip = lead + (literal.len() - trimmed.len());
    let tail = trimmed.split(['?', '#']).next().unwrap_or_default();
    if matches!(tail, "api" | "api/" | "client" | "client/" | "") {
        return if after_base || !literal.is_empty() {
            Reading::Base
        } else {
            Reading::NotKlaviyo
        };
    }
    if tail.starts_with("api/") || tail.starts_with("client/") {
        // `/api/…`, `api/…` or `{base}/api/…`; not `/foo/api/…`.
        return Reading::Path(Target {
            pieces: prefixed(&slice(&pieces, skip), "/"),
            relative: false,
            on_host: false,
            after_base,
            rooted: true,
            base: base.clone(),
            method,
        });
    }
    if looks_relative(trimmed, standalone) {
        return Reading::Path(Target {
            pieces: slice(&pieces, skip),
            relative: true,
            on_host: false,
            after_base,
            rooted: literal.starts_with('/'),
            base,
            method,
        });
    }
    Reading::NotKlaviyo
}

/// `"GET /api/lists"` → `GET` and the rest.
fn method_prefix(pieces: &[Piece]) -> (Option<Method>, Pieces) {
    if let Some(Piece::Lit(first)) = pieces.first() {
        if let Some((word, rest)) = first.split_once(' ') {
            let upper = word.bytes().all(|b| b.is_ascii_uppercase());
            if let (true, Some(method)) = (upper, Method::parse(word)) {
                let mut out = vec![Piece::Lit(rest.trim_start().to_owned())];
                out.extend(pieces[1..].iter().cloned());
                return (Some(method), out);
            }
        }
    }
    (None, pieces.to_vec())
}

/// `profiles/`, `lists/{id}/relationships/profiles`, `profile-import`: a
/// resource path. A single segment counts only where a call takes it.
fn looks_relative(text: &str, standalone: bool) -> bool {
    let path = text.split(['?', '#']).next().unwrap_or_default();
    let first = path.split('/').next().unwrap_or_default();
    let segments = path.trim_end_matches('/').split('/').count();
    (segments > 1 || !standalone)
        && first.len() > 1
        && first
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && first.as_bytes()[0].is_ascii_lowercase()
        && path.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'/' | b'-' | b'_' | b'{' | b'}' | b':' | b'$' | b'.' | b'%' | b'@'
                )
        })
}

/// The pieces from byte `offset` of their rendering on.
fn slice(pieces: &[Piece], offset: usize) -> Pieces {
    let mut out = Vec::new();
    let mut at = 0;
    for piece in pieces {
        let len = render(std::slice::from_ref(piece)).len();
        if at + len <= offset {
            at += len;
            continue;
        }
        match piece {
            Piece::Lit(text) if at < offset => out.push(Piece::Lit(text[offset - at..].to_owned())),
            other => out.push(other.clone()),
        }
        at += len;
    }
    out
}

fn prefixed(pieces: &[Piece], prefix: &str) -> Pieces {
    let mut out = vec![Piece::Lit(prefix.to_owned())];
    out.extend(pieces.iter().cloned());
    merge_literals(out)
}

fn merge_literals(pieces: Pieces) -> Pieces {
    let mut out: Pieces = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(Piece::Lit(last)), Piece::Lit(next)) => last.push_str(&next),
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// The path and its query, with `//` read as `/`.
pub(super) fn split_query(pieces: &[Piece]) -> (String, Option<String>) {
    let rendered = render(pieces);
    let (path, query) = match rendered.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (rendered, None),
    };
    let mut clean = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && clean.ends_with('/')) {
            clean.push(c);
        }
    }
    (clean, query)
}

/// The host a wrapper's base names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BaseHost {
    Klaviyo,
    /// Another API's host.
    Other,
    /// A base from elsewhere (configuration, a field), or none.
    Unknown,
}

/// The name of the first piece that makes the resource (not an ID) unknown:
/// an unknown anywhere before the query, or a hole as the first segment
/// after `/api/` (or as the first segment of a relative tail).
pub(super) fn first_dynamic(target: &Target) -> Option<String> {
    let mut flat = String::new();
    let skip = if target.relative { 0 } else { 1 };
    for piece in &target.pieces {
        if flat.contains('?') {
            break;
        }
        match piece {
            Piece::Lit(text) => flat.push_str(text),
            Piece::Unknown => return Some("…".to_owned()),
            Piece::Hole(name) => {
                let segments: Vec<&str> = flat.split('/').filter(|s| !s.is_empty()).collect();
                // `/api/{x}`: the resource itself; `/api/profiles/{x}`: an ID.
                let at_resource = segments.len() <= skip;
                if at_resource && !flat.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-') {
                    return Some(name.clone());
                }
                flat.push_str("{x}");
            }
        }
    }
    None
}

/// Where a wrapper's parameter is the path: the pieces are a base (a Klaviyo
/// URL, `/api/`, or a value from elsewhere) and then the parameter.
/// Returns the parameter's name and whether the base is on Klaviyo's host.
pub(super) fn wrapper_path_param(
    pieces: &[Piece],
    params: &[String],
) -> Option<(String, BaseHost)> {
    let mut host = BaseHost::Unknown;
    let mut base = false;
    for piece in pieces {
        match piece {
            // The parameter follows a base, or its name says it is a URL or path.
            Piece::Hole(name) if params.contains(name) => {
                let after_base = base || host != BaseHost::Unknown || is_url_name(name);
                return after_base.then(|| (name.clone(), host));
            }
            Piece::Hole(name) => base |= is_url_name(name),
            Piece::Unknown => {}
            // Another API's base (`https://us1.api.mailchimp.com/3.0/`): a
            // wrapper too, whose callers are not Klaviyo's.
            Piece::Lit(text) if text.contains("://") && !text.contains(API_HOST) => {
                host = BaseHost::Other;
            }
            Piece::Lit(text) if host == BaseHost::Other => {
                let _ = text;
            }
            Piece::Lit(text) => {
                let rest = match text.find(API_HOST) {
                    Some(at) => {
                        host = BaseHost::Klaviyo;
                        &text[at + API_HOST.len()..]
                    }
                    None => text.as_str(),
                };
                let rest = rest.trim_matches('/');
                if !(rest.is_empty() || rest == "api" || rest == "client") {
                    return None;
                }
                base |= rest == "api" || rest == "client";
            }
        }
    }
    None
}

/// A name that says it holds a URL or a path (`url`, `$endpoint`, `resourcePath`, `base_uri`).
pub(super) fn is_url_name(name: &str) -> bool {
    super::identifiers::words(name).iter().any(|word| {
        matches!(
            word.as_str(),
            "url"
                | "uri"
                | "path"
                | "endpoint"
                | "resource"
                | "route"
                | "href"
                | "link"
                | "location"
                | "host"
                | "base"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Piece {
        Piece::Lit(s.to_owned())
    }
    fn hole(s: &str) -> Piece {
        Piece::Hole(s.to_owned())
    }
    fn path_of(pieces: &[Piece], standalone: bool) -> Option<(String, bool, bool)> {
        match classify(pieces, standalone) {
            Reading::Path(t) => Some((render(&t.pieces), t.relative, t.on_host)),
            _ => None,
        }
    }

    #[test]
    fn urls_paths_and_tails() {
        assert_eq!(
            path_of(&[lit("https://a.klaviyo.com//api/events/")], true),
            Some(("/api/events/".into(), false, true))
        );
        assert_eq!(
            path_of(&[lit("https://a.klaviyo.com/api/lists/"), hole("id")], true),
            Some(("/api/lists/{id}".into(), false, true))
        );
        assert_eq!(
            path_of(
                &[hole("base"), lit("/api/lists/"), hole("id"), lit("/")],
                true
            ),
            Some(("/api/lists/{id}/".into(), false, false))
        );
        assert_eq!(
            path_of(&[lit("api/lists/")], true),
            Some(("/api/lists/".into(), false, false))
        );
        assert_eq!(
            path_of(&[hole("base"), lit("/profile-bulk-import-jobs")], false),
            Some(("profile-bulk-import-jobs".into(), true, false))
        );
        assert_eq!(
            path_of(&[lit("profiles/"), hole("id"), lit("/")], true),
            Some(("profiles/{id}/".into(), true, false))
        );
        assert_eq!(
            path_of(&[lit("lists")], false),
            Some(("lists".into(), true, false))
        );
        assert_eq!(path_of(&[lit("lists")], true), None);
        assert_eq!(
            path_of(&[lit("https://api.iterable.com/api/lists")], false),
            None
        );
        assert_eq!(
            path_of(&[lit("https://www.klaviyo.com/api/lists")], false),
            None
        );
        // Not `/api/…`: a relative tail, which no Klaviyo template matches.
        assert_eq!(
            path_of(&[lit("/foo/api/lists")], false),
            Some(("foo/api/lists".into(), true, false))
        );
        assert_eq!(path_of(&[lit("Hello world")], false), None);
        assert_eq!(
            classify(&[lit("https://a.klaviyo.com/api/")], false),
            Reading::Base
        );
        assert_eq!(
            classify(&[lit("https://a.klaviyo.com")], false),
            Reading::Base
        );
        assert_eq!(classify(&[hole("x"), lit("/api")], false), Reading::Base);
        assert_eq!(
            classify(&[lit("https://a.klaviyo.com/oauth/token")], false),
            Reading::NotKlaviyo
        );
        match classify(&[lit("POST /api/lists")], true) {
            Reading::Path(t) => assert_eq!(t.method, Some(Method::Post)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_resource_computed_at_run_time_is_named() {
        let target = |pieces: Vec<Piece>| match classify(&pieces, false) {
            Reading::Path(t) => t,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            first_dynamic(&target(vec![
                lit("https://a.klaviyo.com/api/"),
                hole("resource")
            ])),
            Some("resource".into())
        );
        assert_eq!(
            first_dynamic(&target(vec![
                lit("https://a.klaviyo.com/api/lists/"),
                hole("id")
            ])),
            None
        );
        assert_eq!(
            first_dynamic(&target(vec![lit("/api/"), hole("kind"), lit("/x")])),
            Some("kind".into())
        );
    }

    #[test]
    fn wrapper_parameters_follow_a_base() {
        let params = vec!["path".to_owned(), "method".to_owned()];
        assert_eq!(
            wrapper_path_param(&[lit("https://a.klaviyo.com/api/"), hole("path")], &params),
            Some(("path".into(), BaseHost::Klaviyo))
        );
        assert_eq!(
            wrapper_path_param(&[hole("base"), lit("/"), hole("path")], &params),
            Some(("path".into(), BaseHost::Unknown))
        );
        assert_eq!(
            wrapper_path_param(&[hole("path")], &params),
            Some(("path".into(), BaseHost::Unknown))
        );
        let ctx = vec!["ctx".to_owned()];
        assert_eq!(wrapper_path_param(&[hole("ctx")], &ctx), None);
        assert_eq!(
            wrapper_path_param(&[hole("apiUrl"), lit("/"), hole("ctx")], &ctx),
            Some(("ctx".into(), BaseHost::Unknown))
        );
        assert_eq!(
            wrapper_path_param(
                &[lit("https://a.klaviyo.com/api/lists/"), hole("path")],
                &params
            ),
            None
        );
        assert_eq!(
            wrapper_path_param(
                &[lit("https://us1.api.mailchimp.com/3.0/"), hole("path")],
                &params
            ),
            Some(("path".into(), BaseHost::Other))
        );
    }
}

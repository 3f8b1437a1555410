//! The usual text input, `METHOD /api/path[?query]` in plain ASCII with
//! concrete ids, read in one pass: exactly what [`input::parse`] makes of it,
//! without its normalising, template rewriting and decoding passes, which
//! such a text never needs. Anything else is left to `input::parse` (the
//! tests compare the two on every catalog path, written many ways).
//!
//! [`input::parse`]: super::input::parse

use super::input::{without_trailing_slash, Segments};
use super::query::includes_of_query;
use crate::catalog::Method;
use memchr::memchr;

/// A text input read by [`read`].
#[derive(Debug, PartialEq, Eq)]
pub(super) struct PlainHttp<'a> {
    pub method: Method,
    /// The path after its leading `/`, one trailing `/` removed, in the
    /// input's letter case (the path trie lowercases as it matches).
    segment_text: &'a str,
    /// The `include=` values of the query, as `input::parse` reads them.
    pub includes: Vec<String>,
}

impl PlainHttp<'_> {
    /// The segments after the leading `/`, in the input's letter case.
    pub fn segments(&self) -> Segments<'_> {
        Segments::split(self.segment_text)
    }
}

/// What a byte after the method is to [`read`].
const OTHER: u8 = 1;
const COLON: u8 = 2;
const CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            class[b] = 0;
        }
        b += 1;
    }
    // Punctuation ids and queries hold that no rewrite of `input::parse`
    // reacts to: not `%` (decoding), `{ } < " ' + #` (template pieces),
    // white space (words), `\` or any byte outside ASCII.
    let punctuation = b"-._~$/?&=,@!*;";
    let mut at = 0;
    while at < punctuation.len() {
        class[punctuation[at] as usize] = 0;
        at += 1;
    }
    // A `:` is plain inside a segment (`$custom:::$default:::SKU`), not at its start (`:id`).
    class[b':' as usize] = COLON;
    class
};

/// Reads `METHOD /path[?query]`: an uppercase method Klaviyo uses, one space,
/// then a path of the bytes above; `None` for any other text.
pub(super) fn read(text: &str) -> Option<PlainHttp<'_>> {
    let bytes = text.as_bytes();
    let space = bytes.iter().take(7).position(|&b| b == b' ')?;
    let method = Method::parse_uppercase(&bytes[..space])?;
    let rest = &text[space + 1..];
    if !rest.starts_with('/') {
        return None;
    }
    // Which classes occur, in one branch-free pass.
    let present = rest
        .bytes()
        .fold(0u8, |present, b| present | CLASS[usize::from(b)]);
    if present & OTHER != 0 || (present & COLON != 0 && rest.contains("/:")) {
        return None;
    }
    let (path, query) = match memchr(b'?', rest.as_bytes()) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let path = without_trailing_slash(path);
    Some(PlainHttp {
        method,
        segment_text: &path[1..],
        includes: query.map(includes_of_query).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::input::{parse, Normalized, Target};
    use super::*;
    use crate::catalog::Catalog;

    /// What `input::parse` makes of a text, as [`read`] would give it, if
    /// it is an HTTP target it would make the same way.
    fn as_parse_reads(text: &str) -> Option<(Method, Vec<String>, Vec<String>)> {
        let normalized = Normalized::of(text);
        let parsed = parse(&normalized).ok()?;
        match parsed.target {
            Target::Http(target) if !target.from_url && target.unknown_method.is_none() => Some((
                target.method?,
                target.segments().map(str::to_owned).collect(),
                parsed.includes,
            )),
            _ => None,
        }
    }

    fn check(text: &str) -> bool {
        let Some(plain) = read(text) else {
            return false;
        };
        // The answer copies what it reads unescaped.
        assert!(!crate::json_text::needs_escape(text), "{text:?}");
        let read = (
            plain.method,
            // (The path trie lowercases as it matches; `input::parse` lowercases first.)
            plain
                .segments()
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>(),
            plain.includes.clone(),
        );
        assert_eq!(Some(read), as_parse_reads(text), "{text:?}");
        true
    }

    /// Every catalog path with concrete ids (as a client sends it), written
    /// other ways, and with each ASCII byte put in at each place (for every
    /// fourth operation): each text `read` takes, it reads as `input::parse`
    /// does, and it takes the typical ones and exactly the bytes it means to.
    #[test]
    fn what_it_reads_it_reads_as_parse_does() {
        let catalog = Catalog::embedded();
        let mut bytes_taken = [false; 128];
        for (position, operation) in catalog.operations().iter().enumerate() {
            let path = operation
                .path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "01HX$custom:::$default:::Ab-9"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = operation.method.as_str();
            let include = operation
                .includes
                .first()
                .map_or("lists".to_owned(), |rule| rule.value.clone());
            let base = format!("{method} {path}?include={include},x&fields=a");
            for text in [
                format!("{method} {path}"),
                format!("{method} {path}/"),
                format!("{method} {}", path.to_uppercase()),
                format!("{method} /{}", "A/".repeat(80)),
                base.clone(),
            ] {
                assert!(check(&text), "{text:?} is left to input::parse");
            }
            for text in [
                format!("{} {path}", method.to_lowercase()),
                format!("{method}  {path}"),
                format!(" {method} {path}"),
                format!("{method} {path}%2F"),
                format!("{method} https://a.klaviyo.com{path}"),
                format!("{method} /api/profiles/:id"),
                format!("{method} {path}/{{id}}"),
                format!("{method} {path}/é"),
            ] {
                assert!(!check(&text), "{text:?} is read");
            }
            check(&format!("{method} /{}", "a/".repeat(80)));
            if position % 4 != 0 {
                continue;
            }
            let middle = method.len() + 6;
            for byte in 0..=127u8 {
                let places = [0, method.len(), method.len() + 1, middle, base.len()];
                for at in places.into_iter().chain(
                    base.match_indices(['/', '?', '=', ','])
                        .flat_map(|(at, _)| [at, at + 1]),
                ) {
                    let mut text = base.clone();
                    text.insert(at, char::from(byte));
                    if check(&text) && at == middle {
                        bytes_taken[usize::from(byte)] = true;
                    }
                }
            }
        }
        let taken: String = (0..128u8)
            .filter(|&b| bytes_taken[usize::from(b)])
            .map(char::from)
            .collect();
        assert_eq!(
            taken,
            "!$&*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"
        );
    }
}

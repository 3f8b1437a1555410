//! Recognises text that looks like a Klaviyo private API key (`pk_…`) so it
//! can be refused and never echoed or logged. Scopelink never needs a key.

use std::borrow::Cow;

const PREFIX: &[u8] = b"pk_";

/// Where each key-like run starts and ends (byte offsets).
fn key_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while from + PREFIX.len() < bytes.len() {
            // Only a start two bytes before a `_` can match: jump to the next one.
            let underscore = bytes[from + 2..].iter().position(|&b| b == b'_')?;
            let start = from + underscore;
            if start + PREFIX.len() >= bytes.len() {
                return None;
            }
            from = start + 1;
            let starts_word = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            if starts_word
                && bytes[start..start + PREFIX.len()].eq_ignore_ascii_case(PREFIX)
                && bytes[start + PREFIX.len()].is_ascii_alphanumeric()
            {
                let end = start
                    + PREFIX.len()
                    + bytes[start + PREFIX.len()..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric())
                        .count();
                from = end;
                return Some((start, end));
            }
        }
        None
    })
}

/// True when the text holds something shaped like a private key, anywhere.
pub fn contains_private_key(text: &str) -> bool {
    // Most texts hold no `_`: one pass without an early exit (a vector loop) rules them out.
    let underscore = text.bytes().fold(false, |found, b| found | (b == b'_'));
    underscore && key_spans(text).next().is_some()
}

/// The text with every key-like run replaced by `pk_***`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut spans = key_spans(text).peekable();
    if spans.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut redacted = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in spans {
        redacted.push_str(&text[last..start]);
        redacted.push_str("pk_***");
        last = end;
    }
    redacted.push_str(&text[last..]);
    Cow::Owned(redacted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_anywhere_and_redacts_them() {
        let text = "GET /api/profiles?x=pk_0123456789abcdef0123456789abcdef01&y=1";
        assert!(contains_private_key(text));
        assert_eq!(redact(text), "GET /api/profiles?x=pk_***&y=1");
        assert!(contains_private_key("PK_ABC"));
        assert_eq!(redact("a pk_1 b pk_2"), "a pk_*** b pk_***");
    }

    #[test]
    fn ignores_words_that_merely_contain_pk() {
        for text in ["get_profiles", "GET /api/skpk_x", "pk_", "pk_-", "mypk_abc"] {
            assert!(!contains_private_key(text), "{text}");
            assert_eq!(redact(text), text);
        }
    }

    /// The scan before it jumped from `_` to `_`, as the reference.
    fn naive_spans(text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut spans = Vec::new();
        let mut from = 0;
        while from + PREFIX.len() < bytes.len() {
            let start = from;
            from += 1;
            let starts_word = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            if starts_word
                && bytes[start..start + PREFIX.len()].eq_ignore_ascii_case(PREFIX)
                && bytes[start + PREFIX.len()].is_ascii_alphanumeric()
            {
                let end = start
                    + PREFIX.len()
                    + bytes[start + PREFIX.len()..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric())
                        .count();
                from = end;
                spans.push((start, end));
            }
        }
        spans
    }

    #[test]
    fn finds_the_same_spans_as_a_byte_by_byte_scan() {
        let alphabet = ["p", "K", "_", "a", " ", "k"];
        let mut texts = vec![String::new()];
        for _ in 0..7 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|text| text.len() == texts.last().map_or(0, String::len))
                .flat_map(|text| alphabet.iter().map(move |c| format!("{text}{c}")))
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            assert_eq!(
                key_spans(text).collect::<Vec<_>>(),
                naive_spans(text),
                "{text:?}"
            );
        }
    }
}

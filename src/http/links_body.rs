//! Reads the body nearly every `POST /v1/links` sends (string inputs with
//! no escape in them) in one pass, without serde: at that size the reader
//! costs more than the answer it asks for. Anything else it declines, and
//! the derived `Deserialize` reads it, so values and errors stay its own.

use super::links::LinksRequest;
use crate::byte_search::find_string_end;
use crate::resolve::InputItem;

/// The request, when `text` is a JSON object of `operations` (strings
/// without escapes), `minimal`, `partial` (booleans) and `revision` (a
/// string without escapes, or null), each at most once, with any JSON
/// whitespace; `None` for anything else, well-formed or not.
pub(super) fn read_plain(text: &str) -> Option<LinksRequest> {
    let mut reader = Reader { text, at: 0 };
    let mut operations = None;
    let mut minimal = None;
    let mut partial = None;
    let mut revision = None;
    reader.expect(b'{')?;
    loop {
        let key = reader.string()?;
        reader.expect(b':')?;
        match key {
            "operations" if operations.is_none() => operations = Some(reader.strings()?),
            "minimal" if minimal.is_none() => minimal = Some(reader.boolean()?),
            "partial" if partial.is_none() => partial = Some(reader.boolean()?),
            "revision" if revision.is_none() => revision = Some(reader.string_or_null()?),
            _ => return None,
        }
        match reader.next_byte()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    reader.skip_whitespace();
    if reader.at != text.len() {
        return None;
    }
    Some(LinksRequest {
        operations: operations?,
        minimal: minimal.unwrap_or_default(),
        partial: partial.unwrap_or_default(),
        revision: revision.flatten().map(str::to_owned),
    })
}

/// A position in the body.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        let bytes = self.text.as_bytes();
        while matches!(bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, consumed.
    fn next_byte(&mut self) -> Option<u8> {
        self.skip_whitespace();
        let byte = *self.text.as_bytes().get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next_byte()? == byte).then_some(())
    }

    /// A string with no escape and no control character in it.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        self.string_after_quote()
    }

    fn string_after_quote(&mut self) -> Option<&'a str> {
        let rest = &self.text[self.at..];
        // A string that ends at the first of these (not at a backslash or a
        // control character) is the value as it is.
        let end = find_string_end(rest.as_bytes())?;
        if rest.as_bytes()[end] != b'"' {
            return None;
        }
        self.at += end + 1;
        Some(&rest[..end])
    }

    fn string_or_null(&mut self) -> Option<Option<&'a str>> {
        match self.next_byte()? {
            b'"' => self.string_after_quote().map(Some),
            b'n' => self.word("ull").map(|()| None),
            _ => None,
        }
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.next_byte()? {
            b't' => self.word("rue").map(|()| true),
            b'f' => self.word("alse").map(|()| false),
            _ => None,
        }
    }

    /// The rest of a literal (`true`, `false`, `null`).
    fn word(&mut self, rest: &str) -> Option<()> {
        self.text[self.at..].starts_with(rest).then(|| {
            self.at += rest.len();
        })
    }

    /// An array of strings, as text inputs.
    fn strings(&mut self) -> Option<Vec<InputItem>> {
        self.expect(b'[')?;
        // Room for about as many strings as the rest holds (an input takes
        // some 16 bytes or more), up to the default limit of 256: growing a
        // long list by doubling copies it several times.
        let mut items = Vec::with_capacity(((self.text.len() - self.at) / 16).clamp(8, 256));
        self.skip_whitespace();
        if self.text.as_bytes().get(self.at) == Some(&b']') {
            self.at += 1;
            return Some(items);
        }
        loop {
            items.push(InputItem::Text(self.string()?.to_owned()));
            match self.next_byte()? {
                b',' => continue,
                b']' => return Some(items),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // That what it reads is what the derived way reads is tested with
    // `LinksRequest::from_json`; this is which bodies it reads at all.
    #[test]
    fn reads_plain_bodies_and_declines_the_rest() {
        let read = [
            r#"{"operations":["get_profiles","GET /api/lists/{id}?include=tags"]}"#,
            "{\"operations\": [\"a\", \"é☃\"], \"minimal\": true, \"partial\": false, \"revision\": null}\n",
            r#"{"revision":"2026-07-15.pre","operations":[]}"#,
        ];
        for body in read {
            let request = read_plain(body).unwrap_or_else(|| panic!("{body}"));
            let derived: LinksRequest = serde_json::from_str(body).unwrap();
            assert_eq!(request.operations, derived.operations, "{body}");
            assert_eq!(request.revision, derived.revision, "{body}");
        }
        let declined = [
            r#"{"operations":["a\"b"]}"#,
            r#"{"operations":["a\u0041"]}"#,
            "{\"operations\":[\"a\nb\"]}",
            r#"{"operations":[{"operation":"get_events","include":["metric"]}]}"#,
            r#"{"operations":["a"],"operations":["b"]}"#,
            r#"{"operations":["a"],"extra":1}"#,
            r#"{"minimal":true}"#,
            r#"{"operations":["a"]} ,"#,
        ];
        for body in declined {
            assert!(read_plain(body).is_none(), "{body}");
        }
    }
}

//! Template pieces in paths copied from code (`${id}`, `{id}`, `#{id}`, `%s`,
//! `.format()`'s `{}`, `" + id + "`, `:id`, `<id>`, `{{ id }}`) rewritten as
//! one path parameter each, so a path from code resolves as the spec writes it.

use std::borrow::Cow;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

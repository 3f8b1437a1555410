//! Identifiers read as words, so that `PostAsJsonAsync`, `patch_request`
//! and `HTTP_GET` can be told by the words they hold.

/// The words of an identifier: `patch_request` → patch, request; `PostAsJsonAsync` → post, as, json, async.
pub(super) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_words() {
        assert_eq!(words("patch_request"), ["patch", "request"]);
        assert_eq!(words("PostAsJsonAsync"), ["post", "as", "json", "async"]);
        assert_eq!(words("doGet"), ["do", "get"]);
        assert_eq!(words("HTTP_GET"), ["http", "get"]);
        assert_eq!(words("getHTTPClient"), ["get", "http", "client"]);
        assert_eq!(words("$this"), ["this"]);
    }
}

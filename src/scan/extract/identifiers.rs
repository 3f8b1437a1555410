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

/// The name a call is made by: `apiRequest` for `apiRequest.call(this, …)`.
pub(super) fn callee_name(chain: &[String]) -> String {
    let mut names: Vec<&String> = chain.iter().collect();
    while names.len() > 1
        && matches!(
            names.last().map(|s| s.as_str()),
            Some("call" | "apply" | "bind")
        )
    {
        names.pop();
    }
    names
        .last()
        .map(|s| s.trim_end_matches("()").to_owned())
        .unwrap_or_default()
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

    #[test]
    fn callee_names_drop_call_and_apply() {
        let chain = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(callee_name(&chain(&["apiRequest", "call"])), "apiRequest");
        assert_eq!(callee_name(&chain(&["this", "request"])), "request");
        assert_eq!(callee_name(&chain(&["get_client()"])), "get_client");
    }
}

//! `include=` in a query string: read its values, and rewrite them (for a
//! suggestion that drops an include the operation does not take).

use percent_encoding::percent_decode_str;

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

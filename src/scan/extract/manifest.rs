//! Declarative clients: YAML or JSON manifests (a low-code connector's
//! `requester` with `url_base`, `path`, `http_method`, `request_parameters`)
//! whose base URL is Klaviyo's API. Each requester with a `path` is a call;
//! a path computed by a template (`{{ stream_slice.path }}`) is unresolved.

use serde_json::Value;

use crate::catalog::Method;
use crate::scan::model::{
    CallForm, FoundCall, MethodHint, PathCall, Site, UnresolvedCall, UnresolvedReason,
};
use crate::scan::{FileFindings, Language};

/// Keys that mark a mapping as an HTTP requester.
const REQUESTER_KEYS: &[&str] = &["http_method", "method", "url_base", "request_parameters"];

pub(crate) fn extract(path: &str, text: &str) -> FileFindings {
    let mut findings = FileFindings::default();
    if !text.contains("a.klaviyo.com") {
        return findings;
    }
    findings.names_klaviyo = true;
    let is_json = path.to_ascii_lowercase().ends_with(".json");
    let value: Option<Value> = if is_json {
        serde_json::from_str(text).ok()
    } else {
        serde_norway::from_str(text).ok()
    };
    let Some(value) = value else {
        return findings;
    };
    let mut reader = Reader {
        path,
        text,
        used_lines: Vec::new(),
        findings: &mut findings,
    };
    let base = find_base(&value).unwrap_or_default();
    reader.walk(&value, &base, None, false);
    findings
}

/// The first Klaviyo `url_base` / `base_url` / `url` in the document.
fn find_base(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => {
            for key in ["url_base", "base_url", "url"] {
                if let Some(Value::String(url)) = map.get(key) {
                    if url.contains("a.klaviyo.com") {
                        return Some(url.clone());
                    }
                }
            }
            map.values().find_map(find_base)
        }
        Value::Array(items) => items.iter().find_map(find_base),
        _ => None,
    }
}

struct Reader<'a> {
    path: &'a str,
    text: &'a str,
    used_lines: Vec<usize>,
    findings: &'a mut FileFindings,
}

impl Reader<'_> {
    fn walk(
        &mut self,
        value: &Value,
        base: &str,
        inherited_method: Option<&str>,
        under_requester: bool,
    ) {
        match value {
            Value::Object(map) => {
                let method = map
                    .get("http_method")
                    .or_else(|| map.get("method"))
                    .and_then(Value::as_str)
                    .or(inherited_method);
                let requester = under_requester
                    || REQUESTER_KEYS.iter().any(|key| map.contains_key(*key))
                    || map.get("type").and_then(Value::as_str) == Some("HttpRequester");
                if let (true, Some(Value::String(path))) = (requester, map.get("path")) {
                    let local_base = map.get("url_base").and_then(Value::as_str).unwrap_or(base);
                    if local_base.contains("a.klaviyo.com") {
                        let includes = map
                            .get("request_parameters")
                            .and_then(|params| params.get("include"))
                            .and_then(Value::as_str);
                        self.call(local_base, path, method.unwrap_or("GET"), includes);
                    }
                }
                if !map.contains_key("path") {
                    if let Some(url) = recorded_url(map) {
                        self.recorded(url, method);
                    }
                }
                for (key, child) in map {
                    if key != "path" {
                        self.walk(child, base, method, key == "requester");
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, base, inherited_method, false);
                }
            }
            _ => {}
        }
    }

    fn call(&mut self, base: &str, path: &str, method: &str, include: Option<&str>) {
        let (line, column) = self.line_of("path", path);
        let excerpt = crate::secret::redact(&format!("path: {path}")).into_owned();
        let templated = templated(path);
        let first = templated
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        let site = Site {
            file: self.path.to_owned(),
            line,
            column,
            language: Language::Manifest,
            excerpt,
        };
        if first.starts_with('{') || first.is_empty() {
            self.findings.unresolved.push(UnresolvedCall::at(
                site,
                UnresolvedReason::DynamicPath,
                format!(
                    "the manifest's path `{path}` is filled in at run time, so its operation is not known"
                ),
            ));
            return;
        }
        let base_path = base
            .split_once("a.klaviyo.com")
            .map(|(_, after)| after.trim_end_matches('/'))
            .unwrap_or_default();
        let full = if templated.starts_with("/api/") || templated.starts_with("api/") {
            format!("/{}", templated.trim_start_matches('/'))
        } else {
            format!("{base_path}/{}", templated.trim_start_matches('/'))
        };
        let mut input = format!("{} {full}", method.to_ascii_uppercase());
        if let Some(include) = include.filter(|i| !i.contains("{{")) {
            input = format!("{input}?include={include}");
        }
        self.findings
            .calls
            .push(FoundCall::at(site, CallForm::Manifest, input));
    }

    /// A request recorded in a test cassette, HAR-like log or API
    /// collection: a Klaviyo URL beside its method (the catalog decides a
    /// method that is not given).
    fn recorded(&mut self, url: &str, method: Option<&str>) {
        let Some(at) = url.find("a.klaviyo.com") else {
            return;
        };
        let rest = &url[at + "a.klaviyo.com".len()..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !(path.starts_with("/api/") || path.starts_with("/client/")) {
            return;
        }
        let includes: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == "include")
            .flat_map(|(_, value)| {
                value
                    .split(',')
                    .map(|v| v.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .filter(|v| !v.is_empty())
            .collect();
        let (line, column) = match self.line_of("url", url) {
            (1, 1) => self.line_of("", url),
            found => found,
        };
        let site = Site {
            file: self.path.to_owned(),
            line,
            column,
            language: Language::Manifest,
            excerpt: crate::secret::redact(&format!("url: {url}")).into_owned(),
        };
        self.findings.path_calls.push(PathCall {
            site,
            form: CallForm::Manifest,
            path: path.to_owned(),
            relative: false,
            on_host: true,
            tied: true,
            same_origin: false,
            after_base: false,
            base: None,
            includes,
            method: match method.and_then(Method::parse) {
                Some(method) => MethodHint::Known(method),
                None => MethodHint::Absent,
            },
            callee: None,
            arg_methods: Vec::new(),
            arg_index: None,
            weak: false,
            constant: None,
            standalone: true,
        });
    }

    /// The first line not yet used that holds the key with this value,
    /// and the column of the key (both from 1).
    fn line_of(&mut self, key: &str, path: &str) -> (usize, usize) {
        for (index, line) in self.text.lines().enumerate() {
            if self.used_lines.contains(&index) {
                continue;
            }
            if let Some(at) = line.find(key).filter(|_| line.contains(path)) {
                self.used_lines.push(index);
                return (index + 1, line[..at].chars().count() + 1);
            }
        }
        (1, 1)
    }
}

/// The URL of a recorded request: `url`/`uri`, or Postman's `url.raw`.
fn recorded_url(map: &serde_json::Map<String, Value>) -> Option<&str> {
    ["url", "uri", "request_url"]
        .iter()
        .find_map(|key| match map.get(*key)? {
            Value::String(url) => Some(url.as_str()),
            Value::Object(parts) => parts.get("raw")?.as_str(),
            _ => None,
        })
        .filter(|url| url.contains("a.klaviyo.com/api/") || url.contains("a.klaviyo.com/client/"))
}

/// `{{ stream_partition.id }}` → `{id}`.
fn templated(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = after[..end].trim();
        let name: String = expr
            .rsplit(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .find(|part| !part.is_empty())
            .unwrap_or("id")
            .to_owned();
        out.push('{');
        out.push_str(&name);
        out.push('}');
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_manifest_with_methods_and_includes() {
        let text = r#"{
  "requester": {"url_base": "https://a.klaviyo.com/api/", "http_method": "POST", "path": "lists"},
  "streams": [
    {"retriever": {"requester": {"path": "/api/events", "http_method": "GET",
      "request_parameters": {"include": "metric,profile"}}}}
  ]
}"#;
        let found = extract("connector/manifest.json", text);
        let calls: Vec<(&str, usize)> = found
            .calls
            .iter()
            .map(|c| (c.input.as_str(), c.line))
            .collect();
        assert_eq!(
            calls,
            [
                ("POST /api/lists", 2),
                ("GET /api/events?include=metric,profile", 4)
            ]
        );
        assert!(found.unresolved.is_empty());
    }

    #[test]
    fn files_without_a_klaviyo_base_are_not_manifests() {
        let text = "requester:\n  url_base: https://api.example.com\n  path: profiles\n  http_method: GET\n";
        assert!(extract("m.yaml", text).calls.is_empty());
        assert_eq!(
            templated("lists/{{ stream_partition.parent_id }}/profiles"),
            "lists/{parent_id}/profiles"
        );
    }
}

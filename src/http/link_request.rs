//! What a link request holds: the `POST /v1/links` body and the query
//! parameters of `GET /v1/links` and `GET /go`, with their schemas.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{flag, non_empty};
use crate::resolve::InputItem;

/// The operations to build a link for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "operations": ["GET /api/profiles/{id}?include=lists", "klaviyo.Lists.create_list", {"operation": "get_events", "include": ["metric"]}],
    "minimal": false
}))]
pub struct LinksRequest {
    /// Inputs in any accepted form: `METHOD /api/path`, a URL on a.klaviyo.com,
    /// an operationId, alias or SDK method name, or `{"operation", "include"}`.
    /// At most `SCOPELINK_MAX_OPERATIONS` (default 256).
    #[schema(min_items = 1)]
    #[serde(deserialize_with = "non_empty::items")]
    pub operations: Vec<InputItem>,
    /// Exactly the spec's scopes, without `x:read` added for each `x:write`.
    #[serde(default)]
    pub minimal: bool,
    /// Answer 200 with the link for the inputs that resolved, plus `errors`.
    #[serde(default)]
    pub partial: bool,
    /// The Klaviyo revision to answer from (`2026-07-15`, `2026-07-15.pre`);
    /// default: the newest stable one loaded.
    #[schema(example = "2026-07-15")]
    pub revision: Option<String>,
}

impl LinksRequest {
    /// Reads a body as `serde_json::from_slice` does, values and errors
    /// alike, but a body that is UTF-8 (any body that reads) is checked as
    /// UTF-8 once, not string by string.
    pub fn from_json(body: &[u8]) -> Result<LinksRequest, serde_json::Error> {
        match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        }
    }
}

/// Query parameters of `GET /v1/links`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// An input, in any accepted text form; repeat for more.
    #[param(rename = "op", required = true, example = json!(["get_profiles"]), min_items = 1, explode = true, style = Form)]
    #[serde(default, deserialize_with = "non_empty::texts")]
    pub op: Vec<String>,
    /// `true` for exactly the spec's scopes.
    #[serde(default, deserialize_with = "flag::minimal")]
    pub minimal: Option<bool>,
    /// `true` to answer with the inputs that resolved (`GET /v1/links` only).
    #[serde(default, deserialize_with = "flag::partial")]
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// Query parameters of `GET /go`: those of `GET /v1/links`, and any other
/// (`utm_source`…) is ignored, so that a tracked docs link still works.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoQuery {
    /// An input, in any accepted text form; repeat for more.
    #[param(rename = "op", required = true, example = json!(["get_profiles"]), min_items = 1, explode = true, style = Form)]
    #[serde(default, deserialize_with = "non_empty::texts")]
    pub op: Vec<String>,
    /// `true` for exactly the spec's scopes.
    #[serde(default, deserialize_with = "flag::minimal")]
    pub minimal: Option<bool>,
    /// `true` to answer with the inputs that resolved (`GET /v1/links` only).
    // Read so that `/go` takes any link `GET /v1/links` takes; `/go` has no partial answer.
    #[allow(dead_code)]
    #[serde(default, deserialize_with = "flag::partial")]
    pub partial: Option<bool>,
    /// The Klaviyo revision to answer from; default: the newest stable one loaded.
    #[param(example = "2026-07-15")]
    pub revision: Option<String>,
}

/// Text inputs as items.
pub(super) fn items(ops: &[String]) -> Vec<InputItem> {
    ops.iter().map(|op| InputItem::Text(op.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_read_as_from_slice_reads_them() {
        let bodies = [
            r#"{"operations":["get_profiles","GET /api/lists?include=tags","\u00e9\"\n"]}"#,
            r#"{"operations":["get_profiles",{"operation":"get_events","include":["metric"]}],"minimal":true}"#,
            r#"{"operations":[],"partial":true,"revision":"2026-07-15"}"#,
            r#"{"operations":[1]}"#,
            r#"{"operations":[null,"a"]}"#,
            r#"{"operations":[{"operation":"x","extra":1}]}"#,
            r#"{"operations":["a"],"unknown":1}"#,
            r#"{"operations":["a"],"minimal":"yes"}"#,
            r#"{"operations":"a"}"#,
            r#"{"minimal":true}"#,
            r#"{"operations":["a"],"operations":["b"]}"#,
            r#"{"operations":["a"]"#,
            r#"[]"#,
            "",
            "{\"operations\": [\"GET /api/profiles/{id}?include=lists\", \"get_events\"], \"minimal\": false}",
            " \t\r\n{ \"operations\" :\n[ \"a\" ,\"b\" ] , \"partial\" : true , \"revision\" : null } \n",
            r#"{"revision":"2026-07-15.pre","minimal":true,"partial":false,"operations":["a"]}"#,
            r#"{"operations":[],"revision":""}"#,
            r#"{"operations":["a\/b","\\"]}"#,
            "{\"operations\":[\"a\tb\"]}",
            r#"{"operat\u0069ons":["a"]}"#,
            r#"{"operations":["a"],"minimal":true,"minimal":false}"#,
            r#"{"operations":["a"],"revision":"x","revision":"y"}"#,
            r#"{"operations":["a"],"minimal":null}"#,
            r#"{"operations":["a"],"minimal":truex}"#,
            r#"{"operations":["a"],"minimal":tru}"#,
            r#"{"operations":["a"],"revision":nul}"#,
            r#"{"operations":["a"],"revision":7}"#,
            r#"{"operations":["a",]}"#,
            r#"{"operations":[,"a"]}"#,
            r#"{"operations":["a"],}"#,
            r#"{"operations":["a"]}x"#,
            r#"{"operations":["a"]}}"#,
            r#"{"operations":["a" "b"]}"#,
            r#"{"operations":["a"] "minimal":true}"#,
            r#"{"operations":["unterminated]}"#,
            r#"{"operations":["é☃"],"revision":"é"}"#,
            r#"{}"#,
            r#"{"#,
            r#"{"operations":["#,
        ];
        // Bodies that are not UTF-8 are read by `from_slice` itself.
        let not_utf8: [&[u8]; 3] = [
            b"{\"operations\":[\"\xff\"]}",
            b"{\"operations\":[\"get_profiles\"],\"revision\":\"\xc3\"}",
            b"\xef\xbb\xbf{\"operations\":[\"a\"]}\xff",
        ];
        for body in bodies.iter().map(|body| body.as_bytes()).chain(not_utf8) {
            let read = LinksRequest::from_json(body).map_err(|e| e.to_string());
            let sliced = serde_json::from_slice::<LinksRequest>(body).map_err(|e| e.to_string());
            let body = String::from_utf8_lossy(body);
            match (read, sliced) {
                (Ok(read), Ok(sliced)) => {
                    assert_eq!(read.operations, sliced.operations, "{body}");
                    assert_eq!(
                        (read.minimal, read.partial, read.revision),
                        (sliced.minimal, sliced.partial, sliced.revision),
                        "{body}"
                    );
                }
                (read, sliced) => assert_eq!(read.err(), sliced.err(), "{body}"),
            }
        }
    }
}

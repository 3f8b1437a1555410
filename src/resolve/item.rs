//! One input item as a caller writes it (a string in any accepted form, or an
//! operation with includes), and how JSON reads it.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::secret;

// It reads as `#[serde(untagged)]` would, values and error messages alike
// (`untagged::InputItem` is that derive), but a string, nearly every input,
// is read straight into `Text`: the derive buffers each item first, which
// cost a request of 100 inputs 8% (`scripts/cost.sh`).
/// One input item: a string in any accepted form, or an operation with includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum InputItem {
    /// `GET /api/profiles/{id}?include=lists`, a URL on a.klaviyo.com, an
    /// operationId, alias or SDK method name.
    #[schema(example = "GET /api/profiles/{id}?include=lists")]
    Text(String),
    Structured(StructuredInput),
}

/// An operation in any accepted form, with `include` values given apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StructuredInput {
    #[schema(example = "get_profile")]
    pub operation: String,
    #[serde(default)]
    #[schema(example = json!(["lists"]))]
    pub include: Vec<String>,
}

/// Whether an input's text holds something key-like (`pk_…`). Such an
/// input is refused, and never echoed: not in an answer, not in a URL. The
/// one statement of that rule, which every front end reads.
pub fn is_key_like_text(text: &str) -> bool {
    secret::contains_private_key(text)
}

impl InputItem {
    /// Whether any of the item's texts is key-like ([`is_key_like_text`]).
    pub fn is_key_like(&self) -> bool {
        self.any_text(is_key_like_text)
    }

    /// The operation text of the item.
    pub fn operation_text(&self) -> &str {
        match self {
            InputItem::Text(text) => text,
            InputItem::Structured(item) => &item.operation,
        }
    }

    /// Every string the item holds, for secret checks and size limits.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let includes = match self {
            InputItem::Text(_) => &[][..],
            InputItem::Structured(item) => &item.include[..],
        };
        std::iter::once(self.operation_text()).chain(includes.iter().map(String::as_str))
    }

    /// The one text of an item that is only an operation: a string, or an
    /// operation with no include.
    pub fn sole_text(&self) -> Option<&str> {
        match self {
            InputItem::Text(text) => Some(text),
            InputItem::Structured(item) if item.include.is_empty() => Some(&item.operation),
            InputItem::Structured(_) => None,
        }
    }

    /// Whether any of [`InputItem::texts`] satisfies `test`: the same, without
    /// the iterator (this runs several times for every input).
    pub fn any_text(&self, mut test: impl FnMut(&str) -> bool) -> bool {
        match self {
            InputItem::Text(text) => test(text),
            InputItem::Structured(item) => {
                test(&item.operation) || item.include.iter().any(|value| test(value))
            }
        }
    }

    /// The item with anything key-like blanked out, safe to echo and log.
    pub fn redacted(&self) -> InputItem {
        match self {
            InputItem::Text(text) => InputItem::Text(secret::redact(text).into_owned()),
            InputItem::Structured(item) => InputItem::Structured(StructuredInput {
                operation: secret::redact(&item.operation).into_owned(),
                include: item
                    .include
                    .iter()
                    .map(|value| secret::redact(value).into_owned())
                    .collect(),
            }),
        }
    }

    /// The item with its operation text replaced, includes kept.
    pub(super) fn with_operation(&self, operation: String) -> InputItem {
        match self {
            InputItem::Text(_) => InputItem::Text(operation),
            InputItem::Structured(item) => InputItem::Structured(StructuredInput {
                operation,
                include: item.include.clone(),
            }),
        }
    }
}

impl<'de> Deserialize<'de> for InputItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<InputItem, D::Error> {
        // The derive's mismatch is raised here, after the value is read, as
        // the derive raises it: a reader that marks errors with a position
        // (serde_json) marks it where the derive's is marked.
        deserializer
            .deserialize_any(InputItemVisitor)?
            .map_err(|NoVariant| de::Error::custom(NO_VARIANT))
    }
}

/// The derived untagged reading, for what is not a string.
mod untagged {
    use serde::Deserialize;

    use super::StructuredInput;

    /// Named as the type it reads for, so that its error message names it.
    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum InputItem {
        Text(String),
        Structured(StructuredInput),
    }

    impl From<InputItem> for super::InputItem {
        fn from(item: InputItem) -> super::InputItem {
            match item {
                InputItem::Text(text) => super::InputItem::Text(text),
                InputItem::Structured(input) => super::InputItem::Structured(input),
            }
        }
    }
}

/// What `#[serde(untagged)]` says of a value that is no variant.
const NO_VARIANT: &str = "data did not match any variant of untagged enum InputItem";

/// A value read whole that is no variant of [`InputItem`].
struct NoVariant;

/// Reads a string as `Text`; a map or a sequence by the untagged derive;
/// anything else is [`NoVariant`].
struct InputItemVisitor;

impl InputItemVisitor {
    /// The untagged derive's reading of a map or sequence: the item, a
    /// [`NoVariant`] (the value was read whole and matched neither variant),
    /// or an error in reading the value itself, passed on.
    fn derived<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Result<InputItem, NoVariant>, D::Error> {
        match untagged::InputItem::deserialize(deserializer) {
            Ok(item) => Ok(Ok(item.into())),
            Err(error) if error.to_string() == NO_VARIANT => Ok(Err(NoVariant)),
            Err(error) => Err(error),
        }
    }
}

impl<'de> Visitor<'de> for InputItemVisitor {
    type Value = Result<InputItem, NoVariant>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a string or an object with `operation` and `include`")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Ok(InputItem::Text(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Ok(InputItem::Text(text)))
    }

    fn visit_char<E: de::Error>(self, c: char) -> Result<Self::Value, E> {
        Ok(Ok(InputItem::Text(c.to_string())))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        Ok(std::str::from_utf8(bytes)
            .map(|text| InputItem::Text(text.to_owned()))
            .map_err(|_| NoVariant))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Self::derived(de::value::MapAccessDeserializer::new(map))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::derived(de::value::SeqAccessDeserializer::new(seq))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err(NoVariant))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err(NoVariant))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err(NoVariant))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err(NoVariant))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(NoVariant))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(NoVariant))
    }
}

impl From<&str> for InputItem {
    fn from(text: &str) -> InputItem {
        InputItem::Text(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists of items, and the documents around them, read by the
    /// untagged derive and by `InputItem`'s own reading: the same values,
    /// or the same error at the same place.
    #[test]
    fn items_read_as_the_untagged_derive_reads_them() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body<T> {
            operations: Vec<T>,
            #[serde(default)]
            minimal: bool,
        }
        let bodies = [
            r#"{"operations":["get_profiles","GET /api/lists?include=tags","\u00e9\"\n"]}"#,
            r#"{"operations":["get_profiles",{"operation":"get_events","include":["metric"]}],"minimal":true}"#,
            r#"{"operations":[{"operation":"get_events"}]}"#,
            r#"{"operations":[{"include":["metric"],"operation":"get_events"}]}"#,
            r#"{"operations":[]}"#,
            r#"{"operations":[1]}"#,
            r#"{"operations":["a",-1.5e3]}"#,
            r#"{"operations":[null,"a"]}"#,
            r#"{"operations":[true]}"#,
            r#"{"operations":[["a"]]}"#,
            r#"{"operations":[[]]}"#,
            r#"{"operations":[{}]}"#,
            r#"{"operations":[{"operation":"x","extra":1}]}"#,
            r#"{"operations":[{"operation":1}]}"#,
            r#"{"operations":[{"operation":"x","include":"metric"}]}"#,
            r#"{"operations":[{"operation":"x","operation":"y"}]}"#,
            r#"{"operations":[{"operation":"x",}]}"#,
            r#"{"operations":[{"operation":"x"]}"#,
            r#"{"operations":[{"operation":"x"} ,  "b"]}"#,
            r#"{"operations":["a\/b","\\", "a\u0041"]}"#,
            "{\"operations\":[\"a\tb\"]}",
            "{\"operations\":[\"a\nb\"]}",
            r#"{"operations":["a",]}"#,
            r#"{"operations":[,"a"]}"#,
            r#"{"operations":["unterminated]}"#,
            r#"{"operations":["\ud800"]}"#,
            r#"{"operations":["é☃"],"minimal":1}"#,
            r#"{"operations":"a"}"#,
        ];
        let not_utf8: [&[u8]; 2] = [
            b"{\"operations\":[\"\xff\"]}",
            b"{\"operations\":[{\"operation\":\"\xc3\"}]}",
        ];
        let shown = |result: Result<Vec<InputItem>, String>| format!("{result:?}");
        for body in bodies.iter().map(|body| body.as_bytes()).chain(not_utf8) {
            let derived = serde_json::from_slice::<Body<untagged::InputItem>>(body)
                .map(|body| body.operations.into_iter().map(InputItem::from).collect())
                .map_err(|e| e.to_string());
            let own = serde_json::from_slice::<Body<InputItem>>(body)
                .map(|body| body.operations)
                .map_err(|e| e.to_string());
            let text = String::from_utf8_lossy(body);
            assert_eq!(shown(own), shown(derived), "{text}");
            // From a `serde_json::Value`, as the MCP tools read their arguments.
            if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
                let derived = serde_json::from_value::<Body<untagged::InputItem>>(value.clone())
                    .map(|body| body.operations.into_iter().map(InputItem::from).collect())
                    .map_err(|e| e.to_string());
                let own = serde_json::from_value::<Body<InputItem>>(value)
                    .map(|body| body.operations)
                    .map_err(|e| e.to_string());
                assert_eq!(shown(own), shown(derived), "{text}");
            }
        }
    }

    #[test]
    fn any_text_tests_what_texts_yields() {
        let items = [
            InputItem::from("get_profiles"),
            InputItem::Structured(StructuredInput {
                operation: "get_events".to_owned(),
                include: vec!["metric".to_owned(), "pk_x".to_owned()],
            }),
            InputItem::Structured(StructuredInput {
                operation: "pk_y".to_owned(),
                include: Vec::new(),
            }),
        ];
        let tests: [fn(&str) -> bool; 3] = [
            |text| text.starts_with("pk_"),
            |text| text.len() > 10,
            |text| text == "metric",
        ];
        for item in &items {
            for test in tests {
                assert_eq!(item.any_text(test), item.texts().any(test), "{item:?}");
            }
        }
    }
}

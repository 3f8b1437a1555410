//! JSON Schemas for the MCP tools' outputs, from the same `utoipa` schemas the
//! JSON API publishes in `/openapi.json`, so a tool's `outputSchema` and the
//! API's response schema describe one type one way and cannot drift apart.
//!
//! The core types derive `utoipa::ToSchema` only; [`utoipa_schema`] is a
//! `#[schemars(schema_with = …)]` function that turns such a schema into a
//! `schemars` one, moving every referenced component into the generator's
//! `$defs` and rewriting `#/components/schemas/X` references to match.

use schemars::{Schema, SchemaGenerator};
use serde_json::Value;

const OPENAPI_REFS: &str = "#/components/schemas/";

/// The `schemars` schema of a type that derives `utoipa::ToSchema`.
pub fn utoipa_schema<T: utoipa::ToSchema>(generator: &mut SchemaGenerator) -> Schema {
    let defs = generator
        .settings()
        .definitions_path
        .trim_start_matches('#')
        .trim_end_matches('/')
        .to_owned();
    let prefix = format!("#{defs}/");
    let mut components = Vec::new();
    T::schemas(&mut components);
    for (name, schema) in components {
        let mut value = to_json(&schema);
        rewrite_refs(&mut value, &prefix);
        generator.definitions_mut().entry(name).or_insert(value);
    }
    let mut value = to_json(&T::schema());
    rewrite_refs(&mut value, &prefix);
    // utoipa writes a struct with a `#[serde(flatten)]` field as an `allOf`
    // of objects without a `type`, and an untagged enum of objects as a
    // `oneOf`; MCP wants an output schema's root to say `"type": "object"`,
    // and each is one.
    if let Some(object) = value.as_object_mut() {
        let composed = ["allOf", "oneOf"]
            .iter()
            .any(|key| object.contains_key(*key));
        if composed && !object.contains_key("type") {
            object.insert("type".to_owned(), Value::from("object"));
        }
    }
    Schema::try_from(value).unwrap_or_default()
}

fn to_json(schema: &impl serde::Serialize) -> Value {
    // A utoipa schema has string keys only; serialising it cannot fail.
    serde_json::to_value(schema).unwrap_or(Value::Bool(true))
}

/// Points every OpenAPI component reference at the generator's definitions.
fn rewrite_refs(value: &mut Value, prefix: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = target.strip_prefix(OPENAPI_REFS) {
                            *target = format!("{prefix}{name}");
                        }
                    }
                    _ => rewrite_refs(child, prefix),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_refs(item, prefix)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::LinkReport;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Wrapper {
        #[schemars(schema_with = "utoipa_schema::<LinkReport>")]
        report: LinkReport,
    }

    #[test]
    fn every_reference_resolves_inside_the_root_schema() {
        let schema = schemars::generate::SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<Wrapper>();
        let value = serde_json::to_value(&schema).unwrap();
        let text = value.to_string();
        assert!(!text.contains("#/components/"), "{text}");
        let defs = value["$defs"].as_object().expect("$defs");
        for name in ["ScopeExplanation", "ItemError", "Suggestion", "CatalogInfo"] {
            assert!(defs.contains_key(name), "{name} missing from {defs:?}");
        }
        let mut refs = Vec::new();
        collect_refs(&value, &mut refs);
        assert!(!refs.is_empty());
        for target in refs {
            let name = target.strip_prefix("#/$defs/").expect("a $defs reference");
            assert!(defs.contains_key(name), "dangling {target}");
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match child {
                        Value::String(target) if key == "$ref" => out.push(target.clone()),
                        _ => collect_refs(child, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
            _ => {}
        }
    }
}

//! What the catalog renders once when it loads, for every answer to copy:
//! its identity ([`CatalogInfo`]), each operation's shared texts and the JSON
//! fragments the answer writer (`link::json`) puts together.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    Catalog, CatalogOrigin, CatalogSource, Operation, ScopeId, ScopeIds, SharedList, SharedStr,
};
use crate::scope::Scope;

/// Which catalog answered.
// Built once per catalog and revision (`Catalog::info`), so that an answer
// holds it for three reference counts, and its JSON is written when built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CatalogInfo {
    /// The Klaviyo revision that answered, e.g. `2026-07-15` or `2026-07-15.pre`.
    #[schema(value_type = String, example = "2026-07-15")]
    revision: SharedStr,
    #[schema(value_type = String, example = "embedded")]
    origin: CatalogOrigin,
    #[schema(value_type = Vec<Object>)]
    sources: SharedList<CatalogSource>,
    /// The three fields above as `serde_json` writes them.
    #[serde(skip)]
    json: SharedStr,
}

impl CatalogInfo {
    pub fn new(revision: &str, origin: CatalogOrigin, sources: &[CatalogSource]) -> CatalogInfo {
        let mut info = CatalogInfo {
            revision: SharedStr::from(revision),
            origin,
            sources: SharedList::from(sources),
            json: SharedStr::from(""),
        };
        let json = serde_json::to_string(&info).expect("catalog information always serialises");
        info.json = SharedStr::from(json.as_str());
        info
    }

    /// The catalog, answering as its beta revision when `prefer_beta`.
    pub fn of(catalog: &Catalog, prefer_beta: bool) -> CatalogInfo {
        catalog.info(prefer_beta).clone()
    }

    pub fn revision(&self) -> &str {
        &self.revision
    }

    pub fn origin(&self) -> &CatalogOrigin {
        &self.origin
    }

    pub fn sources(&self) -> &[CatalogSource] {
        &self.sources
    }

    /// The information as compact JSON, byte for byte what `serde_json` writes.
    pub fn json(&self) -> &str {
        &self.json
    }
}

/// An include value's texts, shared (see [`SharedText::includes`]).
#[derive(Debug, Clone)]
pub struct SharedInclude {
    pub value: SharedStr,
    pub evidence: SharedList,
    /// The ids of the value's extra scopes, in the rule's order.
    pub scope_ids: Box<[ScopeId]>,
    /// An explanation's entry for what the value needs, after its `index`:
    /// `,"operation_id":…,"kind":"include","value":…,"evidence":[…]}`.
    pub json_need: SharedStr,
    /// What an input of the operation with this include alone needs
    /// ([`Operation::scopes_with_includes`] of it).
    pub scopes_with_operation: SharedList<Scope>,
    /// The rest of an `operations` entry with this include alone, after its
    /// `matched_by`: `,"includes":[…],"scopes":[…],…,"client":…}`.
    pub json_rest: SharedStr,
}

/// An operation's texts, shared: every answer that names the operation holds
/// these, so that it costs a reference count instead of four allocations;
/// and the ids of its scopes, which the resolver groups by.
#[derive(Debug, Clone)]
pub struct SharedText {
    pub operation_id: SharedStr,
    pub path: SharedStr,
    pub tag: SharedStr,
    pub summary: SharedStr,
    /// `METHOD /path`, as [`Operation::endpoint`] writes it.
    pub endpoint: SharedStr,
    /// [`SharedText::endpoint`] and the operationId as an answer echoes an
    /// input that is one of them.
    pub endpoint_input: Arc<CatalogInput>,
    pub operation_id_input: Arc<CatalogInput>,
    /// `"operation_id":…,"method":…,"path":…,"tag":…,"summary":…` as
    /// `serde_json` writes them: the part of an answer's `operations` entry
    /// that never changes, rendered once when the catalog loads and copied
    /// into each answer whole (`link::json`).
    pub json_fields: SharedStr,
    /// The rest of an `operations` entry with no include, after its
    /// `matched_by`: `,"includes":[],"scopes":[…],…,"client":…}`.
    pub json_rest_without_includes: SharedStr,
    /// An explanation's entry for what the operation needs, after its
    /// `index`: `,"operation_id":…,"kind":"operation"}`.
    pub json_need: SharedStr,
    /// The operation's include values' texts, in the order of its `includes`.
    pub includes: Box<[SharedInclude]>,
    /// The ids of the operation's `x-klaviyo-scopes`, in the spec's order.
    pub scope_ids: Box<[ScopeId]>,
    /// What an input of the operation with no include needs
    /// ([`Operation::scopes_with_includes`] of none).
    pub scopes_without_includes: SharedList<Scope>,
}

/// A text an input can be written as that the catalog writes itself (an
/// endpoint or an operationId), rendered once for the answers that echo it.
#[derive(Debug, PartialEq, Eq)]
pub struct CatalogInput {
    /// The text as a JSON string, as `serde_json` writes it.
    pub json: Box<str>,
    /// The text form-encoded, as the `/go` and page URLs hold it.
    pub form_encoded: Box<str>,
}

impl CatalogInput {
    fn of(text: &str) -> CatalogInput {
        let mut form_encoded = Vec::with_capacity(3 * text.len());
        crate::form_text::form_encode(text, &mut form_encoded);
        let form_encoded = String::from_utf8(form_encoded).expect("form-encoding writes ASCII");
        CatalogInput {
            json: serde_json::to_string(text)
                .expect("a string always serialises")
                .into_boxed_str(),
            form_encoded: form_encoded.into_boxed_str(),
        }
    }
}

/// Any value as `serde_json` writes it.
fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("JSON into a Vec cannot fail");
}

/// A list of strings as `serde_json` writes it.
fn json_list<T: Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).expect("strings always serialise")
}

impl SharedText {
    pub(super) fn of(operation: &Operation, ids: &ScopeIds) -> SharedText {
        let string = |text: &str| serde_json::to_string(text).expect("a string always serialises");
        let json_fields = format!(
            "\"operation_id\":{},\"method\":\"{}\",\"path\":{},\"tag\":{},\"summary\":{}",
            string(&operation.operation_id),
            operation.method.as_str(),
            string(&operation.path),
            string(&operation.tag),
            string(&operation.summary),
        );
        let json_rest = |includes: &[String]| {
            let mut rest = Vec::new();
            operation.write_json_rest(includes, &mut rest);
            SharedStr::from(std::str::from_utf8(&rest).expect("serde_json writes UTF-8"))
        };
        let need_of = |kind: &str| {
            format!(
                ",\"operation_id\":{},\"kind\":\"{kind}\"",
                string(&operation.operation_id)
            )
        };
        let endpoint = operation.endpoint();
        SharedText {
            endpoint_input: Arc::new(CatalogInput::of(&endpoint)),
            operation_id_input: Arc::new(CatalogInput::of(&operation.operation_id)),
            endpoint: SharedStr::from(endpoint.as_str()),
            operation_id: SharedStr::from(operation.operation_id.as_str()),
            path: SharedStr::from(operation.path.as_str()),
            tag: SharedStr::from(operation.tag.as_str()),
            summary: SharedStr::from(operation.summary.as_str()),
            json_fields: SharedStr::from(json_fields.as_str()),
            json_rest_without_includes: json_rest(&[]),
            json_need: SharedStr::from(format!("{}}}", need_of("operation")).as_str()),
            includes: operation
                .includes
                .iter()
                .map(|rule| SharedInclude {
                    value: SharedStr::from(rule.value.as_str()),
                    evidence: SharedList::from(rule.evidence.as_slice()),
                    scope_ids: ids.ids_of(&rule.extra_scopes),
                    json_need: SharedStr::from(
                        format!(
                            "{},\"value\":{},\"evidence\":{}}}",
                            need_of("include"),
                            string(&rule.value),
                            json_list(&rule.evidence)
                        )
                        .as_str(),
                    ),
                    scopes_with_operation: SharedList::from(
                        operation.scopes_with_includes(std::slice::from_ref(&rule.value)),
                    ),
                    json_rest: json_rest(std::slice::from_ref(&rule.value)),
                })
                .collect(),
            scope_ids: ids.ids_of(&operation.scopes),
            scopes_without_includes: SharedList::from(operation.scopes_with_includes(&[])),
        }
    }
}

impl Operation {
    /// What follows `matched_by` in an answer's `operations` entry for an
    /// input of the operation with these includes, as `serde_json` writes
    /// it: `,"includes":[…],"scopes":[…],…,"client":…}`. The catalog renders
    /// it once for no include and for each include alone
    /// ([`SharedText::json_rest_without_includes`], [`SharedInclude::json_rest`]);
    /// answers write it for more.
    pub fn write_json_rest(&self, includes: &[String], out: &mut Vec<u8>) {
        out.extend_from_slice(b",\"includes\":");
        write_json(out, includes);
        out.extend_from_slice(b",\"scopes\":");
        write_json(out, &self.scopes_with_includes(includes));
        if let Some(revision) = &self.beta_revision {
            out.extend_from_slice(b",\"beta_revision\":");
            write_json(out, revision);
        }
        out.extend_from_slice(if self.client {
            b",\"client\":true}"
        } else {
            b",\"client\":false}"
        });
    }
}

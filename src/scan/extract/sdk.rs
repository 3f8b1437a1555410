//! Klaviyo's official SDKs, traced to their clients: a client made by its
//! constructor (`KlaviyoAPI(key)`, `new ProfilesApi(session)`), declared by
//! type, imported (`import { Profiles } from 'klaviyo-api'`), returned by a
//! function of the file (`def get_client() -> KlaviyoAPI`), or passed in
//! untyped with the SDK's two-level shape (`client.Profiles.get_profiles`).
//! A method is a call where it is called and where it is passed around
//! (`partial(client.Flows.get_flows, …)`). Clients of the old, retired SDKs
//! (`klaviyo.Klaviyo(…)`, `new Klaviyo(…)` of `klaviyo/php-sdk`,
//! `Klaviyo::Lists`) give retired calls.

use tree_sitter::Node;

use super::bindings::Sdk;
use super::engine::Engine;
use super::position::Visit;
use super::{text, Call};
use crate::scan::model::{CallForm, RetiredSdkCall, UnresolvedReason};
use crate::scan::Language;

/// A namespace a method is called on.
struct Namespace {
    name: String,
    /// Traced to the SDK (not only shaped like it).
    traced: bool,
    legacy: bool,
}

impl<'t> Engine<'_, 't> {
    /// A client's kind from its type: `KlaviyoAPI`, `ProfilesApi`, `Klaviyo` of an old SDK.
    pub(super) fn sdk_of_type(&self, type_name: &str) -> Option<Sdk> {
        let name = type_name
            .trim_start_matches('?')
            .rsplit(['\\', '.', ':'])
            .next()
            .unwrap_or(type_name)
            .trim();
        if name == "KlaviyoAPI" {
            return Some(Sdk::Root);
        }
        if matches!(name, "Klaviyo" | "Client") && self.uses_legacy_sdk() {
            return Some(Sdk::LegacyRoot);
        }
        match name.strip_suffix("Api") {
            Some(stem) if is_pascal(stem) => Some(Sdk::Api(name.to_owned())),
            _ => None,
        }
    }

    /// `KlaviyoAPI(...)`, `new ProfilesApi(...)`, `klaviyo.Profiles`,
    /// `KlaviyoAPI::Profiles`, or a call of a function that returns a client.
    pub(super) fn sdk_of_value(&self, value: Node<'t>) -> Option<Sdk> {
        self.syntax.sdk_input("X", "y")?;
        if let Some(call) = self.syntax.call(value, self.src) {
            if let Some(kind) = self.sdk_of_type(&call.name) {
                return Some(kind);
            }
            return self.sdk.get(&format!("{}()", call.name)).cloned();
        }
        let chain = self.syntax.chain(value, self.src)?;
        if let [single] = chain.as_slice() {
            return self.sdk.get(single).cloned();
        }
        self.namespace_of(&chain).map(|ns| Sdk::Api(ns.name))
    }

    /// A function that returns a client (by its return type or a returned
    /// constructor) makes `name()` a client too.
    pub(super) fn learn_factory(&mut self, visit: Visit<'t>) {
        if !self.syntax.is_function(visit.node.kind()) || self.syntax.sdk_input("X", "y").is_none()
        {
            return;
        }
        let Some(name) = self.function_names.get(&visit.node.id()).cloned() else {
            return;
        };
        let declared = self
            .syntax
            .return_type(visit.node, self.src)
            .and_then(|t| self.sdk_of_type(&t));
        let returned = || {
            self.returns
                .get(&name)?
                .iter()
                .find_map(|(_, value)| self.sdk_of_value(*value))
        };
        if let Some(kind) = declared.or_else(returned) {
            self.sdk.insert(format!("{name}()"), kind);
        }
    }

    /// The old SDKs are imported under their own names (read once per file).
    fn uses_legacy_sdk(&self) -> bool {
        *self.legacy_sdk.get_or_init(|| self.imports_legacy_sdk())
    }

    fn imports_legacy_sdk(&self) -> bool {
        let src = self.src;
        match self.syntax.language() {
            Language::Python => {
                src.contains("import klaviyo\n")
                    || src.contains("import klaviyo ")
                    || src.contains("from klaviyo import Klaviyo")
                    || src.contains("klaviyo_sdk")
            }
            Language::Php => src.contains("Klaviyo\\Klaviyo") || src.contains("Klaviyo\\Client"),
            Language::JavaScript | Language::TypeScript => {
                src.contains("node-klaviyo") || src.contains("klaviyo-sdk")
            }
            _ => false,
        }
    }

    /// The SDK namespace a receiver chain is.
    fn namespace_of(&self, receiver: &[String]) -> Option<Namespace> {
        let last = receiver.last()?;
        let n = receiver.len();
        let new = |name: &str, traced: bool| Namespace {
            name: name.to_owned(),
            traced,
            legacy: false,
        };
        if n >= 2 && receiver[n - 2] == "KlaviyoAPI" && is_pascal(last) {
            return Some(new(last, true));
        }
        if n >= 2 && receiver[n - 2] == "Klaviyo" && receiver[0] == "Klaviyo" && is_pascal(last) {
            // Ruby's old gems: `Klaviyo::Lists.get_lists`.
            return Some(Namespace {
                name: last.clone(),
                traced: true,
                legacy: true,
            });
        }
        match self.sdk.get(last) {
            Some(Sdk::Api(ns)) => return Some(new(ns, true)),
            Some(Sdk::Root | Sdk::LegacyRoot) | None => {}
        }
        if n >= 2 {
            match self.sdk.get(&receiver[n - 2]) {
                Some(Sdk::Root) if is_pascal(last) => return Some(new(last, true)),
                Some(Sdk::LegacyRoot) => {
                    return Some(Namespace {
                        name: last.clone(),
                        traced: true,
                        legacy: true,
                    })
                }
                _ => {}
            }
        }
        if n == 1 && self.imports.contains(last) && is_pascal(last) {
            return Some(new(last, true));
        }
        // `profilesApi.getProfiles()` on an API object made in another file
        // (`const profilesApi = getProfilesApi(ctx)`, the factory imported):
        // a receiver named for an SDK namespace's API object, in a file that
        // names Klaviyo, kept only if the method resolves in that namespace.
        if n == 1 && self.names_klaviyo && names_api_object(last) {
            return Some(new(last, false));
        }
        // `client.Profiles.get_profiles(...)` on a client passed in untyped:
        // the shape of the Python and PHP SDKs, checked against the catalog later.
        let two_level = matches!(self.syntax.language(), Language::Python | Language::Php);
        if two_level && n >= 2 && is_pascal(last) && self.names_klaviyo {
            return Some(new(last, false));
        }
        None
    }

    /// A method called on an SDK client. True when the call was one.
    pub(super) fn read_sdk_call(&mut self, visit: Visit<'t>, call: &Call<'t>) -> bool {
        let Some(chain) = call.chain.as_deref().filter(|c| c.len() >= 2) else {
            return false;
        };
        self.sdk_method_at(visit, chain, Some(call))
    }

    /// An SDK method passed around without being called
    /// (`partial(client.Flows.get_flows, include=[…])`, `api.getProfiles.bind(api)`).
    pub(super) fn read_sdk_reference(&mut self, visit: Visit<'t>) {
        let node = visit.node;
        let Some(chain) = self.syntax.chain(node, self.src).filter(|c| c.len() >= 3) else {
            return;
        };
        if chain.iter().any(|part| part.ends_with("()"))
            && chain.last().is_some_and(|p| p.ends_with("()"))
        {
            return;
        }
        let Some(parent) = self.parent_of(node) else {
            return;
        };
        // Not the callee (or receiver) of a call, and not part of a longer chain.
        if let Some(call) = self.syntax.call(parent, self.src) {
            if call.chain.as_ref().is_some_and(|c| c.starts_with(&chain)) {
                return;
            }
        }
        if self
            .syntax
            .chain(parent, self.src)
            .is_some_and(|c| c.len() > chain.len())
        {
            return;
        }
        let enclosing = self.enclosing_call(node);
        self.sdk_method_at(visit, &chain, enclosing.as_ref());
    }

    fn enclosing_call(&self, node: Node<'t>) -> Option<Call<'t>> {
        let mut current = self.parent_of(node)?;
        for _ in 0..3 {
            if let Some(call) = self.syntax.call(current, self.src) {
                return Some(call);
            }
            current = self.parent_of(current)?;
        }
        None
    }

    fn sdk_method_at(
        &mut self,
        visit: Visit<'t>,
        chain: &[String],
        call: Option<&Call<'t>>,
    ) -> bool {
        let mut chain: Vec<String> = chain.to_vec();
        while matches!(
            chain.last().map(String::as_str),
            Some("bind" | "call" | "apply")
        ) && chain.len() > 2
        {
            chain.pop();
        }
        let (receiver, method) = chain.split_at(chain.len() - 1);
        let method = method[0].trim_end_matches("()");
        if !is_method_name(method) {
            return false;
        }
        let Some(ns) = self.namespace_of(receiver) else {
            return false;
        };
        if ns.legacy {
            let language = self
                .syntax
                .language()
                .as_str()
                .replace("typescript", "javascript");
            // Ruby's `Klaviyo::Foo.bar` is a call of the old gems only where
            // they had that method: a project's own `Klaviyo` module is not them.
            let known = crate::retired::RetiredTable::embedded()
                .sdk_method(&language, &ns.name, method)
                .is_some();
            if self.syntax.language() == Language::Ruby && !known {
                return false;
            }
            let site = self.site(visit.node);
            self.findings.retired_sdk_calls.push(RetiredSdkCall {
                site,
                sdk_language: self
                    .syntax
                    .language()
                    .as_str()
                    .replace("typescript", "javascript"),
                namespace: ns.name,
                method: method.to_owned(),
            });
            return true;
        }
        let Some(mut input) = self.syntax.sdk_input(&ns.name, method) else {
            return false;
        };
        let includes = call
            .map(|call| self.includes_of(visit, call, None))
            .unwrap_or_default();
        self.dynamic_includes(
            visit.node,
            &format!("{}.{method}", ns.name),
            &includes.dynamic,
        );
        if !includes.values.is_empty() {
            input = format!("{input}?include={}", includes.values.join(","));
        }
        self.found(visit.node, CallForm::SdkMethod, input, !ns.traced);
        true
    }

    /// `getattr(client.Events, name)()`, `api[name]()`: a method chosen at run time.
    pub(super) fn read_dynamic_sdk_call(&mut self, visit: Visit<'t>, receiver: Node<'t>) {
        let Some(receiver_chain) = self.syntax.chain(receiver, self.src) else {
            return;
        };
        if self
            .namespace_of(&receiver_chain)
            .is_some_and(|ns| ns.traced)
        {
            self.unresolved(
                visit.node,
                UnresolvedReason::DynamicSdkMethod,
                format!(
                    "the SDK method called on `{}` is chosen at run time; call it by name so its scopes can be known",
                    text(receiver, self.src)
                ),
            );
        }
    }
}

fn is_pascal(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() > 1
}

/// `profilesApi`, `profiles_api`, `ProfilesAPI`: a name for one namespace's
/// API object (a stem before `api`), not `api` or `client` alone.
fn names_api_object(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .strip_suffix("api")
        .map(|stem| stem.trim_end_matches('_'))
        .is_some_and(|stem| {
            stem.len() >= 3 && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

fn is_method_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

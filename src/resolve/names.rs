//! Turns operation names as people write them (operationIds, aliases, camelCase,
//! and the method names of the four official SDKs) into catalog operations,
//! per KLAVIYO_FACTS §4.3.

use crate::catalog::Catalog;

/// Variant suffixes the SDKs add to every method, longest first so that
/// `AsyncWithHttpInfo` is stripped before `WithHttpInfo` and `Async`.
const SDK_SUFFIXES: [&str; 6] = [
    "_without_preload_content",
    "AsyncWithHttpInfo",
    "_with_http_info",
    "WithHttpInfo",
    "Request",
    "Async",
];

/// A name split into its SDK namespace (if any) and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitName<'a> {
    /// Everything before the method, as typed (`klaviyo.Profiles.`, `$klaviyo->Lists->`).
    pub prefix: &'a str,
    /// The component right before the method (`Profiles`, `ProfilesApi`).
    pub namespace: Option<&'a str>,
    pub method: &'a str,
}

/// Splits `klaviyo.Profiles.get_profiles`, `$klaviyo->Profiles->getProfiles`,
/// `KlaviyoAPI::Profiles.get_profiles` and `ProfilesApi.getProfiles`.
pub(crate) fn split(name: &str) -> SplitName<'_> {
    let name = name.strip_suffix("()").unwrap_or(name);
    let separators = |text: &str| -> Option<(usize, usize)> {
        ["->", "::", "."]
            .iter()
            .filter_map(|sep| text.rfind(sep).map(|at| (at, at + sep.len())))
            .max_by_key(|(at, _)| *at)
    };
    let Some((at, method_start)) = separators(name) else {
        return SplitName {
            prefix: "",
            namespace: None,
            method: name,
        };
    };
    let before = &name[..at];
    let namespace = match separators(before) {
        Some((_, start)) => &before[start..],
        None => before,
    };
    SplitName {
        prefix: &name[..method_start],
        namespace: Some(namespace.trim_start_matches('$')).filter(|ns| !ns.is_empty()),
        method: &name[method_start..],
    }
}

/// How a name was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameMatch {
    OperationId,
    Alias,
    SdkMethod,
}

/// `getProfiles` → `get_profiles`; snake_case stays as it is.
pub(crate) fn to_snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 8);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 && !snake.ends_with('_') {
                snake.push('_');
            }
            snake.push(ch.to_ascii_lowercase());
        } else if ch == '-' {
            snake.push('_');
        } else {
            snake.push(ch);
        }
    }
    snake
}

/// `get_profiles` → `getProfiles`.
pub(crate) fn to_camel_case(name: &str) -> String {
    let mut camel = String::with_capacity(name.len());
    let mut upper = false;
    for ch in name.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            camel.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            camel.push(ch);
        }
    }
    camel
}

/// The snake_case names to try for a method, the name itself first and then
/// with each SDK variant suffix removed; built lazily, so an exact name costs
/// one conversion.
pub(crate) fn candidates(method: &str) -> impl Iterator<Item = (String, bool)> + '_ {
    std::iter::once((to_snake_case(method), false)).chain(SDK_SUFFIXES.into_iter().filter_map(
        move |suffix| {
            method
                .strip_suffix(suffix)
                .filter(|stem| !stem.is_empty())
                .map(|stem| (to_snake_case(stem), true))
        },
    ))
}

pub(crate) use crate::catalog::namespace_key;

/// Whether a name is made only of the characters names can have.
pub(crate) fn is_name_like(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '>' | '$' | '(' | ')')
        })
}

/// The result of looking a name up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameLookup {
    Found {
        operation: usize,
        matched: NameMatch,
    },
    /// The name exists but under another SDK namespace than the one given.
    WrongNamespace {
        operation: usize,
        given: String,
    },
    NotFound,
}

/// Looks a name up: exact name, camelCase, then with SDK suffixes removed.
pub(crate) fn lookup(catalog: &Catalog, name: &str) -> NameLookup {
    let parts = split(name);
    for (candidate, stripped) in candidates(parts.method) {
        let Some(operation) = catalog.by_name(&candidate) else {
            continue;
        };
        let op = catalog.operation(operation);
        if let Some(namespace) = parts.namespace {
            // A namespace that is no tag at all is a variable name (`client.get_lists`).
            let given = namespace_key(namespace);
            if catalog.has_namespace(&given) && given != namespace_key(&op.tag) {
                return NameLookup::WrongNamespace {
                    operation,
                    given: namespace.to_owned(),
                };
            }
        }
        let matched = if stripped || parts.namespace.is_some() || candidate != parts.method {
            NameMatch::SdkMethod
        } else if op.operation_id == candidate {
            NameMatch::OperationId
        } else {
            NameMatch::Alias
        };
        return NameLookup::Found { operation, matched };
    }
    NameLookup::NotFound
}

/// The namespace spelled for a tag in the style of the one given:
/// `Custom_Objects` (Python), `CustomObjectsApi` (Node class) or `CustomObjects`.
pub(crate) fn namespace_like(given: &str, tag: &str) -> String {
    if given.contains('_') {
        tag.replace(' ', "_")
    } else if given.ends_with("Api") {
        format!("{}Api", tag.replace(' ', ""))
    } else {
        tag.replace(' ', "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_sdk_spelling() {
        let cases = [
            (
                "klaviyo.Profiles.get_profiles",
                Some("Profiles"),
                "get_profiles",
            ),
            (
                "ProfilesApi.getProfiles",
                Some("ProfilesApi"),
                "getProfiles",
            ),
            (
                "$klaviyo->Profiles->getProfiles",
                Some("Profiles"),
                "getProfiles",
            ),
            (
                "KlaviyoAPI::Profiles.get_profiles",
                Some("Profiles"),
                "get_profiles",
            ),
            (
                "KlaviyoAPI::Profiles.get_profiles()",
                Some("Profiles"),
                "get_profiles",
            ),
            ("get_profiles", None, "get_profiles"),
        ];
        for (text, namespace, method) in cases {
            let parts = split(text);
            assert_eq!(
                (parts.namespace, parts.method),
                (namespace, method),
                "{text}"
            );
        }
    }

    #[test]
    fn case_conversions_round_trip() {
        assert_eq!(to_snake_case("getProfileLists"), "get_profile_lists");
        assert_eq!(to_camel_case("get_profile_lists"), "getProfileLists");
        assert_eq!(
            namespace_key("Custom_Objects"),
            namespace_key("CustomObjectsApi")
        );
        assert_eq!(namespace_key("Custom Objects"), "customobjects");
    }

    #[test]
    fn suffixes_are_offered_after_the_plain_name() {
        let names: Vec<String> = candidates("getProfilesAsyncWithHttpInfo")
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names[0], "get_profiles_async_with_http_info");
        assert!(names.contains(&"get_profiles".to_owned()));
    }
}

/// How each official SDK spells an operation's method (KLAVIYO_FACTS §4.2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SdkMethods {
    #[schema(example = "klaviyo.Profiles.get_profiles")]
    pub python: String,
    #[schema(example = "ProfilesApi.getProfiles")]
    pub node: String,
    #[schema(example = "$klaviyo->Profiles->getProfiles")]
    pub php: String,
    #[schema(example = "KlaviyoAPI::Profiles.get_profiles")]
    pub ruby: String,
}

/// The SDK spellings of a stable private-key operation; the SDKs have no
/// client or beta classes.
pub fn sdk_methods(operation: &crate::catalog::Operation) -> Option<SdkMethods> {
    if operation.client || operation.is_beta() {
        return None;
    }
    let name = &operation.operation_id;
    let class = operation.tag.replace(' ', "");
    Some(SdkMethods {
        python: format!("klaviyo.{}.{name}", operation.tag.replace(' ', "_")),
        node: format!("{class}Api.{}", to_camel_case(name)),
        php: format!("$klaviyo->{class}->{}", to_camel_case(name)),
        ruby: format!("KlaviyoAPI::{class}.{name}"),
    })
}

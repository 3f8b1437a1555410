//! Every error case: its code, a message naming the input, what would be
//! accepted, and suggestions that themselves resolve.

use scopelink::catalog::Catalog;
use scopelink::link::{LinkBase, LinkReport};
use scopelink::resolve::{InputItem, ItemError, ResolveOptions, StructuredInput};

use crate::operations::{report, CATALOG};

fn error_of(input: InputItem) -> ItemError {
    let report = LinkReport::build(
        &CATALOG,
        &LinkBase::default(),
        std::slice::from_ref(&input),
        ResolveOptions::default(),
    );
    assert_eq!(report.errors.len(), 1, "{input:?} should fail");
    let error = report.errors[0].clone();
    for suggestion in &error.suggestions {
        let fixed = LinkReport::build(
            &CATALOG,
            &LinkBase::default(),
            std::slice::from_ref(&suggestion.replacement),
            ResolveOptions::default(),
        );
        assert!(
            fixed.errors.is_empty(),
            "suggestion {:?} for {input:?} does not resolve: {:?}",
            suggestion.replacement,
            fixed.errors
        );
    }
    error
}

fn text_error(input: &str) -> ItemError {
    error_of(InputItem::from(input))
}

fn replacements(error: &ItemError) -> Vec<String> {
    error
        .suggestions
        .iter()
        .map(|s| match &s.replacement {
            InputItem::Text(text) => text.clone(),
            other => serde_json::to_string(other).unwrap(),
        })
        .collect()
}

#[test]
fn empty_inputs() {
    for input in ["", "   ", "\t"] {
        assert_eq!(text_error(input).code.as_str(), "empty");
    }
}

#[test]
fn private_keys_are_refused_and_never_echoed() {
    let key = "pk_0123456789abcdef0123456789abcdef01";
    for input in [
        key.to_owned(),
        format!("GET /api/profiles?api_key={key}"),
        format!("get_profiles {key}"),
        format!("GET https://a.klaviyo.com/api/profiles/{key}"),
    ] {
        let error = text_error(&input);
        assert_eq!(error.code.as_str(), "looks_like_secret", "{input}");
        assert!(error.detail.contains("Never send API keys"));
        let shown = serde_json::to_string(&error).unwrap();
        assert!(
            !shown.contains("0123456789abcdef"),
            "the key leaked: {shown}"
        );
    }
    let structured = error_of(InputItem::Structured(StructuredInput {
        operation: "get_profile".into(),
        include: vec![key.into()],
    }));
    assert_eq!(structured.code.as_str(), "looks_like_secret");
    assert!(!serde_json::to_string(&structured)
        .unwrap()
        .contains("0123456789"));
}

#[test]
fn malformed_inputs_say_what_is_accepted() {
    for input in [
        "get profiles",
        "GET profiles",
        "1 /api/profiles",
        "get_profiles!",
        "GET https://",
    ] {
        let error = text_error(input);
        assert_eq!(error.code.as_str(), "malformed", "{input}");
        assert!(
            error.detail.contains("METHOD /api/path") || error.detail.contains("URL"),
            "{}",
            error.detail
        );
    }
}

#[test]
fn urls_on_other_hosts_are_wrong_host_with_the_api_host_suggested() {
    let error = text_error("GET https://www.klaviyo.com/api/profiles/ABC?include=lists");
    assert_eq!(error.code.as_str(), "wrong_host");
    assert!(error.detail.contains("www.klaviyo.com"));
    assert_eq!(
        replacements(&error),
        ["GET https://a.klaviyo.com/api/profiles/ABC?include=lists"]
    );
    for input in [
        "GET https://evil.example/api/profiles",
        "GET https://a.klaviyo.com:8443/api/profiles",
        "https://a.klaviyo.com.evil.example/api/lists",
    ] {
        assert_eq!(text_error(input).code.as_str(), "wrong_host", "{input}");
    }
}

#[test]
fn unknown_names_and_paths_get_the_closest_operations() {
    let error = text_error("get_profils");
    assert_eq!(error.code.as_str(), "unknown_operation");
    assert!(error.detail.contains("get_profils"));
    assert!(replacements(&error).contains(&"get_profiles".to_owned()));
    assert!(error.suggestions.len() <= 3);

    let error = text_error("ProfilesApi.getProfils");
    assert!(
        replacements(&error).contains(&"ProfilesApi.getProfiles".to_owned()),
        "{:?}",
        replacements(&error)
    );

    let error = text_error("GET /api/profile/01ABC?include=lists");
    assert_eq!(error.code.as_str(), "unknown_operation");
    assert_eq!(
        replacements(&error)[0],
        "GET /api/profiles/01ABC?include=lists"
    );

    let error = text_error("GET /profiles");
    assert_eq!(replacements(&error)[0], "GET /api/profiles");

    assert!(text_error("frobnicate_everything").suggestions.is_empty());
}

#[test]
fn wrong_methods_list_the_allowed_ones() {
    let error = text_error("PUT /api/profiles/ABC");
    assert_eq!(error.code.as_str(), "method_not_allowed");
    assert_eq!(error.accepted, ["GET", "PATCH"]);
    assert_eq!(
        replacements(&error),
        ["GET /api/profiles/ABC", "PATCH /api/profiles/ABC"]
    );
    let error = text_error("HEAD /api/lists");
    assert_eq!(error.code.as_str(), "method_not_allowed");
    assert_eq!(error.accepted, ["GET", "POST"]);
}

#[test]
fn a_path_with_several_methods_needs_one() {
    let error = text_error("/api/lists");
    assert_eq!(error.code.as_str(), "method_required");
    assert_eq!(replacements(&error), ["GET /api/lists", "POST /api/lists"]);
}

#[test]
fn sdk_names_under_the_wrong_namespace() {
    let error = text_error("klaviyo.Lists.get_profiles");
    assert_eq!(error.code.as_str(), "namespace_mismatch");
    assert_eq!(replacements(&error), ["klaviyo.Profiles.get_profiles"]);
    let error = text_error("ListsApi.getProfiles");
    assert_eq!(replacements(&error), ["ProfilesApi.getProfiles"]);
}

#[test]
fn invalid_include_values_list_the_valid_ones() {
    let error = text_error("GET /api/profiles/ABC?include=lsts");
    assert_eq!(error.code.as_str(), "invalid_include");
    assert_eq!(
        error.accepted,
        ["conversations", "lists", "push-tokens", "segments"]
    );
    assert_eq!(
        replacements(&error)[0],
        "GET /api/profiles/ABC?include=lists"
    );

    // The stale include of KLAVIYO_FACTS §1: GET /api/profiles no longer takes `lists`.
    let error = text_error("GET /api/profiles?include=lists");
    assert_eq!(error.code.as_str(), "invalid_include");
    assert!(
        error.detail.contains("conversations, push-tokens"),
        "{}",
        error.detail
    );

    let error = error_of(InputItem::Structured(StructuredInput {
        operation: "get_events".into(),
        include: vec!["metrics".into()],
    }));
    assert_eq!(error.code.as_str(), "invalid_include");
    let first = serde_json::to_value(&error.suggestions[0].replacement).unwrap();
    assert_eq!(
        first,
        serde_json::json!({"operation": "get_events", "include": ["metric"]})
    );

    let error = text_error("create_event?include=profile");
    assert!(error.detail.contains("takes no include"));
    assert_eq!(replacements(&error), ["create_event"]);
}

#[test]
fn a_bad_item_never_hides_the_good_ones() {
    let report = report(
        &["get_profiles", "get_profils", "", "POST /api/lists"],
        false,
    );
    assert_eq!(
        report.scopes,
        ["lists:read", "lists:write", "profiles:read"]
    );
    let failed: Vec<(usize, &str)> = report
        .errors
        .iter()
        .map(|e| (e.index, e.code.as_str()))
        .collect();
    assert_eq!(failed, [(1, "unknown_operation"), (2, "empty")]);
    let resolved: Vec<usize> = report.operations.iter().map(|o| o.index).collect();
    assert_eq!(resolved, [0, 3]);
}

#[test]
fn the_catalog_lookup_helper_knows_every_form() {
    let catalog: &Catalog = &CATALOG;
    for name in [
        "get_profiles",
        "getProfiles",
        "klaviyo.Profiles.get_profiles_with_http_info",
        "$klaviyo->Profiles->getProfilesAsync",
    ] {
        assert_eq!(
            scopelink::resolve::find(catalog, name)
                .unwrap()
                .operation_id,
            "get_profiles",
            "{name}"
        );
    }
    assert!(scopelink::resolve::find(catalog, "nope").is_none());
}

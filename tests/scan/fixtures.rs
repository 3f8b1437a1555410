//! Every fixture project: the exact calls (file, line, form, the input the
//! resolver read, the operation), each call's scopes against the spec, and
//! what could not be read. Comments, docstrings and plain strings in the
//! fixtures name endpoints too; they must not appear.

use scopelink::resolve::ErrorCode;
use scopelink::scan::{CallForm, UnresolvedReason};

use crate::helpers::{assert_calls, assert_unresolved, scan_fixture};

use CallForm::{Manifest, RawHttp, SdkMethod};
use UnresolvedReason::{DynamicMethod, DynamicPath, DynamicSdkMethod, RelatedLink, UnknownMethod};

#[test]
fn python_sdk_client_in_a_field_and_passed_around() {
    let report = scan_fixture("python-sdk");
    assert_calls(
        &report,
        &[
            (
                "sync.py",
                17,
                SdkMethod,
                "klaviyo.Lists.get_lists",
                "get_lists",
            ),
            (
                "sync.py",
                20,
                SdkMethod,
                "klaviyo.Profiles.get_profile?include=lists,segments",
                "get_profile",
            ),
            (
                "sync.py",
                28,
                SdkMethod,
                "klaviyo.Lists.create_list_relationships_with_http_info",
                "add_profiles_to_list",
            ),
            (
                "sync.py",
                33,
                SdkMethod,
                "klaviyo.Profiles.subscribe_profiles",
                "bulk_subscribe_profiles",
            ),
        ],
    );
    // The constant `DOCS_URL` holds a Klaviyo path no call is seen taking:
    // it is reported with the operations it may be, never dropped.
    assert_unresolved(
        &report,
        &[
            ("sync.py", 9, UnknownMethod),
            ("sync.py", 37, DynamicSdkMethod),
        ],
    );
    let docs_url = &report.unresolved[0];
    let candidates: Vec<&str> = docs_url
        .candidates
        .iter()
        .map(|c| c.operation_id.as_str())
        .collect();
    assert_eq!(candidates, ["get_flows", "create_flow"]);
    assert_eq!(docs_url.candidates[0].adds, ["flows:read"]);
    assert_eq!(docs_url.candidates[1].adds, ["flows:read", "flows:write"]);
    let profile = &report.calls[1];
    assert_eq!(profile.includes, ["lists", "segments"]);
    assert_eq!(profile.column, 16);
}

#[test]
fn python_raw_requests_through_a_wrapper_with_every_template_syntax() {
    let report = scan_fixture("python-raw");
    let file = "klaviyo_client.py";
    assert_calls(
        &report,
        &[
            (
                file,
                25,
                RawHttp,
                "GET /api/profiles/{profile_id}/?include=lists,segments",
                "get_profile",
            ),
            (
                file,
                26,
                RawHttp,
                "POST /api/data-privacy-deletion-jobs/",
                "request_profile_deletion",
            ),
            (
                file,
                27,
                RawHttp,
                "PATCH /api/profiles/{profile_id}",
                "update_profile",
            ),
            (
                file,
                28,
                RawHttp,
                "GET /api/lists/{list_id}/profiles",
                "get_profiles_for_list",
            ),
            (
                file,
                29,
                RawHttp,
                "GET /api/lists/{list_id}/relationships/profiles",
                "get_profile_ids_for_list",
            ),
            (file, 30, RawHttp, "POST /api/events", "create_event"),
            (
                file,
                31,
                RawHttp,
                "DELETE /api/lists/{list_id}",
                "delete_list",
            ),
            (file, 48, RawHttp, "DELETE /api/profiles/{profile_id}", ""),
        ],
    );
    assert_unresolved(&report, &[(file, 37, RelatedLink), (file, 42, DynamicPath)]);
    // Klaviyo has no DELETE on a profile: an error with the methods it has.
    let error = &report.errors[0];
    assert_eq!(error.code, ErrorCode::MethodNotAllowed);
    assert_eq!(error.accepted, ["GET", "PATCH"]);
    assert_eq!(report.calls[error.index].line, 48);
    assert!(report.unresolved[0].detail.contains("links.related"));
    assert!(report
        .scopes
        .iter()
        .any(|scope| scope == "data-privacy:write"));
}

#[test]
fn typescript_sdk_injected_and_field_clients() {
    let report = scan_fixture("ts-sdk");
    assert_calls(
        &report,
        &[
            // A string that is a method and a Klaviyo path is a call site,
            // even where no call is seen taking it.
            ("sync.ts", 9, RawHttp, "GET /api/segments", "get_segments"),
            (
                "sync.ts",
                16,
                SdkMethod,
                "ProfilesApi.getProfile?include=lists,segments",
                "get_profile",
            ),
            (
                "sync.ts",
                18,
                SdkMethod,
                "ListsApi.createListRelationships",
                "add_profiles_to_list",
            ),
            (
                "sync.ts",
                23,
                SdkMethod,
                "EventsApi.createEvent",
                "create_event",
            ),
            (
                "sync.ts",
                27,
                SdkMethod,
                "Metrics.getMetrics",
                "get_metrics",
            ),
        ],
    );
    assert_unresolved(&report, &[("sync.ts", 31, DynamicSdkMethod)]);
}

#[test]
fn javascript_fetch_axios_got_and_a_wrapper_but_not_routes() {
    let report = scan_fixture("js-raw");
    assert_calls(
        &report,
        &[
            (
                "client.js",
                9,
                RawHttp,
                "PATCH /api/profiles/{id}",
                "update_profile",
            ),
            (
                "client.js",
                16,
                RawHttp,
                "GET /api/events?include=metric",
                "get_events",
            ),
            ("client.js", 20, RawHttp, "POST /api/lists", "create_list"),
            (
                "client.js",
                24,
                RawHttp,
                "DELETE /api/lists/{listId}/relationships/profiles",
                "remove_profiles_from_list",
            ),
            (
                "client.js",
                32,
                RawHttp,
                "GET /api/segments/",
                "get_segments",
            ),
        ],
    );
    assert_unresolved(&report, &[("client.js", 40, DynamicMethod)]);
}

#[test]
fn php_sdk_typed_property() {
    let report = scan_fixture("php-sdk");
    assert_calls(
        &report,
        &[
            (
                "Sync.php",
                21,
                SdkMethod,
                "$klaviyo->Lists->getLists",
                "get_lists",
            ),
            (
                "Sync.php",
                26,
                SdkMethod,
                "$klaviyo->Profiles->getProfile?include=lists",
                "get_profile",
            ),
            (
                "Sync.php",
                32,
                SdkMethod,
                "$klaviyo->Events->createEventWithHttpInfo",
                "create_event",
            ),
        ],
    );
    assert_unresolved(&report, &[("Sync.php", 37, DynamicSdkMethod)]);
}

#[test]
fn php_guzzle_with_a_base_uri() {
    let report = scan_fixture("php-raw");
    let file = "KlaviyoHttp.php";
    assert_calls(
        &report,
        &[
            (
                file,
                18,
                RawHttp,
                "GET /api/profiles/{id}/?include=lists",
                "get_profile",
            ),
            (
                file,
                24,
                RawHttp,
                "DELETE /api/lists/{listId}",
                "delete_list",
            ),
            (
                file,
                29,
                RawHttp,
                "GET /api/events?include=metric,profile",
                "get_events",
            ),
        ],
    );
    assert_unresolved(&report, &[(file, 35, DynamicMethod)]);
}

#[test]
fn ruby_sdk_constants_and_an_instance_variable() {
    let report = scan_fixture("ruby-sdk");
    assert_calls(
        &report,
        &[
            (
                "sync.rb",
                11,
                SdkMethod,
                "KlaviyoAPI::Lists.get_lists",
                "get_lists",
            ),
            (
                "sync.rb",
                15,
                SdkMethod,
                "KlaviyoAPI::Profiles.get_profile?include=lists",
                "get_profile",
            ),
            (
                "sync.rb",
                19,
                SdkMethod,
                "KlaviyoAPI::Profiles.create_or_update_profile_with_http_info",
                "create_or_update_profile",
            ),
        ],
    );
    assert_unresolved(&report, &[("sync.rb", 23, DynamicSdkMethod)]);
}

#[test]
fn ruby_faraday_net_http_and_httparty_against_a_base_constant() {
    let report = scan_fixture("ruby-raw");
    assert_calls(
        &report,
        &[
            (
                "client.rb",
                14,
                RawHttp,
                "GET /api/profiles/{id}/?include=lists,segments",
                "get_profile",
            ),
            (
                "client.rb",
                19,
                RawHttp,
                "POST /api/events/",
                "create_event",
            ),
            (
                "client.rb",
                25,
                RawHttp,
                "GET /api/lists?include=tags",
                "get_lists",
            ),
        ],
    );
    assert_unresolved(&report, &[("client.rb", 29, RelatedLink)]);
}

#[test]
fn low_code_manifest_requesters() {
    let report = scan_fixture("manifest-lowcode");
    assert_calls(
        &report,
        &[
            (
                "manifest.yaml",
                16,
                Manifest,
                "GET /api/profiles",
                "get_profiles",
            ),
            (
                "manifest.yaml",
                21,
                Manifest,
                "GET /api/events?include=metric",
                "get_events",
            ),
            (
                "manifest.yaml",
                28,
                Manifest,
                "GET /api/lists/{parent_id}/profiles",
                "get_profiles_for_list",
            ),
        ],
    );
    assert_unresolved(&report, &[("manifest.yaml", 33, DynamicPath)]);
}

#[test]
fn each_scope_names_the_calls_that_need_it() {
    let report = scan_fixture("python-raw");
    let privacy = report
        .explanations
        .iter()
        .find(|e| e.scope == "data-privacy:write")
        .unwrap();
    assert_eq!(privacy.calls.len(), 1);
    assert_eq!(privacy.calls[0].at, "klaviyo_client.py:26");
    assert_eq!(privacy.calls[0].form, RawHttp);
    let lists = report
        .explanations
        .iter()
        .find(|e| e.scope == "lists:read")
        .unwrap();
    let at: Vec<&str> = lists.calls.iter().map(|c| c.at.as_str()).collect();
    assert_eq!(
        at,
        [
            "klaviyo_client.py:25",
            "klaviyo_client.py:28",
            "klaviyo_client.py:29"
        ]
    );
}

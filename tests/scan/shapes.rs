//! The shapes real integrations call Klaviyo in, one fixture project each:
//! wrappers whose names say nothing, methods from constants, arguments,
//! builders and wrappers, base URLs from other files, SDK clients from
//! functions and passed as bound methods, in all nine languages. Each call's
//! line, input, operation, scopes (against the spec) and how its method was
//! read are asserted.

use scopelink::scan::{CallForm, MethodSource, ScanReport, UnresolvedReason};

use crate::helpers::{assert_calls, assert_unresolved, scan_fixture};

use CallForm::{RawHttp, SdkMethod};

fn methods_from(report: &ScanReport) -> Vec<Option<MethodSource>> {
    report.calls.iter().map(|c| c.method_from).collect()
}

#[test]
fn php_wrappers_with_method_constants_curl_and_a_base_url_from_another_class() {
    let report = scan_fixture("php-wrappers");
    assert_calls(
        &report,
        &[
            // callApi('api/lists/', self::HTTP_GET): the method is a class constant.
            (
                "src/Api/KlaviyoApi.php",
                14,
                RawHttp,
                "GET /api/lists/",
                "get_lists",
            ),
            (
                "src/Api/KlaviyoApi.php",
                19,
                RawHttp,
                "POST /api/lists/",
                "create_list",
            ),
            // `https://a.klaviyo.com//api/events/`: the doubled slash is one.
            (
                "src/Api/KlaviyoApi.php",
                25,
                RawHttp,
                "POST /api/events/",
                "create_event",
            ),
            // sprintf('%s/profile-bulk-import-jobs', $this->config->getApiUrl())
            // through send(), which sends `new Request('POST', $endpoint, …)`;
            // the base is Config::getApiUrl() in another file, and this file
            // never names Klaviyo.
            (
                "src/Sync/ProfileImport.php",
                17,
                RawHttp,
                "POST /api/profile-bulk-import-jobs",
                "bulk_import_profiles",
            ),
        ],
    );
    assert_unresolved(&report, &[]);
    use MethodSource::{Call, Wrapper};
    assert_eq!(
        methods_from(&report),
        [Some(Call), Some(Call), Some(Call), Some(Wrapper)]
    );
}

#[test]
fn typescript_wrappers_called_through_call_generic_requests_and_static_options() {
    let report = scan_fixture("ts-wrappers");
    assert_calls(
        &report,
        &[
            // apiRequest.call(this, 'POST', '/api/lists', body)
            (
                "nodes/Klaviyo/Klaviyo.node.ts",
                6,
                RawHttp,
                "POST /api/lists",
                "create_list",
            ),
            (
                "nodes/Klaviyo/Klaviyo.node.ts",
                11,
                RawHttp,
                "GET /api/profiles",
                "get_profiles",
            ),
            (
                "nodes/Klaviyo/Klaviyo.node.ts",
                13,
                RawHttp,
                "GET /api/segments",
                "get_segments",
            ),
            // this.request<Tag>('/tags', { method: 'POST', body }), base in `static options`.
            ("src/client.ts", 22, RawHttp, "POST /api/tags", "create_tag"),
            // No method given: request()'s own `init.method ?? 'GET'`.
            ("src/client.ts", 26, RawHttp, "GET /api/tags", "get_tags"),
            // axios.get<Profile[]>(…)
            (
                "src/client.ts",
                30,
                RawHttp,
                "GET /api/profiles",
                "get_profiles",
            ),
        ],
    );
    // qs['include'] = fields.join(','): an include set at run time is said.
    assert_unresolved(
        &report,
        &[(
            "nodes/Klaviyo/Klaviyo.node.ts",
            11,
            UnresolvedReason::DynamicInclude,
        )],
    );
    assert_eq!(report.calls[4].method_from, Some(MethodSource::Wrapper));
}

#[test]
fn ruby_request_helpers_defined_in_another_file_whose_caller_never_names_klaviyo() {
    let report = scan_fixture("ruby-wrappers");
    assert_calls(
        &report,
        &[
            (
                "app/jobs/profile_sync.rb",
                8,
                RawHttp,
                "PATCH /api/profiles/{id}/",
                "update_profile",
            ),
            (
                "app/jobs/profile_sync.rb",
                12,
                RawHttp,
                "GET /api/lists/",
                "get_lists",
            ),
            (
                "app/jobs/profile_sync.rb",
                16,
                RawHttp,
                "POST /api/lists/{list_id}/relationships/profiles/",
                "add_profiles_to_list",
            ),
        ],
    );
    assert_unresolved(&report, &[]);
}

#[test]
fn python_wrapper_with_the_method_as_an_argument_and_sdk_clients_from_functions() {
    let report = scan_fixture("python-wrappers");
    assert_calls(
        &report,
        &[
            // api_request("DELETE", f"{BASE}/lists/{list_id}/relationships/profiles/")
            (
                "app/lists.py",
                5,
                RawHttp,
                "DELETE /api/lists/{list_id}/relationships/profiles/",
                "remove_profiles_from_list",
            ),
            // params = {"include": "tags"}, passed by name.
            (
                "app/lists.py",
                10,
                RawHttp,
                "GET /api/lists?include=tags",
                "get_lists",
            ),
            // get_client() -> KlaviyoAPI
            (
                "app/reports.py",
                11,
                SdkMethod,
                "klaviyo.Campaigns.get_campaigns?include=campaign-messages",
                "get_campaigns",
            ),
            // partial(client.Flows.get_flows, include=["tags"]) and a bound method in a list.
            (
                "app/reports.py",
                16,
                SdkMethod,
                "klaviyo.Flows.get_flows?include=tags",
                "get_flows",
            ),
            (
                "app/reports.py",
                16,
                SdkMethod,
                "klaviyo.Metrics.get_metrics",
                "get_metrics",
            ),
        ],
    );
    assert_unresolved(&report, &[]);
}

#[test]
fn go_sprintf_urls_method_constants_and_a_struct_field_base() {
    let report = scan_fixture("go-client");
    assert_calls(
        &report,
        &[
            // fmt.Sprintf("%s/api/lists/%s/", c.baseURL, id); http.NewRequest(http.MethodGet, url, nil)
            ("client.go", 23, RawHttp, "GET /api/lists/{id}/", "get_list"),
            // c.do(ctx, http.MethodPost, "/api/profile-import", body)
            (
                "client.go",
                32,
                RawHttp,
                "POST /api/profile-import",
                "create_or_update_profile",
            ),
        ],
    );
    assert_unresolved(&report, &[]);
}

#[test]
fn java_builders_okhttp_and_retrofit_with_a_base_from_settings() {
    let report = scan_fixture("java-client");
    let file = "src/main/java/com/shop/klaviyo/CampaignClient.java";
    assert_calls(
        &report,
        &[
            // HttpRequest.newBuilder(URI.create(baseUrl + "/campaigns/" + id)).GET()
            (file, 18, RawHttp, "GET /api/campaigns/{id}", "get_campaign"),
            // new Request.Builder().url(baseUrl + "/profiles").post(body)
            (file, 22, RawHttp, "POST /api/profiles", "create_profile"),
            // @GET("api/lists/{id}")
            (file, 26, RawHttp, "GET /api/lists/{id}", "get_list"),
        ],
    );
    assert_unresolved(&report, &[]);
}

#[test]
fn kotlin_ktor_requests_with_a_block_and_a_wrapper_that_fixes_the_method() {
    let report = scan_fixture("kotlin-client");
    let file = "src/main/kotlin/shop/KlaviyoClient.kt";
    assert_calls(
        &report,
        &[
            // http.get("$BASE/lists/$id") { parameter("include", "tags") }
            (
                file,
                14,
                RawHttp,
                "GET /api/lists/{id}?include=tags",
                "get_list",
            ),
            // send("events", body): send() sends `method = HttpMethod.Post`.
            (file, 18, RawHttp, "POST /api/events", "create_event"),
        ],
    );
    assert_unresolved(&report, &[]);
    assert_eq!(report.calls[1].method_from, Some(MethodSource::Wrapper));
}

#[test]
fn csharp_relative_paths_on_a_base_address_set_in_configuration() {
    let report = scan_fixture("csharp-client");
    let file = "Services/KlaviyoService.cs";
    assert_calls(
        &report,
        &[
            // _http.GetAsync($"lists/{listId}/")
            (file, 16, RawHttp, "GET /api/lists/{listId}/", "get_list"),
            // new HttpRequestMessage(HttpMethod.Post, "events/")
            (file, 21, RawHttp, "POST /api/events/", "create_event"),
            // new RestRequest("profile-import", Method.Post)
            (
                file,
                27,
                RawHttp,
                "POST /api/profile-import",
                "create_or_update_profile",
            ),
        ],
    );
    assert_unresolved(&report, &[]);
}

#[test]
fn url_and_method_constants_defined_in_another_file() {
    let report = scan_fixture("ruby-constants");
    let file = "lib/sync/destination/client.rb";
    assert_calls(
        &report,
        &[
            // HttpClient.request(KLAVIYO_AUTH_ENDPOINT, HTTP_POST, …), both from core/constants.rb.
            (file, 7, RawHttp, "POST /api/lists/", "create_list"),
            (file, 11, RawHttp, "GET /api/events", "get_events"),
        ],
    );
    // The constants' own values are not reported again: their uses are the calls.
    assert_unresolved(&report, &[]);
}

/// An empty string literal (`""`, `''`, ``` `` ```) in a file that talks to
/// Klaviyo is read as empty in every language, beside a call that is found
/// (a real integration's `'N/A' if dim == "" else dim` once stopped the scan).
#[test]
fn empty_string_literals_are_read_in_every_language() {
    let dir = crate::helpers::TempDir::new("empty-strings");
    let files = [
        ("a.py", "# klaviyo\nimport requests\nx = \"\"\ny = ''\nrequests.get(\"https://a.klaviyo.com/api/lists\" + \"\")\n"),
        ("b.rb", "# klaviyo\nrequire 'net/http'\nx = \"\"\ny = ''\nNet::HTTP.get(URI(\"https://a.klaviyo.com/api/lists\" + \"\"))\n"),
        ("c.php", "<?php\n// klaviyo\n$x = \"\";\n$y = '';\n$client->get(\"https://a.klaviyo.com/api/lists\" . \"\");\n"),
        ("d.js", "// klaviyo\nconst x = \"\";\nconst y = ``;\nfetch(\"https://a.klaviyo.com/api/lists\" + \"\");\n"),
        ("e.go", "package k\n// klaviyo\nvar x = \"\"\nvar y = ``\nfunc f() { http.Get(\"https://a.klaviyo.com/api/lists\" + \"\") }\n"),
        ("F.java", "// klaviyo\nclass F { String x = \"\"; void f() { client.get(\"https://a.klaviyo.com/api/lists\" + \"\"); } }\n"),
        ("G.cs", "// klaviyo\nclass G { string x = \"\"; string y = @\"\"; void F() { client.GetAsync(\"https://a.klaviyo.com/api/lists\" + \"\"); } }\n"),
        ("H.kt", "// klaviyo\nval x = \"\"\nfun f() { client.get(\"https://a.klaviyo.com/api/lists\" + \"\") }\n"),
    ];
    for (name, code) in files {
        dir.write(name, code);
    }
    let report = crate::helpers::scan_dir(&dir.0, scopelink::scan::ScanOptions::default());
    let files: std::collections::BTreeSet<&str> =
        report.calls.iter().map(|call| call.file.as_str()).collect();
    assert_eq!(files.len(), 8, "{:?}", report.calls);
    assert!(report
        .calls
        .iter()
        .all(|call| call.operation_id.as_deref() == Some("get_lists")));
}

/// An API object made by a factory in another file (`getProfilesApi(ctx)`,
/// imported) and named for its namespace: its SDK methods are calls, kept
/// only where the method is one of that namespace (seen in a real
/// integration whose README then lacked `lists:write`).
#[test]
fn an_api_object_from_another_file_is_read_by_its_name() {
    let dir = crate::helpers::TempDir::new("api-object-factory");
    dir.write(
        "src/auth.ts",
        "import { ApiKeySession, ProfilesApi } from 'klaviyo-api'\nexport const getProfilesApi = (key: string): ProfilesApi => new ProfilesApi(new ApiKeySession(key))\n",
    );
    dir.write(
        "src/profile.ts",
        "import { ProfileCreateQuery } from 'klaviyo-api'\nimport { getProfilesApi } from './auth'\n\
export async function run(key: string) {\n\
  const profilesApi = getProfilesApi(key)\n\
  await profilesApi.getProfiles()\n\
  await profilesApi.bulkSubscribeProfiles({ data: {} })\n\
  await profilesApi.notAnSdkMethod()\n\
  const mailchimpApi = other()\n\
  await mailchimpApi.getLists()\n\
}\n",
    );
    let report = crate::helpers::scan_dir(&dir.0, scopelink::scan::ScanOptions::default());
    let found: Vec<(usize, Option<&str>)> = report
        .calls
        .iter()
        .map(|call| (call.line, call.operation_id.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (5, Some("get_profiles")),
            (6, Some("bulk_subscribe_profiles"))
        ],
        "{:?}",
        report.calls
    );
    assert!(report.scopes.iter().any(|scope| scope == "lists:write"));
}

//! The committed table is exactly what the importer derives from `../shared`,
//! and `--spec` loading handles other revisions and refuses non-specs.

use std::path::PathBuf;

use scopelink::catalog::{import_specs, Catalog, CatalogError, CatalogTable, SpecFile};

use crate::common::{display_name_spec, spec};

fn committed_table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/klaviyo-scopes.json")
}

#[test]
fn committed_table_equals_the_one_derived_from_the_shared_specs() {
    let specs = [
        SpecFile::read(&spec("stable.json")).unwrap(),
        SpecFile::read(&spec("beta.json")).unwrap(),
    ];
    let derived = import_specs(&specs).unwrap().to_json();
    let committed = std::fs::read_to_string(committed_table_path()).unwrap();
    assert!(
        derived == committed,
        "openapi/klaviyo-scopes.json is stale: run `cargo run -- catalog import --stable ../shared/klaviyo-openapi/stable.json --beta ../shared/klaviyo-openapi/beta.json --out openapi/klaviyo-scopes.json`"
    );
    let table: CatalogTable = serde_json::from_str(&committed).unwrap();
    let revisions: Vec<&str> = table.sources.iter().map(|s| s.revision.as_str()).collect();
    assert_eq!(revisions, ["2026-07-15", "2026-07-15.pre"]);
    assert_eq!(Catalog::embedded().table(), &table);
}

#[test]
fn an_older_revision_loads_directly() {
    let catalog = Catalog::from_spec_files(&[spec("stable-2024-10-15.json")]).unwrap();
    assert_eq!(catalog.stable_revision(), Some("2024-10-15"));
    assert!(catalog.operations().iter().all(|op| !op.is_beta()));
    // Conversations arrived in 2026-04-15 (KLAVIYO_FACTS §5.3).
    assert!(scopelink::resolve::find(&catalog, "get_conversation_for_profile").is_none());
    assert!(
        scopelink::resolve::find(&Catalog::embedded(), "get_conversation_for_profile").is_some()
    );
    assert!(Catalog::embedded().has_scope("conversations:read"));
    assert!(!catalog.has_scope("conversations:read"));
}

#[test]
fn gzipped_specs_load_like_plain_ones() {
    let dir = std::env::temp_dir().join(format!("scopelink-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gz = dir.join("stable-2024-10-15.json.gz");
    let bytes = std::fs::read(spec("stable-2024-10-15.json")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &bytes).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let plain = Catalog::from_spec_files(&[spec("stable-2024-10-15.json")]).unwrap();
    let zipped = Catalog::from_spec_files(&[gz]).unwrap();
    assert_eq!(plain.operations(), zipped.operations());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn files_that_are_not_klaviyo_specs_get_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("scopelink-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("not-json.json", "this is not json", "is not valid JSON"),
        (
            "petstore.json",
            r#"{"openapi":"3.0.0","info":{"version":"1"},"paths":{"/pets":{"get":{"operationId":"pets"}}}}"#,
            "no operation carries `x-klaviyo-scopes`",
        ),
        (
            "plain.json",
            r#"{"hello":"world"}"#,
            "no `openapi` version field",
        ),
    ];
    for (name, content, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let error = Catalog::from_spec_files(&[path]).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(name) && text.contains(message), "{text}");
    }
    let missing = Catalog::from_spec_files(&[dir.join("missing.json")]).unwrap_err();
    assert!(matches!(missing, CatalogError::Read { .. }));
    let twice = Catalog::from_spec_files(&[spec("stable.json"), spec("stable-2024-10-15.json")])
        .unwrap_err();
    assert!(twice.to_string().contains("both stable"), "{twice}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_2023_02_22_spec_with_display_name_scopes_loads_under_current_names() {
    let spec = display_name_spec(&[
        (
            "POST",
            "/api/campaign-clone/",
            "create_campaign_clone",
            "Campaigns Write",
        ),
        ("GET", "/api/lists/", "get_lists", "List Read"),
        (
            "GET",
            "/api/coupon-codes/",
            "get_coupon_codes",
            "Coupon Codes Read",
        ),
    ]);
    let catalog = Catalog::from_spec_files(std::slice::from_ref(&spec)).unwrap();
    assert_eq!(catalog.stable_revision(), Some("2023-02-22"));
    let scopes_of = |id: &str| -> Vec<String> {
        let op = scopelink::resolve::find(&catalog, id).unwrap();
        op.scopes.iter().map(|s| s.to_string()).collect()
    };
    assert_eq!(scopes_of("create_campaign_clone"), ["campaigns:write"]);
    // `List Read` names the old `list:read`, renamed `lists:read` in 2023-12-15.
    assert_eq!(scopes_of("get_lists"), ["lists:read"]);
    assert_eq!(scopes_of("get_coupon_codes"), ["coupon-codes:read"]);
}

#[test]
fn a_scope_that_is_neither_a_scope_nor_a_display_name_is_refused_by_name() {
    let spec = display_name_spec(&[("GET", "/api/lists/", "get_lists", "Lists Everything")]);
    let error = Catalog::from_spec_files(&[spec]).unwrap_err();
    assert!(
        matches!(&error, CatalogError::InvalidScope { operation_id, scope }
            if operation_id == "get_lists" && scope == "Lists Everything"),
        "{error}"
    );
}

#[test]
fn a_path_deeper_than_any_klaviyo_path_is_refused_by_name() {
    let deep = format!("/api/{}", vec!["a"; 16].join("/"));
    let spec = display_name_spec(&[("GET", deep.as_str(), "get_deep", "Lists Read")]);
    let error = Catalog::from_spec_files(&[spec]).unwrap_err();
    assert!(
        matches!(&error, CatalogError::PathTooDeep { path, limit: 16 } if path.starts_with("/api/a/")),
        "{error}"
    );
    let within = format!("/api/{}", vec!["a"; 15].join("/"));
    let spec = display_name_spec(&[("GET", within.as_str(), "get_deep", "Lists Read")]);
    let catalog = Catalog::from_spec_files(&[spec]).unwrap();
    let deepest = format!("GET {within}");
    let resolved = scopelink::resolve::resolve(
        &catalog,
        &[scopelink::resolve::InputItem::from(deepest.as_str())],
        Default::default(),
    );
    assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
}

/// The committed retired-endpoint table is exactly what the importer derives
/// from `../shared/klaviyo-legacy-endpoints.json`, and every replacement it
/// names is an operation of the shared stable spec with that method and path.
#[test]
fn committed_retired_table_equals_the_one_derived_from_the_shared_mapping() {
    let shared =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/klaviyo-legacy-endpoints.json");
    let source = std::fs::read_to_string(&shared).unwrap();
    let derived = scopelink::retired::import_legacy(&source).unwrap();
    let committed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/klaviyo-retired.json"),
    )
    .unwrap();
    assert!(
        derived.to_json() == committed,
        "openapi/klaviyo-retired.json is stale: run `cargo run -- catalog import-retired --from ../shared/klaviyo-legacy-endpoints.json --out openapi/klaviyo-retired.json`"
    );
    assert_eq!(&derived, scopelink::retired::RetiredTable::embedded());

    let document: serde_json::Value = serde_json::from_str(&source).unwrap();
    let stable = crate::common::spec_operations("stable.json");
    let mut replacements = 0;
    for endpoint in document["endpoints"].as_array().unwrap() {
        for replacement in endpoint["replaced_by"].as_array().unwrap() {
            let id = replacement["operation_id"].as_str().unwrap();
            let op = stable
                .iter()
                .find(|op| op.operation_id == id)
                .unwrap_or_else(|| panic!("{id} is not in stable.json"));
            assert_eq!(op.method, replacement["method"].as_str().unwrap());
            assert_eq!(op.path, replacement["path"].as_str().unwrap());
            replacements += 1;
        }
    }
    assert_eq!(
        derived.endpoints.len(),
        document["endpoints"].as_array().unwrap().len()
    );
    assert!(
        replacements >= derived.endpoints.len() - 2,
        "{replacements}"
    );
    // Every old SDK method names an endpoint of the table.
    for sdk in &derived.sdks {
        for method in &sdk.methods {
            let (verb, path) = method.endpoint.split_once(' ').unwrap();
            let verb = scopelink::catalog::Method::parse(verb).unwrap();
            assert!(
                !derived.endpoints_for(Some(verb), path).is_empty(),
                "{} {}: {}",
                sdk.package,
                method.name,
                method.endpoint
            );
        }
    }
}

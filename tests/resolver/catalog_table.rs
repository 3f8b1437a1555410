//! The committed table is exactly what the importer derives from `../shared`,
//! and `--spec` loading handles other revisions and refuses non-specs.

use std::path::PathBuf;

use scopelink::catalog::{import_specs, Catalog, CatalogError, CatalogTable, SpecFile};

use crate::spec::shared_spec;

fn committed_table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/klaviyo-scopes.json")
}

#[test]
fn committed_table_equals_the_one_derived_from_the_shared_specs() {
    let specs = [
        SpecFile::read(&shared_spec("stable.json")).unwrap(),
        SpecFile::read(&shared_spec("beta.json")).unwrap(),
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
    let catalog = Catalog::from_spec_files(&[shared_spec("stable-2024-10-15.json")]).unwrap();
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
    let bytes = std::fs::read(shared_spec("stable-2024-10-15.json")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &bytes).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let plain = Catalog::from_spec_files(&[shared_spec("stable-2024-10-15.json")]).unwrap();
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
    let twice = Catalog::from_spec_files(&[
        shared_spec("stable.json"),
        shared_spec("stable-2024-10-15.json"),
    ])
    .unwrap_err();
    assert!(twice.to_string().contains("both stable"), "{twice}");
    std::fs::remove_dir_all(dir).unwrap();
}

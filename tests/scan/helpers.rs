//! The shared specs, the catalog built from them, and scanning a fixture.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use scopelink::catalog::Catalog;
use scopelink::link::LinkBase;
use scopelink::resolve::ResolveOptions;
use scopelink::scan::{scan_paths, ScanOptions, ScanReport, ScannedCall};
use serde_json::Value;

pub fn shared_spec(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/klaviyo-openapi")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: the tests read Klaviyo's specs from ../shared/klaviyo-openapi",
        path.display()
    );
    path
}

/// The catalog of the shared stable and beta specs.
pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::from_spec_files(&[shared_spec("stable.json"), shared_spec("beta.json")]).unwrap()
});

/// operationId → `x-klaviyo-scopes`, read straight from the stable spec.
pub static SPEC_SCOPES: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| {
    let text = std::fs::read_to_string(shared_spec("stable.json")).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    let mut scopes = BTreeMap::new();
    for item in document["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op["operationId"].as_str() {
                let list = op["x-klaviyo-scopes"]
                    .as_array()
                    .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                scopes.insert(id.to_owned(), list);
            }
        }
    }
    scopes
});

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scan/fixtures")
        .join(name)
}

/// Scans a directory with paths shown relative to it.
pub fn scan_dir(dir: &Path, options: ScanOptions) -> ScanReport {
    let options = ScanOptions {
        relative_to: Some(dir.to_owned()),
        ..options
    };
    let findings = scan_paths(&[dir.to_owned()], &options).unwrap();
    ScanReport::build(
        &CATALOG,
        &LinkBase::default(),
        findings,
        ResolveOptions::default(),
    )
}

pub fn scan_fixture(name: &str) -> ScanReport {
    scan_dir(&fixture(name), ScanOptions::default())
}

/// A call's scopes as the spec states them: the operation's `x-klaviyo-scopes`
/// plus, per include value, the extra scopes the catalog derived.
pub fn expected_scopes(call: &ScannedCall) -> Vec<String> {
    let id = call.operation_id.as_deref().expect("resolved");
    let mut scopes = SPEC_SCOPES
        .get(id)
        .unwrap_or_else(|| panic!("{id} is not in the stable spec"))
        .clone();
    let op = CATALOG.find(id).unwrap();
    for value in &call.includes {
        let rule = op
            .include(value)
            .unwrap_or_else(|| panic!("{id} has no include value {value} in the spec"));
        scopes.extend(rule.extra_scopes.iter().cloned());
    }
    scopes.sort();
    scopes.dedup();
    scopes
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("scopelink-scan-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, path: &str, text: &str) -> PathBuf {
        let file = self.0.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        file
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

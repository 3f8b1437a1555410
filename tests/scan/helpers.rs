//! The shared specs, the catalog built from them, and scanning a fixture.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use scopelink::catalog::Catalog;
use scopelink::link::LinkBase;
use scopelink::resolve::ResolveOptions;
use scopelink::scan::{
    scan_paths, CallForm, ScanOptions, ScanReport, ScannedCall, UnresolvedReason,
};

use crate::common::{spec, STABLE_SCOPES};

/// The catalog of the shared stable and beta specs.
pub static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::from_spec_files(&[spec("stable.json"), spec("beta.json")]).unwrap());

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
    let mut scopes = STABLE_SCOPES
        .get(id)
        .unwrap_or_else(|| panic!("{id} is not in the stable spec"))
        .to_vec();
    let op = scopelink::resolve::find(&CATALOG, id).unwrap();
    for value in &call.includes {
        let rule = op
            .include(value)
            .unwrap_or_else(|| panic!("{id} has no include value {value} in the spec"));
        scopes.extend(rule.extra_scopes.iter().map(|scope| scope.to_string()));
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

pub type Expected<'a> = (&'a str, usize, CallForm, &'a str, &'a str);

pub fn assert_calls(report: &ScanReport, expected: &[Expected<'_>]) {
    let found: Vec<(String, usize, CallForm, String, String)> = report
        .calls
        .iter()
        .map(|c| {
            (
                c.file.clone(),
                c.line,
                c.form,
                c.input.clone(),
                c.operation_id.clone().unwrap_or_default(),
            )
        })
        .collect();
    let expected: Vec<(String, usize, CallForm, String, String)> = expected
        .iter()
        .map(|(f, l, form, i, o)| (f.to_string(), *l, *form, i.to_string(), o.to_string()))
        .collect();
    assert_eq!(found, expected);
    // An expected operation "" is a call that does not resolve: an error, no scopes.
    let failing = expected.iter().filter(|e| e.4.is_empty()).count();
    assert_eq!(report.errors.len(), failing, "{:?}", report.errors);
    for call in &report.calls {
        match call.error {
            None => assert_eq!(call.scopes, expected_scopes(call), "{}", call.line),
            Some(_) => assert!(call.scopes.is_empty()),
        }
    }
    // The link is the union of the calls' scopes, each write with its read.
    let mut union: Vec<String> = report
        .calls
        .iter()
        .flat_map(|c| c.scopes.iter().map(|scope| scope.to_string()))
        .collect();
    for scope in union.clone() {
        if let Some(family) = scope.strip_suffix(":write") {
            union.push(format!("{family}:read"));
        }
    }
    union.sort();
    union.dedup();
    assert_eq!(report.scopes, union);
    let expected_url = (!union.is_empty()).then(|| {
        format!(
            "https://www.klaviyo.com/create-private-api-key?scopes={}",
            union.join(",")
        )
    });
    assert_eq!(report.url, expected_url);
}

pub fn assert_unresolved(report: &ScanReport, expected: &[(&str, usize, UnresolvedReason)]) {
    let found: Vec<(String, usize, UnresolvedReason)> = report
        .unresolved
        .iter()
        .map(|u| (u.file.clone(), u.line, u.reason))
        .collect();
    let expected: Vec<(String, usize, UnresolvedReason)> = expected
        .iter()
        .map(|(f, l, r)| (f.to_string(), *l, *r))
        .collect();
    assert_eq!(found, expected, "{:#?}", report.unresolved);
    for call in &report.unresolved {
        assert!(!call.excerpt.is_empty() && !call.detail.is_empty());
    }
}

/// `scopelink scan ARGS` through the real binary, in `dir`.
pub fn scan_cli(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scopelink"))
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

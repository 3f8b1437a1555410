//! Reads Klaviyo's specs straight from `../shared`, independently of the
//! importer, so the tests compare the engine against the source itself (and
//! take counts such as the number of operations from there, not from literals).

use std::path::PathBuf;
use std::sync::LazyLock;

use serde_json::Value;

/// The path of `../shared/klaviyo-openapi/<name>`, which must exist.
pub fn spec(name: &str) -> PathBuf {
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

/// One operation exactly as the spec states it.
#[derive(Debug, Clone)]
pub struct SpecOperation {
    pub beta: bool,
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub aliases: Vec<String>,
    pub tag: String,
    pub scopes: Vec<String>,
    pub includes: Vec<String>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every operation of one spec file (`stable.json`, `beta.json`, `stable-2024-10-15.json`).
pub fn spec_operations(name: &str) -> Vec<SpecOperation> {
    read(name, name.starts_with("beta"))
}

fn read(name: &str, beta: bool) -> Vec<SpecOperation> {
    let text = std::fs::read_to_string(spec(name)).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let include = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "include" && p["in"] == "query");
            let mut scopes = strings(&op["x-klaviyo-scopes"]);
            scopes.sort();
            operations.push(SpecOperation {
                beta,
                method: method.to_uppercase(),
                path: path.clone(),
                operation_id: op["operationId"].as_str().unwrap().to_owned(),
                aliases: strings(&op["x-klaviyo-operation-aliases"]),
                tag: op["tags"][0].as_str().unwrap().to_owned(),
                scopes,
                includes: include
                    .map(|p| strings(&p["schema"]["items"]["enum"]))
                    .unwrap_or_default(),
            });
        }
    }
    operations
}

/// Every operation of the stable spec, then of the beta spec.
pub static SPEC_OPERATIONS: LazyLock<Vec<SpecOperation>> = LazyLock::new(|| {
    let mut all = read("stable.json", false);
    all.extend(read("beta.json", true));
    all
});

/// The stable spec's `operationId` → `x-klaviyo-scopes` (sorted).
pub static STABLE_SCOPES: LazyLock<std::collections::BTreeMap<&'static str, &'static [String]>> =
    LazyLock::new(|| {
        SPEC_OPERATIONS
            .iter()
            .filter(|op| !op.beta)
            .map(|op| (op.operation_id.as_str(), op.scopes.as_slice()))
            .collect()
    });

/// The embedded catalog, built once per test binary.
pub static EMBEDDED: LazyLock<scopelink::catalog::Catalog> =
    LazyLock::new(scopelink::catalog::Catalog::embedded);

/// How many operations the stable (`beta: false`) or beta spec defines.
pub fn spec_operation_count(beta: bool) -> usize {
    SPEC_OPERATIONS.iter().filter(|op| op.beta == beta).count()
}

/// The stable operation on the same method and path, if this one is a beta twin.
pub fn stable_twin(op: &SpecOperation) -> Option<&'static SpecOperation> {
    SPEC_OPERATIONS
        .iter()
        .find(|other| !other.beta && other.method == op.method && other.path == op.path)
}

/// The operation a name resolves to: stable wins over beta for shared names.
pub fn owner_of_name(name: &str) -> &'static SpecOperation {
    SPEC_OPERATIONS
        .iter()
        .filter(|op| op.operation_id == name || op.aliases.iter().any(|a| a == name))
        .min_by_key(|op| op.beta)
        .unwrap()
}

pub fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The path with each parameter replaced by an awkward, realistic ID.
pub fn concrete_path(template: &str, encode: bool) -> String {
    let ids = [
        "$custom:::$default:::SKU-1",
        "01HX:::ab$c",
        "event:klaviyo.sent_sms",
    ];
    let mut n = 0;
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                let id = ids[n % ids.len()];
                n += 1;
                if encode {
                    id.replace('$', "%24").replace(':', "%3A")
                } else {
                    id.to_owned()
                }
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A spec in the shape of Klaviyo's 2023-02-22 revision, which wrote scopes as
/// display names (`Campaigns Write`, `List Read`), written by the test itself:
/// one `(method, path, operationId, scope)` per operation.
pub fn display_name_spec(scopes: &[(&str, &str, &str, &str)]) -> PathBuf {
    let mut paths = serde_json::Map::new();
    for (method, path, operation_id, scope) in scopes {
        let item = paths
            .entry(path.to_string())
            .or_insert_with(|| serde_json::json!({}));
        item[method.to_lowercase()] = serde_json::json!({
            "operationId": operation_id,
            "tags": ["Campaigns"],
            "summary": operation_id,
            "x-klaviyo-scopes": [scope],
            "responses": {"200": {"description": "ok"}},
        });
    }
    let document = serde_json::json!({
        "openapi": "3.0.2",
        "info": {"title": "Klaviyo API", "version": "2023-02-22"},
        "paths": paths,
    });
    // One directory per call: tests run in parallel, and two specs with the
    // same number of operations must not overwrite each other.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "scopelink-display-names-{}-{call}",
        std::process::id(),
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stable-2023-02-22.json");
    std::fs::write(&file, document.to_string()).unwrap();
    file
}

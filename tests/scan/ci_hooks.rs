//! The Action and the pre-commit hooks as shipped: `action.yml`'s script run
//! by bash with the inputs set as GitHub sets them, and the hooks' entry and
//! args from `.pre-commit-hooks.yaml`, on a project whose README holds a
//! scopelink block.

use std::path::Path;
use std::process::Command;

use serde_norway::Value;

use crate::helpers::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_scopelink");

fn shipped(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn project(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    dir.write(
        "src/sync.py",
        "import requests\nrequests.post('https://a.klaviyo.com/api/profiles', json={})\n",
    );
    dir.write(
        "README.md",
        "# Acme\n\n<!-- scopelink:begin -->\n<!-- scopelink:end -->\n",
    );
    dir
}

#[test]
fn the_action_updates_the_docs_block_then_checks_it() {
    let action = shipped("action.yml");
    let step = |id: &str| {
        action["runs"]["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|step| step["id"] == id)
            .unwrap()["run"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dir = project("action");
    let outputs = dir.0.join("github-output");
    // `install: path`: the binary an earlier step built, checked and handed on.
    let install = Command::new("bash")
        .arg("-c")
        .arg(step("install"))
        .current_dir(&dir.0)
        .env("INSTALL", "path")
        .env("PIP_SPEC", "scopelink==0.1.0")
        .env("BINARY", BIN)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert_eq!(
        install.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let binary = std::fs::read_to_string(&outputs).unwrap();
    let binary = binary.trim().strip_prefix("binary=").unwrap().to_owned();
    assert_eq!(Path::new(&binary), Path::new(BIN));
    let wrong = Command::new("bash")
        .arg("-c")
        .arg(step("install"))
        .env("INSTALL", "brew")
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr)
        .contains("install must be pip, path or cargo, not 'brew'"));
    let script = step("scan");
    let run = |update: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&dir.0)
            .env("SCOPELINK_BIN", &binary)
            .env("SCAN_PATHS", "src")
            .env("SCAN_CHECK", "")
            .env("SCAN_CHECK_DOCS", "README.md")
            .env("SCAN_UPDATE_DOCS", update)
            .env("SCAN_GROUP_BY", "file")
            .env("SCAN_SERVICE_URL", "")
            .env("SCAN_STRICT", "false")
            .env("SCAN_MINIMAL", "false")
            .env("SCAN_EXCLUDE", "")
            .env("SCAN_SARIF", "scopelink.sarif")
            .env("GITHUB_OUTPUT", &outputs)
            .output()
            .unwrap()
    };
    // Every input the script reads is an input of the action.
    for input in [
        "update-docs",
        "group-by",
        "service-url",
        "check-docs",
        "install",
        "version",
    ] {
        assert!(action["inputs"][input].is_mapping(), "{input}");
    }
    // Without the update, the empty block is stale: the gate fails.
    let stale = run("");
    assert_eq!(
        stale.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&stale.stdout)
    );
    let updated = run("README.md");
    assert_eq!(
        updated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&updated.stdout)
    );
    let readme = std::fs::read_to_string(dir.0.join("README.md")).unwrap();
    assert!(
        readme.contains("| `profiles:write` | Profiles: Full | `create_profile` |"),
        "{readme}"
    );
    assert!(
        readme.contains("| `src/sync.py` | `profiles:read`, `profiles:write` |"),
        "{readme}"
    );
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert!(written.contains("link=https://www.klaviyo.com/create-private-api-key?scopes=profiles:read,profiles:write"), "{written}");
    assert!(written.trim_end().ends_with("exit-code=0"), "{written}");
    assert!(dir.0.join("scopelink.sarif").exists());
}

#[test]
fn the_pre_commit_hooks_refresh_the_block_and_then_pass() {
    let hooks = shipped(".pre-commit-hooks.yaml");
    let hook = |id: &str| {
        hooks
            .as_sequence()
            .unwrap()
            .iter()
            .find(|hook| hook["id"] == id)
            .unwrap_or_else(|| panic!("no hook {id}"))
            .clone()
    };
    let dir = project("pre-commit");
    let run = |id: &str| {
        let hook = hook(id);
        assert_eq!(hook["pass_filenames"], Value::Bool(false), "{id}");
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "scopelink", "{id}");
        let args: Vec<&str> = hook["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|arg| arg.as_str().unwrap())
            .collect();
        Command::new(BIN)
            .args(&entry[1..])
            .args(args)
            .current_dir(&dir.0)
            .output()
            .unwrap()
    };
    assert_eq!(
        run("scopelink-scan-system").status.code(),
        Some(1),
        "the empty block is stale"
    );
    assert_eq!(run("scopelink-update-docs-system").status.code(), Some(0));
    let readme = std::fs::read_to_string(dir.0.join("README.md")).unwrap();
    assert!(readme.contains("`profiles:write`"), "{readme}");
    let second = run("scopelink-update-docs-system");
    assert!(String::from_utf8_lossy(&second.stderr).contains("README.md is up to date"));
    assert_eq!(
        std::fs::read_to_string(dir.0.join("README.md")).unwrap(),
        readme
    );
    assert_eq!(run("scopelink-scan-system").status.code(), Some(0));
    // The rust-language hooks run the same command.
    for (rust, system) in [
        ("scopelink-scan", "scopelink-scan-system"),
        ("scopelink-update-docs", "scopelink-update-docs-system"),
    ] {
        assert_eq!(hook(rust)["entry"], hook(system)["entry"]);
        assert_eq!(hook(rust)["args"], hook(system)["args"]);
        assert_eq!(hook(rust)["language"], "rust");
    }
}

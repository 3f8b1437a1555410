//! The walker: `.gitignore`, the default skips, `--include`/`--exclude`,
//! files it cannot read, in-memory sources, and keys never echoed.

use scopelink::link::LinkBase;
use scopelink::resolve::ResolveOptions;
use scopelink::scan::{scan_paths, scan_sources, ScanError, ScanOptions, ScanReport, SourceFile};

use crate::helpers::{scan_dir, TempDir, CATALOG};

const CALL: &str = "import requests\nrequests.get(\"https://a.klaviyo.com/api/lists\")\n";

fn files(report: &ScanReport) -> Vec<&str> {
    report.calls.iter().map(|c| c.file.as_str()).collect()
}

#[test]
fn gitignore_and_dependency_directories_are_skipped_unless_included() {
    let dir = TempDir::new("walk");
    dir.write(".gitignore", "generated/\n");
    dir.write("app/main.py", CALL);
    dir.write("generated/client.py", CALL);
    for skipped in ["node_modules", "vendor", "dist", "build", ".venv", "target"] {
        dir.write(&format!("{skipped}/lib.py"), CALL);
    }
    let report = scan_dir(&dir.0, ScanOptions::default());
    assert_eq!(files(&report), ["app/main.py"]);
    assert_eq!(report.files_scanned, 1);

    let report = scan_dir(
        &dir.0,
        ScanOptions {
            include: vec!["vendor/**".into()],
            ..ScanOptions::default()
        },
    );
    assert_eq!(files(&report), ["vendor/lib.py"]);

    let report = scan_dir(
        &dir.0,
        ScanOptions {
            exclude: vec!["app/**".into()],
            ..ScanOptions::default()
        },
    );
    assert!(report.calls.is_empty(), "{:?}", files(&report));
}

#[test]
fn unreadable_files_are_listed_not_dropped() {
    let dir = TempDir::new("skipped");
    dir.write("ok.py", CALL);
    std::fs::write(dir.0.join("latin1.py"), b"x = '\xe9'\n").unwrap();
    let report = scan_dir(
        &dir.0,
        ScanOptions {
            max_file_bytes: 1024,
            ..ScanOptions::default()
        },
    );
    assert_eq!(files(&report), ["ok.py"]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].file, "latin1.py");
    assert!(report.skipped[0].reason.contains("UTF-8"));
}

#[test]
fn bad_paths_and_globs_are_errors_naming_them() {
    let missing = std::path::PathBuf::from("/nonexistent/scopelink-scan");
    let error = scan_paths(std::slice::from_ref(&missing), &ScanOptions::default()).unwrap_err();
    assert!(matches!(&error, ScanError::NotFound { path } if *path == missing));
    assert!(error.to_string().contains("/nonexistent/scopelink-scan"));
    let dir = TempDir::new("glob");
    let error = scan_paths(
        std::slice::from_ref(&dir.0),
        &ScanOptions {
            include: vec!["src/[".into()],
            ..ScanOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("`src/[` is not a valid glob"),
        "{error}"
    );
}

#[test]
fn sources_in_memory_are_scanned_and_keys_never_echoed() {
    let key = format!("pk_{}", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7");
    let files = vec![
        SourceFile {
            path: "sync.py".into(),
            content: format!(
                "import requests\nKEY = \"{key}\"\nrequests.get(\"https://a.klaviyo.com/api/profiles/?k={key}\", headers={{\"Authorization\": \"Klaviyo-API-Key {key}\"}})\n"
            ),
        },
        SourceFile {
            path: "README.md".into(),
            content: "requests.get('https://a.klaviyo.com/api/lists')".into(),
        },
    ];
    let findings = scan_sources(&files, None).unwrap();
    assert_eq!(findings.files_scanned, 1, "a .md file is not code");
    assert_eq!(findings.path_calls.len(), 1);
    assert_eq!(findings.path_calls[0].site.line, 3);
    let report = ScanReport::build(
        &CATALOG,
        &LinkBase::default(),
        findings,
        ResolveOptions::default(),
    );
    assert_eq!(
        report.calls[0].operation_id.as_deref(),
        Some("get_profiles")
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(&key), "{json}");
    assert!(json.contains("pk_***"));
}

/// A file git tracks is read even under a folder `.gitignore` names (the
/// ignore rules are for generated files, not for code in the repository).
#[test]
fn files_git_tracks_are_read_even_under_an_ignored_folder() {
    let dir = TempDir::new("tracked");
    dir.write(".gitignore", "generated/\nscratch/\n");
    dir.write("app/main.py", CALL);
    dir.write("generated/client.py", CALL);
    dir.write("scratch/try.py", CALL);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(&dir.0)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "app/main.py", ".gitignore"]);
    git(&["add", "-f", "generated/client.py"]);
    let report = scan_dir(&dir.0, ScanOptions::default());
    // Tracked under the ignored folder: read. Untracked and ignored: not.
    assert_eq!(files(&report), ["app/main.py", "generated/client.py"]);
    assert_eq!(report.files_scanned, 2);
}

/// The files read are counted by language, and a language not scanned
/// that calls Klaviyo is named with its line.
#[test]
fn files_read_by_language_and_code_in_other_languages() {
    let dir = TempDir::new("languages");
    dir.write("a.py", CALL);
    dir.write("b.go", "package b\n");
    dir.write("c.kt", "package c\n");
    dir.write(
        "lib/k.ex",
        "# nothing\nHTTPoison.get(\"https://a.klaviyo.com/api/lists\")\n",
    );
    dir.write("web/page.html", "<p>no calls</p>\n");
    dir.write("README.md", "Calls https://a.klaviyo.com/api/lists\n");
    let report = scan_dir(&dir.0, ScanOptions::default());
    let by_language: Vec<(&str, usize)> = report
        .files_by_language
        .iter()
        .map(|f| (f.language.as_str(), f.files))
        .collect();
    assert_eq!(by_language, [("python", 1), ("go", 1), ("kotlin", 1)]);
    let unscanned: Vec<(&str, &str, usize)> = report
        .unscanned
        .iter()
        .map(|f| (f.file.as_str(), f.language.as_str(), f.line))
        .collect();
    // Docs are not code: the README is neither read nor reported.
    assert_eq!(unscanned, [("lib/k.ex", "Elixir", 2)]);
}

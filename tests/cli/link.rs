//! `scopelink link`, `scopes`, `operations` and `catalog import`, run as a
//! user would, checking output and exit codes, also with `--spec` and
//! `--revision` over other revisions (an older one, and a 2023-02-22-shaped
//! spec with display-name scopes that the test writes).

use crate::common::{display_name_spec, run, spec, spec_operation_count, text};

#[test]
fn link_prints_the_link_and_exits_zero() {
    let out = run(&["link", "get_profiles", "POST /api/lists"], "");
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read\n"
    );
    let out = run(&["link", "--minimal", "POST /api/lists"], "");
    assert_eq!(
        text(&out.stdout),
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:write\n"
    );
}

#[test]
fn link_reads_items_from_stdin_and_prints_json() {
    let out = run(
        &["link", "--json", "-"],
        "get_profiles\n\n# a comment\nGET /api/lists?include=tags\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["scopes"],
        serde_json::json!(["lists:read", "profiles:read", "tags:read"])
    );
    assert_eq!(json["operations"][1]["operation_id"], "get_lists");
    assert_eq!(json["catalog"]["sources"][0]["revision"], "2026-07-15");
}

#[test]
fn any_failed_item_exits_2_with_nothing_on_stdout_and_a_line_per_failure() {
    let out = run(
        &["link", "get_profiles", "get_profils", "PUT /api/lists"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("input 2 `get_profils`")
            && lines[0].contains("unknown_operation")
            && lines[0].contains("`get_profiles`")
    );
    assert!(
        lines[1].contains("input 3")
            && lines[1].contains("method_not_allowed")
            && lines[1].contains("GET, POST")
    );
}

#[test]
fn a_key_is_refused_and_never_printed() {
    let out = run(&["link", "GET /api/profiles?key=pk_abcdef0123456789"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("looks_like_secret") && !stderr.contains("abcdef0123456789"),
        "{stderr}"
    );
}

#[test]
fn scopes_lists_each_scope_with_what_needs_it() {
    let out = run(
        &["scopes", "GET /api/profiles/X?include=lists", "create_list"],
        "",
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("lists:read") && lines[0].contains("#1 get_profile (include=lists)")
    );
    assert!(
        lines[1].starts_with("lists:write") && lines[1].contains("#2 create_list (the operation)")
    );
    assert!(lines[2].starts_with("profiles:read"));
}

#[test]
fn operations_lists_and_filters_the_catalog() {
    let out = run(&["operations", "--scope", "push-tokens:read"], "");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("get_push_tokens"));
    assert!(
        stdout.contains("get_profile "),
        "include extras count too: {stdout}"
    );
    let out = run(&["operations", "--search", "bulk-import"], "");
    assert!(text(&out.stdout).lines().all(|l| l.contains("bulk")));
    let out = run(
        &["operations", "--json", "--search", "get_client_reviews"],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["client"], true);
}

#[test]
fn spec_flag_loads_another_revision_on_every_command() {
    let old = spec("stable-2024-10-15.json");
    let old = old.to_str().unwrap();
    let out = run(&["--spec", old, "link", "get_conversation_for_profile"], "");
    assert_eq!(
        out.status.code(),
        Some(2),
        "conversations did not exist in 2024-10-15"
    );
    let out = run(&["link", "--spec", old, "get_profiles"], "");
    assert!(out.status.success());
    let out = run(&["operations", "--spec", "Cargo.toml"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Cargo.toml is not valid JSON"));
}

#[test]
fn catalog_import_check_confirms_the_committed_table() {
    let stable = spec("stable.json");
    let beta = spec("beta.json");
    let out = run(
        &[
            "catalog",
            "import",
            "--stable",
            stable.to_str().unwrap(),
            "--beta",
            beta.to_str().unwrap(),
            "--out",
            "openapi/klaviyo-scopes.json",
            "--check",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let tmp = std::env::temp_dir().join(format!("scopelink-import-{}.json", std::process::id()));
    let out = run(
        &[
            "catalog",
            "import",
            "--stable",
            stable.to_str().unwrap(),
            "--out",
            tmp.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let imported = format!("{} operations", spec_operation_count(false));
    assert!(stdout.contains(&imported), "{imported}: {stdout}");
    std::fs::remove_file(tmp).unwrap();
}

#[test]
fn revision_flag_chooses_among_several_loaded_specs() {
    let [old, new, beta] = ["stable-2024-10-15.json", "stable.json", "beta.json"]
        .map(|n| spec(n).to_str().unwrap().to_owned());
    let specs = ["--spec", &old, "--spec", &new, "--spec", &beta];
    let with_specs = |extra: &[&str]| run(&[&specs[..], extra].concat(), "");
    assert!(
        with_specs(&["link", "get_conversation_for_profile"])
            .status
            .success(),
        "the newest stable is the default"
    );
    assert_eq!(
        with_specs(&[
            "--revision",
            "2024-10-15",
            "link",
            "get_conversation_for_profile"
        ])
        .status
        .code(),
        Some(2)
    );
    let out = with_specs(&[
        "--revision",
        "2026-07-15.pre",
        "link",
        "--json",
        "GET /api/campaigns",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["operations"][0]["operation_id"], "get_campaigns_beta");
    assert_eq!(json["catalog"]["revision"], "2026-07-15.pre");
    let out = with_specs(&["--revision", "1999-01-01", "link", "get_lists"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("available: 2024-10-15, 2026-07-15, 2026-07-15.pre"));
}

#[test]
fn a_2023_02_22_spec_with_display_name_scopes_answers_and_warns() {
    let old = display_name_spec(&[(
        "POST",
        "/api/campaign-clone/",
        "create_campaign_clone",
        "Campaigns Write",
    )]);
    let output = run(
        &[
            "--spec",
            old.to_str().unwrap(),
            "link",
            "create_campaign_clone",
        ],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        text(&output.stdout).trim(),
        "https://www.klaviyo.com/create-private-api-key?scopes=campaigns:read,campaigns:write"
    );
    let stderr = text(&output.stderr);
    assert!(stderr.contains("display names"), "{stderr}");
    assert!(stderr.contains("\"Campaigns Write\""), "{stderr}");
}

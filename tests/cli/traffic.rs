//! `scopelink link --har`: a HAR file or a request log on stdin gives the
//! link, ignored hosts are summarised, unrecognised calls exit 2 with a line
//! each, bad files and two inputs at once are refused, and the key never shows.

use serde_json::{json, Value};

use crate::common::{assert_no_key, mixed_har, run, text};

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scopelink-traffic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn cli_links_a_har_file_and_summarises_ignored_hosts() {
    let path = temp_file("mixed.har", &mixed_har());
    let out = run(&["link", "--har", path.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read\n"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("www.google-analytics.com (2)"), "{stderr}");
    assert!(stderr.contains("entry 13"), "{stderr}");
    assert_no_key(&stderr);

    let out = run(
        &[
            "link",
            "--json",
            "--minimal",
            "--har",
            path.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["link"]["scopes"],
        json!(["lists:read", "lists:write", "profiles:read"])
    );
    assert_eq!(json["calls"]["other_hosts"], 4);
    assert_eq!(json["operations"][3]["operation_id"], "get_profile");
    assert_eq!(json["operations"][3]["calls"], 3);
    assert_no_key(&text(&out.stdout));
}

#[test]
fn cli_reads_a_log_from_stdin() {
    let out = run(
        &["link", "--har", "-"],
        "GET https://a.klaviyo.com/api/profiles/01HX?include=lists\nPOST https://a.klaviyo.com/api/lists\nGET https://example.org/\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read\n"
    );
    assert!(text(&out.stderr).contains("example.org (1)"));
    let out = run(
        &["scopes", "--har", "-"],
        "GET https://a.klaviyo.com/api/lists\n",
    );
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("lists:read"));
}

#[test]
fn cli_exits_2_with_a_line_per_unrecognised_call() {
    let log = "GET https://a.klaviyo.com/api/lists\nGET https://a.klaviyo.com/api/profilez/1\nGET https://a.klaviyo.com/api/profilez/1\nPUT https://a.klaviyo.com/api/lists\n";
    for extra in [&[][..], &["--json"][..]] {
        let mut args = vec!["link", "--har", "-"];
        args.extend_from_slice(extra);
        let out = run(&args, log);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{stderr}");
        assert!(
            lines[0].starts_with("error: GET https://a.klaviyo.com/api/profilez/1 (2 calls): ")
                && lines[0].contains("(unknown_operation)")
                && lines[0].contains("did you mean `GET https://a.klaviyo.com/api/profiles/1`"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].contains("PUT https://a.klaviyo.com/api/lists (1 call)")
                && lines[1].contains("method_not_allowed")
        );
    }
}

#[test]
fn cli_refuses_bad_files_and_both_inputs_at_once() {
    let out = run(&["link", "--har", "-"], "{\"log\": {}}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("entries"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["link", "--har", "/no/such/file.har"], "");
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["link", "--har", "-", "get_lists"], "");
    assert_eq!(out.status.code(), Some(2), "clap refuses OP with --har");
    let out = run(&["link"], "");
    assert_eq!(out.status.code(), Some(2), "OP or --har is required");
}

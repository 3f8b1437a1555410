//! Links from recorded traffic, the core: reading HARs and request logs,
//! keeping only Klaviyo calls, listing unrecognised ones with fixes, typed
//! errors and limits, and never holding the key. (`tests/cli/traffic.rs` runs
//! `scopelink link --har`, `tests/api/traffic.rs` `POST /v1/links/from-har`.)

use scopelink::catalog::Catalog;
use scopelink::link::LinkBase;
use scopelink::resolve::ErrorCode;
use scopelink::traffic::{read_calls, TrafficError, TrafficOptions, TrafficReport};
use serde_json::json;

use crate::common::{assert_no_key, har, mixed_har, KEY};

fn read(text: &str) -> Result<TrafficReport, TrafficError> {
    read_with(text, TrafficOptions::default())
}

fn read_with(text: &str, options: TrafficOptions) -> Result<TrafficReport, TrafficError> {
    let catalog = Catalog::embedded();
    read_calls(text.as_bytes(), &catalog, &options)
        .map(|traffic| traffic.into_report(&catalog, &LinkBase::default()))
}

#[test]
fn a_har_keeps_klaviyo_calls_counts_the_rest_and_never_holds_the_key() {
    let report = read(&mixed_har()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_no_key(&json.to_string());
    assert_eq!(json["format"], "har");
    assert_eq!(
        json["calls"],
        json!({"total": 13, "klaviyo": 6, "other_hosts": 4, "preflight": 1, "oauth": 1, "unreadable": 1})
    );
    assert_eq!(
        json["other_hosts"],
        json!([
            {"host": "www.google-analytics.com", "calls": 2},
            {"host": "cdn.example.com", "calls": 1},
            {"host": "data:", "calls": 1}
        ])
    );
    assert_eq!(
        json["unreadable"],
        json!([{"entry": 13, "reason": "the entry has no `request.method` and `request.url`"}])
    );
    let operations: Vec<(String, Vec<String>, u64)> = report
        .operations
        .iter()
        .map(|op| (op.operation_id.clone(), op.includes.clone(), op.calls))
        .collect();
    assert_eq!(
        operations,
        [
            ("create_client_subscription".to_owned(), vec![], 1),
            ("create_list".to_owned(), vec![], 1),
            ("get_lists".to_owned(), vec![], 1),
            ("get_profile".to_owned(), vec!["lists".to_owned()], 3),
        ]
    );
    assert_eq!(
        report.link.url,
        "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,lists:write,profiles:read"
    );
    assert!(report.is_complete());
    assert!(report.unrecognized.is_empty());
    assert_eq!(report.link.operations.len(), report.operations.len());
    assert!(report
        .link
        .warnings
        .iter()
        .any(|w| w.message.contains("create_client_subscription")));
}

#[test]
fn a_request_log_skips_comments_and_counts_unreadable_lines() {
    let mut log = String::from(
        "# captured by the proxy\n\nGET https://a.klaviyo.com/api/events?include=metric\r\n",
    );
    for n in 0..7 {
        log.push_str(&format!("garbage line {n} with words\n"));
    }
    log.push_str("GET /api/profiles\n");
    log.push_str("FETCH!! https://a.klaviyo.com/api/lists\n");
    log.push_str("POST https://a.klaviyo.com/api/profile-import\n");
    log.push_str("GET https://example.org/\n");
    let report = read(&log).unwrap();
    assert_eq!(report.calls.total, 12);
    assert_eq!(report.calls.klaviyo, 2);
    assert_eq!(report.calls.other_hosts, 1);
    assert_eq!(report.calls.unreadable, 9);
    let lines: Vec<Option<u64>> = report.unreadable.iter().map(|u| u.line).collect();
    assert_eq!(
        lines,
        [Some(4), Some(5), Some(6), Some(7), Some(8)],
        "the first five only"
    );
    assert_eq!(report.unreadable[0].reason, "expected `METHOD URL`");
    assert!(
        !serde_json::to_string(&report).unwrap().contains("garbage"),
        "lines are never echoed"
    );
    assert_eq!(
        report.link.scopes,
        [
            "events:read",
            "metrics:read",
            "profiles:read",
            "profiles:write"
        ]
    );
}

#[test]
fn unrecognised_klaviyo_calls_are_listed_with_counts_and_fixes() {
    let log = [
        "GET https://a.klaviyo.com/api/profilez/1",
        "GET https://a.klaviyo.com/api/profilez/1",
        "GET https://a.klaviyo.com/api/profilez/1?page[cursor]=2",
        "PUT https://a.klaviyo.com/api/lists",
        "GET https://a.klaviyo.com/api/lists?include=tgs",
        &format!("GET https://a.klaviyo.com/api/profiles/{KEY}"),
        "GET https://a.klaviyo.com/api/lists",
    ]
    .join("\n");
    let report = read(&log).unwrap();
    assert!(!report.is_complete());
    assert_no_key(&serde_json::to_string(&report).unwrap());
    let listed: Vec<(&str, &str, u64, ErrorCode)> = report
        .unrecognized
        .iter()
        .map(|u| (u.method.as_str(), u.url.as_str(), u.calls, u.code))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "GET",
                "https://a.klaviyo.com/api/profilez/1",
                3,
                ErrorCode::UnknownOperation
            ),
            (
                "PUT",
                "https://a.klaviyo.com/api/lists",
                1,
                ErrorCode::MethodNotAllowed
            ),
            (
                "GET",
                "https://a.klaviyo.com/api/lists?include=tgs",
                1,
                ErrorCode::InvalidInclude
            ),
            (
                "GET",
                "https://a.klaviyo.com/api/profiles/pk_***",
                1,
                ErrorCode::LooksLikeSecret
            ),
        ]
    );
    let unknown = &report.unrecognized[0];
    assert!(unknown
        .suggestions
        .iter()
        .any(|s| serde_json::to_string(&s.replacement)
            .unwrap()
            .contains("/api/profiles/1")));
    assert_eq!(report.unrecognized[1].accepted, ["GET", "POST"]);
    assert!(report.unrecognized[2].accepted.contains(&"tags".to_owned()));
    assert_eq!(
        report.link.scopes,
        ["lists:read"],
        "the recognised call still builds the link"
    );
    let errors = report.unrecognized_errors();
    assert_eq!(errors.len(), 4);
    assert_eq!(errors[0].code, ErrorCode::UnknownOperation);
}

#[test]
fn unrecognised_calls_beyond_the_cap_are_counted_never_dropped() {
    let mut log = String::from("GET https://a.klaviyo.com/api/lists\n");
    for n in 0..130 {
        log.push_str(&format!("GET https://a.klaviyo.com/api/nothing-{n}\n"));
        log.push_str(&format!("GET https://a.klaviyo.com/api/nothing-{n}\n"));
    }
    let report = read(&log).unwrap();
    assert_eq!(report.unrecognized.len(), 100);
    assert!(report.unrecognized.iter().all(|u| u.calls == 2));
    assert_eq!(report.unrecognized_more, 60);
    assert_eq!(report.calls.klaviyo, 261);
}

#[test]
fn bad_inputs_fail_with_typed_errors() {
    assert!(matches!(read(""), Err(TrafficError::Empty)));
    assert!(matches!(read(" \n\t"), Err(TrafficError::Empty)));
    assert!(matches!(
        read("{\"log\": {\"entries\": ["),
        Err(TrafficError::MalformedJson(_))
    ));
    assert!(matches!(
        read("{\"log\": {]}"),
        Err(TrafficError::MalformedJson(_))
    ));
    let Err(TrafficError::NotHar(message)) = read("{\"log\": {\"pages\": []}}") else {
        panic!("a log without entries is not a HAR");
    };
    assert!(message.contains("entries"), "{message}");
    assert!(matches!(
        read("{\"version\": 1}"),
        Err(TrafficError::NotHar(_))
    ));
    assert!(matches!(
        read("{\"log\": {\"entries\": {}}}"),
        Err(TrafficError::NotHar(_))
    ));
    let Err(TrafficError::NotHar(message)) = read(&format!(
        "{{\"log\": {{\"entries\": \"{KEY}{}\"}}}}",
        "x".repeat(10_000)
    )) else {
        panic!("entries must be an array");
    };
    assert!(
        message.len() < 1000 && !message.contains("pk_0123"),
        "{message}"
    );
    assert!(matches!(
        read(&format!("{}]", har(vec![]).trim_end_matches('}'))),
        Err(TrafficError::MalformedJson(_))
    ));
    let deep = format!("{{\"log\": {{\"x\": {}}}}}", "[".repeat(100));
    assert!(matches!(
        read(&deep),
        Err(TrafficError::TooDeep { limit: 64 })
    ));
    let Err(TrafficError::NoKlaviyoCalls { summary }) =
        read("GET https://example.org/\nGET https://example.org/a\nnope\n")
    else {
        panic!("no Klaviyo calls");
    };
    assert_eq!(
        summary,
        "3 calls read, 2 to other hosts (example.org), 1 unreadable"
    );
    let forced = TrafficOptions {
        format: Some(scopelink::traffic::Format::Har),
        ..TrafficOptions::default()
    };
    assert!(matches!(
        read_with("GET https://a.klaviyo.com/api/lists", forced),
        Err(TrafficError::NotHar(_))
    ));
}

#[test]
fn byte_and_operation_limits_hold() {
    let text = mixed_har();
    let small = TrafficOptions {
        max_bytes: Some(100),
        ..TrafficOptions::default()
    };
    assert!(matches!(
        read_with(&text, small),
        Err(TrafficError::TooLarge { limit: 100 })
    ));
    let exact = TrafficOptions {
        max_bytes: Some(text.len() as u64),
        ..TrafficOptions::default()
    };
    assert!(read_with(&text, exact).is_ok());
    let few = TrafficOptions {
        max_operations: 2,
        ..TrafficOptions::default()
    };
    assert!(matches!(
        read_with(&text, few),
        Err(TrafficError::TooManyOperations { limit: 2 })
    ));
}

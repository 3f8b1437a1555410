//! Code that calls other email APIs with paths like Klaviyo's (Mailchimp's
//! `lists/{id}/members`, `campaigns` and `templates`, SendGrid's
//! `/v3/marketing/lists`, Drip's `v2/#{account}/events`, Iterable's
//! `https://api.iterable.com/api/lists`), in several languages, gives no
//! Klaviyo call; beside a Klaviyo client of the same shape, only its calls.

use std::path::PathBuf;

use scopelink::scan::ScanOptions;

use crate::helpers::scan_dir;

fn negative(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scan/negatives")
        .join(name)
}

#[test]
fn other_apis_with_klaviyo_like_paths_give_nothing() {
    for name in [
        "mailchimp-python",
        "mailchimp-php",
        "mailchimp-go",
        "mailchimp-csharp",
        "mailchimp-java",
        "sendgrid-js",
        "drip-ruby",
        "iterable-ts",
    ] {
        let report = scan_dir(&negative(name), ScanOptions::default());
        assert!(report.files_scanned > 0, "{name}: nothing was read");
        assert!(report.calls.is_empty(), "{name}: {:#?}", report.calls);
        assert!(
            report.unresolved.is_empty(),
            "{name}: {:#?}",
            report.unresolved
        );
        assert!(report.retired.is_empty(), "{name}: {:#?}", report.retired);
        assert!(report.url.is_none(), "{name}");
    }
}

#[test]
fn a_mailchimp_wrapper_named_like_the_klaviyo_one_is_not_klaviyo() {
    let report = scan_dir(&negative("mixed-esp"), ScanOptions::default());
    let calls: Vec<(&str, &str)> = report
        .calls
        .iter()
        .map(|c| (c.file.as_str(), c.input.as_str()))
        .collect();
    assert_eq!(calls, [("klaviyo/client.py", "GET /api/lists")]);
    assert!(report.unresolved.is_empty(), "{:#?}", report.unresolved);
}

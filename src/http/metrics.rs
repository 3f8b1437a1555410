//! Prometheus metrics kept in memory: requests by route and status, a latency
//! histogram, links built, and resolution errors by code.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::resolve::ErrorCode;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros_sum: AtomicU64,
    links_built: AtomicU64,
    resolution_errors: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    /// Records one finished request; `route` is the matched pattern, never the raw path.
    pub fn record_request(&self, method: &str, route: &str, status: u16, latency: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        let seconds = latency.as_secs_f64();
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros_sum
            .fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn record_link(&self) {
        self.links_built.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_errors(&self, codes: &[ErrorCode]) {
        if codes.is_empty() {
            return;
        }
        if let Ok(mut counts) = self.resolution_errors.lock() {
            for code in codes {
                *counts.entry(code.as_str()).or_default() += 1;
            }
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP scopelink_http_requests_total HTTP requests by method, route and status."
        );
        let _ = writeln!(out, "# TYPE scopelink_http_requests_total counter");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "scopelink_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    escape(route)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP scopelink_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(
            out,
            "# TYPE scopelink_http_request_duration_seconds histogram"
        );
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "scopelink_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "scopelink_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let sum = self.latency_micros_sum.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "scopelink_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "scopelink_http_request_duration_seconds_count {count}");
        let _ = writeln!(out, "# HELP scopelink_links_built_total Create-key links built (JSON answers and redirects).");
        let _ = writeln!(out, "# TYPE scopelink_links_built_total counter");
        let _ = writeln!(
            out,
            "scopelink_links_built_total {}",
            self.links_built.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP scopelink_resolution_errors_total Inputs that could not be resolved, by error code.");
        let _ = writeln!(out, "# TYPE scopelink_resolution_errors_total counter");
        if let Ok(counts) = self.resolution_errors.lock() {
            for (code, count) in counts.iter() {
                let _ = writeln!(
                    out,
                    "scopelink_resolution_errors_total{{code=\"{code}\"}} {count}"
                );
            }
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

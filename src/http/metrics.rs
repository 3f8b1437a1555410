//! Prometheus metrics kept in memory: requests by route and status, a latency
//! histogram, links built, and resolution errors by code.
//!
//! # Implementation notes
//! Counting takes no global lock: every counter is an atomic, and the labelled
//! ones live in sharded maps (`DashMap`) where a request only reads its shard to
//! find its counter. Only the first request of a new (method, route, status)
//! writes. Routes are patterns from the route table and methods the standard
//! ones (any other is `OTHER`), so the label sets are few and fixed by us:
//! the maps hash them with FNV, not SipHash, and a client cannot add series.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use dashmap::DashMap;

use crate::resolve::ErrorCode;
use fnv::FnvBuildHasher;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The labels of `scopelink_http_requests_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RequestLabels {
    /// [`method_label`] of the request's method.
    method: &'static str,
    route: Arc<str>,
    status: u16,
}

/// A standard method's name, or `OTHER` for an extension method: a client
/// can send any token as a method, and each would otherwise be a new series.
fn method_label(method: &Method) -> &'static str {
    super::request_log::standard_method(method).unwrap_or("OTHER")
}

#[derive(Debug, Default)]
pub struct Metrics {
    requests: DashMap<RequestLabels, AtomicU64, FnvBuildHasher>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros_sum: AtomicU64,
    links_built: AtomicU64,
    resolution_errors: DashMap<&'static str, AtomicU64, FnvBuildHasher>,
}

/// Adds one to the counter of `key`, creating it on first use.
fn increment<K: Eq + std::hash::Hash>(counters: &DashMap<K, AtomicU64, FnvBuildHasher>, key: K) {
    if let Some(counter) = counters.get(&key) {
        counter.fetch_add(1, Ordering::Relaxed);
        return;
    }
    counters
        .entry(key)
        .or_default()
        .fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    /// Records one finished request; `route` is the matched pattern, never the raw path.
    pub fn record_request(
        &self,
        method: &Method,
        route: &Arc<str>,
        status: u16,
        latency: Duration,
    ) {
        increment(
            &self.requests,
            RequestLabels {
                method: method_label(method),
                route: route.clone(),
                status,
            },
        );
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
        for code in codes {
            increment(&self.resolution_errors, code.as_str());
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
        let mut requests: Vec<(RequestLabels, u64)> = self
            .requests
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().load(Ordering::Relaxed)))
            .collect();
        requests.sort_by(|(a, _), (b, _)| {
            (a.method, &a.route, a.status).cmp(&(b.method, &b.route, b.status))
        });
        for (
            RequestLabels {
                method,
                route,
                status,
            },
            count,
        ) in requests
        {
            let _ = writeln!(
                out,
                "scopelink_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(&route)
            );
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
        let mut errors: Vec<(&'static str, u64)> = self
            .resolution_errors
            .iter()
            .map(|entry| (*entry.key(), entry.value().load(Ordering::Relaxed)))
            .collect();
        errors.sort_unstable();
        for (code, count) in errors {
            let _ = writeln!(
                out,
                "scopelink_resolution_errors_total{{code=\"{code}\"}} {count}"
            );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_many_threads_add_up() {
        let metrics = Metrics::default();
        let links: Arc<str> = Arc::from("/v1/links");
        let go: Arc<str> = Arc::from("/go");
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for n in 0..1000u64 {
                        let (route, status) = if n % 4 == 0 {
                            (&go, 302)
                        } else {
                            (&links, 200)
                        };
                        metrics.record_request(
                            &Method::GET,
                            route,
                            status,
                            Duration::from_micros(n),
                        );
                        metrics.record_errors(&[ErrorCode::UnknownOperation]);
                    }
                });
            }
        });
        let text = metrics.render();
        for line in [
            "scopelink_http_requests_total{method=\"GET\",route=\"/go\",status=\"302\"} 1000\n",
            "scopelink_http_requests_total{method=\"GET\",route=\"/v1/links\",status=\"200\"} 3000\n",
            "scopelink_http_request_duration_seconds_count 4000\n",
            "scopelink_http_request_duration_seconds_bucket{le=\"0.0005\"} 2004\n",
            "scopelink_http_request_duration_seconds_bucket{le=\"+Inf\"} 4000\n",
            "scopelink_resolution_errors_total{code=\"unknown_operation\"} 4000\n",
        ] {
            assert!(text.contains(line), "missing `{line}` in\n{text}");
        }
        let go_at = text.find("route=\"/go\"").unwrap();
        let links_at = text.find("route=\"/v1/links\"").unwrap();
        assert!(go_at < links_at, "series are sorted");
    }

    #[test]
    fn a_method_outside_the_standard_ones_counts_as_other() {
        let metrics = Metrics::default();
        let route: Arc<str> = Arc::from("/healthz");
        for method in ["FOO1", "FOO2", "get", "PROPFIND"] {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            metrics.record_request(&method, &route, 405, Duration::ZERO);
        }
        for method in [Method::GET, Method::HEAD, Method::CONNECT] {
            metrics.record_request(&method, &route, 200, Duration::ZERO);
        }
        let text = metrics.render();
        let series: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("scopelink_http_requests_total{"))
            .collect();
        assert_eq!(
            series,
            [
                "scopelink_http_requests_total{method=\"CONNECT\",route=\"/healthz\",status=\"200\"} 1",
                "scopelink_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
                "scopelink_http_requests_total{method=\"HEAD\",route=\"/healthz\",status=\"200\"} 1",
                "scopelink_http_requests_total{method=\"OTHER\",route=\"/healthz\",status=\"405\"} 4",
            ]
        );
    }
}

//! Rendered answers by exact request bytes. An answer depends only on the
//! input and the catalog, and onboarding flows send the same operation list
//! for every merchant, so identical requests are answered from memory.
//!
//! # Implementation notes
//! A `quick_cache` sync cache (sharded, S3-FIFO eviction) whose weigher counts
//! the bytes an entry holds: the request, the answer's body and headers, and
//! the fixed size of both. A lookup borrows the request ([`RequestRef`]), so a
//! hit allocates nothing; keys are compared whole, so a hash collision is only
//! ever a miss.

use std::hash::Hash;
use std::mem::size_of;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use quick_cache::sync::Cache;
use quick_cache::{Equivalent, Weighter};

use crate::resolve::ErrorCode;

/// Which endpoint an answer belongs to (the same bytes mean different things per route).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    PostLinks,
    GetLinks,
    Go,
}

/// A finished answer, ready to be sent again.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
    /// `Location` for redirects.
    pub location: Option<String>,
    /// `ETag` for cacheable GET answers.
    pub etag: Option<String>,
    /// What the answer counts in the metrics each time it is sent.
    pub link_built: bool,
    pub error_codes: Vec<ErrorCode>,
}

/// A request as it was sent (the cache's key).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Request {
    endpoint: Endpoint,
    bytes: Box<[u8]>,
}

/// A borrowed [`Request`] for lookups; its fields hash the same way.
#[derive(Hash)]
struct RequestRef<'a> {
    endpoint: Endpoint,
    bytes: &'a [u8],
}

impl Equivalent<Request> for RequestRef<'_> {
    fn equivalent(&self, key: &Request) -> bool {
        self.endpoint == key.endpoint && self.bytes == &*key.bytes
    }
}

/// The bytes an entry keeps alive.
#[derive(Debug, Clone)]
struct ByteWeigher;

impl Weighter<Request, Arc<Answer>> for ByteWeigher {
    fn weight(&self, request: &Request, answer: &Arc<Answer>) -> u64 {
        entry_bytes(request.bytes.len(), answer) as u64
    }
}

/// Never 0, so every entry can be evicted.
fn entry_bytes(request_bytes: usize, answer: &Answer) -> usize {
    size_of::<Request>()
        + request_bytes
        + size_of::<Answer>()
        + answer.body.len()
        + answer.location.as_ref().map_or(0, String::len)
        + answer.etag.as_ref().map_or(0, String::len)
        + answer.error_codes.len() * size_of::<ErrorCode>()
}

/// A guess at an average entry, to size the cache's tables.
const TYPICAL_ENTRY_BYTES: usize = 2048;

#[derive(Debug)]
pub struct AnswerCache {
    max_bytes: usize,
    /// `None` when the cache is off.
    answers: Option<Cache<Request, Arc<Answer>, ByteWeigher>>,
}

impl AnswerCache {
    /// A cache holding at most about `max_bytes` of requests and answers; 0 turns it off.
    pub fn new(max_bytes: usize) -> AnswerCache {
        let answers = (max_bytes > 0).then(|| {
            Cache::with_weighter(
                (max_bytes / TYPICAL_ENTRY_BYTES).max(1),
                max_bytes as u64,
                ByteWeigher,
            )
        });
        AnswerCache { max_bytes, answers }
    }

    /// The cached answer, or the computed one (cached if `cacheable` says so).
    pub fn get_or_compute(
        &self,
        endpoint: Endpoint,
        request: &[u8],
        compute: impl FnOnce() -> Answer,
        cacheable: impl FnOnce(&Answer) -> bool,
    ) -> Arc<Answer> {
        let Some(answers) = &self.answers else {
            return Arc::new(compute());
        };
        let key = RequestRef {
            endpoint,
            bytes: request,
        };
        if let Some(found) = answers.get(&key) {
            return found;
        }
        let answer = Arc::new(compute());
        // One entry may take a quarter of the cache at most, so a few large
        // answers never push out all the small ones.
        if cacheable(&answer) && entry_bytes(request.len(), &answer) <= self.max_bytes / 4 {
            answers.insert(
                Request {
                    endpoint,
                    bytes: request.into(),
                },
                answer.clone(),
            );
        }
        answer
    }

    /// Bytes held now (as the weigher counts them).
    #[cfg(test)]
    fn held_bytes(&self) -> u64 {
        self.answers.as_ref().map_or(0, Cache::weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            content_type: "application/json",
            body: Bytes::from(body.to_owned()),
            location: None,
            etag: None,
            link_built: true,
            error_codes: Vec::new(),
        }
    }

    #[test]
    fn computes_once_per_request_and_stays_within_its_bound() {
        let max_bytes = 64 * 1024;
        let cache = AnswerCache::new(max_bytes);
        let mut computed = 0;
        for _ in 0..3 {
            let got = cache.get_or_compute(
                Endpoint::Go,
                b"op=a",
                || {
                    computed += 1;
                    answer("x")
                },
                |_| true,
            );
            assert_eq!(got.body, "x");
        }
        assert_eq!(computed, 1);
        let other = cache.get_or_compute(Endpoint::GetLinks, b"op=a", || answer("y"), |_| true);
        assert_eq!(other.body, "y", "endpoints are kept apart");
        let longer = cache.get_or_compute(Endpoint::Go, b"op=ab", || answer("w"), |_| true);
        assert_eq!(longer.body, "w", "requests are compared whole");

        let body = "z".repeat(1000);
        for i in 0..1000 {
            cache.get_or_compute(
                Endpoint::Go,
                format!("op={i}").as_bytes(),
                || answer(&body),
                |_| true,
            );
            assert!(
                cache.held_bytes() <= max_bytes as u64,
                "{}",
                cache.held_bytes()
            );
        }
        assert!(
            cache.held_bytes() > max_bytes as u64 / 2,
            "the cache is used up to its bound: {}",
            cache.held_bytes()
        );
    }

    #[test]
    fn uncacheable_oversized_and_disabled_answers_are_computed_every_time() {
        let cache = AnswerCache::new(64 * 1024);
        let off = AnswerCache::new(0);
        let huge = "h".repeat(20 * 1024);
        let mut computed = 0;
        for _ in 0..2 {
            cache.get_or_compute(
                Endpoint::PostLinks,
                b"{}",
                || {
                    computed += 1;
                    answer("e")
                },
                |_| false,
            );
            cache.get_or_compute(
                Endpoint::PostLinks,
                b"[]",
                || {
                    computed += 1;
                    answer(&huge)
                },
                |_| true,
            );
            off.get_or_compute(
                Endpoint::PostLinks,
                b"{}",
                || {
                    computed += 1;
                    answer("e")
                },
                |_| true,
            );
        }
        assert_eq!(computed, 6);
        assert_eq!(cache.held_bytes(), 0);
    }
}

//! Rendered answers by exact request bytes. An answer depends only on the
//! input and the catalog, and onboarding flows send the same operation list
//! for every merchant, so identical requests are answered from memory.
//!
//! # Implementation notes
//! Two generations bound the memory: entries go into `current`; when it
//! holds `max_bytes / 2`, it becomes `previous` and the old `previous` is
//! dropped. A hit in `previous` is promoted. No clock, no per-entry list.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::web::Bytes;

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

/// A request as it was sent, and its answer.
#[derive(Debug)]
struct Entry {
    endpoint: Endpoint,
    request: Box<[u8]>,
    answer: Arc<Answer>,
}

impl Entry {
    fn size(&self) -> usize {
        self.request.len() + self.answer.body.len()
    }

    fn is_for(&self, endpoint: Endpoint, request: &[u8]) -> bool {
        self.endpoint == endpoint && *self.request == *request
    }
}

/// Entries by a hash of endpoint and request; a lookup borrows the request
/// and compares it whole, so a collision is only ever a miss.
#[derive(Debug, Default)]
struct Generations {
    current: HashMap<u64, Entry>,
    current_bytes: usize,
    previous: HashMap<u64, Entry>,
}

fn hash_of(endpoint: Endpoint, request: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    endpoint.hash(&mut hasher);
    request.hash(&mut hasher);
    hasher.finish()
}

#[derive(Debug)]
pub struct AnswerCache {
    max_bytes: usize,
    generations: Mutex<Generations>,
}

impl AnswerCache {
    /// A cache holding at most about `max_bytes` of requests and answers; 0 turns it off.
    pub fn new(max_bytes: usize) -> AnswerCache {
        AnswerCache {
            max_bytes,
            generations: Mutex::new(Generations::default()),
        }
    }

    /// The cached answer, or the computed one (cached if `cacheable` says so).
    pub fn get_or_compute(
        &self,
        endpoint: Endpoint,
        request: &[u8],
        compute: impl FnOnce() -> Answer,
        cacheable: impl FnOnce(&Answer) -> bool,
    ) -> Arc<Answer> {
        if self.max_bytes == 0 {
            return Arc::new(compute());
        }
        let hash = hash_of(endpoint, request);
        if let Some(found) = self.lookup(hash, endpoint, request) {
            return found;
        }
        let answer = Arc::new(compute());
        if cacheable(&answer) {
            self.store(
                hash,
                Entry {
                    endpoint,
                    request: request.into(),
                    answer: answer.clone(),
                },
            );
        }
        answer
    }

    fn lookup(&self, hash: u64, endpoint: Endpoint, request: &[u8]) -> Option<Arc<Answer>> {
        let mut generations = self.generations.lock().ok()?;
        if let Some(entry) = generations.current.get(&hash) {
            return entry
                .is_for(endpoint, request)
                .then(|| entry.answer.clone());
        }
        let entry = generations.previous.remove(&hash)?;
        if !entry.is_for(endpoint, request) {
            return None;
        }
        let answer = entry.answer.clone();
        generations.current_bytes += entry.size();
        generations.current.insert(hash, entry);
        Some(answer)
    }

    fn store(&self, hash: u64, entry: Entry) {
        let size = entry.size();
        if size > self.max_bytes / 4 {
            return;
        }
        let Ok(mut generations) = self.generations.lock() else {
            return;
        };
        if generations.current_bytes + size > self.max_bytes / 2 {
            generations.previous = std::mem::take(&mut generations.current);
            generations.current_bytes = 0;
        }
        generations.current_bytes += size;
        if let Some(replaced) = generations.current.insert(hash, entry) {
            generations.current_bytes -= replaced.size();
        }
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
        let cache = AnswerCache::new(400);
        let mut computed = 0;
        for _ in 0..3 {
            cache.get_or_compute(
                Endpoint::Go,
                b"op=a",
                || {
                    computed += 1;
                    answer("x")
                },
                |_| true,
            );
        }
        assert_eq!(computed, 1);
        let other = cache.get_or_compute(Endpoint::GetLinks, b"op=a", || answer("y"), |_| true);
        assert_eq!(other.body, "y", "endpoints are kept apart");
        for i in 0..100 {
            cache.get_or_compute(
                Endpoint::Go,
                format!("op={i}").as_bytes(),
                || answer(&"z".repeat(40)),
                |_| true,
            );
        }
        let generations = cache.generations.lock().unwrap();
        let held: usize = generations
            .current
            .values()
            .chain(generations.previous.values())
            .map(Entry::size)
            .sum();
        assert!(held <= 400, "{held}");
    }

    #[test]
    fn uncacheable_answers_and_a_disabled_cache_compute_every_time() {
        let cache = AnswerCache::new(1000);
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
        }
        let off = AnswerCache::new(0);
        for _ in 0..2 {
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
        assert_eq!(computed, 4);
    }
}

//! Per-client rate limiting: a fixed one-minute window per IP address.
//! Off (and free) when the limit is 0.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked clients, windows that have ended are dropped.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request; returns the seconds to wait if the client is over the limit.
    pub fn check(&self, peer: Option<SocketAddr>) -> Option<u64> {
        if self.per_minute == 0 {
            return None;
        }
        let ip = peer?.ip();
        let now = Instant::now();
        let mut windows = self.windows.lock().ok()?;
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        *count += 1;
        (*count > self.per_minute).then(|| (WINDOW - now.duration_since(*start)).as_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_per_client() {
        let limiter = RateLimiter::new(2);
        let a: SocketAddr = "10.0.0.1:1000".parse().unwrap();
        let b: SocketAddr = "10.0.0.2:1000".parse().unwrap();
        assert_eq!(limiter.check(Some(a)), None);
        assert_eq!(limiter.check(Some(a)), None);
        assert!(limiter
            .check(Some(a))
            .is_some_and(|secs| (1..=60).contains(&secs)));
        assert_eq!(limiter.check(Some(b)), None, "clients are counted apart");
        assert_eq!(RateLimiter::new(0).check(Some(a)), None);
    }
}

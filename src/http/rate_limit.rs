//! Per-client rate limiting with `governor`: a GCRA limiter keyed by client
//! address. A client may send `per_minute` requests at once, then one more
//! every `60 / per_minute` seconds. Off (and free) when the limit is 0.
//!
//! # Implementation notes
//! The keyed store holds one small state per client. A client whose state has
//! fully replenished is indistinguishable from one never seen, so at most once
//! per [`PRUNE_EVERY`] a request sweeps those out (`retain_recent`): the store
//! only ever holds the clients seen in about the last minute. IPv6 clients are
//! keyed by their /64, the block one subscriber gets, so one host cannot take a
//! fresh state (and fresh memory) per address. There is no lock to poison: a
//! check is a compare-and-swap on the client's state in a sharded map.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;

/// How often the store drops clients that are back to a full allowance.
const PRUNE_EVERY: Duration = Duration::from_secs(10);

/// The limiter of `--rate-limit-per-minute`; `check` is the only call per request.
pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: Option<Keyed<C>>,
}

struct Keyed<C: Clock> {
    per_minute: NonZeroU32,
    governor: governor::RateLimiter<
        IpAddr,
        DefaultKeyedStateStore<IpAddr>,
        C,
        NoOpMiddleware<C::Instant>,
    >,
    /// The clock's reading when the limiter was made; prune times count from it.
    start: C::Instant,
    /// Nanoseconds after `start` of the last sweep.
    last_pruned: AtomicU64,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per client and minute; 0 turns it off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock> RateLimiter<C> {
    fn with_clock(per_minute: u32, clock: C) -> RateLimiter<C> {
        let limiter = NonZeroU32::new(per_minute).map(|per_minute| {
            let start = clock.now();
            Keyed {
                per_minute,
                governor: governor::RateLimiter::dashmap_with_clock(
                    Quota::per_minute(per_minute),
                    clock,
                ),
                start,
                last_pruned: AtomicU64::new(0),
            }
        });
        RateLimiter { limiter }
    }

    /// Counts a request; returns the seconds to wait if the client is over the limit.
    /// A request without a peer address (not over TCP) is never limited.
    pub fn check(&self, peer: Option<SocketAddr>) -> Option<u64> {
        let limiter = self.limiter.as_ref()?;
        let key = client_key(peer?.ip());
        limiter.prune_if_due();
        let refused = limiter.governor.check_key(&key).err()?;
        let wait = refused.wait_time_from(limiter.governor.clock().now());
        Some(whole_seconds(wait).max(1))
    }

    /// Clients the store holds now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.governor.len())
    }
}

impl<C: Clock> Keyed<C> {
    /// Sweeps out the clients back to a full allowance, if the last sweep is
    /// [`PRUNE_EVERY`] old; of concurrent requests only one sweeps.
    fn prune_if_due(&self) {
        let now = self
            .governor
            .clock()
            .now()
            .duration_since(self.start)
            .as_u64();
        let last = self.last_pruned.load(Ordering::Relaxed);
        if now.saturating_sub(last) < Nanos::from(PRUNE_EVERY).as_u64() {
            return;
        }
        if self
            .last_pruned
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            self.governor.retain_recent();
            self.governor.shrink_to_fit();
        }
    }
}

impl<C: Clock> fmt::Debug for RateLimiter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.limiter {
            None => f.write_str("RateLimiter(off)"),
            Some(limiter) => f
                .debug_struct("RateLimiter")
                .field("per_minute", &limiter.per_minute)
                .field("clients", &limiter.governor.len())
                .finish(),
        }
    }
}

/// The key a client is counted under: its IPv4 address, or its IPv6 /64
/// (an IPv4-mapped IPv6 address counts as the IPv4 address).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1))),
        },
    }
}

/// A wait in whole seconds, rounded up (`Retry-After` must not be too early).
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 1000))
    }

    #[test]
    fn allows_up_to_the_limit_per_client() {
        let limiter = RateLimiter::new(2);
        assert_eq!(limiter.check(peer("10.0.0.1")), None);
        assert_eq!(limiter.check(peer("10.0.0.1")), None);
        assert!(limiter
            .check(peer("10.0.0.1"))
            .is_some_and(|secs| (1..=60).contains(&secs)));
        assert_eq!(
            limiter.check(peer("10.0.0.2")),
            None,
            "clients are counted apart"
        );
        assert_eq!(limiter.check(None), None, "no peer address, no limit");
        let off = RateLimiter::new(0);
        for _ in 0..100 {
            assert_eq!(off.check(peer("10.0.0.1")), None, "0 turns it off");
        }
    }

    #[test]
    fn retry_after_is_when_the_client_is_let_in_again() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(3, clock.clone());
        for _ in 0..3 {
            assert_eq!(limiter.check(peer("10.0.0.1")), None);
        }
        // One request comes back every 20 s.
        assert_eq!(limiter.check(peer("10.0.0.1")), Some(20));
        clock.advance(Duration::from_millis(19_500));
        assert_eq!(limiter.check(peer("10.0.0.1")), Some(1), "rounded up");
        clock.advance(Duration::from_millis(500));
        assert_eq!(limiter.check(peer("10.0.0.1")), None);
        assert_eq!(limiter.check(peer("10.0.0.1")), Some(20));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block() {
        let limiter = RateLimiter::new(1);
        assert_eq!(limiter.check(peer("2001:db8:1:2::1")), None);
        assert!(
            limiter.check(peer("2001:db8:1:2:ffff::9")).is_some(),
            "the same /64"
        );
        assert_eq!(limiter.check(peer("2001:db8:1:3::1")), None, "another /64");
        assert_eq!(limiter.check(peer("::ffff:10.0.0.7")), None);
        assert!(
            limiter.check(peer("10.0.0.7")).is_some(),
            "an IPv4-mapped address is the IPv4 client"
        );
    }

    #[test]
    fn clients_back_to_a_full_allowance_are_forgotten() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(60, clock.clone());
        for n in 0..10_000u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 | n));
            assert_eq!(limiter.check(Some(SocketAddr::new(ip, 1))), None);
        }
        assert_eq!(limiter.tracked(), 10_000);
        // Each client used one of 60 per minute: a second later it is whole again.
        clock.advance(PRUNE_EVERY);
        assert_eq!(limiter.check(peer("192.0.2.1")), None);
        assert_eq!(limiter.tracked(), 1, "only the client just seen is kept");
        // A client still owing time is kept through a sweep, and still limited.
        for _ in 0..60 {
            assert_eq!(limiter.check(peer("192.0.2.2")), None);
        }
        clock.advance(PRUNE_EVERY);
        // Ten seconds gave it ten requests back, not sixty.
        for _ in 0..10 {
            assert_eq!(limiter.check(peer("192.0.2.2")), None);
        }
        assert!(
            limiter.check(peer("192.0.2.2")).is_some(),
            "its state survived the sweep"
        );
        assert_eq!(limiter.tracked(), 1, "192.0.2.1 is whole again and gone");
    }
}

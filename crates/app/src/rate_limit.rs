//! Sign-in limits that slow down guessing without locking anyone out.
//!
//! Only failures count, under two keys: (account, address) and address. Once a key has had
//! its free failures, each further one earns a delay that doubles up to a cap; an attempt
//! inside that delay is answered "try again in N seconds" without checking the password.
//! Nothing is keyed by the account alone, so failures from one address never stop the right
//! password from another. Counts live in the database, so instances sharing it share them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use store::FailureCount;

/// How many failures are free, how delays grow, and how long failures are remembered.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failures from one address for one account before delays begin.
    pub free_per_account_address: i64,
    /// Failures from one address, all accounts together, before delays begin. Higher,
    /// because many people may share an address (an office, a phone network).
    pub free_per_address: i64,
    /// The delay after the last free failure; each further failure doubles it.
    pub first_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Failures are forgotten once the last one is this old.
    pub forget_after: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            free_per_account_address: 5,
            free_per_address: 30,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
            // Much longer than the longest delay: forgetting sooner would hand a patient
            // guesser a fresh set of free failures every quarter hour.
            forget_after: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl LoginLimits {
    /// The delay earned by `failures` failures when `free` of them are free.
    pub fn delay(&self, failures: i64, free: i64) -> Duration {
        if failures < free {
            return Duration::ZERO;
        }
        let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(32);
        self.first_delay
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_delay)
    }

    /// Whole seconds to wait before the next attempt, if any.
    pub(crate) fn wait(&self, count: FailureCount, free: i64, now: DateTime<Utc>) -> Option<u64> {
        let delay = chrono::Duration::from_std(self.delay(count.failures, free)).ok()?;
        let left = (count.last_at + delay - now).num_milliseconds();
        // Rounded up, so a client that waits exactly Retry-After is never turned away.
        (left > 0).then(|| u64::try_from(left).unwrap_or(0).div_ceil(1000).max(1))
    }
}

/// What a client address counts as: an IPv6 address by its /64, since one person usually
/// holds a whole /64 and could otherwise step through it; an IPv4 address inside IPv6 as
/// that IPv4 address.
pub(crate) fn address_label(address: Option<IpAddr>) -> String {
    match address.map(|a| a.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".into(),
    }
}

/// Attempts this instance is checking right now, per key. They count as failures until they
/// are known not to be, so a burst of simultaneous guesses cannot all slip past the check
/// before the first of them is recorded.
#[derive(Default)]
pub(crate) struct InFlight {
    counts: Mutex<HashMap<String, i64>>,
}

impl InFlight {
    /// Marks an attempt under `keys` as in flight until the guard is dropped, and says how
    /// many attempts under each key were already in flight. Both happen under one lock, so
    /// of a burst of simultaneous attempts each sees those that came before it.
    pub fn enter(self: &Arc<Self>, keys: &[String]) -> (InFlightGuard, Vec<i64>) {
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let before = keys
            .iter()
            .map(|k| {
                let n = map.entry(k.clone()).or_default();
                *n += 1;
                *n - 1
            })
            .collect();
        let guard = InFlightGuard {
            owner: Arc::clone(self),
            keys: keys.to_vec(),
        };
        (guard, before)
    }
}

/// Ends an in-flight attempt when dropped, however the attempt ended.
pub(crate) struct InFlightGuard {
    owner: Arc<InFlight>,
    keys: Vec<String>,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        let mut map = self.owner.counts.lock().unwrap_or_else(|e| e.into_inner());
        for k in &self.keys {
            if let Some(n) = map.get_mut(k) {
                *n -= 1;
                if *n <= 0 {
                    map.remove(k);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        let l = LoginLimits::default();
        let secs: Vec<u64> = (0..20).map(|n| l.delay(n, 5).as_secs()).collect();
        assert_eq!(
            secs,
            [
                0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900
            ]
        );
        assert_eq!(l.delay(i64::MAX, 5), Duration::from_secs(900));
        assert_eq!(l.delay(29, 30), Duration::ZERO);
        assert_eq!(l.delay(30, 30), Duration::from_secs(1));
    }

    #[test]
    fn the_wait_counts_from_the_last_failure_and_rounds_up() {
        let l = LoginLimits::default();
        let t = Utc::now();
        let count = FailureCount {
            failures: 7,
            last_at: t,
        };
        assert_eq!(l.wait(count, 5, t), Some(4));
        assert_eq!(
            l.wait(count, 5, t + chrono::Duration::milliseconds(1500)),
            Some(3)
        );
        assert_eq!(l.wait(count, 5, t + chrono::Duration::seconds(4)), None);
        assert_eq!(l.wait(count, 8, t), None);
    }

    #[test]
    fn addresses_are_counted_by_ipv4_address_or_ipv6_slash_64() {
        let p = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(address_label(p("127.0.0.2")), "127.0.0.2");
        assert_eq!(address_label(p("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(
            address_label(p("2001:db8:1:2:aaaa::1")),
            address_label(p("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            address_label(p("2001:db8:1:2::1")),
            address_label(p("2001:db8:1:3::1"))
        );
        assert_eq!(address_label(None), "unknown");
    }

    #[test]
    fn in_flight_attempts_are_counted_until_they_end() {
        let f = Arc::new(InFlight::default());
        let keys = vec!["a".to_string(), "b".to_string()];
        let (one, before) = f.enter(&keys);
        assert_eq!(before, [0, 0]);
        let (two, before) = f.enter(&keys[..1]);
        assert_eq!(before, [1]);
        drop(one);
        let (three, before) = f.enter(&keys);
        assert_eq!(before, [1, 0]);
        drop((two, three));
        assert_eq!(f.enter(&keys).1, [0, 0]);
    }
}

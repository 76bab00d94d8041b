//! Sign-in attempt limits, per account and per network address, in a sliding window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many sign-in attempts are allowed in a window.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failed attempts per email address.
    pub per_account: usize,
    /// Attempts (failed or not) per client address.
    pub per_address: usize,
    /// The window both counts look back over.
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 10,
            per_address: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

pub(crate) struct LoginLimiter {
    limits: LoginLimits,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter {
            limits,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    fn key_limit(&self, key: &str) -> usize {
        if key.starts_with("addr:") {
            self.limits.per_address
        } else {
            self.limits.per_account
        }
    }

    /// Seconds to wait when any of `keys` is over its limit now.
    pub fn blocked(&self, keys: &[String], now: Instant) -> Option<u64> {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().find_map(|k| {
            let q = map.get_mut(k)?;
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.limits.window)
            {
                q.pop_front();
            }
            (q.len() >= self.key_limit(k)).then(|| {
                let oldest = q.front().copied().unwrap_or(now);
                (self
                    .limits
                    .window
                    .saturating_sub(now.duration_since(oldest)))
                .as_secs()
                .max(1)
            })
        })
    }

    /// Counts an attempt against a key.
    pub fn record(&self, key: String, now: Instant) {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        // Bound memory under a flood of distinct keys: forget everything already expired.
        if map.len() > 100_000 {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.limits.window)
            });
        }
        map.entry(key).or_default().push_back(now);
    }

    /// Forgets an account's failures after a successful sign-in.
    pub fn clear(&self, key: &str) {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_until_the_window_passes() {
        let l = LoginLimiter::new(LoginLimits {
            per_account: 3,
            per_address: 100,
            window: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        let key = vec!["acct:sam@example.org".to_string()];
        for i in 0..3 {
            assert_eq!(l.blocked(&key, t0), None, "attempt {i}");
            l.record(key[0].clone(), t0);
        }
        assert!(
            l.blocked(&key, t0 + Duration::from_secs(1))
                .is_some_and(|s| s <= 60)
        );
        assert_eq!(l.blocked(&key, t0 + Duration::from_secs(61)), None);
        l.record(key[0].clone(), t0);
        l.clear(&key[0]);
        assert_eq!(l.blocked(&key, t0), None);
    }
}
